"""Every warning class of the analyses derives from one filterable base."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import deliberval
from deliberval.analysis.dri import DRIWarning
from deliberval.analysis.representativeness import TargetsWarning, representativeness
from deliberval.analysis.weighting import RakingConvergenceWarning
from deliberval.errors import DelibervalWarning


@pytest.mark.parametrize("cls", [DRIWarning, TargetsWarning, RakingConvergenceWarning])
def test_module_warnings_share_the_base(cls: type[Warning]) -> None:
    assert issubclass(cls, DelibervalWarning)
    assert issubclass(cls, UserWarning)


def test_base_is_exported() -> None:
    assert deliberval.DelibervalWarning is DelibervalWarning
    assert "DelibervalWarning" in deliberval.__all__


def test_one_filter_silences_a_module_warning() -> None:
    targets = pd.DataFrame(
        {"dimension": "demo_gender", "category": ["woman", "man"], "share": [0.506, 0.5]}
    )
    members = pd.DataFrame({"demo_gender": ["woman", "man", "man"]})
    with pytest.warns(DelibervalWarning, match="divided by that sum"):
        representativeness(members, targets)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", DelibervalWarning)
        res = representativeness(members, targets)
    assert res.categories["count"].tolist() == [1, 2]
