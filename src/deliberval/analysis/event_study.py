"""Covariate-adjusted difference-in-differences and its event-study form over several waves.

:func:`event_study` fits ``y ~ treated * wave + covariates`` by OLS on the canonical responses
table, with the first wave as the reference, and reports each later wave's
difference-in-differences (``treated:<wave>``) with cluster-robust (CR2 or CR1) standard errors.
With two waves and covariates it is the covariate-adjusted difference-in-differences; with
pre / post / follow-up waves it shows whether an effect lasts.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from deliberval.analysis._common import (
    as_list,
    check_confidence_level,
    check_unique,
    check_waves,
    numeric_column,
    require_columns,
    t_quantile,
)
from deliberval.analysis.did import (
    _RELATIVE_ZERO,
    CR2_MAX_CLUSTERS,
    DID_COLUMNS,
    DegenerateDIDWarning,
    _fit,
)
from deliberval.errors import AnalysisInputError

__all__ = ["EVENT_STUDY_COLUMNS", "event_study"]

#: Columns of :func:`event_study`: those of :func:`~deliberval.analysis.did.did` with ``wave``
#: after ``term`` and ``n_excluded`` before ``method``.
EVENT_STUDY_COLUMNS = [*DID_COLUMNS[:2], "wave", *DID_COLUMNS[2:-1], "n_excluded", DID_COLUMNS[-1]]


def event_study(
    df: pd.DataFrame,
    outcome: str,
    *,
    waves: Sequence[str] = ("pre", "post"),
    covariates: str | Sequence[str] | None = None,
    weight: str | None = None,
    respondent: str = "respondent_id",
    wave: str = "wave",
    group: str = "group",
    treated: str = "participant",
    control: str = "control",
    cluster: str | None = None,
    vcov: Literal["auto", "CR1", "CR2"] = "auto",
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Difference-in-differences per wave, adjusted for covariates (event-study form).

    Parameters
    ----------
    df : DataFrame
        Canonical responses table (long form, one row per respondent x wave), scored.
    outcome : str
        Outcome column.
    waves : sequence of str
        The waves in order; the first is the reference (usually ``"pre"``), e.g.
        ``("pre", "post", "followup")``. Two waves give the covariate-adjusted
        difference-in-differences.
    covariates : str or sequence of str, optional
        Columns adjusted for, taken from each row (merge baseline values onto every wave for
        time-invariant covariates): numeric as they are, others as treatment dummies (first
        level alphabetically the reference).
    weight : str, optional
        Non-negative weights per row (e.g. ``propensity_weights(...).weights["weight"]``
        joined to every wave of the respondent): weighted least squares; rows with a missing
        or zero weight are left out (counted in ``n_excluded``). Standard errors follow
        ``vcov`` (CR2 with the identity working model of clubSandwich for ``lm`` weights).
    respondent, wave, group : str
        Respondent, wave and group columns.
    treated, control : str
        Values of ``group`` for participants and the comparison group.
    cluster : str, optional
        Cluster column for the robust SEs; the ``respondent`` column by default.
    vcov : {"auto", "CR1", "CR2"}
        As in :func:`~deliberval.analysis.did.did`: ``"CR1"`` (Stata small-sample factor, t on
        ``G - 1`` df), ``"CR2"`` (Bell-McCaffrey, Satterthwaite df) or ``"auto"`` (CR2 when
        the smaller group has fewer than 30 clusters).
    confidence_level : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per coefficient but the intercept, in this order: ``model`` ``event_study``
        (term ``treated:<wave>`` for every wave after the first: the difference-in-differences
        of that wave against the reference), ``baseline_difference`` (term ``treated``:
        treated minus control at the reference wave, adjusted), ``wave`` (term ``<wave>``: the
        control group's change) and ``covariate`` (term the covariate, or ``column=level``),
        with columns

        - ``model``, ``term``, ``wave`` (the wave of the term; missing for covariates);
        - ``estimate``, ``se`` (cluster-robust), ``ci_low``, ``ci_high``, ``confidence_level``;
        - ``statistic`` (``estimate / se``), ``df`` (Satterthwaite with CR2, ``G - 1`` with
          CR1), ``p_value`` (two-sided t);
        - ``n``: respondents of the smaller group among the rows used;
        - ``n_rows``: rows (respondent x wave) in the model; ``n_clusters``: clusters ``G``;
        - ``n_excluded``: rows of the chosen waves and groups left out for a missing outcome or
          covariate;
        - ``method``: model and variance estimator.

    Raises
    ------
    AnalysisInputError
        If a column or wave is missing, fewer than two waves are given, a group has no rows at
        a wave, ids repeat within a wave, ``vcov`` is unknown, or the design is singular (a
        covariate constant or collinear with the groups and waves).

    Warns
    -----
    DegenerateDIDWarning
        When a standard error is zero up to rounding; that row's ``se``, interval, statistic
        and p-value are NaN.

    Notes
    -----
    OLS of ``y = b0 + b1 treated + sum_w g_w [wave = w] + sum_w d_w treated [wave = w] + c'x``
    (``w`` over the waves after the reference) on every row with the outcome and covariates
    observed; ``d_w`` is the difference-in-differences of wave ``w``. Respondents missing a wave
    contribute their other waves (an unbalanced panel), so attrition that depends on the
    outcome biases it as it biases :func:`~deliberval.analysis.did.did`; weight with
    :func:`~deliberval.analysis.propensity.propensity_weights` or compare with the completers.
    Standard errors are clustered by respondent (or ``cluster``): CR2 ``(I - H_gg)^(-1/2)``
    adjusted residuals with Satterthwaite df (Bell & McCaffrey 2002; Pustejovsky & Tipton
    2018), or CR1 with the factor ``G/(G-1) (N-1)/(N-K)`` and ``G - 1`` df.

    With ``weight``, weighted least squares with the CR1 covariance
    ``c M (sum_g X_g' W_g e_g e_g' W_g X_g) M``, ``M = (X'WX)^-1`` (clubSandwich ``CR1S`` of a
    weighted ``lm``) or CR2 with ``A_g = [(I - H)(I - H)']_gg^(-1/2)``, ``H = X M X'W`` (the
    identity working model clubSandwich uses for weights that are not inverse-variance weights),
    chosen by ``vcov`` as without weights. Weighted CR2 validated against clubSandwich
    (0.5.8) ``vcovCR(lm(..., weights = w), type = "CR2")`` + ``coef_test(test =
    "Satterthwaite")`` + ``conf_int`` to 1e-8 (tests/reference/meta/generate_cr2_weighted.R).

    Validated against R ``lm(y ~ treated * wave + age + gender)`` (also with ``weights =``) + clubSandwich
    ``vcovCR(type = "CR2")`` / ``coef_test(test = "Satterthwaite")`` / ``conf_int`` and
    ``vcovCR(type = "CR1S")`` with ``test = "naive-t"``, three waves and two, to 1e-8
    (tests/reference/event_study).

    References
    ----------
    Pustejovsky, J. E., & Tipton, E. (2018). Small-sample methods for cluster-robust variance
    estimation and hypothesis testing in fixed effects models. *Journal of Business & Economic
    Statistics*, 36(4), 672-683.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.event_study import event_study
    >>> df = pd.DataFrame({
    ...     "respondent_id": [1, 2, 3, 4, 5, 6] * 3,
    ...     "wave": ["pre"] * 6 + ["post"] * 6 + ["followup"] * 6,
    ...     "group": (["participant"] * 3 + ["control"] * 3) * 3,
    ...     "efficacy": [3.0, 2.5, 3.5, 3.0, 2.0, 3.5, 4.0, 3.5, 4.0, 3.5, 2.0, 3.5,
    ...                  3.5, 3.0, 4.0, 3.0, 2.5, 3.5],
    ... })
    >>> r = event_study(df, "efficacy", waves=["pre", "post", "followup"])
    >>> r[["model", "term", "estimate"]].round(3).head(3)
                     model              term  estimate
    0          event_study      treated:post     0.667
    1          event_study  treated:followup     0.333
    2  baseline_difference           treated     0.167
    """
    level = check_confidence_level(confidence_level)
    ws = [str(w) for w in waves] if not isinstance(waves, str) else [waves]
    if len(ws) < 2 or len(set(ws)) != len(ws):
        raise AnalysisInputError(f"waves must name at least two different waves, got {list(waves)!r}")
    covs = as_list(covariates) if covariates is not None else []
    cl = cluster or respondent
    require_columns(df, list(dict.fromkeys([respondent, wave, group, outcome, cl, *covs,
                                            *([weight] if weight else [])])),
                    what="responses table")
    if vcov not in ("auto", "CR1", "CR2"):
        raise AnalysisInputError(f"vcov must be 'auto', 'CR1' or 'CR2', got {vcov!r}")
    check_waves(df, wave, ws)
    sub = df.loc[df[wave].astype(str).isin(ws) & df[group].isin([treated, control])]
    check_unique(sub, respondent, wave)
    y = numeric_column(sub[outcome], outcome)
    keep = y.notna() & sub[covs].notna().all(axis=1)
    if weight is not None:
        wcol = numeric_column(sub[weight], weight)
        if (wcol < 0).any() or np.isinf(wcol.to_numpy(dtype=float, na_value=np.nan)).any():
            raise AnalysisInputError(f"weight column {weight!r} must hold finite, non-negative numbers")
        keep &= wcol.notna() & (wcol > 0)
    n_excluded = int((~keep).sum())
    sub = sub.assign(__y=y).loc[keep]
    wv = sub[wave].astype(str)
    for g in (treated, control):
        for w in ws:
            if not ((sub[group] == g) & (wv == w)).any():
                raise AnalysisInputError(
                    f"group {g!r} has no rows with {outcome!r}"
                    + (" and the covariates" if covs else "")
                    + f" observed at wave {w!r}; the event study needs {treated!r} and "
                    f"{control!r} at every wave"
                )
    if sub[cl].isna().any():
        raise AnalysisInputError(f"cluster column {cl!r} has missing values")

    tr = (sub[group] == treated).to_numpy(dtype=float)
    cols = [np.ones(len(sub)), tr]
    terms: list[tuple[str, str, str | None]] = [("intercept", "(intercept)", None),
                                                ("baseline_difference", "treated", ws[0])]
    for w in ws[1:]:
        cols.append((wv == w).to_numpy(dtype=float))
        terms.append(("wave", w, w))
    for w in ws[1:]:
        cols.append(tr * (wv == w).to_numpy(dtype=float))
        terms.append(("event_study", f"treated:{w}", w))
    for c in covs:
        s = sub[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            cols.append(s.to_numpy(dtype=float))
            terms.append(("covariate", c, None))
        else:
            text = s.astype(str)
            for lev in sorted(text.unique())[1:]:
                cols.append((text == lev).to_numpy(dtype=float))
                terms.append(("covariate", f"{c}={lev}", None))
    x = np.column_stack(cols)
    yv = sub["__y"].to_numpy(dtype=float)
    g_n = int(sub[cl].nunique())
    if len(yv) <= x.shape[1] or g_n < 2:
        raise AnalysisInputError(
            f"{len(yv)} observations in {g_n} cluster(s) of {outcome!r}; the model has "
            f"{x.shape[1]} coefficients and needs more observations than that, in at least 2 clusters"
        )
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise AnalysisInputError(
            "the event-study design is singular: a covariate is constant or collinear with the "
            "groups and waves; drop or merge it"
        )
    per_arm = int(sub.groupby(group)[cl].nunique().reindex([treated, control]).min())
    use_cr2 = vcov == "CR2" or (vcov == "auto" and per_arm < CR2_MAX_CLUSTERS)
    fit = _fit(yv, x, sub[cl].to_numpy(), use_cr2,
               sub[weight].to_numpy(dtype=float) if weight is not None else None)
    scale = max(float(np.max(np.abs(yv))), 1.0)
    n_smaller = int(sub.groupby(group)[respondent].nunique().reindex([treated, control]).min())
    crv = (f"cluster-robust SE (CR2 Bell-McCaffrey, clusters: {cl}), t with Satterthwaite df"
           + (f" (a group has fewer than {CR2_MAX_CLUSTERS} clusters)" if vcov == "auto" else "")
           if use_cr2 else f"cluster-robust SE (CR1, clusters: {cl}), t with G - 1 df")
    adj = f" + {' + '.join(covs)}" if covs else ""
    ls = f"WLS (weights: {weight})" if weight else "OLS"
    method = f"{ls} y ~ treated * wave{adj} (reference wave {ws[0]!r}); {crv}"

    order = {"event_study": 0, "baseline_difference": 1, "wave": 2, "covariate": 3}
    idx = sorted(range(1, len(terms)), key=lambda j: (order[terms[j][0]], j))
    rows = []
    degenerate = []
    for j in idx:
        model, term, term_wave = terms[j]
        est = float(fit.params[j])
        se = float(fit.bse[j])
        if not se > _RELATIVE_ZERO * scale:
            degenerate.append(term)
            se = math.nan
        dof = float(fit.df[j]) if use_cr2 else float(g_n - 1)
        q = t_quantile(level, dof)
        t = est / se if se > 0 else math.nan
        rows.append({
            "model": model, "term": term, "wave": term_wave, "estimate": est, "se": se,
            "ci_low": est - q * se, "ci_high": est + q * se, "confidence_level": level,
            "statistic": t, "df": dof,
            "p_value": float(2 * stats.t.sf(abs(t), dof)) if math.isfinite(t) else math.nan,
            "n": n_smaller, "n_rows": len(yv), "n_clusters": g_n, "n_excluded": n_excluded,
            "method": method,
        })
    if degenerate:
        warnings.warn(
            f"no standard error, test or interval for {', '.join(degenerate)}: zero up to rounding "
            "(reported as NaN)", DegenerateDIDWarning, stacklevel=2)
    return pd.DataFrame(rows, columns=EVENT_STUDY_COLUMNS)
