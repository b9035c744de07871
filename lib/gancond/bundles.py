"""Bundles: completed runs' tables and manifests, exported from one run store and read anywhere.

A bundle carries the evidence of an expensive sweep (e.g. the ``paper``-scale arms of chapters
1–2, trained on a GPU) into the repository, so the book can show it beside its own ``book``-scale
runs without retraining anything. Layout, under ``results/<name>/``::

    bundle.json                 what it holds: label (scale, device, date, library version),
                                the arms by recipe (run ids), and a SHA-256 for every file
    <kind>/<run id>/config.json, manifest.json, *.csv, *.json   as in the run store
    <kind>/<run id>/ckpt/final.json + final-<sha>.pt            only if ``weights`` and small

No optimiser state and no ``last`` checkpoint travel (a bundled run is complete; it never resumes).
The directory has the run store's layout, so :class:`gancond.runs.RunStore` reads it as it is.

- :func:`export_arms` writes a bundle from :class:`gancond.arms.Arms` (refuses to overwrite one);
- :func:`open_bundle` checks every file against its recorded hash and returns a :class:`Bundle`;
- :meth:`Bundle.arms` rebuilds the arms (chapters 1–2 show them beside the book-scale ones);
- :func:`import_bundle` copies its runs into a run store; a run the store already holds complete
  is kept as it is, and an unfinished one there stops the import before anything is written.
- :func:`find_bundle` looks for ``results/<dataset>-<scale>`` (or ``$GANCOND_RESULTS``).

Used by: chapters 1 and 2; ``tools/bundle.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .runs import Run, RunStore

__all__ = ["Bundle", "BundleError", "export_arms", "open_bundle", "import_bundle", "find_bundle", "results_root",
           "WEIGHTS_MAX_BYTES", "bundle_note"]

FORMAT = 1
WEIGHTS_MAX_BYTES = 2_000_000  # a final generator is bundled only below this size


class BundleError(RuntimeError):
    """A bundle is missing, incomplete, altered, or would overwrite something."""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def results_root() -> Path:
    """``$GANCOND_RESULTS``, else ``results/`` at the root of this checkout."""
    env = os.environ.get("GANCOND_RESULTS")
    return Path(env).expanduser() if env else Path(__file__).resolve().parents[2] / "results"


def _run_files(run: Run, weights: bool) -> list[Path]:
    """The files of ``run`` that travel: tables, small json, and (optionally) the final weights."""
    files = [p for p in sorted(run.path.iterdir()) if p.is_file() and p.suffix in (".json", ".csv")]
    pointer = run.path / "ckpt" / "final.json"
    if weights and pointer.exists():
        meta = json.loads(pointer.read_text())
        if meta.get("bytes", 0) <= WEIGHTS_MAX_BYTES:
            files += [pointer, run.path / "ckpt" / meta["file"]]
    return files


def _label(runs: list[Run], scale: str) -> dict:
    from . import __version__
    from .provenance import cpu_capability, scorer_key

    man = [r.manifest() for r in runs]
    finished = sorted(m.get("finished", "") for m in man)
    return {"scale": scale, "devices": sorted({str(m.get("device", "?")) for m in man}),
            "trained": finished[-1][:10] if finished and finished[-1] else "?",
            "gancond_versions": sorted({m.get("gancond_version", "?") for m in man}),
            "torch_versions": sorted({m.get("torch_version", "?") for m in man}),
            "scorers": sorted({scorer_key(r) for r in runs}),
            "cpu_capabilities": sorted({cpu_capability(r) for r in runs}),
            "exported": time.strftime("%Y-%m-%d"), "exported_by": __version__}


def export_arms(arms: dict, dest: str | os.PathLike, weights: bool = False) -> Path:
    """Write the runs of ``arms`` (recipe -> :class:`gancond.arms.Arms`) as a bundle at ``dest``.

    Every run must be complete. ``dest`` must not exist (nothing is overwritten). ``weights``
    adds each run's final checkpoint when it is under :data:`WEIGHTS_MAX_BYTES`.
    """
    dest = Path(dest)
    if dest.exists():
        raise BundleError(f"{dest} exists; choose another name or move it aside (nothing was written)")
    arms_doc, runs = {}, []
    for recipe, a in arms.items():
        exp = a.exp
        arms_doc[recipe] = {
            "experiment": {"dataset": exp.dataset, "seed": exp.seed, "scale": dataclasses.asdict(exp.scale),
                           "base": dataclasses.asdict(exp.base), "scoring": exp.scoring},
            "plain": [r.id for r in a.plain], "paper": [r.id for r in a.paper],
            "band": a.band, "calibrated": [r.id for r in a.calibrated],
            "dose": [[lo, hi, [r.id for r in rs]] for (lo, hi), rs in a.dose.items()]}
        runs += a.plain + a.paper + a.calibrated + [r for rs in a.dose.values() for r in rs]
    runs = list({r.id: r for r in runs}.values())
    unfinished = [r.id for r in runs if not r.complete]
    if unfinished:
        raise BundleError(f"runs not complete, cannot bundle: {unfinished}")
    from .provenance import one_scorer_why

    mixed = one_scorer_why(runs)
    if mixed:  # issue 28: one rung, one ruler
        raise BundleError(f"these runs cannot be one rung: {mixed} (nothing was written)")
    scales = {d["experiment"]["scale"]["name"] for d in arms_doc.values()}
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    hashes = {}
    for r in runs:
        for f in _run_files(r, weights):
            rel = Path(r.kind) / r.id / f.relative_to(r.path)
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, tmp / rel)
            hashes[str(rel)] = _sha(tmp / rel)
        if not r.has("precision"):  # the resolution of its final log κ, which a bundle cannot recompute
            from .resolution import precision_table

            rel = Path(r.kind) / r.id / "precision.csv"
            precision_table(r).to_csv(tmp / rel, index=False)
            hashes[str(rel)] = _sha(tmp / rel)
        if r.kind == "gan" and not r.has("spectra") and (r.path / "ckpt" / "final.json").exists():
            from .train import fixed_latents, load_generator, spectra_frame  # issue 27: any measure, without G

            c = r.config
            rel = Path(r.kind) / r.id / "spectra.csv"
            z = fixed_latents(c["z_dim"], c["n_eval_z"], c["eval_seed"], 0)
            spectra_frame(load_generator(r), z).to_csv(tmp / rel, index=False)
            hashes[str(rel)] = _sha(tmp / rel)
    doc = {"format": FORMAT, "name": dest.name, "label": _label(runs, "/".join(sorted(scales))), "arms": arms_doc,
           "files": hashes}
    (tmp / "bundle.json").write_text(json.dumps(doc, indent=1, sort_keys=True))
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, dest)
    return dest


@dataclass
class Bundle:
    """An opened, verified bundle (see :func:`open_bundle`)."""

    path: Path
    doc: dict

    @property
    def store(self) -> RunStore:
        """The bundle read as a run store (read it; do not train into it)."""
        return RunStore(self.path)

    @property
    def label(self) -> str:
        """One line: scale, device, when trained, library version, scorer and CPU capability
        (the last two recorded since issue 28; older bundles say "unpinned classifier")."""
        lb = self.doc["label"]
        scorers = lb.get("scorers")
        scorer = ("pinned scorer " + ", ".join(k.split(":", 1)[1][:12] for k in scorers)
                  if scorers and all(k.startswith("sha256:") for k in scorers) else
                  "scored by an unpinned classifier" if not scorers or any(k.startswith("unpinned:") for k in scorers)
                  else ", ".join(scorers))
        caps = ", ".join(lb.get("cpu_capabilities") or ["CPU capability unrecorded"])
        return (f"{lb['scale']} scale, trained on {', '.join(lb['devices'])} ({lb['trained']}, {caps}), "
                f"gancond {', '.join(lb['gancond_versions'])}, torch {', '.join(lb['torch_versions'])}, {scorer}")

    def run(self, run_id: str) -> Run:
        kind = run_id.rsplit("-", 1)[0]
        path = self.path / kind / run_id
        return Run(path, kind, json.loads((path / "config.json").read_text()))

    def arms(self) -> dict:
        """recipe -> :class:`gancond.arms.Arms` rebuilt from the bundle (experiments on the CPU)."""
        from .arms import Arms
        from .experiments import Experiment, GANScale
        from .train import GANConfig

        out = {}
        for recipe, d in self.doc["arms"].items():
            e = d["experiment"]
            known = {f.name for f in dataclasses.fields(GANScale)}  # older bundles carry retired fields
            exp = Experiment("gan", e["dataset"], GANScale(**{k: v for k, v in e["scale"].items() if k in known}),
                             e["seed"], "cpu", GANConfig(**e["base"]), e["scoring"])
            out[recipe] = Arms(exp, [self.run(i) for i in d["plain"]], [self.run(i) for i in d["paper"]],
                               d["band"], [self.run(i) for i in d["calibrated"]],
                               {(lo, hi): [self.run(i) for i in ids] for lo, hi, ids in d["dose"]})
        return out


def open_bundle(path: str | os.PathLike) -> Bundle:
    """Read ``path/bundle.json`` and check every listed file against its SHA-256.

    Raises:
        BundleError: no bundle there, an unknown format, or a file missing or altered.
    """
    path = Path(path)
    meta = path / "bundle.json"
    if not meta.exists():
        raise BundleError(f"no bundle at {path} (missing bundle.json)")
    try:
        doc = json.loads(meta.read_text())
    except ValueError as err:
        raise BundleError(f"{meta} is not valid JSON: {err}") from err
    if doc.get("format") != FORMAT:
        raise BundleError(f"{meta}: bundle format {doc.get('format')!r}, this library reads {FORMAT}")
    bad = [rel for rel, h in doc["files"].items() if not (path / rel).exists() or _sha(path / rel) != h]
    if bad:
        raise BundleError(f"bundle {path}: {len(bad)} file(s) missing or altered since export, e.g. {bad[:3]}")
    return Bundle(path, doc)


def import_bundle(path: str | os.PathLike, store: RunStore | None = None) -> list[str]:
    """Copy a bundle's runs into ``store``; returns the ids copied (runs already complete there are kept).

    Raises:
        BundleError: the bundle fails :func:`open_bundle`, or the store holds one of its runs
            unfinished (resume or move it aside first); nothing is written in that case.
    """
    b = open_bundle(path)
    store = store or RunStore()
    runs = sorted({Path(rel).parts[1]: Path(rel).parts[0] for rel in b.doc["files"]}.items())
    todo = []
    for run_id, kind in runs:
        there = store.root / kind / run_id
        if (there / "manifest.json").exists() and json.loads((there / "manifest.json").read_text()).get("complete"):
            continue
        if there.exists():
            raise BundleError(f"{there} holds an unfinished run; resume it or move it aside before importing "
                              f"(nothing was imported)")
        todo.append((run_id, kind))
    for run_id, kind in todo:
        src, there = b.path / kind / run_id, store.root / kind / run_id
        tmp = there.with_name(f".{run_id}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp)
        there.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, there)
    return [i for i, _ in todo]


def find_bundle(dataset: str, scale: str, root: str | os.PathLike | None = None) -> Bundle | None:
    """The verified bundle ``<root>/<dataset>-<scale>`` (root: :func:`results_root`), or None."""
    path = Path(root) if root is not None else results_root()
    path = path / f"{dataset}-{scale}"
    return open_bundle(path) if (path / "bundle.json").exists() else None


def bundle_note(bundle: Bundle | None, dataset: str, scale: str) -> str:
    """One Markdown line for a chapter: the bundle's name and label, or how to make the missing one."""
    if bundle is not None:
        return f"**Bundle `{bundle.path.name}`**: {bundle.label}."
    if scale in ("long", "wide", "full"):  # the campaigns of tools/train_book_arms.py
        return (f"*No `{scale}`-scale bundle for {dataset} in `results/` yet.* To make one (on a CPU, in the "
                f"background): `python tools/train_book_arms.py --campaign {scale} --export`, then commit "
                f"`results/{dataset}-{scale}`.")
    return (f"*No `{scale or '(none)'}`-scale bundle for {dataset} in `results/` yet.* To make one on a GPU: "
            f"`python tools/bundle.py export --scale paper --dataset {dataset}`, then commit `results/{dataset}-paper`.")
