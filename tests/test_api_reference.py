"""The API reference (book/api/) covers the library: every module of ``lib/gancond`` is documented
by exactly one ``automodule`` directive, listed once in the index's summaries, and every page of
the reference is in the table of contents. (That the pages build without warnings is checked by
``make book``, which runs Sphinx with ``-W``.)"""

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
    (about 2 hours on the 2-core build machine): the per-cell limit must not fail that build."""
    timeout = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]
    assert timeout == -1 or timeout >= 4 * 3600, f"execute.timeout {timeout} s would stop a cold build's training cell"
