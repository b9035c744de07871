"""What every chapter ends with: a "paper vs this build" table and a checks list.

:class:`Checks` separates two kinds of statement:

- ``require``: something that must hold whatever the scale (consistency of the stored numbers,
  the shape of the experiment). It raises AssertionError at once, so the chapter fails in CI.
- ``claim``: one of the paper's findings that the paper states as a direction only, measured on
  this build. It is recorded as reproduced or not reproduced and shown in the rendered text; a
  claim that did not reproduce is reported, never hidden. A claim may name the training
  ``recipe`` it was judged under.
- ``verdict``: one of the paper's findings that the paper states with a size. Its verdict is one
  of :data:`VERDICTS` (:func:`gancond.claims.three_way`): reproduced (the interval excludes no
  effect, in the paper's direction), contradicted (the interval excludes the paper's effect),
  inconclusive (the interval holds both), or not tested.

:meth:`Checks.scoreboard` turns a chapter's claims into the HTML table that the book's first
page pastes (``{glue:any}`` with ``:doc:``), so the front page shows what the checks recorded.
:meth:`Checks.findings` turns them into the plain sentences that open the book ("What this build
found", ``{glue:text}`` with ``path::key:s``): the chapter's headline results with their numbers
and verdicts (:meth:`Checks.finding`), then which claims reproduced, which did not, which were
inconclusive and which contradicted the paper (:meth:`Checks.tally`).

Used by: chapters 1, 2, 3, 4, 5 and 6.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["VERDICTS", "MARKS", "Checks", "paper_vs_build", "markdown_table"]

#: every verdict word a claim can get: the three-way words of claims with a size, "not reproduced"
#: for claims the paper states as a direction only, and "not tested"
VERDICTS = ("reproduced", "contradicted", "inconclusive", "not reproduced", "not tested")
#: how the scoreboard marks each verdict
MARKS = {"reproduced": "✔ reproduced", "contradicted": "✘ contradicted", "inconclusive": "? inconclusive",
         "not reproduced": "✘ not reproduced", "not tested": "– not tested"}


@dataclass
class Checks:
    scale: str
    rows: list[dict] = field(default_factory=list)

    def require(self, condition: bool, what: str) -> None:
        """Assert ``condition``; ``what`` says what must hold."""
        if not condition:
            raise AssertionError(f"check failed: {what}")
        self.rows.append({"kind": "required", "statement": what, "result": "holds"})

    def _where(self, recipe: str | None, scale: str | None) -> str:
        parts = [p for p in (recipe, f"{scale} scale" if scale else None) if p]
        return f" [{', '.join(parts)}]" if parts else ""

    def claim(self, reproduced: bool, paper: str, measured: str, recipe: str | None = None,
              scale: str | None = None) -> bool:
        """Record whether the paper's finding ``paper`` (a direction, no size) reproduced here
        (``measured`` says how), under training ``recipe`` if given, on runs of ``scale`` (default:
        this chapter's)."""
        reproduced = bool(reproduced)
        self.verdict("reproduced" if reproduced else "not reproduced", paper, measured, recipe, scale)
        return reproduced

    def verdict(self, word: str, paper: str, measured: str, recipe: str | None = None,
                scale: str | None = None, *, short: str | None = None) -> str:
        """Record the verdict ``word`` (one of :data:`VERDICTS`) on the paper's finding ``paper``;
        ``measured`` gives the statistic, its interval and the paper's effect; ``short`` the same
        without the effect's source, for the one-sentence findings (default: ``measured``)."""
        if word not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {word!r}")
        scale_ = scale or self.scale
        lead = {"reproduced": "reproduced", "not reproduced": f"did not reproduce at {scale_} scale",
                "contradicted": f"contradicted at {scale_} scale", "inconclusive": f"inconclusive at {scale_} scale",
                "not tested": f"not tested at {scale_} scale"}[word]
        self.rows.append({"kind": "paper claim", "statement": paper + self._where(recipe, scale),
                          "result": f"{lead}: {measured}", "_claim": paper, "_recipe": recipe, "_scale": scale_,
                          "_own": scale is None, "_verdict": word, "_measured": measured,
                          "_short": measured if short is None else short})
        return word

    def untested(self, paper: str, why: str, recipe: str | None = None, scale: str | None = None) -> None:
        """Record that the paper's finding ``paper`` could not be tested here, and why."""
        self.verdict("not tested", paper, why, recipe, scale)

    def scoreboard(self, chapter: str, href: str) -> str:
        """HTML table of this chapter's claims: one row per claim, per recipe its verdict and the
        number behind it; its caption links the chapter (``href``, relative to the front page)."""
        claims = [r for r in self.rows if r["kind"] == "paper claim"]

        def col(r):
            return r["_recipe"] or "—", r["_scale"], r["_own"]

        cols = list(dict.fromkeys(col(r) for r in claims))
        mark = MARKS
        head = "".join(f"<th>{html.escape(rc)} ({html.escape(sc)} scale{'' if own else ', bundle'})</th>"
                       for rc, sc, own in cols)
        body = []
        for claim in dict.fromkeys(r["_claim"] for r in claims):
            cells = []
            for c in cols:
                hit = [r for r in claims if r["_claim"] == claim and col(r) == c]
                cells.append("<td></td>" if not hit else
                             f"<td><b>{mark[hit[0]['_verdict']]}</b><br><small>{html.escape(hit[0]['_measured'])}</small></td>")
            body.append(f"<tr><td>{html.escape(claim)}</td>{''.join(cells)}</tr>")
        # the chapter is the table's caption (a column repeating it on every row cost the table a
        # fifth of its width: the screenshots of issue 19, item 8)
        return (f"<table class=\"table scoreboard\"><caption>judged in <a href=\"{html.escape(href)}\">"
                f"{html.escape(chapter)}</a></caption><thead><tr><th>claim</th>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>")

    def _claims(self, *words: str, own: bool | None = None) -> list[dict]:
        return [r for r in self.rows if r["kind"] == "paper claim" and r["_verdict"] in words
                and (own is None or r["_own"] == own)]

    @property
    def not_reproduced(self) -> list[str]:
        """Claims that did not reproduce: direction-only ones that failed, and contradicted ones."""
        return [r["statement"] for r in self._claims("not reproduced", "contradicted")]

    def counts(self, own: bool | None = True) -> dict[str, int]:
        """How many claims got each verdict (``own``: on this chapter's runs; False: a bundle's; None: all)."""
        return {w: len(self._claims(w, own=own)) for w in VERDICTS}

    def finding(self, claim: str, recipe: str | None = None) -> str:
        """One plain sentence on the paper's finding ``claim`` as this chapter's own runs judged it
        (under ``recipe`` when it was judged under several; else the first): the claim, its verdict
        word, the scale and recipe, and the number behind the verdict. KeyError when it was not recorded."""
        rows = [r for r in self._claims(*VERDICTS, own=True) if r["_claim"] == claim]
        if not rows:
            raise KeyError(f"no claim {claim!r} was recorded on this chapter's runs")
        r = next((r for r in rows if r["_recipe"] == recipe), rows[0])
        where = f" [{r['_recipe']}]" if r["_recipe"] else ""
        number = r["_short"].rstrip(".")
        return f"{claim[:1].upper()}{claim[1:]} — {r['_verdict']} at {r['_scale']} scale{where}: {number}."

    def headlines(self, *claims: str, recipe: str | None = None) -> str:
        """:meth:`finding` of each of ``claims`` that was recorded, joined into one paragraph (a
        claim this build did not record, e.g. on an arm it did not train, is left out)."""
        found = []
        for c in claims:
            try:
                found.append(self.finding(c, recipe))
            except KeyError:
                continue
        return " ".join(found)

    def tally(self) -> str:
        """Every claim by its verdict, in plain sentences: what reproduced, what did not
        (direction-only claims), what was inconclusive, what contradicted the paper (or that
        nothing did), then how many claims could not be tested. A claim judged under several
        recipes, or on a bundle too, is named once, followed by where each verdict came from."""
        lead = {"reproduced": "Reproduced", "not reproduced": "Not reproduced", "inconclusive": "Inconclusive",
                "contradicted": "Contradicted the paper"}
        out = []
        for word in ("reproduced", "not reproduced", "inconclusive", "contradicted"):
            where: dict[str, list[str]] = {}
            for r in self._claims(word):
                bundle = None if r["_own"] else f"({r['_scale']} scale bundle)"
                tag = " ".join(t for t in (r["_recipe"], bundle) if t)
                where.setdefault(r["_claim"], []).extend([tag] if tag else [])
            if where:
                out.append(f"{lead[word]}: " + "; ".join(c + (f" [{', '.join(t)}]" if t else "") for c, t in where.items()) + ".")
            elif word == "contradicted" and any(self._claims(*VERDICTS[:4])):
                out.append("Nothing contradicted the paper.")
        untested = len(self._claims("not tested"))
        if untested:
            out.append(f"Not tested: {untested} claim{'s' if untested > 1 else ''} (the scoreboard says why).")
        return " ".join(out)

    def findings(self, *claims: str, recipe: str | None = None) -> str:
        """The chapter's findings for the book's first page: the :meth:`headlines` of ``claims``
        (the results that matter most, with their numbers), then the :meth:`tally` of every claim."""
        return " ".join(p for p in (self.headlines(*claims, recipe=recipe), self.tally()) if p)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{k: r[k] for k in ("kind", "statement", "result")} for r in self.rows],
                            columns=["kind", "statement", "result"])

    def summary(self) -> str:
        """One paragraph of plain text for the rendered chapter: how many claims reproduced, then
        which were contradicted, inconclusive, not reproduced (direction only) and not tested."""
        s = ""
        for own in (True, False):
            rs = [r for r in self._claims(*VERDICTS[:4], own=own)]
            if own or rs:
                ok = sum(r["_verdict"] == "reproduced" for r in rs)
                where = f"at {self.scale} scale" if own else "in the committed bundle (" + ", ".join(
                    sorted({r["_scale"] + " scale" for r in rs})) + ")"
                s += f"{' ' if s else ''}{ok} of {len(rs)} of the paper's claims tested {where} reproduced."
        for word, lead in (("contradicted", "Contradicted (the interval excludes the paper's effect)"),
                           ("inconclusive", "Inconclusive (the interval holds both no effect and the paper's effect)"),
                           ("not reproduced", "Did not reproduce")):
            rs = self._claims(word)
            if rs:
                s += f" {lead}: " + "; ".join(r["statement"] for r in rs) + "."
        untested = self._claims("not tested")
        if untested:
            s += " Not tested: " + "; ".join(r["statement"] for r in untested) + "."
        return s


def paper_vs_build(rows: list[tuple[str, str, str]], scale: str, data: str) -> pd.DataFrame:
    """A table of (quantity, what the paper reports, what this build measured)."""
    return pd.DataFrame(rows, columns=["quantity", "paper", f"this build ({scale} scale, {data})"])


def markdown_table(df: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (for IPython.display.Markdown); a missing value shows as
    "–", not "nan"."""
    return re.sub(r"(?<=\| )(\s*)nan(?=\s*\|)", r"\1–", df.to_markdown(index=False))
