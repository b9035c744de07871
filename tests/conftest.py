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
def one_thread():
    """Torch on one thread for the test (tiny networks train faster so, and bits are fixed), then back."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


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


class ConstScorer:
    """A cheap stand-in for the classifier scorer (the calibration ranks runs by its score)."""

    name, config = "const", {"kind": "const"}

    def __call__(self, fake):
        return {"score": float(fake.mean()), "frechet": float(fake.std())}

    def features(self, images):
        """10 'class' logits from pixel statistics, so runs store their class counts (issue 18)."""
        x = images.flatten(1).double()
        logits = torch.stack([x[:, k::10].mean(1) * (k + 1) for k in range(10)], 1)  # (N, 10)
        return logits, logits


@pytest.fixture(scope="session")
def smoke_arms(tmp_path_factory, data_root):
    """Tiny arms of both recipes, trained once per session (tests/test_arms.py, tests/test_bundles.py):
    ``(store, arms, (main, second, scorer class))``."""
    from gancond.arms import train_arms
    from gancond.runs import RunStore
    from gancond.experiments import gan_experiment as experiment

    store = RunStore(tmp_path_factory.mktemp("arms") / "runs")
    kw = dict(scale="smoke", device="cpu", steps=8, eval_every=4, n_eval_z=2, score_samples=16)
    main = experiment(recipe="tfgan", runs=3, dose_runs=2, **kw)
    second = experiment(recipe="radford", runs=2, **kw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GANCOND_DATA", str(data_root))
        arms = train_arms(main, second, store, ConstScorer(), progress=False, workers=1, root=data_root)
    return store, arms, (main, second, ConstScorer)


@pytest.fixture(scope="session")
def readme_example() -> str:
    """The Python code block of the README's "Use the library" section (tests/test_readme.py, tests/test_wheel.py)."""
    import re

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = re.search(r"^## Use the library\n(.*?)(?=^## )", text, flags=re.M | re.S)
    assert section, 'README.md has no "## Use the library" section'
    blocks = re.findall(r"^```python\n(.*?)^```", section.group(1), flags=re.M | re.S)
    assert len(blocks) == 1, f'the "Use the library" section must hold one ```python block, found {len(blocks)}'
    return blocks[0]
