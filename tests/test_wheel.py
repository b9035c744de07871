"""The library as a wheel, without extras: ``python -m build`` makes the sdist and, from it, the
wheel; a fresh venv gets that wheel (``pip install --no-index --no-deps``) and exactly the core
dependencies' closure; ``pip check`` passes there, matplotlib is absent, every module but
``gancond.plots`` imports, and the README's "Use the library" example runs.

Installing torch into the fresh venv would take minutes and gigabytes; instead the distributions
of the closure, resolved recursively from the wheel's own Requires-Dist in the environment running
the tests, are symlinked into the fresh venv's site-packages (their top-level packages and
.dist-info folders, nothing else). ``pip check`` then proves the closure complete, and the missing
matplotlib proves that no extra came along.
"""

from __future__ import annotations

import importlib.metadata as md
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
CORE = {"numpy", "pandas", "scipy", "torch", "tqdm"}  # pyproject.toml's dependencies


def closure(requirements: list[Requirement]) -> dict[str, md.Distribution]:
    """The installed distributions ``requirements`` need, recursively: markers evaluated for this
    interpreter, a requirement's extras followed. Fails on one that is missing or of the wrong version."""
    dists: dict[str, md.Distribution] = {}
    todo, seen = list(requirements), set()
    while todo:
        req = todo.pop()
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        dist = md.distribution(req.name)
        assert req.specifier.contains(dist.version, prereleases=True), f"{req}: found {dist.version}"
        dists[key[0]] = dist
        for r in map(Requirement, dist.requires or []):
            if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in ("", *req.extras)):
                todo.append(r)
    return dists


def link_into(dist: md.Distribution, site: Path) -> None:
    """Symlink the top-level entries of ``dist`` (packages, modules, .libs, .dist-info) into ``site``."""
    assert dist.files is not None, f"{dist.metadata['Name']} has no RECORD"
    tops = {f.parts[0] for f in dist.files}
    for top in sorted(tops - {"..", "__pycache__"}):
        if top.endswith(".pth"):  # start-up hooks (setuptools' distutils shim): not needed to import
            continue
        target = site / top
        if not target.exists():  # namespace folders shared by several dists (nvidia/) are linked once
            target.symlink_to(Path(dist.locate_file(top)).resolve())


def run(cmd: list[str], **kw) -> str:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    return res.stdout


CHECK = textwrap.dedent('''
    import importlib, importlib.util, json, pkgutil, sys
    assert importlib.util.find_spec("matplotlib") is None, "matplotlib is importable without the extras"
    import gancond
    others = [m.name for m in pkgutil.iter_modules(gancond.__path__) if m.name != "plots"]
    for name in others:  # every module but plots imports with the core dependencies alone
        importlib.import_module(f"gancond.{name}")
    try:
        import gancond.plots
        raise AssertionError("gancond.plots imported without matplotlib")
    except ModuleNotFoundError as err:
        plots_error = str(err)
    from gancond.classifier import pinned_classifier
    pinned = [pinned_classifier(d).run_id for d in ("mnist", "cifar10")]  # the shipped weights pass their checksums
    print(json.dumps({"file": gancond.__file__, "version": gancond.__version__, "modules": others,
                      "plots_error": plots_error, "public": gancond.__all__, "pinned": pinned}))
''')


def test_wheel_without_extras_runs_the_readme_example(tmp_path, readme_example):
    # 1. build the sdist, and the wheel from it, from a copy of the sources (the tree stays clean:
    #    setuptools writes egg-info and build/ beside the sources). No isolation: the pinned
    #    setuptools of requirements.txt builds it, no network needed.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "lib", src / "lib", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    if importlib.util.find_spec("build") is None:
        pytest.fail("the build frontend is missing: `make venv` installs it (requirements.txt pins build)")
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(src)])
    wheels = list((tmp_path / "dist").glob("gancond-*.whl"))
    sdists = list((tmp_path / "dist").glob("gancond-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list((tmp_path / "dist").iterdir())
    wheel = wheels[0]

    # 2. the wheel's metadata: the core dependencies unconditionally, everything else behind an extra
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(meta_name).decode())
        assert "gancond/jacobian.py" in zf.namelist()
        # the pinned scorers ship with the wheel, byte for byte (issue 28)
        from gancond.classifier import PINNED, pinned_bytes

        for ds, pin in PINNED.items():
            parts = sorted((n for n in zf.namelist() if n.startswith(f"gancond/weights/{pin['file']}.part")),
                           key=lambda n: int(n.rsplit(".part", 1)[1]))
            assert b"".join(zf.read(n) for n in parts) == pinned_bytes(ds)
    requires = [Requirement(r) for r in meta.get_all("Requires-Dist")]
    core = [r for r in requires if r.marker is None or r.marker.evaluate({"extra": ""})]
    assert {canonicalize_name(r.name) for r in core} == CORE
    assert {"plots", "book", "data"} <= set(meta.get_all("Provides-Extra"))
    assert any(r.name == "matplotlib" and r.marker is not None for r in requires)

    # 3. a fresh venv: the wheel, and the core closure linked from this environment
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = Path(run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    deps = closure(core)
    for dist in deps.values():
        link_into(dist, site)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env.update(OMP_NUM_THREADS="2", MKL_NUM_THREADS="2", PIP_DISABLE_PIP_VERSION_CHECK="1")
    pip = [sys.executable, "-m", "pip", "--python", str(py)]  # this pip, acting on the fresh venv (pip >= 22.3)
    run(pip + ["install", "--no-index", "--no-deps", "--quiet", str(wheel)], env=env)
    run(pip + ["check"], env=env)  # every installed distribution's requirements are met: the closure is complete

    # 4. there, from outside the source tree: no matplotlib, every module but plots, the README example
    work = tmp_path / "work"
    work.mkdir()
    out = json.loads(run([str(py), "-c", CHECK], env=env, cwd=work).strip().splitlines()[-1])
    assert Path(out["file"]).resolve().is_relative_to(site.resolve()), out["file"]  # the wheel, not lib/
    assert out["version"] == meta["Version"]
    assert all(p.startswith("pinned-") for p in out["pinned"]) and len(out["pinned"]) == 2
    assert "gancond[plots]" in out["plots_error"]
    assert {"jacobian", "clamping", "scores", "train", "runs"} <= set(out["modules"])
    (work / "example.py").write_text(readme_example)
    printed = run([str(py), "example.py"], env=env, cwd=work)
    assert "mean log κ(M_z):" in printed, printed

