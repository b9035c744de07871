"""The content-addressed run store.

Every expensive computation (a GAN run, a classifier, a VAE) is a *run*: a ``kind`` plus a
JSON-able ``config``. The pair hashes (SHA-256 of canonical JSON) to a directory::

    <root>/<kind>/<kind>-<hash16>/
        config.json      the full config (what the hash was computed from)
        manifest.json    versions, device, seed, wall time, completion
        *.csv            tidy tables (pandas.read_csv)
        *.json           small results
        ckpt/<name>.json pointer {file, sha256} to ckpt/<name>-<sha>.pt (torch, weights_only)

so chapters share runs and nothing is computed twice. Guarantees:

- writes are atomic (temporary file + ``os.replace``); a checkpoint is a content-named file
  plus a pointer replaced last, so a kill at any moment leaves the previous checkpoint valid;
- one process works on a run at a time (``fcntl.flock`` on ``<run>/.lock``); a second caller
  waits, then finds the run complete and returns it;
- an interrupted run resumes: ``fn(run)`` finds its last checkpoint with ``run.load_checkpoint()``;
- a checkpoint whose bytes no longer match their recorded hash raises :class:`CorruptCheckpoint`
  and nothing is deleted or overwritten;
- the root is ``root``, else ``$GANCOND_RUNS``, else ``~/.cache/gancond/runs``.

Used by: chapters 5 and 6; every chapter through the trainers and :mod:`gancond.arms`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import io
import json
import os
import platform
import socket
import sys
import time
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd
import torch

__all__ = ["CorruptCheckpoint", "RunStore", "Run", "config_hash", "RunConfigMismatch"]


class CorruptCheckpoint(RuntimeError):
    """A stored checkpoint does not match its recorded SHA-256 (or cannot be read)."""


class RunConfigMismatch(RuntimeError):
    """A run directory holds a config other than the one that hashes to it."""


def _canonical(config: Any) -> Any:
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        config = dataclasses.asdict(config)
    return json.loads(json.dumps(config, sort_keys=True))


def config_hash(kind: str, config: Any) -> str:
    """First 16 hex digits of SHA-256 over canonical JSON of ``{"kind", "config"}``."""
    blob = json.dumps({"kind": kind, "config": _canonical(config)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Run:
    """One run directory. Created by :class:`RunStore`; ``fn(run)`` writes into it."""

    def __init__(self, path: Path, kind: str, config: dict):
        self.path, self.kind, self.config = path, kind, config
        self.id = path.name
        self.info: dict = {}  # extra manifest fields a run function may set (device, data source, ...)

    def __repr__(self) -> str:
        return f"Run({self.id}, complete={self.complete})"

    # ----------------------------------------------------------------- status
    @property
    def complete(self) -> bool:
        return self.manifest().get("complete", False)

    def manifest(self) -> dict:
        p = self.path / "manifest.json"
        return json.loads(p.read_text()) if p.exists() else {}

    # ----------------------------------------------------------------- json and tables
    def write_json(self, name: str, obj: Any) -> None:
        _atomic_write_bytes(self.path / f"{name}.json", json.dumps(obj, indent=1, sort_keys=True).encode())

    def read_json(self, name: str) -> Any:
        return json.loads((self.path / f"{name}.json").read_text())

    def write_table(self, name: str, df: pd.DataFrame) -> None:
        """Write a tidy table as ``<name>.csv`` (atomically)."""
        buf = io.StringIO()
        df.to_csv(buf, index=False)
        _atomic_write_bytes(self.path / f"{name}.csv", buf.getvalue().encode())

    def read_table(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.path / f"{name}.csv")

    def has(self, name: str) -> bool:
        return any((self.path / f"{name}{ext}").exists() for ext in (".json", ".csv")) or \
            (self.path / "ckpt" / f"{name}.json").exists()

    # ----------------------------------------------------------------- checkpoints
    def save_checkpoint(self, state: dict, name: str = "last") -> None:
        """Store ``state`` (tensors, numbers, strings, lists, dicts) under ``name``, atomically."""
        buf = io.BytesIO()
        torch.save(state, buf)
        data = buf.getvalue()
        digest = _sha256(data)
        ckdir = self.path / "ckpt"
        ckdir.mkdir(exist_ok=True)
        pointer = ckdir / f"{name}.json"
        old = json.loads(pointer.read_text())["file"] if pointer.exists() else None
        fname = f"{name}-{digest[:16]}.pt"
        _atomic_write_bytes(ckdir / fname, data)
        _atomic_write_bytes(pointer, json.dumps({"file": fname, "sha256": digest, "bytes": len(data)}).encode())
        if old and old != fname:
            with contextlib.suppress(FileNotFoundError):
                (ckdir / old).unlink()

    def load_checkpoint(self, name: str = "last") -> dict | None:
        """The checkpoint stored under ``name``, or None if there is none.

        Raises:
            CorruptCheckpoint: the file is missing, truncated or altered since it was written.
        """
        pointer = self.path / "ckpt" / f"{name}.json"
        if not pointer.exists():
            return None
        try:
            meta = json.loads(pointer.read_text())
            data = (self.path / "ckpt" / meta["file"]).read_bytes()
        except (OSError, ValueError, KeyError) as err:
            raise CorruptCheckpoint(f"checkpoint {name!r} of run {self.path} cannot be read: {err}") from err
        if _sha256(data) != meta["sha256"]:
            raise CorruptCheckpoint(
                f"checkpoint {self.path / 'ckpt' / meta['file']} does not match its recorded SHA-256 "
                f"(corrupted or altered). Nothing was changed; move the run directory aside to recompute it."
            )
        return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")  # GPU runs load anywhere

    def require_checkpoint(self, name: str = "final") -> dict:
        """:meth:`load_checkpoint`, but a missing checkpoint raises FileNotFoundError naming the run."""
        state = self.load_checkpoint(name)
        if state is None:
            raise FileNotFoundError(f"run {self.path} has no checkpoint {name!r}")
        return state


class RunStore:
    """A content-addressed store of runs under ``root`` (see the module docstring)."""

    def __init__(self, root: str | os.PathLike | None = None):
        if root is None:
            root = os.environ.get("GANCOND_RUNS") or Path.home() / ".cache" / "gancond" / "runs"
        self.root = Path(root).expanduser()

    def __repr__(self) -> str:
        return f"RunStore({str(self.root)!r})"

    def path(self, kind: str, config: Any) -> Path:
        return self.root / kind / f"{kind}-{config_hash(kind, config)}"

    def open(self, kind: str, config: Any) -> Run:
        """The run for (kind, config), complete or not, without computing anything."""
        cfg = _canonical(config)
        path = self.path(kind, cfg)
        path.mkdir(parents=True, exist_ok=True)
        cfile = path / "config.json"
        if cfile.exists():
            if json.loads(cfile.read_text()) != cfg:
                raise RunConfigMismatch(f"{cfile} holds another config than the one hashing to {path.name}")
        else:
            _atomic_write_bytes(cfile, json.dumps(cfg, indent=1, sort_keys=True).encode())
        return Run(path, kind, cfg)

    def get(self, kind: str, config: Any) -> Run | None:
        """The run if it exists and is complete, else None."""
        path = self.path(kind, config)
        if not (path / "manifest.json").exists():
            return None
        run = Run(path, kind, _canonical(config))
        return run if run.complete else None

    def get_or_run(self, kind: str, config: Any, fn: Callable[[Run], None]) -> Run:
        """Return the complete run for (kind, config), computing or resuming it with ``fn``.

        ``fn(run)`` does the work; to be resumable it saves checkpoints with
        ``run.save_checkpoint`` and starts from ``run.load_checkpoint()`` when one exists.
        """
        done = self.get(kind, config)
        if done is not None:
            return done
        run = self.open(kind, config)
        with open(run.path / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits here
            try:
                manifest = run.manifest()
                if manifest.get("complete"):
                    return run
                t0 = time.time()
                resumed = (run.path / "ckpt" / "last.json").exists()
                manifest.update(self._describe(run), started=manifest.get("started", time.strftime("%Y-%m-%dT%H:%M:%S")))
                manifest["attempts"] = manifest.get("attempts", 0) + 1
                manifest["resumed"] = manifest.get("resumed", False) or resumed
                run.write_json("manifest", manifest)
                fn(run)
                manifest.update(run.info)
                manifest["wall_time_s"] = manifest.get("wall_time_s", 0.0) + (time.time() - t0)
                manifest["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
                manifest["complete"] = True
                run.write_json("manifest", manifest)
                return run
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def sweep(self, kind: str, jobs: Iterable[tuple[Any, Callable[[Run], None]]],
              executor: Executor | None = None, progress: bool = False) -> list[Run]:
        """Runs for all ``(config, fn)`` jobs, in order, computing only the missing ones.

        Sequential by default; pass any ``concurrent.futures.Executor`` (a process pool, dask's,
        submitit's) to run them there. Each ``fn`` must then be picklable (a module-level
        function or an object with ``__call__``). Two jobs never work on one run at once: the
        run's lock serialises them. With ``progress`` an executor sweep shows a bar over finished runs.
        """
        jobs = list(jobs)
        if executor is None:
            return [self.get_or_run(kind, c, fn) for c, fn in jobs]
        futures = [executor.submit(_get_or_run, str(self.root), kind, _canonical(c), fn) for c, fn in jobs]
        if progress:
            from concurrent.futures import as_completed

            from tqdm import tqdm

            for _ in tqdm(as_completed(futures), total=len(futures), desc=f"{kind} runs", leave=False):
                pass
        return [Run(Path(f.result()), kind, _canonical(c)) for f, (c, _) in zip(futures, jobs)]

    @staticmethod
    def _describe(run: Run) -> dict:
        from . import __version__

        return {
            "id": run.id, "kind": run.kind, "config": run.config, "seed": run.config.get("seed"),
            "gancond_version": __version__, "torch_version": torch.__version__,
            "python": sys.version.split()[0], "platform": platform.platform(), "host": socket.gethostname(),
            "torch_threads": torch.get_num_threads(), "cpu": _cpu_name(),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),  # the kernels that decide the numbers (issue 28)
        }


def _cpu_name() -> str:
    """The processor's model name (Linux /proc/cpuinfo), else what ``platform`` knows."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _get_or_run(root: str, kind: str, config: dict, fn: Callable[[Run], None]) -> str:
    """Module-level helper so executors can pickle the work of :meth:`RunStore.sweep`."""
    return str(RunStore(root).get_or_run(kind, config, fn).path)
