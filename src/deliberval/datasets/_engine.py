"""The simulation engine shared by the example processes (vectorised numpy).

Latent model
------------
Each person has six latent traits (:data:`~deliberval.datasets._items.TRAITS`). On occasion
``w`` (pre, post, follow_up) the trait vector is

    theta_w = m + eta + delta_w + trend_w + effect_w

* ``m``: a deterministic mean from the person's role and demographics (e.g. politicians trust
  more, the tertiary educated feel more efficacious);
* ``eta``: a stable disposition, multivariate normal with correlation :data:`TRAIT_CORRELATION`
  and variance :data:`STABILITY` (0.7, the test-retest correlation of an untreated person);
* ``delta_w``: an occasion-specific deviation, drawn afresh each wave, same correlation,
  variance ``1 - STABILITY`` (so the trait has SD 1 within a demographic cell);
* ``trend_w``: a change common to everyone (0 unless a simulator is told otherwise);
* ``effect_w``: the true effect of taking part (participants only, in latent SD units).

Selection into a process works on ``eta`` (and demographics), never on ``delta``, so the change of
selected people is not contaminated by regression to the mean: the expected latent change of a
participant is exactly ``trend_w + effect_w``.

Items are then answered through the threshold measurement model of
:mod:`deliberval.datasets._items`, and a few answers are replaced by the items' missing codes.
Because ``delta`` and the item errors are normal, the expected item score given ``m + eta`` has a
closed form (a sum of normal CDFs), which gives the *expected* scale means and changes recorded in
an example's ``truth``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import ndtr

from deliberval.datasets._items import (
    DEMOGRAPHIC_REFUSED,
    DEMOGRAPHIC_RESPONDENTS,
    DEMOGRAPHICS,
    ITEM_BY_ID,
    ITEMS,
    SCALES,
    TRAITS,
    ItemSpec,
    ScaleSpec,
)

__all__ = [
    "STABILITY",
    "TRAIT_CORRELATION",
    "Cohort",
    "build_responses",
    "demographic_mean",
    "draw_demographics",
    "draw_stable",
    "expected_changes",
    "expected_scale",
    "str_array",
    "stratified_pick",
    "targets_table",
    "top_k",
]

STABILITY = 0.7
WAVE_ORDER = ("pre", "post", "follow_up")
T = {name: i for i, name in enumerate(TRAITS)}

#: Correlation of the latent traits (trust, internal efficacy, external efficacy, influence,
#: deliberative quality, hybrid openness), for both the stable and the occasion parts.
TRAIT_CORRELATION = np.array(
    [
        [1.00, 0.25, 0.55, 0.45, 0.20, 0.20],
        [0.25, 1.00, 0.40, 0.35, 0.15, 0.10],
        [0.55, 0.40, 1.00, 0.60, 0.25, 0.20],
        [0.45, 0.35, 0.60, 1.00, 0.30, 0.20],
        [0.20, 0.15, 0.25, 0.30, 1.00, 0.20],
        [0.20, 0.10, 0.20, 0.20, 0.20, 1.00],
    ]
)
_CHOL = np.linalg.cholesky(TRAIT_CORRELATION)

#: Shift of the latent mean by role (rows of TRAITS order).
ROLE_SHIFT: dict[str, np.ndarray] = {
    "citizen": np.zeros(len(TRAITS)),
    "politician": np.array([1.0, 1.3, 0.9, 0.5, 0.2, 0.0]),
    "civil_servant": np.array([0.8, 0.9, 0.5, 0.3, 0.2, 0.2]),
}

#: Shift of the latent mean by demographic category (other categories shift nothing).
DEMO_SHIFT: dict[tuple[str, str], np.ndarray] = {
    ("demo_education", "isced_0_2"): np.array([-0.20, -0.30, -0.20, -0.10, 0.0, 0.0]),
    ("demo_education", "isced_5_8"): np.array([0.25, 0.35, 0.20, 0.10, 0.0, 0.0]),
    ("demo_age_band", "16_24"): np.array([0.05, -0.20, 0.0, 0.0, 0.0, 0.0]),
    ("demo_age_band", "65_plus"): np.array([0.10, 0.10, 0.0, 0.0, 0.0, 0.0]),
    ("demo_prior_participation", "yes"): np.array([0.15, 0.30, 0.20, 0.15, 0.0, 0.0]),
}

#: Employment given age band (rows follow DEMOGRAPHICS["demo_age_band"], columns
#: DEMOGRAPHICS["demo_employment"]), so that students are young and the retired old.
EMPLOYMENT_BY_AGE = np.array(
    [
        [0.40, 0.08, 0.47, 0.00, 0.05],
        [0.80, 0.07, 0.06, 0.00, 0.07],
        [0.84, 0.06, 0.02, 0.00, 0.08],
        [0.83, 0.06, 0.01, 0.01, 0.09],
        [0.66, 0.05, 0.00, 0.20, 0.09],
        [0.07, 0.01, 0.00, 0.88, 0.04],
    ]
)


def _categorical(rng: np.random.Generator, n: int, probs: Sequence[float]) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.minimum(np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right"), len(p) - 1)


def draw_demographics(
    rng: np.random.Generator, n: int, shares: Mapping[str, Sequence[float]]
) -> dict[str, np.ndarray]:
    """Demographic codes for ``n`` people: independent draws per dimension, employment by age.

    ``shares`` gives the probabilities of every dimension of :data:`DEMOGRAPHICS` except
    ``demo_employment``, which is drawn from :data:`EMPLOYMENT_BY_AGE`.
    """
    out: dict[str, np.ndarray] = {}
    for dim, cats in DEMOGRAPHICS.items():
        if dim == "demo_employment":
            continue
        out[dim] = np.asarray(cats, dtype=object)[_categorical(rng, n, shares[dim])]
    age_idx = np.searchsorted(np.asarray(DEMOGRAPHICS["demo_age_band"], dtype=object), out["demo_age_band"])
    cum = np.cumsum(EMPLOYMENT_BY_AGE, axis=1)[age_idx]
    emp = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), cum.shape[1] - 1)
    out["demo_employment"] = np.asarray(DEMOGRAPHICS["demo_employment"], dtype=object)[emp]
    return {dim: out[dim] for dim in DEMOGRAPHICS}


def demographic_mean(demo: Mapping[str, np.ndarray], role: np.ndarray) -> np.ndarray:
    """The deterministic latent mean ``m`` (n x traits) from role and demographics."""
    n = len(role)
    m = np.zeros((n, len(TRAITS)))
    for (dim, cat), shift in DEMO_SHIFT.items():
        m += np.outer(demo[dim] == cat, shift)
    for r, shift in ROLE_SHIFT.items():
        m += np.outer(role == r, shift)
    return m


def draw_stable(rng: np.random.Generator, n: int, variance: float = STABILITY) -> np.ndarray:
    """Correlated normal traits (n x traits) with the given variance."""
    return np.sqrt(variance) * rng.standard_normal((n, len(TRAITS))) @ _CHOL.T


def top_k(score: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` largest scores (ties broken by position)."""
    mask = np.zeros(len(score), dtype=bool)
    if k > 0:
        mask[np.argsort(-score, kind="stable")[:k]] = True
    return mask


