"""Disclosure control of published tables: primary, complement and secondary suppression.

Pure functions: DataFrames in, DataFrames out. The report (:mod:`deliberval.report.build`) gives
every table it publishes a :class:`TableRule` (which column is the count, which columns are
derived from the row's people, which rows add up to a margin published elsewhere) and passes
it through :func:`protect`; counts that appear in several places of a report (a facts line,
input-file row counts, validation counts, totals) are linked by :func:`protect_linked`, which
knows the published totals and hides what could be derived from them.

The rules follow statistical disclosure control practice (Hundepool et al. 2012, *Statistical
Disclosure Control*, Wiley, chapters 4 and 5; Eurostat and ONS guidance on threshold, dominance
and secondary suppression); ``docs/methods/disclosure.md`` describes them.

Rules
-----
* **primary** (threshold): a count of people ``0 < c < k`` is hidden with every value computed
  from those people; a count of 0 is published.
* **complement** (shares): a share of ``n`` people is hidden when its numerator or its
  complement ``n - count`` is below ``k``, zero included: 0 % and 100 % publish the answer of
  every member of the body, 91 % of 22 singles out the two who disagreed.
* **secondary** (complementary): when the rows of a group add up to a total published
  elsewhere, hidden cells are protected only if no hidden cell can be solved for exactly
  from the published cells, the total and the known bounds of hidden cells (a primary cell
  lies in ``[1, k - 1]``); otherwise the smallest further cell is hidden too, marked
  ``secondary`` (never shown as ``<k``: it may hold 49 people).
* **across categories**: a statistic computed over the categories of a table (Duncan's index,
  the largest gap, a chi-square) is withheld when one of its categories is hidden.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from deliberval.errors import DataInputError

__all__ = [
    "COMPLEMENT",
    "PRIMARY",
    "SECONDARY",
    "TableRule",
    "hidden_columns",
    "protect",
    "protect_indicator_table",
    "protect_linked",
    "solve_hidden",
]

PRIMARY = "primary"
"""Marker of a row hidden because it rests on fewer than ``k`` people (or its complement does)."""

COMPLEMENT = "complement"
"""Marker of a row hidden because a share's complement (or a drop between funnel stages) rests on
fewer than ``k`` people: its count may be large, so it is never shown as ``<k``."""

SECONDARY = "secondary"
"""Marker of a row (or of cells, ``secondary:col,col``) hidden only to protect another one."""


@dataclass(frozen=True)
class TableRule:
    """The disclosure rule of one published table: which columns count people, and what follows.

    Attributes
    ----------
    counts : tuple of str
        Columns counting people (``n``, ``count``, ``n_control`` ...). A row with one of them in
        ``(0, k)`` is hidden (primary).
    shares : mapping of str to str
        ``{share column: base column}``: a share of the base's people. With the complement rule
        the row is hidden when ``round(share * base)`` or its complement is below ``k`` (zero
        included). The base ``"_previous"`` is the count of the row before (a funnel).
    values : tuple of str
        Statistics of the row's people (means, intervals, p-values): hidden with the row.
    text : tuple of str
        Text describing the row's statistics (flags, method): blanked with the row.
    groups : tuple of str or None
        Rows with equal values in these columns add up to a total published elsewhere (``()``:
        the whole table is one group); None: the rows are not parts of a published total.
    across : tuple of str
        Statistics computed over the categories of the row's group (Duncan's index): withheld
        when a row of the group is hidden.
    nested : bool
        Each row's count is a subset of the row before (a funnel): a drop of ``0 < d < k``
        people between two rows is hidden like a small count.
    withhold : mapping of str to tuple of str
        ``{flag column: columns}``: on rows where the boolean flag column is True those columns
        are withheld (a statistic over categories of which one is below ``k``); the flag column
        is dropped from the result.
    people : bool
        False for tables counting documents or recommendations, not people (no suppression).
    """

    counts: tuple[str, ...] = ()
    shares: Mapping[str, str] = field(default_factory=dict)
    values: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    groups: tuple[str, ...] | None = None
    across: tuple[str, ...] = ()
    nested: bool = False
    withhold: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    people: bool = True

    def hidden(self, columns: Sequence[str]) -> list[str]:
        """The columns of ``columns`` blanked on a hidden row (counts, shares, values, text, across)."""
        mine = {*self.counts, *self.shares, *self.values, *self.text, *self.across,
                *(c for cols in self.withhold.values() for c in cols)}
        return [c for c in columns if c in mine]


def _numbers(s: pd.Series) -> pd.Series:
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna() & s.notna()
    if bad.any():
        raise DataInputError(f"column {s.name!r} holds non-numeric counts {sorted(map(str, set(s[bad])))[:5]}")
    return out.astype("float64")


def solve_hidden(values: Sequence[float], hidden: Sequence[bool], bounds: Sequence[tuple[float, float]],
                 total: float) -> list[tuple[float, float]]:
    """What an attacker learns about each hidden part of a published total.

    Parameters
    ----------
    values : sequence of float
        The parts (true values).
    hidden : sequence of bool
        Which parts are not published.
    bounds : sequence of (float, float)
        What is known about each hidden part before the total (a primary cell: ``(1, k - 1)``).
    total : float
        The published total of the parts.

    Returns
    -------
    list of (float, float)
        For each hidden part (in order) the interval it must lie in; an interval of width 0
        means the part is recovered exactly.

    Examples
    --------
    >>> solve_hidden([11, 4], [False, True], [(0, 15), (1, 4)], 15)
    [(4.0, 4.0)]
    >>> solve_hidden([10, 5, 1], [False, True, True], [(0, 16), (5, 16), (1, 4)], 16)
    [(5.0, 5.0), (1.0, 1.0)]
    """
    rest = total - sum(v for v, h in zip(values, hidden, strict=True) if not h)
    hb = [b for b, h in zip(bounds, hidden, strict=True) if h]
    out = []
    for i, (lo, hi) in enumerate(hb):
        others_lo = sum(b[0] for j, b in enumerate(hb) if j != i)
        others_hi = sum(b[1] for j, b in enumerate(hb) if j != i)
        out.append((float(max(lo, rest - others_hi)), float(min(hi, rest - others_lo))))
    return out


def _exposed(values: np.ndarray, marks: list[str], k: int, total: float) -> bool:
    """True when a hidden cell of a group can be solved for exactly from the group's total."""
    hidden = [m != "" for m in marks]
    if not any(hidden):
        return False
    bounds = [(1.0, float(k - 1)) if m == PRIMARY else (float(k), float(total)) for m in marks]
    # a cell hidden by the complement rule may hold more than k - 1 people
    bounds = [(1.0, float(total)) if m == COMPLEMENT else b for m, b in zip(marks, bounds, strict=True)]
    return any(hi - lo < 1 for lo, hi in solve_hidden(list(values), hidden, bounds, total))


