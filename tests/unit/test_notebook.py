"""examples/ics_planning.ipynb runs top to bottom through the layers API without error."""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "examples" / "ics_planning.ipynb"


@pytest.mark.slow
def test_notebook_executes():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in c.outputs) for c in code_cells)
    figures = [
        c
        for c in code_cells
        if any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in c.outputs)
    ]
    assert len(figures) >= 6  # overview, map, tiers, allocation, inequality, alignment
