"""Read a CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX file into header + numbered rows."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from matchmaker.errors import ImportRejected, Problem

# Title rows above the header are common ("2026年星火杯报名汇总表"); look this far down for it.
HEADER_SEARCH_ROWS = 10


@dataclass
class Sheet:
    """A table as the user sees it: ``rows`` pairs each row with its spreadsheet row number."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row: int = 1
    encoding: str = ""
    warnings: list[Problem] = field(default_factory=list)


def read_sheet(data: bytes, filename: str, header_hint: set[str] | None = None) -> Sheet:
    """Return the table in ``data``; ``filename``'s suffix says CSV or XLSX.

    ``header_hint`` holds folded header names; the first of the top rows that contains two of
    them is taken as the header (title rows above it are skipped).
    Raises :class:`ImportRejected` for an unreadable file, with the reason.
    """
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid, encoding = _read_xlsx(data), "xlsx"
    elif suffix in (".csv", ".txt", ".tsv"):
        text, encoding = decode_text(data)
        grid = _read_csv(text)
    else:
        raise ImportRejected(
            "import.unsupported_format",
            [Problem("import.unsupported_format", params={"suffix": suffix or filename})],
            suffix=suffix or filename,
        )
    return _to_sheet(grid, encoding, header_hint or set())


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (BOM or not) first, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        raise ImportRejected("import.encoding", [Problem("import.encoding")]) from None


def _read_csv(text: str) -> list[list[Any]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise _unreadable(str(exc)) from None


def _read_xlsx(data: bytes) -> list[list[Any]]:
    import openpyxl  # local: only XLSX imports pay for it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _unreadable(f"not a valid .xlsx file ({exc.__class__.__name__})") from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _unreadable(detail: str) -> ImportRejected:
    return ImportRejected(
        "import.unreadable",
        [Problem("import.unreadable", params={"detail": detail})],
        detail=detail,
    )


def _to_sheet(grid: list[list[Any]], encoding: str, hint: set[str]) -> Sheet:
    from matchmaker.text import fold

    grid = [[_clean(v) for v in row] for row in grid]
    header_index = 0
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        names = {fold(str(v)) for v in row if v not in (None, "")}
        if hint and len(names & hint) >= 2:
            header_index = index
            break
        if not hint and names:
            header_index = index
            break
    if not grid:
        return Sheet(headers=[], rows=[], encoding=encoding)
    headers = ["" if v is None else str(v).strip() for v in grid[header_index]]
    rows = []
    for offset, row in enumerate(grid[header_index + 1 :], start=header_index + 2):
        if all(v in (None, "") for v in row):
            continue
        rows.append((offset, row + [None] * (len(headers) - len(row))))
    return Sheet(headers=headers, rows=rows, header_row=header_index + 1, encoding=encoding)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
