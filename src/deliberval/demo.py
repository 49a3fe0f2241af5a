"""The demo behind ``make demo``: instrument exports, the example processes' data and reports.

The demo is a list of :class:`DemoTask` objects: every shipped instrument's codebook, XLSForm and
Table Schema; then, for each SYNTHETIC example process (``gentofte_ptc``, ``wallonia_committee``,
``climate_assembly``, ``cofoe_panel``, ``ostbelgien_dialogue``, ``brussels_committee``), its data
files, a report configuration and the standard report (HTML and XLSX; PDF too with ``pdf=True``);
finally a comparison report. :func:`write_demo` runs the example reports in worker processes
(their files are the same bytes as in one process) and the rest in the calling process.
"""

from __future__ import annotations

import os
import queue
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deliberval.instruments import (
    list_instruments,
    load_instrument,
    to_codebook,
    to_frictionless,
    to_xlsform,
)

__all__ = ["DEMO_EXAMPLES", "DemoTask", "demo_tasks", "write_demo"]

#: The example processes whose data and reports the demo writes.
DEMO_EXAMPLES = ("gentofte_ptc", "wallonia_committee", "climate_assembly", "cofoe_panel", "ostbelgien_dialogue",
                 "brussels_committee")
#: Fixed "generated" line of the demo reports, so that re-running the demo changes no file.
DEMO_TIMESTAMP = "deliberval demo (SYNTHETIC data)"
#: What the demo says about PDF reports when they are not written.
PDF_HINT = ("PDF reports are not part of the default demo (WeasyPrint takes about 25 s of CPU per report): "
            "`deliberval demo --pdf` writes them, `deliberval report <report.yaml> --pdf report.pdf` one")

Progress = Callable[[int, int, str], None]
Job = tuple[Callable[..., Any], tuple[Any, ...]]


@dataclass(frozen=True)
class DemoTask:
    """One step of the demo: a description, what it writes (one line) and a function writing files.

    A task with a ``job`` (a picklable module-level function and its arguments) may run in a
    worker process; ``collect`` then turns the job's result into the files written. ``cost``
    (CPU seconds, roughly) orders the jobs: the longest first, so that the workers finish
    together. A job may send ``(key, value)`` messages before it ends (:func:`_send`): ``early``
    of the task with that ``key`` receives the value. A task with a ``split`` needs what other
    tasks produce: once ``ready()`` says it is in (default: once every job has finished),
    ``split()`` returns its work as jobs and a function turning their results (in order) into
    the files.
    """

    description: str
    run: Callable[[], list[Path]]
    job: tuple[Callable[..., Any], tuple[Any, ...]] | None = None
    collect: Callable[[Any], list[Path]] | None = None
    writes: str = ""
    cost: float = 0.0
    split: Callable[[], tuple[list[Job], Callable[[list[Any]], list[Path]]]] | None = None
    ready: Callable[[], bool] | None = None
    key: str = ""
    early: Callable[[Any], None] | None = None


def _instrument_task(instrument_id: str, folder: Path) -> DemoTask:
    def run() -> list[Path]:
        ins = load_instrument(instrument_id)
        return [
            to_codebook(ins, folder / f"{instrument_id}.codebook.md", format="markdown"),
            to_codebook(ins, folder / f"{instrument_id}.codebook.html", format="html"),
            to_xlsform(ins, folder / f"{instrument_id}.xlsform.xlsx"),
            to_frictionless(ins, folder / f"{instrument_id}.schema.json"),
        ]

    return DemoTask(f"instrument {instrument_id}", run,
                    writes="codebook (Markdown, HTML), XLSForm and Table Schema in instruments/")


#: CPU seconds of each example's job (data, evaluation, HTML and XLSX report), as the demo's progress
#: lines gave them for forked workers (December 2026): only their order matters, the longest job
#: starts first, and the shortest come last, so that the comparison's figures start early.
EXAMPLE_COST = {"cofoe_panel": 4.1, "climate_assembly": 4.0, "ostbelgien_dialogue": 3.2, "brussels_committee": 3.1,
                "wallonia_committee": 2.8, "gentofte_ptc": 2.5}

