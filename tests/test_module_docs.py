"""Every library module says which chapters use it (d2l's habit), so a reader of a module finds
where it matters and a change to it knows which chapters to rerun."""

import ast
import re
from pathlib import Path

import pytest

import gancond

MODULES = sorted(p for p in Path(gancond.__file__).parent.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_module_docstring_names_its_chapters(path):
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    line = next((ln for ln in doc.splitlines() if ln.startswith("Used by: ")), None)
    assert line is not None, f"{path.name}: no 'Used by: chapter(s) ...' line in the module docstring"
    assert re.match(r"Used by: chapters? \d", line), line


def test_package_docstring_lists_every_module():
    listed = set(re.findall(r"^- ``(\w+)``", gancond.__doc__, flags=re.M))
    assert listed == {p.stem for p in MODULES}