def _secondary(values: np.ndarray, marks: list[str], k: int, total: float) -> list[str]:
    """Hide the smallest further cells until no hidden cell of the group is exposed."""
    marks = list(marks)
    while _exposed(values, marks, k, total):
        free = [i for i, m in enumerate(marks) if m == "" and values[i] > 0]
        if not free:
            break
        marks[min(free, key=lambda i: (values[i], i))] = SECONDARY
    return marks


def protect(df: pd.DataFrame, rule: TableRule, k: int, *, complement: bool = True,
            secondary: bool = True) -> pd.DataFrame:
    """Apply a table's disclosure rule: hide, mark and blank what could identify people.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as computed (true values).
    rule : TableRule
        Which columns count people, which are shares, values, text, groups.
    k : int
        The threshold (``min_cell_size``): smallest number of people a published cell may rest on.
    complement : bool, default True
        Apply the complement rule to shares (numerator or ``n - count`` below ``k``, zero
        included).
    secondary : bool, default True
        Apply secondary suppression within groups (and the nested rule).

    Returns
    -------
    pandas.DataFrame
        A copy: hidden cells are NA, text of hidden rows is ``""``, and two columns are added:
        ``suppressed`` (bool, the row is hidden) and ``suppression``
        (``""``, ``"primary"`` (a count below ``k``), ``"complement"`` (a share's complement or a
        funnel drop below ``k``), ``"secondary"`` or ``"secondary:<col>,<col>"`` when only those
        cells were withheld).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"gender": ["man", "woman", "other"], "n": [49, 30, 1]})
    >>> out = protect(t, TableRule(counts=("n",), groups=()), 5)
    >>> out["n"].tolist(), out["suppression"].tolist()
    ([49, <NA>, <NA>], ['', 'secondary', 'primary'])
    """
    k = int(k)
    if k < 1:
        raise DataInputError(f"the disclosure threshold must be at least 1, got {k}")
    out = df.copy().reset_index(drop=True)
    n = len(out)
    marks = [""] * n
    cells: list[list[str]] = [[] for _ in range(n)]
    if rule.people and n:
        counts = {c: _numbers(out[c]).to_numpy() for c in rule.counts if c in out.columns}
        for i in range(n):
            if any(0 < v[i] < k for v in counts.values()):
                marks[i] = PRIMARY
        first = next(iter(counts.values()), None)
        if rule.nested and secondary and first is not None:
            for i in range(1, n):
                d = first[i - 1] - first[i]
                if 0 < d < k and marks[i] == "" and marks[i - 1] == "":
                    marks[i] = COMPLEMENT
        for col, base in rule.shares.items():
            if col not in out.columns:
                continue
            share = _numbers(out[col]).to_numpy()
            if base == "_previous":
                # a ratio to the row before gives that row's count back: withheld after a hidden row
                for i in range(1, n):
                    if marks[i - 1] and not marks[i]:
                        cells[i] = [*cells[i], col]
                continue
            b = _numbers(out[base]).to_numpy()
            for i in range(n):
                if marks[i] or not np.isfinite(share[i]) or not np.isfinite(b[i]) or b[i] <= 0:
                    continue
                c = round(share[i] * b[i])
                small = (c < k or b[i] - c < k) if complement else (0 < c < k)
                if small:
                    marks[i] = PRIMARY if 0 < c < k else COMPLEMENT
        if secondary and rule.groups is not None and first is not None:
            keys = [tuple(out[g].astype("string").fillna("").to_numpy()[i] for g in rule.groups) for i in range(n)]
            for key in dict.fromkeys(keys):
                idx = [i for i in range(n) if keys[i] == key]
                vals = np.nan_to_num(first[idx])
                new = _secondary(vals, [marks[i] for i in idx], k, float(vals.sum()))
                for i, m in zip(idx, new, strict=True):
                    marks[i] = m
        if rule.across:
            keys = [tuple(out[g].astype("string").fillna("").to_numpy()[i] for g in (rule.groups or ()))
                    for i in range(n)]
            bad = {keys[i] for i in range(n) if marks[i]}
            for i in range(n):
                if marks[i] == "" and keys[i] in bad:
                    cells[i] = [*cells[i], *(c for c in rule.across if c in out.columns)]
    for flag, cols in rule.withhold.items():
        if flag in out.columns:
            on = out[flag].fillna(False).astype(bool).to_numpy()
            for i in range(n):
                if on[i] and marks[i] == "":
                    cells[i] = list(dict.fromkeys([*cells[i], *(c for c in cols if c in out.columns)]))
            out = out.drop(columns=[flag])
    blank = rule.hidden(list(out.columns))
    for col in out.columns:
        rows = np.array([(marks[i] != "" and col in blank) or col in cells[i] for i in range(n)], dtype=bool)
        if not rows.any():
            continue
        s = out[col]
        if col in rule.text or not (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)):
            out[col] = s.astype("object").where(~rows, "") if col in rule.text else s.astype("object").where(~rows, None)
        elif col in rule.counts:
            out[col] = _numbers(s).round().astype("Int64").mask(rows)
        elif s.dtype.kind == "f":
            out[col] = s.mask(rows, np.nan)
        else:
            out[col] = s.astype("Float64").mask(rows)
    for col in rule.counts:
        if col in out.columns and out[col].dtype.kind == "f":
            v = out[col]
            if bool(((v.dropna() % 1) == 0).all()):
                out[col] = v.round().astype("Int64")
    out["suppressed"] = [bool(m) for m in marks]
    out["suppression"] = [m if m else (f"{SECONDARY}:" + ",".join(c) if c else "")
                          for m, c in zip(marks, cells, strict=True)]
    return out


