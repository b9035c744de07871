"""The shared chapter helpers (gancond.chapter): setup, the settings line, the data note, formatting."""

import pytest
import torch

from gancond import chapter


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
