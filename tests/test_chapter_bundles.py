"""Chapters 1 and 2 show a committed bundle beside their own runs and judge it by the same rules.

The bundle here holds the tiny arms of the ``smoke_arms`` fixture; the chapters run at smoke
scale with the default run store (the one ``make test``'s notebook pass uses, so nothing is
trained twice) and ``compare_scale="smoke"``.
"""

from pathlib import Path

import papermill as pm
import pytest

from gancond.bundles import export_arms

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"


@pytest.mark.parametrize("chapter", ["01_condition_trajectories", "02_jacobian_clamping"])
def test_chapter_shows_and_judges_a_bundle(chapter, smoke_arms, tmp_path, monkeypatch, data_root):
    _, arms, _ = smoke_arms
    export_arms(arms, tmp_path / "results" / "mnist-smoke")
    monkeypatch.setenv("GANCOND_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("GANCOND_DATA", str(data_root))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = pm.execute_notebook(str(CHAPTERS / f"{chapter}.ipynb"), str(tmp_path / "out.ipynb"), cwd=str(CHAPTERS),
                             parameters={"scale": "smoke", "compare_scale": "smoke"}, kernel_name="python3",
                             progress_bar=False)
    text = "\n".join(str(o.get("data", {}).get("text/markdown", "")) + str(o.get("data", {}).get("text/plain", ""))
                     + str(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Bundle `mnist-smoke`" in text and "smoke scale, trained on cpu" in text
    assert "[tfgan, smoke scale]" in text and "[radford, smoke scale]" in text  # judged and recorded in the checks
