"""What every chapter starts with, and how it writes its numbers.

- :func:`check_parameters`: the first line of every chapter's first cell after its parameters: a
  parameter papermill injected that the chapter does not have (``-p lambda_max 20`` on a chapter
  without one, a misspelled name) stops the chapter at once, before anything trains, with one
  error naming it and listing the chapter's parameters. Without papermill it does nothing.
- :func:`setup`: the preamble of every chapter. On a CPU it caps torch at 2 threads (the book is
  built on a 2-core machine, and more threads than cores only slows the small convolutions
  down); on a GPU it leaves torch alone. It sets the plot style.
- :func:`settings`: the experiment's settings as one compact line, with the full table
  collapsed under it (a reader meets the claim and the figures first, not 20 rows of presets).
- :func:`data_note`: the dataset as the "paper vs this build" table names it, flagging the
  lossy JPEG copy of CIFAR-10 that the build machine holds.
- :func:`span`: per-run values as "min–max" (or "44–66%").
- :func:`na`: a statistic's text, or "n/a" where too few runs gave none.
- :func:`pm`: "mean ± sd" over runs (one run: the value alone), the book's way of writing a
  per-setting number.

Nothing here prints a machine path (the run store's folder or the data root).

Used by: chapters 1, 2, 3, 4, 5 and 6.
"""

from __future__ import annotations

import ast
import difflib
import html
from typing import Any, Mapping, Sequence

import numpy as np

from .analysis import mean_std

__all__ = ["check_parameters", "injected_cell", "assigned_names", "setup", "settings", "data_note", "pm", "na", "span", "SUMMARY_KEYS"]

#: the settings named in the one-line summary, in this order, when present
SUMMARY_KEYS = ("dataset", "scale", "recipe", "runs", "steps", "width", "device")


#: how papermill's Python translator starts the cell it injects after the ``parameters`` cell
#: (``papermill.translators.Translator.codify``, comment "Parameters")
INJECTED_HEADER = "# Parameters"
#: names papermill itself may inject (``--inject-paths``); no chapter declares them
PAPERMILL_NAMES = ("PAPERMILL_INPUT_PATH", "PAPERMILL_OUTPUT_PATH")


def assigned_names(source: str) -> list[str]:
    """The names a cell's top-level statements assign (``a = 1``, ``a: int = 1``, ``a = b = 1``), in order."""
    names: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        else:
            continue
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name) and n.id not in names:
                    names.append(n.id)
    return names


def injected_cell(history: Sequence[str]) -> int | None:
    """Index in ``history`` (the sources of the cells a kernel ran, in order) of the last cell
    papermill injected, or None when papermill injected none."""
    hits = [i for i, src in enumerate(history) if (src or "").lstrip().startswith(INJECTED_HEADER + "\n")]
    return hits[-1] if hits else None


def check_parameters(history: Sequence[str] | None = None) -> None:
    """Stop the chapter with one ValueError if papermill gave it a parameter it does not have.

    ``history``: the sources of the cells this kernel ran, in order (default: IPython's input
    history, whose last entry is the calling cell). Papermill puts the cell it injects right after
    the chapter's ``parameters`` cell, so the chapter's parameters are the names assigned by the
    cell run just before the injected one, and the names the injected cell assigns must be among
    them. Without an injected cell (nbval, the Jupyter Book build, a plain notebook server) there
    is nothing to check; the *values* are checked by :mod:`gancond.experiments`.
    """
    if history is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with every kernel
            return
        ip = get_ipython()
        if ip is None:
            return
        history = list(ip.history_manager.input_hist_raw)
    i = injected_cell(history)
    if i is None:
        return
    declared = assigned_names(history[i - 1]) if i > 0 else []
    unknown = [n for n in assigned_names(history[i]) if n not in declared and n not in PAPERMILL_NAMES]
    if not unknown:
        return
    hints = [f"{n!r} → {close[0]!r}" for n in unknown
             if (close := difflib.get_close_matches(n, declared, n=1, cutoff=0.75))]
    raise ValueError(
        f"this chapter has no parameter{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
        "(given with papermill -p); it stopped before training anything. "
        + (f"Did you mean {', '.join(hints)}? " if hints else "")
        + f"Its parameters are: {', '.join(declared) if declared else '(none found)'}.")


def setup(device: str = "auto", threads: int = 2) -> str:
    """Prepare a chapter's kernel for ``device`` ("auto", "cpu", "cuda", "mps"); returns the resolved device.

    On a CPU, torch is capped at ``threads`` threads (never raised); elsewhere the thread count is
    left as it is. The plot style is set (:func:`gancond.plots.style`).
    """
    import torch

    from . import plots
    from .experiments import resolve_device

    dev = resolve_device(device)
    if dev == "cpu":
        torch.set_num_threads(max(1, min(threads, torch.get_num_threads())))
    plots.style()
    return dev


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    return str(v)


def settings(describe: Mapping[str, Any], title: str = "All settings") -> str:
    """HTML: a one-line summary of ``describe`` (the :data:`SUMMARY_KEYS` it has) and, collapsed
    under it (``<details>``), a two-column table of every setting.

    ``describe`` is a flat mapping such as :meth:`gancond.experiments.Experiment.describe`.
    Display it with ``IPython.display.HTML``.
    """
    line = ", ".join(f"{k} {html.escape(_value(describe[k]))}" for k in SUMMARY_KEYS if k in describe)
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_value(v))}</td></tr>"
                   for k, v in describe.items())
    return (f"<p><b>Settings:</b> {line}.</p>\n<details><summary>{html.escape(title)}</summary>\n"
            f"<table><thead><tr><th>setting</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>\n</details>")


def data_note(dataset: str, manifest: Mapping[str, Any]) -> str:
    """The dataset's name, with "(lossy JPEG copy)" when the run's manifest says it trained on one."""
    return dataset + (" (lossy JPEG copy)" if manifest.get("data", {}).get("lossy") else "")


def pm(values, digits: int = 2) -> str:
    """``values`` (one number per run) as "mean ± sd" with ``digits`` decimals; one value: just it."""
    mu, sd = mean_std(values)
    return f"{mu:.{digits}f}" + (f" ± {sd:.{digits}f}" if np.isfinite(sd) else "")


def na(statistic, missing: str = "n/a") -> str:
    """``str(statistic)``, or ``missing`` when it is None (a statistic too few runs could not give)."""
    return missing if statistic is None else str(statistic)


def span(values, fmt: str = "", percent: bool = False) -> str:
    """"min–max" of per-run ``values``, each formatted with ``fmt`` (e.g. ".1f"); ``percent``:
    both times 100, formatted ".0f", followed by "%" (e.g. "44–66%")."""
    v = np.asarray(values)
    if v.size == 0:
        raise ValueError("span needs at least one value")
    lo, hi = v.min(), v.max()
    if percent:
        return f"{100 * lo:.0f}–{100 * hi:.0f}%"
    return f"{lo:{fmt}}–{hi:{fmt}}"
