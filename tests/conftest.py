"""Shared test fixtures: seeded torch, 2 threads, a temporary run store, the data root."""

import os
from pathlib import Path

import pytest
import torch

torch.set_num_threads(2)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture
def store(tmp_path):
    from gancond.runs import RunStore

    return RunStore(tmp_path / "runs")


def _data_root() -> Path | None:
    env = os.environ.get("GANCOND_DATA")
    for cand in ([Path(env)] if env else []) + [Path(__file__).resolve().parents[1].parent / "shared" / "data"]:
        if (cand / "MNIST" / "raw").exists():
            return cand
    return None


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The real data root (../shared/data here, GANCOND_DATA in CI); tests needing it fail without it."""
    root = _data_root()
    if root is None:
        pytest.fail("real MNIST not found: set GANCOND_DATA to a folder holding MNIST/raw (../shared/data here)")
    return root
