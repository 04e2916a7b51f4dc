"""Casework records as a spreadsheet: CSV and XLSX, one row per issue.

Both are safe to open in Excel or LibreOffice:

- Formula injection: a title such as ``=HYPERLINK(...)`` typed by a resident
  is shown, never run. In the CSV any text cell that starts with ``= + - @``,
  a tab or a carriage return gets an apostrophe in front, as OWASP advises,
  and every text cell is quoted, so a semicolon (the separator Excel uses in
  much of Europe) cannot split ``x;=1+1`` into a formula cell. In the XLSX
  every text cell is stored as text, marked as typed with a leading
  apostrophe (Excel's "quote prefix"), so it stays text even when edited, with
  no apostrophe to see. Numbers (latitude, longitude) stay numbers.
- Lists (linked posts, the timeline) are one cell each, an entry per line: a
  spreadsheet shows them wrapped, and a line break cannot be confused with
  text inside an entry the way a separator such as " | " could. Timeline lines
  read "<ISO time>  <what happened>".
- Dates and times are ISO 8601 text (2026-11-24T10:00:00+00:00), in the XLSX
  stored as text so nothing is reinterpreted by locale.
- The CSV is UTF-8 with a byte-order mark, which Excel needs to read Welsh
  letters (ŵ, ŷ) and emoji correctly.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from networked_councillor.exporters.records import FIELDS

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767  # Excel's most characters in one cell
CUT_NOTE = " … [cut: the full text is in the JSON export]"
MIN_WIDTH, MAX_WIDTH = 8, 60
WRAPPED = {"description", "linked_posts", "notes"}


def write_csv(records: Sequence[dict[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC)  # every text cell in quotes
        writer.writerow(FIELDS)
        for record in records:
            writer.writerow([_text_or_number(cell_value(record, key)) for key in FIELDS])


def write_xlsx(records: Sequence[dict[str, Any]], path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Issues"
    sheet.append(list(FIELDS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for record in records:
        sheet.append([_xlsx_value(cell_value(record, key)) for key in FIELDS])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even if it looks like a formula or a date
                cell.quotePrefix = cell.value.startswith(DANGEROUS_FIRST)  # and it stays text when edited
    for index, key in enumerate(FIELDS, start=1):
        _size_column(sheet, index, key)
    workbook.save(path)


def cell_value(record: dict[str, Any], key: str) -> str | float | int | None:
    """One field as a spreadsheet shows it: lists one entry a line, yes/no for flags, numbers as numbers."""
    value = record.get(key)
    if key == "notes":
        return "\n".join(f"{note['at']}  {note['text']}" for note in value or [])
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def neutralise(text: str) -> str:
    """Text a spreadsheet will show rather than run (OWASP's advice for CSV injection)."""
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def _text_or_number(value: str | float | int | None) -> str | float | int:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


def _xlsx_value(value: str | float | int | None) -> str | float | int | None:
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - len(CUT_NOTE)] + CUT_NOTE
    return text


def _size_column(sheet, index: int, key: str) -> None:
    letter = get_column_letter(index)
    longest = max((len(line) for cell in sheet[letter] if cell.value is not None
                   for line in str(cell.value).split("\n")), default=0)
    sheet.column_dimensions[letter].width = max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))
    if key in WRAPPED:
        for cell in sheet[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
