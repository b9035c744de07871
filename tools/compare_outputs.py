"""Compare the numbers two executions of a chapter produced: glued values, tables, printed text.

A refactor of a chapter (logic moved into the library, cells re-tagged) must not change what
the chapter reports. Execute the chapter before and after (same scale, same run store) and
compare:

    papermill chapters/03_average_jacobian_spectra.ipynb /tmp/before.ipynb
    ... change the code ...
    papermill chapters/03_average_jacobian_spectra.ipynb /tmp/after.ipynb
    python tools/compare_outputs.py /tmp/before.ipynb /tmp/after.ipynb

Every glued value (``myst_nb.glue``, by name, text or HTML form) must be identical. Every other
text output (``text/plain``, ``text/markdown``, ``text/html``, stream text) is collected in
order; a refactor may move a number from one cell to another, so these are compared as one
multiset of lines, and lines only in one of the two are printed. Images are not compared
(matplotlib output is not byte-stable). Either notebook may be one that ``make book`` executed
(``_build/jupyter_execute/chapters/NAME.ipynb``, glued values in ``NAME.glue.json``). Exit status 0 when nothing differs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

TEXT = ("text/plain", "text/markdown", "text/html")
# machine-specific text that a re-execution changes: progress bars, timings of this session
VOLATILE = re.compile(r"(\d+(\.\d+)?\s*(s|it)/(it|s)|\d+%\|)")


def _glued_text(out: dict) -> str:
    data, prefix = out.get("data", {}), out["metadata"]["scrapbook"].get("mime_prefix", "")
    for key in (p + k for k in TEXT for p in (prefix, "")):
        if key in data:
            return "".join(data[key])
    return ""


def outputs(path: str) -> tuple[dict[str, str], collections.Counter]:
    """(glued values by name, multiset of the other text lines) of an executed notebook.

    A notebook executed by Jupyter Book keeps its glued values beside it, in ``NAME.glue.json``
    (``_build/jupyter_execute/``); they are read from there when the notebook has none.
    """
    nb = json.load(open(path))
    glued, lines = {}, collections.Counter()
    side = Path(path).with_suffix(".glue.json")
    if side.exists():
        glued.update({name: _glued_text(out) for name, out in json.load(open(side)).items()})
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            meta = out.get("metadata", {})
            name = meta.get("scrapbook", {}).get("name")
            if name is not None:
                glued[name] = _glued_text(out)
                continue
            texts = [out.get("text", "")] if out.get("output_type") == "stream" else [data.get(k, "") for k in TEXT]
            for t in texts:
                for line in "".join(t).splitlines():
                    if line.strip() and not VOLATILE.search(line):
                        lines[line.strip()] += 1
    return glued, lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before")
    ap.add_argument("after")
    a = ap.parse_args()
    (g0, l0), (g1, l1) = outputs(a.before), outputs(a.after)
    bad = 0
    for name in sorted(set(g0) | set(g1)):
        if g0.get(name) != g1.get(name):
            bad += 1
            print(f"glue {name!r}:\n  before: {g0.get(name)!r}\n  after:  {g1.get(name)!r}")
    only0, only1 = l0 - l1, l1 - l0
    for line in only0.elements():
        print(f"- {line}")
    for line in only1.elements():
        print(f"+ {line}")
    bad += sum(only0.values()) + sum(only1.values())
    print(f"{len(g0)} glued values, {sum(l0.values())} text lines before; {bad} difference(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
