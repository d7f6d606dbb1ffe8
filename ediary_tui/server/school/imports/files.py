"""Reading a school's table from a file, as a spreadsheet saved it.

CSV with commas or semicolons (Russian Excel saves semicolons), in UTF-8 with
or without a byte-order mark, in Windows-1251 (what Excel's "CSV" is in Russia),
or UTF-16 (Excel's "Unicode text", tab-separated); and `.xlsx` (its first
sheet). A text that is none of those is refused rather than read as nonsense.
Every row keeps its line number as the spreadsheet shows it (the headings are
line 1), so a report can send the administrator straight to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AdminError
from .headers import field_of

CellValue = str | dt.date
DELIMITERS = (";", ",", "\t")
# A Cyrillic letter in UTF-8 (as Windows-1251, "Р" or "С" and a sign: all but unheard of).
_SEP_HINT = re.compile(r"^sep=([;,\t|])\r?\n")
_UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")


@dataclass(frozen=True)
class Row:
    """One line of the table: its line number and its cells by field."""

    line: int
    cells: dict[str, CellValue]

    def text(self, name: str) -> str:
        value = self.cells.get(name, "")
        return value.isoformat() if isinstance(value, dt.date) else value


@dataclass
class Table:
    """The rows of a file, with the heading each field had in it."""

    name: str
    headings: dict[str, str]  # field -> the heading as written in the file
    rows: list[Row] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headings the import does not read


def read_table(path: Path) -> Table:
    """The table in `path` (.csv, .txt or .xlsx); AdminError for what cannot be read."""
    if not path.is_file():
        raise AdminError(f"there is no file {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        lines = _xlsx_lines(path)
    elif suffix in (".csv", ".txt"):
        lines = _csv_lines(path)
    else:
        raise AdminError(
            f"{path.name} is not a .csv or .xlsx file; save the spreadsheet as CSV or Excel (.xlsx)"
        )
    return _table(path.name, lines)


def decode(data: bytes, name: str) -> str:
    """The text of a CSV file: UTF-16 or UTF-8 by their marks, else UTF-8, else Windows-1251."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(data.decode("utf-16"), name)
    try:
        return _checked(data.decode("utf-8-sig"), name)
    except UnicodeDecodeError as exc:
        # Windows-1251 text fails as UTF-8 at its first Cyrillic letter; UTF-8 letters
        # before the failure say it is UTF-8 with one broken character instead.
        if _UTF8_CYRILLIC.search(data, 0, exc.start):
            line = data.count(b"\n", 0, exc.start) + 1
            raise AdminError(
                f"{name} is UTF-8 text with a broken character on line {line}; "
                "fix it or save the file again as CSV (UTF-8)"
            ) from None
    try:
        return _checked(data.decode("cp1251"), name)
    except UnicodeDecodeError:
        raise AdminError(
            f"{name} is neither UTF-8 nor Windows-1251 text; save it again as CSV (UTF-8)"
        ) from None


def _checked(text: str, name: str) -> str:
    """Refuse what decoded but is not text a spreadsheet writes (a binary file, say)."""
    if any(ch < " " and ch not in "\t\r\n" for ch in text):
        raise AdminError(
            f"{name} is not a text table (it holds control characters); "
            "save the spreadsheet as CSV or Excel (.xlsx)"
        )
    return text


def _delimiter(text: str) -> str:
    """The separator of the heading line: whichever of ; , and tab it has most of."""
    heading = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: _unquoted(heading).count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unquoted(line: str) -> str:
    return "".join(part for i, part in enumerate(line.split('"')) if i % 2 == 0)


def _csv_lines(path: Path) -> list[list[CellValue]]:
    text = decode(path.read_bytes(), path.name)
    hint = _SEP_HINT.match(text)
    if hint is not None:  # Excel's "sep=;" first line, which Excel itself does not show
        delimiter, text = hint.group(1), text[hint.end() :]
    else:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [list(cells) for cells in reader]
    except csv.Error as exc:
        raise AdminError(f"{path.name} is not a well-formed CSV file ({exc})") from None


def _xlsx_lines(path: Path) -> list[list[CellValue]]:
    import openpyxl  # only when a spreadsheet is read: it takes a while to import

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise AdminError(f"{path.name} is not an Excel workbook (.xlsx): {exc}") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value: object) -> CellValue:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(name: str, lines: list[list[CellValue]]) -> Table:
    start = next((i for i, cells in enumerate(lines) if any(_filled(c) for c in cells)), None)
    if start is None:
        raise AdminError(f"{name} is empty; its first line should be the column headings")
    headings: dict[str, str] = {}
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for i, cell in enumerate(lines[start]):
        heading = str(cell).strip()
        if not heading:
            continue
        known = field_of(heading)
        if known is None:
            ignored.append(heading)
        elif known in headings:
            raise AdminError(
                f'{name} has two columns for the same thing: "{headings[known]}" and "{heading}"; '
                "remove one"
            )
        else:
            headings[known] = heading
            columns[i] = known
    table = Table(name, headings, ignored=ignored)
    for number, cells in enumerate(lines[start + 1 :], start=start + 2):
        if not any(_filled(c) for c in cells):
            continue
        values: dict[str, CellValue] = {}
        for i, known in columns.items():
            value = cells[i] if i < len(cells) else ""
            values[known] = value.strip() if isinstance(value, str) else value
        table.rows.append(Row(number, values))
    return table


def _filled(cell: CellValue) -> bool:
    return isinstance(cell, dt.date) or bool(cell.strip())
