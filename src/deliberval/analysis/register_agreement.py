"""Agreement between the coders of an uptake register, per coded field (status, fidelity, prior agenda).

Two evaluators who code the same public responses rarely agree on every code; the register keeps
each coder's codes (one event row per coder, the ``coder`` column) and each coder's quoted
evidence, so the agreement is measured field by field. A model-assisted coder (a language model,
or the ranked candidates of ``deliberval uptake trace`` confirmed automatically) is one more
coder, named e.g. ``"model"``, and is compared with each manual coder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

from deliberval.analysis._common import check_confidence_level
from deliberval.analysis.agreement import agreement
from deliberval.errors import AnalysisInputError

__all__ = ["REGISTER_AGREEMENT_COLUMNS", "register_agreement"]

#: Columns of :func:`register_agreement`.
REGISTER_AGREEMENT_COLUMNS: tuple[str, ...] = (
    "field", "comparison", "coder_1", "coder_2", "statistic", "estimate", "se", "ci_low", "ci_high",
    "confidence_level", "n", "n_coders", "method",
)
_STATISTICS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "gwet_ac1")


class _Register(Protocol):
    @property
    def events(self) -> pd.DataFrame: ...

    @property
    def evidence(self) -> pd.DataFrame: ...


def _long(register: _Register, field: str) -> pd.DataFrame:
    """``item, coder, code`` of one field: events (an item is one dated response of one
    recommendation) or, for the prior agenda, the coders' evidence rows (an item is a
    recommendation)."""
    if field == "prior_agenda":
        evi = register.evidence
        if evi is None or evi.empty:
            return pd.DataFrame(columns=["item", "coder", "code"])
        rows = evi[(evi["field"] == "prior_agenda") & evi["coder"].notna()]
        out = pd.DataFrame({"item": rows["rec_id"].astype(str), "coder": rows["coder"].astype(str),
                            "code": rows["code"].astype(str)})
        return out.drop_duplicates()
    ev = register.events
    if "coder" not in ev.columns or field not in ev.columns:
        return pd.DataFrame(columns=["item", "coder", "code"])
    rows = ev[ev["coder"].notna() & ev[field].notna()]
    dates = pd.to_datetime(rows["date"]).dt.strftime("%Y-%m-%d")
    return pd.DataFrame({"item": rows["rec_id"].astype(str) + " " + dates, "coder": rows["coder"].astype(str),
                         "code": rows[field].astype(str)})


def _rows(res: Any, field: str, comparison: str, coders: Sequence[str]) -> list[dict[str, Any]]:
    table = res.table[res.table["statistic"].isin(_STATISTICS)]
    c1, c2 = (coders[0], coders[1]) if len(coders) == 2 else ("", "")
    return [{"field": field, "comparison": comparison, "coder_1": c1, "coder_2": c2,
             "statistic": r.statistic, "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
             "ci_high": r.ci_high, "confidence_level": r.confidence_level, "n": int(r.n_items),
             "n_coders": int(r.n_coders), "method": r.method} for r in table.itertuples(index=False)]


def register_agreement(
    register: _Register,
    *,
    fields: Sequence[str] = ("response_status", "fidelity", "prior_agenda"),
    model_coder: str | None = "model",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Agreement between the coders of a register, per field, and of a model-assisted coder with each manual one.

    Parameters
    ----------
    register : Register
        A validated register (:func:`deliberval.validation.register.validate_register`).
        ``response_status`` and ``fidelity``: each coder's events (the same response, i.e. the
        same ``rec_id`` and ``date``, coded by several coders); ``prior_agenda``: each coder's
        evidence rows of that field (``coder`` and ``code``). Rows without a coder are left out.
    fields : sequence of str
        The fields to measure.
    model_coder : str or None, default ``"model"``
        The name of the model-assisted coder in the ``coder`` column; when present, it is also
        compared with each manual coder alone. None: no such comparison.
    confidence_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per field x comparison x statistic, columns :data:`REGISTER_AGREEMENT_COLUMNS`:
        ``field``; ``comparison`` (``"all coders"``, or ``"model"`` for the model-assisted coder
        against one manual coder: with only the model and one coder, that is the one comparison); ``coder_1``, ``coder_2`` (the two coders of a two-coder
        comparison, else empty); ``statistic`` (``percent_agreement``, ``cohen_kappa`` (two
        coders; Light's mean kappa with more), ``fleiss_kappa`` (more than two coders),
        ``gwet_ac1``); ``estimate``, ``se``, ``ci_low``, ``ci_high`` (Cohen's kappa of two
        coders: large-sample interval; Gwet's AC1: Gwet's variance; missing otherwise),
        ``confidence_level``, ``n`` (items coded by the coders compared), ``n_coders``,
        ``method``. A field coded by fewer than two coders, or with no item coded by two, has
        no rows.

    Raises
    ------
    AnalysisInputError
        An item coded twice by the same coder (from :func:`deliberval.agreement`), an unknown field.

    Notes
    -----
    Each statistic is :func:`deliberval.agreement` on the field's long table (``item, coder,
    code``), codes nominal: Cohen's kappa :math:`\\kappa = (p_o - p_e)/(1 - p_e)`, Gwet's AC1
    :math:`(p_o - p_e^\\gamma)/(1 - p_e^\\gamma)` with
    :math:`p_e^\\gamma = \\frac{1}{q-1}\\sum_k \\pi_k(1-\\pi_k)`. Validated against R through
    :func:`deliberval.agreement` (psych ``cohen.kappa``, ``vcd::Kappa``, irrCAC to 1e-9 / 1e-12).

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.schemas.register import Register, empty_evidence
    >>> from deliberval.instruments.coding import load_scheme
    >>> ev = pd.DataFrame({"rec_id": ["r1", "r1", "r2", "r2", "r3", "r3"],
    ...     "date": pd.to_datetime(["2025-01-02"] * 6), "coder": ["ann", "model"] * 3,
    ...     "response_status": ["implemented", "implemented", "acknowledged", "acknowledged",
    ...                         "implemented", "acknowledged"], "fidelity": None})
    >>> reg = Register(pd.DataFrame({"rec_id": ["r1", "r2", "r3"]}), ev, load_scheme(), empty_evidence())
    >>> out = register_agreement(reg)
    >>> out.loc[out["statistic"] == "percent_agreement", ["field", "comparison", "estimate", "n"]].values.tolist()
    [['response_status', 'model', 0.6666666666666666, 3]]
    """
    cl = check_confidence_level(confidence_level)
    unknown = [f for f in fields if f not in ("response_status", "fidelity", "prior_agenda")]
    if unknown:
        raise AnalysisInputError(f"unknown field {unknown[0]!r}; expected response_status, fidelity or prior_agenda")
    rows: list[dict[str, Any]] = []
    for field in fields:
        long = _long(register, field)
        coders = list(dict.fromkeys(long["coder"]))
        if len(coders) < 2:
            continue
        shared = long.groupby("item")["coder"].nunique()
        if not (shared >= 2).any():
            continue
        res = agreement(long, item="item", coder="coder", code="code", weights=None, confidence_level=cl)
        with_model = model_coder is not None and model_coder in coders
        if with_model and len(coders) == 2:  # the only comparison: the model against one coder
            human = next(c for c in coders if c != model_coder)
            rows += _rows(res, field, "model", [str(model_coder), human])
            continue
        rows += _rows(res, field, "all coders", coders if len(coders) == 2 else [])
        if not with_model:
            continue
        for human in coders:
            if human == model_coder:
                continue
            pair = long[long["coder"].isin([model_coder, human])]
            if not (pair.groupby("item")["coder"].nunique() >= 2).any():
                continue
            res2 = agreement(pair, item="item", coder="coder", code="code", weights=None, confidence_level=cl)
            rows += _rows(res2, field, "model", [str(model_coder), human])
    out = pd.DataFrame(rows, columns=list(REGISTER_AGREEMENT_COLUMNS))
    return out
