"""Every notebook in notebooks/ runs top to bottom in a fresh kernel and shows what it promises.

Conventions a notebook follows (notebooks/README.md): a cell tagged ``figure`` must display a
PNG, a cell tagged ``table`` an HTML table with at least one data row, and every notebook has at
least one such cell. Data a notebook reads from outside the repository (never shipped) is listed
in its metadata ``matchmaker.needs``, as paths relative to the repository root; where any is
missing the notebook is skipped with that reason. Nothing is fetched from the network.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT = 300  # seconds per cell; the notebooks take well under a minute in all


def _outputs(cell: Any) -> list[dict[str, Any]]:
    return [o for o in cell.get("outputs", []) if "data" in o]


def test_the_kernel_is_this_interpreter() -> None:
    """The ``python3`` kernel is started with the venv's interpreter, not a system Python."""
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    command = manager.format_kernel_cmd()
    assert Path(command[0]).resolve() == Path(sys.executable).resolve(), command


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_shows_its_results(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    needs = notebook.metadata.get("matchmaker", {}).get("needs", [])
    missing = [n for n in needs if not (ROOT / n).exists()]
    if missing:
        pytest.skip(f"{path.name} needs data outside the repository: {', '.join(missing)}")
    for cell in notebook.cells:  # judge this run's outputs, never the stored ones
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # run where the notebook lives
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error

    tagged = [(c, set(c.metadata.get("tags", []))) for c in notebook.cells if c.cell_type == "code"]
    checked = [(c, tags & {"figure", "table"}) for c, tags in tagged if tags & {"figure", "table"}]
    assert checked, f"{path.name}: tag at least one cell 'figure' or 'table'"
    for cell, tags in checked:
        data = [o["data"] for o in _outputs(cell)]
        if "figure" in tags:
            assert any("image/png" in d for d in data), f"no figure from:\n{cell.source}"
        if "table" in tags:
            html = "".join(d.get("text/html", "") for d in data)
            rows = len(re.findall(r"<tr[\s>]", html))  # the header row and at least one more
            assert "<table" in html and rows >= 2, f"no table rows from:\n{cell.source}"
