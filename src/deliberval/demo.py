"""The demo behind ``make demo``: instrument exports, the example processes' data and reports.

The demo is a list of :class:`DemoTask` objects: every shipped instrument's codebook, XLSForm and
Table Schema; then, for each SYNTHETIC example process (``gentofte_ptc``, ``wallonia_committee``,
``climate_assembly``, ``cofoe_panel``, ``ostbelgien_dialogue``, ``brussels_committee``), its data
files, a report configuration and the standard
report (HTML and XLSX; PDF too when WeasyPrint is installed); finally a comparison report.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
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

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DemoTask:
    """One step of the demo: a description for the progress bar and a function writing files.

    A task with a ``job`` (a picklable module-level function and its arguments) may run in a
    worker process; ``collect`` then turns the job's result into the files written.
    """

    description: str
    run: Callable[[], list[Path]]
    job: tuple[Callable[..., Any], tuple[Any, ...]] | None = None
    collect: Callable[[Any], list[Path]] | None = None


def _instrument_task(instrument_id: str, folder: Path) -> DemoTask:
    def run() -> list[Path]:
        ins = load_instrument(instrument_id)
        return [
            to_codebook(ins, folder / f"{instrument_id}.codebook.md", format="markdown"),
            to_codebook(ins, folder / f"{instrument_id}.codebook.html", format="html"),
            to_xlsform(ins, folder / f"{instrument_id}.xlsform.xlsx"),
            to_frictionless(ins, folder / f"{instrument_id}.schema.json"),
        ]

    return DemoTask(f"instrument {instrument_id}", run)


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


def _build_example(name: str, root_dir: str) -> tuple[list[Path], Any]:
    """Write one example's data, configuration and reports; return the files and its summary."""
    from deliberval.indicators import EvaluationSettings, evaluate_process
    from deliberval.indicators.compare import summarise_evaluation
    from deliberval.io.config import load_config
    from deliberval.report import (
        ReportSettings,
        build_report,
        pdf_available,
        render_html,
        write_pdf,
        write_xlsx,
    )
    from deliberval.validation.process import load_process

    root = Path(root_dir)
    cfg_path = write_example_data(name, root / "data" / name)
    cfg = load_config(cfg_path)
    evaluation = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
    rep = build_report(evaluation, ReportSettings.from_config(cfg))
    html = render_html(rep, timestamp=DEMO_TIMESTAMP)
    reports = root / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    out = reports / f"{name}.html"
    out.write_text(html, encoding="utf-8")
    files = sorted((root / "data" / name).iterdir())
    files += [out, write_xlsx(rep.tables(), reports / f"{name}.xlsx", provenance=rep.provenance,
                              min_cell_size=cfg.min_cell_size, lang=rep.lang)]
    if pdf_available():
        files.append(write_pdf(html, reports / f"{name}.pdf"))
    return files, summarise_evaluation(evaluation, title=rep.title)


def _example_task(name: str, root: Path, summaries: dict[str, Any]) -> DemoTask:
    def collect(result: tuple[list[Path], Any]) -> list[Path]:
        files, summary = result
        summaries[name] = summary
        return files

    def run() -> list[Path]:
        return collect(_build_example(name, str(root)))

    return DemoTask(f"report {name}", run, job=(_build_example, (name, str(root))), collect=collect)


def _comparison_task(root: Path, summaries: dict[str, Any]) -> DemoTask:
    def run() -> list[Path]:
        from deliberval.indicators.compare import compare_evaluations
        from deliberval.report.compare import build_comparison, write_comparison

        rep = build_comparison(compare_evaluations([summaries[n] for n in DEMO_EXAMPLES if n in summaries]))
        return [write_comparison(rep, root / "reports" / "comparison.html", timestamp=DEMO_TIMESTAMP)]

    return DemoTask("comparison report", run)


