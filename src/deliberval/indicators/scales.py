"""Psychometric diagnostics of every multi-item scale of an instrument, with flags.

:func:`scale_diagnostics` runs the analyses of :mod:`deliberval.analysis.psychometrics` and
:mod:`deliberval.analysis.cfa` once per scale (and per level of ``by``) on responses that are
already scored, and turns their results into one row per scale with a status and the reasons
for it. It was ``deliberval.analysis.psychometrics_report``, which scored raw codes itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from deliberval.analysis._common import check_confidence_level, require_columns
from deliberval.analysis.cfa import cfa, invariance
from deliberval.analysis.psychometrics import item_statistics, reliability
from deliberval.errors import AnalysisInputError
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import item_rules

__all__ = ["INVARIANCE_COLUMNS", "MIN_PER_LANGUAGE", "scale_diagnostics", "scale_invariance"]

_STAT_COLUMNS = [
    "n_items",
    "n",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "confidence_level",
    "omega_total",
    "cfa_df",
    "cfi",
    "tli",
    "rmsea",
    "srmr",
    "min_std_loading",
    "invariance",
    "status",
    "flags",
    "method",
]
_FLOAT_COLUMNS = [
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "confidence_level",
    "omega_total",
    "cfi",
    "tli",
    "rmsea",
    "srmr",
    "min_std_loading",
]
_METHOD = "Cronbach's alpha with Feldt interval; omega total (one-factor minres); one-factor ML CFA"
_RULE_TEXT = "a step fails when delta CFI < -0.01 and the chi-square difference p < 0.025"


def _invariance_method(form: str) -> str:
    return f"; {form} CFA invariance ({_RULE_TEXT})"


def _repeats(df: pd.DataFrame, column: str, respondent: str) -> bool:
    """Whether some respondent answered in two or more levels of ``column``."""
    if respondent not in df.columns or respondent == column:
        return False
    sub = df[[respondent, column]].dropna()
    return bool((sub.drop_duplicates().groupby(respondent, sort=False)[column].size() > 1).any())


def _invariance_form(
    df: pd.DataFrame, column: str, respondent: str, ordered: bool, estimator: str
) -> tuple[bool, str]:
    """Whether the test is longitudinal, and its form in words (estimator included)."""
    longitudinal = _repeats(df, column, respondent)
    if longitudinal:
        return (
            True,
            f"longitudinal {estimator} across {column} (same respondents, residuals of an item correlated across {column})",
        )
    est = "ordinal WLSMV" if ordered else estimator
    note = ""
    if column == "wave":
        note = (
            f" (no respondent repeats across waves or no {respondent!r} column: waves treated "
            "as independent groups)"
        )
    return False, f"multi-group {est} across {column}{note}"


def _scale_row(
    items_df: pd.DataFrame, items: list[str], thresholds: dict[str, float], confidence_level: float
) -> dict[str, object]:
    """Statistics, status and flags of one scale on one block of rows."""
    row: dict[str, object] = {"n_items": len(items)}
    flags: list[str] = []
    if len(items) == 2:
        flags.append("two-item scale: alpha is only the Spearman-Brown of one correlation")
    rel = reliability(items_df, items, confidence_level=confidence_level, n_resamples=0)
    feldt = rel[rel["method"] == "feldt"].iloc[0]
    alpha = float(feldt["estimate"])
    omega_total = float(rel.loc[rel["statistic"] == "omega_total", "estimate"].iloc[0])
    row.update(
        n=int(feldt["n"]),
        alpha=alpha,
        alpha_ci_low=float(feldt["ci_low"]),
        alpha_ci_high=float(feldt["ci_high"]),
        omega_total=omega_total,
    )
    if alpha < thresholds["alpha"]:
        flags.append(f"alpha {alpha:.2f} < {thresholds['alpha']:.2f}")
    if omega_total < thresholds["omega"]:
        flags.append(f"omega {omega_total:.2f} < {thresholds['omega']:.2f}")
    if len(items) >= 3:
        stats_ = item_statistics(items_df, items)
        negative = stats_.loc[stats_["item_rest_r"] < 0, "item"].tolist()
        if negative:
            flags.append(
                f"negative item-rest correlation: {', '.join(negative)} (reverse keying missing?)"
            )
        res = cfa(items_df, {"scale": items})
        fit = res.fit.iloc[0]
        if not bool(fit["converged"]):
            flags.append("one-factor CFA did not converge (an item may be unrelated to the others)")
            row["flags"] = "; ".join(flags)
            row["status"] = "check"
            return row
        min_load = float(res.loadings["std_loading"].min())
        row.update(
            cfa_df=int(fit["df"]),
            cfi=fit["cfi"],
            tli=fit["tli"],
            rmsea=fit["rmsea"],
            srmr=fit["srmr"],
            min_std_loading=min_load,
        )
        if fit["df"] == 0:
            # a just-identified model reproduces the covariances exactly: CFI 1, RMSEA 0 and
            # SRMR 0 say nothing about fit, so they are left empty rather than shown as perfect
            row.update(cfi=np.nan, tli=np.nan, rmsea=np.nan, srmr=np.nan)
            flags.append(
                "note: fit not testable (three items: the one-factor model is just identified, "
                "df = 0; CFI, TLI, RMSEA and SRMR left empty)"
            )
        elif fit["cfi"] < thresholds["cfi"]:
            flags.append(f"CFI {fit['cfi']:.3f} < {thresholds['cfi']:.2f}")
        weak = res.loadings.loc[
            res.loadings["std_loading"] < thresholds["loading"], "item"
        ].tolist()
        if weak:
            flags.append(f"loading < {thresholds['loading']:.2f}: {', '.join(weak)}")
    row["flags"] = "; ".join(flags)
    row["status"] = "check" if any(not f.startswith("note:") for f in flags) else "ok"
    return row


def _strongest(inv: pd.DataFrame) -> str:
    """The verdict of the strongest step that holds, then that of the first that does not."""
    steps = inv["verdict"].iloc[1:]
    holds = steps[steps.str.contains("invariance holds")]
    fails = steps[~steps.str.contains("invariance holds")]
    return "; ".join(str(v) for v in (*holds.iloc[-1:], *fails.iloc[:1]))


def _keyed_items(scored: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The instrument's numeric item columns of ``scored``, reverse-keyed items reversed.

    Raises :class:`AnalysisInputError` when an item still holds one of its missing codes: the
    frame then holds raw codes, not scored responses.
    """
    out: dict[str, np.ndarray] = {}
    for item_id, rule in item_rules(instrument).items():
        if item_id not in scored.columns or rule.kind != "numeric":
            continue
        col = scored[item_id]
        if not pd.api.types.is_numeric_dtype(col):
            out[item_id] = col.to_numpy()  # reliability() names the non-numeric item
            continue
        values = col.to_numpy(dtype=float, na_value=np.nan)
        codes = [c for c in rule.missing if isinstance(c, int | float) and not isinstance(c, bool)]
        found = [c for c in codes if (values == float(c)).any()]
        if found:
            raise AnalysisInputError(
                f"item {item_id!r} holds its missing code(s) {', '.join(map(str, found))}: "
                "scale_diagnostics takes scored responses (missing codes already set to NA, as "
                "deliberval.score returns them), not raw codes"
            )
        if rule.reverse and rule.min is not None and rule.max is not None:
            values = rule.min + rule.max - values
        out[item_id] = values
    return pd.DataFrame(out, index=scored.index)


