"""The README's "Use the library" example runs as written (so it cannot go stale)."""

import contextlib
import io


def test_readme_example_runs(readme_example):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_example, "README.md", "exec"), {"__name__": "__readme__"})
    printed = out.getvalue()
    assert "mean log κ(M_z):" in printed and "average-Jacobian spectrum:" in printed, printed
