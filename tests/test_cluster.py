"""A campaign sent to a real dask.distributed cluster (issue 27, item 5).

A ``dask scheduler`` and two ``dask worker`` processes are started as subprocesses (not an
in-process LocalCluster), ``tools/train_book_arms.py --scheduler ADDRESS`` trains two smoke runs
there into a run store the workers share, and the same command without a scheduler trains them
locally: every stored table equals the local one bit for bit (wall-clock columns aside).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")
TABLES = ("metrics", "per_z", "train_q", "class_counts", "precision", "spectra")


def _campaign(env: dict, runs: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "tools" / "train_book_arms.py"), "--scale", "smoke", "--second", "",
           "--arms", "", *extra]
    return subprocess.run(cmd, env={**env, "GANCOND_RUNS": str(runs)}, capture_output=True, text=True, timeout=600)


def _wait_for(what: str, ok, timeout: float = 60.0):
    t0 = time.time()
    while time.time() - t0 < timeout:
        got = ok()
        if got:
            return got
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not come up within {timeout:.0f} s")


@pytest.mark.skipif(not DASK.exists(), reason="the dask command is not installed beside this Python")
def test_a_campaign_on_a_dask_cluster_equals_the_local_one(tmp_path, data_root):
    distributed = pytest.importorskip("distributed")
    env = {**os.environ, "GANCOND_DATA": str(data_root), "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    env.pop("GANCOND_SCALE", None)
    sched_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(sched_file)], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        address = _wait_for("the scheduler", lambda: sched_file.exists() and json.loads(sched_file.read_text())["address"])
        for i in range(2):
            procs.append(subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--no-dashboard", "--memory-limit", "0", "--name", f"w{i}"],
                                          env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(address, timeout=30) as client:
            _wait_for("two workers", lambda: len(client.scheduler_info()["workers"]) == 2)
        remote = _campaign(env, tmp_path / "shared-runs", "--scheduler", address)
        assert remote.returncode == 0, remote.stderr[-3000:]
        assert f"sending the runs to {address}: 2 worker(s)" in remote.stdout
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    local = _campaign(env, tmp_path / "local-runs", "--workers", "2")
    assert local.returncode == 0, local.stderr[-3000:]

    ids = sorted(p.name for p in (tmp_path / "local-runs" / "gan").iterdir())
    assert len(ids) == 2 and ids == sorted(p.name for p in (tmp_path / "shared-runs" / "gan").iterdir())
    for run_id in ids:
        a, b = tmp_path / "local-runs" / "gan" / run_id, tmp_path / "shared-runs" / "gan" / run_id
        assert json.loads((b / "manifest.json").read_text())["complete"]
        for t in TABLES:
            x, y = pd.read_csv(a / f"{t}.csv"), pd.read_csv(b / f"{t}.csv")
            cols = [c for c in x.columns if c != "time_s"]
            pd.testing.assert_frame_equal(x[cols], y[cols], check_exact=True)
