"""Chapters are paired notebooks: ``chapters/NAME.ipynb`` + ``chapters/NAME.py`` (jupytext
``py:percent``, see ``jupytext.toml``).

For every chapter: the ``.py`` twin exists and holds the same cells (type, source, tags) as
the ``.ipynb``; the ``.ipynb`` has a kernelspec (papermill needs it), exactly one code cell
tagged ``parameters`` (papermill injects after it), and no stored outputs. The checker itself
is tested on tiny notebooks written to a temporary folder: a good pair must pass, and each
kind of drift must be caught.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_configuration_file
from jupytext.paired_paths import paired_paths

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
TWIN_FORMAT = "py:percent"


def cell_signature(cell) -> tuple[str, str, tuple[str, ...]]:
    """(type, source, tags) of a cell. Trailing whitespace at the end of a cell is ignored,
    because jupytext drops trailing blank lines when it writes a ``py:percent`` cell."""
    return cell.cell_type, cell.source.rstrip(), tuple(cell.metadata.get("tags", ()))


def pairing_problems(ipynb_path: Path) -> list[str]:
    """Everything wrong with one chapter notebook and its ``.py`` twin (empty list = fine)."""
    problems: list[str] = []
    nb = nbformat.read(ipynb_path, as_version=4)

    if not (nb.metadata.get("kernelspec") or {}).get("name"):
        problems.append("no kernelspec; set one with `jupytext --set-kernel python3 <notebook>`")

    params = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", ())]
    if len(params) != 1:
        problems.append(f"{len(params)} cells tagged 'parameters' (papermill needs exactly one)")
    elif nb.cells[params[0]].cell_type != "code":
        problems.append(f"the cell tagged 'parameters' (#{params[0]}) is not a code cell")

    with_outputs = [i for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    if with_outputs:
        problems.append(f"stored with outputs or execution counts in cell(s) {with_outputs}; rewrite it "
                        f"without outputs from its twin (`jupytext --to ipynb {ipynb_path.stem}.py`)")

    twin_path = ipynb_path.with_suffix(".py")
    if not twin_path.is_file():
        problems.append(f"missing twin {twin_path.name}; create it with "
                        f"`jupytext --set-formats ipynb,{TWIN_FORMAT} {ipynb_path.name}`")
        return problems

    twin = jupytext.read(twin_path, fmt=TWIN_FORMAT)
    ours, theirs = [cell_signature(c) for c in nb.cells], [cell_signature(c) for c in twin.cells]
    if ours != theirs:
        where = next((i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        if where < min(len(ours), len(theirs)):
            a, b = ours[where], theirs[where]
            what = [name for name, x, y in zip(("type", "source", "tags"), a, b) if x != y]
            detail = f"cell #{where} differs in {', '.join(what)}"
            if "source" in what:
                detail += f": ipynb {a[1][:60]!r} vs py {b[1][:60]!r}"
        else:
            detail = f"ipynb has {len(ours)} cells, py has {len(theirs)}"
        problems.append(f"{ipynb_path.name} and {twin_path.name} are out of sync ({detail}); "
                        f"run `jupytext --sync` on the one you edited")
    return problems


# --- the real chapters -------------------------------------------------------------------

CHAPTER_NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))


@pytest.mark.parametrize("ipynb", CHAPTER_NOTEBOOKS, ids=[p.stem for p in CHAPTER_NOTEBOOKS])
def test_chapter_is_paired_and_clean(ipynb):
    assert pairing_problems(ipynb) == []


@pytest.mark.parametrize("ipynb", CHAPTER_NOTEBOOKS, ids=[p.stem for p in CHAPTER_NOTEBOOKS])
def test_chapter_checks_its_parameters_first(ipynb):
    """The first code cell after the parameters calls ``chapter.check_parameters()`` before any
    other statement than its imports, so a parameter the chapter does not have (papermill ``-p``)
    stops it before anything trains (tests/test_chapter.py runs it under papermill)."""
    import ast

    nb = nbformat.read(ipynb, as_version=4)
    i = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", ()))
    first = next(c for c in nb.cells[i + 1:] if c.cell_type == "code")
    code = [n for n in ast.parse(first.source).body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    assert code and ast.unparse(code[0]) == "chapter.check_parameters()"


def test_every_py_in_chapters_is_a_twin():
    orphans = [p.name for p in sorted(CHAPTERS.glob("*.py")) if not p.with_suffix(".ipynb").is_file()]
    assert orphans == [], f"chapters/*.py without an .ipynb: {orphans}"


def test_jupytext_config_pairs_chapters():
    config = load_jupytext_configuration_file(str(ROOT / "jupytext.toml"))
    (formats,) = config.formats
    paths = [p for p, _ in paired_paths(str(CHAPTERS / "x.ipynb"), "ipynb", formats)]
    assert paths == [str(CHAPTERS / "x.ipynb"), str(CHAPTERS / "x.py")]


# --- the checker on tiny notebooks --------------------------------------------------------

def tiny_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A tiny chapter\n\nThe claim, with $\\kappa(M_z)$."),
        nbformat.v4.new_code_cell("scale = 'book'  # smoke | book | paper\nseed = 0  # the seed",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import math\n\n\ndef f(x):\n    return math.log(x)\n"),
        nbformat.v4.new_code_cell("f(2.0)", metadata={"tags": ["hide-input"]}),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write_pair(folder: Path, nb, twin=None) -> Path:
    ipynb = folder / "tiny.ipynb"
    nbformat.write(nb, ipynb)
    jupytext.write(nb if twin is None else twin, folder / "tiny.py", fmt=TWIN_FORMAT)
    return ipynb


def test_good_pair_passes(tmp_path):
    ipynb = write_pair(tmp_path, tiny_notebook())
    assert "# %% tags=[\"parameters\"]" in (tmp_path / "tiny.py").read_text()
    assert pairing_problems(ipynb) == []


def _edit_source(nb):
    nb.cells[2].source = nb.cells[2].source.replace("math.log", "math.log10")


def _drop_cell(nb):
    del nb.cells[3]


def _change_tags(nb):
    nb.cells[3].metadata["tags"] = ["remove-input"]


def _change_type(nb):
    nb.cells[0] = nbformat.v4.new_raw_cell(nb.cells[0].source)


def _add_cell(nb):
    nb.cells.append(nbformat.v4.new_code_cell("print('only in the py')"))


@pytest.mark.parametrize("drift, expected", [
    (_edit_source, "differs in source"),
    (_drop_cell, "4 cells, py has 3"),
    (_change_tags, "differs in tags"),
    (_change_type, "differs in type"),
    (_add_cell, "4 cells, py has 5"),
])
def test_out_of_sync_pair_is_caught(tmp_path, drift, expected):
    twin = copy.deepcopy(tiny_notebook())
    drift(twin)
    ipynb = write_pair(tmp_path, tiny_notebook(), twin)
    (problem,) = pairing_problems(ipynb)
    assert "out of sync" in problem and expected in problem


def test_missing_twin_is_caught(tmp_path):
    ipynb = write_pair(tmp_path, tiny_notebook())
    (tmp_path / "tiny.py").unlink()
    assert any("missing twin" in p for p in pairing_problems(ipynb))


def test_notebook_rules_are_enforced(tmp_path):
    nb = tiny_notebook()
    del nb.metadata["kernelspec"]
    nb.cells[2].metadata["tags"] = ["parameters"]             # a second parameters cell
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="0.69\n")]
    problems = pairing_problems(write_pair(tmp_path, nb))
    assert len(problems) == 3
    assert "kernelspec" in problems[0]
    assert "2 cells tagged 'parameters'" in problems[1]
    assert "outputs" in problems[2] and "[3]" in problems[2]
