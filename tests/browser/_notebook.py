"""The notebook Voila serves to the browser tests, written with nbformat.

``python -m tests.browser._notebook`` rewrites tests/browser/explorer.ipynb from :data:`CELLS`;
``test_notebook_is_current`` checks that the committed file matches.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

PATH = Path(__file__).with_name("explorer.ipynb")

CELLS = [
    """\
# The widgets the browser tests drive, over a fresh registry file for each kernel (Voila starts
# one per page): the tests' fixture sets SCHEMAKIT_BROWSER_TEST_DIR to a temporary folder.
import os
from pathlib import Path

import schemakit as sk
from schemakit.widgets import EvolutionExplorer, RegistryBrowser

folder = Path(os.environ["SCHEMAKIT_BROWSER_TEST_DIR"])
reg = sk.Registry(folder / f"registry-{os.getpid()}.duckdb")\
""",
    """\
# orders-value: v1; v2 adds a field with a default (compatible); v3 adds a nullable note and is
# then deleted; v4 changes id from long to string (incompatible with the previous version, so
# registered under NONE); v5 adds a nested record and an enum symbol. Then back to BACKWARD.
status = {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}
v1 = [
    {"name": "id", "type": "long"},
    {"name": "amount", "type": "double"},
    {"name": "status", "type": status},
]
v2 = [*v1, {"name": "currency", "type": "string", "default": "EUR"}]
v3 = [*v2, {"name": "note", "type": ["null", "string"], "default": None}]
v4 = [{"name": "id", "type": "string"}, *v3[1:]]
customer = {
    "type": "record",
    "name": "Customer",
    "fields": [{"name": "name", "type": "string"}, {"name": "tier", "type": "int"}],
}
v5 = [
    *v4[:2],
    {"name": "status", "type": {**status, "symbols": ["NEW", "PAID", "SHIPPED"]}},
    *v4[3:],
    {"name": "customer", "type": ["null", customer], "default": None},
]
reg.set_compatibility("NONE", subject="orders-value")
for fields in (v1, v2, v3, v4, v5):
    reg.register(
        "orders-value",
        {"type": "record", "name": "Order", "namespace": "shop", "fields": fields},
    )
reg.delete_version("orders-value", 3)
reg.set_compatibility("BACKWARD", subject="orders-value")

# Two more subjects for the browser's search box.
reg.register("payments-key", "string")
email = {"name": "email", "type": "string", "default": ""}
for fields in (customer["fields"], [*customer["fields"], email]):
    reg.register("customers-value", {"type": "record", "name": "Customer", "fields": fields})\
""",
    """\
# Registry.explore() without a subject is a RegistryBrowser.
browser = reg.explore()
assert isinstance(browser, RegistryBrowser)
browser\
""",
    """\
explorer = EvolutionExplorer(reg, "orders-value")
explorer.add_class("sk-test-standalone")
explorer\
""",
    """\
# One version per timeline page, to drive the pager.
paged = reg.explore("customers-value", page_size=1)
paged.add_class("sk-test-paged")
paged\
""",
]


def build() -> nbformat.NotebookNode:
    """The notebook, with the standard ``python3`` kernelspec and no outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def write(path: Path = PATH) -> None:
    """Write the notebook to ``path``."""
    nbformat.write(build(), path)


if __name__ == "__main__":
    write()
