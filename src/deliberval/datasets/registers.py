"""Recommendation registers: seeded simulations for the example processes, and the French
Convention Citoyenne pour le Climat (149 proposals) at aggregate level under two codings.

The simulated registers are **illustrative**: their parameters (number of recommendations,
response deadlines, how often the authority responds and takes recommendations up, and how much
more often it takes up recommendations that were already on its agenda) are plausible values
chosen to exercise every indicator, not estimates for the real processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from deliberval.errors import DataInputError
from deliberval.instruments.coding import CodingScheme, load_scheme
from deliberval.schemas.register import Register
from deliberval.validation.register import validate_register

__all__ = [
    "PROCESS_DEADLINES",
    "REGISTER_PROCESSES",
    "RegisterProfile",
    "ccc_proposals",
    "ccc_register",
    "simulate_register",
]


@dataclass(frozen=True)
class RegisterProfile:
    """Simulation parameters of one example process (illustrative values).

    ``submitted`` is one ISO date, or several separated by commas: the hand-over dates of
    successive batches (assemblies), the recommendations split between them in order.
    """

    n_recommendations: int
    submitted: str
    deadline_days: int
    addressee: str
    p_prior_agenda: float
    p_respond: float
    mean_days_to_response: float
    p_uptake_new: float
    p_uptake_on_agenda: float
    p_implement: float
    p_justified: float
    themes: tuple[str, ...]


REGISTER_PROCESSES: dict[str, RegisterProfile] = {
    # hybrid committee of a municipal council: few recommendations, fast answers, high uptake
    "gentofte_ptc": RegisterProfile(12, "2023-06-15", 90, "city council", 0.5, 0.97, 45, 0.55,
                                    0.8, 0.7, 0.9, ("mobility", "health", "climate", "culture")),
    # deliberative committee of a regional parliament with a follow-up session
    "wallonia_committee": RegisterProfile(20, "2023-11-30", 180, "regional parliament", 0.35,
                                          0.85, 120, 0.3, 0.55, 0.4, 0.75,
                                          ("democracy", "education", "economy")),
    # national climate assembly with a legal six-month deadline for the government's response
    "climate_assembly": RegisterProfile(81, "2021-06-23", 182, "national government", 0.4, 0.9,
                                        150, 0.25, 0.55, 0.35, 0.6,
                                        ("transport", "buildings", "food", "energy", "economy")),
    # transnational citizens' panel feeding a conference plenary
    "cofoe_panel": RegisterProfile(39, "2022-05-09", 365, "EU institutions", 0.3, 0.7, 240,
                                   0.2, 0.45, 0.25, 0.5,
                                   ("democracy", "climate", "health", "migration", "economy")),
    # permanent citizens' dialogue: two successive assemblies hand over their recommendations;
    # the parliament must answer every one within the deadline and justify every rejection
    "ostbelgien_dialogue": RegisterProfile(18, "2020-02-15,2021-03-27", 120, "regional parliament", 0.3,
                                           1.0, 70, 0.45, 0.7, 0.5, 1.0, ("care", "education", "housing")),
    # bilingual deliberative committee of a regional parliament (citizens and MPs)
    "brussels_committee": RegisterProfile(24, "2024-02-24", 180, "regional parliament", 0.35, 0.85,
                                          110, 0.3, 0.55, 0.35, 0.75, ("mobility", "public space", "environment")),
}

#: Response deadline (days after the recommendations were handed over) of each example process.
PROCESS_DEADLINES: dict[str, int] = {k: v.deadline_days for k, v in REGISTER_PROCESSES.items()}


def simulate_register(
    process_id: str,
    n_recommendations: int | None = None,
    seed: int | np.random.Generator | None = None,
    *,
    n_coders: int = 1,
    coder_agreement: float = 0.85,
    scheme: CodingScheme | None = None,
) -> Register:
    """Simulate the uptake register of an example process.

    Each recommendation is on the authority's agenda before the process with a set probability;
    the authority responds (or not) after a gamma-distributed delay; the first substantive
    response is a rejection (with or without reasons), a referral, or an acceptance, with
    acceptance more likely for recommendations already on the agenda (cherry-picking);
    accepted recommendations may later be partially, then fully implemented. Some
    recommendations are first acknowledged only.

    Parameters
    ----------
    process_id : str
        One of ``gentofte_ptc``, ``wallonia_committee``, ``climate_assembly``, ``cofoe_panel``,
        ``ostbelgien_dialogue``, ``brussels_committee``.
    n_recommendations : int, optional
        Default: the profile's number.
    seed : int or Generator, optional
        Seed for reproducible registers.
    n_coders : int, default 1
        With 2 or more, every response event is coded independently by each coder
        (``coder_1``, ``coder_2``, ...), who gives the reference code with probability
        ``coder_agreement`` and otherwise a neighbouring status: data for
        :func:`deliberval.agreement`.
    coder_agreement : float, default 0.85
    scheme : CodingScheme, optional
        Default: the shipped uptake scheme.

    Returns
    -------
    Register
        Validated ``recommendations`` and ``events`` tables.

    Examples
    --------
    >>> from deliberval.datasets.registers import simulate_register
    >>> reg = simulate_register("gentofte_ptc", seed=1)
    >>> reg.recommendations.shape[0]
    12
    >>> reg.events["response_status"].isin(reg.scheme.status_order).all()
    np.True_
    """
    if process_id not in REGISTER_PROCESSES:
        raise DataInputError(
            f"unknown example process {process_id!r}; choose one of {', '.join(REGISTER_PROCESSES)}")
    prof = REGISTER_PROCESSES[process_id]
    n = prof.n_recommendations if n_recommendations is None else int(n_recommendations)
    if n < 1:
        raise DataInputError(f"n_recommendations must be at least 1, got {n}")
    if n_coders < 1:
        raise DataInputError(f"n_coders must be at least 1, got {n_coders}")
    scheme = scheme or load_scheme()
    gen = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    batches = [pd.Timestamp(d) for d in prof.submitted.split(",")]
    batch_of = (np.arange(n) * len(batches)) // n
    rec_ids = [f"{process_id}-{i + 1:03d}" for i in range(n)]
    handed_over = dict(zip(rec_ids, (batches[b] for b in batch_of), strict=True))
    prior = gen.random(n) < prof.p_prior_agenda
    recs = pd.DataFrame({
        "process_id": process_id,
        "rec_id": rec_ids,
        "title": [f"Recommendation {i + 1}" for i in range(n)],
        "submitted": [handed_over[r] for r in rec_ids],
        "theme": gen.choice(list(prof.themes), n),
        "addressee": prof.addressee,
        "vote_share": np.round(gen.uniform(0.6, 0.99, n), 3),
        "cost_class": gen.choice(["low", "medium", "high"], n, p=[0.4, 0.4, 0.2]),
        "challenges_policy": np.where(gen.random(n) < 0.35, "yes", "no"),
        "prior_agenda": np.where(prior, "yes", "no"),
    })
    fid_codes, fid_p = ["unchanged", "modified", "diluted", "expanded"], [0.35, 0.4, 0.2, 0.05]
    impacts = list(scheme.codes("impact_type"))
    events: list[dict[str, object]] = []

    def add(rid: str, day: float, status: str, fidelity: str | None = None,
            impact: str | None = None) -> None:
        events.append({"rec_id": rid, "date": handed_over[rid] + pd.Timedelta(days=int(day)),
                       "response_status": status, "fidelity": fidelity, "impact_type": impact,
                       "source": f"{prof.addressee} response", "actor": prof.addressee})

    for rid, on_agenda in zip(rec_ids, prior, strict=True):
        if gen.random() >= prof.p_respond:
            continue
        day = gen.gamma(2.0, prof.mean_days_to_response / 2.0)
        if gen.random() < 0.25:
            add(rid, day, "acknowledged")
            day += gen.gamma(2.0, prof.mean_days_to_response / 2.0)
        p_up = prof.p_uptake_on_agenda if on_agenda else prof.p_uptake_new
        u = gen.random()
        if u < p_up:
            fid = str(gen.choice(fid_codes, p=fid_p))
            impact = str(gen.choice(impacts, p=[0.7, 0.2, 0.1]))
            add(rid, day, "accepted_in_principle", fid, impact)
            if gen.random() < prof.p_implement:
                day += gen.gamma(2.0, 120)
                if gen.random() < 0.5:
                    add(rid, day, "partially_implemented", fid, impact)
                    day += gen.gamma(2.0, 90)
                add(rid, day, "implemented", fid, impact)
        elif u < p_up + (1 - p_up) * 0.25:
            add(rid, day, "referred_for_study")
        else:
            justified = gen.random() < prof.p_justified
            add(rid, day, "rejected_with_reasons" if justified else "rejected_without_reasons")
    ev = pd.DataFrame(events, columns=["rec_id", "date", "response_status", "fidelity",
                                       "impact_type", "source", "actor"])
    if n_coders > 1 and len(ev):
        order = list(scheme.status_order)
        copies = []
        for c in range(n_coders):
            copy = ev.copy()
            pos = copy["response_status"].map({s: i for i, s in enumerate(order)}).to_numpy()
            slip = gen.random(len(copy)) >= coder_agreement
            step = gen.choice([-1, 1], len(copy))
            pos = np.where(slip, np.clip(pos + step, 0, len(order) - 1), pos)
            copy["response_status"] = [order[p] for p in pos]
            copy["coder"] = f"coder_{c + 1}"
            copies.append(copy)
        ev = pd.concat(copies, ignore_index=True)
    elif len(ev):
        ev["coder"] = "coder_1"
    ev = ev.sort_values(["rec_id", "date"], kind="stable").reset_index(drop=True)
    return validate_register(recs, ev, scheme=scheme).require_valid()


# --------------------------------------------------------------------------- CCC (France)

def _data_path(name: str) -> Path:
    return Path(__file__).resolve().parent / "data" / name


def ccc_proposals() -> pd.DataFrame:
    """The 149 proposals of the French Convention Citoyenne pour le Climat under two codings.

    Aggregate counts only (no proposal-level coding is published in a reusable form): one row per
    coding and category, with ``coding`` (``government`` or ``press``), ``category`` (the
    wording of the count), ``n_proposals``, ``share``, ``response_status`` and ``fidelity``
    (the uptake scheme codes the category maps to), ``approximate`` and ``source``. See the
    header of ``ccc_149_proposals.csv`` for sources and caveats.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> from deliberval.datasets.registers import ccc_proposals
    >>> ccc = ccc_proposals()
    >>> ccc.groupby("coding")["n_proposals"].sum().to_dict()
    {'government': 149, 'press': 149}
    """
    return pd.read_csv(_data_path("ccc_149_proposals.csv"), comment="#",
                       dtype={"n_proposals": "int64", "share": "float64"})


def ccc_register(coding: str = "government") -> Register:
    """Expand one aggregate CCC coding into a 149-row register (for :func:`deliberval.uptake`).

    The proposals were handed over on 2020-06-21; all responses are dated 2021-07-20, shortly
    before the Climate and Resilience Act of 2021-08-22, because the aggregate counts carry no
    dates. Only the status and fidelity shares are meaningful; do not read time-to-response from
    this register.

    Parameters
    ----------
    coding : {"government", "press"}

    Returns
    -------
    Register

    Examples
    --------
    >>> from deliberval.datasets.registers import ccc_register
    >>> reg = ccc_register("press")
    >>> reg.events["fidelity"].value_counts().to_dict()
    {'modified': 55, 'unchanged': 15}
    """
    table = ccc_proposals()
    if coding not in set(table["coding"]):
        raise DataInputError(f"coding must be one of {sorted(set(table['coding']))}, got {coding!r}")
    rows = table[table["coding"] == coding]
    rec_rows, ev_rows = [], []
    i = 0
    for r in rows.itertuples(index=False):
        for _ in range(int(r.n_proposals)):
            i += 1
            rid = f"ccc-{i:03d}"
            rec_rows.append({"process_id": f"ccc_{coding}", "rec_id": rid,
                             "title": f"Proposal {i} ({r.category})", "submitted": "2020-06-21",
                             "addressee": "French government and parliament"})
            ev_rows.append({"rec_id": rid, "date": "2021-07-20",
                            "response_status": r.response_status,
                            "fidelity": r.fidelity if isinstance(r.fidelity, str) else None,
                            "source": r.source, "note": "aggregate count; date illustrative"})
    return validate_register(pd.DataFrame(rec_rows), pd.DataFrame(ev_rows)).require_valid()