#: The ``controls:`` block of the demo configuration of each example with a control group.
DEMO_CONTROLS: dict[str, dict[str, object]] = {
    "climate_assembly": {"covariates": ["demo_gender", "demo_age_band", "demo_education"],
                         "adjustment": "propensity"},
}


def write_example_data(name: str, folder: str | os.PathLike[str], *, seed: int = 2021) -> Path:
    """Write a SYNTHETIC example's input files and a report configuration into ``folder``.

    Files: ``responses.csv`` (UTF-8), ``members.csv``, ``targets.csv``, ``register.xlsx``
    (recommendations and response events), ``process.csv`` and ``report.yaml`` naming them.

    Returns
    -------
    pathlib.Path
        The configuration file.

    Examples
    --------
    >>> import tempfile
    >>> from deliberval.io.config import load_config
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     cfg = load_config(write_example_data("gentofte_ptc", tmp))
    >>> cfg.process_id, cfg.data.register.name
    ('gentofte_ptc', 'register.xlsx')
    """
    from deliberval.datasets import load_example
    from deliberval.datasets.registers import PROCESS_DEADLINES
    from deliberval.instruments.coding import load_scheme
    from deliberval.io import write_csv
    from deliberval.io.register import write_register
    from deliberval.schemas.register import Register

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    ex = load_example(name, seed=seed, registers=True)
    write_csv(ex.responses, out / "responses.csv", encoding="utf-8")
    ex.members.to_csv(out / "members.csv", index=False)
    ex.targets.to_csv(out / "targets.csv", index=False)
    ex.process.to_csv(out / "process.csv", index=False, date_format="%Y-%m-%d")
    data = {"responses": "responses.csv", "members": "members.csv", "targets": "targets.csv",
            "process": "process.csv"}
    if ex.recommendations is not None and ex.response_events is not None:
        write_register(Register(ex.recommendations, ex.response_events, load_scheme()), out / "register.xlsx")
        data["register"] = "register.xlsx"
    config = {
        "process_id": name,
        "instrument": ex.questionnaires.get("participant", "participant_standard"),
        "language": "en",
        "seed": seed,
        "min_cell_size": 5,
        "deadline_days": PROCESS_DEADLINES.get(name),
        "data": data,
    }
    if name in DEMO_CONTROLS:  # a self-selected control group: compared on the baseline covariates
        config["controls"] = dict(DEMO_CONTROLS[name])
    path = out / "report.yaml"
    header = f"# Report configuration of the SYNTHETIC example {name} (written by deliberval demo).\n"
    path.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


#: In a worker process, the queue of its messages to the calling process (:func:`_send`).
_MESSAGES: Any = None


def _init_worker(messages: Any) -> None:
    """Worker initialiser: where :func:`_send` puts its messages."""
    global _MESSAGES
    _MESSAGES = messages


def _send(key: str, value: Any) -> None:
    """Hand ``value`` to the calling process now, before the job ends (nothing outside a worker)."""
    if _MESSAGES is not None:
        _MESSAGES.put((key, value))


Clock = tuple[float, float]  # (wall, CPU) seconds


def _clock() -> Clock:
    return time.perf_counter(), time.process_time()


def _since(start: Clock) -> Clock:
    """Wall and CPU seconds (of this process) since ``start``."""
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, Clock]:
    """``function(*args)`` and the wall and CPU seconds it took (run in a worker: its own time,
    not the queue's)."""
    start = _clock()
    return function(*args), _since(start)


