"""The Deliberative Reason Index of a process, computed once for its evaluation.

:func:`evaluate_dri` runs :func:`deliberval.analysis.dri.dri_permutation_test` on each forum
(deliberr's ``case``) and wave (``stage_id``) of a validated DRI survey table, and
:func:`deliberval.analysis.dri.dri_change` on each forum surveyed twice. The report presents the
result (:func:`deliberval.report.build.build_report`, section ``dri``); nothing here formats.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import pandas as pd

from deliberval.errors import DelibervalError

__all__ = ["DRI_RESAMPLES", "DRIEvaluation", "evaluate_dri"]

DRI_RESAMPLES = 2000
"""Permutations of the preferences behind each forum's permutation p-value and null interval."""

FORUM_COLUMNS = ["forum", "wave", "stage_id", "estimate", "n", "null_mean", "null_ci_low", "null_ci_high",
                 "p_value", "n_resamples", "confidence_level", "method"]
CHANGE_COLUMNS = ["forum", "n", "dri_pre", "dri_post", "estimate", "p_value", "method"]


@dataclass(frozen=True)
class DRIEvaluation:
    """The DRI of each forum and wave, and its pre/post change.

    Attributes
    ----------
    forums : pandas.DataFrame
        One row per forum and wave (columns :data:`FORUM_COLUMNS`): ``forum`` (deliberr's
        ``case``), ``wave`` (``pre`` / ``post`` for the first / second of two ``stage_id`` values,
        else the ``stage_id`` as text), ``stage_id``, ``estimate`` (the group DRI), ``n``
        (participants used), ``null_mean``, ``null_ci_low``, ``null_ci_high`` (the permutation
        null), ``p_value`` (permutation, :math:`(b + 1) / (m + 1)`), ``n_resamples``,
        ``confidence_level``, ``method``.
    change : pandas.DataFrame
        One row per forum surveyed in two waves (columns :data:`CHANGE_COLUMNS`): ``forum``,
        ``n`` (participants paired), ``dri_pre``, ``dri_post``, ``estimate`` (post minus pre),
        ``p_value`` (one-sided paired Wilcoxon of the individual DRIs, post greater), ``method``.
        Empty when no forum has two waves.
    reasons : tuple of str
        Why a part was not computed (e.g. one wave only).
    """

    forums: pd.DataFrame
    change: pd.DataFrame
    reasons: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """``forums`` and ``change`` by name."""
        return {"forums": self.forums, "change": self.change}


def evaluate_dri(df: pd.DataFrame, *, seed: int | None = None, confidence_level: float = 0.95,
                 n_resamples: int = DRI_RESAMPLES) -> DRIEvaluation:
    """DRI of each forum and wave of a DRI survey table (deliberr's layout), with its permutation
    test, and its pre/post change with the one-sided paired Wilcoxon test.

    Parameters
    ----------
    df : pandas.DataFrame
        The valid rows of a DRI survey table (:func:`deliberval.validation.validate_dri`):
        ``case``, ``stage_id``, ``pnum``, ``C1..`` consideration ratings, ``P1..`` preference
        rankings.
    seed : int, optional
        Seed of the permutations (the evaluation's seed).
    confidence_level : float, default 0.95
        Coverage of the permutation null's central interval.
    n_resamples : int, default :data:`DRI_RESAMPLES`

    Returns
    -------
    DRIEvaluation

    Notes
    -----
    The group DRI (Niemeyer & Dryzek 2007; original formula) and the change test are
    :func:`deliberval.analysis.dri.dri` / :func:`~deliberval.analysis.dri.dri_change`, validated
    against deliberr 0.1.0 (``tests/data/deliberr/dri_reference_dev.csv``); the permutation test
    is :func:`~deliberval.analysis.dri.dri_permutation_test` (preferences shuffled across
    participants, as deliberr's ``permute_dri``, with the exact :math:`(b + 1) / (m + 1)`
    p-value).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.read_csv("tests/data/deliberr/human_data.csv")
    >>> res = evaluate_dri(raw.loc[raw["case"] == "Activate"], seed=1)
    >>> res.change[["forum", "n", "dri_pre", "dri_post"]].round(4).to_dict("records")
    [{'forum': 'Activate', 'n': 26, 'dri_pre': 0.3927, 'dri_post': 0.635}]
    """
    from deliberval.analysis.dri import dri_change, dri_permutation_test

    reasons: list[str] = []
    data = df.copy()
    # a text file holds ratings, rankings and stage ids as text: the validated values are numbers
    for col in [c for c in data.columns if re.fullmatch(r"[CP]\d+", str(c)) or c == "stage_id"]:
        if not pd.api.types.is_numeric_dtype(data[col].dtype):
            number = pd.to_numeric(data[col], errors="coerce")
            if col != "stage_id" or number.notna().all():
                data[col] = number
    if "case" not in data.columns:
        data["case"] = "forum"
    data["case"] = data["case"].astype(str)
    by = ["case", "stage_id"] if "stage_id" in data.columns else ["case"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # participants without a correlation are counted in n
        perm = dri_permutation_test(data, by=by, n_resamples=n_resamples, seed=seed,
                                    confidence_level=confidence_level)
    stages = sorted(data["stage_id"].dropna().unique()) if "stage_id" in data.columns else []
    names = dict(zip(stages, ("pre", "post"), strict=False)) if len(stages) == 2 else {}
    forums = pd.DataFrame({
        "forum": perm["case"].astype(str),
        "wave": [names.get(s, str(s)) for s in perm["stage_id"]] if "stage_id" in perm.columns else "",
        "stage_id": perm["stage_id"] if "stage_id" in perm.columns else pd.NA,
        **{c: perm[c] for c in ("estimate", "n", "null_mean", "null_ci_low", "null_ci_high", "p_value",
                                "n_resamples", "confidence_level", "method")},
    }, columns=FORUM_COLUMNS)
    change = pd.DataFrame(columns=CHANGE_COLUMNS)
    if len(stages) == 2:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ch = dri_change(data, by="case", wave="stage_id", pre=stages[0], post=stages[1])
            change = pd.DataFrame({"forum": ch["case"].astype(str), "n": ch["n"], "dri_pre": ch["dri_pre"],
                                   "dri_post": ch["dri_post"], "estimate": ch["estimate"],
                                   "p_value": ch["p_value"], "method": ch["method"]}, columns=CHANGE_COLUMNS)
        except DelibervalError as exc:
            reasons.append(f"the change of the DRI could not be computed: {exc}")
    else:
        reasons.append(f"the DRI survey has {len(stages)} wave(s) (stage_id); its change needs two")
    return DRIEvaluation(forums.reset_index(drop=True), change.reset_index(drop=True), tuple(reasons))
