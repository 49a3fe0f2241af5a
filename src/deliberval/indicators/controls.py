"""Self-selected controls, computed once for an evaluation: balance, adjusted DiD, event study.

Invited-but-not-selected volunteers are a self-selected comparison group: they differ from the
participants in who they are, not only in having deliberated. With covariates named in the
settings (``controls: covariates:``), :func:`control_comparison` fits the propensity model of
being a participant once (:func:`deliberval.analysis.propensity.propensity_weights`, target the
participants, ATT) on one baseline row per citizen, keeps its balance diagnostics, and runs the
covariate-adjusted difference-in-differences of every citizens' outcome
(:func:`deliberval.analysis.event_study.event_study` with the waves pre and post: covariates in
the regression and, with ``adjustment: propensity``, the propensity weights) beside the
unadjusted one of :func:`deliberval.analysis.did.did`. When the responses have more waves than
pre and post (a follow-up), the event study of the featured outcomes shows whether an effect
lasts. The report presents the results (:mod:`deliberval.report.build`); nothing here is
published as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from deliberval.canonical import WAVES
from deliberval.errors import AnalysisInputError, DataInputError

if TYPE_CHECKING:
    from deliberval.analysis.propensity import PropensityResult
    from deliberval.indicators.catalogue import OutcomeSpec

__all__ = ["ADJUSTMENTS", "BALANCE_CATEGORY_COLUMNS", "ControlComparison", "control_comparison"]

#: Values of :attr:`deliberval.indicators.EvaluationSettings.adjustment`.
ADJUSTMENTS = ("propensity", "none")
#: Columns of :attr:`ControlComparison.categories`.
BALANCE_CATEGORY_COLUMNS = ["covariate", "column", "level", "count_participant", "count_control"]
#: The weight column the adjusted models read (never a column of the responses).
_WEIGHT = "propensity_weight"


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


@dataclass(frozen=True)
class ControlComparison:
    """What :func:`control_comparison` computed (empty tables and ``reasons`` where it could not).

    Attributes
    ----------
    balance : PropensityResult or None
        The propensity model of being a participant (participants against the control group,
        citizens, one baseline row each) with its ``weights``, ``balance`` (ASMD before and after
        weighting per covariate and level) and ``summary`` (n, effective n, trimmed scores per
        group); None without covariates or a control group, or when it cannot be fitted.
    categories : pandas.DataFrame
        One row per row of ``balance.balance``: ``covariate`` (as there), ``column`` (the
        covariate's column), ``level`` (the category, missing for a numeric covariate),
        ``count_participant``, ``count_control`` (people in the category among those in the
        model; missing for a numeric covariate). For disclosure control: never published.
    did_adjusted : pandas.DataFrame
        :func:`~deliberval.analysis.event_study.event_study` rows ``model == "event_study"``
        (term ``treated:post``) of every citizens' outcome, pre and post, with ``outcome`` in
        front and ``adjustment`` (``propensity_weighted``: propensity weights and the covariates;
        ``covariate_adjusted``: the covariates only), ``n_participant``, ``n_control``
        (respondents in the model) after its columns.
    event_study : pandas.DataFrame
        With more than two waves: the event study (every wave against ``pre``) of the featured
        outcomes, ``model == "event_study"`` rows, with ``outcome`` in front and ``adjustment``
        (``unadjusted`` without covariates) after its columns.
    """

    balance: PropensityResult | None = None
    categories: pd.DataFrame = field(default_factory=lambda: _empty(BALANCE_CATEGORY_COLUMNS))
    did_adjusted: pd.DataFrame = field(default_factory=lambda: _empty(["outcome"]))
    event_study: pd.DataFrame = field(default_factory=lambda: _empty(["outcome"]))


def _baseline(cit: pd.DataFrame, members: pd.DataFrame | None, covariates: list[str]) -> pd.DataFrame:
    """One row per respondent: ``group`` and each covariate's baseline value (the first observed
    value in wave order, pre first; a covariate the responses lack comes from the members table)."""
    order = {w: i for i, w in enumerate(WAVES)}
    rows = cit.assign(__order=cit["wave"].map(order).fillna(len(WAVES))).sort_values(
        ["__order"], kind="stable")
    by = rows.groupby("respondent_id", sort=True)
    base = pd.DataFrame({"group": by["group"].first()})
    for c in covariates:
        if c in cit.columns:
            base[c] = by[c].first()  # first non-missing value in wave order
        elif members is not None and c in members.columns and "person_id" in members.columns:
            lookup = members.drop_duplicates("person_id").set_index("person_id")[c]
            base[c] = base.index.map(lookup)
        else:
            raise DataInputError(
                f"controls: covariate {c!r} is a column of neither the responses nor the members table")
    return base


def _categories(base: pd.DataFrame, result: PropensityResult, covariates: list[str]) -> pd.DataFrame:
    """People per category and group among those in the propensity model (for disclosure)."""
    inc = base.loc[result.weights["included"].to_numpy(dtype=bool)]
    part = (inc["group"] == "participant").to_numpy()
    rows = []
    for name in result.balance["covariate"]:
        col, sep, level = str(name).partition("=")
        if sep and col in covariates and not pd.api.types.is_numeric_dtype(inc[col]):
            hit = (inc[col].astype(str) == level).to_numpy()
            rows.append({"covariate": name, "column": col, "level": level,
                         "count_participant": int((hit & part).sum()), "count_control": int((hit & ~part).sum())})
        else:
            rows.append({"covariate": name, "column": str(name), "level": None,
                         "count_participant": pd.NA, "count_control": pd.NA})
    out = pd.DataFrame(rows, columns=BALANCE_CATEGORY_COLUMNS)
    for c in ("count_participant", "count_control"):
        out[c] = out[c].astype("Int64")
    return out


def _empty_levels(base: pd.DataFrame, covariates: list[str]) -> str | None:
    """A reason when a category of a categorical covariate has no participant or no control
    (the propensity model would separate it perfectly)."""
    complete = base.dropna(subset=covariates)
    for c in covariates:
        if pd.api.types.is_numeric_dtype(complete[c]) and not pd.api.types.is_bool_dtype(complete[c]):
            continue
        tab = pd.crosstab(complete[c].astype(str), complete["group"])
        for g, who in (("participant", "participants"), ("control", "controls")):
            if g not in tab.columns:
                continue
            empty = [str(v) for v in tab.index[tab[g] == 0]]
            if empty:
                return (f"category {empty[0]!r} of covariate {c!r} has no {who}: the propensity model cannot "
                        "be fitted; merge it with another category")
    return None


def control_comparison(scored: pd.DataFrame, members: pd.DataFrame | None,
                       measured: list[tuple[OutcomeSpec, str]], *, covariates: tuple[str, ...],
                       adjustment: str, trim: float | None, featured: list[str], level: float,
                       reasons: dict[str, str]) -> ControlComparison:
    """Propensity weights and balance of the control group, adjusted DiD and event study, once.

    Parameters
    ----------
    scored : DataFrame
        Scored responses (``respondent_id, wave, group``, optionally ``role``).
    members : DataFrame or None
        The valid members table (``person_id``): covariates the responses lack are read here.
    measured : list of (OutcomeSpec, column)
        The outcomes measured; citizens' outcomes are compared with the control group.
    covariates : tuple of str
        Columns of the propensity model and the adjusted regressions (baseline values).
    adjustment : {"propensity", "none"}
        ``"propensity"``: the adjusted models are weighted by the propensity weights (ATT) and
        adjust for the covariates (doubly robust); ``"none"``: they adjust for the covariates
        only (the balance table still shows what the weights would achieve).
    trim : float or None
        Propensity scores clipped to ``[trim, 1 - trim]``.
    featured : list of str
        Outcome ids whose event study is computed (the catalogue's DiD indicators); the first
        citizens' outcome when none of them is measured.
    level : float
        Confidence level.
    reasons : dict
        Why a part was not computed: ``balance``, ``did_adjusted``, ``did_adjusted:<outcome>``,
        ``event_study``, ``event_study:<outcome>``.

    Returns
    -------
    ControlComparison

    Raises
    ------
    DataInputError
        If a covariate is a column of neither the responses nor the members table.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.indicators.catalogue import OutcomeSpec
    >>> scored = pd.DataFrame({
    ...     "respondent_id": list(range(12)) * 2, "wave": ["pre"] * 12 + ["post"] * 12,
    ...     "group": (["participant"] * 4 + ["control"] * 8) * 2,
    ...     "age": [60, 55, 40, 35, 30, 45, 50, 35, 62, 28, 41, 38] * 2,
    ...     "y": [3, 2, 4, 3, 3, 2, 3, 4, 2, 3, 3, 2, 4, 4, 5, 4, 3, 2, 4, 4, 2, 3, 4, 2.0]})
    >>> spec = OutcomeSpec(id="efficacy", construct="efficacy", label={"en": "Efficacy"}, roles=["citizen"])
    >>> reasons = {}
    >>> res = control_comparison(scored, None, [(spec, "y")], covariates=("age",), adjustment="propensity",
    ...                          trim=None, featured=["efficacy"], level=0.95, reasons=reasons)
    >>> res.balance.balance[["covariate", "asmd_before", "asmd_after"]].round(3)
      covariate  asmd_before  asmd_after
    0       age        0.536       0.042
    >>> res.did_adjusted[["outcome", "term", "estimate", "adjustment"]].round(3)
        outcome          term  estimate           adjustment
    0  efficacy  treated:post     0.977  propensity_weighted
    >>> reasons["event_study"]
    'the responses of participants and controls have no wave after post (follow-up)'
    """
    import warnings

    from deliberval.analysis.event_study import event_study
    from deliberval.analysis.propensity import propensity_weights

    if "group" not in scored.columns or not (scored["group"] == "control").any():
        why = "no control group in the responses (group == 'control')"
        for key in ("balance", "did_adjusted", "event_study"):
            reasons[key] = why
        return ControlComparison()
    cit = scored.loc[scored["group"].isin(["participant", "control"]) & scored["wave"].isin(WAVES)]
    if "role" in cit.columns:
        cit = cit.loc[cit["role"] == "citizen"]
    citizens = [(spec, col) for spec, col in measured if spec.roles == ["citizen"]]
    covs = [str(c) for c in covariates]
    result = None
    categories = _empty(BALANCE_CATEGORY_COLUMNS)
    weights: pd.Series | None = None
    base = None
    if not covs:
        reasons["balance"] = reasons["did_adjusted"] = (
            "no covariates given for the control group (controls: covariates)")
    else:
        base = _baseline(cit, members, covs)
        empty = _empty_levels(base, covs)
        if empty is not None:
            reasons["balance"] = empty
        else:
            try:
                result = propensity_weights(base, "group", covs, target="treated", treated="participant",
                                            trim=trim)
            except AnalysisInputError as exc:
                reasons["balance"] = str(exc)
        if result is not None:
            categories = _categories(base, result, covs)
            weights = result.weights["weight"]
        if adjustment == "propensity" and result is None:
            reasons["did_adjusted"] = "no propensity weights: " + reasons["balance"]

    def frame(rows: pd.DataFrame) -> pd.DataFrame:
        if base is None:
            return rows
        extra = base[covs]
        if adjustment == "propensity" and weights is not None:
            extra = extra.assign(**{_WEIGHT: weights.to_numpy()})
        return rows.drop(columns=[c for c in covs if c in rows.columns]).join(extra, on="respondent_id")

    tag = ("propensity_weighted" if adjustment == "propensity" else "covariate_adjusted") if covs else "unadjusted"
    weight_col = _WEIGHT if covs and adjustment == "propensity" else None

    def columns(df: pd.DataFrame, col: str) -> pd.DataFrame:
        # the columns event_study() reads: its row selections copy these, not the whole scored table
        wanted = dict.fromkeys(["respondent_id", "wave", "group", col, *covs, *([weight_col] if weight_col else [])])
        return df[[c for c in wanted if c in df.columns]]

    def run(df: pd.DataFrame, col: str, waves: list[str]) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # as _did: unused coefficients' variances
            r = event_study(columns(df, col), col, waves=waves, covariates=covs or None, weight=weight_col,
                            confidence_level=level)
        return r.loc[r["model"] == "event_study"].reset_index(drop=True)

    adjusted = []
    if "did_adjusted" not in reasons:
        rows = frame(cit.loc[cit["wave"].isin(["pre", "post"])])
        for spec, col in citizens:
            try:
                r = run(rows, col, ["pre", "post"])
            except AnalysisInputError as exc:
                reasons[f"did_adjusted:{spec.id}"] = str(exc)
                continue
            used = columns(rows, col)
            used = used.loc[used[col].notna() & used[covs].notna().all(axis=1)]
            if weight_col is not None:
                used = used.loc[used[weight_col].notna() & (used[weight_col] > 0)]
            counts = used.groupby("group")["respondent_id"].nunique()
            r.insert(0, "outcome", spec.id)
            r["adjustment"] = tag
            r["n_participant"] = int(counts.get("participant", 0))
            r["n_control"] = int(counts.get("control", 0))
            adjusted.append(r)
        if not adjusted:
            reasons.setdefault("did_adjusted", "no outcome could be compared with the control group "
                                               "with the covariates")

    waves = [w for w in WAVES if (cit["wave"] == w).any()]
    studies = []
    if len(waves) < 3:
        reasons["event_study"] = "the responses of participants and controls have no wave after post (follow-up)"
    elif base is not None and adjustment == "propensity" and result is None:
        reasons["event_study"] = "no propensity weights: " + reasons["balance"]
    else:
        rows = frame(cit)
        ids = [spec.id for spec, _ in citizens]
        chosen = [c for c in citizens if c[0].id in featured] or citizens[:1]
        for spec, col in chosen:
            try:
                r = run(rows, col, waves)
            except AnalysisInputError as exc:
                reasons[f"event_study:{spec.id}"] = str(exc)
                continue
            r.insert(0, "outcome", spec.id)
            r["adjustment"] = tag
            studies.append(r)
        if not studies:
            reasons.setdefault("event_study", "no outcome could be followed over the waves"
                               if ids else "no citizens' outcome is measured")
    return ControlComparison(
        balance=result, categories=categories,
        did_adjusted=pd.concat(adjusted, ignore_index=True) if adjusted else _empty(["outcome"]),
        event_study=pd.concat(studies, ignore_index=True) if studies else _empty(["outcome"]))
