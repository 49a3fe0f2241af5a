"""``deliberval uptake``: recommendation uptake indicators from a register, or a blank template.

``deliberval uptake REGISTER --as-of DATE`` prints the indicators per process;
``deliberval uptake template -o register.xlsx`` writes a register workbook with drop-down lists;
``deliberval uptake trace REGISTER DOCS... -o candidates.xlsx`` ranks the documents' passages
for every recommendation (BM25, optionally fused with embeddings) for a coder to confirm;
``deliberval uptake import-decidim RESULTS.csv|json [--timeline timeline.csv] -o register.xlsx``
turns a Decidim accountability export into a register; ``deliberval uptake REGISTER DOCS...
--as-of DATE`` also checks that every passage quoted on the register's evidence sheet is in
the documents.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deliberval.cli._common import console, output_file, user_errors, write_table
from deliberval.errors import DataInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register"]


def _stop_on_problems(failures: pd.DataFrame, source: str, register_path: Path) -> None:
    """Raise one line for the register's errors; more than one: all written next to the register."""
    errors = failures[failures["severity"] == "error"]
    if errors.empty:
        return
    first = errors.iloc[0]
    where = f"{first['table']} line {int(first['line'])} (rec_id {first['id']!r}): {first['message']}"
    if len(errors) == 1:
        raise DataInputError(f"{source}: {where}")
    target = register_path.parent / f"{register_path.stem or register_path.name}.failures.csv"
    try:
        errors.to_csv(target, index=False)
    except OSError as exc:
        raise DataInputError(f"{source}: {len(errors)} problems in the uptake register, the first: {where} "
                             f"(the list could not be written to {target}: {exc.strerror or exc})") from None
    raise DataInputError(f"{source}: {len(errors)} problems in the uptake register, the first: {where}; "
                         f"all of them are listed in {target}")


_TRACE_COLUMNS = ("rec_id", "title", "rank", "document", "page", "paragraph", "part", "char_start",
                  "char_end", "text", "sha256", "score", "bm25_score", "embedding_score", "method",
                  "document_sha256", "passage_id")


def _trace(args: list[str], output: Path | None, *, top: int, lang: str | None, embeddings: bool,
           events: Path | None) -> None:
    """``uptake trace REGISTER DOCS...``: candidate passages per recommendation, for a coder to confirm."""
    from deliberval.analysis.evidence import rank_passages
    from deliberval.io.documents import read_documents
    from deliberval.io.register import read_register

    with user_errors():
        if len(args) < 2:
            raise DataInputError("give the register and at least one document: "
                                 "deliberval uptake trace REGISTER DOCS... -o candidates.xlsx")
        if output is None:
            raise DataInputError("give the file to write with -o, e.g. -o candidates.xlsx")
        if output.suffix.lower() not in (".xlsx", ".csv"):
            raise DataInputError(f"{output}: unknown output format {output.suffix or '(no suffix)'!r}; "
                                 "expected .xlsx or .csv")
        if top < 1:
            raise DataInputError(f"--top is {top}; give 1 or more passages per recommendation")
        target = output_file(output, example="candidates.xlsx")
        raw = read_register(args[0], events)
        recs = raw.recommendations
        missing = [c for c in ("rec_id", "title") if c not in recs.columns]
        if missing:
            raise DataInputError(f"{raw.source}: the recommendations have no {missing[0]!r} column")
        recs = recs[recs["rec_id"].notna()].reset_index(drop=True)
        if len(recs) == 0:
            raise DataInputError(f"{raw.source}: the register has no recommendations yet")
        passages = read_documents([Path(a) for a in args[1:]], language=lang)
        ranked = rank_passages(recs, passages, text=("title", "text"), language=lang, top=top,
                               method="bm25+embedding" if embeddings else "bm25")
        ranked = ranked.merge(recs[["rec_id", "title"]].astype({"rec_id": str}), on="rec_id", how="left")
        table = ranked.loc[:, list(_TRACE_COLUMNS)].copy()
        table["confirmed"] = ""  # for the coder: yes / no
        written = write_table(table, target, sheet="candidates")
    n_docs = passages["document"].nunique()
    console.print(f"[green]wrote[/] {written}: the best {min(top, len(passages))} of {len(passages)} "
                  f"passages ({n_docs} document{'s' if n_docs != 1 else ''}, {table['method'].iloc[0]}) "
                  f"for each of {len(recs)} recommendations; confirm each candidate in the "
                  "'confirmed' column")