def stratified_pick(
    rng: np.random.Generator,
    demo: Mapping[str, np.ndarray],
    candidates: np.ndarray,
    k: int,
    targets: Mapping[str, Mapping[str, float]],
) -> np.ndarray:
    """Pick ``k`` of the candidates, weighting each by target share / pool share per dimension.

    A weighted draw without replacement (Efraimidis & Spirakis 2006 keys ``u ** (1 / w)``),
    which brings the panel close to the targets, as stratified sortition does, without
    guaranteeing exact quotas.
    """
    idx = np.flatnonzero(candidates)
    w = np.ones(len(idx))
    for dim, shares in targets.items():
        values = demo[dim][idx]
        for cat, share in shares.items():
            hit = values == cat
            if hit.any():
                w[hit] *= share / hit.mean()
    keys = np.log(rng.random(len(idx))) / w
    mask = np.zeros(len(candidates), dtype=bool)
    mask[idx[top_k(keys, k)]] = True
    return mask


@dataclass
class Cohort:
    """Everyone who answers a survey in one example, with the latent parts of their traits."""

    person_id: np.ndarray
    process_id: np.ndarray
    group: np.ndarray
    role: np.ndarray
    language: np.ndarray
    demo: dict[str, np.ndarray]
    mean: np.ndarray
    stable: np.ndarray
    answered: dict[str, np.ndarray]
    effect: dict[str, np.ndarray] = field(default_factory=dict)
    trend: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.person_id)

    def shift(self, wave: str, *, with_effect: bool = True) -> np.ndarray:
        """``trend_w + effect_w`` (n x traits) of a wave (zero at pre)."""
        out = np.zeros((self.n, len(TRAITS)))
        if wave in self.trend:
            out += self.trend[wave]
        if with_effect and wave in self.effect:
            out += self.effect[wave]
        return out

    @staticmethod
    def concat(parts: Sequence[Cohort]) -> Cohort:
        waves = sorted({w for p in parts for w in p.answered}, key=WAVE_ORDER.index)

        def cat(get: object) -> np.ndarray:
            return np.concatenate([get(p) for p in parts])  # type: ignore[operator]

        def per_wave(p: Cohort, which: str, w: str) -> np.ndarray:
            d = getattr(p, which)
            if which == "answered":
                return d.get(w, np.zeros(p.n, dtype=bool))
            return np.broadcast_to(d.get(w, np.zeros(len(TRAITS))), (p.n, len(TRAITS)))

        return Cohort(
            person_id=cat(lambda p: p.person_id),
            process_id=cat(lambda p: p.process_id),
            group=cat(lambda p: p.group),
            role=cat(lambda p: p.role),
            language=cat(lambda p: p.language),
            demo={d: cat(lambda p, d=d: p.demo[d]) for d in DEMOGRAPHICS},
            mean=cat(lambda p: p.mean),
            stable=cat(lambda p: p.stable),
            answered={w: cat(lambda p, w=w: per_wave(p, "answered", w)) for w in waves},
            effect={w: cat(lambda p, w=w: per_wave(p, "effect", w)) for w in waves},
            trend={w: cat(lambda p, w=w: per_wave(p, "trend", w)) for w in waves},
        )


