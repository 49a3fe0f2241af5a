"""The attacker test (issue 16): tempting small bodies, and everything their reports publish.

Each scenario builds a report of a small body from the SYNTHETIC examples, written to files and
read back through the real pipeline (``load_config -> load_process -> evaluate_process ->
build_report -> render_html``). An attacker then reads what the report publishes (the tables a
writer presents, the indicator table behind the cards, the facts line and the input-file rows
as rendered in the HTML) and tries to solve for the hidden cells:

* linear equations over published totals (rows of a file = the sum of the roles; rows read =
  valid + quarantined; a wave's psychometrics n = the sum of its roles or groups; a dimension's
  categories add up to the selected members), solved as a linear programme (scipy ``linprog``:
  the smallest and largest value each hidden cell can take given every published number and the
  bounds a marker gives away, ``<5`` meaning 1-4);
* differences of counts (the same equations);
* shares x n (a published share of a published or solved base gives its count);
* complements of shares (n - count);
* Duncan's index and the largest gap, by trying every split of the hidden categories.

A scenario passes only when no hidden cell is recovered exactly. The attacker is given only
relations that hold in the data (checked against the truth first), so every relation it uses is
one a real reader could rely on.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from deliberval.datasets import load_example
from deliberval.indicators import EvaluationSettings, evaluate_process
from deliberval.io.config import load_config
from deliberval.report import ReportSettings, build_report, render_html
from deliberval.validation.process import load_process

K = 5
SEED = 2021
# proportions that are not shares of n people: indices over categories, and recommendations
NOT_SHARES_OF_PEOPLE = ("representativeness_dissimilarity", "selection_funnel_r_indicator", "response_any",
                        "response_within_deadline", "rejected_without_reasons", "uptake_rate",
                        "implementation_rate")


# ------------------------------------------------------------------------------ the pipeline
def _report(folder: Path, *, members: pd.DataFrame, responses: pd.DataFrame, targets: pd.DataFrame,
            process: pd.DataFrame) -> tuple[Any, str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    members.to_csv(folder / "members.csv", index=False)
    responses.to_csv(folder / "responses.csv", index=False)
    targets.to_csv(folder / "targets.csv", index=False)
    process.to_csv(folder / "process.csv", index=False)
    pid = str(process["process_id"].iloc[0])
    (folder / "process.yaml").write_text(
        f"process_id: {pid}\nmin_cell_size: {K}\ndata:\n  responses: responses.csv\n  members: members.csv\n"
        "  targets: targets.csv\n  process: process.csv\n", encoding="utf-8")
    cfg = load_config(folder / "process.yaml")
    ev = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
    rep = build_report(ev, ReportSettings.from_config(cfg))
    return rep, render_html(rep, timestamp="x"), ev


def _set_gender(members: pd.DataFrame, counts: Mapping[str, int]) -> pd.DataFrame:
    out = members.copy()
    idx = out.index[(out["role"] == "citizen") & out["selected"].astype(bool)]
    assert len(idx) == sum(counts.values())
    out.loc[idx, "demo_gender"] = [c for c, n in counts.items() for _ in range(n)]
    return out


def _quarantined_rows(responses: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` rows with a wave the instrument does not know (quarantined, never dropped)."""
    bad = responses.iloc[:n].copy()
    bad["respondent_id"] = [f"zz_{i}" for i in range(n)]
    bad["wave"] = "mid"
    return pd.concat([responses, bad], ignore_index=True)


