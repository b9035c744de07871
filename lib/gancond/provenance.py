"""What decides a run's numbers besides its config: the scorer's weights and the CPU's kernels (issue 28).

Two runs of one config on one kind of CPU, with one library version and one scorer, give the
same numbers bit for bit; across CPU capabilities (AVX2 against AVX512) training itself
diverges, and a Fréchet distance or score means something only against the network that
measured it. So:

- :func:`scorer_key` names the scorer of a run: ``sha256:<hex>`` for the pinned classifiers
  (:data:`gancond.classifier.PINNED`), ``inception:<file>`` for the standard network,
  ``unpinned:<classifier run id>`` for a classifier trained on the machine that trained the run
  (every run before issue 28: its weights depended on that machine, and its id does not say
  which weights it had); ``scorer:<hash>`` for any other scorer (its identity's hash);
- :func:`cpu_capability` reads the capability a run's manifest records (``torch.backends.cpu.
  get_cpu_capability()``; "unrecorded" for runs before issue 28);
- :func:`one_scorer_why` is the rule: a statistic that compares Fréchet distances or scores
  across runs (within an arm, between arms, between rungs) is *not tested* unless every run
  has one scorer key; :func:`unpinned_note` says when that one scorer is an unpinned classifier.

Used by: chapters 1, 2, 4, 5, 6 and 7 (and :mod:`gancond.arms`, :mod:`gancond.bundles`, :mod:`gancond.reach`).
"""

from __future__ import annotations

__all__ = ["scorer_key", "cpu_capability", "one_scorer_why", "unpinned_note", "provenance_table", "scorer_text"]


def scorer_key(run) -> str:
    """The identity of the network that scored ``run`` (see the module docstring); "none" when unscored."""
    sc = run.config.get("scorer")
    if not sc:
        return "none"
    if sc.get("scorer") == "inception":
        return f"inception:{sc.get('weights')}"
    if "classifier" not in sc:  # another scorer (a test's stand-in, a user's own): its identity's hash
        import hashlib
        import json

        return "scorer:" + hashlib.sha256(json.dumps(sc, sort_keys=True).encode()).hexdigest()[:16]
    sha = (sc.get("classifier_config") or {}).get("weights_sha256")
    return f"sha256:{sha}" if sha else f"unpinned:{sc.get('classifier')}"


def cpu_capability(run) -> str:
    """The CPU capability (e.g. "AVX512") that ``run``'s manifest records, or "unrecorded"."""
    return str(run.manifest().get("cpu_capability", "unrecorded"))


def one_scorer_why(runs) -> str:
    """"" when every run of ``runs`` was scored by one network; else why their Fréchet distances
    and scores cannot be compared (the rule of issue 28)."""
    keys = sorted({scorer_key(r) for r in runs})
    if len(keys) <= 1:
        return ""
    return (f"scored by {len(keys)} different networks ({', '.join(k[:23] for k in keys)}): Fréchet distances "
            f"and scores of different scorers are not compared")


def unpinned_note(runs) -> str:
    """A short note when ``runs`` were scored by a classifier trained on their own machine (not pinned), else ""."""
    keys = {scorer_key(r) for r in runs}
    un = sorted(k.split(":", 1)[1] for k in keys if k.startswith("unpinned:"))
    if not un:
        return ""
    return (f"scored by an unpinned classifier ({', '.join(un)}, trained on the machine that trained the runs; "
            f"other machines' weights differ)")


def provenance_table(rungs: dict) -> "pd.DataFrame":
    """Per rung (``{rung: runs}``): runs, scorer key(s) (shortened) and recorded CPU capabilities."""
    import pandas as pd

    rows = []
    for rung, runs in rungs.items():
        keys = sorted({scorer_key(r) for r in runs})
        caps = sorted({cpu_capability(r) for r in runs})
        rows.append({"rung": rung, "runs": len(runs),
                     "scorer": ", ".join(k if len(k) <= 30 else k[:30] + "…" for k in keys),
                     "pinned": "yes" if all(k.startswith(("sha256:", "inception:")) for k in keys) else "no",
                     "CPU capability": ", ".join(caps)})
    return pd.DataFrame(rows, columns=["rung", "runs", "scorer", "pinned", "CPU capability"])


def scorer_text(scorer) -> str:
    """A scorer in words for a chapter: its name and, for a pinned classifier, the weights' SHA-256
    (first 12 hex digits) and the test accuracy recorded with them (e.g. "mnist-cnn/logits (pinned
    weights a1b2c3d4e5f6…, test accuracy 99.23%)")."""
    clf = getattr(scorer, "classifier", None)
    sha = (getattr(clf, "config", None) or {}).get("weights_sha256")
    if not sha:
        return scorer.name
    acc = getattr(clf, "test_accuracy", None)
    return f"{scorer.name} (pinned weights {sha[:12]}…" + (f", test accuracy {acc:.2%})" if acc is not None else ")")
