"""The API reference (book/api/) covers the library: every module of ``lib/gancond`` is documented
by exactly one ``automodule`` directive, listed once in the index's summaries, and every page of
the reference is in the table of contents. (That the pages build without warnings is checked by
``make book``, which runs Sphinx with ``-W``.)"""

import importlib
import inspect
import re
from pathlib import Path

import yaml

import gancond

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "book" / "api"
MODULES = sorted(p.stem for p in Path(gancond.__file__).parent.glob("*.py") if p.name != "__init__.py")
PAGES = sorted(p for p in API.glob("*.md") if p.name != "index.md")


def test_the_public_surface_has_its_page():
    text = (API / "gancond.md").read_text()
    assert ".. automodule:: gancond\n" in text and ":imported-members:" in text
    assert "{doc}`gancond`" in (API / "index.md").read_text()


def _toc_files(entries) -> list[str]:
    out = []
    for e in entries or ():
        if "file" in e:
            out.append(e["file"])
        out += _toc_files(e.get("sections")) + _toc_files(e.get("chapters"))
    return out


def test_every_module_has_exactly_one_automodule():
    documented = [m for p in PAGES for m in re.findall(r"^\.\. automodule:: gancond\.(\w+)$", p.read_text(), re.M)]
    assert sorted(documented) == MODULES


def test_index_summarises_every_module_once():
    listed = re.findall(r"^   gancond\.(\w+)$", (API / "index.md").read_text(), re.M)
    assert sorted(listed) == MODULES


def test_every_api_page_is_in_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = set(_toc_files(toc["parts"]))
    assert {f"book/api/{p.stem}" for p in [API / "index.md", *PAGES]} <= files


def test_sphinx_extensions_are_configured():
    extensions = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["extra_extensions"]
    assert {"sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.napoleon"} <= set(extensions)


def test_cell_timeout_allows_a_cold_build():
    """Chapter 1's cell that loads the arms trains all 48 book-scale GAN runs on a cold run store
    (57 minutes in the timed cold build of 2026-12-07, up to 2 hours on slower days, 2 cores):
    the per-cell limit must not fail that build."""
    timeout = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]
    assert timeout == -1 or timeout >= 4 * 3600, f"execute.timeout {timeout} s would stop a cold build's training cell"


# A reST substitution reference: '|' after whitespace, text that neither starts nor ends with a
# space, '|' before whitespace or punctuation. In a docstring it fails the -W build ("Undefined
# substitution referenced"), but only at the end of a cold build, after every chapter has run.
_SUBSTITUTION = re.compile(r"(?:^|(?<=\s))\|[^|\s](?:[^|\n]*?[^|\s])?\|(?=[\s.,;:)]|$)", re.M)


def _docstrings():
    """(dotted name, docstring) of every gancond module and of the functions, classes and methods
    it defines."""
    for name in MODULES:
        mod = importlib.import_module(f"gancond.{name}")
        yield mod.__name__, mod.__doc__ or ""
        own = [o for o in vars(mod).values() if getattr(o, "__module__", None) == mod.__name__]
        for obj in own:
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{mod.__name__}.{obj.__name__}", obj.__doc__ or ""
            if inspect.isclass(obj):
                for m in filter(inspect.isfunction, vars(obj).values()):
                    yield f"{mod.__name__}.{obj.__name__}.{m.__name__}", m.__doc__ or ""


def test_substitution_pattern_catches_absolute_values_only():
    assert _SUBSTITUTION.search("(B,), |log kappa(M_z) at G's dtype - at float64| (nan where")
    assert _SUBSTITUTION.search("the norm |x| of x")
    assert not _SUBSTITUTION.search("p(y|x) = softmax(logits); KL(p || q); a | b | c")


def test_no_docstring_has_a_substitution_reference():
    """An absolute value written |x| in a docstring reads as a reST substitution (written out in
    words or as a literal instead)."""
    bad = []
    for where, doc in _docstrings():
        text = re.sub(r"``.*?``", "", doc, flags=re.S)
        bad += [f"{where}: {m.group(0)}" for m in _SUBSTITUTION.finditer(text)]
    assert not bad, bad
