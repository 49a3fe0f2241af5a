"""Write the behaviour oracle: the indicator table of each SYNTHETIC example's standard report.

Written once at commit 8dd5385, before the pipeline redesign (issue 14) moved any code, so that
``test_oracle.py`` can check that the redesign changed no number. Run from the repository root::

    python tests/indicators/oracle/make_oracle.py

Do not regenerate it to make a failing oracle test pass: a difference is a behaviour change that
must be explained (and the oracle then rewritten in the same commit, with the reason).

The script uses the API of commit 8dd5385 (``ReportConfig``, ``build_report(config)``), which the
redesign removed: run it in a checkout of that commit (``git worktree add /tmp/oracle 8dd5385``).
Its imports sit under ``__main__`` so that collecting the test suite does not import them.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
EXAMPLES = ("gentofte_ptc", "wallonia_committee", "climate_assembly", "cofoe_panel")

if __name__ == "__main__":
    from deliberval.report.config import ReportConfig  # type: ignore[import-not-found]

    from deliberval.report import build_report

    for name in EXAMPLES:
        rep = build_report(ReportConfig(process_id=name, example=name))
        rep.indicators.to_csv(HERE / f"{name}.csv", index=False, float_format="%.17g")
        print(name, rep.indicators["status"].value_counts().to_dict())
