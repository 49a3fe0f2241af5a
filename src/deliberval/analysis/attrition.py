"""Attrition between two waves: completers against drop-outs, and response-propensity weights.

Takes the canonical responses table (one row per respondent x wave) and returns tidy
:class:`pandas.DataFrame` tables.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from deliberval.analysis._common import as_list, check_unique, check_waves, require_columns
from deliberval.errors import AnalysisInputError

__all__ = ["ATTRITION_COLUMNS", "attrition", "response_weights"]

ATTRITION_COLUMNS = [
    "variable",
    "level",
    "n",
    "n_completers",
    "n_dropouts",
    "completers_value",
    "dropouts_value",
    "estimate",
    "standardised_difference",
    "test",
    "statistic",
    "df",
    "p_value",
    "method",
]


def _completion(
    df: pd.DataFrame, *, respondent: str, wave: str, pre: str, post: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Baseline rows (indexed by respondent) and a boolean Series: did they answer ``post``?"""
    check_waves(df, wave, [pre])
    sub = df.loc[df[wave].isin([pre, post])]
    check_unique(sub, respondent, wave)
    base = sub.loc[sub[wave] == pre].set_index(respondent)
    answered = set(sub.loc[sub[wave] == post, respondent])
    completed = pd.Series(base.index.isin(answered), index=base.index, name="completed")
    return base, completed


