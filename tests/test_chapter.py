"""The shared chapter helpers (gancond.chapter): the parameter check, setup, the settings line,
the data note, formatting."""

import os
from pathlib import Path

import papermill as pm
import pytest
import torch

from gancond import chapter

ROOT = Path(__file__).resolve().parents[1]
PARAMS = "dataset = 'mnist'  # a comment\nscale = \"book\"\nruns = None\nseed = 0\n"


def injected(**kw):
    """The cell papermill injects for ``-p`` arguments (its Python translator's own text)."""
    from papermill.translators import PythonTranslator

    return PythonTranslator.codify(kw)


def test_assigned_names():
    assert chapter.assigned_names(PARAMS) == ["dataset", "scale", "runs", "seed"]
    assert chapter.assigned_names("a = b = 1\nc: int = 2\nd += 1\nprint(e)\nf, g = 1, 2") == list("abcdfg")


def test_check_parameters_passes_declared_names_and_runs_without_papermill():
    chapter.check_parameters(["", PARAMS, "chapter.check_parameters()"])  # nbval, Jupyter Book: nothing injected
    chapter.check_parameters(["", PARAMS, injected(scale="smoke", seed=3), "chapter.check_parameters()"])
    chapter.check_parameters(["", PARAMS, injected(PAPERMILL_INPUT_PATH="a.ipynb"), "x"])  # papermill's own
    chapter.check_parameters(None)  # outside a kernel: nothing to check
    assert chapter.injected_cell(["", PARAMS, "# Parameters are below\nx = 1"]) is None


def test_check_parameters_names_the_unknown_and_lists_the_declared():
    with pytest.raises(ValueError) as e:
        chapter.check_parameters(["", PARAMS, injected(lambda_min=30, lambda_max=20, seed=1), "current cell"])
    msg = str(e.value)
    assert msg.startswith("this chapter has no parameters 'lambda_min', 'lambda_max' (given with papermill -p)")
    assert msg.endswith("Its parameters are: dataset, scale, runs, seed.") and "Did you mean" not in msg
    with pytest.raises(ValueError, match=r"no parameter 'sed' .* Did you mean 'sed' → 'seed'\?"):
        chapter.check_parameters(["", PARAMS, injected(sed=1), "current cell"])
    # a papermill output run again in a notebook server: the last injected cell counts
    chapter.check_parameters(["", PARAMS, injected(bogus=1), "x = 2", PARAMS, injected(seed=1), "current cell"])


def test_papermill_stops_a_chapter_on_a_parameter_it_does_not_have(tmp_path, monkeypatch, data_root):
    """The issue's command: chapter 2 has no lambda_min / lambda_max. It must stop in its first cell
    after the parameters, before training (the run store stays empty)."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT / "lib"), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("GANCOND_SCALE", "smoke")
    monkeypatch.setenv("GANCOND_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("GANCOND_DATA", str(data_root))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    with pytest.raises(pm.PapermillExecutionError) as e:
        pm.execute_notebook(str(ROOT / "chapters" / "02_jacobian_clamping.ipynb"), str(tmp_path / "out.ipynb"),
                            parameters={"lambda_min": 30, "lambda_max": 20}, kernel_name="python3", progress_bar=False)
    assert e.value.ename == "ValueError"
    assert "no parameters 'lambda_min', 'lambda_max'" in e.value.evalue
    assert "Its parameters are: dataset, scale, recipe, second_recipe, runs," in e.value.evalue
    assert e.value.exec_count == 3  # parameters, injected, then the first cell stops
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_setup_caps_threads_on_a_cpu_only(monkeypatch):
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(4)
        assert chapter.setup("cpu") == "cpu" and torch.get_num_threads() == 2
        torch.set_num_threads(1)
        chapter.setup("cpu")
        assert torch.get_num_threads() == 1  # a cap, never a raise
        calls = []
        monkeypatch.setattr(torch, "set_num_threads", lambda n: calls.append(n))
        monkeypatch.setattr("gancond.experiments.resolve_device", lambda d: "cuda")
        assert chapter.setup("auto") == "cuda" and calls == []  # a GPU run keeps torch's threads
    finally:
        monkeypatch.undo()
        torch.set_num_threads(before)
    with pytest.raises(ValueError, match="device"):
        chapter.setup("tpu")


def test_settings_is_one_line_and_a_collapsed_table():
    html = chapter.settings({"dataset": "mnist", "scale": "book", "runs": 10, "steps": 5000, "width": 0.25,
                             "lr": 0.0002, "note": "<b>"})
    line, rest = html.split("\n", 1)
    assert line == "<p><b>Settings:</b> dataset mnist, scale book, runs 10, steps 5000, width 0.25.</p>"
    assert rest.startswith("<details><summary>All settings</summary>") and rest.endswith("</details>")
    assert rest.count("<tr>") == 1 + 7 and "<td>0.0002</td>" in rest and "&lt;b&gt;" in rest  # escaped
    assert "/" not in line.replace("</b>", "").replace("</p>", "")  # no path in the line


def test_data_note_pm_na():
    assert chapter.data_note("mnist", {"data": {"lossy": False}}) == "mnist"
    assert chapter.data_note("cifar10", {"data": {"lossy": True}}) == "cifar10 (lossy JPEG copy)"
    assert chapter.data_note("stl10", {}) == "stl10"
    assert chapter.pm([1.0, 2.0, 3.0]) == "2.00 ± 1.00"
    assert chapter.pm([1.23456], digits=3) == "1.235"
    assert chapter.pm([2.0, 2.0], digits=1) == "2.0 ± 0.0"
    assert chapter.na(None) == "n/a" and chapter.na(None, "too few runs") == "too few runs"
    assert chapter.na(0.5) == "0.5" and chapter.na(0) == "0"