def demo_tasks(out_dir: str | os.PathLike[str], *, reports: bool = True) -> list[DemoTask]:
    """The steps of the demo, in order, writing into ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        Folder to write into.
    reports : bool, default True
        Whether to add the example processes' data, reports and the comparison.

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
        tasks += [_example_task(name, root, summaries) for name in DEMO_EXAMPLES]
        tasks.append(_comparison_task(root, summaries))
    return tasks


def write_demo(out_dir: str | os.PathLike[str], *, progress: Progress | None = None,
               reports: bool = True, workers: int | None = None) -> list[Path]:
    """Write the demo outputs into ``out_dir`` and return the files written.

    For every instrument and questionnaire of the shipped library, ``out_dir/instruments/``
    receives a Markdown and an HTML codebook, an XLSForm and a Frictionless Table Schema. With
    ``reports``, ``out_dir/data/<example>/`` receives each SYNTHETIC example's input files and
    ``report.yaml``, and ``out_dir/reports/`` the standard reports (HTML, XLSX, and PDF when
    WeasyPrint is installed) and ``comparison.html``. ``out_dir/README.md`` lists everything
    written.

    Parameters
    ----------
    out_dir : path-like
        Folder to write into (created when missing; existing files are overwritten).
    progress : callable, optional
        Called as ``progress(done, total, description)`` before each step and once at the end.
    reports : bool, default True
        Whether to write the example processes' data and reports (the slow part).
    workers : int, optional
        Worker processes for the example reports (default: the number of CPUs, at most 4; 1
        runs everything in this process).

    Returns
    -------
    list of pathlib.Path
        Every file written, the index last.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_demo(tmp, reports=False)
    ...     names = sorted(p.name for p in files)
    >>> "political_efficacy.xlsform.xlsx" in names, "README.md" in names
    (True, True)
    """
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    tasks = demo_tasks(root, reports=reports)
    written: list[Path] = []
    n_workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    parallel = [task for task in tasks if task.job is not None] if n_workers > 1 else []
    done = 0
    # tasks before the first parallel job run first, the parallel jobs next, the rest after them
    first = next((i for i, task in enumerate(tasks) if task in parallel), len(tasks))
    before = [task for i, task in enumerate(tasks) if i < first and task not in parallel]
    after = [task for i, task in enumerate(tasks) if i >= first and task not in parallel]
    for task in before:
        if progress is not None:
            progress(done, len(tasks), task.description)
        written += task.run()
        done += 1
    if parallel:
        if progress is not None:
            progress(done, len(tasks), "reports of " + ", ".join(t.description.split()[-1] for t in parallel))
        # import the report stack (and WeasyPrint) once here, so that forked workers inherit it
        from deliberval.indicators.compare import summarise_evaluation  # noqa: F401
        from deliberval.report import pdf_available

        pdf_available()
        results: dict[int, Any] = {}
        with ProcessPoolExecutor(max_workers=min(n_workers, len(parallel))) as pool:
            futures = {pool.submit(task.job[0], *task.job[1]): i  # type: ignore[index]
                       for i, task in enumerate(parallel)}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                done += 1
                if progress is not None:
                    progress(done, len(tasks), parallel[futures[fut]].description)
        for i, task in enumerate(parallel):
            assert task.collect is not None
            written += task.collect(results[i])
    for task in after:
        if progress is not None:
            progress(done, len(tasks), task.description)
        written += task.run()
        done += 1
    index = root / "README.md"
    lines = [
        "# deliberval demo",
        "",
        "Files written by `deliberval demo`: codebooks, XLSForms for ODK / KoboToolbox and",
        "Frictionless Table Schemas of the canonical responses table; the SYNTHETIC example",
        "processes' input files with a report configuration each (`data/<example>/report.yaml`,",
        "run `deliberval report data/<example>/report.yaml -o report.html`), their standard",
        "reports and a comparison report (`reports/`). All example data are SYNTHETIC.",
        "",
        *[f"- [{p.relative_to(root).as_posix()}]({p.relative_to(root).as_posix()})" for p in written],
        "",
    ]
    index.write_text("\n".join(lines), encoding="utf-8")
    written.append(index)
    if progress is not None:
        progress(len(tasks), len(tasks), "done")
    return written