def scale_diagnostics(
    scored: pd.DataFrame,
    instrument: Instrument,
    *,
    by: str | Sequence[str] | None = None,
    invariance_across: str | None = None,
    respondent: str = "respondent_id",
    ordered: bool = False,
    estimator: str = "ML",
    confidence_level: float = 0.95,
    alpha_threshold: float = 0.70,
    omega_threshold: float = 0.70,
    cfi_threshold: float = 0.95,
    loading_threshold: float = 0.40,
) -> pd.DataFrame:
    """Reliability and factor structure of every multi-item scale of an instrument, with flags.

    Parameters
    ----------
    scored : pandas.DataFrame
        Scored responses: one row per respondent (and wave), the instrument's item columns
        cleaned of missing codes (``NA`` where there is no substantive answer) but with
        reverse-keyed items still as answered, plus the ``by`` and ``invariance_across``
        columns, e.g. the frame :func:`deliberval.score` returns. This function scores nothing:
        an item that still holds one of its missing codes is an error. Items marked
        ``reverse: true`` in the instrument are reversed here (``low + high - x`` over the
        response scale's range) before every analysis.
    instrument : Instrument
        The instrument whose ``scales`` are analysed.
    by : str or list of str, optional
        One block of results per level of this column (or combination of levels of these
        columns), e.g. ``"wave"``; rows with a missing ``by`` value are left out. Default: all
        rows together.
    invariance_across : str, optional
        Also test configural / metric / scalar invariance of every scale with 3+ items across
        the levels of this column (one multi-group model over all rows, see
        :func:`deliberval.analysis.cfa.invariance`) and report the verdict of the strongest
        level that holds and of the first that does not. When some respondent (``respondent`` column) answered in two or more
        levels of the column (typically ``wave``), the levels are not independent groups: the
        test is then longitudinal (``invariance(wave=invariance_across, respondent=...)``: one
        factor per level, residuals of the same item correlated, fitted to the respondents
        who answered every item in every level). Otherwise it is multi-group
        (``invariance(across=invariance_across)``). The ``invariance`` text starts with the
        form used.
    respondent : str, default "respondent_id"
        The person column that decides (and, longitudinally, pairs) repeated answers.
    ordered : bool, default False
        Multi-group tests treat the items as ordinal (WLSMV, Wu-Estabrook identification; see
        :func:`deliberval.analysis.cfa.invariance`). Longitudinal ordinal invariance is not
        implemented: with ``ordered`` and repeated respondents the verdict is ``not
        estimated`` with that reason.
    estimator : {"ML", "MLR"}, default "ML"
        Estimator of the (continuous) invariance models; not with ``ordered``.
    confidence_level : float, default 0.95
        Coverage of Feldt's alpha interval.
    alpha_threshold, omega_threshold, cfi_threshold, loading_threshold : float
        Conventional cut-offs (0.70, 0.70, 0.95, 0.40) below which a scale is flagged.

    Returns
    -------
    pandas.DataFrame
        One row per scale (and level of ``by``), with columns:

        - ``scale``: the scale id;
        - the ``by`` column(s) under their own names and with their own values (only with
          ``by``);
        - ``n_items``: the scale's items present in ``scored``;
        - ``n``: complete rows (respondents who answered every item; ``<NA>`` when not
          estimated);
        - ``alpha``, ``alpha_ci_low``, ``alpha_ci_high``: Cronbach's alpha and Feldt's interval;
        - ``confidence_level``: the interval's coverage;
        - ``omega_total``: McDonald's omega total (one factor);
        - ``cfa_df``, ``cfi``, ``tli``, ``rmsea``, ``srmr``: fit of the one-factor CFA (NA for
          two-item scales and models that did not converge; ``cfi``, ``tli``, ``rmsea`` and
          ``srmr`` also NA for three-item scales, whose one-factor model is just identified,
          ``cfa_df`` 0: its fit is not testable and a ``note: fit not testable`` flag says so);
        - ``min_std_loading``: the smallest standardised loading of that CFA;
        - ``invariance``: ``"<form>: <verdict>"``, the form of the test (``multi-group ML
          across language``, ``multi-group ordinal WLSMV across ...``, ``longitudinal ML across
          wave (same respondents, ...)``), the verdict of the strongest level that holds and
          that of the first that does not (if any) across ``invariance_across``; empty without it or for scales of
          fewer than 3 items; ``"<form>: not estimated: <reason>"`` when the models could not
          be fitted;
        - ``status``: ``ok``, ``check`` or ``not_estimated``;
        - ``flags``: the reasons, separated by ``"; "`` (entries starting with ``note:`` are
          information and do not set ``check``);
        - ``method``: the statistics computed.

    Raises
    ------
    AnalysisInputError
        ``scored`` is not a DataFrame, lacks a ``by`` or ``invariance_across`` column, a ``by``
        column clashes with an output column, an item holds a missing code, or
        ``confidence_level`` is not between 0 and 1, ``estimator`` is not ML or MLR, or
        ``ordered`` is combined with MLR.

    Notes
    -----
    Flags: alpha or omega below .70, items correlating negatively with the rest of the scale
    (usually a reverse-worded item not marked ``reverse: true``), CFI below .95 (not for
    just-identified three-item models, whose fit cannot be tested), standardised loadings
    below .40, two-item scales (alpha is then a function of a single correlation; Eisinga, te
    Grotenhuis & Pelzer, 2013). A scale that cannot be estimated (too few complete rows, a
    constant item, ...) gets status ``not_estimated`` and the reason in ``flags`` instead of
    stopping the diagnostics. The statistics are those of :func:`deliberval.reliability`
    (Feldt interval, validated against R psych), :func:`deliberval.item_statistics` and
    :func:`deliberval.cfa` (validated against R lavaan).

    References
    ----------
    Eisinga, R., te Grotenhuis, M., & Pelzer, B. (2013). The reliability of a two-item scale:
    Pearson, Cronbach, or Spearman-Brown? *International Journal of Public Health*, 58,
    637-642.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from deliberval.instruments.model import Instrument
    >>> inst = Instrument.model_validate({
    ...     "id": "demo", "version": "1.0.0", "title": {"en": "Demo"},
    ...     "languages": {"en": {"status": "source"}}, "licence": "CC-BY-4.0",
    ...     "response_scales": [{"id": "agree_5", "type": "likert", "min": 1, "max": 5}],
    ...     "items": [{"id": i, "construct": "c", "text": {"en": i}, "scale": "agree_5",
    ...                "waves": ["pre"], "respondents": ["citizen"],
    ...                "source": {"citation": "x", "wording": "new"}} for i in ("a", "b", "c", "d")],
    ...     "scales": [{"id": "c", "construct": "c", "items": ["a", "b", "c", "d"],
    ...                 "scoring": {"method": "mean", "min_valid": 3}}]})
    >>> gen = np.random.default_rng(0)
    >>> f = gen.normal(size=(300, 1))
    >>> scored = pd.DataFrame(np.clip(np.round(3 + f + 0.8 * gen.normal(size=(300, 4))), 1, 5),
    ...                       columns=list("abcd"))
    >>> diag = scale_diagnostics(scored, inst)
    >>> diag[["scale", "n", "alpha", "cfi", "status"]].round(3)
      scale    n  alpha    cfi status
    0     c  300  0.841  0.991     ok
    """
    level = check_confidence_level(confidence_level)
    by_cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    extra = [*by_cols] + ([invariance_across] if invariance_across is not None else [])
    require_columns(scored, extra, what="scored")
    clash = [c for c in by_cols if c in ("scale", *_STAT_COLUMNS)]
    if clash:
        raise AnalysisInputError(
            f"by column(s) {', '.join(map(repr, clash))} clash with an output column; rename first"
        )
    thresholds = {
        "alpha": alpha_threshold,
        "omega": omega_threshold,
        "cfi": cfi_threshold,
        "loading": loading_threshold,
    }
    items_df = _keyed_items(scored, instrument)
    for c in dict.fromkeys(extra):
        if c not in items_df.columns:
            items_df[c] = scored[c].to_numpy()
    blocks: list[tuple[tuple[object, ...], pd.DataFrame]]
    if by_cols:
        blocks = [
            (key if isinstance(key, tuple) else (key,), part)
            for key, part in items_df.groupby(by_cols, sort=False, dropna=True)
        ]
    else:
        blocks = [((), items_df)]
    if estimator not in ("ML", "MLR"):
        raise AnalysisInputError(f"estimator must be 'ML' or 'MLR', got {estimator!r}")
    if ordered and estimator != "ML":
        raise AnalysisInputError(
            "ordered=True uses WLSMV; it cannot be combined with estimator='MLR'"
        )
    longitudinal, form = False, ""
    if invariance_across is not None:
        if respondent in scored.columns and respondent not in items_df.columns:
            items_df[respondent] = scored[respondent].to_numpy()
        longitudinal, form = _invariance_form(
            items_df, invariance_across, respondent, ordered, estimator
        )
    method = _METHOD + (_invariance_method(form) if invariance_across is not None else "")
    rows: list[dict[str, object]] = []
    for sc in instrument.scales:
        items = [i for i in sc.items if i in items_df.columns]
        verdict = ""
        if invariance_across is not None and len(items) >= 3:
            try:
                if longitudinal and ordered:
                    raise AnalysisInputError(
                        "longitudinal invariance of ordinal items is not implemented (drop "
                        "--ordered / ordered=True for the longitudinal ML test)"
                    )
                inv = (
                    invariance(
                        items_df,
                        items,
                        wave=invariance_across,
                        respondent=respondent,
                        estimator=estimator,
                    )
                    if longitudinal
                    else invariance(
                        items_df,
                        items,
                        across=invariance_across,
                        ordered=ordered,
                        estimator=estimator,
                    )
                )
                verdict = f"{form}: {_strongest(inv)}"
            except AnalysisInputError as exc:
                verdict = f"{form}: not estimated: {exc}"
        for key, part in blocks:
            base: dict[str, object] = {
                "scale": sc.id,
                **dict(zip(by_cols, key, strict=True)),
                "confidence_level": level,
                "invariance": verdict,
                "method": method,
            }
            if len(items) < 2:
                rows.append(
                    {
                        **base,
                        "n_items": len(items),
                        "status": "not_estimated",
                        "flags": f"only {len(items)} of the scale's items are in the data",
                    }
                )
                continue
            try:
                rows.append({**base, **_scale_row(part, items, thresholds, level)})
            except AnalysisInputError as exc:
                rows.append(
                    {**base, "n_items": len(items), "status": "not_estimated", "flags": str(exc)}
                )
    out = pd.DataFrame(rows, columns=["scale", *by_cols, *_STAT_COLUMNS])
    for col in _FLOAT_COLUMNS:
        out[col] = out[col].astype(float)
    out["n_items"] = out["n_items"].astype(int)
    for col in ("n", "cfa_df"):
        out[col] = out[col].astype("Int64")
    for c in by_cols:  # keep the by columns' own dtypes
        out[c] = out[c].astype(scored[c].dtype)
    return out


