"""Figures stay readable in the book's text column (issue 19, item 8: the screenshots showed a
three-column Figure 1 whose tick labels were 7 px high), and say where they came from."""

import warnings

import numpy as np
import pandas as pd
import pytest

from gancond import plots
from gancond.experiments import gan_experiment


@pytest.fixture(autouse=True)
def _style():
    plots.style()
    yield
    plots.plt.close("all")


def _metrics(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    step = np.arange(0, 5001, 250)
    return pd.DataFrame({"step": step, "mean_log_cond": 10 + rng.normal(size=step.size).cumsum() * 0.1,
                         "score": 5 + rng.normal(size=step.size) * 0.1, "frechet": 50 - step / 500})


def _figures():
    tables = [_metrics(s) for s in range(10)]
    yield "Fig. 1 with three columns", plots.trajectory_grid(
        {"unclamped": tables, "paper λ": tables, "calibrated λ": tables}, rows=["mean_log_cond", "score", "frechet"],
        seeds=list(range(10)))
    finals = pd.DataFrame({"arm": ["unclamped"] * 5 + ["calibrated λ [0.503, 5.337]"] * 5, "recipe": "tfgan",
                           "log_cond": np.linspace(9, 11, 10), "frechet": np.linspace(20, 40, 10)})
    yield "dose and response", plots.dose_response(finals, title="every run, pooled Spearman ρ = +0.10")
    sv = np.sort(np.random.default_rng(0).lognormal(size=(5, 64)), axis=1)[:, ::-1]
    yield "Fig. 3", plots.average_spectra({"GAN": sv, "VAE": sv / 2}, {"GAN": sv, "VAE": sv / 2},
                                          "mnist: final GAN generators and VAE decoders")
    yield "reach, six rungs", plots.reach_figure(_reach_table(), _reach_labels(), {"cifar10": "CIFAR-10"})


def _reach_labels() -> dict:
    from gancond import reach

    return reach.STATISTICS


def _reach_table() -> pd.DataFrame:
    """A reach table as chapter 7 makes it: six rungs (smoke scale as the base), every statistic."""
    rows = []
    for i, rung in enumerate(["smoke", "book", "long", "wide", "full", "cifar10"]):
        for key in _reach_labels():
            rows.append(dict(rung=rung, key=key, value=0.1 * i, low=0.1 * i - 0.3, high=0.1 * i + 0.3, paper=0.45,
                             null=0.0, verdict="inconclusive", n=10, why=""))
    return pd.DataFrame(rows)


NAMES = ["Fig. 1 with three columns", "dose and response", "Fig. 3", "reach, six rungs"]


@pytest.mark.parametrize("name", NAMES)
def test_figure_text_is_readable_in_the_book_column(name):
    fig = dict(_figures())[name]
    assert plots.smallest_text_px(fig) >= plots.MIN_TEXT_PX


@pytest.mark.parametrize("name", NAMES)
def test_no_two_texts_of_a_figure_overlap(name):
    """Issue 29: chapter 7's reach figure had tick labels running into each other; the height
    rule above did not see it. Every layout with realistic labels: no two texts overlap."""
    fig = dict(_figures())[name]
    assert plots.overlapping_texts(fig) == []


def test_overlapping_texts_finds_labels_that_run_into_each_other():
    fig, ax = plots.plt.subplots(figsize=(2, 2))
    ax.set_xticks(range(5), [f"a long rung name {i}" for i in range(5)])
    assert len(plots.overlapping_texts(fig)) >= 4


def test_smallest_text_px_shrinks_with_a_figure_wider_than_the_column():
    fig, ax = plots.plt.subplots(figsize=(4, 3))
    ax.set_title("t", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    narrow = plots.smallest_text_px(fig)
    assert narrow == pytest.approx(10 / 72 * fig.dpi, rel=1e-6)  # narrower than the column: shown at its dpi
    fig.set_size_inches(16, 3)
    assert plots.smallest_text_px(fig) < narrow / 2  # shrunk into the 680-px column


def test_save_stamps_the_figure_and_warns_when_it_would_be_unreadable(tmp_path):
    exp = gan_experiment(scale="book")
    fig, ax = plots.plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.save(fig, "ok", tmp_path, stamp=exp.stamp)
    s = exp.scale  # GANCOND_SCALE=smoke (CI) overrides the scale asked for
    assert exp.stamp == f"mnist · tfgan · {s.name} scale: {s.runs} runs × {s.steps:,} steps, width ×{s.width:g}"
    assert [t.get_text().replace("\n", " ") for t in fig.texts] == [exp.stamp]  # wrapped, not cut
    assert (tmp_path / "ok.svg").exists() and (tmp_path / "ok.png").exists()
    wide, ax = plots.plt.subplots(figsize=(20, 3))
    ax.plot([0, 1], [0, 1])
    with pytest.warns(UserWarning, match="smallest text"):
        plots.save(wide, "wide", tmp_path)
