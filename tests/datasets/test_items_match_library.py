"""The simulators' item specifications agree with the shipped instrument library.

The simulators write the shared item-id contract out in code (so an example depends only on its
seed); these tests fail as soon as the YAML library and the simulators disagree on an item's
codes, missing codes, reverse keying, waves or respondents, or on a scale's items.
"""

from __future__ import annotations

import pytest

from deliberval.datasets._items import (
    DEMOGRAPHIC_REFUSED,
    DEMOGRAPHIC_RESPONDENTS,
    DEMOGRAPHICS,
    ITEMS,
    SCALES,
)
from deliberval.instruments import load_questionnaire


@pytest.fixture(scope="module")
def participant():  # type: ignore[no-untyped-def]
    return load_questionnaire("participant_standard")


@pytest.fixture(scope="module")
def control():  # type: ignore[no-untyped-def]
    return load_questionnaire("control_standard")


@pytest.mark.parametrize("spec", ITEMS, ids=lambda s: s.id)
def test_item_codes_and_routing_match_the_library(spec, participant, control) -> None:  # type: ignore[no-untyped-def]
    item = participant.item(spec.id)
    scale = participant.response_scale(item.scale)
    assert item.scale == spec.response_scale
    assert (scale.min, scale.max) == (spec.low, spec.high)
    assert item.reverse == spec.reverse
    assert tuple(item.waves) == spec.waves
    assert tuple(item.respondents) == spec.respondents
    assert [(m.code, m.meaning) for m in participant.missing_codes(spec.id)] == [
        (code, meaning) for code, meaning, _ in spec.missing_codes
    ]
    assert (spec.id in control.item_ids()) == spec.control


@pytest.mark.parametrize("dim", list(DEMOGRAPHICS))
def test_demographic_codes_match_the_library(dim, participant) -> None:  # type: ignore[no-untyped-def]
    item = participant.item(dim)
    values = [v.value for v in participant.response_scale(item.scale).values]
    assert values == list(DEMOGRAPHICS[dim])
    assert tuple(item.respondents) == DEMOGRAPHIC_RESPONDENTS
    assert tuple(item.waves) == ("pre",)
    assert DEMOGRAPHIC_REFUSED[0] in [m.code for m in participant.missing_codes(dim)]


@pytest.mark.parametrize("spec", SCALES, ids=lambda s: s.id)
def test_scales_match_the_library(spec, participant) -> None:  # type: ignore[no-untyped-def]
    scale = participant.scale(spec.id)
    assert tuple(scale.items) == spec.items
    assert scale.scoring.method == "mean"
    assert scale.scoring.min_valid == spec.min_valid
