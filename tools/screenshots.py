"""Screenshots of the first two screens of every demo report in every report language.

``make screenshots`` runs this after ``make demo``: for each example process under
``<demo>/data/*/report.yaml`` (the SYNTHETIC examples the demo writes), the report is built in
every language of :data:`deliberval.report.i18n.LANGUAGES`, written as HTML to
``<demo>/screenshots/html/`` and photographed by headless Chromium (a fresh profile, no network
services) at 1280 x 1600 pixels: the first two screens of a 1280 x 800 window. Each picture is
also cut into ``<example>.<lang>.screen1.png`` and ``.screen2.png``.

Usage: ``python tools/screenshots.py [--demo deliberval-demo] [--chromium chromium]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTH, SCREEN = 1280, 800
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio")


def find_chromium(name: str | None) -> str | None:
    """The Chromium executable: ``name``, else the first of chromium / chromium-browser / google-chrome."""
    for candidate in ([name] if name else ["chromium", "chromium-browser", "google-chrome"]):
        path = shutil.which(candidate)
        if path:
            return path
    return None


def shoot(chromium: str, html: Path, png: Path) -> None:
    """Photograph ``html`` (the top 1280 x 1600 pixels) into ``png`` with a fresh Chromium profile."""
    with tempfile.TemporaryDirectory(prefix="deliberval-chromium-") as profile:
        cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},{2 * SCREEN}",
               f"--screenshot={png}", html.resolve().as_uri()]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot of {html}")


def split(png: Path) -> list[Path]:
    """Cut a two-screen picture into its first and second screen."""
    from PIL import Image

    out = []
    with Image.open(png) as img:
        for i in range(2):
            part = png.with_name(png.name.replace(".png", f".screen{i + 1}.png"))
            img.crop((0, i * SCREEN, WIDTH, (i + 1) * SCREEN)).save(part)
            out.append(part)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo", default="deliberval-demo", help="folder written by `deliberval demo`")
    parser.add_argument("--chromium", default=None, help="Chromium executable (default: found on PATH)")
    args = parser.parse_args(argv)

    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("screenshots: no Chromium found (apt-get install chromium); nothing written")
        return 0
    from deliberval.demo import DEMO_TIMESTAMP
    from deliberval.indicators import EvaluationSettings, evaluate_process
    from deliberval.io.config import load_config
    from deliberval.report import ReportSettings, build_report, render_html
    from deliberval.report.i18n import LANGUAGES
    from deliberval.validation.process import load_process

    demo = Path(args.demo)
    configs = sorted((demo / "data").glob("*/report.yaml"))
    if not configs:
        print(f"screenshots: no {demo}/data/*/report.yaml; run `make demo` first")
        return 2
    out = demo / "screenshots"
    (out / "html").mkdir(parents=True, exist_ok=True)
    written = []
    for config in configs:
        cfg = load_config(config)
        evaluation = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
        for lang in LANGUAGES:
            rep = build_report(evaluation, ReportSettings.from_config(cfg, language=lang))
            html = out / "html" / f"{cfg.process_id}.{lang}.html"
            html.write_text(render_html(rep, timestamp=DEMO_TIMESTAMP), encoding="utf-8")
            png = out / f"{cfg.process_id}.{lang}.png"
            shoot(chromium, html, png)
            written += [png, *split(png)]
            print(f"screenshots: {png}")
    print(f"screenshots: {len(written)} pictures of {len(configs)} reports x {len(LANGUAGES)} languages in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
