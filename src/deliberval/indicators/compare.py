"""Several evaluated processes side by side, and the cross-process model of individual change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from deliberval.errors import AnalysisInputError, DataInputError
from deliberval.indicators.evaluate import ProcessEvaluation

if TYPE_CHECKING:
    from deliberval.analysis.comparison import ComparisonResult
    from deliberval.analysis.meta import MetaAnalysisResult

__all__ = [
    "MIN_PROCESSES_FOR_MODEL",
    "EvaluationComparison",
    "ProcessSummary",
    "compare_evaluations",
    "summarise_evaluation",
]

#: Fewest processes for which the cross-process mixed model is fitted.
MIN_PROCESSES_FOR_MODEL = 5


@dataclass(frozen=True)
class ProcessSummary:
    """What a comparison needs of one evaluated process (small enough to pass between processes).

    Attributes
    ----------
    process_id, name : str
    indicators : pandas.DataFrame
        The evaluation's indicator table.
    changes : pandas.DataFrame
        ``process_id, respondent_id, outcome, change``: individual post - pre change of the
        participating citizens, per catalogue outcome.
    seed : int or None
    min_cell_size : int
    synthetic : bool
    catalogue : str
        Catalogue id and version.
    """

    process_id: str
    name: str
    indicators: pd.DataFrame
    changes: pd.DataFrame
    seed: int | None
    min_cell_size: int
    synthetic: bool
    catalogue: str


@dataclass(frozen=True)
class EvaluationComparison:
    """Indicators of several processes and, with enough processes, the cross-process model.

    Attributes
    ----------
    processes : list of (process_id, name)
    indicators : pandas.DataFrame
        The indicator tables stacked, ``process_id`` first.
    outcome : str or None
        Catalogue outcome of the cross-process model (the first measured in every process).
    model : ComparisonResult or None
        :func:`deliberval.compare_processes` of the individual changes, when at least
        :data:`MIN_PROCESSES_FOR_MODEL` processes have them.
    n_processes_with_changes : int
    model_error : str
        Why the model (or the meta-analysis) could not be fitted ("" when it was, or was not
        attempted).
    summaries : tuple of ProcessSummary
    meta : MetaAnalysisResult or None
        With 2 to ``MIN_PROCESSES_FOR_MODEL - 1`` processes with individual changes, in place of
        the mixed model (whose between-process variance would be estimated at 0, a singular fit),
        or whenever published results of ``outcome`` are given:
        :func:`deliberval.analysis.meta.meta_analysis` (REML, Knapp-Hartung) of each process's mean
        change in ``outcome`` and its standard error ``sd / sqrt(n)``, and of the published
        estimates; ``meta.units`` carries ``process_id``, ``n``, ``sd`` (evaluated processes),
        ``source`` (``evaluated`` or ``published``), ``citation``, ``url``, ``doi`` and ``year``
        (published rows) besides the meta-analysis columns.
    published : pandas.DataFrame
        The published results given (:func:`deliberval.validation.published.validate_published`
        ``.valid``) with ``used`` (bool) and ``reason`` (why a row was left out: another outcome);
        empty when none were given.
    """

    processes: list[tuple[str, str]]
    indicators: pd.DataFrame
    outcome: str | None
    model: ComparisonResult | None
    n_processes_with_changes: int
    model_error: str
    summaries: tuple[ProcessSummary, ...]
    meta: MetaAnalysisResult | None = None
    published: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def synthetic(self) -> bool:
        """True when any process is a SYNTHETIC example."""
        return any(s.synthetic for s in self.summaries)

    @property
    def min_cell_size(self) -> int:
        """The strictest disclosure threshold of the processes."""
        return max(s.min_cell_size for s in self.summaries)


def _changes(ev: ProcessEvaluation) -> pd.DataFrame:
    cols = ["process_id", "respondent_id", "outcome", "change"]
    if ev.scored is None:
        return pd.DataFrame(columns=cols)
    s = ev.scored.data
    if "group" in s.columns:
        s = s.loc[s["group"] == "participant"]
    if "role" in s.columns:
        s = s.loc[s["role"] == "citizen"]
    if "wave" not in s.columns or not {"pre", "post"} <= set(s["wave"]):
        return pd.DataFrame(columns=cols)
    frames = []
    for outcome, column, roles in zip(ev.outcomes["outcome"], ev.outcomes["column"], ev.outcomes["roles"],
                                      strict=True):
        if column is None or pd.isna(column) or roles != "citizen" or column not in s.columns:
            continue
        wide = s.pivot_table(index="respondent_id", columns="wave", values=column, aggfunc="first")
        if not {"pre", "post"} <= set(wide.columns):
            continue
        change = (wide["post"] - wide["pre"]).dropna()
        frames.append(pd.DataFrame({"process_id": ev.data.process_id, "respondent_id": change.index.to_numpy(),
                                    "outcome": outcome, "change": change.to_numpy()}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def summarise_evaluation(evaluation: ProcessEvaluation, *, title: str | None = None) -> ProcessSummary:
    """The part of an evaluation a comparison uses: indicators and individual change scores.

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> from deliberval.indicators import evaluate_process
    >>> s = summarise_evaluation(evaluate_process(load_example("gentofte_ptc").process_data()))
    >>> s.process_id, sorted(s.changes["outcome"].unique())[:2]
    ('gentofte_ptc', ['external_efficacy', 'influence_confidence_response'])
    """
    ev = evaluation
    facts = ev.data.process_facts()
    name = title or str(facts.get("name", ev.data.process_id))
    return ProcessSummary(ev.data.process_id, name, ev.indicators, _changes(ev), ev.settings.seed,
                          int(ev.settings.min_cell_size), ev.data.synthetic,
                          f"{ev.catalogue.id} {ev.catalogue.version}")


def compare_evaluations(evaluations: Sequence[ProcessEvaluation | ProcessSummary], *,
                        published: pd.DataFrame | None = None) -> EvaluationComparison:
    """Put evaluated processes side by side and fit the cross-process model when there are enough.

    The model is :func:`deliberval.compare_processes` of the participating citizens' individual
    change (post - pre) in the first catalogue outcome measured in every process, with a random
    intercept per process; it is fitted from :data:`MIN_PROCESSES_FOR_MODEL` processes on. With
    fewer (2 to 4) processes the mixed model is singular (between-process variance 0), and a
    random-effects meta-analysis of the processes' mean changes replaces it (``meta``).

    Parameters
    ----------
    evaluations : sequence of ProcessEvaluation or ProcessSummary
        Two or more processes with distinct ids (one is enough with published results).
    published : pandas.DataFrame, optional
        Published results with citations, validated
        (:func:`deliberval.validation.published.validate_published` ``.valid``, from
        :func:`deliberval.io.published.read_published`). Rows whose ``outcome`` is the
        comparison's outcome join the meta-analysis as units of their own (``source =
        "published"``, with their citation); their ``estimate`` must be a mean change (post -
        pre) on the same response scale as the evaluated processes' and ``se`` its standard
        error. The other rows are kept in ``published`` with the reason they were left out.

    Returns
    -------
    EvaluationComparison

    Raises
    ------
    DataInputError
        Fewer than two processes, or a process id given twice.
    """
    from deliberval.analysis.comparison import compare_processes
    from deliberval.analysis.meta import meta_analysis

    summaries = tuple(e if isinstance(e, ProcessSummary) else summarise_evaluation(e) for e in evaluations)
    pub = _published(published)
    if len(summaries) < (1 if len(pub) else 2):
        raise DataInputError(f"a comparison needs at least two processes (or one and published results), "
                             f"got {len(summaries)}")
    ids = [s.process_id for s in summaries]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise DataInputError(f"process id(s) given more than once: {', '.join(dup)}")
    ind = pd.concat([s.indicators.assign(process_id=s.process_id) for s in summaries], ignore_index=True)
    ind = ind[["process_id", *[c for c in ind.columns if c != "process_id"]]]
    outcome = None
    per_process = [list(dict.fromkeys(s.changes["outcome"])) for s in summaries]
    for candidate in per_process[0] if per_process else []:
        if all(candidate in p for p in per_process):
            outcome = str(candidate)
            break
    if outcome is None:  # no outcome in every process: the most widely measured one
        counts = pd.Series([o for p in per_process for o in p], dtype=object).value_counts()
        outcome = str(counts.index[0]) if len(counts) else None
    ch = pd.concat([s.changes for s in summaries], ignore_index=True)
    ch = ch.loc[ch["outcome"] == outcome] if outcome is not None else ch.iloc[0:0]
    n_with = int(ch["process_id"].nunique()) if len(ch) else 0
    model, error = None, ""
    if n_with >= MIN_PROCESSES_FOR_MODEL:
        try:
            model = compare_processes(ch, "change", process="process_id")
        except AnalysisInputError as exc:
            error = str(exc)
    meta = None
    if len(pub):
        used = pub["outcome"].astype(str) == str(outcome)
        pub = pub.assign(used=used, reason=["" if u else f"another outcome than the comparison's ({outcome})"
                                            for u in used])
        clash = sorted(set(pub.loc[used, "process"].astype(str)) & set(ids))
        if clash:
            raise DataInputError(f"published results name evaluated process(es) {', '.join(clash)}: an "
                                 "evaluated process cannot also be a published one")
    shown = pub.loc[pub["used"]] if len(pub) else pub
    if 2 <= n_with < MIN_PROCESSES_FOR_MODEL or len(shown):
        per = ch.groupby("process_id", sort=False)["change"].agg(["mean", "std", "count"])
        per = per.loc[per["count"] >= 2]
        table = pd.DataFrame({"process_id": per.index, "estimate": per["mean"].to_numpy(dtype=float),
                              "se": (per["std"] / per["count"] ** 0.5).to_numpy(dtype=float)})
        if len(shown):
            table = pd.concat([table, pd.DataFrame({"process_id": shown["process"].astype(str).to_numpy(),
                                                    "estimate": shown["estimate"].to_numpy(dtype=float),
                                                    "se": shown["se"].to_numpy(dtype=float)})],
                              ignore_index=True)
        try:
            meta = meta_analysis(table, unit="process_id")
        except AnalysisInputError as exc:
            error = f"meta-analysis of the processes' mean changes not possible: {exc}"
        else:
            extra = pd.DataFrame({"process_id": per.index, "n": per["count"].to_numpy(dtype=int),
                                  "sd": per["std"].to_numpy(dtype=float), "source": "evaluated"})
            if len(shown):
                cited = pd.DataFrame({"process_id": shown["process"].astype(str).to_numpy(),
                                      "n": shown["n"].to_numpy(dtype=float), "source": "published",
                                      "citation": shown["citation"].to_numpy(), "url": shown["url"].to_numpy(),
                                      "doi": shown["doi"].to_numpy(), "year": shown["year"].to_numpy(dtype=float)})
                extra = pd.concat([extra, cited], ignore_index=True)
                extra["n"] = extra["n"].astype("Int64")
                extra["year"] = extra["year"].astype("Int64")
            meta = replace(meta, units=meta.units.merge(extra, on="process_id", how="left"))
    return EvaluationComparison([(s.process_id, s.name) for s in summaries], ind, outcome, model, n_with,
                                error, summaries, meta, pub)


def _published(published: pd.DataFrame | None) -> pd.DataFrame:
    """The published results given, checked for the validated columns (empty when None)."""
    from deliberval.schemas.published import PUBLISHED_COLUMNS

    if published is None:
        return pd.DataFrame(columns=[*PUBLISHED_COLUMNS, "used", "reason"])
    if not isinstance(published, pd.DataFrame):
        raise DataInputError(f"published must be a DataFrame (validate_published(...).valid), got "
                             f"{type(published).__name__}")
    missing = [c for c in PUBLISHED_COLUMNS if c not in published.columns]
    if missing:
        raise DataInputError(f"published results lack column(s) {', '.join(missing)}: validate them first "
                             "(deliberval.validation.published.validate_published(df).valid)")
    return published.reset_index(drop=True).assign(used=False, reason="")