# --------------------------------------------------------------------------- what is published
class Published:
    """Everything a reader of the report sees, as numbers or hiding marks."""

    def __init__(self, rep: Any, html: str) -> None:
        self.html = html
        self.tables: dict[str, pd.DataFrame] = {}
        for tab in rep.tables():
            self.tables.setdefault(tab.key, tab.data)
        self.indicators = rep.indicators.set_index("indicator_id")
        self.facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))
        # the input files as rendered: <td>file</td><td>key</td><td>rows</td><td><code>sha</code></td>
        self.inputs = {key: rows for _, key, rows in
                       re.findall(r"<tr><td[^>]*>([^<]*)</td><td[^>]*>([a-z_]+)</td><td[^>]*>([^<]*)</td>"
                                  r"<td[^>]*><code>", html)}

    def cell(self, key: str, column: str, **where: str) -> Any:
        """A published number, or the hiding mark of its row (``"<5"``, ``"hidden"``), or None."""
        df = self.tables.get(key)
        if df is None or column not in df.columns:
            return None
        # a renamed column must fail here, not make the attacker blind (None is "not published")
        assert set(where) <= set(df.columns), f"{key} has no column {set(where) - set(df.columns)}"
        mask = np.ones(len(df), dtype=bool)
        for col, value in where.items():
            mask &= (df[col].astype(str) == value).to_numpy()
        rows = df.loc[mask]
        if len(rows) != 1:
            return None
        v = rows[column].iloc[0]
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            mark = str(rows["suppression"].iloc[0]) if "suppression" in rows.columns else \
                ("primary" if bool(rows.get("suppressed", pd.Series([False])).iloc[0]) else "")
            return "<5" if mark == "primary" and column in ("n", "count", "n_members", "n_control") else "hidden"
        return float(v)

    def fact_counts(self) -> dict[str, Any]:
        """The members line of the facts (``11 citizens, 4 politicians``) as published."""
        text = self.facts.get("Members", "")
        out: dict[str, Any] = {}
        for value, role in re.findall(r"(&lt;\d+|‡|\d+) (citizens|politicians)", text):
            out[role] = float(value) if value.isdigit() else ("<5" if value.startswith("&lt;") else "hidden")
        return out

    def input_rows(self, key: str) -> Any:
        v = self.inputs.get(key)
        if v is None:
            return None
        v = v.replace(",", "")
        return float(v) if v.isdigit() else "hidden"


# -------------------------------------------------------------------------------- the attacker
class Attacker:
    """Linear equations over published numbers, solved for the smallest and largest value of each unknown."""

    def __init__(self, truth: Mapping[str, float]) -> None:
        self.truth = dict(truth)
        self.names = list(truth)
        self.eq: list[tuple[dict[str, float], float]] = []
        self.ub: list[tuple[dict[str, float], float]] = []
        self.used: list[str] = []
        self.false: list[str] = []

    def _true(self, expr: Mapping[str, float]) -> float:
        return sum(c * self.truth[n] for n, c in expr.items())

    def know(self, expr: Mapping[str, float], value: float, label: str) -> None:
        """A relation a reader can rely on; given to the attacker only when it holds in the data."""
        if abs(self._true(expr) - value) < 1e-9:
            self.eq.append((dict(expr), float(value)))
            self.used.append(label)

    def observe(self, expr: Mapping[str, float], published: Any, label: str) -> None:
        """A published number (an equation) or a hiding mark (``<5``: the value is 1-4)."""
        if published is None or published == "hidden":
            return
        if published == "<5":
            if not 1 <= self._true(expr) <= K - 1:  # a false number in a published table
                self.false.append(f"{label} shown as <5, holds {self._true(expr):g}")
                return
            self.ub.append(({n: -c for n, c in expr.items()}, -1.0))
            self.ub.append((dict(expr), float(K - 1)))
            self.used.append(label + " <5")
            return
        self.know(expr, float(published), label)

    def bounds(self, name: str) -> tuple[float, float]:
        idx = {n: i for i, n in enumerate(self.names)}

        def rows(pairs: list[tuple[dict[str, float], float]]) -> tuple[Any, Any]:
            if not pairs:
                return None, None
            a = np.zeros((len(pairs), len(self.names)))
            for r, (expr, _) in enumerate(pairs):
                for n, c in expr.items():
                    a[r, idx[n]] += c
            return a, np.array([v for _, v in pairs])

        a_eq, b_eq = rows(self.eq)
        a_ub, b_ub = rows(self.ub)
        c = np.zeros(len(self.names))
        c[idx[name]] = 1.0
        lo = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0, lo.message
        assert hi.status in (0, 3), hi.message
        return float(lo.fun), (np.inf if hi.status == 3 else float(-hi.fun))

    def recovered(self, secrets: list[str]) -> dict[str, float]:
        """The secrets pinned to one value by what is published."""
        out = {}
        for s in secrets:
            lo, hi = self.bounds(s)
            if hi - lo < 0.5:
                out[s] = lo
        return out