def _build_example(name: str, root_dir: str, pdf: bool = False) -> tuple[list[Path], Any]:
    """Write one example's data, configuration and reports; return the files and its summary.

    A module-level function of picklable arguments, so that a worker process (fork or spawn) can
    run it; it reads nothing but its arguments and the shipped package.
    """
    from deliberval.indicators import EvaluationSettings, evaluate_process
    from deliberval.indicators.compare import summarise_evaluation
    from deliberval.io.config import load_config
    from deliberval.report import ReportSettings, build_report, render_html, write_pdf, write_xlsx
    from deliberval.validation.process import load_process

    root = Path(root_dir)
    cfg_path = write_example_data(name, root / "data" / name)
    cfg = load_config(cfg_path)
    evaluation = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
    settings = ReportSettings.from_config(cfg)
    # the comparison needs this only: sent now, its figures are drawn while reports are still built
    summary = summarise_evaluation(evaluation, title=settings.title)
    _send(name, summary)
    rep = build_report(evaluation, settings)
    html = render_html(rep, timestamp=DEMO_TIMESTAMP)
    reports = root / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    out = reports / f"{name}.html"
    out.write_text(html, encoding="utf-8")
    files = sorted((root / "data" / name).iterdir())
    files += [out, write_xlsx(rep.tables(), reports / f"{name}.xlsx", provenance=rep.provenance,
                              min_cell_size=cfg.min_cell_size, lang=rep.lang)]
    if pdf:
        files.append(write_pdf(html, reports / f"{name}.pdf"))
    return files, summary


def _example_task(name: str, root: Path, summaries: dict[str, Any], pdf: bool) -> DemoTask:
    def collect(result: tuple[list[Path], Any]) -> list[Path]:
        files, summary = result
        summaries[name] = summary
        return files

    def early(summary: Any) -> None:  # the same as the job's result; whichever comes first is kept
        summaries.setdefault(name, summary)

    def run() -> list[Path]:
        return collect(_build_example(name, str(root), pdf))

    writes = (f"SYNTHETIC data and report.yaml in data/{name}/, the "
              f"{'HTML, XLSX and PDF' if pdf else 'HTML and XLSX'} report in reports/")
    return DemoTask(f"report {name}", run, job=(_build_example, (name, str(root), pdf)), collect=collect,
                    writes=writes, cost=EXAMPLE_COST.get(name, 0.0) + (25.0 if pdf else 0.0), key=name, early=early)


def _comparison_task(root: Path, summaries: dict[str, Any]) -> DemoTask:
    """The comparison of the examples: once every summary is in (each example's job sends it
    before building its report), one job per OECD stage's forest figure (most of its CPU; the
    largest first), then the page in this process."""

    def split() -> tuple[list[Job], Callable[[list[Any]], list[Path]]]:
        from deliberval.indicators.compare import compare_evaluations
        from deliberval.report.compare import (
            STAGES,
            _forest_figures,
            build_comparison,
            forest_stages,
            write_comparison,
        )

        rep = build_comparison(compare_evaluations([summaries[n] for n in DEMO_EXAMPLES if n in summaries]))
        stages = forest_stages(rep)

        def finish(results: list[Any]) -> list[Path]:
            drawn = dict(zip(stages, results, strict=True))
            figures = [figure for stage in STAGES for figure in drawn.get(stage, [])]
            return [write_comparison(rep, root / "reports" / "comparison.html", timestamp=DEMO_TIMESTAMP,
                                     figures=figures)]

        return [(_forest_figures, (rep, (stage,))) for stage in stages], finish

    def run() -> list[Path]:
        jobs, finish = split()
        return finish([function(*args) for function, args in jobs])

    def ready() -> bool:
        return all(name in summaries for name in DEMO_EXAMPLES)

    return DemoTask("comparison report", run, writes="the examples side by side in reports/comparison.html",
                    split=split, ready=ready)


