"""Read a CSV (UTF-8 with or without BOM, UTF-16, GBK/GB18030, Big5) or XLSX file into rows.

Files arrive in every shape, so nothing here trusts the name or the bytes: the content decides
between CSV and XLSX, a picture or an old ``.xls`` renamed ``.xlsx`` is named for what it is,
legacy Chinese encodings are told apart instead of decoded into mojibake, and size limits
(columns, rows, unpacked XLSX) stop a small file from exhausting memory. A cell that cannot be
taken as written (a formula without a saved result, a control character) becomes a
:class:`BadCell`, which the row validator reports with its row and column.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from matchmaker.errors import ImportRejected, Problem
from matchmaker.messages import size_text
from matchmaker.tabular.encodings import decode
from matchmaker.tabular.formulas import restore
from matchmaker.text import control_char

# Title rows above the header are common ("2026年星火杯报名汇总表"); look this far down for it.
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 500  # a registration sheet has ~20; Excel allows 16,384
MAX_ROWS = 200_000
MAX_XLSX_UNPACKED = 512 * 1024 * 1024  # what an XLSX's parts may unpack to (a zip bomb is small)
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
# File signatures of things people upload by mistake, named in the refusal.
_SIGNATURES = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
    (b"Rar!", "RAR"),
    (b"\x1f\x8b", "gzip"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, .doc, or a password-protected .xlsx


@dataclass(frozen=True)
class BadCell:
    """A cell that cannot be taken as written: why (a message code) and what it holds."""

    code: str
    value: Any = None
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass
class Sheet:
    """A table as the user sees it: ``rows`` pairs each row with its spreadsheet row number."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row: int = 1
    encoding: str = ""
    warnings: list[Problem] = field(default_factory=list)


def read_sheet(data: bytes, filename: str, header_hint: set[str] | None = None) -> Sheet:
    """Return the table in ``data``; its content (else ``filename``'s suffix) says CSV or XLSX.

    ``header_hint`` holds folded header names; the first of the top rows that contains two of
    them is taken as the header (title rows above it are skipped).
    Raises :class:`ImportRejected` for an unreadable file, with the reason.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in _XLSX_SUFFIXES + _TEXT_SUFFIXES:
        raise ImportRejected(
            "import.unsupported_format",
            [Problem("import.unsupported_format", params={"suffix": suffix or filename})],
            suffix=suffix or filename,
        )
    if not data.strip():
        return Sheet(headers=[], rows=[])  # the validator says "no data rows"
    _refuse_non_sheets(data)
    warnings: list[Problem] = []
    if zipfile.is_zipfile(io.BytesIO(data)):  # an XLSX, whatever its name says
        grid, encoding = _read_xlsx(data), "xlsx"
    elif suffix in _XLSX_SUFFIXES:
        raise _refused("import.not_xlsx")
    else:
        text, encoding, warnings = decode(data)
        grid = _read_csv(text)
    sheet = _to_sheet(grid, encoding, header_hint or set())
    sheet.warnings.extend(warnings)
    return sheet


def _refuse_non_sheets(data: bytes) -> None:
    if data.startswith(_OLE):
        raise _refused("import.xls_or_encrypted")
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise _refused("import.not_a_sheet", kind=kind)


def _refused(code: str, row: int | None = None, **params: Any) -> ImportRejected:
    return ImportRejected(code, [Problem(code, row=row, params=params)], **params)


# ---- CSV ------------------------------------------------------------------------------------


def _read_csv(text: str) -> list[tuple[int, list[Any]]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return list(_numbered(enumerate(reader, start=1)))
    except csv.Error:
        # the only error left with newline="" is a cell beyond csv.field_size_limit()
        row = reader.line_num
        raise _refused("import.cell_too_big", row=row, limit=csv.field_size_limit()) from None


# ---- XLSX -----------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    import openpyxl  # local: only XLSX imports pay for it

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_XLSX_UNPACKED:
        raise _refused("import.xlsx_too_big", limit=size_text(MAX_XLSX_UNPACKED))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - untrusted bytes: zip, XML and value errors alike
        raise _refused("import.not_xlsx") from None
    try:
        if not book.worksheets:
            return []
        return list(_numbered(_xlsx_rows(book, book.worksheets[0])))
    except ImportRejected:
        raise
    except Exception:  # noqa: BLE001 - a damaged part shows only while its rows are read
        raise _refused("import.not_xlsx") from None
    finally:
        book.close()


def _xlsx_rows(book: Any, sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """Yield the cells that exist, row by row, each formula cell as its saved result.

    openpyxl's read-only rows are padded to the width the file *claims* (up to 16,384 columns),
    and its ``data_only`` mode hides whether a cell held a formula; its sheet parser, which
    the read-only sheet itself uses, gives both the real cells and the formulas.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]  # openpyxl is untyped: a base of Any
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            if formula is not None:
                cell["formula"] = "=" + (formula.text or "")
            return cell

    with book._archive.open(sheet._worksheet_path) as source:
        parser = Parser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            values = {cell["column"]: _xlsx_value(cell) for cell in cells}
            values = {c: v for c, v in values.items() if v not in (None, "")}
            if values:
                yield number, [values.get(c) for c in range(1, max(values) + 1)]


def _xlsx_value(cell: dict[str, Any]) -> Any:
    value = cell["value"]
    if "formula" in cell and value is None:
        return BadCell("import.formula_no_value", cell["formula"])
    if cell["data_type"] == "e":  # #REF!, #DIV/0!, #N/A …
        return BadCell("import.cell_error", value, {"formula": cell.get("formula", "")})
    return value


# ---- both -----------------------------------------------------------------------------------


def _numbered(rows: Iterable[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """Pass rows through, refusing a file wider or longer than the limits."""
    count = 0
    for number, row in rows:
        while row and row[-1] in (None, ""):
            row.pop()
        if not row:
            continue
        if len(row) > MAX_COLUMNS:
            raise _refused("import.too_wide", row=number, count=len(row), limit=MAX_COLUMNS)
        count += 1
        if count > MAX_ROWS + HEADER_SEARCH_ROWS:  # header and title rows come on top
            raise _refused("import.too_many_rows", row=number, limit=MAX_ROWS)
        yield number, row


def _to_sheet(grid: list[tuple[int, list[Any]]], encoding: str, hint: set[str]) -> Sheet:
    from matchmaker.text import fold

    if not grid:
        return Sheet(headers=[], rows=[], encoding=encoding)
    for _number, row in grid:  # in place: a 200,000-row file is held once, not three times
        row[:] = [_clean(v) for v in row]
    header_index = 0
    for index, (_number, row) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        names = {fold(str(v)) for v in row if v is not None}
        if hint and len(names & hint) >= 2:
            header_index = index
            break
        if not hint and names:
            header_index = index
            break
    header_row, header_cells = grid[header_index]
    headers = ["" if v is None else str(v).strip() for v in header_cells]
    rows: list[tuple[int, list[Any]]] = []
    for numbered in itertools.islice(grid, header_index + 1, None):
        number, row = numbered
        if row.count(None) == len(row):
            continue
        if len(rows) == MAX_ROWS:  # the limit counts data rows: the header is not one
            raise _refused("import.too_many_rows", row=number, limit=MAX_ROWS)
        row.extend([None] * (len(headers) - len(row)))
        rows.append(numbered)
    return Sheet(headers=headers, rows=rows, header_row=header_row, encoding=encoding)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = restore(value.strip())  # our own exports quote formula-like text
        if not value:
            return None
        bad = control_char(value)
        return BadCell("import.control_char", value, {"char": bad}) if bad else value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
