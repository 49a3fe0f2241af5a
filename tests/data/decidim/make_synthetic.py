"""Write the SYNTHETIC Decidim accountability export of tests/data/decidim/ (deterministic).

19 invented actions of a regional government over a legislature (2024-07 to 2029-06), in the
shape of Decidim's accountability ``results`` export (``;``-separated CSV and JSON, as
``Decidim::Accountability::ResultSerializer`` + ``Decidim::Exporters::CSV`` write them) and a
table of timeline entries (milestones with progress). Nothing here is real: titles, dates,
statuses and progress are made up to exercise the importer and the say-do curve.
Run: .venv/bin/python tests/data/decidim/make_synthetic.py
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent
TITLES = [
    "Renovate public school buildings", "Free regional bus pass for under-25s",
    "Citizen energy communities in every municipality", "Protect and restore hedgerows",
    "Local food in school canteens", "Cycle lanes between neighbouring towns",
    "Heat-pump grants for low-income households", "Permanent citizens' panel on climate",
    "Flood-risk maps published for every river basin", "Repair cafes funded in each province",
    "Solar panels on public buildings", "Ban on new out-of-town shopping centres",
    "Rural car-sharing scheme", "Climate education in teacher training",
    "Green roofs for social housing", "Regional carbon budget in law",
    "Water reuse in industry", "Soil sealing stop by 2050", "Night trains to neighbouring capitals",
]
STATUS_NAMES = {"not_started": "Not started", "in_progress": "In progress",
                "completed": "Completed", "cancelled": "Cancelled"}


def main() -> None:
    rng = np.random.default_rng(2024)
    created = date(2024, 9, 16)
    results, timeline = [], []
    export_day = date(2029, 6, 30)
    fates = (["completed"] * 7 + ["in_progress"] * 8 + ["not_started"] * 2 + ["cancelled"] * 2)
    for i, (title, fate) in enumerate(zip(TITLES, fates, strict=True), start=1):
        rid = 100 + i
        start = created + timedelta(days=int(rng.integers(30, 600)))
        end = start + timedelta(days=int(rng.integers(400, 1400)))
        steps = {"completed": [25, 50, 75, 100], "in_progress": [25, 50][: int(rng.integers(1, 3))],
                 "not_started": [], "cancelled": [25]}[fate]
        day, last, progress = start, start, 0
        for p in steps:
            day = day + timedelta(days=int(rng.integers(120, 420)))
            if day > export_day:
                break
            timeline.append({"result_id": rid, "entry_date": day.isoformat(),
                             "title": f"{title}: {p} % done", "status": "", "progress": p})
            last, progress = day, p
        if fate == "cancelled":
            last = last + timedelta(days=int(rng.integers(60, 300)))
            timeline.append({"result_id": rid, "entry_date": last.isoformat(),
                             "title": f"{title}: cancelled", "status": "cancelled",
                             "progress": ""})
        if fate == "completed" and progress < 100:
            fate = "in_progress"
        updated = max(last, start)
        results.append({
            "id": rid,
            "category": {"id": 1 + i % 4, "name": {"en": ["Energy", "Mobility", "Food", "Nature"][i % 4]}},
            "parent": {"id": None},
            "title": {"en": title, "fr": ""},
            "description": {"en": f"<p>{title} (SYNTHETIC example action {i} of 19).</p>"},
            "start_date": start.isoformat(), "end_date": end.isoformat(),
            "status": {"id": list(STATUS_NAMES).index(fate) + 1, "key": fate,
                       "name": {"en": STATUS_NAMES[fate]}},
            "progress": None if fate == "cancelled" else progress,
            "created_at": f"{created.isoformat()} 10:00:00 +0200",
            "updated_at": f"{updated.isoformat()} 09:30:00 +0200",
            "url": f"https://participation.example.org/processes/legislature/f/7/results/{rid}",
            "component": {"id": 7},
            "proposal_urls": [f"https://participation.example.org/processes/assembly/f/3/proposals/{3 * i + k}"
                              for k in range(int(rng.integers(0, 3)))],
        })
    (OUT / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    flat = []
    for r in results:
        row: dict[str, object] = {}

        def put(obj: object, key: str = "", row: dict[str, object] = row) -> None:
            if isinstance(obj, dict):
                for k, v in obj.items():
                    put(v, f"{key}/{k}" if key else k)
            elif isinstance(obj, list):
                row[key] = ", ".join(map(str, obj))
            else:
                row[key] = "" if obj is None else obj

        put(r)
        flat.append(row)
    with (OUT / "results.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(flat[0]), delimiter=";")
        w.writeheader()
        w.writerows(flat)
    with (OUT / "timeline.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["result_id", "entry_date", "title", "status", "progress"])
        w.writeheader()
        w.writerows(timeline)


if __name__ == "__main__":
    main()