MIN_PER_LANGUAGE = 50
"""Fewest complete respondents a language (or the panel, for waves) needs to enter
:func:`scale_invariance`: below about 50 per group the difference tests of a 3-10 item
one-factor model lose most of their power and polychoric correlations rest on nearly empty
cells (the verdict's benchmark uses 60 per language; docs/methods/psychometrics.md)."""

INVARIANCE_COLUMNS = [
    "scale",
    "comparison",
    "levels",
    "estimator",
    "n",
    "step",
    "holds",
    "delta_cfi",
    "diff_p_value",
    "note",
    "detail",
]


def _ordinal_reason(df: pd.DataFrame, items: list[str], across: str) -> str:
    """Why the items cannot be treated as ordinal across ``across`` ("" when they can).

    Ordinal means Likert-type: integer answers, 3 to 10 categories per item, every category
    of an item used in every level of ``across``.
    """
    for it in items:
        values = df[it].to_numpy(dtype=float)
        if not np.all(values == np.round(values)):
            return "categories"
        cats = set(np.unique(values).tolist())
        if not 3 <= len(cats) <= 10:
            return "categories"
        for _, part in df.groupby(across, sort=False):
            if set(np.unique(part[it].to_numpy(dtype=float)).tolist()) != cats:
                return "unused_category"
    return ""