def hidden_columns(mark: str, columns: Sequence[str], rule: TableRule) -> list[str]:
    """The columns a row's ``suppression`` mark hides.

    Examples
    --------
    >>> hidden_columns("secondary:n", ["role", "n", "alpha"], TableRule(counts=("n",), values=("alpha",)))
    ['n']
    >>> hidden_columns("primary", ["role", "n", "alpha"], TableRule(counts=("n",), values=("alpha",)))
    ['n', 'alpha']
    """
    if not mark:
        return []
    if ":" in mark:
        return [c for c in mark.split(":", 1)[1].split(",") if c in columns]
    return rule.hidden(columns)


def protect_linked(values: Mapping[str, float], hidden: Mapping[str, str], relations: Sequence[tuple[str, Sequence[str]]],
                   k: int, *, cost: Mapping[str, int] | None = None) -> dict[str, str]:
    """Secondary suppression over counts published in several places and linked by sums.

    Parameters
    ----------
    values : mapping of str to float
        Every published count by name (true values), e.g. ``{"members_total": 15,
        "role:citizen": 11, "role:politician": 4, "fact:politician": 4}``.
    hidden : mapping of str to str
        Counts already hidden, with their mark (``primary``, ``complement`` or ``secondary``).
    relations : sequence of (str, sequence of str)
        ``(total, parts)``: the named total equals the sum of the named parts (an equality
        ``a == b`` is ``(a, [b])``).
    k : int
        The threshold.
    cost : mapping of str to int, optional
        Cost of hiding a count (lower is hidden first; default 1). Give totals of provenance
        (input-file rows) a cost of 0 so that they go before table cells.

    Returns
    -------
    dict of str to str
        Every hidden count and its mark (the given ones and the secondary ones added), such that
        no hidden count can be solved for exactly from one relation and the counts published.

    Examples
    --------
    >>> values = {"file_rows": 15, "citizen": 11, "politician": 4}
    >>> protect_linked(values, {"politician": "primary"}, [("file_rows", ["citizen", "politician"])], 5,
    ...                cost={"file_rows": 0})
    {'politician': 'primary', 'file_rows': 'secondary'}
    """
    k = int(k)
    marks = dict(hidden)
    cost = cost or {}

    def bound(name: str) -> tuple[float, float]:
        v = float(values[name])
        m = marks.get(name, "")
        if m == PRIMARY and v < k:
            return (1.0, float(k - 1))
        return (0.0, math.inf)

    for _ in range(len(values) + 1):
        changed = False
        for total, parts in relations:
            names = [total, *parts]
            if any(nm not in values for nm in names):
                continue
            hid = [nm for nm in names if nm in marks]
            if not hid:
                continue
            exposed = False
            if total not in marks:
                tv = float(values[total])
                ivals = solve_hidden([float(values[p]) for p in parts], [p in marks for p in parts],
                                     [bound(p) for p in parts], tv)
                exposed = any(hi - lo < 1 and math.isfinite(hi) for lo, hi in ivals)
            elif all(p not in marks for p in parts):
                exposed = True  # a hidden total equal to the sum of published parts
            if exposed:
                free = [nm for nm in names if nm not in marks and float(values[nm]) > 0]
                if not free:
                    continue
                pick = min(free, key=lambda nm: (cost.get(nm, 1), float(values[nm]), nm))
                marks[pick] = SECONDARY
                changed = True
        if not changed:
            break
    return marks