def _import_decidim(args: list[str], output: Path | None, *, timeline: Path | None, process_id: str | None,
                    as_of: str | None, lang: str | None, submitted: str | None, scheme_path: Path | None,
                    status_map: list[str]) -> None:
    """``uptake import-decidim RESULTS [--timeline T] -o register.xlsx``: a Decidim export as a register."""
    from deliberval.instruments.coding import load_scheme
    from deliberval.io.decidim import read_decidim_results
    from deliberval.io.register import write_register
    from deliberval.validation.register import validate_register

    with user_errors():
        if len(args) != 1:
            raise DataInputError("give one Decidim results export: deliberval uptake import-decidim "
                                 "RESULTS.csv|json [--timeline timeline.csv] -o register.xlsx"
                                 if not args else f"unexpected argument {args[1]!r}: give one results export")
        if output is None:
            raise DataInputError("give the register to write with -o, e.g. -o register.xlsx (or a folder)")
        if output.suffix and output.suffix.lower() != ".xlsx":
            raise DataInputError(f"{output}: write the register to an .xlsx file or a folder")
        target = output_file(output, example="register.xlsx") if output.suffix else output
        results = Path(args[0])
        scheme = load_scheme(scheme_path)
        mapping: dict[str, str] = {}
        for pair in status_map:
            key, sep, code = pair.partition("=")
            if not sep or not key.strip() or not code.strip():
                raise DataInputError(f"--status-map {pair!r}: expected DECIDIM_KEY=CODE, e.g. "
                                     "--status-map cancelled=rejected_with_reasons")
            if code.strip() not in scheme.codes("response_status"):
                raise DataInputError(f"--status-map {pair!r}: {code.strip()!r} is not a response_status code; "
                                     f"expected one of {', '.join(scheme.codes('response_status'))}")
            mapping[key.strip()] = code.strip()
        raw = read_decidim_results(results, process_id=process_id or results.stem, as_of=as_of,
                                   language=lang, submitted=submitted, timeline=timeline, status_map=mapping)
        checked = validate_register(raw.recommendations, raw.events, scheme=scheme)
        # events are built from the export's rows: a problem names the result (rec_id) and the
        # status or milestone; the list of several problems is written next to the output
        unmapped = checked.failures[(checked.failures["column"] == "response_status")
                                    & (checked.failures["check"] == "not_allowed")]
        try:
            _stop_on_problems(checked.failures, raw.source, target if output.suffix else target / "register")
        except DataInputError as exc:
            if unmapped.empty:
                raise
            keys = ", ".join(sorted(set(unmapped["value"].astype(str))))
            raise DataInputError(f"{exc} (Decidim status key(s) {keys} have no response status: map each "
                                 "with --status-map KEY=CODE)") from None
        written = write_register(checked.register, target)
    reg = checked.register
    n_milestones = int(reg.events["note"].fillna("").str.startswith("milestone").sum())
    console.print(f"[green]wrote[/] {written}: {len(reg.recommendations)} results of process "
                  f"{reg.recommendations['process_id'].iloc[0] if len(reg.recommendations) else process_id!r} "
                  f"as recommendations, {len(reg.events)} response events ({n_milestones} from timeline "
                  f"entries; coding scheme {scheme.id} {scheme.version})")


def register(app: typer.Typer) -> None:
    """Attach the ``uptake`` command to the main app."""
    app.command("uptake")(uptake_command)