def attrition(
    df: pd.DataFrame,
    variables: str | Sequence[str],
    *,
    respondent: str = "respondent_id",
    wave: str = "wave",
    pre: str = "pre",
    post: str = "post",
) -> pd.DataFrame:
    """Compare the baseline answers of completers (answered ``post``) and drop-outs.

    Parameters
    ----------
    df : DataFrame
        Canonical responses table (long form).
    variables : str or sequence of str
        Baseline columns to compare. Numeric columns are compared by their means; text,
        categorical and boolean columns by the share of each category.
    respondent, wave, pre, post : str
        Respondent and wave columns and the two waves.

    Returns
    -------
    DataFrame
        One row per numeric variable, or per category of a categorical variable, with columns

        - ``variable``; ``level``: the category (missing for numeric variables);
        - ``n``: non-missing baseline answers (``n_completers + n_dropouts``);
        - ``n_completers``, ``n_dropouts``: non-missing baseline answers of respondents who
          did and did not answer ``post``;
        - ``completers_value``, ``dropouts_value``: their means (numeric variables) or shares
          in 0-1 (categories);
        - ``estimate``: the difference, completers minus drop-outs;
        - ``standardised_difference``: the difference over the pooled SD (see Notes);
        - ``test`` (``"welch_t"`` or ``"chi_square"``), ``statistic``, ``df``, ``p_value``;
        - ``method``.

        The overall attrition rate is ``n_dropouts / n``.

    Raises
    ------
    AnalysisInputError
        If a column or the baseline wave is missing or ids repeat within a wave.

    Notes
    -----
    Standardised differences use the pooled-SD convention of balance diagnostics (Austin
    2009): ``(m_c - m_d) / sqrt((s_c^2 + s_d^2) / 2)`` for means and
    ``(p_c - p_d) / sqrt((p_c (1 - p_c) + p_d (1 - p_d)) / 2)`` for shares. Means are compared
    with Welch's t-test (R ``t.test``); a categorical variable with Pearson's chi-square test
    of the completers x category table without continuity correction (R ``chisq.test(correct =
    FALSE)``), reported on every category row. A ``standardised_difference`` beyond +/-0.1 is a
    common flag.

    Validated against R ``t.test`` and ``chisq.test(correct = FALSE)`` to 1e-6.

    References
    ----------
    Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
    covariates between treatment groups in propensity-score matched samples. Statistics in
    Medicine, 28(25), 3083-3107.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.attrition import attrition
    >>> df = pd.DataFrame({
    ...     "respondent_id": [1, 2, 3, 4, 5, 6, 1, 2, 3],
    ...     "wave": ["pre"] * 6 + ["post"] * 3,
    ...     "trust": [6, 7, 5, 3, 4, 2, 6, 7, 6],
    ... })
    >>> r = attrition(df, "trust")
    >>> r[["variable", "n", "n_completers", "n_dropouts", "estimate", "test"]]
      variable  n  n_completers  n_dropouts  estimate     test
    0    trust  6             3           3       3.0  welch_t
    """
    vars_ = as_list(variables)
    if not vars_:
        raise AnalysisInputError("variables is empty; name at least one baseline column")
    require_columns(df, [respondent, wave, *vars_], what="responses table")
    base, completed = _completion(df, respondent=respondent, wave=wave, pre=pre, post=post)
    rows: list[dict[str, Any]] = []
    for v in vars_:
        col = base[v]
        is_num = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        if is_num:
            x = col.astype("float64")
            a = x[completed & x.notna()].to_numpy()
            b = x[~completed & x.notna()].to_numpy()
            sa = a.std(ddof=1) if a.size > 1 else math.nan
            sb = b.std(ddof=1) if b.size > 1 else math.nan
            pooled = math.sqrt((sa**2 + sb**2) / 2)
            diff = (a.mean() if a.size else math.nan) - (b.mean() if b.size else math.nan)
            stat = dof = p = math.nan
            if a.size > 1 and b.size > 1 and (sa > 0 or sb > 0):
                res = stats.ttest_ind(a, b, equal_var=False)
                stat, p = float(res.statistic), float(res.pvalue)
                dof = float(res.df)
            rows.append(
                {
                    "variable": v,
                    "level": pd.NA,
                    "n": int(a.size + b.size),
                    "n_completers": int(a.size),
                    "n_dropouts": int(b.size),
                    "completers_value": float(a.mean()) if a.size else math.nan,
                    "dropouts_value": float(b.mean()) if b.size else math.nan,
                    "estimate": float(diff),
                    "standardised_difference": float(diff / pooled) if pooled > 0 else math.nan,
                    "test": "welch_t",
                    "statistic": stat,
                    "df": dof,
                    "p_value": p,
                    "method": "mean; Welch two-sample t-test",
                }
            )
        else:
            ok = col.notna()
            table = pd.crosstab(completed[ok], col[ok].astype(str))
            table = table.reindex(pd.Index([True, False]), fill_value=0)
            stat = dof = p = math.nan
            if table.shape[1] > 1 and (table.sum(axis=1) > 0).all():
                chi = stats.chi2_contingency(table.to_numpy(), correction=False)
                stat, p, dof = float(chi.statistic), float(chi.pvalue), float(chi.dof)
            nc, nd = int(table.loc[True].sum()), int(table.loc[False].sum())
            for lev in table.columns:
                pc = table.loc[True, lev] / nc if nc else math.nan
                pd_ = table.loc[False, lev] / nd if nd else math.nan
                denom = math.sqrt((pc * (1 - pc) + pd_ * (1 - pd_)) / 2)
                rows.append(
                    {
                        "variable": v,
                        "level": str(lev),
                        "n": nc + nd,
                        "n_completers": nc,
                        "n_dropouts": nd,
                        "completers_value": float(pc),
                        "dropouts_value": float(pd_),
                        "estimate": float(pc - pd_),
                        "standardised_difference": (
                            float((pc - pd_) / denom) if denom > 0 else math.nan
                        ),
                        "test": "chi_square",
                        "statistic": stat,
                        "df": dof,
                        "p_value": p,
                        "method": "share; Pearson chi-square test (no continuity correction)",
                    }
                )
    out = pd.DataFrame(rows, columns=ATTRITION_COLUMNS)
    out["level"] = out["level"].astype("string")
    return out