def protect_indicator_table(table: pd.DataFrame, k: int, *, people: Mapping[str, bool],
                            shares: Sequence[str] | set[str] = (), categorical: Sequence[str] | set[str] = (),
                            complement: bool = True, categorical_reason: str | None = None) -> pd.DataFrame:
    """The published copy of an indicator table: threshold, complement and category rules.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator rows (``indicator_id, estimate, ci_low, ci_high, n, unit, meets_threshold,
        status, status_reason, method``; ``verdict`` too when present: emptied with the verdict).
    k : int
        The threshold.
    people : mapping of str to bool
        Whether an indicator rests on people (False: documents, recommendations).
    shares : collection of str
        Indicators whose estimate is a share of their ``n`` people (the complement rule applies).
    categorical : collection of str
        Indicators computed over categories of which one is below ``k`` (withheld).
    complement : bool, default True
        Hide a share of ``n`` people when ``round(estimate * n)`` or its complement is
        below ``k`` (zero included).
    categorical_reason : str, optional
        The reason given for the ``categorical`` indicators withheld (default: computed over a
        category of fewer than ``k`` people).

    Returns
    -------
    pandas.DataFrame
        A copy; hidden rows have ``status == "suppressed"``, a reason saying which rule hid them,
        no estimate, interval, n or threshold verdict, and an empty ``method`` (it may name
        group sizes); ``suppression`` is ``"primary"``, ``"secondary"`` or ``""``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"indicator_id": ["respect"], "estimate": [1.0], "ci_low": [0.6], "ci_high": [1.0],
    ...                   "n": [6], "unit": ["proportion"], "meets_threshold": [True], "status": ["measured"],
    ...                   "status_reason": [""], "method": ["responses: dx_respect (post)"]})
    >>> out = protect_indicator_table(t, 5, people={"respect": True}, shares={"respect"})
    >>> out.loc[0, ["status", "suppression"]].tolist(), out.loc[0, "status_reason"]
    (['suppressed', 'complement'], 'a share whose numerator or complement is below 5 people (disclosure control)')
    """
    k = int(k)
    out = table.copy().reset_index(drop=True)
    out["n"] = out["n"].astype("Int64")
    out["meets_threshold"] = out["meets_threshold"].astype("boolean")
    out["method"] = out["method"].astype("object")
    marks = [""] * len(out)
    for i in range(len(out)):
        iid = out.at[i, "indicator_id"]
        if not people.get(iid, True):
            continue
        status = out.at[i, "status"]
        if status == "suppressed":
            marks[i] = PRIMARY
            out.at[i, "method"] = ""
            continue
        if status != "measured":
            continue
        n = out.at[i, "n"]
        est = float(out.at[i, "estimate"])
        reason = ""
        if n is not pd.NA and 0 < int(n) < k:
            reason, marks[i] = f"based on fewer than {k} respondents (disclosure control)", PRIMARY
        elif (complement and iid in shares and n is not pd.NA and np.isfinite(est)
              and (round(est * int(n)) < k or int(n) - round(est * int(n)) < k)):
            reason, marks[i] = f"a share whose numerator or complement is below {k} people (disclosure control)", COMPLEMENT
        elif iid in categorical:
            reason = categorical_reason or f"computed over a category of fewer than {k} people (disclosure control)"
            marks[i] = SECONDARY
        if reason:
            out.loc[i, ["estimate", "ci_low", "ci_high"]] = np.nan
            out.at[i, "n"] = pd.NA
            out.at[i, "meets_threshold"] = pd.NA
            if "verdict" in out.columns:
                out.at[i, "verdict"] = np.nan
            out.at[i, "status"] = "suppressed"
            out.at[i, "status_reason"] = reason
            out.at[i, "method"] = ""
    out["suppression"] = marks
    return out
