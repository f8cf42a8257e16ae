"""Write tables as CSV (UTF-8 with BOM, for Excel) or XLSX, safe from formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from matchmaker.tabular.formulas import for_xlsx, neutralise

FORMATS = ("csv", "xlsx")
__all__ = ["FORMATS", "neutralise", "write_table"]


def write_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> bytes:
    """Return ``rows`` under ``headers`` as ``fmt`` (``csv`` or ``xlsx``) bytes.

    Text a spreadsheet would run as a formula is quoted (:mod:`matchmaker.tabular.formulas`).
    """
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow([neutralise(h) for h in headers])
        for row in rows:
            writer.writerow(["" if v is None else neutralise(v) for v in row])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(headers, rows)
    raise ValueError(f"unknown format {fmt!r}; use one of {FORMATS}")


def _xlsx(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([for_xlsx(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [max(8, len(str(h)) * 2) for h in headers]
    for row in rows:
        values = [for_xlsx(v) for v in row]
        sheet.append(values)
        for index, value in enumerate(values):
            widths[index] = min(60, max(widths[index], len(str(value or "")) + 2))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