def _fmt(value: float, digits: int = 2) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def uptake_command(
    register_path: Annotated[
        str, typer.Argument(metavar="REGISTER",
                            help="Register .xlsx, folder with recommendations.csv + events.csv, "
                                 "the word 'template' to write a blank register, the word "
                                 "'trace' followed by the register and the documents, or the word "
                                 "'import-decidim' followed by a Decidim results export.")],
    documents: Annotated[list[str] | None, typer.Argument(
        metavar="[DOCS]...", show_default=False,
        help="With 'trace': the register, then the documents (PDF, DOCX, HTML, text); with a "
             "register: the documents its evidence quotes (each passage is looked up); with "
             "'import-decidim': the results export.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Evaluation date, YYYY-MM-DD.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="File to write: the template (with 'template'), the candidates "
                                                     ".xlsx / .csv (with 'trace'), the register (with "
                                                     "'import-decidim').")] = None,
    events: Annotated[Path | None, typer.Option("--events", help="Events CSV when REGISTER is a recommendations CSV.")] = None,
    deadline_days: Annotated[int | None, typer.Option("--deadline-days",
                                                      help="Response deadline in days after submission.")] = None,
    coder: Annotated[str | None, typer.Option("--coder", help="Reference coder when several coded the events.")] = None,
    scheme_path: Annotated[Path | None, typer.Option("--scheme", help="Your own coding-scheme YAML.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    top: Annotated[int, typer.Option("--top", help="With 'trace': passages per recommendation.")] = 5,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="With 'trace': language of the texts (en, fr, nl, de, da); default detected.")] = None,
    embeddings: Annotated[bool, typer.Option(
        "--embeddings", help="With 'trace': fuse BM25 with a local embedding model (extra 'embeddings').")] = False,
    timeline: Annotated[Path | None, typer.Option(
        "--timeline", help="With 'import-decidim': timeline entries (milestones), CSV or JSON.")] = None,
    process_id: Annotated[str | None, typer.Option(
        "--process-id", help="With 'import-decidim': the process id (default: the export's file name).")] = None,
    submitted: Annotated[str | None, typer.Option(
        "--submitted", help="With 'import-decidim': date the recommendations were handed over "
                            "(default: each result's creation date).")] = None,
    status_map: Annotated[list[str] | None, typer.Option(
        "--status-map", help="With 'import-decidim': KEY=CODE, a Decidim status key and the response "
                             "status it becomes (repeat the option), e.g. cancelled=rejected_with_reasons.")] = None,
) -> None:
    """Uptake indicators per process (status on a date, uptake, rejections, deadlines, agenda)."""
    if register_path == "trace":
        _trace(documents or [], output, top=top, lang=lang, embeddings=embeddings, events=events)
        return
    if register_path == "import-decidim":
        _import_decidim(documents or [], output, timeline=timeline, process_id=process_id, as_of=as_of,
                        lang=lang, submitted=submitted, scheme_path=scheme_path, status_map=status_map or [])
        return
    # the heavy stages are imported when the command runs, so `deliberval --help` stays light
    from rich.table import Table

    from deliberval.analysis.uptake import INDICATORS, uptake
    from deliberval.instruments.coding import load_scheme
    from deliberval.io.register import read_register, write_register_template
    from deliberval.validation.register import validate_register

    with user_errors():
        scheme = load_scheme(scheme_path)
        if register_path == "template":
            target = output_file(output or Path("register.xlsx"), example="register.xlsx")
            written = write_register_template(target, scheme=scheme)
            console.print(f"[green]wrote[/] {written} (coding scheme {scheme.id} {scheme.version})")
            return
        if as_of is None:
            raise DataInputError("give the evaluation date with --as-of YYYY-MM-DD")
        raw = read_register(register_path, events)
        if len(raw.recommendations) == 0:
            raise DataInputError(
                f"{register_path}: the register has no recommendations yet; fill in the "
                "recommendations sheet (one row per recommendation) and its events, then run again"
            )
        passages = None
        if documents:
            from deliberval.io.documents import read_documents

            if raw.evidence is None:
                raise DataInputError(f"{raw.source}: documents were given but the register has no evidence "
                                     "sheet (or evidence.csv) quoting them")
            passages = read_documents([Path(d) for d in documents], language=lang)
        checked = validate_register(raw.recommendations, raw.events, scheme=scheme, evidence=raw.evidence,
                                    documents=passages)
        # the command line stops on any bad row in ONE line naming its file line (the header is
        # line 1); several problems: the first in the line, all of them in a CSV file it names
        _stop_on_problems(checked.failures, raw.source, Path(register_path))
        reg = checked.register
        res = uptake(reg, as_of=as_of, deadline_days=deadline_days, coder=coder,
                     confidence_level=0.95)
    if as_json:
        doc = {
            "as_of": f"{res.as_of:%Y-%m-%d}",
            "scheme": res.scheme,
            "indicators": json.loads(res.indicators.to_json(orient="records")),
            "prior_agenda": json.loads(res.agenda_test.to_json(orient="records")),
            "medians": json.loads(res.medians.to_json(orient="records")),
        }
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Recommendation uptake on {res.as_of:%Y-%m-%d} ({res.scheme})")
    table.add_column("process")
    table.add_column("indicator")
    table.add_column("estimate", justify="right")
    table.add_column("95% CI" if res.indicators["confidence_level"].iloc[0] == 0.95 else "CI",
                     justify="right")
    table.add_column("n", justify="right")
    order = {name: i for i, name in enumerate(INDICATORS)}
    for process, g in res.indicators.groupby("process_id", sort=False):
        for j, r in enumerate(g.sort_values("indicator", key=lambda s: s.map(order)).itertuples()):
            table.add_row(str(process) if j == 0 else "", str(r.indicator), _fmt(r.estimate),
                          f"{_fmt(r.ci_low)}-{_fmt(r.ci_high)}" if not math.isnan(r.ci_low) else "",
                          str(r.n))
        table.add_section()
    console.print(table)
    agenda = Table(title="Prior-agenda matrix (Vrydagh 2022): uptake of recommendations already "
                         "on the agenda vs new ones")
    for col in ("process", "on agenda", "new", "difference", "Fisher p", "unknown"):
        agenda.add_column(col, justify="left" if col == "process" else "right",
                          no_wrap=col == "process")
    for r in res.agenda_test.itertuples():
        agenda.add_row(str(r.process_id), f"{_fmt(r.uptake_on_agenda)} (n={r.n_on_agenda})",
                       f"{_fmt(r.uptake_new)} (n={r.n_new})", _fmt(r.estimate),
                       _fmt(r.p_value, 3), str(r.n_unknown))
    console.print(agenda)
    med = Table(title="Median days (Kaplan-Meier, censored at the evaluation date)")
    for col in ("process", "to first response", "to implementation"):
        med.add_column(col, justify="left" if col == "process" else "right")
    wide = res.medians.pivot(index="process_id", columns="endpoint", values="estimate")
    for process in res.indicators["process_id"].unique():
        row = wide.loc[process]
        med.add_row(str(process), _fmt(row["first_response"], 0) or "not reached",
                    _fmt(row["implementation"], 0) or "not reached")
    console.print(med)
