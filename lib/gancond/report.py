"""What every chapter ends with: a "paper vs this build" table and a checks list.

:class:`Checks` separates two kinds of statement:

- ``require``: something that must hold whatever the scale (consistency of the stored numbers,
  the shape of the experiment). It raises AssertionError at once, so the chapter fails in CI.
- ``claim``: one of the paper's findings, measured on this build. It is recorded as reproduced
  or not and shown in the rendered text; a claim that did not reproduce is reported, never hidden.
  A claim may name the training ``recipe`` it was judged under.

:meth:`Checks.scoreboard` turns a chapter's claims into the HTML table that the book's first
page pastes (``{glue:any}`` with ``:doc:``), so the front page shows what the checks recorded.

Used by: chapters 1, 2, 3, 4, 5 and 6.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Checks", "paper_vs_build", "markdown_table"]


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
        """Record whether the paper's finding ``paper`` reproduced here (``measured`` says how),
        under training ``recipe`` if given, on runs of ``scale`` (default: this chapter's)."""
        reproduced, scale_ = bool(reproduced), scale or self.scale
        verdict = "reproduced" if reproduced else f"did not reproduce at {scale_} scale"
        self.rows.append({"kind": "paper claim", "statement": paper + self._where(recipe, scale),
                          "result": f"{verdict}: {measured}", "_claim": paper, "_recipe": recipe, "_scale": scale_,
                          "_own": scale is None, "_verdict": "reproduced" if reproduced else "not reproduced", "_measured": measured})
        return reproduced

    def untested(self, paper: str, why: str, recipe: str | None = None, scale: str | None = None) -> None:
        """Record that the paper's finding ``paper`` could not be tested here, and why."""
        scale_ = scale or self.scale
        self.rows.append({"kind": "paper claim", "statement": paper + self._where(recipe, scale),
                          "result": f"not tested at {scale_} scale: {why}", "_claim": paper, "_recipe": recipe,
                          "_scale": scale_, "_own": scale is None, "_verdict": "not tested", "_measured": why})

    def scoreboard(self, chapter: str, href: str) -> str:
        """HTML table of this chapter's claims: one row per claim, per recipe its verdict and the
        number behind it, and a link to the chapter (``href``, relative to the front page)."""
        claims = [r for r in self.rows if r["kind"] == "paper claim"]

        def col(r):
            return r["_recipe"] or "—", r["_scale"], r["_own"]

        cols = list(dict.fromkeys(col(r) for r in claims))
        mark = {"reproduced": "✔ reproduced", "not reproduced": "✘ not reproduced", "not tested": "– not tested"}
        head = "".join(f"<th>{html.escape(rc)} ({html.escape(sc)} scale{'' if own else ', bundle'})</th>"
                       for rc, sc, own in cols)
        body = []
        for claim in dict.fromkeys(r["_claim"] for r in claims):
            cells = []
            for c in cols:
                hit = [r for r in claims if r["_claim"] == claim and col(r) == c]
                cells.append("<td></td>" if not hit else
                             f"<td><b>{mark[hit[0]['_verdict']]}</b><br><small>{html.escape(hit[0]['_measured'])}</small></td>")
            body.append(f"<tr><td>{html.escape(claim)}</td>{''.join(cells)}"
                        f"<td><a href=\"{html.escape(href)}\">{html.escape(chapter)}</a></td></tr>")
        return (f"<table class=\"table scoreboard\"><thead><tr><th>claim</th>{head}<th>judged in</th></tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>")

    @property
    def not_reproduced(self) -> list[str]:
        return [r["statement"] for r in self.rows if r["kind"] == "paper claim" and r["result"].startswith("did not")]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{k: r[k] for k in ("kind", "statement", "result")} for r in self.rows],
                            columns=["kind", "statement", "result"])

    def summary(self) -> str:
        """One paragraph of plain text for the rendered chapter."""
        tested = [r for r in self.rows if r["kind"] == "paper claim" and r["_verdict"] != "not tested"]
        s = ""
        for own in (True, False):
            rs = [r for r in tested if r["_own"] == own]
            if own or rs:
                ok = sum(r["_verdict"] == "reproduced" for r in rs)
                where = f"at {self.scale} scale" if own else "in the committed bundle (" + ", ".join(
                    sorted({r["_scale"] + " scale" for r in rs})) + ")"
                s += f"{' ' if s else ''}{ok} of {len(rs)} of the paper's claims tested {where} reproduced."
        bad = self.not_reproduced
        if bad:
            s += " Did not reproduce: " + "; ".join(bad) + "."
        untested = [r["statement"] for r in self.rows if r["result"].startswith("not tested")]
        if untested:
            s += " Not tested: " + "; ".join(untested) + "."
        return s


def paper_vs_build(rows: list[tuple[str, str, str]], scale: str, data: str) -> pd.DataFrame:
    """A table of (quantity, what the paper reports, what this build measured)."""
    return pd.DataFrame(rows, columns=["quantity", "paper", f"this build ({scale} scale, {data})"])


def markdown_table(df: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (for IPython.display.Markdown)."""
    return df.to_markdown(index=False)
