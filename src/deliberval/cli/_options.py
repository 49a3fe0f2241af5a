"""The options the analysis commands share, spelled once: name, short flag, bounds and help text.

Used by ``prepost``, ``did``, ``dri`` (cli/analyses.py), ``balance``, ``event-study``,
``survey-estimate``, ``replicate-weights`` (cli/estimates.py) and ``selection``
(cli/selection.py). A command whose option says something else in its help builds it with the
``*_option`` function and its own text. typer and the standard library only: the command
modules import this at their top, so ``deliberval --help`` loads nothing heavier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = [
    "INSTRUMENT_HELP",
    "ByOpt",
    "ClusterOpt",
    "ControlOpt",
    "DataArg",
    "FormatOpt",
    "GroupOpt",
    "InstrumentOpt",
    "JsonOpt",
    "LevelOpt",
    "MapOpt",
    "OutcomesArg",
    "OutputOpt",
    "RespondentOpt",
    "SurveysOpt",
    "TreatedOpt",
    "WaveOpt",
    "instrument_option",
    "level_option",
    "output_option",
]

# --------------------------------------------------------------------------- the options, made


INSTRUMENT_HELP = (
    "Instrument or questionnaire id: validate the file against it, score its scales and "
    "analyse the valid rows (missing-value codes become missing). Without it the columns are "
    "analysed as they are in the file"
)


def instrument_option(help: str = INSTRUMENT_HELP + " (a missing-value code such as -99 is then a number).") -> Any:
    """``--instrument`` / ``-i``: the instrument a data file is validated and scored against."""
    return typer.Option("--instrument", "-i", help=help)


def level_option(help: str = "Coverage of the intervals.") -> Any:
    """``--confidence-level``, between 0.5 and 0.999999."""
    return typer.Option("--confidence-level", min=0.5, max=0.999999, help=help)


def output_option(help: str = "Write the whole tidy table here: .csv or .xlsx (by the suffix).") -> Any:
    """``--output`` / ``-o``: the file a command writes its table to."""
    return typer.Option("--output", "-o", help=help)


# --------------------------------------------------------------------------- reading a data file

DataArg = Annotated[
    Path,
    typer.Argument(
        help="Data file: CSV, TSV, Excel, SPSS, Stata, Parquet (e.g. valid.parquet of deliberval "
        "validate) or a platform export.",
        show_default=False,
    ),
]
InstrumentOpt = Annotated[str | None, instrument_option()]
MapOpt = Annotated[Path | None, typer.Option("--map", help="Mapping YAML for source names and codes.")]
FormatOpt = Annotated[str | None, typer.Option("--format", help="Force a format (csv, excel, spss, ...).")]
SurveysOpt = Annotated[list[Path] | None, typer.Option("--surveys", help="Extra instrument folder (repeatable).")]

# --------------------------------------------------------------------------- the analysis

OutcomesArg = Annotated[
    list[str] | None,
    typer.Argument(help="Outcome columns; default every scale the instrument scores.", show_default=False),
]
ByOpt = Annotated[
    list[str] | None,
    typer.Option("--by", help="Analyse each level of this column separately (repeatable)."),
]
LevelOpt = Annotated[float, level_option()]

# the roles of the columns in a comparison with a control group (did, event-study)
RespondentOpt = Annotated[str, typer.Option("--respondent", help="Respondent id column.")]
WaveOpt = Annotated[str, typer.Option("--wave", help="Wave column.")]
GroupOpt = Annotated[str, typer.Option("--group", help="Participant / control column.")]
TreatedOpt = Annotated[str, typer.Option("--treated", help="Value of the group column for participants.")]
ControlOpt = Annotated[str, typer.Option("--control", help="Value of the group column for the comparison group.")]
ClusterOpt = Annotated[
    str | None, typer.Option("--cluster", help="Cluster column of the robust SEs (default: the respondent).")
]

# --------------------------------------------------------------------------- the result

OutputOpt = Annotated[Path | None, output_option()]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the whole table as JSON records.")]
