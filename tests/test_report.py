"""Chapter checks: required statements fail loudly, paper claims are recorded either way."""

import pytest

from gancond.report import Checks, paper_vs_build


def test_require_raises_and_claims_are_recorded():
    c = Checks("book")
    c.require(True, "numbers are finite")
    with pytest.raises(AssertionError, match="check failed: runs share seeds"):
        c.require(False, "runs share seeds")
    assert c.claim(True, "conditioning predicts the score", "ρ = -0.9") is True
    assert c.claim(False, "two clusters", "gap 0.1") is False
    c.untested("variance shrinks", "2 runs")
    assert c.not_reproduced == ["two clusters"]
    s = c.summary()
    assert "1 of 2" in s and "Did not reproduce: two clusters" in s and "Not tested: variance shrinks" in s
    t = c.table()
    assert list(t["kind"]) == ["required", "paper claim", "paper claim", "paper claim"]
    assert t["result"].iloc[2].startswith("did not reproduce at book scale")


def test_paper_vs_build_columns():
    df = paper_vs_build([("runs", "10", "5")], "book", "mnist")
    assert list(df.columns) == ["quantity", "paper", "this build (book scale, mnist)"]


def test_scoreboard_lists_each_claim_per_recipe():
    c = Checks("book")
    c.claim(True, "two clusters", "gap 3 > range 1", recipe="tfgan")
    c.claim(False, "two clusters", "gap 0.2 < range 1", recipe="radford")
    c.untested("clamped runs avoid the bad cluster", "no split", recipe="tfgan")
    assert c.not_reproduced == ["two clusters [radford]"]
    h = c.scoreboard("Ch. 1", "../chapters/01.html")
    assert h.count("<tr>") == 3  # header + 2 claims
    assert "<th>tfgan (book scale)</th><th>radford (book scale)</th>" in h
    assert "✔ reproduced" in h and "✘ not reproduced" in h and "– not tested" in h and "gap 0.2 &lt; range 1" in h
    assert 'href="../chapters/01.html"' in h


def test_claims_on_a_bundle_get_their_own_column_and_sentence():
    c = Checks("book")
    c.claim(False, "two clusters", "gap 0.2 < range 1", recipe="tfgan")
    c.claim(True, "two clusters", "gap 3 > range 1", recipe="tfgan", scale="paper")
    c.untested("clamped runs avoid the bad cluster", "no split", recipe="tfgan", scale="paper")
    h = c.scoreboard("Ch. 1", "x.html")
    assert "<th>tfgan (book scale)</th><th>tfgan (paper scale, bundle)</th>" in h
    assert c.not_reproduced == ["two clusters [tfgan]"]
    assert c.summary().startswith("0 of 1 of the paper's claims tested at book scale reproduced. "
                                  "1 of 1 of the paper's claims tested in the committed bundle (paper scale) reproduced.")
    assert "two clusters [tfgan, paper scale]" in c.table()["statement"].tolist()
    assert "not tested at paper scale: no split" in c.table()["result"].tolist()
