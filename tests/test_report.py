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
    assert '<caption>judged in <a href="../chapters/01.html">Ch. 1</a></caption>' in h
    assert "judged in</th>" not in h  # the chapter is the caption, not a column repeated on every row


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


def test_finding_is_one_sentence_with_verdict_scale_recipe_and_number():
    from gancond import claims

    c = Checks("smoke")
    claims.judge_sized(c, 0.1, 0.8, claims.EFFECTS["rho_fd"], claims.RHO_FD_CLAIM, "ρ = +0.50 (95% interval)",
                       recipe="radford")
    claims.judge_sized(c, -0.9, -0.2, claims.EFFECTS["rho_fd"], claims.RHO_FD_CLAIM, "ρ = −0.60 (95% interval)",
                       recipe="tfgan")
    assert c.finding(claims.RHO_FD_CLAIM, "tfgan") == (
        "Better conditioning goes with a lower Fréchet distance (Spearman ρ) — contradicted at smoke scale [tfgan]: "
        "ρ = −0.60 (95% interval); paper +0.45.")  # the number and the paper's value, not the effect's source
    assert "reproduced at smoke scale [radford]" in c.finding(claims.RHO_FD_CLAIM)  # no recipe: the first recorded
    assert "Sec. 3" in c.rows[0]["result"]  # the table keeps the source
    c.untested("variance shrinks", "2 runs.")
    assert c.finding("variance shrinks") == "Variance shrinks — not tested at smoke scale: 2 runs."
    with pytest.raises(KeyError, match="no claim 'two clusters'"):
        c.finding("two clusters")
    assert c.headlines("two clusters", "variance shrinks") == "Variance shrinks — not tested at smoke scale: 2 runs."


def test_tally_names_each_claim_once_by_verdict_with_where_it_was_judged():
    c = Checks("book")
    c.claim(True, "two clusters", "gap 3", recipe="tfgan")
    c.claim(True, "two clusters", "gap 4", recipe="radford")
    c.claim(True, "two clusters", "gap 5", recipe="tfgan", scale="paper")
    c.claim(False, "early", "50%", recipe="radford")
    c.verdict("inconclusive", "9 of 10 good", "6 of 10")
    c.untested("spread", "2 runs")
    c.untested("speed", "1 trial")
    assert c.tally() == ("Reproduced: two clusters [tfgan, radford, tfgan (paper scale bundle)]. "
                         "Not reproduced: early [radford]. Inconclusive: 9 of 10 good. "
                         "Nothing contradicted the paper. Not tested: 2 claims (the scoreboard says why).")
    c.verdict("contradicted", "r = −0.86", "r = +0.1")
    assert "Contradicted the paper: r = −0.86." in c.tally() and "Nothing contradicted" not in c.tally()
    f = c.findings("r = −0.86", "missing")
    assert f.startswith("R = −0.86 — contradicted at book scale: r = +0.1. Reproduced: two clusters")
    only_untested = Checks("smoke")
    only_untested.untested("spread", "2 runs")
    assert only_untested.tally() == "Not tested: 1 claim (the scoreboard says why)."


def test_markdown_table_shows_a_missing_value_as_a_dash_not_nan():
    import numpy as np
    import pandas as pd

    from gancond.report import markdown_table

    md = markdown_table(pd.DataFrame({"value": [1.25, np.nan], "name": ["nano", None]}))
    assert "nan |" not in md and md.count("–") == 2 and "nano" in md