def _shares_reveal_small_groups(pub: Published, bases: Mapping[str, float]) -> list[str]:
    """Shares x n: a published share of a known base whose count or complement is below K."""
    leaks = []
    exp = pub.tables.get("experience")
    if exp is not None:
        for _, r in exp.iterrows():
            share, n = r["share_agree"], r["n"]
            if pd.notna(share) and pd.notna(n):
                c = round(float(share) * float(n))
                if min(c, float(n) - c) < K:
                    leaks.append(f"experience {r['role']} {r['item'][:30]}: {c} of {n}")
    for iid, r in pub.indicators.iterrows():
        if r["unit"] == "proportion" and pd.notna(r["estimate"]) and pd.notna(r["n"]) and \
                r["method"] and not str(r["method"]).startswith("register"):
            n = float(r["n"])
            c = round(float(r["estimate"]) * n)
            if min(c, n - c) < K and iid not in NOT_SHARES_OF_PEOPLE:
                leaks.append(f"card {iid}: {c} of {n:g}")
    funnel = pub.tables.get("funnel")
    if funnel is not None:
        prev = None
        for _, r in funnel.iterrows():
            if pd.notna(r.get("retained", np.nan)) and prev is not None and pd.notna(prev):
                c = round(float(r["retained"]) * float(prev))
                if 0 < float(prev) - c < K or 0 < c < K:
                    leaks.append(f"funnel {r['funnel_stage']}: {c} of {prev:g}")
            prev = r["n"]
    return leaks


def _categories_reveal(pub: Published, ev: Any) -> list[str]:
    """Duncan's index and the largest gap, recomputed for every split of the hidden categories."""
    rep = ev.representativeness
    tab = pub.tables.get("representativeness")
    if rep is None or tab is None or not tab["suppressed"].any():
        return []
    cats = rep.categories
    total = float(cats.groupby("dimension")["count"].sum().iloc[0])
    ind = pub.indicators
    published = {i: float(ind.loc[i, "estimate"]) for i in ("representativeness_dissimilarity",
                                                              "representativeness_max_gap")
                 if i in ind.index and pd.notna(ind.loc[i, "estimate"])}
    if not published:
        return []

    def stats(counts: pd.Series) -> dict[str, float]:
        share = counts / total
        diff = share - cats["target_share"].to_numpy()
        duncan = (0.5 * diff.abs()).groupby(cats["dimension"].to_numpy()).sum().mean()
        return {"representativeness_dissimilarity": float(duncan),
                "representativeness_max_gap": 100 * float(diff.abs().max())}

    truth = stats(cats["count"].astype(float).reset_index(drop=True))
    for i, v in published.items():  # the attacker's formula is the report's
        assert truth[i] == pytest.approx(v, abs=1e-9), i
    leaks = []
    for dim, g in tab.groupby("dimension", sort=False):
        hidden = g.index[g["suppressed"]].tolist()
        if not hidden:
            continue
        rest = total - float(pd.to_numeric(g.loc[~g["suppressed"], "n_members"]).sum())
        fits = []
        for split in itertools.product(range(int(rest) + 1), repeat=len(hidden)):
            if sum(split) != rest:
                continue
            counts = cats["count"].astype(float).reset_index(drop=True).copy()
            counts.iloc[hidden] = split
            if all(abs(stats(counts)[i] - v) < 1e-9 for i, v in published.items()):
                fits.append(split)
        if len(fits) == 1:
            leaks.append(f"{dim}: the hidden categories are {fits[0]}")
    return leaks


