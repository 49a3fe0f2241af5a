"""Seeded simulators of six example processes, returned as canonical tables.

All data produced here are **SYNTHETIC**. They imitate the *design* of real processes (a
Gentofte-style Political Task Committee, a Wallonia-style deliberative committee, a national
citizens' assembly, a transnational citizens' panel, an Ostbelgien-style permanent citizens'
dialogue, a Brussels-style bilingual deliberative committee), never their results: every number comes
from the latent-trait model of :mod:`deliberval.datasets._engine` and the item measurement model
of :mod:`deliberval.datasets._items`.

Designs
-------
``gentofte_ptc``
    ``n_committees`` (3) Political Task Committees of one municipal council (one process;
    the committee is the ``unit`` column of ``members``), each with ``n_politicians`` (5)
    councillors and ``n_citizens`` (10)
    citizens picked from ``n_applicants`` (30) who answered an open call (applying is more likely
    for the educated, the old and earlier participants; the picks are balanced on gender, age and
    education). Pre and post; Danish, some citizens answer in English. True effects for citizens:
    ``effect_external_efficacy``, ``effect_trust``, ``effect_influence``; for politicians:
    ``effect_hybrid_openness`` (their view of citizens' competence and usefulness).
``wallonia_committee``
    One deliberative committee of ``n_citizens`` (30) citizens drawn by lot from
    ``n_volunteers`` (300) who answered ``n_invited`` (3,000) letters, and ``n_mps`` (10)
    members of parliament. Pre, post and a follow-up, in French. The effects at follow-up are
    ``follow_up_retention`` (0.5) times the effects at post.
``climate_assembly``
    A national assembly of ``n_members`` (100) drawn by stratified lottery from ``n_volunteers``
    (1,000) who answered ``n_invited`` (20,000) invitations. Volunteering is more likely for the
    tertiary educated, the old, earlier participants, and people who trust institutions
    (``volunteer_trust``, log-odds per latent SD) and feel efficacious, so that the assembly is
    more trusting than the population at baseline. The volunteers not selected form the control
    group (``group == "control"``, answering pre with probability ``control_response`` and post
    with probability 0.8), and ``n_population`` (1,000) people of a population survey answer the
    control questionnaire once (``group == "population"``, wave pre). ``benchmarks`` holds the
    population's expected scale means. True effect for members: ``effect_external_efficacy``
    (+0.4 SD) and smaller ones on internal efficacy and perceived influence; none for controls.
``cofoe_panel``
    ``n_panels`` (4) transnational citizens' panels of ``panel_size`` (200) members each (one
    process; the panel is the ``unit`` column of ``members``), drawn from ``n_volunteers`` out of
    ``n_invited`` and
    randomly assigned to panels; languages en / fr / de / nl follow the (placeholder) region.
    The effect on external efficacy varies between panels with SD ``effect_between_panels_sd``.

``ostbelgien_dialogue``
    An Ostbelgien-style permanent citizens' dialogue (one process): a standing citizens' council
    of ``council_size`` (24) earlier assembly members (``unit == "citizens_council"``) commissions
    ``n_assemblies`` (2) successive assemblies of ``assembly_size`` (25) citizens, each drawn by lot
    from ``n_volunteers`` (100) out of ``n_invited`` (1,000) letters (``unit == "assembly_<a>"``).
    Pre and post, in German. The parliament must answer each recommendation within
    ``response_deadline_days`` (120) and justify every rejection (process table columns
    ``response_deadline_days`` and ``justification_required``).
``brussels_committee``
    A Brussels-style bilingual deliberative committee: ``n_citizens`` (45) citizens drawn by lot
    from ``n_volunteers`` (500) out of ``n_invited`` (10,000) letters sit with ``n_mps`` (15)
    members of parliament. Pre and post, in French and Dutch (``share_dutch`` of citizens,
    ``n_mps_dutch`` of MPs). Both sides answer the experience items; ``effect_mp_experience``
    shifts the MPs' view of the deliberation.

Every simulator takes ``seed`` (an int, a numpy Generator, or None for fresh entropy) and is
deterministic for a given int seed. Attrition (``attrition``) is the base probability of not
attending every session; it is higher for people low in internal efficacy, and only those who
attended every session answer the post survey (97 %).

Truth
-----
``Example.truth`` holds the parameters and ``expected_change``: a tidy table (see
:func:`deliberval.datasets._engine.expected_changes`) with the *expected* scale means at pre and
at each later wave of the people who answered both, computed in closed form from the model, and
the part of the change caused by taking part. Estimates from the raw data should recover these.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from deliberval.canonical import FUNNEL_STAGES

if TYPE_CHECKING:
    from deliberval.instruments.model import Instrument
    from deliberval.validation.process import ProcessData

from deliberval.datasets._engine import (
    Cohort,
    T,
    build_responses,
    demographic_mean,
    draw_demographics,
    draw_stable,
    expected_changes,
    expected_item,
    expected_scale,
    str_array,
    stratified_pick,
    targets_table,
    top_k,
)
from deliberval.datasets._items import DEMOGRAPHICS, ITEM_BY_ID, SCALE_BY_ID, TRAITS
from deliberval.errors import DataInputError

__all__ = [
    "DEFAULT_SEED",
    "Example",
    "list_examples",
    "load_example",
    "simulate_brussels_committee",
    "simulate_climate_assembly",
    "simulate_cofoe_panel",
    "simulate_gentofte_ptc",
    "simulate_ostbelgien_dialogue",
    "simulate_wallonia_committee",
]

DEFAULT_SEED = 2021
SYNTHETIC_SOURCE = "synthetic (deliberval example data; not real figures)"
STAGES = FUNNEL_STAGES
Seed = int | np.random.Generator | None


@dataclass(frozen=True)
class Example:
    """One SYNTHETIC example process in deliberval's canonical tables.

    Attributes
    ----------
    name : str
        Example name, e.g. ``"climate_assembly"``.
    description : str
        What was simulated and how; starts with "SYNTHETIC".
    process : pandas.DataFrame
        One row, the process (``process_id`` is the example's name): ``process_id, name, model``
        (``political_task_committee``, ``deliberative_committee``, ``citizens_assembly``,
        ``permanent_dialogue``), ``country, level_of_government, commissioner,
        start_date, end_date, n_sessions, members_citizen, members_politician, remit, languages``
        (comma-separated ISO 639-1 codes); ``ostbelgien_dialogue`` adds the parliament's duties
        ``response_deadline_days, justification_required`` and ``privacy_policy``.
    responses : pandas.DataFrame
        One row per respondent x wave: ``respondent_id, process_id, wave, group, role,
        language``, then one column per simulated item of ``participant_standard`` holding the
        raw code (``float64`` as the schemas expect; missing codes such as 88 or 8 kept as codes;
        NaN when the item was not asked), then the ``demo_*`` string codes (citizens' pre rows;
        a few are the missing code ``"refused"``).
    targets : pandas.DataFrame
        ``population_id, dimension, category, share, source, year``; shares sum to 1 per
        dimension; ``source`` says synthetic.
    members : pandas.DataFrame
        The selection funnel, one row per person: ``person_id, process_id, role``, the nested
        stage flags ``invited, volunteered, selected, attended_all, answered_post``,
        ``funnel_stage`` (the last stage reached) and the ``demo_*`` codes. ``person_id`` equals the
        ``respondent_id`` of the same person in ``responses``. ``gentofte_ptc`` and
        ``cofoe_panel`` add ``unit``: the committee or panel a person applied to or sat on.
    truth : mapping
        The simulation's parameters and true effects, and ``expected_change`` (a tidy table of
        expected scale means and changes, computed when first read).
    benchmarks : pandas.DataFrame or None
        Population benchmark values ``variable, value, source, year`` (``climate_assembly``).
    seed : int or None
        The seed the example was simulated with.
    questionnaires : dict
        Questionnaire id answered by each group.
    recommendations, response_events : pandas.DataFrame or None
        Recommendation register and response events; filled in by
        :mod:`deliberval.datasets.registers` when available (see :meth:`with_registers`).
    """

    name: str
    description: str
    process: pd.DataFrame
    responses: pd.DataFrame
    targets: pd.DataFrame
    members: pd.DataFrame
    truth: Mapping[str, Any]
    benchmarks: pd.DataFrame | None = None
    seed: int | None = None
    questionnaires: Mapping[str, str] = field(default_factory=dict)
    recommendations: pd.DataFrame | None = None
    response_events: pd.DataFrame | None = None
    synthetic: bool = True

    def __repr__(self) -> str:
        return (
            f"Example({self.name!r}, SYNTHETIC, seed={self.seed}, processes={len(self.process)}, "
            f"responses={len(self.responses)} rows, members={len(self.members)} rows)"
        )

    @property
    def process_ids(self) -> list[str]:
        """The example's process ids, in order."""
        return [str(p) for p in self.process["process_id"]]

    def process_data(self, instrument: Instrument | None = None) -> ProcessData:
        """The example as validated pipeline input, ready for :func:`deliberval.evaluate_process`.

        The tables are validated exactly as :func:`deliberval.validation.load_process` validates
        files; the response deadline of the example's authority is filled in.

        Parameters
        ----------
        instrument : Instrument, optional
            Default: the questionnaire the example's participants answered.

        Returns
        -------
        ProcessData

        Examples
        --------
        >>> data = load_example("gentofte_ptc").process_data()
        >>> data.process_id, data.synthetic, data.responses.n_rows
        ('gentofte_ptc', True, 80)
        """
        from dataclasses import replace

        from deliberval.datasets.registers import PROCESS_DEADLINES
        from deliberval.instruments import load_instrument
        from deliberval.validation.process import process_data

        ins = instrument or load_instrument(self.questionnaires.get("participant", "participant_standard"))
        files = pd.DataFrame([{"key": "example", "file": f"built-in example {self.name} (seed {self.seed})",
                               "rows": len(self.responses), "sha256": ""}])
        files["rows"] = files["rows"].astype("Int64")
        data = process_data(ins, process_id=self.name, responses=self.responses, members=self.members,
                            targets=self.targets, recommendations=self.recommendations,
                            events=self.response_events, process=self.process, files=files,
                            sources=dict.fromkeys(("responses", "members", "targets", "register", "process"),
                                                  f"example {self.name}"),
                            synthetic=True)
        deadline = data.response_deadline_days or PROCESS_DEADLINES.get(self.name)
        return replace(data, response_deadline_days=deadline)

    def with_registers(
        self, recommendations: pd.DataFrame | None, response_events: pd.DataFrame | None
    ) -> Example:
        """A copy of the example with a recommendation register and its response events."""
        return dataclasses.replace(self, recommendations=recommendations, response_events=response_events)