def _first_decisive(inv: pd.DataFrame) -> tuple[str, object, float, float]:
    """The step the verdict rests on: the first that fails, else the last (all hold).

    Returns its model name, whether it holds (``pd.NA`` when not assessed), delta CFI and the
    difference p.
    """
    rows = inv.iloc[1:]
    for _, r in rows.iterrows():
        text = str(r["verdict"])
        if "does not hold" in text:
            return str(r["model"]), False, float(r["delta_cfi"]), float(r["diff_p_value"])
        if "not assessed" in text:
            return str(r["model"]), pd.NA, np.nan, np.nan
    last = rows.iloc[-1]
    return str(last["model"]), True, float(last["delta_cfi"]), float(last["diff_p_value"])


def _invariance_row(
    scale: str,
    comparison: str,
    levels: Sequence[object],
    fit: pd.DataFrame | None,
    estimator: str,
    note: str,
    detail: str = "",
) -> dict[str, object]:
    row: dict[str, object] = {
        "scale": scale,
        "comparison": comparison,
        "levels": ", ".join(map(str, levels)),
        "estimator": estimator,
        "n": pd.NA,
        "step": "",
        "holds": pd.NA,
        "delta_cfi": np.nan,
        "diff_p_value": np.nan,
        "note": note,
        "detail": detail,
    }
    if fit is not None:
        step, holds, dc, p = _first_decisive(fit)
        row.update(n=int(fit["n"].iloc[0]), step=step, holds=holds, delta_cfi=dc, diff_p_value=p)
        if holds is pd.NA and not note:
            row["note"] = "not_converged"
    return row