def _common(att: Attacker, pub: Published, roles: Mapping[str, str]) -> None:
    """The relations every report offers: members by role, facts, input rows, validation counts."""
    for role, var in roles.items():
        att.observe({var: 1}, pub.cell("members_by_role", "n", role=role), f"members_by_role {role}")
    for role, v in pub.fact_counts().items():
        if role in roles:
            att.observe({roles[role]: 1}, v, f"facts {role}")
    att.observe(dict.fromkeys(roles.values(), 1), pub.input_rows("members"), "members.csv rows")
    att.observe({"read": 1}, pub.input_rows("responses"), "responses.csv rows")
    att.observe({"read": 1}, pub.cell("validation_counts", "n", value="rows read"), "rows read")
    att.observe({"valid": 1}, pub.cell("validation_counts", "n", value="rows analysed"), "rows analysed")
    att.observe({"quarantined": 1}, pub.cell("validation_counts", "n", value="rows quarantined"),
                "rows quarantined")
    att.know({"read": 1, "valid": -1, "quarantined": -1}, 0, "read = valid + quarantined")


def _psychometrics(att: Attacker, pub: Published, waves: Mapping[str, Mapping[str, float]]) -> None:
    """A wave's psychometrics n is the sum of its roles or groups (when everyone has a score)."""
    psy = pub.tables.get("psychometrics")
    if psy is None:
        return
    for _, r in psy.iterrows():
        expr = waves.get(str(r["wave"]))
        if expr is None:
            continue
        v = r["n"]
        att.observe(expr, None if v is pd.NA or pd.isna(v) else float(v), f"psychometrics n {r['scale'][:20]} {r['wave']}")


def _assert_safe(att: Attacker, secrets: list[str], pub: Published, ev: Any) -> None:
    found = att.recovered(secrets)
    shares = _shares_reveal_small_groups(pub, {})
    categories = _categories_reveal(pub, ev)
    report = (f"recovered {found}; shares {shares}; categories {categories}; false markers {att.false}; "
              f"relations used: {att.used}")
    assert not found, report
    assert not shares, report
    assert not categories, report
    assert not att.false, report


# ------------------------------------------------------------------------------------ scenarios
@pytest.fixture(scope="module")
def ptc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, Any, dict[str, float]]:
    """A Political Task Committee of 11 citizens (3 women, 8 men; 4 attended every session) and 4
    politicians, with 2 response rows quarantined."""
    ex = load_example("gentofte_ptc", n_committees=1, n_citizens=11, n_politicians=4, n_applicants=11,
                      attrition=0.0, seed=SEED)
    members = _set_gender(ex.members, {"woman": 3, "man": 8})
    cit = members.index[members["role"] == "citizen"]
    attended = cit[:4]
    members.loc[cit, ["attended_all", "answered_post"]] = False
    members.loc[cit, "funnel_stage"] = "selected"
    members.loc[attended, ["attended_all", "answered_post"]] = True
    members.loc[attended, "funnel_stage"] = "answered_post"
    keep = set(members.loc[attended, "person_id"]) | set(members.loc[members["role"] == "politician", "person_id"])
    r = ex.responses
    r = r.loc[(r["wave"] == "pre") | r["respondent_id"].isin(keep)].reset_index(drop=True)
    responses = _quarantined_rows(r, 2)
    # the figures' inputs are published too: keep what the funnel figure is given
    import deliberval.report.build as build

    drawn: list[Any] = []

    def spy(result: Any, **kwargs: Any) -> Any:
        drawn.append(result)
        return real(result, **kwargs)

    real = build.plot_funnel
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build, "plot_funnel", spy)
        rep, html, ev = _report(tmp_path_factory.mktemp("ptc"), members=members, responses=responses,
                                targets=ex.targets, process=ex.process)
    rep.drawn_funnels = drawn
    truth = {"cit": 11, "pol": 4, "read": len(responses), "valid": len(responses) - 2, "quarantined": 2,
             "woman": 3, "man": 8, "other": 0, "attended": 4, "pre_cit": 11, "pre_pol": 4,
             "post_cit": 4, "post_pol": 4}
    return rep, html, ev, truth