def demo_tasks(out_dir: str | os.PathLike[str], *, reports: bool = True, pdf: bool = False) -> list[DemoTask]:
    """The steps of the demo, in order, writing into ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        Folder to write into.
    reports : bool, default True
        Whether to add the example processes' data, reports and the comparison.
    pdf : bool, default False
        Whether each example's report is also printed to PDF (needs WeasyPrint).

    Examples
    --------
    >>> tasks = demo_tasks("deliberval-demo")
    >>> tasks[0].description, tasks[-1].description
    ('instrument deliberative_experience', 'comparison report')
    """
    root = Path(out_dir)
    folder = root / "instruments"
    tasks = [_instrument_task(str(i), folder) for i in list_instruments()["id"]]
    if reports:
        summaries: dict[str, Any] = {}
        tasks += [_example_task(name, root, summaries, pdf) for name in DEMO_EXAMPLES]
        tasks.append(_comparison_task(root, summaries))
    return tasks


def _pool_context(start_method: str | None) -> Any:
    """The worker processes' start method: ``fork`` on Linux (the workers inherit the imported
    report stack and the parsed catalogue, criteria and instruments), the platform's default
    (``spawn`` on macOS and Windows) elsewhere; the jobs work with either."""
    import multiprocessing

    if start_method is None and sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        start_method = "fork"
    return multiprocessing.get_context(start_method)


#: Modules the jobs import on first use (found by listing ``sys.modules`` before and after each
#: example in a forked worker): imported once before the workers fork instead of once in each.
#: (A module missing here costs each worker its import, nothing else.)
WORKER_IMPORTS = (
    "deliberval.datasets", "deliberval.datasets.examples", "deliberval.datasets.registers", "deliberval.io.register",
    "deliberval.io.documents", "deliberval.scoring", "deliberval.indicators.scales", "deliberval.analysis.did",
    "deliberval.analysis.cfa", "deliberval.analysis.psychometrics", "deliberval.analysis.event_study",
    "deliberval.analysis.propensity", "deliberval.analysis.agreement", "deliberval.analysis.register_agreement",
    "deliberval.analysis.sides", "deliberval.plots.fate", "deliberval.plots.balance", "deliberval.plots.forest",
    "deliberval.report.compare", "openpyxl", "pandera.accessors.pandas_accessor", "statsmodels.stats.inter_rater",
    "krippendorff", "babel.localedata", "patsy", "formulaic", "matplotlib.backends.backend_agg",
    "PIL.PngImagePlugin",
)


def _warm(pdf: bool) -> None:
    """Import the report stack (:data:`WORKER_IMPORTS` too) and parse the shipped catalogue,
    criteria, coding scheme and instruments once in this process, so that forked workers share
    them instead of each paying."""
    import contextlib
    import importlib

    from deliberval.indicators import EvaluationSettings, evaluate_process  # noqa: F401
    from deliberval.indicators.catalogue import load_catalogue
    from deliberval.indicators.compare import summarise_evaluation  # noqa: F401
    from deliberval.indicators.criteria import load_criteria
    from deliberval.instruments.coding import load_scheme
    from deliberval.io.config import load_config  # noqa: F401
    from deliberval.report import build_report, render_html, write_xlsx  # noqa: F401
    from deliberval.validation.process import load_process  # noqa: F401

    for name in WORKER_IMPORTS:
        with contextlib.suppress(ImportError):  # an optional dependency: the job needing it says so
            importlib.import_module(name)
    load_catalogue()
    load_criteria()
    load_scheme()
    for instrument_id in list_instruments()["id"]:
        load_instrument(str(instrument_id))
    if pdf:
        import weasyprint  # noqa: F401


