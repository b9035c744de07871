"""What every chapter ends with: a "paper vs this build" table and a checks list.

:class:`Checks` separates two kinds of statement:

- ``require``: something that must hold whatever the scale (consistency of the stored numbers,
  the shape of the experiment). It raises AssertionError at once, so the chapter fails in CI.
- ``claim``: one of the paper's findings, measured on this build. It is recorded as reproduced
  or not and shown in the rendered text; a claim that did not reproduce is reported, never hidden.
"""

from __future__ import annotations

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

    def claim(self, reproduced: bool, paper: str, measured: str) -> bool:
        """Record whether the paper's finding ``paper`` reproduced here (``measured`` says how)."""
        verdict = "reproduced" if reproduced else f"did not reproduce at {self.scale} scale"
        self.rows.append({"kind": "paper claim", "statement": paper, "result": f"{verdict}: {measured}"})
        return reproduced

    def untested(self, paper: str, why: str) -> None:
        """Record that the paper's finding ``paper`` could not be tested here, and why."""
        self.rows.append({"kind": "paper claim", "statement": paper, "result": f"not tested at {self.scale} scale: {why}"})

    @property
    def not_reproduced(self) -> list[str]:
        return [r["statement"] for r in self.rows if r["kind"] == "paper claim" and r["result"].startswith("did not")]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["kind", "statement", "result"])

    def summary(self) -> str:
        """One paragraph of plain text for the rendered chapter."""
        claims = [r for r in self.rows if r["kind"] == "paper claim" and not r["result"].startswith("not tested")]
        bad = self.not_reproduced
        s = f"{len(claims) - len(bad)} of {len(claims)} of the paper's claims tested here reproduced at {self.scale} scale."
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
