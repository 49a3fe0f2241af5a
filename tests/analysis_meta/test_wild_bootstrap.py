"""did_wild_bootstrap against a hand-coded R WCR bootstrap (tests/reference/meta/generate_wild.R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deliberval.analysis._wild import bootstrap_weights, wild_cluster_test
from deliberval.analysis.did import WILD_COLUMNS, did, did_wild_bootstrap
from deliberval.errors import AnalysisInputError

REF = Path(__file__).parents[1] / "reference" / "meta"
DATA = pd.read_csv(REF / "wild_did_data.csv")
EXP = pd.read_csv(REF / "wild_did_expected.csv").set_index(["weights", "model"])


def test_rademacher_enumeration_matches_r() -> None:
    r = did_wild_bootstrap(DATA, "y", cluster="site").set_index("model")
    assert list(r.reset_index().columns) == WILD_COLUMNS
    for model in ("pooled_ols", "individual_fe"):
        e = EXP.loc[("rademacher", model)]
        for c in ("estimate", "se", "statistic"):
            assert r.loc[model, c] == pytest.approx(e[c], abs=1e-10), (model, c)
        assert r.loc[model, "p_value"] == pytest.approx(e["p_value"], abs=1e-12)
        assert r.loc[model, "n_resamples"] == 256
        for c in ("ci_low", "ci_high"):
            assert r.loc[model, c] == pytest.approx(e[c], abs=1e-6), (model, c)
        assert "all 256 Rademacher sign vectors of the 8 clusters" in r.loc[model, "method"]
    # the estimate, CR1 SE and t are those of did(vcov="CR1")
    d = did(DATA, "y", cluster="site", vcov="CR1").set_index("model")
    assert r.loc["pooled_ols", "se"] == pytest.approx(d.loc["pooled_ols", "se"], abs=1e-12)


@pytest.mark.parametrize("model", ["pooled_ols", "individual_fe"])
def test_webb_draws_match_r(model: str) -> None:
    w = pd.read_csv(REF / "wild_webb_weights.csv").to_numpy(dtype=float)
    sub = DATA
    tr = (sub["group"] == "participant").to_numpy(float)
    po = (sub["wave"] == "post").to_numpy(float)
    if model == "pooled_ols":
        y, x, cl, j = sub["y"].to_numpy(float), np.column_stack([np.ones(len(sub)), tr, po, tr * po]), sub["site"], 3
    else:
        both = sub.groupby("respondent_id")["wave"].transform("nunique") == 2
        p = sub.loc[both]
        ppo = (p["wave"] == "post").to_numpy(float)
        f = pd.DataFrame({"y": p["y"].to_numpy(), "tp": (p["group"] == "participant").to_numpy(float) * ppo,
                          "po": ppo, "id": p["respondent_id"].to_numpy()})
        dm = f[["y", "tp", "po"]] - f.groupby("id")[["y", "tp", "po"]].transform("mean")
        y, x, cl, j = dm["y"].to_numpy(), dm[["tp", "po"]].to_numpy(), p["site"], 0
    # R's sites are numbered in sorted order; the engine numbers clusters in order of appearance
    order = pd.factorize(pd.Series(cl.to_numpy()))[1]
    rows = [int(str(s).removeprefix("site")) - 1 for s in order]
    r = wild_cluster_test(y, x, cl.to_numpy(), j, w[rows], 0.95)
    e = EXP.loc[("webb", model)]
    assert r.p_value == pytest.approx(e["p_value"], abs=1e-12)
    assert r.ci_low == pytest.approx(e["ci_low"], abs=1e-6)
    assert r.ci_high == pytest.approx(e["ci_high"], abs=1e-6)


def test_weights_and_arguments() -> None:
    gen = np.random.default_rng(1)
    w, enumerated = bootstrap_weights(4, 999, "rademacher", gen)
    assert enumerated
    assert w.shape == (4, 16)
    assert len({tuple(c) for c in w.T}) == 16
    w, enumerated = bootstrap_weights(4, 999, "webb", gen)
    assert not enumerated
    assert w.shape == (4, 999)
    assert np.allclose(np.sort(np.unique(w)) ** 2, [1.5, 1.0, 0.5, 0.5, 1.0, 1.5])
    with pytest.raises(AnalysisInputError, match="weights must be"):
        did_wild_bootstrap(DATA, "y", cluster="site", weights="mammen")  # type: ignore[arg-type]
    r1 = did_wild_bootstrap(DATA, "y", weights="webb", n_resamples=999, seed=5)
    r2 = did_wild_bootstrap(DATA, "y", weights="webb", n_resamples=999, seed=5)
    pd.testing.assert_frame_equal(r1, r2)  # seeded: reproducible
    assert (r1["n_resamples"] == 999).all()