def _run_in_pool(pool: ProcessPoolExecutor, messages: Any, tasks: list[DemoTask], jobs: list[int],
                 finished: Callable[[int, list[Path], Clock], None]) -> None:
    """Run the tasks ``jobs`` (each with a ``job``) in ``pool``, the longest first, and the
    instrument exports in this process meanwhile; pass the jobs' ``messages`` on (``early``);
    start each ``split`` task's jobs as soon as it is ready. ``finished(i, files, (wall, CPU))``
    is called for each task done (a split task's CPU: its jobs' and this process's part)."""
    pending: dict[Future[Any], tuple[int, int]] = {}  # future -> (task, part of a split task or -1)
    open_jobs = set(jobs)
    splits = [i for i, task in enumerate(tasks) if task.split is not None]
    # a split task's finish, its jobs' results so far, their number, its start and CPU so far
    parts: dict[int, tuple[Callable[[list[Any]], list[Path]], dict[int, Any], int, float, list[float]]] = {}
    by_key = {task.key: task for task in tasks if task.early is not None}

    def submit(i: int, part: int, job: Job) -> None:
        pending[pool.submit(_timed, job[0], *job[1])] = (i, part)

    def start_splits() -> None:
        for i in list(splits):
            task = tasks[i]
            assert task.split is not None
            if open_jobs if task.ready is None else not task.ready():
                continue
            splits.remove(i)
            start = _clock()
            split_jobs, finish = task.split()
            parts[i] = (finish, {}, len(split_jobs), start[0], [_since(start)[1]])
            if not split_jobs:
                finished(i, finish([]), _since(start))
            for part, job in enumerate(split_jobs):
                submit(i, part, job)

    def read_messages() -> None:
        while True:
            try:
                key, value = messages.get_nowait()
            except queue.Empty:
                return
            early = by_key[key].early
            assert early is not None
            early(value)

    def take(futures: Any) -> None:
        read_messages()
        for fut in sorted(futures, key=lambda f: pending[f]):
            i, part = pending.pop(fut)
            result, clock = fut.result()
            if part < 0:
                collect = tasks[i].collect
                assert collect is not None
                finished(i, collect(result), clock)
                open_jobs.discard(i)
            else:
                finish, results, n, t0, cpu = parts[i]
                results[part] = result
                cpu.append(clock[1])
                if len(results) == n:
                    start = _clock()
                    files = finish([results[k] for k in range(n)])
                    finished(i, files, (time.perf_counter() - t0, sum(cpu) + _since(start)[1]))
        start_splits()

    for i in sorted(jobs, key=lambda i: -tasks[i].cost):
        job = tasks[i].job
        assert job is not None
        submit(i, -1, job)
    # meanwhile this process writes what needs no example (the instrument exports)
    for i, task in enumerate(tasks):
        if task.job is None and task.split is None and task.description.startswith("instrument "):
            start = _clock()
            finished(i, task.run(), _since(start))
            take([f for f in pending if f.done()])
    while pending:
        # messages come between the jobs' ends: look for them every 50 ms while a task waits for them
        complete, _ = wait(pending, timeout=0.05 if splits else None, return_when=FIRST_COMPLETED)
        take(complete)