# ---- shares used as synthetic census targets ----------------------------------------------------
_GENERIC_SHARES: dict[str, tuple[float, ...]] = {
    "demo_gender": (0.51, 0.485, 0.005),
    "demo_age_band": (0.13, 0.16, 0.16, 0.17, 0.16, 0.22),
    "demo_education": (0.22, 0.43, 0.35),
    "demo_region": (0.30, 0.25, 0.20, 0.15, 0.10),
    "demo_migration": (0.78, 0.13, 0.09),
    "demo_prior_participation": (0.15, 0.85),
}
_POLITICIAN_SHARES: dict[str, tuple[float, ...]] = {
    "demo_gender": (0.38, 0.62, 0.0),
    "demo_age_band": (0.02, 0.10, 0.22, 0.30, 0.26, 0.10),
    "demo_education": (0.05, 0.25, 0.70),
    "demo_region": (0.30, 0.25, 0.20, 0.15, 0.10),
    "demo_migration": (0.92, 0.04, 0.04),
    "demo_prior_participation": (0.90, 0.10),
}


def _shares(base: Mapping[str, tuple[float, ...]], **override: tuple[float, ...]) -> dict[str, tuple[float, ...]]:
    out = dict(base)
    out.update(override)
    return out


def _target_dict(shares: Mapping[str, tuple[float, ...]], dims: tuple[str, ...]) -> dict[str, dict[str, float]]:
    return {d: dict(zip(DEMOGRAPHICS[d], shares[d], strict=True)) for d in dims}


