"""The book's first page pastes the chapters' glued findings: every reference names a chapter
that glues that key, in the form MyST-NB 1.4 resolves across documents."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the intro without its MyST comments (lines starting with %), which are not rendered
INTRO = "".join(line for line in (ROOT / "book" / "intro.md").read_text().splitlines(keepends=True)
                if not line.startswith("%"))


def test_intro_opens_with_its_findings_before_the_scoreboards():
    heads = re.findall(r"^## (.+)$", INTRO, re.M)
    assert heads[:2] == ["What this build found", "Verdicts at a glance"]
    found = INTRO.split("## What this build found")[1].split("## Verdicts at a glance")[0]
    keys = re.findall(r"\{glue:text\}`[^`]*::(\w+):s`", found)
    assert keys[0] == "ch2_dose"  # the dose–response result first
    assert keys[1:] == [f"ch{n}_findings" for n in range(1, 7)] + ["reach_findings", "resolution_sentence"]  # then: reach, κ


def test_every_glue_reference_of_the_intro_is_glued_by_its_chapter():
    refs = re.findall(r"\{glue:text\}`\.\./chapters/(\w+)\.ipynb::(\w+)(:?\w*)`", INTRO)
    refs += [(doc, "scoreboard", ":s") for doc in re.findall(r":doc: \.\./chapters/(\w+)\.ipynb", INTRO)]
    assert len(refs) >= 13
    for doc, key, fmt in refs:
        assert fmt == ":s", f"{doc}::{key} needs ':s' (MyST-NB reads the text after the last ':' as a format)"
        assert f'glue("{key}"' in (ROOT / "chapters" / f"{doc}.py").read_text(), f"{doc} glues no {key!r}"