def _ptc_attack(rep: Any, html: str, ev: Any, truth: dict[str, float]) -> tuple[Attacker, Published]:
    pub = Published(rep, html)
    att = Attacker(truth)
    _common(att, pub, {"citizens": "cit", "politicians": "pol"})
    for g in ("woman", "man", "other"):
        att.observe({g: 1}, pub.cell("representativeness", "n_members", dimension_id="demo_gender", category_id=g),
                    f"gender {g}")
    att.know({"woman": 1, "man": 1, "other": 1, "cit": -1}, 0, "the selected citizens' genders add up")
    att.observe({"cit": 1}, pub.cell("funnel", "n", funnel_stage="selected"), "funnel selected")
    att.observe({"attended": 1}, pub.cell("funnel", "n", funnel_stage="attended every session"),
                "funnel attended")
    ret = pub.indicators.loc["retention_rate"]
    if pd.notna(ret["estimate"]) and pd.notna(ret["n"]):
        att.know({"attended": 1}, round(float(ret["estimate"]) * float(ret["n"])), "retention card x n")
    att.know({"pre_cit": 1, "cit": -1}, 0, "every citizen answered before")
    att.know({"pre_pol": 1, "pol": -1}, 0, "every politician answered before")
    att.know({"post_cit": 1, "attended": -1}, 0, "those who attended answered after")
    _psychometrics(att, pub, {"before": {"pre_cit": 1, "pre_pol": 1}, "after": {"post_cit": 1, "post_pol": 1}})
    return att, pub


def test_ptc_of_11_citizens_and_4_politicians(ptc):
    rep, html, ev, truth = ptc
    att, pub = _ptc_attack(rep, html, ev, truth)
    _assert_safe(att, ["pol", "quarantined", "woman", "attended", "pre_pol", "post_pol", "post_cit"], pub, ev)
    # what was hidden for the small ones is blank in the text as well
    psy = pub.tables["psychometrics"]
    assert (psy.loc[psy["suppression"] == "primary", "flags"] == "").all()
    # a wave total withheld goes with the interval whose width would give it back
    withheld = psy.loc[psy["suppression"].str.startswith("secondary:")]
    assert not withheld.empty
    assert withheld[["n", "alpha_ci_low", "alpha_ci_high", "rmsea"]].isna().all(axis=None)
    assert withheld["alpha"].notna().any()
    assert "4 politicians" not in html
    assert "36%" not in html


def test_ptc_figure_inputs_publish_no_hidden_count(ptc):
    rep = ptc[0]
    (funnel,) = rep.drawn_funnels
    ticks = dict(zip(funnel.funnel_stages["funnel_stage"], funnel.funnel_stages["n"].astype(str), strict=True))
    # 4 of the 11 attended every session: the tick label says <5, as the table does
    assert ticks["attended_all"] == "<5"
    assert ticks["selected"] == "11"
    shares = funnel.categories.loc[funnel.categories["dimension"] == "demo_gender"]
    assert shares.loc[shares["category"].isin(["woman", "man"]), "share"].isna().all()


def test_ptc_published_cells_are_marked_for_what_they_are(ptc):
    rep, html, _, _ = ptc
    pub = Published(rep, html)
    by_role = pub.tables["members_by_role"].set_index("role")
    assert by_role.loc["politicians", "suppression"] == "primary"
    # the citizens are 11: if hidden at all, only as a secondary cell, never shown as "<5"
    gender = pub.tables["representativeness"]
    man = gender.loc[(gender["dimension_id"] == "demo_gender") & (gender["category_id"] == "man")].iloc[0]
    assert man["suppression"] == "secondary"
    assert "‡" in html


@pytest.fixture(scope="module")
def category_of_one(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, Any, dict[str, float]]:
    """80 selected citizens: 49 men, 30 women and 1 'other' (the issue's 49 beside 1)."""
    ex = load_example("gentofte_ptc", n_committees=1, n_citizens=80, n_politicians=6, n_applicants=80,
                      attrition=0.0, seed=SEED)
    members = _set_gender(ex.members, {"man": 49, "woman": 30, "other": 1})
    rep, html, ev = _report(tmp_path_factory.mktemp("one"), members=members, responses=ex.responses,
                            targets=ex.targets, process=ex.process)
    truth = {"cit": 80, "pol": 6, "read": len(ex.responses), "valid": len(ex.responses), "quarantined": 0,
             "woman": 30, "man": 49, "other": 1}
    return rep, html, ev, truth


