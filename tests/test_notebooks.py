"""The notebooks in notebooks/ run top to bottom, and are committed executed.

Each notebook is executed on a copy with nbclient, in a kernel of this interpreter (ipykernel's
own ``python3`` spec, which runs ``sys.executable``, whatever other kernel specs the machine has;
a last cell checks it), with the notebook's folder as working directory. Any error, or anything
written to stderr (a warning, say), fails the test. The committed files must hold the outputs
of one clean run, so a notebook edited and not re-executed fails too.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = [
    "01_quickstart.ipynb",
    "02_schema_evolution.ipynb",
    "03_batch_encode_decode.ipynb",
    "04_inference_from_datasets.ipynb",
]
#: Seconds one cell may take on a loaded 2-core machine; the slowest takes about 2 s alone.
CELL_TIMEOUT = 180

_CHECK_KERNEL = "import sys\nprint(sys.prefix)"


def _problems(nb: Any) -> list[str]:
    """Errors and stderr output of an executed notebook, and code cells that did not run."""
    found = []
    counts = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        counts.append(cell.get("execution_count"))
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(f"cell {index} wrote to stderr: {output.text.strip()[:500]}")
    if counts != list(range(1, len(counts) + 1)):
        found.append(f"code cells not executed once, top to bottom: execution counts {counts}")
    return found


def test_every_notebook_is_listed() -> None:
    assert sorted(path.name for path in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_notebook_holds_its_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert _problems(nb) == []
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert any(cell.outputs for cell in code_cells), f"{name} has no outputs"
    text = nbformat.writes(nb)
    assert not re.search(r"/tmp/|schemakit-04-\w", text), f"{name} shows a temporary path"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_top_to_bottom(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_CHECK_KERNEL))
    # No kernel directories: only ipykernel's native spec for this interpreter is found.
    specs = KernelSpecManager(kernel_dirs=[])
    # Unix sockets in a private folder, not TCP ports: a port picked free can be taken by
    # another process (a parallel test's server) before the kernel binds it.
    with tempfile.TemporaryDirectory(prefix="sk-nb-") as sockets:
        kernel = KernelManager(
            kernel_name="python3",
            kernel_spec_manager=specs,
            transport="ipc",
            ip=str(Path(sockets) / "kernel"),
        )
        client = NotebookClient(
            nb,
            km=kernel,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        client.execute(cleanup_kc=True)  # stop the kernel and close its sockets: km is ours
    assert _problems(nb) == []
    kernel_prefix = nb.cells[-1].outputs[0].text.strip()
    assert kernel_prefix == sys.prefix, "the notebook ran outside this virtual environment"
