"""Whether a person is a woman, from a Russian full name: the words that agree with her.

The school's records keep no sex, and Russian needs it for a label ("ученица", not
"ученик", for a girl). Russian software tells it by the patronymic, as here: -вна,
-чна, -ична and the Turkic "кызы" are a woman's; -вич, -ич and "оглы" a man's. A name
without a patronymic says nothing, and the label keeps its general (masculine) form.
"""

from __future__ import annotations

from typing import Literal

Sex = Literal["female", "male"]

FEMALE_ENDINGS: tuple[str, ...] = ("вна", "чна", "ична", "кызы", "гызы")
MALE_ENDINGS: tuple[str, ...] = ("вич", "ич", "оглы", "улы")


def _of_word(word: str) -> Sex | None:
    word = word.lower().replace("ё", "е")
    if word.endswith(FEMALE_ENDINGS):
        return "female"
    if word.endswith(MALE_ENDINGS):
        return "male"
    return None


def sex_of(full_name: str) -> Sex | None:
    """ "female" or "male" by the patronymic, None when the name has none.

    The first word is a surname or a first name, never a patronymic, and is skipped
    (a surname may end in -ич: "Шкляревич Анна Сергеевна"). A woman's patronymic
    anywhere after it decides, so "Анна Сергеевна Шкляревич" is hers too; then a
    man's, in a name of three words or more ("Анна Шкляревич" says nothing).
    """
    words = full_name.split()[1:]
    found = [_of_word(word) for word in words]
    if "female" in found:
        return "female"
    if len(found) > 1 and "male" in found:  # two words: a first name and a surname
        return "male"
    return None


def is_female(full_name: str) -> bool:
    """A woman's name by its patronymic; a name that does not say is not."""
    return sex_of(full_name) == "female"