def test_a_category_of_one(category_of_one):
    rep, html, ev, truth = category_of_one
    pub = Published(rep, html)
    att = Attacker(truth)
    _common(att, pub, {"citizens": "cit", "politicians": "pol"})
    for g in ("woman", "man", "other"):
        att.observe({g: 1}, pub.cell("representativeness", "n_members", dimension_id="demo_gender", category_id=g),
                    f"gender {g}")
    att.know({"woman": 1, "man": 1, "other": 1, "cit": -1}, 0, "the selected citizens' genders add up")
    att.observe({"cit": 1}, pub.cell("funnel", "n", funnel_stage="selected"), "funnel selected")
    _assert_safe(att, ["other", "woman"], pub, ev)
    gender = pub.tables["representativeness"].set_index("category_id").loc[["man", "woman", "other"]]
    assert gender.loc["other", "suppression"] == "primary"
    # the cell hidden to protect the 1 holds 30 people: marked secondary, never "<5"
    assert gender.loc["woman", "suppression"] == "secondary"
    row = re.search(r"<tr class=\"suppressed\"><td[^>]*>Gender</td><td[^>]*>Woman</td><td[^>]*>([^<]*)</td>",
                    html)
    assert row is not None
    assert row.group(1) == "‡"


@pytest.fixture(scope="module")
def role_wave_cell(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, Any, dict[str, float]]:
    """30 citizens and 8 politicians, of whom only 4 answered after: a role x wave cell of 4 whose
    row total (the wave's psychometrics n) is published."""
    ex = load_example("gentofte_ptc", n_committees=1, n_citizens=30, n_politicians=8, n_applicants=30,
                      attrition=0.0, seed=SEED)
    r = ex.responses
    pol_post = r.index[(r["role"] == "politician") & (r["wave"] == "post")]
    r = r.drop(index=pol_post[:4]).reset_index(drop=True)
    rep, html, ev = _report(tmp_path_factory.mktemp("cell"), members=ex.members, responses=r,
                            targets=ex.targets, process=ex.process)
    waves = r.groupby(["wave", "role"]).size()
    truth = {"cit": int((ex.members["role"] == "citizen").sum()), "pol": 8, "read": len(r), "valid": len(r),
             "quarantined": 0, "pre_cit": int(waves[("pre", "citizen")]), "pre_pol": int(waves[("pre", "politician")]),
             "post_cit": int(waves[("post", "citizen")]), "post_pol": int(waves[("post", "politician")])}
    assert truth["post_pol"] == 4
    return rep, html, ev, truth


def test_a_role_by_wave_cell_of_4_with_its_total_published(role_wave_cell):
    rep, html, ev, truth = role_wave_cell
    pub = Published(rep, html)
    att = Attacker(truth)
    _common(att, pub, {"citizens": "cit", "politicians": "pol"})
    _psychometrics(att, pub, {"before": {"pre_cit": 1, "pre_pol": 1}, "after": {"post_cit": 1, "post_pol": 1}})
    att.know({"pre_pol": 1, "pol": -1}, 0, "every politician answered before")
    # the citizens' published counts after: the experience table and the cards
    exp = pub.tables["experience"]
    for v in pd.to_numeric(exp.loc[exp["role"] == "citizens", "n"], errors="coerce").dropna().unique():
        att.know({"post_cit": 1}, float(v), "experience n citizens")
    for v in pub.indicators["n"].dropna().unique():
        att.know({"post_cit": 1}, float(v), "card n")
    chg = pub.tables["change"]
    for v in pd.to_numeric(chg.loc[chg["role"] == "citizens", "n"], errors="coerce").dropna().unique():
        att.know({"post_cit": 1}, float(v), "change n citizens")
    _assert_safe(att, ["post_pol"], pub, ev)


