"""MkDocs hook: pages generated at build time from the source, so they cannot drift.

* ``indicators.md`` from ``src/deliberval/indicators/catalogue.yaml`` (the indicator catalogue);
* ``cli.md`` from the ``deliberval`` command tree (typer / click), every command and option.

Both are built offline from the installed package and the repository; nothing is fetched.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import yaml
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "src" / "deliberval" / "indicators" / "catalogue.yaml"


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


# ---- indicator catalogue ------------------------------------------------------------------------
def indicator_page(path: Path = CATALOGUE) -> str:
    """Markdown of the indicator catalogue, grouped by OECD stage and criterion."""
    cat: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    stages: dict[str, dict[str, str]] = cat.get("stages", {})
    criteria: dict[str, dict[str, str]] = cat.get("criteria", {})
    indicators: list[dict[str, Any]] = cat.get("indicators", [])
    out = [
        "# Indicator catalogue",
        "",
        f"Catalogue `{cat.get('id', '')}` version **{cat.get('version', '')}**, "
        f"{len(indicators)} indicators. This page is generated from "
        "`src/deliberval/indicators/catalogue.yaml` at every docs build.",
        "",
        "The catalogue follows the structure of the OECD evaluation guidelines: "
        + _cell(cat.get("reference", "")),
        "",
        "Each indicator names the data it **needs** (`members`, `targets`, `selection_funnel`, "
        "`register`, `responses:<wave or group>`, `process:<field>`), the deliberval **function** "
        "that computes it, its unit, the direction in which it is better, and an optional "
        "threshold used to flag it in the report. An indicator whose data are missing is reported "
        "as *not measured*, with the missing data named. The indicators of one process are "
        "`deliberval.evaluate_process(data).indicators` (or `deliberval.indicator_table(...)`); "
        "see the [API reference](api/indicators.md).",
        "",
    ]
    for stage, labels in stages.items():
        in_stage = [i for i in indicators if i.get("stage") == stage]
        if not in_stage:
            continue
        out += [f"## {labels.get('en', stage)}", ""]
        if "fr" in labels:
            out += [f"*fr: {labels['fr']}*", ""]
        seen: list[str] = []
        for ind in in_stage:
            if ind["criterion"] not in seen:
                seen.append(ind["criterion"])
        for crit in seen:
            label = criteria.get(crit, {}).get("en", crit)
            out += [
                f"### {label}",
                "",
                "| id | indicator | needs | computed by | unit | better | threshold |",
                "|---|---|---|---|---|---|---|",
            ]
            for ind in (i for i in in_stage if i["criterion"] == crit):
                extra = ""
                if ind.get("items"):
                    extra = " (items " + ", ".join(f"`{x}`" for x in ind["items"]) + ")"
                elif ind.get("scale"):
                    extra = f" (scale `{ind['scale']}`)"
                threshold = ind.get("threshold")
                out.append(
                    "| "
                    + " | ".join(
                        [
                            f"`{ind['id']}`",
                            _cell(ind["label"]["en"]) + extra,
                            ", ".join(f"`{n}`" for n in ind.get("needs", [])),
                            f"`{ind['function']}`" if ind.get("function") else "fact",
                            _cell(ind.get("unit", "")).replace("_", " "),
                            "higher" if ind.get("direction") == "higher_is_better" else "lower",
                            "" if threshold is None else _cell(threshold),
                        ]
                    )
                    + " |"
                )
            out.append("")
    return "\n".join(out)


# ---- CLI reference ------------------------------------------------------------------------------
def _param_rows(cmd: Any) -> list[str]:
    rows = []
    for p in cmd.params:
        if getattr(p, "hidden", False) or p.name == "help":
            continue
        # duck-typed: typer >= 0.22 vendors its own copy of click
        if p.param_type_name == "argument":
            name = '`' + (p.metavar or p.name or '').upper() + '`'
            kind = "argument"
            help_text = getattr(p, "help", None) or ""
        else:
            name = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
            kind = "flag" if p.is_flag else "option"
            help_text = p.help or ""
        default = ""
        if not p.required and p.default not in (None, False, (), []) and not callable(p.default):
            default = f"`{p.default}`"
        required = "yes" if p.required else ""
        rows.append(f"| {name} | {kind} | {required} | {default} | {_cell(help_text)} |")
    return rows


def _walk(cmd: Any, path: list[str], out: list[str]) -> None:
    if getattr(cmd, "hidden", False):
        return
    title = " ".join(path)
    level = "#" * min(len(path) + 1, 4)
    out += [f"{level} `{title}`", ""]
    help_text = inspect.cleandoc(cmd.help or "")
    if help_text:
        out += [help_text.replace("\b\n", ""), ""]
    rows = _param_rows(cmd)
    if rows:
        out += [
            "| parameter | kind | required | default | description |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    for name, sub in getattr(cmd, "commands", {}).items():
        _walk(sub, [*path, name], out)


def cli_page() -> str:
    """Markdown reference of every ``deliberval`` command, generated from the command tree."""
    import typer

    from deliberval.cli import app

    root = typer.main.get_command(app)
    out = [
        "# CLI reference",
        "",
        "Generated from the `deliberval` command tree at every docs build. Every command is a "
        "thin face over the Python API; user errors print one line and exit with status 2, and so "
        "does any unexpected failure (one line naming the command, its input, the step that failed "
        "and where to report it; never a traceback). Status 1 is only `deliberval validate`'s "
        "'some rows quarantined'. "
        "Run `deliberval COMMAND --help` for the same text in the terminal.",
        "",
    ]
    _walk(root, ["deliberval"], out)
    return "\n".join(out)


# ---- mkdocs entry point -------------------------------------------------------------------------
def on_files(files: Files, config: Any, **kwargs: Any) -> Files:
    for uri, content in (("indicators.md", indicator_page()), ("cli.md", cli_page())):
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, uri, content=content))
    return files
