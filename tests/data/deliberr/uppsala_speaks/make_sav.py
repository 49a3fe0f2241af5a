"""Write uppsala_speaks.sav: deliberr's case "Activate" (Uppsala Speaks) as an SPSS export.

Real pre/post ratings of the same 26 participants, taken unchanged from
``tests/data/deliberr/human_data.csv`` (deliberr 0.1.0, MIT): the participant number ``pnum``, the
stage (``stage_id`` 1 = before, 2 = after deliberation, with the export's stage names as SPSS
value labels) and seven consideration ratings (1-7) with their statements as variable labels.
Run from the repository root: ``python tests/data/deliberr/uppsala_speaks/make_sav.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import yaml

HERE = Path(__file__).parent
ITEMS = ["C11", "C12", "C29", "C30", "C25", "C38", "C26"]


def uppsala_speaks(csv: Path = HERE.parent / "human_data.csv") -> pd.DataFrame:
    """The rows of case Activate, sorted by stage and participant, as the .sav holds them."""
    raw = pd.read_csv(csv)
    rows = raw.loc[raw["case"] == "Activate", ["pnum", "stage_id", *ITEMS]]
    return (
        rows.sort_values(["stage_id", "pnum"], kind="stable").reset_index(drop=True).astype(float)
    )


def main() -> None:
    """Write the .sav, the statements (from the instrument, verbatim from deliberr) as variable labels."""
    instrument = yaml.safe_load(
        (HERE / "instrument" / "uppsala_speaks.yaml").read_text(encoding="utf-8")
    )
    texts = {it["id"].upper(): it["text"]["en"] for it in instrument["items"]}
    labels = {"pnum": "Participant number", "stage_id": "Stage"} | {c: texts[c] for c in ITEMS}
    pyreadstat.write_sav(
        uppsala_speaks(),
        HERE / "uppsala_speaks.sav",
        column_labels=labels,
        variable_value_labels={"stage_id": {1.0: "Pre-Delib", 2.0: "Post-Delib"}},
    )


if __name__ == "__main__":
    main()