def _design(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix: numeric columns as they are, others as treatment dummies."""
    parts = []
    for c in columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            parts.append(s.astype("float64").rename(c))
        else:
            dummies = pd.get_dummies(s.astype(str), prefix=c, prefix_sep="=", drop_first=True)
            parts.append(dummies.astype("float64"))
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=df.index)


def response_weights(
    df: pd.DataFrame,
    predictors: str | Sequence[str],
    *,
    respondent: str = "respondent_id",
    wave: str = "wave",
    pre: str = "pre",
    post: str = "post",
) -> pd.DataFrame:
    """Inverse-probability-of-response weights from a logistic model of answering ``post``.

    Parameters
    ----------
    df : DataFrame
        Canonical responses table (long form).
    predictors : str or sequence of str
        Baseline columns predicting response (numeric as is, others as dummy variables).
    respondent, wave, pre, post : str
        Respondent and wave columns and the two waves.

    Returns
    -------
    DataFrame
        One row per baseline respondent with complete predictors, with columns

        - the ``respondent`` column (under its own name);
        - ``completed``: bool, the respondent answered ``post``;
        - ``response_propensity``: fitted probability of answering ``post``;
        - ``weight``: ``1 / response_propensity`` for completers, 0 for drop-outs;
        - ``method``.

    Raises
    ------
    AnalysisInputError
        If nobody or everybody dropped out, or the model cannot be fitted (e.g. perfect
        prediction).

    Notes
    -----
    Fitted with :class:`statsmodels.api.GLM` (binomial family, logit link), as R ``glm(family =
    binomial)``. Completers' weights sum to about the baseline sample size; multiply them by
    design weights where the baseline is itself weighted. Join the weights to the ``post`` rows
    and pass ``weight=`` to :func:`deliberval.analysis.change.prepost`.

    Validated against R ``glm(family = binomial)`` fitted probabilities to 1e-6.

    References
    ----------
    Seaman, S. R., & White, I. R. (2013). Review of inverse probability weighting for dealing
    with missing data. *Statistical Methods in Medical Research*, 22(3), 278-295.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.analysis.attrition import response_weights
    >>> df = pd.DataFrame({
    ...     "respondent_id": list(range(8)) + [0, 1, 2, 4, 6],
    ...     "wave": ["pre"] * 8 + ["post"] * 5,
    ...     "age": [20, 30, 40, 50, 60, 70, 80, 25, 20, 30, 40, 60, 80],
    ... })
    >>> w = response_weights(df, "age")
    >>> w[["respondent_id", "completed"]].head(3)
       respondent_id  completed
    0              0       True
    1              1       True
    2              2       True
    >>> bool((w.loc[w["completed"], "weight"] > 1).all())
    True
    """
    preds = as_list(predictors)
    require_columns(df, [respondent, wave, *preds], what="responses table")
    base, completed = _completion(df, respondent=respondent, wave=wave, pre=pre, post=post)
    base = base.loc[base[preds].notna().all(axis=1)]
    y = completed.loc[base.index].astype(float)
    if y.nunique() < 2:
        state = "everybody answered" if y.all() else "nobody answered"
        raise AnalysisInputError(
            f"{state} wave {post!r}; response weights need both completers and drop-outs"
        )
    # the GLM module alone, not statsmodels.api (which loads tsa, graphics and formula)
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.tools import add_constant

    x = add_constant(_design(base, preds), has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            fit = GLM(y.to_numpy(), x.to_numpy(), family=Binomial()).fit()
        except Exception as exc:  # perfect separation, singular design
            raise AnalysisInputError(
                f"the response model could not be fitted ({exc}); use fewer or coarser predictors"
            ) from exc
    p = np.asarray(fit.fittedvalues, dtype=float)
    out = pd.DataFrame(
        {
            respondent: base.index.to_numpy(),
            "completed": y.to_numpy() == 1,
            "response_propensity": p,
        }
    )
    out["weight"] = np.where(out["completed"], 1 / out["response_propensity"], 0.0)
    out["method"] = "inverse probability of response; logistic regression (GLM binomial, logit)"
    return out
