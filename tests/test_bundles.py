"""Bundles (gancond.bundles): export, verify, read as arms, import; nothing stored is overwritten."""

import dataclasses
import json
import shutil

import pandas as pd
import pytest
import torch

from gancond import reach
from gancond.bundles import BundleError, export_arms, find_bundle, import_bundle, open_bundle
from gancond.runs import RunStore
from gancond.train import generate, load_generator


@pytest.fixture
def trained(smoke_arms):
    store, arms, _ = smoke_arms
    return store, arms


def _ids(arms):
    return {rc: {k: [r.id for r in v] for k, v in a.named().items()} for rc, a in arms.items()}


def test_round_trip(trained, tmp_path):
    store, arms = trained
    dest = export_arms(arms, tmp_path / "results" / "mnist-smoke", weights=True)
    b = open_bundle(dest)
    assert "smoke scale" in b.label and "cpu" in b.label
    back = b.arms()
    assert _ids(back) == _ids(arms) and back["tfgan"].band == arms["tfgan"].band
    assert back["tfgan"].exp == dataclasses.replace(arms["tfgan"].exp, device="cpu")
    for a, c in zip(arms["tfgan"].calibrated, back["tfgan"].calibrated):
        for name in ("metrics", "per_z", "train_q", "class_counts"):
            pd.testing.assert_frame_equal(a.read_table(name), c.read_table(name))
        counts = c.read_table("class_counts")  # chapter 4's statistic travels without the generator
        assert (counts.groupby("step")["count"].sum() == 360).all()
        assert c.manifest()["complete"] and not (c.path / "ckpt" / "last.json").exists()  # no optimiser state
        # the resolution of its final log κ travels too (chapter 7's rule), equal to the store's
        assert c.has("precision") and a.has("precision")  # the trainer wrote it; exporting copies it
        pd.testing.assert_frame_equal(c.read_table("precision"), a.read_table("precision"))
        assert reach.final_precision(c) == pytest.approx(reach.final_precision(a), abs=1e-12)
    # small final weights travel and load on the CPU
    z = torch.randn(3, arms["tfgan"].exp.base.z_dim)
    g0, g1 = load_generator(arms["tfgan"].plain[0]), load_generator(back["tfgan"].plain[0])
    assert torch.equal(generate(g0.eval(), z), generate(g1.eval(), z))
    assert find_bundle("mnist", "smoke", root=tmp_path / "results").path == dest
    assert find_bundle("mnist", "paper", root=tmp_path / "results") is None

    fresh = RunStore(tmp_path / "fresh")
    copied = import_bundle(dest, fresh)
    assert len(copied) == len({r.id for v in arms.values() for rs in v.named().values() for r in rs})
    for r in arms["radford"].paper:
        got = fresh.get("gan", r.config)
        assert got is not None and got.id == r.id
        pd.testing.assert_frame_equal(got.read_table("metrics"), r.read_table("metrics"))
    assert import_bundle(dest, fresh) == []  # complete runs are kept as they are


def test_a_run_trained_before_the_precision_table_gets_one_in_its_bundle(trained, tmp_path):
    """Runs trained before the trainer stored ``precision`` (the long, wide and CIFAR-10
    campaigns' first runs): exporting computes it from the final generator, into the bundle only."""
    from gancond.runs import Run

    store, arms = trained
    copy = tmp_path / "store"
    shutil.copytree(store.root, copy)
    old = [Run(copy / r.kind / r.id, r.kind, r.config) for r in arms["radford"].plain]
    (old[0].path / "precision.csv").unlink()
    a = dataclasses.replace(arms["radford"], plain=old, paper=[])
    b = open_bundle(export_arms({"radford": a}, tmp_path / "b"))
    assert not old[0].has("precision")  # the store is left as it was
    got = b.arms()["radford"].plain[0].read_table("precision")
    pd.testing.assert_frame_equal(got, arms["radford"].plain[0].read_table("precision"), check_exact=False, atol=1e-9)


def test_nothing_is_overwritten(trained, tmp_path):
    store, arms = trained
    dest = export_arms(arms, tmp_path / "b")
    before = (dest / "bundle.json").read_bytes()
    with pytest.raises(BundleError, match="exists"):
        export_arms(arms, dest)
    assert (dest / "bundle.json").read_bytes() == before
    assert not any((dest / "gan" / r.id / "ckpt").exists() for r in arms["tfgan"].plain)  # weights only when asked

    # an unfinished run in the target store stops the import before anything is written
    target = RunStore(tmp_path / "target")
    half = target.root / "gan" / arms["tfgan"].plain[1].id
    half.mkdir(parents=True)
    (half / "manifest.json").write_text(json.dumps({"complete": False}))
    with pytest.raises(BundleError, match="unfinished"):
        import_bundle(dest, target)
    assert sorted(p.name for p in (target.root / "gan").iterdir()) == [half.name]


