"""The canonical words are defined once and every layer uses them."""

from __future__ import annotations

from deliberval import canonical
from deliberval.instruments import load_instrument
from deliberval.instruments import model as instrument_model
from deliberval.instruments.rules import item_range, item_rules
from deliberval.io import _common
from deliberval.schemas import responses as responses_schema_module
from deliberval.schemas import tables


def test_one_definition_of_each_word():
    assert canonical.ID_COLUMNS == ("respondent_id", "process_id", "wave", "group", "role", "language", "weight")
    assert canonical.FUNNEL_STAGES == ("invited", "volunteered", "selected", "attended_all", "answered_post")
    assert responses_schema_module.ID_COLUMNS is canonical.ID_COLUMNS
    assert responses_schema_module.WAVES is canonical.WAVES
    assert responses_schema_module.GROUPS is canonical.GROUPS
    assert tables.FUNNEL_STAGES is canonical.FUNNEL_STAGES
    assert _common.NA_STRINGS is canonical.NA_STRINGS
    assert _common.as_code_strings is canonical.as_code_strings
    # the instrument model keeps its own copy for now: it must agree
    assert instrument_model.WAVES == canonical.WAVES
    assert instrument_model.ROLES == canonical.ROLES


def test_canonical_imports_nothing_from_deliberval_but_errors():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(canonical))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m for m in imported if m and m.startswith("deliberval")} <= {"deliberval.errors"}


def test_item_rules_carry_range_missing_codes_and_reverse_keys():
    ins = load_instrument("participant_standard")
    rules = item_rules(ins)
    reversed_items = [i for i, r in rules.items() if r.reverse]
    assert reversed_items == [it.id for it in ins.items if it.reverse]
    for it in ins.items:
        rule = rules[it.id]
        bounds = item_range(ins.response_scale(it.scale))
        if rule.kind == "numeric":
            assert (rule.min, rule.max) == (bounds if bounds is not None else (None, None))
        assert rule.missing == {m.code: m.meaning for m in ins.missing_codes(it.id)}
