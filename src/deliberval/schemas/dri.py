"""Schema of DRI survey data in the layout of the R package deliberr (``human_data.csv``).

One row per participant and stage: ``study, survey, case, data_type, stage_id, stage, pnum``,
then ratings of up to 50 considerations ``C1..C50`` and rankings of up to 10 policy options
``P1..P10``. A survey uses only some C and P columns; the others are empty.
"""

from __future__ import annotations

import pandera.pandas as pa

__all__ = ["DRI_COLUMNS", "DRI_ID_COLUMNS", "dri_survey_schema"]

DRI_ID_COLUMNS: tuple[str, ...] = ("study", "survey", "case", "data_type", "stage_id", "stage", "pnum")
DRI_COLUMNS: tuple[str, ...] = (
    DRI_ID_COLUMNS + tuple(f"C{i}" for i in range(1, 51)) + tuple(f"P{i}" for i in range(1, 11))
)


def dri_survey_schema() -> pa.DataFrameSchema:
    """Pandera schema of a DRI survey table (deliberr layout).

    Ratings ``C*`` are whole numbers from -5 to 11 (Q-sorts run -5..5, Likert ratings 1..7 or
    1..11); rankings ``P*`` are whole numbers from 1 to 10. ``stage_id`` is 1 (before
    deliberation) or 2 (after). ``data_type`` is ``Likert``, ``Q`` or empty.

    Examples
    --------
    >>> import pandas as pd
    >>> row = {"study": "S", "survey": "s", "case": "c", "data_type": "Likert", "stage_id": 1,
    ...        "stage": "Pre-Delib", "pnum": 1, "C1": 7.0, "P1": 1.0}
    >>> len(dri_survey_schema().validate(pd.DataFrame([row])))
    1
    """
    whole = pa.Check(lambda s: s % 1 == 0, name="whole_number", error="expected a whole number")
    cols = {
        "study": pa.Column(str),
        "survey": pa.Column(str),
        "case": pa.Column(str),
        "data_type": pa.Column(None, pa.Check.isin(["Likert", "Q"]), nullable=True),
        "stage_id": pa.Column(int, pa.Check.isin([1, 2], name="stage_id_1_or_2"), coerce=True),
        "stage": pa.Column(str),
        "pnum": pa.Column(None, nullable=False),
        **{
            f"C{i}": pa.Column(float, [pa.Check.in_range(-5, 11, name="rating_range"), whole],
                               nullable=True, required=False, coerce=True)
            for i in range(1, 51)
        },
        **{
            f"P{i}": pa.Column(float, [pa.Check.in_range(1, 10, name="rank_range"), whole],
                               nullable=True, required=False, coerce=True)
            for i in range(1, 11)
        },
    }
    return pa.DataFrameSchema(cols, name="dri_survey", unique=["case", "pnum", "stage_id"])