def str_array(values: np.ndarray, take: np.ndarray | None = None, blank: np.ndarray | None = None) -> pd.api.extensions.ExtensionArray:
    """A pandas ``str`` array of ``values[take]`` with ``blank`` positions missing.

    Built through an Arrow dictionary array: converting each distinct value once is many times
    faster than converting every element of a long object array.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    if take is not None:
        codes = codes[take]
    if blank is not None:
        codes = np.where(blank, -1, codes)
    dictionary = pa.array(np.asarray(uniques, dtype=object), type=pa.large_string())
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pd.array(pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.large_string()), dtype="str")


class _Eligibility:
    """Who is asked an item in a wave (role, group, wave), with the role masks computed once."""

    def __init__(self, cohort: Cohort) -> None:
        self.cohort = cohort
        self.participant = cohort.group == "participant"
        self._roles: dict[tuple[str, ...], np.ndarray] = {}

    def __call__(self, item: ItemSpec, wave: str) -> np.ndarray:
        if wave not in item.waves:
            return np.zeros(self.cohort.n, dtype=bool)
        ok = self._roles.get(item.respondents)
        if ok is None:
            ok = self._roles[item.respondents] = np.isin(self.cohort.role, list(item.respondents))
        return ok if item.control else ok & self.participant


def build_responses(
    cohort: Cohort,
    rng: np.random.Generator,
    *,
    missing_scale: float = 1.0,
    items: Sequence[ItemSpec] = ITEMS,
) -> pd.DataFrame:
    """The canonical responses table (one row per person x wave answered) of a cohort."""
    waves = [w for w in WAVE_ORDER if w in cohort.answered]
    eligible = _Eligibility(cohort)
    person_rows: list[np.ndarray] = []
    wave_rows: list[np.ndarray] = []
    codes: dict[str, list[np.ndarray]] = {it.id: [] for it in items}
    masks: dict[str, list[np.ndarray]] = {it.id: [] for it in items}
    loadings = np.array([it.loading for it in items])
    intercepts = np.array([it.intercept for it in items])
    trait_idx = np.array([T[it.trait] for it in items])
    for k, w in enumerate(waves):
        rows = np.flatnonzero(cohort.answered[w])
        occasion = draw_stable(rng, len(rows), 1.0 - STABILITY)
        theta = (cohort.mean[rows] + cohort.stable[rows] + occasion + cohort.shift(w)[rows]).T[trait_idx]
        # item-major layout (items x rows) keeps each item's values contiguous
        ystar = loadings[:, None] * theta + intercepts[:, None]
        ystar += np.sqrt(1.0 - loadings**2)[:, None] * rng.standard_normal((len(items), len(rows)))
        u = rng.random((len(items), len(rows)))
        person_rows.append(rows)
        wave_rows.append(np.full(len(rows), k, dtype=np.int64))
        for j, it in enumerate(items):
            code = it.low + np.searchsorted(it.thresholds, ystar[j], side="left")
            if it.reverse:
                code = it.low + it.high - code
            cut = 0.0
            for mcode, _meaning, rate in it.missing_codes:
                upper = cut + rate * missing_scale
                code[(u[j] >= cut) & (u[j] < upper)] = mcode
                cut = upper
            codes[it.id].append(code)
            masks[it.id].append(~eligible(it, w)[rows])
    person = np.concatenate(person_rows)
    wave_idx = np.concatenate(wave_rows)
    order = np.argsort(person, kind="stable")
    person, wave_idx = person[order], wave_idx[order]
    table: dict[str, object] = {
        "respondent_id": str_array(cohort.person_id, person),
        "process_id": str_array(cohort.process_id, person),
        "wave": str_array(np.asarray(waves, dtype=object), wave_idx),
        "group": str_array(cohort.group, person),
        "role": str_array(cohort.role, person),
        "language": str_array(cohort.language, person),
    }
    for it in items:
        values = np.concatenate(codes[it.id])[order].astype("int64")
        mask = np.concatenate(masks[it.id])[order]
        table[it.id] = np.where(mask, np.nan, values.astype(np.float64))
    not_pre = wave_idx != waves.index("pre") if "pre" in waves else np.ones(len(person), dtype=bool)
    blank = not_pre | ~np.isin(cohort.role, list(DEMOGRAPHIC_RESPONDENTS))[person]
    refused_code, refused_rate = DEMOGRAPHIC_REFUSED
    u_refused = rng.random((cohort.n, len(DEMOGRAPHICS)))[person]
    for j, dim in enumerate(DEMOGRAPHICS):
        answers = np.append(np.asarray(cohort.demo[dim], dtype=object), refused_code)
        take = np.where(u_refused[:, j] < refused_rate * missing_scale, cohort.n, person)
        table[dim] = str_array(answers, take, blank)
    return pd.DataFrame(table)


def expected_item(
    item: ItemSpec, theta: np.ndarray, occasion_var: float = 1.0 - STABILITY, *, scored: bool = False
) -> np.ndarray:
    """Expected code (missing codes excluded) given the latent mean ``theta`` of each person.

    With ``scored=True`` a reverse-keyed item is returned as scored (reversed back), as it enters
    a scale score.
    """
    sd = np.sqrt(item.loading**2 * occasion_var + 1.0 - item.loading**2)
    z = (item.loading * theta[:, None] + item.intercept - item.thresholds[None, :]) / sd
    e = item.low + ndtr(z).sum(axis=1)
    return item.low + item.high - e if item.reverse and not scored else e


def expected_scale(scale: ScaleSpec, theta: np.ndarray) -> np.ndarray:
    """Expected scale score (mean of the expected scored item codes) given latent means (n,)."""
    return np.mean([expected_item(ITEM_BY_ID[i], theta, scored=True) for i in scale.items], axis=0)


def expected_changes(cohort: Cohort) -> pd.DataFrame:
    """Tidy table of the expected scale means and changes implied by the simulation.

    One row per process, group, role, scale and later wave (post, follow_up) for the people who
    answered both pre and that wave and were asked the scale in both. Columns:
    ``process_id, group, role, scale, wave, n, expected_pre, expected_wave, expected_change,
    expected_effect, latent_effect``. ``expected_change`` is the expected mean change of the
    scale score (trend and effect), ``expected_effect`` the part caused by taking part, and
    ``latent_effect`` the mean true effect in latent SD units.
    """
    rows = []
    eligible = _Eligibility(cohort)
    base = cohort.mean + cohort.stable
    for w in (w for w in WAVE_ORDER[1:] if w in cohort.answered):
        full = base + cohort.shift(w)
        no_effect = base + cohort.shift(w, with_effect=False)
        effect = cohort.effect.get(w, np.zeros_like(base))
        for scale in SCALES:
            t = T[scale.trait]
            first = ITEM_BY_ID[scale.items[0]]
            asked = eligible(first, "pre") & eligible(first, w)
            both = cohort.answered["pre"] & cohort.answered[w] & asked
            if not both.any():
                continue
            keys = pd.DataFrame(
                {"process_id": cohort.process_id[both], "group": cohort.group[both], "role": cohort.role[both]}
            )
            pre = expected_scale(scale, base[both, t])
            post = pre if np.array_equal(full[both, t], base[both, t]) else expected_scale(scale, full[both, t])
            post0 = (
                post if np.array_equal(no_effect[both, t], full[both, t])
                else pre if np.array_equal(no_effect[both, t], base[both, t])
                else expected_scale(scale, no_effect[both, t])
            )
            frame = keys.assign(
                scale=scale.id, wave=w, n=1, expected_pre=pre, expected_wave=post,
                expected_change=post - pre, expected_effect=post - post0, latent_effect=effect[both, t],
            )
            agg = frame.groupby(["process_id", "group", "role", "scale", "wave"], sort=True).agg(
                n=("n", "sum"), expected_pre=("expected_pre", "mean"), expected_wave=("expected_wave", "mean"),
                expected_change=("expected_change", "mean"), expected_effect=("expected_effect", "mean"),
                latent_effect=("latent_effect", "mean"),
            )
            rows.append(agg.reset_index())
    out = pd.concat(rows, ignore_index=True)
    for key in ("process_id", "group", "role", "scale", "wave"):
        out[key] = out[key].astype("str")
    return out.sort_values(["process_id", "group", "role", "scale", "wave"], ignore_index=True)


def targets_table(
    population_id: str, targets: Mapping[str, Mapping[str, float]], year: int, source: str
) -> pd.DataFrame:
    """The canonical targets table (one row per dimension x category) of a set of shares."""
    rows = [
        {"population_id": population_id, "dimension": dim, "category": cat, "share": float(share),
         "source": source, "year": year}
        for dim, shares in targets.items()
        for cat, share in shares.items()
    ]
    out = pd.DataFrame(rows, columns=["population_id", "dimension", "category", "share", "source", "year"])
    out["year"] = out["year"].astype("int64")
    return out