def write_demo(out_dir: str | os.PathLike[str], *, progress: Progress | None = None,
               reports: bool = True, workers: int | None = None, pdf: bool = False,
               start_method: str | None = None) -> list[Path]:
    """Write the demo outputs into ``out_dir`` and return the files written.

    For every instrument and questionnaire of the shipped library, ``out_dir/instruments/``
    receives a Markdown and an HTML codebook, an XLSForm and a Frictionless Table Schema. With
    ``reports``, ``out_dir/data/<example>/`` receives each SYNTHETIC example's input files and
    ``report.yaml``, and ``out_dir/reports/`` the standard reports (HTML and XLSX; PDF with
    ``pdf``) and ``comparison.html``. ``out_dir/README.md`` lists everything written.

    Parameters
    ----------
    out_dir : path-like
        Folder to write into (created when missing; existing files are overwritten).
    progress : callable, optional
        Called as ``progress(done, total, message)``: once before the first step (``done = 0``,
        the message says what the demo is about to write and how), after each step (the message
        names the step and what it wrote, and its own wall and CPU seconds: ``(8 files, 9.1 s,
        CPU 5.2 s)``) and once at the end (``done = total``, ``"done"``).
    reports : bool, default True
        Whether to write the example processes' data and reports (the slow part).
    workers : int, optional
        Worker processes for the example reports (default: the number of CPUs, at most 4; 1
        runs everything in this process). The files are the same bytes either way, and
        ``README.md`` lists them in the same order.
    pdf : bool, default False
        Whether to print each example's report to PDF too (WeasyPrint; about 25 s of CPU per
        report, 2.5 times the rest of the example).
    start_method : str, optional
        How worker processes start (``"fork"``, ``"spawn"``, ``"forkserver"``); default
        ``fork`` on Linux, the platform's default elsewhere.

    Returns
    -------
    list of pathlib.Path
        Every file written, in the order of the steps, the index last.

    Raises
    ------
    DataInputError
        ``pdf`` without WeasyPrint installed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_demo(tmp, reports=False)
    ...     names = sorted(p.name for p in files)
    >>> "political_efficacy.xlsform.xlsx" in names, "README.md" in names
    (True, True)
    """
    if pdf and reports:
        from deliberval.report import pdf_available

        if not pdf_available():
            from deliberval.errors import DataInputError

            raise DataInputError("--pdf needs WeasyPrint, which is not installed: install the 'pdf' extra "
                                 "(pip install weasyprint) or leave out --pdf")
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    tasks = demo_tasks(root, reports=reports, pdf=pdf)
    total = len(tasks)
    n_workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    jobs = [i for i, task in enumerate(tasks) if task.job is not None] if n_workers > 1 else []
    n_workers = min(n_workers, len(jobs))
    results: dict[int, list[Path]] = {}
    done = 0

    def finished(i: int, files: list[Path], clock: Clock) -> None:
        nonlocal done
        results[i] = files
        done += 1
        if progress is not None:
            task = tasks[i]
            progress(done, total, f"{task.description}: {task.writes} ({len(files)} file{'' if len(files) == 1 else 's'}, "
                                  f"{clock[0]:.1f} s, CPU {clock[1]:.1f} s)")

    if progress is not None:
        n_instruments = sum(task.description.startswith("instrument ") for task in tasks)
        n_examples = sum(task.description.startswith("report ") for task in tasks)
        how = (f"{n_workers} worker processes" if n_workers > 1 else "one process")
        progress(0, total, f"writing the exports of {n_instruments} instruments"
                 + (f", {n_examples} SYNTHETIC example processes' data and reports ({how}) and a comparison"
                    if reports else "") + f" into {root}")
    if jobs:
        _warm(pdf)
        context = _pool_context(start_method)
        messages = context.Queue()
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=context, initializer=_init_worker,
                                 initargs=(messages,)) as pool:
            _run_in_pool(pool, messages, tasks, jobs, finished)
        messages.close()
    for i, task in enumerate(tasks):
        if i not in results:
            start = _clock()
            finished(i, task.run(), _since(start))
    written = [path for i in range(total) for path in results[i]]
    index = root / "README.md"
    lines = [
        "# deliberval demo",
        "",
        "Files written by `deliberval demo`: codebooks, XLSForms for ODK / KoboToolbox and",
        "Frictionless Table Schemas of the canonical responses table; the SYNTHETIC example",
        "processes' input files with a report configuration each (`data/<example>/report.yaml`,",
        "run `deliberval report data/<example>/report.yaml -o report.html`), their standard",
        "reports and a comparison report (`reports/`). All example data are SYNTHETIC.",
        *(["", PDF_HINT + "."] if reports and not pdf else []),
        "",
        *[f"- [{p.relative_to(root).as_posix()}]({p.relative_to(root).as_posix()})" for p in written],
        "",
    ]
    index.write_text("\n".join(lines), encoding="utf-8")
    written.append(index)
    if progress is not None:
        progress(total, total, "done")
    return written
