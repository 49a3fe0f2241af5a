"""validate_dri(): the DRI survey table in the layout of deliberr's ``human_data.csv``."""

from __future__ import annotations

import re

import pandas as pd

from deliberval.canonical import as_code_strings
from deliberval.errors import DataInputError
from deliberval.io.mapping import _suggest_value
from deliberval.schemas.dri import DRI_ID_COLUMNS, dri_survey_schema
from deliberval.validation.responses import _pandera_failures
from deliberval.validation.result import (
    Failures,
    ValidationResult,
    add_read_problems,
    row_lines,
    split,
)

__all__ = ["validate_dri"]


def _norm_label(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "", label.lower())


def validate_dri(df: pd.DataFrame, *, source: str | None = None) -> ValidationResult:
    """Validate a DRI survey table in the layout of deliberr's ``human_data.csv``.

    Checks the :func:`~deliberval.schemas.dri_survey_schema` ranges of ratings ``C*`` and
    rankings ``P*``, ``stage_id`` in {1, 2}, duplicate case x participant x stage (errors), and
    reports stage labels that differ from the most common label of the same ``stage_id`` (for
    example ``"Post-delib"`` next to ``"Post-Delib"``) as warnings with a suggestion. Labels are
    never merged: ``valid`` keeps them as found.

    Parameters
    ----------
    df : pandas.DataFrame
    source : str, optional
        File or table name for the ``source`` column of ``failures``; default the ``file`` in
        ``df.attrs``, else ``"dri"``.

    Returns
    -------
    ValidationResult

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"study": ["S"] * 4, "survey": ["s"] * 4, "case": ["a", "a", "b", "b"],
    ...     "data_type": ["Likert"] * 4, "stage_id": [1, 2, 1, 2],
    ...     "stage": ["Pre-Delib", "Post-Delib", "Pre-Delib", "Post-delib"], "pnum": [1, 1, 2, 2],
    ...     "C1": [3, 4, 5, 6], "P1": [1, 2, 1, 2]})
    >>> res = validate_dri(df)
    >>> len(res.valid), len(res.quarantined)
    (4, 0)
    >>> res.failures.loc[0, "message"]
    "stage label 'Post-delib' (1 row) differs from 'Post-Delib' (1 row) used for stage_id 2; did you mean 'Post-Delib' (wave 'post')? Labels are not merged."
    """
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"data must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in DRI_ID_COLUMNS if c not in df.columns]
    if missing:
        raise DataInputError(f"DRI data lack column(s) {missing}; expected {', '.join(DRI_ID_COLUMNS)}, C1.., P1..")
    n = len(df)
    data = df.reset_index(drop=True)
    pnum = as_code_strings(data["pnum"])
    src = source if source is not None else str(df.attrs.get("file") or "dri")
    acc = Failures(pnum.fillna("").to_numpy(dtype=object), source=src, first_line=row_lines(df))
    add_read_problems(acc, df)
    acc.add(pnum.isna().to_numpy(), "pnum", data["pnum"], "missing_id", "error", "pnum is empty; every row needs a participant number",
            "a participant number")
    for col in ("study", "survey", "case", "stage"):
        acc.add(as_code_strings(data[col]).isna().to_numpy(), col, data[col], "missing_value", "error", f"{col} is empty",
                f"a {col}")
    sid = as_code_strings(data["stage_id"])
    acc.add((~sid.isin(["1", "2"])).to_numpy(), "stage_id", data["stage_id"], "stage_id", "error",
            "expected stage_id 1 (before deliberation) or 2 (after)", "1 or 2")
    dtype_text = as_code_strings(data["data_type"])
    acc.add((dtype_text.notna() & ~dtype_text.isin(["Likert", "Q"])).to_numpy(), "data_type", data["data_type"],
            "data_type", "error", "expected data_type 'Likert', 'Q' or empty", "Likert, Q or empty")
    # stage labels per stage_id
    stage = as_code_strings(data["stage"])
    for s_id, labels in stage.groupby(sid, sort=True):
        freq = labels.value_counts()
        if len(freq) < 2:
            continue
        top, n_top = str(freq.index[0]), int(freq.iloc[0])
        for label, k in freq.iloc[1:].items():
            wave = _suggest_value("wave", str(label))
            wave_tip = f" (wave {wave!r})" if wave else ""
            similar = _norm_label(str(label)) == _norm_label(top)
            tip = f"did you mean {top!r}{wave_tip}?" if similar else f"expected one label per stage_id, e.g. {top!r}{wave_tip}."
            msg = (f"stage label {label!r} ({k} row{'s' if k != 1 else ''}) differs from {top!r} "
                   f"({n_top} row{'s' if n_top != 1 else ''}) used for stage_id {s_id}; {tip} Labels are not merged.")
            acc.add((stage == label).fillna(False).to_numpy() & (sid == s_id).fillna(False).to_numpy(),
                    "stage", data["stage"], "inconsistent_label", "warning", msg, f"one label per stage_id, e.g. {top!r}")
    # ratings and rankings through pandera
    schema = dri_survey_schema()
    item_cols = [c for c in data.columns if re.fullmatch(r"[CP]\d+", str(c)) and c in schema.columns]
    frame = {}
    for c in item_cols:
        text = as_code_strings(data[c])
        num = pd.to_numeric(text, errors="coerce").astype(float)
        acc.add((text.notna() & num.isna()).to_numpy(), c, data[c], "type", "error", "not a number; expected a whole number",
                "a whole number")
        frame[c] = num
    if item_cols:
        msgs = {c: ("expected a whole-number rating from -5 to 11" if c.startswith("C") else "expected a whole-number rank from 1 to 10")
                for c in item_cols}
        _pandera_failures(schema, frame, data, acc, msgs, {c: m.removeprefix("expected ") for c, m in msgs.items()})
    key = pd.DataFrame({"c": as_code_strings(data["case"]).fillna(""), "p": pnum.fillna(""), "s": sid.fillna("")})
    dup = key.duplicated(keep=False).to_numpy()
    acc.add(dup, "pnum", data["pnum"], "duplicate", "error", "participant has more than one row for this case and stage_id",
            "one row per case, participant and stage_id")
    pair = key[["c", "p"]].apply(tuple, axis=1) if n else pd.Series([], dtype=object)
    stages_of = key.groupby(["c", "p"])["s"].agg(lambda s: set(s)) if n else pd.Series([], dtype=object)
    if n:
        only_one = pair.map(lambda t: len(stages_of.get(t, set()) & {"1", "2"}) < 2).to_numpy()
        acc.add(only_one & ~dup, "stage_id", data["stage_id"], "unpaired", "warning",
                "participant has no row for the other stage; excluded from paired DRI comparisons",
                "a row for stage_id 1 and one for 2")
    return split(df, None, acc.frame())