@pytest.fixture(scope="module")
def three_controls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, Any, dict[str, float]]:
    """A citizens' assembly of 40 with a control group of 3 respondents (pre and post)."""
    ex = load_example("climate_assembly", n_invited=2000, n_volunteers=200, n_members=40, n_population=100,
                      seed=SEED)
    r = ex.responses
    r = r.loc[r["group"] != "population"]
    both = r.loc[r["group"] == "control"].groupby("respondent_id")["wave"].nunique()
    ctrl = set(both.index[both == 2][:3])
    r = r.loc[(r["group"] == "participant") | r["respondent_id"].isin(ctrl)].reset_index(drop=True)
    rep, html, ev = _report(tmp_path_factory.mktemp("ctrl"), members=ex.members, responses=r,
                            targets=ex.targets, process=ex.process)
    waves = r.groupby(["wave", "group"]).size()
    truth = {"read": len(r), "valid": len(r), "quarantined": 0, "cit": 0.0, "pol": 0.0,
             "pre_part": int(waves[("pre", "participant")]), "pre_ctrl": int(waves[("pre", "control")]),
             "post_part": int(waves[("post", "participant")]), "post_ctrl": int(waves[("post", "control")])}
    assert truth["pre_ctrl"] == truth["post_ctrl"] == 3
    return rep, html, ev, truth


def test_three_control_respondents(three_controls):
    rep, html, ev, truth = three_controls
    pub = Published(rep, html)
    att = Attacker(truth)
    _common(att, pub, {})
    _psychometrics(att, pub, {"before": {"pre_part": 1, "pre_ctrl": 1}, "after": {"post_part": 1, "post_ctrl": 1}})
    did = pub.tables.get("did")
    if did is not None:
        for _, r in did.iterrows():
            for col, var in (("n_control", "pre_ctrl"), ("n_participant", "pre_part")):
                if col in did.columns and pd.notna(r[col]):
                    att.know({var: 1}, float(r[col]), f"did {col}")
    for iid, r in pub.indicators.iterrows():
        for _a, b in re.findall(r"\((\d+) and (\d+) respondents\)", str(r["method"])):
            att.know({"pre_ctrl": 1}, float(b), f"{iid} method text")
            att.know({"post_ctrl": 1}, float(b), f"{iid} method text")
    chg = pub.tables.get("change")
    if chg is not None:
        for v in pd.to_numeric(chg["n"], errors="coerce").dropna().unique():
            att.know({"post_part": 1}, float(v), "change n")
            att.know({"pre_part": 1}, float(v), "change n")
    _assert_safe(att, ["pre_ctrl", "post_ctrl"], pub, ev)
    assert "and 3 respondents" not in html
    assert not pub.indicators["method"].astype(str).str.contains("3 respondents").any()


# ------------------------------------------------------------------- every table went through
def test_every_table_of_a_report_went_through_the_checker(ptc):
    rep = ptc[0]
    for tab in rep.tables():
        assert tab.rule is not None, tab.key
        assert tab.checked, tab.key


# ---------------------------------------------------------------------------- the demo reports
@pytest.mark.parametrize("name", ["gentofte_ptc", "wallonia_committee"])
def test_the_demo_reports_publish_nothing_below_the_threshold(name, tmp_path: Path):
    from deliberval.demo import write_example_data

    # the demo's own path: the example written to files, read back by its configuration
    cfg = load_config(write_example_data(name, tmp_path / name))
    ev = evaluate_process(load_process(cfg), EvaluationSettings.from_config(cfg))
    rep = build_report(ev, ReportSettings.from_config(cfg))
    html = render_html(rep, timestamp="x")
    pub = Published(rep, html)
    assert pub.input_rows("members") is not None
    members = ev.members_by_role.set_index("role")["n"]
    truth = {"cit": float(members.get("citizen", 0)), "pol": float(members.get("politician", 0)),
             "read": float(ev.data.responses.n_rows), "valid": float(len(ev.data.responses.valid)),
             "quarantined": float(len(ev.data.responses.quarantined))}
    att = Attacker(truth)
    _common(att, pub, {"citizens": "cit", "politicians": "pol"})
    assert att.recovered([s for s in ("pol", "quarantined") if 0 < truth[s] < K]) == {}
    assert att.false == []
    for tab in rep.tables():
        if tab.rule is not None and not tab.rule.people:
            continue
        for col in ("n", "count", "n_members", "n_control", "n_participant"):
            if col in tab.data.columns:
                v = pd.to_numeric(tab.data[col], errors="coerce").dropna()
                assert not ((v > 0) & (v < K)).any(), (tab.key, col)
    assert _shares_reveal_small_groups(pub, {}) == []
    assert _categories_reveal(pub, ev) == []