def scale_invariance(
    scored: pd.DataFrame,
    instrument: Instrument,
    *,
    language: str = "language",
    wave: str = "wave",
    respondent: str = "respondent_id",
    waves: Sequence[str] = ("pre", "post"),
    min_n: int = MIN_PER_LANGUAGE,
) -> pd.DataFrame:
    """Measurement invariance of every scale of 3+ items across languages and across waves.

    Parameters
    ----------
    scored : pandas.DataFrame
        Scored responses as for :func:`scale_diagnostics` (reverse-keyed items reversed here),
        with the ``language``, ``wave`` and ``respondent`` columns when present.
    instrument : Instrument
        The instrument whose ``scales`` are tested.
    language : str, default "language"
        Languages compared as independent groups, on the rows of the first of ``waves`` present
        (each person once); only languages with at least ``min_n`` respondents who answered
        every item of the scale, and only when two or more such languages remain.
    wave, respondent : str
        The wave and person columns: the first two of ``waves`` present are compared
        longitudinally (the same people, residuals of an item correlated across waves) when at
        least ``min_n`` respondents answered every item in both.
    waves : sequence of str, default ("pre", "post")
        The waves, first the one the language comparison uses.
    min_n : int, default :data:`MIN_PER_LANGUAGE` (50)
        Fewest complete respondents per language (languages) and in both waves (waves).

    Returns
    -------
    pandas.DataFrame
        One row per scale and comparison made (none when neither applies), with columns:

        - ``scale``: the scale id;
        - ``comparison``: ``languages`` or ``waves``;
        - ``levels``: the languages or waves compared, separated by ``", "``;
        - ``estimator``: ``WLSMV`` (ordinal multi-group) or ``ML``;
        - ``n``: rows (languages) or respondents (waves) fitted;
        - ``step``: the step the verdict rests on, the first that fails or else the last:
          ``metric`` / ``scalar`` (ML), ``thresholds`` / ``thresholds_loadings`` (WLSMV),
          ``partial_`` forms never (no parameter is freed); empty when not estimated;
        - ``holds``: whether that step holds (``<NA>`` when not assessed);
        - ``delta_cfi``, ``diff_p_value``: its change in CFI and chi-square difference p;
        - ``note``: why the form is what it is: ``""``; ``categories`` (ML because an item is not
          Likert-type with 3-10 integer categories); ``unused_category`` (ML because a category is
          unused in some language); ``ordinal_failed`` (ML because the ordinal models could not
          be fitted); ``not_estimated`` (no verdict; ``detail`` says why); ``not_converged``;
        - ``detail``: the error of a model that could not be fitted (English; not for reports).

    Notes
    -----
    The tests are those of :func:`deliberval.analysis.cfa.invariance` (validated against R
    lavaan): across languages ``across=language`` with ``ordered=True`` (WLSMV, Wu-Estabrook
    identification) when every item is Likert-type with 3-10 categories all used in every
    language, else ML; across waves ``wave=..., respondent=...`` with ML (longitudinal ordinal
    invariance is not implemented). A step fails when delta CFI < -0.01 and the chi-square
    difference p < 0.025.
    """
    items_df = _keyed_items(scored, instrument)
    for c in (language, wave, respondent):
        if c in scored.columns and c not in items_df.columns:
            items_df[c] = scored[c].to_numpy()
    present = [w for w in waves if (items_df[wave] == w).any()] if wave in items_df.columns else []
    rows: list[dict[str, object]] = []
    for sc in instrument.scales:
        items = [i for i in sc.items if i in items_df.columns]
        if len(items) < 3:
            continue
        if language in items_df.columns:
            base = items_df[items_df[wave] == present[0]] if present else items_df
            base = base.dropna(subset=[*items, language])
            sizes = base[language].value_counts(sort=False)
            keep = sorted(str(k) for k, v in sizes.items() if v >= min_n)
            if len(keep) >= 2:
                data = base[base[language].astype(str).isin(keep)]
                note = _ordinal_reason(data, items, language)
                fit, est = None, "ML"
                if not note:
                    try:
                        fit, est = invariance(data, items, across=language, ordered=True), "WLSMV"
                    except (AnalysisInputError, ArithmeticError):
                        # ArithmeticError: the ordinal fit indices of a just-identified
                        # configural model (3 items) divide by df = 0 in cfa.invariance
                        note = "ordinal_failed"
                try:
                    if fit is None:
                        fit = invariance(data, items, across=language)
                    rows.append(_invariance_row(sc.id, "languages", keep, fit, est, note))
                except AnalysisInputError as exc:
                    rows.append(
                        _invariance_row(
                            sc.id, "languages", keep, None, "ML", "not_estimated", str(exc)
                        )
                    )
        if len(present) >= 2 and respondent in items_df.columns:
            pair = items_df[items_df[wave].isin(present[:2])].dropna(subset=[*items, respondent])
            both = pair.groupby(respondent, sort=False)[wave].nunique()
            if int((both >= 2).sum()) >= min_n:
                pair = pair[pair[respondent].isin(both.index[both >= 2])]
                try:
                    fit = invariance(pair, items, wave=wave, respondent=respondent)
                    rows.append(_invariance_row(sc.id, "waves", present[:2], fit, "ML", ""))
                except AnalysisInputError as exc:
                    rows.append(
                        _invariance_row(
                            sc.id, "waves", present[:2], None, "ML", "not_estimated", str(exc)
                        )
                    )
    out = pd.DataFrame(rows, columns=INVARIANCE_COLUMNS)
    out["n"] = out["n"].astype("Int64")
    out["holds"] = out["holds"].astype("boolean")
    for col in ("delta_cfi", "diff_p_value"):
        out[col] = out[col].astype(float)
    return out