def test_altered_or_missing_bundle(trained, tmp_path):
    _, arms = trained
    with pytest.raises(BundleError, match="missing bundle.json"):
        open_bundle(tmp_path / "nothing")
    dest = export_arms({"tfgan": arms["tfgan"]}, tmp_path / "b")
    victim = dest / "gan" / arms["tfgan"].paper[0].id / "metrics.csv"
    victim.write_text(victim.read_text().replace("1", "2", 1))
    with pytest.raises(BundleError, match="altered"):
        open_bundle(dest)
    with pytest.raises(BundleError, match="altered"):
        import_bundle(dest, RunStore(tmp_path / "t"))
    assert not (tmp_path / "t").exists()
    shutil.rmtree(victim.parent)
    with pytest.raises(BundleError, match="missing or altered"):
        open_bundle(dest)


def test_runs_scored_by_two_classifiers_are_refused_as_one_rung(trained, tmp_path):
    """Issue 28: one rung, one ruler. A run whose scorer names other classifier weights cannot be
    bundled with the rest (nothing is written), and the rules leave its scores uncompared."""
    from gancond.arms import judge_ranking
    from gancond.provenance import one_scorer_why, scorer_key
    from gancond.runs import Run

    _, arms = trained
    a = arms["tfgan"]
    other = {**a.plain[0].config, "scorer": {"scorer": "classifier", "classifier": "pinned-0123456789abcdef",
                                             "classifier_config": {"weights_sha256": "0123456789abcdef" * 4}}}
    odd = Run(a.plain[0].path, "gan", other)  # the same tables, scored (it claims) by other weights
    assert scorer_key(odd) == "sha256:" + "0123456789abcdef" * 4 and scorer_key(a.plain[1]) != scorer_key(odd)
    mixed = {"tfgan": dataclasses.replace(a, plain=[odd, *a.plain[1:]])}
    assert one_scorer_why(mixed["tfgan"].plain).startswith("scored by 2 different networks")
    with pytest.raises(BundleError, match="cannot be one rung: scored by 2 different networks"):
        export_arms(mixed, tmp_path / "mixed")
    assert not (tmp_path / "mixed").exists() and not list(tmp_path.glob(".mixed*"))
    v = judge_ranking(mixed["tfgan"])
    assert v.scorer_why.startswith("scored by 2") and judge_ranking(a).scorer_why == ""


def test_a_bundle_carries_spectra_scorer_and_cpu_capability(trained, tmp_path):
    """Issue 27/28: every run's final float64 singular values travel (any measure is recomputable
    without the generator), and the bundle records who scored its runs and on which kernels."""
    from gancond.resolution import final_spectra
    from gancond.train import fixed_latents, spectra_frame

    _, arms = trained
    b = open_bundle(export_arms(arms, tmp_path / "mnist-smoke"))
    lb = b.doc["label"]
    from gancond.provenance import scorer_key

    assert lb["scorers"] == [scorer_key(arms["tfgan"].plain[0])] and lb["scorers"][0].startswith("scorer:")
    assert lb["cpu_capabilities"] == [torch.backends.cpu.get_cpu_capability()]
    r, back = arms["tfgan"].plain[0], b.run(arms["tfgan"].plain[0].id)
    c = r.config
    direct = spectra_frame(load_generator(r), fixed_latents(c["z_dim"], c["n_eval_z"], c["eval_seed"], 0))
    assert back.has("spectra") and not (back.path / "ckpt").exists()
    assert final_spectra(back).shape == (c["n_eval_z"], c["z_dim"])
    pd.testing.assert_frame_equal(back.read_table("spectra"), direct, check_exact=False, rtol=1e-12)
    sv = final_spectra(back)
    assert (sv[:, :-1] >= sv[:, 1:]).all()  # descending, per z


@pytest.mark.parametrize("name", ["mnist-long", "mnist-wide", "cifar10-book"])
def test_the_committed_bundles_still_open_and_say_who_scored_them(name):
    """Bundles exported before issues 27/28 (a retired scale field, no spectra, no scorer record)
    still open as arms; their label says their classifier was not pinned, and the Appendix-A
    statistics say that no spectra are stored."""
    from gancond.bundles import results_root
    from gancond.provenance import one_scorer_why, scorer_key

    b = open_bundle(results_root() / name)
    a = next(iter(b.arms().values()))
    assert "scored by an unpinned classifier" in b.label and "CPU capability unrecorded" in b.label
    runs = [r for rs in a.named().values() for r in rs]
    assert one_scorer_why(runs) == "" and scorer_key(runs[0]).startswith("unpinned:classifier-")
    s = {x.key: x for x in reach.rung_statistics(name, a, a.exp.dataset)}
    assert s["appendix_a"].verdict == "not tested" and s["appendix_a"].why.startswith("no spectra stored")
