"""What makes a new password too weak: one rule for the server and the app.

The server refuses a weak password (422 `weak_password`); the app checks with the
same rule before sending, so it can say why in the person's language from the
`Weakness` code. The estimate is zxcvbn's (common passwords, words, names,
keyboard patterns, repeats, sequences, dates), with the person's login and name,
also in Latin letters, counted as easy to guess.
"""

from __future__ import annotations

import re
import threading
from enum import StrEnum

MIN_LENGTH = 8
# zxcvbn's scale 0-4; 3 is "safely unguessable: moderate protection from an offline
# slow-hash attack" (about 10^8 guesses or more), which is what an argon2id hash faces.
MIN_SCORE = 3
# zxcvbn's work grows with the length; a password whose first 72 characters are strong is.
_CHECKED_LENGTH = 72


class Weakness(StrEnum):
    """Why a password is refused; the app translates the code."""

    TOO_SHORT = "too_short"
    PERSONAL = "personal"
    COMMON = "common"
    WORD = "word"
    NAME = "name"
    KEYBOARD = "keyboard"
    REPEAT = "repeat"
    SEQUENCE = "sequence"
    DATE = "date"
    GUESSABLE = "guessable"


REASONS: dict[Weakness, str] = {
    Weakness.TOO_SHORT: f"this password is shorter than {MIN_LENGTH} characters",
    Weakness.PERSONAL: "this password is built from your login or name",
    Weakness.COMMON: "this is one of the most common passwords, or close to one",
    Weakness.WORD: "a common word on its own is easy to guess",
    Weakness.NAME: "names are easy to guess",
    Weakness.KEYBOARD: "rows and patterns of keys (like qwerty) are easy to guess",
    Weakness.REPEAT: "repeated characters or patterns (like aaaa or abcabc) are easy to guess",
    Weakness.SEQUENCE: "sequences (like abcd or 1234) are easy to guess",
    Weakness.DATE: "dates and years are easy to guess",
    Weakness.GUESSABLE: "this password is too short and simple to be safe",
}
HINT = (
    f"what would pass: {MIN_LENGTH} or more characters that are hard to guess, such as "
    "three or four words that do not belong together, or a longer mix of letters, digits "
    "and signs, without your name or login"
)

_TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye", strict=True)),
        **{"ё": "e", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch"},
        **{"ъ": "", "ь": "", "ю": "yu", "я": "ya"},
    }
)
# zxcvbn keeps the person's words in a module-level dictionary while it works.
_zxcvbn_lock = threading.Lock()


def _personal_words(login: str, full_name: str) -> list[str]:
    """The login, its parts, the name's words, and those words in Latin letters."""
    words = [login, *re.split(r"[._\-\s]+", login), *full_name.split()]
    words += [w.lower().translate(_TRANSLIT) for w in full_name.split()]
    return sorted({w.lower() for w in words if len(w) >= 3})


def _reason(sequence: list[dict[str, object]]) -> Weakness:
    """Why zxcvbn finds it easy, from the pattern covering most of the password."""
    if any(m.get("dictionary_name") == "user_inputs" for m in sequence):
        return Weakness.PERSONAL
    known = [m for m in sequence if m["pattern"] != "bruteforce"]
    if not known:
        return Weakness.GUESSABLE
    longest = max(known, key=lambda m: len(str(m["token"])))
    pattern, dictionary = longest["pattern"], longest.get("dictionary_name")
    if pattern == "dictionary":
        if dictionary == "passwords":
            return Weakness.COMMON
        if dictionary in ("surnames", "male_names", "female_names"):
            return Weakness.NAME
        return Weakness.WORD
    return {
        "spatial": Weakness.KEYBOARD,
        "repeat": Weakness.REPEAT,
        "sequence": Weakness.SEQUENCE,
        "regex": Weakness.DATE,
        "date": Weakness.DATE,
    }.get(str(pattern), Weakness.GUESSABLE)


def password_weakness(password: str, *, login: str = "", full_name: str = "") -> Weakness | None:
    """Why `password` is too weak for this person, or None if it will do."""
    if len(password) < MIN_LENGTH:
        return Weakness.TOO_SHORT
    from zxcvbn import zxcvbn  # ~20 ms to import: only when a password is chosen

    personal = _personal_words(login, full_name)
    # "elena-petrova" is the name with a dash: judged without the signs between words too.
    compact = re.sub(r"[\W_]+", "", password)
    with _zxcvbn_lock:
        result = zxcvbn(password[:_CHECKED_LENGTH], personal, max_length=_CHECKED_LENGTH)
        if result["score"] < MIN_SCORE:
            return _reason(result["sequence"])
        if not compact or compact == password:
            return None
        joined = zxcvbn(compact[:_CHECKED_LENGTH], personal, max_length=_CHECKED_LENGTH)
    if joined["score"] < MIN_SCORE and _reason(joined["sequence"]) == Weakness.PERSONAL:
        return Weakness.PERSONAL
    return None


def explain(weakness: Weakness) -> str:
    """The English sentence the server answers with: why, and what would pass."""
    reason = REASONS[weakness]
    return f"{reason[:1].upper()}{reason[1:]}; {HINT}."