# ---- argument checks --------------------------------------------------------------------------
def _rng(seed: Seed) -> tuple[np.random.Generator, int | None]:
    if isinstance(seed, np.random.Generator):
        return seed, None
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0):
        raise DataInputError(f"seed must be a non-negative int, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(seed), None if seed is None else int(seed)


def _count(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise DataInputError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer) or not math.isfinite(value):
        raise DataInputError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _reals(**values: object) -> dict[str, float]:
    return {k: _real(k, v) for k, v in values.items()}


def _probability(name: str, value: object, *, upper_open: bool = True) -> float:
    v = _real(name, value)
    if not (0.0 <= v < 1.0 if upper_open else 0.0 <= v <= 1.0):
        bound = "[0, 1)" if upper_open else "[0, 1]"
        raise DataInputError(f"{name} must lie in {bound}, got {value!r}")
    return v


def _at_most(small: str, a: int, big: str, b: int) -> None:
    if a > b:
        raise DataInputError(f"{small} ({a}) cannot exceed {big} ({b})")


# ---- shared building blocks -------------------------------------------------------------------
def _ids(prefix: str, n: int, width: int | None = None) -> np.ndarray:
    width = width or max(4, len(str(n)))
    numbers = pd.Series(np.arange(1, n + 1)).astype("str").str.zfill(width)
    return (prefix + numbers).to_numpy(dtype=object)


def _effects(n: int, **by_trait: float) -> np.ndarray:
    out = np.zeros((n, len(TRAITS)))
    for trait, value in by_trait.items():
        out[:, T[trait]] = value
    return out


def _trend(trend: float) -> np.ndarray:
    out = np.zeros(len(TRAITS))
    out[[T["trust"], T["internal_efficacy"], T["external_efficacy"], T["influence"]]] = trend
    return out


def _volunteer_score(
    rng: np.random.Generator, demo: Mapping[str, np.ndarray], stable: np.ndarray, volunteer_trust: float
) -> np.ndarray:
    """Latent propensity to volunteer (logistic noise): educated, old, earlier participants,
    trusting and internally efficacious people volunteer more."""
    score = (
        0.6 * (demo["demo_education"] == "isced_5_8")
        - 0.5 * (demo["demo_education"] == "isced_0_2")
        - 0.3 * (demo["demo_age_band"] == "16_24")
        + 0.3 * (demo["demo_age_band"] == "55_64")
        + 0.5 * (demo["demo_age_band"] == "65_plus")
        + 0.9 * (demo["demo_prior_participation"] == "yes")
        + volunteer_trust * stable[:, T["trust"]]
        + 0.35 * stable[:, T["internal_efficacy"]]
    )
    return score + rng.logistic(size=len(score))


def _attendance(rng: np.random.Generator, stable: np.ndarray, attrition: float) -> tuple[np.ndarray, np.ndarray]:
    """(attended_all, answered_post): drop-out is likelier for low internal efficacy."""
    n = len(stable)
    base = math.log((1 - attrition) / attrition) if attrition > 0 else math.inf
    p = 1.0 / (1.0 + np.exp(-(base + 0.5 * stable[:, T["internal_efficacy"]])))
    attended = rng.random(n) < p
    answered = attended & (rng.random(n) < 0.97)
    return attended, answered


@dataclass(frozen=True)
class _Funnel:
    """Everyone invited: demographics, stable traits and the nested funnel flags."""

    demo: dict[str, np.ndarray]
    stable: np.ndarray
    volunteered: np.ndarray
    selected: np.ndarray
    attended: np.ndarray
    post: np.ndarray

    def flags(self) -> dict[str, np.ndarray]:
        return {"invited": np.ones(len(self.stable), dtype=bool), "volunteered": self.volunteered,
                "selected": self.selected, "attended_all": self.attended, "answered_post": self.post}

    def participants(self, ids: np.ndarray, pid: str, language: np.ndarray | str,
                     **later: np.ndarray) -> Cohort:
        """The selected citizens as a participant cohort (pre for all, post and ``later`` waves as flagged)."""
        s = self.selected
        return _cohort(ids[s], pid, "participant", "citizen", language if isinstance(language, str) else language[s],
                       _subset(self.demo, s), self.stable[s],
                       _pre_post(self.post[s], **{w: a[s] for w, a in later.items()}))


def _funnel(
    rng: np.random.Generator, n_invited: int, shares: Mapping[str, tuple[float, ...]], n_volunteers: int,
    n_selected: int, balance: Mapping[str, Mapping[str, float]], attrition: float, volunteer_trust: float = 0.5,
) -> _Funnel:
    """Invite, let the most willing volunteer, pick by stratified lot, then attend and answer post."""
    demo = draw_demographics(rng, n_invited, shares)
    stable = draw_stable(rng, n_invited)
    volunteered = top_k(_volunteer_score(rng, demo, stable, volunteer_trust), n_volunteers)
    selected = stratified_pick(rng, demo, volunteered, n_selected, balance)
    attended, post = _attendance(rng, stable, attrition)
    return _Funnel(demo, stable, volunteered, selected, attended & selected, post & selected)


def _politicians(
    rng: np.random.Generator, n: int, region_shares: tuple[float, ...], attrition: float
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """(demo, stable, attended_all, answered_post) of ``n`` politicians of the given regions."""
    demo = draw_demographics(rng, n, _shares(_POLITICIAN_SHARES, demo_region=region_shares))
    stable = draw_stable(rng, n)
    attended, post = _attendance(rng, stable, attrition)
    return demo, stable, attended, post


def _seated(attended: np.ndarray, post: np.ndarray) -> dict[str, np.ndarray]:
    """Funnel flags of people who sit by office (invited, volunteered and selected)."""
    ones = np.ones(len(attended), dtype=bool)
    return {"invited": ones, "volunteered": ones, "selected": ones, "attended_all": attended, "answered_post": post}


def _pre_post(post: np.ndarray, **later: np.ndarray) -> dict[str, np.ndarray]:
    """Answered flags: pre for everyone, then ``post`` and any later waves."""
    return {"pre": np.ones(len(post), dtype=bool), "post": post, **later}


_Group = tuple[np.ndarray, str, Mapping[str, np.ndarray], Mapping[str, np.ndarray]]


def _members_table(pid: str, groups: list[_Group], unit: np.ndarray | None = None) -> pd.DataFrame:
    """The members table of groups of ``(person_id, role, flags, demo)``, in order."""
    person_id = np.concatenate([g[0] for g in groups])
    flags = {s: np.concatenate([np.asarray(g[2][s], dtype=bool) for g in groups]) for s in STAGES}
    stage_idx = np.sum([flags[s] for s in STAGES], axis=0) - 1
    table: dict[str, object] = {
        "person_id": str_array(person_id),
        "process_id": str_array(np.full(len(person_id), pid, dtype=object)),
        "role": str_array(np.concatenate([np.full(len(g[0]), g[1], dtype=object) for g in groups])),
    }
    for s in STAGES:
        table[s] = flags[s]
    table["funnel_stage"] = str_array(np.asarray(STAGES, dtype=object), stage_idx)
    if unit is not None:
        table["unit"] = str_array(unit)
    for d in DEMOGRAPHICS:
        table[d] = str_array(np.concatenate([g[3][d] for g in groups]))
    return pd.DataFrame(table)


def _process_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for col in ("start_date", "end_date"):
        out[col] = pd.to_datetime(out[col])
    for col in ("n_sessions", "members_citizen", "members_politician"):
        out[col] = out[col].astype("int64")
    return out


def _stamp(frames: list[pd.DataFrame | None], name: str) -> None:
    for df in frames:
        if df is not None:
            df.attrs.update({"synthetic": True, "example": name, "source": SYNTHETIC_SOURCE})


def _cohort(
    ids: np.ndarray, process_id: np.ndarray | str, group: str, role: np.ndarray | str,
    language: np.ndarray | str, demo: Mapping[str, np.ndarray], stable: np.ndarray,
    answered: Mapping[str, np.ndarray],
) -> Cohort:
    n = len(ids)

    def full(v: np.ndarray | str) -> np.ndarray:
        return np.asarray(v, dtype=object) if not isinstance(v, str) else np.full(n, v, dtype=object)

    role_arr = full(role)
    return Cohort(
        person_id=ids, process_id=full(process_id), group=np.full(n, group, dtype=object), role=role_arr,
        language=full(language), demo=dict(demo), mean=demographic_mean(demo, role_arr), stable=stable,
        answered=dict(answered),
    )


def _subset(demo: Mapping[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {d: v[mask] for d, v in demo.items()}


class _Truth(Mapping[str, Any]):
    """An example's ``truth``: the simulation's parameters, then ``expected_change``, which is
    computed from the simulated cohort when first read (a report never reads it)."""

    _LAZY = "expected_change"

    def __init__(self, values: dict[str, Any], cohort: Cohort, name: str) -> None:
        self._values = dict(values)
        self._cohort: Cohort | None = cohort
        self._name = name

    def __getitem__(self, key: str) -> Any:
        if key == self._LAZY and self._cohort is not None:
            table = expected_changes(self._cohort)
            _stamp([table], self._name)
            self._values[key] = table
            self._cohort = None
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        return key in self._values or (key == self._LAZY and self._cohort is not None)

    def __iter__(self) -> Iterator[str]:
        yield from list(self._values)
        if self._cohort is not None:
            yield self._LAZY

    def __len__(self) -> int:
        return len(self._values) + (self._cohort is not None)

    def __repr__(self) -> str:
        return repr(dict(self))


def _finish(
    name: str, description: str, process: pd.DataFrame, cohort: Cohort, rng: np.random.Generator,
    targets: pd.DataFrame, members: pd.DataFrame, truth: dict[str, Any], seed: int | None,
    benchmarks: pd.DataFrame | None = None, questionnaires: Mapping[str, str] | None = None,
) -> Example:
    responses = build_responses(cohort, rng)
    _stamp([process, responses, targets, members, benchmarks], name)
    return Example(
        name=name, description=description, process=process, responses=responses, targets=targets,
        members=members, truth=_Truth({**truth, "stability": 0.7}, cohort, name), benchmarks=benchmarks, seed=seed,
        questionnaires=dict(questionnaires or {"participant": "participant_standard"}),
    )


# ---- gentofte_ptc -----------------------------------------------------------------------------
_GENTOFTE_SHARES = _shares(
    _GENERIC_SHARES,
    demo_age_band=(0.12, 0.10, 0.13, 0.17, 0.15, 0.33),
    demo_education=(0.12, 0.33, 0.55),
    demo_region=(0.20, 0.20, 0.20, 0.20, 0.20),
    demo_migration=(0.84, 0.12, 0.04),
)
_GENTOFTE_REMITS = (
    "Sports and exercise facilities of the future",
    "Climate adaptation along the coast",
    "Communities across generations",
    "Mental health of young people",
    "Green transport in everyday life",
)


def simulate_gentofte_ptc(
    *,
    n_committees: int = 3,
    n_politicians: int = 5,
    n_citizens: int = 10,
    n_applicants: int = 30,
    effect_external_efficacy: float = 0.4,
    effect_trust: float = 0.2,
    effect_influence: float = 0.3,
    effect_hybrid_openness: float = 0.3,
    trend: float = 0.0,
    attrition: float = 0.1,
    seed: Seed = None,
) -> Example:
    """Simulate Gentofte-style Political Task Committees (SYNTHETIC data).

    Each committee (``members["unit"]``) has ``n_politicians`` councillors and ``n_citizens``
    citizens chosen, balanced on gender, age and education, from ``n_applicants`` who answered
    an open call. Everyone answers ``participant_standard`` pre and post (politicians also the
    hybrid-body items); citizens answer in Danish (85 %) or English.

    Parameters
    ----------
    n_committees, n_politicians, n_citizens, n_applicants : int
        Design sizes; ``n_citizens <= n_applicants``.
    effect_external_efficacy, effect_trust, effect_influence : float
        True effects on citizens, in latent SD units.
    effect_hybrid_openness : float
        True effect on politicians' openness to working with citizens (latent SD units).
    trend : float
        Change common to everyone in trust, efficacy and influence (latent SD units).
    attrition : float
        Base probability of not attending every session (no post answer), in [0, 1).
    seed : int, numpy.random.Generator or None
        Seed; the same int gives the same data.

    Returns
    -------
    Example
        ``members`` lists applicants and councillors (``invited`` and ``volunteered`` are True
        for all: applying answers an open call).

    Examples
    --------
    >>> from deliberval.datasets import simulate_gentofte_ptc
    >>> ex = simulate_gentofte_ptc(seed=1)
    >>> ex.process_ids
    ['gentofte_ptc']
    >>> ex.members.query("selected").groupby(["unit", "role"]).size().tolist()
    [10, 5, 10, 5, 10, 5]
    """
    n_committees = _count("n_committees", n_committees)
    n_politicians = _count("n_politicians", n_politicians)
    n_citizens = _count("n_citizens", n_citizens)
    n_applicants = _count("n_applicants", n_applicants)
    _at_most("n_citizens", n_citizens, "n_applicants", n_applicants)
    eff = _reals(effect_external_efficacy=effect_external_efficacy, effect_trust=effect_trust,
                 effect_influence=effect_influence, effect_hybrid_openness=effect_hybrid_openness, trend=trend)
    attrition = _probability("attrition", attrition)
    rng, seed_used = _rng(seed)
    balance = _target_dict(_GENTOFTE_SHARES, ("demo_gender", "demo_age_band", "demo_education"))

    parts: list[Cohort] = []
    member_parts: list[pd.DataFrame] = []
    pid = "gentofte_ptc"
    for c in range(1, n_committees + 1):
        # applicants: the most willing of a pool reached by the open call
        n_pool = 20 * n_applicants
        demo_pool = draw_demographics(rng, n_pool, _GENTOFTE_SHARES)
        stable_pool = draw_stable(rng, n_pool)
        applied = top_k(_volunteer_score(rng, demo_pool, stable_pool, 0.5), n_applicants)
        demo_a, stable_a = _subset(demo_pool, applied), stable_pool[applied]
        chosen = stratified_pick(rng, demo_a, np.ones(n_applicants, dtype=bool), n_citizens, balance)
        attended_c, post_c = _attendance(rng, stable_a, attrition)
        attended_c &= chosen
        post_c &= chosen
        demo_p, stable_p, attended_p, post_p = _politicians(rng, n_politicians, _GENTOFTE_SHARES["demo_region"], attrition)

        ids_c = _ids(f"gentofte_{c}_c", n_applicants, 3)
        ids_p = _ids(f"gentofte_{c}_p", n_politicians, 3)
        lang_c = np.where(rng.random(n_applicants) < 0.85, "da", "en").astype(object)
        citizens = _cohort(ids_c[chosen], pid, "participant", "citizen", lang_c[chosen], _subset(demo_a, chosen),
                           stable_a[chosen], _pre_post(post_c[chosen]))
        citizens.effect["post"] = _effects(n_citizens, external_efficacy=eff["effect_external_efficacy"],
                                           trust=eff["effect_trust"], influence=eff["effect_influence"])
        politicians = _cohort(ids_p, pid, "participant", "politician", "da", demo_p, stable_p, _pre_post(post_p))
        politicians.effect["post"] = _effects(n_politicians, hybrid_openness=eff["effect_hybrid_openness"])
        for part in (citizens, politicians):
            part.trend["post"] = _trend(eff["trend"])
            parts.append(part)

        all_true = np.ones(n_applicants, dtype=bool)
        member_parts.append(_members_table(pid, [
            (ids_c, "citizen", {"invited": all_true, "volunteered": all_true, "selected": chosen,
                                "attended_all": attended_c, "answered_post": post_c}, demo_a),
            (ids_p, "politician", _seated(attended_p, post_p), demo_p),
        ], unit=np.full(n_applicants + n_politicians, f"committee_{c}", dtype=object)))
    remits = "; ".join(f"({c}) {_GENTOFTE_REMITS[(c - 1) % len(_GENTOFTE_REMITS)]}" for c in range(1, n_committees + 1))
    process = _process_table([{
        "process_id": pid, "name": "Political Task Committees of a municipal council (SYNTHETIC)",
        "model": "political_task_committee", "country": "DK", "level_of_government": "local",
        "commissioner": "Municipal council (synthetic)", "start_date": pd.Timestamp(2022, 11, 1),
        "end_date": pd.Timestamp(2023, 6, 10), "n_sessions": 8,
        "members_citizen": n_committees * n_citizens, "members_politician": n_committees * n_politicians,
        "remit": f"SYNTHETIC example: {n_committees} committees, each with its own task: {remits}",
        "languages": "da,en",
    }])

    cohort = Cohort.concat(parts)
    targets = targets_table("gentofte_municipality", _target_dict(_GENTOFTE_SHARES, (
        "demo_gender", "demo_age_band", "demo_education")), 2023, SYNTHETIC_SOURCE)
    description = (
        "SYNTHETIC example data (deliberval), Gentofte-style Political Task Committees: "
        f"{n_committees} committees of {n_politicians} politicians and {n_citizens} citizens "
        f"chosen from {n_applicants} applicants each; pre and post; Danish and English. True "
        f"effects (latent SD): citizens' external efficacy {eff['effect_external_efficacy']:+g}, "
        f"trust {eff['effect_trust']:+g}, perceived influence {eff['effect_influence']:+g}; "
        f"politicians' hybrid openness {eff['effect_hybrid_openness']:+g}."
    )
    return _finish("gentofte_ptc", description, process, cohort, rng, targets,
                   pd.concat(member_parts, ignore_index=True), {**eff, "attrition": attrition}, seed_used)


# ---- wallonia_committee -----------------------------------------------------------------------
_WALLONIA_SHARES = _shares(
    _GENERIC_SHARES,
    demo_age_band=(0.13, 0.15, 0.16, 0.17, 0.17, 0.22),
    demo_education=(0.27, 0.40, 0.33),
    demo_region=(0.39, 0.11, 0.15, 0.12, 0.23),
    demo_migration=(0.80, 0.11, 0.09),
)


def simulate_wallonia_committee(
    *,
    n_citizens: int = 30,
    n_mps: int = 10,
    n_invited: int = 3_000,
    n_volunteers: int = 300,
    effect_external_efficacy: float = 0.4,
    effect_influence: float = 0.3,
    effect_hybrid_openness: float = 0.3,
    follow_up_retention: float = 0.5,
    trend: float = 0.0,
    attrition: float = 0.1,
    follow_up_attrition: float = 0.3,
    seed: Seed = None,
) -> Example:
    """Simulate a Wallonia-style deliberative committee of citizens and MPs (SYNTHETIC data).

    ``n_citizens`` citizens drawn by stratified lot (gender, age, education, province) from
    ``n_volunteers`` who answered ``n_invited`` letters sit with ``n_mps`` members of parliament.
    Pre, post and follow-up surveys in French; the follow-up is answered by each pre respondent
    with probability ``1 - follow_up_attrition``.

    Parameters
    ----------
    n_citizens, n_mps, n_invited, n_volunteers : int
        Design sizes; ``n_citizens <= n_volunteers <= n_invited``.
    effect_external_efficacy, effect_influence : float
        True effects on citizens at post (latent SD units).
    effect_hybrid_openness : float
        True effect on MPs' openness to working with citizens at post.
    follow_up_retention : float
        Share of the post effects still present at follow-up, in [0, 1].
    trend : float
        Change common to everyone at post and follow-up.
    attrition, follow_up_attrition : float
        Probabilities of no post answer (not attending every session) and of no follow-up answer.
    seed : int, numpy.random.Generator or None
        Seed; the same int gives the same data.

    Returns
    -------
    Example

    Examples
    --------
    >>> from deliberval.datasets import simulate_wallonia_committee
    >>> ex = simulate_wallonia_committee(seed=1)
    >>> ex.members[["invited", "volunteered", "selected"]].sum().to_dict()
    {'invited': 3010, 'volunteered': 310, 'selected': 40}
    >>> sorted(ex.responses["wave"].unique())
    ['follow_up', 'post', 'pre']
    """
    n_citizens = _count("n_citizens", n_citizens)
    n_mps = _count("n_mps", n_mps)
    n_invited = _count("n_invited", n_invited)
    n_volunteers = _count("n_volunteers", n_volunteers)
    _at_most("n_citizens", n_citizens, "n_volunteers", n_volunteers)
    _at_most("n_volunteers", n_volunteers, "n_invited", n_invited)
    eff = _reals(effect_external_efficacy=effect_external_efficacy, effect_influence=effect_influence,
                 effect_hybrid_openness=effect_hybrid_openness, trend=trend)
    retention = _probability("follow_up_retention", follow_up_retention, upper_open=False)
    attrition = _probability("attrition", attrition)
    follow_up_attrition = _probability("follow_up_attrition", follow_up_attrition)
    rng, seed_used = _rng(seed)
    pid = "wallonia_committee"
    balance = _target_dict(_WALLONIA_SHARES, ("demo_gender", "demo_age_band", "demo_education", "demo_region"))

    invited = _funnel(rng, n_invited, _WALLONIA_SHARES, n_volunteers, n_citizens, balance, attrition)
    follow = invited.selected & (rng.random(n_invited) >= follow_up_attrition)

    demo_m, stable_m, attended_m, post_m = _politicians(rng, n_mps, _WALLONIA_SHARES["demo_region"], attrition)
    follow_m = rng.random(n_mps) >= follow_up_attrition

    ids = _ids("wal_c", n_invited)
    ids_m = _ids("wal_mp", n_mps, 3)
    citizens = invited.participants(ids, pid, "fr", follow_up=follow)
    mps = _cohort(ids_m, pid, "participant", "politician", "fr", demo_m, stable_m, _pre_post(post_m, follow_up=follow_m))
    for part, kw in (
        (citizens, {"external_efficacy": eff["effect_external_efficacy"], "influence": eff["effect_influence"]}),
        (mps, {"hybrid_openness": eff["effect_hybrid_openness"]}),
    ):
        part.effect["post"] = _effects(part.n, **kw)
        part.effect["follow_up"] = retention * part.effect["post"]
        part.trend["post"] = part.trend["follow_up"] = _trend(eff["trend"])
    cohort = Cohort.concat([citizens, mps])

    members = _members_table(pid, [(ids, "citizen", invited.flags(), invited.demo),
                                   (ids_m, "politician", _seated(attended_m, post_m), demo_m)])
    process = _process_table([{
        "process_id": pid, "name": "Deliberative committee on housing (SYNTHETIC)",
        "model": "deliberative_committee", "country": "BE", "level_of_government": "regional",
        "commissioner": "Regional parliament (synthetic)", "start_date": pd.Timestamp(2023, 9, 16),
        "end_date": pd.Timestamp(2023, 11, 25), "n_sessions": 4, "members_citizen": n_citizens,
        "members_politician": n_mps,
        "remit": "SYNTHETIC example: how can the region make housing affordable for young people?",
        "languages": "fr",
    }])
    targets = targets_table("wallonia_region", balance, 2023, SYNTHETIC_SOURCE)
    description = (
        "SYNTHETIC example data (deliberval), Wallonia-style deliberative committee: "
        f"{n_citizens} citizens drawn by lot from {n_volunteers} volunteers out of {n_invited} "
        f"invitations, with {n_mps} MPs; pre, post and follow-up; French. True effects (latent SD) "
        f"at post: citizens' external efficacy {eff['effect_external_efficacy']:+g}, perceived "
        f"influence {eff['effect_influence']:+g}; MPs' hybrid openness {eff['effect_hybrid_openness']:+g}; "
        f"{retention:g} of them remain at follow-up."
    )
    truth = {**eff, "follow_up_retention": retention, "attrition": attrition, "follow_up_attrition": follow_up_attrition}
    return _finish("wallonia_committee", description, process, cohort, rng, targets, members, truth, seed_used)


# ---- climate_assembly -------------------------------------------------------------------------
_CLIMATE_SHARES = _GENERIC_SHARES
_CLIMATE_TARGET_DIMS = ("demo_gender", "demo_age_band", "demo_education", "demo_region")
_BENCHMARK_SCALES = ("trust_political_institutions", "internal_efficacy", "external_efficacy")


def simulate_climate_assembly(
    *,
    n_invited: int = 20_000,
    n_volunteers: int = 1_000,
    n_members: int = 100,
    n_population: int = 1_000,
    control_response: float = 0.7,
    effect_external_efficacy: float = 0.4,
    effect_internal_efficacy: float = 0.2,
    effect_influence: float = 0.3,
    effect_trust: float = 0.0,
    trend: float = 0.0,
    volunteer_trust: float = 0.5,
    attrition: float = 0.1,
    seed: Seed = None,
) -> Example:
    """Simulate a national citizens' assembly with its selection funnel and a control group (SYNTHETIC).

    ``n_invited`` people drawn from a synthetic census population get an invitation;
    exactly ``n_volunteers`` volunteer (more likely when educated, older, earlier participants,
    trusting or efficacious); a stratified lottery on gender, age, education and region picks
    ``n_members``. Volunteers not selected are the control group (pre with probability
    ``control_response``, post with probability 0.8 given pre; no effect). A population survey of
    ``n_population`` people (``group == "population"``, pre only) and the ``benchmarks`` table
    give the population's values for the selection check.

    Parameters
    ----------
    n_invited, n_volunteers, n_members : int
        The funnel: ``n_members <= n_volunteers <= n_invited``.
    n_population : int
        Size of the population benchmark survey (0 for none).
    control_response : float
        Probability that a volunteer not selected answers the control survey at pre.
    effect_external_efficacy, effect_internal_efficacy, effect_influence, effect_trust : float
        True effects on members at post (latent SD units); controls get none.
    trend : float
        Change common to members and controls (latent SD units).
    volunteer_trust : float
        Log-odds of volunteering per latent SD of (stable) trust: makes members more trusting
        than the population at baseline.
    attrition : float
        Base probability that a member does not attend every session (and gives no post answer).
    seed : int, numpy.random.Generator or None
        Seed; the same int gives the same data.

    Returns
    -------
    Example
        With ``benchmarks`` (``variable, value, source, year``): the population's expected
        scale means, and in ``truth`` the members' baseline gap to them.

    Examples
    --------
    >>> from deliberval.datasets import simulate_climate_assembly
    >>> ex = simulate_climate_assembly(seed=1)
    >>> ex.members[["invited", "volunteered", "selected"]].sum().to_dict()
    {'invited': 20000, 'volunteered': 1000, 'selected': 100}
    >>> ex.responses.groupby("group")["respondent_id"].nunique().to_dict()
    {'control': 617, 'participant': 100, 'population': 1000}
    """
    n_invited = _count("n_invited", n_invited)
    n_volunteers = _count("n_volunteers", n_volunteers)
    n_members = _count("n_members", n_members)
    n_population = _count("n_population", n_population, 0)
    _at_most("n_members", n_members, "n_volunteers", n_volunteers)
    _at_most("n_volunteers", n_volunteers, "n_invited", n_invited)
    control_response = _probability("control_response", control_response, upper_open=False)
    eff = _reals(effect_external_efficacy=effect_external_efficacy, effect_internal_efficacy=effect_internal_efficacy,
                 effect_influence=effect_influence, effect_trust=effect_trust, trend=trend,
                 volunteer_trust=volunteer_trust)
    attrition = _probability("attrition", attrition)
    rng, seed_used = _rng(seed)
    pid = "climate_assembly"
    target_shares = _target_dict(_CLIMATE_SHARES, _CLIMATE_TARGET_DIMS)

    invited = _funnel(rng, n_invited, _CLIMATE_SHARES, n_volunteers, n_members, target_shares, attrition,
                eff["volunteer_trust"])
    demo, stable, selected = invited.demo, invited.stable, invited.selected
    control = invited.volunteered & ~selected
    control_pre = control & (rng.random(n_invited) < control_response)
    control_post = control_pre & (rng.random(n_invited) < 0.8)

    ids = _ids("ca_", n_invited)
    members_c = invited.participants(ids, pid, "en")
    members_c.effect["post"] = _effects(
        n_members, external_efficacy=eff["effect_external_efficacy"],
        internal_efficacy=eff["effect_internal_efficacy"], influence=eff["effect_influence"], trust=eff["effect_trust"])
    controls = _cohort(ids[control_pre], pid, "control", "citizen", "en", _subset(demo, control_pre),
                       stable[control_pre], _pre_post(control_post[control_pre]))
    for part in (members_c, controls):
        part.trend["post"] = _trend(eff["trend"])
    parts = [members_c, controls]
    if n_population:
        demo_pop = draw_demographics(rng, n_population, _CLIMATE_SHARES)
        parts.append(_cohort(_ids("ca_pop_", n_population), pid, "population", "citizen", "en", demo_pop,
                             draw_stable(rng, n_population), _pre_post(np.zeros(n_population, dtype=bool))))
    # the population survey answers once; Cohort.concat keeps a post flag for everyone
    cohort = Cohort.concat(parts)

    members = _members_table(pid, [(ids, "citizen", invited.flags(), demo)])
    # population benchmarks: expected scale means of the invited (a random sample of the population)
    base = demographic_mean(demo, np.full(n_invited, "citizen", dtype=object)) + stable
    bench_rows = []
    gaps: dict[str, float] = {}
    for s in _BENCHMARK_SCALES:
        spec = SCALE_BY_ID[s]
        pop_values = expected_scale(spec, base[:, T[spec.trait]])
        bench_rows.append({"variable": s, "value": float(pop_values.mean())})
        gaps[f"baseline_gap_{s}"] = float(pop_values[selected].mean() - pop_values.mean())
    say = expected_item(ITEM_BY_ID["influence_have_say"], base[:, T["influence"]])
    bench_rows.append({"variable": "influence_have_say", "value": float(say.mean())})
    benchmarks = pd.DataFrame(bench_rows).assign(source=SYNTHETIC_SOURCE + "; population survey", year=2023)
    benchmarks["year"] = benchmarks["year"].astype("int64")
    for col in ("variable", "source"):
        benchmarks[col] = benchmarks[col].astype("str")

    process = _process_table([{
        "process_id": pid, "name": "National Citizens' Assembly on Climate (SYNTHETIC)",
        "model": "citizens_assembly", "country": "XX", "level_of_government": "national",
        "commissioner": "National parliament (synthetic)", "start_date": pd.Timestamp(2021, 1, 23),
        "end_date": pd.Timestamp(2021, 6, 20), "n_sessions": 6, "members_citizen": n_members,
        "members_politician": 0,
        "remit": "SYNTHETIC example: how should the country reach net zero by 2050 fairly?",
        "languages": "en",
    }])
    targets = targets_table("national_census", target_shares, 2020, SYNTHETIC_SOURCE + "; census")
    latent_gap = float(base[selected, T["trust"]].mean() - base[:, T["trust"]].mean())
    description = (
        "SYNTHETIC example data (deliberval), national citizens' assembly on climate: "
        f"{n_members} members drawn by stratified lot from {n_volunteers} volunteers out of "
        f"{n_invited} invitations; volunteers not selected are the control group (pre/post); a "
        f"population survey of {n_population} gives benchmarks. Volunteering favours the educated, "
        "the old, earlier participants and the trusting. True effects (latent SD) on members: "
        f"external efficacy {eff['effect_external_efficacy']:+g}, internal efficacy "
        f"{eff['effect_internal_efficacy']:+g}, perceived influence {eff['effect_influence']:+g}, "
        f"trust {eff['effect_trust']:+g}; none on controls."
    )
    truth = {**eff, "attrition": attrition, "control_response": control_response,
             "baseline_latent_gap_trust": latent_gap, **gaps}
    return _finish("climate_assembly", description, process, cohort, rng,
                   targets, members, truth, seed_used, benchmarks=benchmarks,
                   questionnaires={"participant": "participant_standard", "control": "control_standard",
                                   "population": "control_standard"})


# ---- cofoe_panel ------------------------------------------------------------------------------
_COFOE_SHARES = _shares(
    _GENERIC_SHARES,
    demo_age_band=(0.13, 0.14, 0.16, 0.17, 0.17, 0.23),
    demo_education=(0.24, 0.45, 0.31),
    demo_region=(0.24, 0.26, 0.30, 0.12, 0.08),
)
_COFOE_LANGUAGE = {"region_1": "en", "region_2": "fr", "region_3": "de", "region_4": "nl", "region_5": "en"}
_COFOE_REMITS = (
    "A stronger economy, social justice and jobs; education, culture, youth and sport; digital transformation",
    "European democracy; values and rights, rule of law, security",
    "Climate change and the environment; health",
    "The EU in the world; migration",
)


def simulate_cofoe_panel(
    *,
    n_panels: int = 4,
    panel_size: int = 200,
    n_invited: int = 16_000,
    n_volunteers: int = 1_600,
    effect_external_efficacy: float = 0.4,
    effect_between_panels_sd: float = 0.1,
    effect_internal_efficacy: float = 0.2,
    effect_influence: float = 0.3,
    trend: float = 0.0,
    attrition: float = 0.15,
    seed: Seed = None,
) -> Example:
    """Simulate multilingual transnational citizens' panels (SYNTHETIC data).

    ``n_panels * panel_size`` members are drawn by stratified lot (gender, age, education,
    region) from ``n_volunteers`` out of ``n_invited`` and randomly assigned to panels, each its
    own ``unit`` of the members table. Members answer in en / fr / de / nl according to their
    (placeholder) region.

    Parameters
    ----------
    n_panels, panel_size, n_invited, n_volunteers : int
        Design sizes; ``n_panels * panel_size <= n_volunteers <= n_invited``.
    effect_external_efficacy : float
        Mean true effect on external efficacy (latent SD units).
    effect_between_panels_sd : float
        SD of the panel-specific effects around that mean (``truth["panel_effects"]``).
    effect_internal_efficacy, effect_influence : float
        True effects on internal efficacy and perceived influence.
    trend : float
        Change common to everyone.
    attrition : float
        Base probability of not attending every session (no post answer).
    seed : int, numpy.random.Generator or None
        Seed; the same int gives the same data.

    Returns
    -------
    Example

    Examples
    --------
    >>> from deliberval.datasets import simulate_cofoe_panel
    >>> ex = simulate_cofoe_panel(seed=1)
    >>> ex.members.query("selected").groupby("unit").size().tolist()
    [200, 200, 200, 200]
    >>> sorted(ex.responses["language"].unique())
    ['de', 'en', 'fr', 'nl']
    """
    n_panels = _count("n_panels", n_panels)
    panel_size = _count("panel_size", panel_size)
    n_invited = _count("n_invited", n_invited)
    n_volunteers = _count("n_volunteers", n_volunteers)
    n_members = n_panels * panel_size
    _at_most("n_panels * panel_size", n_members, "n_volunteers", n_volunteers)
    _at_most("n_volunteers", n_volunteers, "n_invited", n_invited)
    eff = _reals(effect_external_efficacy=effect_external_efficacy, effect_between_panels_sd=effect_between_panels_sd,
                 effect_internal_efficacy=effect_internal_efficacy, effect_influence=effect_influence, trend=trend)
    if eff["effect_between_panels_sd"] < 0:
        raise DataInputError(f"effect_between_panels_sd must be >= 0, got {effect_between_panels_sd!r}")
    attrition = _probability("attrition", attrition)
    rng, seed_used = _rng(seed)
    target_shares = _target_dict(_COFOE_SHARES, _CLIMATE_TARGET_DIMS)

    invited = _funnel(rng, n_invited, _COFOE_SHARES, n_volunteers, n_members, target_shares, attrition)
    selected = invited.selected
    panel_of = np.zeros(n_invited, dtype=np.int64)
    panel_of[selected] = rng.permutation(np.repeat(np.arange(1, n_panels + 1), panel_size))
    pid = "cofoe_panel"
    units = np.array([None] + [f"panel_{p}" for p in range(1, n_panels + 1)], dtype=object)
    panel_effects = eff["effect_external_efficacy"] + eff["effect_between_panels_sd"] * rng.standard_normal(n_panels)
    language = np.vectorize(_COFOE_LANGUAGE.__getitem__, otypes=[object])(invited.demo["demo_region"])

    ids = _ids("cofoe_", n_invited)
    cohort = invited.participants(ids, pid, language)
    cohort.effect["post"] = _effects(n_members, internal_efficacy=eff["effect_internal_efficacy"],
                                     influence=eff["effect_influence"])
    cohort.effect["post"][:, T["external_efficacy"]] = panel_effects[panel_of[selected] - 1]
    cohort.trend["post"] = _trend(eff["trend"])

    members = _members_table(pid, [(ids, "citizen", invited.flags(), invited.demo)], unit=units[panel_of])
    process = _process_table([{
        "process_id": pid, "name": "Transnational European Citizens' Panels (SYNTHETIC)",
        "model": "citizens_assembly", "country": "EU", "level_of_government": "transnational",
        "commissioner": "EU institutions (synthetic)", "start_date": pd.Timestamp(2021, 9, 17),
        "end_date": pd.Timestamp(2022, 2, 27), "n_sessions": 3, "members_citizen": n_members,
        "members_politician": 0,
        "remit": "SYNTHETIC example: " + "; ".join(
            f"(panel {p}) {_COFOE_REMITS[(p - 1) % len(_COFOE_REMITS)]}" for p in range(1, n_panels + 1)),
        "languages": "en,fr,de,nl",
    }])
    targets = targets_table("eu_population", target_shares, 2021, SYNTHETIC_SOURCE + "; Eurostat-like")
    description = (
        "SYNTHETIC example data (deliberval), transnational citizens' panels: "
        f"{n_panels} panels of {panel_size} members drawn by stratified lot from {n_volunteers} "
        f"volunteers out of {n_invited} invitations; pre and post; English, French, German, Dutch. "
        f"True effect on external efficacy {eff['effect_external_efficacy']:+g} latent SD on average, "
        f"SD {eff['effect_between_panels_sd']:g} between panels."
    )
    truth = {**eff, "attrition": attrition,
             "panel_effects": {f"panel_{p}": float(panel_effects[p - 1]) for p in range(1, n_panels + 1)}}
    return _finish("cofoe_panel", description, process, cohort, rng, targets, members, truth, seed_used)


# ---- ostbelgien_dialogue ----------------------------------------------------------------------
_OSTBELGIEN_SHARES = _shares(
    _GENERIC_SHARES,
    demo_age_band=(0.12, 0.13, 0.14, 0.16, 0.18, 0.27),
    demo_education=(0.25, 0.45, 0.30),
    demo_region=(0.35, 0.25, 0.15, 0.15, 0.10),
    demo_migration=(0.80, 0.14, 0.06),
)
_OSTBELGIEN_REMITS = (
    "Care for the elderly: better working conditions for carers",
    "Inclusive education for all pupils",
    "Affordable housing",
)


def simulate_ostbelgien_dialogue(
    *,
    council_size: int = 24,
    n_assemblies: int = 2,
    assembly_size: int = 25,
    n_invited: int = 1_000,
    n_volunteers: int = 100,
    effect_external_efficacy: float = 0.4,
    effect_influence: float = 0.3,
    effect_council_influence: float = 0.2,
    response_deadline_days: int = 120,
    trend: float = 0.0,
    attrition: float = 0.1,
    seed: Seed = None,
) -> Example:
    """Simulate an Ostbelgien-style permanent citizens' dialogue (SYNTHETIC data).

    A standing citizens' council of ``council_size`` citizens (people who sat on an earlier
    assembly; they sit by that right, ``unit == "citizens_council"``) chooses the topics and
    commissions ``n_assemblies`` successive citizens' assemblies (``unit == "assembly_<a>"``),
    each of ``assembly_size`` citizens drawn by stratified lot (gender, age, education,
    municipality) from ``n_volunteers`` who answered ``n_invited`` letters. Council and assembly
    members answer pre and post, in German. The parliament must answer each recommendation
    within ``response_deadline_days`` and justify every rejection (process table:
    ``response_deadline_days``, ``justification_required``; the register of
    :func:`deliberval.datasets.registers.simulate_register` answers every recommendation, in
    two batches, one per assembly).

    Parameters
    ----------
    council_size, n_assemblies, assembly_size, n_invited, n_volunteers : int
        Design sizes; ``assembly_size <= n_volunteers <= n_invited`` (per assembly).
    effect_external_efficacy, effect_influence : float
        True effects on assembly members at post (latent SD units).
    effect_council_influence : float
        True effect on the council members' perceived influence at post.
    response_deadline_days : int
        Days the parliament has to answer the recommendations (process table).
    trend : float
        Change common to everyone.
    attrition : float
        Base probability of not attending every session (no post answer).
    seed : int, numpy.random.Generator or None
        Seed; the same int gives the same data.

    Returns
    -------
    Example

    Examples
    --------
    >>> from deliberval.datasets.examples import simulate_ostbelgien_dialogue
    >>> ex = simulate_ostbelgien_dialogue(seed=1)
    >>> ex.members.query("selected").groupby("unit").size().to_dict()
    {'assembly_1': 25, 'assembly_2': 25, 'citizens_council': 24}
    >>> ex.process[["model", "languages", "response_deadline_days"]].iloc[0].astype(str).tolist()
    ['permanent_dialogue', 'de', '120']
    """
    council_size = _count("council_size", council_size)
    n_assemblies = _count("n_assemblies", n_assemblies)
    assembly_size = _count("assembly_size", assembly_size)
    n_invited = _count("n_invited", n_invited)
    n_volunteers = _count("n_volunteers", n_volunteers)
    deadline = _count("response_deadline_days", response_deadline_days)
    _at_most("assembly_size", assembly_size, "n_volunteers", n_volunteers)
    _at_most("n_volunteers", n_volunteers, "n_invited", n_invited)
    eff = _reals(effect_external_efficacy=effect_external_efficacy, effect_influence=effect_influence,
                 effect_council_influence=effect_council_influence, trend=trend)
    attrition = _probability("attrition", attrition)
    rng, seed_used = _rng(seed)
    pid = "ostbelgien_dialogue"
    balance = _target_dict(_OSTBELGIEN_SHARES, ("demo_gender", "demo_age_band", "demo_education", "demo_region"))

    # the standing council: earlier assembly members, who sit by that right
    demo_c = draw_demographics(rng, council_size, _OSTBELGIEN_SHARES)
    demo_c["demo_prior_participation"] = np.full(council_size, "yes", dtype=object)
    stable_c = draw_stable(rng, council_size)
    attended_c, post_c = _attendance(rng, stable_c, attrition)
    ids_c = _ids("ost_council_", council_size, 3)
    council = _cohort(ids_c, pid, "participant", "citizen", "de", demo_c, stable_c, _pre_post(post_c))
    council.effect["post"] = _effects(council_size, influence=eff["effect_council_influence"])
    parts = [council]
    groups: list[_Group] = [(ids_c, "citizen", _seated(attended_c, post_c), demo_c)]
    units = [np.full(council_size, "citizens_council", dtype=object)]
    for a in range(1, n_assemblies + 1):
        invited = _funnel(rng, n_invited, _OSTBELGIEN_SHARES, n_volunteers, assembly_size, balance, attrition)
        ids = _ids(f"ost_a{a}_", n_invited)
        members_a = invited.participants(ids, pid, "de")
        members_a.effect["post"] = _effects(assembly_size, external_efficacy=eff["effect_external_efficacy"],
                                            influence=eff["effect_influence"])
        parts.append(members_a)
        groups.append((ids, "citizen", invited.flags(), invited.demo))
        units.append(np.full(n_invited, f"assembly_{a}", dtype=object))
    for part in parts:
        part.trend["post"] = _trend(eff["trend"])
    cohort = Cohort.concat(parts)
    members = _members_table(pid, groups, unit=np.concatenate(units))
    remits = "; ".join(f"(assembly {a}) {_OSTBELGIEN_REMITS[(a - 1) % len(_OSTBELGIEN_REMITS)]}"
                       for a in range(1, n_assemblies + 1))
    process = _process_table([{
        "process_id": pid, "name": "Permanent citizens' dialogue of a regional parliament (SYNTHETIC)",
        "model": "permanent_dialogue", "country": "BE", "level_of_government": "regional",
        "commissioner": "Regional parliament (synthetic)", "start_date": pd.Timestamp(2019, 9, 16),
        "end_date": pd.Timestamp(2021, 6, 30), "n_sessions": 3 * n_assemblies + 6,
        "members_citizen": council_size + n_assemblies * assembly_size, "members_politician": 0,
        "remit": (f"SYNTHETIC example: a standing citizens' council of {council_size} chooses the topics and "
                  f"commissions {n_assemblies} successive assemblies: {remits}; the parliament answers every "
                  "recommendation and justifies each rejection"),
        "languages": "de",
    }])
    process["response_deadline_days"] = np.array([deadline], dtype="int64")
    process["justification_required"] = "yes"
    process["privacy_policy"] = "yes"
    targets = targets_table("ostbelgien_community", balance, 2019, SYNTHETIC_SOURCE)
    description = (
        "SYNTHETIC example data (deliberval), Ostbelgien-style permanent citizens' dialogue: a standing "
        f"citizens' council of {council_size} earlier assembly members commissions {n_assemblies} successive "
        f"assemblies of {assembly_size} citizens, each drawn by lot from {n_volunteers} volunteers out of "
        f"{n_invited} letters; pre and post; German. The parliament must answer each recommendation within "
        f"{deadline} days and justify every rejection. True effects (latent SD) at post: assembly members' "
        f"external efficacy {eff['effect_external_efficacy']:+g}, perceived influence "
        f"{eff['effect_influence']:+g}; council members' perceived influence {eff['effect_council_influence']:+g}."
    )
    truth = {**eff, "attrition": attrition, "response_deadline_days": deadline}
    return _finish(pid, description, process, cohort, rng, targets, members, truth, seed_used)


# ---- brussels_committee -----------------------------------------------------------------------
_BRUSSELS_SHARES = _shares(
    _GENERIC_SHARES,
    demo_age_band=(0.13, 0.20, 0.19, 0.17, 0.14, 0.17),
    demo_education=(0.25, 0.30, 0.45),
    demo_region=(0.25, 0.25, 0.20, 0.15, 0.15),
    demo_migration=(0.45, 0.35, 0.20),
)


def simulate_brussels_committee(
    *,
    n_citizens: int = 45,
    n_mps: int = 15,
    n_mps_dutch: int = 3,
    share_dutch: float = 0.25,
    n_invited: int = 10_000,
    n_volunteers: int = 500,
    effect_external_efficacy: float = 0.4,
    effect_influence: float = 0.3,
    effect_hybrid_openness: float = 0.3,
    effect_mp_experience: float = -1.0,
    trend: float = 0.0,
    attrition: float = 0.1,
    seed: Seed = None,
) -> Example:
    """Simulate a Brussels-style bilingual deliberative committee of citizens and MPs (SYNTHETIC).

    ``n_citizens`` citizens drawn by stratified lot (gender, age, education, municipality) from
    ``n_volunteers`` who answered ``n_invited`` letters sit with ``n_mps`` members of parliament.
    Citizens answer in Dutch with probability ``share_dutch`` and otherwise in French;
    ``n_mps_dutch`` MPs answer in Dutch. Pre and post; both sides answer the experience items,
    and the MPs rate the deliberation ``effect_mp_experience`` latent SD lower than their
    baseline, so that the report's two sides differ.

    Parameters
    ----------
    n_citizens, n_mps, n_mps_dutch, n_invited, n_volunteers : int
        Design sizes; ``n_citizens <= n_volunteers <= n_invited``, ``n_mps_dutch <= n_mps``.
    share_dutch : float
        Probability that an invited citizen answers in Dutch.
    effect_external_efficacy, effect_influence : float
        True effects on citizens at post (latent SD units).
    effect_hybrid_openness : float
        True effect on MPs' openness to working with citizens at post.
    effect_mp_experience : float
        Shift of the MPs' deliberative-experience trait at post (latent SD units).
    trend : float
        Change common to everyone at post.
    attrition : float
        Probability of no post answer (not attending every session).
    seed : int, numpy.random.Generator or None
        Seed; the same int gives the same data.

    Returns
    -------
    Example

    Examples
    --------
    >>> from deliberval.datasets.examples import simulate_brussels_committee
    >>> ex = simulate_brussels_committee(seed=1)
    >>> ex.members.query("selected").groupby("role").size().to_dict()
    {'citizen': 45, 'politician': 15}
    >>> sorted(ex.responses["language"].unique())
    ['fr', 'nl']
    """
    n_citizens = _count("n_citizens", n_citizens)
    n_mps = _count("n_mps", n_mps)
    n_mps_dutch = _count("n_mps_dutch", n_mps_dutch, 0)
    n_invited = _count("n_invited", n_invited)
    n_volunteers = _count("n_volunteers", n_volunteers)
    _at_most("n_citizens", n_citizens, "n_volunteers", n_volunteers)
    _at_most("n_volunteers", n_volunteers, "n_invited", n_invited)
    _at_most("n_mps_dutch", n_mps_dutch, "n_mps", n_mps)
    share_dutch = _probability("share_dutch", share_dutch, upper_open=False)
    eff = _reals(effect_external_efficacy=effect_external_efficacy, effect_influence=effect_influence,
                 effect_hybrid_openness=effect_hybrid_openness, effect_mp_experience=effect_mp_experience,
                 trend=trend)
    attrition = _probability("attrition", attrition)
    rng, seed_used = _rng(seed)
    pid = "brussels_committee"
    balance = _target_dict(_BRUSSELS_SHARES, ("demo_gender", "demo_age_band", "demo_education", "demo_region"))

    invited = _funnel(rng, n_invited, _BRUSSELS_SHARES, n_volunteers, n_citizens, balance, attrition)
    language = np.where(rng.random(n_invited) < share_dutch, "nl", "fr").astype(object)
    demo_m, stable_m, attended_m, post_m = _politicians(rng, n_mps, _BRUSSELS_SHARES["demo_region"], attrition)
    language_m = np.array(["nl"] * n_mps_dutch + ["fr"] * (n_mps - n_mps_dutch), dtype=object)

    ids = _ids("bxl_c", n_invited)
    ids_m = _ids("bxl_mp", n_mps, 3)
    citizens = invited.participants(ids, pid, language)
    citizens.effect["post"] = _effects(n_citizens, external_efficacy=eff["effect_external_efficacy"],
                                       influence=eff["effect_influence"])
    mps = _cohort(ids_m, pid, "participant", "politician", language_m, demo_m, stable_m, _pre_post(post_m))
    mps.effect["post"] = _effects(n_mps, hybrid_openness=eff["effect_hybrid_openness"],
                                  deliberative_quality=eff["effect_mp_experience"])
    for part in (citizens, mps):
        part.trend["post"] = _trend(eff["trend"])
    cohort = Cohort.concat([citizens, mps])
    members = _members_table(pid, [(ids, "citizen", invited.flags(), invited.demo),
                                   (ids_m, "politician", _seated(attended_m, post_m), demo_m)])
    process = _process_table([{
        "process_id": pid, "name": "Bilingual deliberative committee of a regional parliament (SYNTHETIC)",
        "model": "deliberative_committee", "country": "BE", "level_of_government": "regional",
        "commissioner": "Regional parliament (synthetic)", "start_date": pd.Timestamp(2023, 10, 7),
        "end_date": pd.Timestamp(2024, 2, 24), "n_sessions": 4, "members_citizen": n_citizens,
        "members_politician": n_mps,
        "remit": "SYNTHETIC example: how can the region make its public space greener and safer?",
        "languages": "fr,nl",
    }])
    targets = targets_table("brussels_region", balance, 2023, SYNTHETIC_SOURCE)
    description = (
        "SYNTHETIC example data (deliberval), Brussels-style bilingual deliberative committee: "
        f"{n_citizens} citizens drawn by lot from {n_volunteers} volunteers out of {n_invited} invitations, "
        f"with {n_mps} MPs ({n_mps_dutch} answering in Dutch); pre and post; French and Dutch. True "
        f"effects (latent SD) at post: citizens' external efficacy {eff['effect_external_efficacy']:+g}, "
        f"perceived influence {eff['effect_influence']:+g}; MPs' hybrid openness "
        f"{eff['effect_hybrid_openness']:+g} and deliberative experience {eff['effect_mp_experience']:+g}."
    )
    truth = {**eff, "share_dutch": share_dutch, "attrition": attrition}
    return _finish(pid, description, process, cohort, rng, targets, members, truth, seed_used)


# ---- registry ---------------------------------------------------------------------------------
_REGISTRY: dict[str, tuple[Callable[..., Example], dict[str, str]]] = {
    "gentofte_ptc": (simulate_gentofte_ptc, {
        "title": "Gentofte-style Political Task Committees", "model": "political_task_committee",
        "n_units": "3", "design": "3 committees x (5 politicians + 10 citizens)",
        "waves": "pre,post", "languages": "da,en"}),
    "wallonia_committee": (simulate_wallonia_committee, {
        "title": "Wallonia-style deliberative committee", "model": "deliberative_committee",
        "n_units": "1", "design": "30 citizens + 10 MPs", "waves": "pre,post,follow_up",
        "languages": "fr"}),
    "climate_assembly": (simulate_climate_assembly, {
        "title": "National citizens' assembly on climate with control group", "model": "citizens_assembly",
        "n_units": "1",
        "design": "20,000 invited -> 1,000 volunteers -> 100 members; control group; population survey",
        "waves": "pre,post", "languages": "en"}),
    "cofoe_panel": (simulate_cofoe_panel, {
        "title": "Transnational citizens' panels", "model": "citizens_assembly", "n_units": "4",
        "design": "4 panels x 200 members", "waves": "pre,post", "languages": "en,fr,de,nl"}),
    "ostbelgien_dialogue": (simulate_ostbelgien_dialogue, {
        "title": "Ostbelgien-style permanent citizens' dialogue", "model": "permanent_dialogue", "n_units": "3",
        "design": "standing council of 24 commissioning 2 assemblies of 25 (1,000 letters -> 100 volunteers each)",
        "waves": "pre,post", "languages": "de"}),
    "brussels_committee": (simulate_brussels_committee, {
        "title": "Brussels-style bilingual deliberative committee", "model": "deliberative_committee",
        "n_units": "1", "design": "45 citizens + 15 MPs", "waves": "pre,post", "languages": "fr,nl"}),
}


def list_examples() -> pd.DataFrame:
    """List the SYNTHETIC example processes that :func:`load_example` can produce.

    Returns
    -------
    pandas.DataFrame
        One row per example with columns ``name, title, model, n_units`` (committees or panels
        within the process), ``design, waves, languages, simulator`` (the public function that
        simulates it) and ``synthetic`` (always True).

    Examples
    --------
    >>> from deliberval.datasets import list_examples
    >>> list_examples()["name"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['gentofte_ptc', 'wallonia_committee', 'climate_assembly', 'cofoe_panel', 'ostbelgien_dialogue',
     'brussels_committee']
    """
    rows = [
        {"name": name, **meta, "n_units": int(meta["n_units"]), "simulator": func.__name__, "synthetic": True}
        for name, (func, meta) in _REGISTRY.items()
    ]
    columns = ["name", "title", "model", "n_units", "design", "waves", "languages", "simulator", "synthetic"]
    out = pd.DataFrame(rows, columns=columns)
    for col in ("name", "title", "model", "design", "waves", "languages", "simulator"):
        out[col] = out[col].astype("str")
    return out


def load_example(name: str, *, seed: Seed = DEFAULT_SEED, registers: bool = False, **parameters: Any) -> Example:
    """Simulate one of the SYNTHETIC example processes with its default design.

    Parameters
    ----------
    name : str
        One of :func:`list_examples` ``name``: ``gentofte_ptc``, ``wallonia_committee``,
        ``climate_assembly``, ``cofoe_panel``, ``ostbelgien_dialogue``, ``brussels_committee``.
    seed : int, numpy.random.Generator or None, default 2021
        Seed; the default makes ``load_example(name)`` the same data on every machine.
    registers : bool, default False
        Also simulate the process's recommendation register
        (:func:`deliberval.datasets.registers.simulate_register`, same seed) into
        ``recommendations`` and ``response_events``.
    **parameters
        Passed to the example's simulator (e.g. ``effect_external_efficacy=0.0``).

    Returns
    -------
    Example

    Raises
    ------
    DataInputError
        For an unknown name or a parameter the simulator does not take or accept.

    Examples
    --------
    >>> from deliberval.datasets import load_example
    >>> ex = load_example("climate_assembly")
    >>> ex.description.startswith("SYNTHETIC")
    True
    >>> ex.truth["effect_external_efficacy"]
    0.4
    >>> ex.targets.groupby("dimension")["share"].sum().round(12).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    entry = _REGISTRY.get(name) if isinstance(name, str) else None
    if entry is None:
        raise DataInputError(f"unknown example {name!r}; known examples: {', '.join(_REGISTRY)}")
    func = entry[0]
    import inspect

    accepted = set(inspect.signature(func).parameters) - {"seed"}
    unknown = sorted(set(parameters) - accepted)
    if unknown:
        raise DataInputError(
            f"example {name!r} takes no parameter(s) {', '.join(map(repr, unknown))}; "
            f"it takes: {', '.join(sorted(accepted))}"
        )
    ex: Example = func(seed=seed, **parameters)
    if registers:
        from deliberval.datasets.registers import simulate_register

        register = simulate_register(name, seed=seed)
        ex = ex.with_registers(register.recommendations, register.events)
    return ex
