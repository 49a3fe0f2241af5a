"""validate(): split a responses table into valid and quarantined rows, losing nothing.

Every check is vectorised over whole columns (the per-item range and allowed-value checks run
through the pandera schema generated from the instrument's
:func:`~deliberval.instruments.rules.item_rules`), so a million rows by 60 items validate in
seconds. Each failing cell becomes one row of a tidy failures table; rows with at least one
*error* are quarantined unchanged, *warnings* (straight-lining, speeding, a post answer without a
pre answer, an item answered in a wave it is not asked in) keep the row valid.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa

from deliberval.canonical import GROUPS, ID_COLUMNS, ROLES, WAVES, as_code_strings
from deliberval.errors import DataInputError
from deliberval.instruments.library import load_instrument
from deliberval.instruments.model import Instrument
from deliberval.instruments.rules import ItemRule, isin_small, item_rules
from deliberval.io.mapping import _suggest_value
from deliberval.io.platforms import EXCLUSION_COLUMN
from deliberval.schemas.responses import responses_schema
from deliberval.validation.result import (
    Failures,
    ValidationResult,
    add_read_problems,
    missing_messages,
    row_lines,
    summarise,
)

__all__ = ["validate"]


def _suggest(kind: str, label: str, allowed: Sequence[str]) -> str | None:
    if kind in ("wave", "group", "role"):
        guess = _suggest_value(kind, label)
        if guess is not None:
            return guess
    close = difflib.get_close_matches(label.lower(), list(allowed), n=1, cutoff=0.5)
    return close[0] if close else None


def _label_check(col: str, raw: pd.Series, allowed: Sequence[str], acc: Failures) -> pd.Series:
    codes = as_code_strings(raw)
    bad = ~codes.isin(list(allowed))
    if bad.any():
        messages = {}
        for label in codes[bad].dropna().unique():
            hint = _suggest(col, str(label), allowed)
            tip = f"; did you mean {hint!r}?" if hint else ""
            messages[label] = f"unknown {col} label {label!r}; expected one of {', '.join(allowed)}{tip}"
        msg = np.full(len(codes), f"{col} is missing; expected one of {', '.join(allowed)}", dtype=object)
        named = np.flatnonzero((bad & codes.notna()).to_numpy())
        msg[named] = codes.iloc[named].map(messages).to_numpy(dtype=object)
        acc.add(bad.to_numpy(), col, raw, f"{col}_label", "error", msg, f"one of {', '.join(allowed)}")
    return codes


def _coerce_items(data: pd.DataFrame, rules: dict[str, ItemRule], acc: Failures,
                  counts: list[dict[str, object]], labels: dict[str, dict[str, list[str]]] | None = None,
                  ) -> tuple[dict[str, pd.Series], dict[str, np.ndarray]]:
    coerced: dict[str, pd.Series] = {}
    missing_masks: dict[str, np.ndarray] = {}
    for item_id, rule in rules.items():
        if item_id not in data.columns:
            continue
        raw = data[item_id]
        str_codes = [c for c in rule.missing if isinstance(c, str)]
        if rule.kind == "numeric":
            if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
                num = raw.astype(float)
                str_miss = np.zeros(len(raw), dtype=bool)
            else:
                text = as_code_strings(raw)
                str_miss = text.isin(str_codes).to_numpy() if str_codes else np.zeros(len(raw), dtype=bool)
                num = pd.to_numeric(text, errors="coerce").astype(float)
                bad_type = text.notna().to_numpy() & num.isna().to_numpy() & ~str_miss
                message: str | np.ndarray = f"not a number; expected {rule.expected()}"
                unknown = (labels or {}).get(item_id)
                if unknown and bad_type.any():  # a label text the reader could not decode
                    message = np.full(len(raw), message, dtype=object)
                    for value, close in unknown.items():
                        tip = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
                        message[(text == value).to_numpy()] = (
                            f"label {value!r} matches no answer label of the instrument{tip} Expected {rule.expected()}")
                acc.add(bad_type, item_id, raw, "type", "error", message, rule.expected())
            num_codes = np.asarray([float(c) for c in rule.missing if not isinstance(c, str)])
            values = num.to_numpy()
            miss = isin_small(values, num_codes) | str_miss if num_codes.size else str_miss
            coerced[item_id] = num
            for code, meaning in rule.missing.items():
                if isinstance(code, str):
                    n = int((as_code_strings(raw) == code).sum()) if str_codes else 0
                else:
                    n = int((values == float(code)).sum())
                if n:
                    counts.append({"check": "missing_code", "severity": "info", "column": item_id,
                                   "reason": f"{meaning} ({code})", "n": n})
        else:
            text = as_code_strings(raw)
            coerced[item_id] = text
            keys = [str(c) for c in rule.missing]
            miss = text.isin(keys).to_numpy() if keys else np.zeros(len(raw), dtype=bool)
            for code, meaning in rule.missing.items():
                n = int((text == str(code)).sum())
                if n:
                    counts.append({"check": "missing_code", "severity": "info", "column": item_id,
                                   "reason": f"{meaning} ({code})", "n": n})
        missing_masks[item_id] = miss
    return coerced, missing_masks


def _pandera_failures(schema: pa.DataFrameSchema, frame: dict[str, pd.Series], raw: pd.DataFrame,
                      acc: Failures, messages: dict[str, str], expected: dict[str, str] | None = None) -> None:
    # one single-column schema per item: no 2-D copy of a million-row frame
    for column, series in frame.items():
        sub = pa.DataFrameSchema({column: schema.columns[column]})
        _pandera_column(sub, pd.DataFrame({column: series}, copy=False), raw, acc, messages, expected or {})


def _pandera_column(schema: pa.DataFrameSchema, frame: pd.DataFrame, raw: pd.DataFrame,
                    acc: Failures, messages: dict[str, str], expected: dict[str, str]) -> None:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna()]
        for (column, check, number), part in fc.groupby(["column", "check", "check_number"], sort=False, dropna=False):
            mask = np.zeros(len(frame), dtype=bool)
            mask[part["index"].astype(np.int64).to_numpy()] = True
            checks = schema.columns[column].checks if column in schema.columns else []
            if pd.notna(number) and int(number) < len(checks):
                name = str(checks[int(number)].name)
            else:
                name = "type" if "dtype" in str(check) else str(check).split("(")[0]
            msg = messages.get(str(column), f"failed check {check}")
            acc.add(mask, str(column), raw[column] if column in raw.columns else None,
                    {"range": "out_of_range", "allowed_values": "not_allowed"}.get(name, name), "error", msg,
                    expected.get(str(column), ""))


def _platform_metadata(data: pd.DataFrame, attrs: dict, acc: Failures, counts: list[dict[str, object]],
                       notes: list[str]) -> None:
    """What the reader took from the platform: excluded responses, declared missing values, labels."""
    if EXCLUSION_COLUMN in data.columns:
        reason = as_code_strings(data[EXCLUSION_COLUMN])
        acc.add(reason.notna().to_numpy(), EXCLUSION_COLUMN, data[EXCLUSION_COLUMN], "excluded_response", "error",
                ("the platform marks this response as not to analyse: " + reason.fillna("")).to_numpy(dtype=object),
                "a finished, real response (not a preview, test or spam)")
        for why, n in reason.value_counts(sort=False).items():  # how many for each reason
            counts.append({"check": "excluded_response", "severity": "info", "column": EXCLUSION_COLUMN,
                           "reason": str(why), "n": int(n)})
    for r in attrs.get("declared_missing", ()):
        if r.get("action") == "set to NA":
            counts.append({"check": "declared_missing", "severity": "info", "column": r["column"],
                           "reason": f"{r['label'] or r['declared']} ({r['code']}): set to NA", "n": r["n"]})
    for r in attrs.get("label_decodings", ()):
        counts.append({"check": "label_decoded", "severity": "info", "column": r["column"],
                       "reason": f"{r['label']!r} -> {r['code']}", "n": r["n"]})
    for r in attrs.get("unknown_labels", ()):
        hint = f"; closest labels: {', '.join(map(repr, r['suggestions']))}" if r["suggestions"] else ""
        notes.append(f"{r['column']}: label {r['value']!r} ({r['n']} row(s)) matches no label of the instrument{hint}")


def _instrument(instrument: Instrument | str) -> Instrument:
    if isinstance(instrument, Instrument):
        return instrument
    if isinstance(instrument, str):
        return load_instrument(instrument)
    raise DataInputError(f"instrument must be an Instrument or an instrument id, got {type(instrument).__name__}")


def validate(
    df: pd.DataFrame,
    instrument: Instrument | str,
    *,
    recode_missing: bool = True,
    duration_column: str | None = "duration_seconds",
    speeding_fraction: float = 0.5,
    straightlining_min_items: int = 5,
    source: str | None = None,
) -> ValidationResult:
    """Check a canonical responses table against an instrument; quarantine failing rows.

    Parameters
    ----------
    df : pandas.DataFrame
        Canonical responses table (see :func:`deliberval.io.read_responses`).
    instrument : Instrument or str
        The instrument or questionnaire (or its id) the data answer.
    recode_missing : bool, default True
        Whether missing-value codes of the instrument become NA in ``valid`` (their counts per
        item and reason are in ``summary`` either way). Nothing else is ever recoded to NA.
    duration_column : str or None, default "duration_seconds"
        Column with the completion time in seconds, used for the speeding warning when present.
    speeding_fraction : float, default 0.5
        Warn for completion faster than this fraction of the median time (Leiner 2019 flags
        respondents at least twice as fast as the typical one).
    straightlining_min_items : int, default 5
        Warn when a row gives the same answer to at least this many Likert items (and to all
        Likert items it answered).
    source : str, optional
        File or table name written into the ``source`` column of ``failures``; default the
        ``file`` that :func:`deliberval.io.read_responses` recorded in ``df.attrs``, else
        ``"responses"``.

    Returns
    -------
    ValidationResult
        ``valid``, ``quarantined``, ``failures``, ``summary``; ``len(valid) + len(quarantined)``
        always equals ``len(df)``.

    Raises
    ------
    DataInputError
        When ``df`` is not a table or lacks ``respondent_id`` or ``wave`` (nothing can be checked).

    Notes
    -----
    Errors (row quarantined): missing respondent id or process id, unknown ``wave`` / ``group``
    / ``role`` labels (with a suggestion), language not a two-letter code, negative or
    non-numeric weight, non-numeric answer to a numeric item, answer outside the response
    scale, and duplicate respondent x wave (all copies). Warnings (row kept): a ``post`` or
    ``follow_up`` row without a ``pre`` row for the same respondent, an answer to an item in a
    wave it is not asked in, straight-lining and speeding.

    References
    ----------
    Leiner, D. J. (2019). Too fast, too straight, too weird: Non-reactive indicators for
    meaningless data in internet surveys. *Survey Research Methods*, 13(3), 229-248.

    Examples
    --------
    >>> import pandas as pd
    >>> from deliberval.instruments import load_instrument
    >>> df = pd.DataFrame({"respondent_id": ["a", "a", "b"], "wave": ["pre", "Post-delib", "pre"],
    ...                    "trust_parliament": [11, 7, 88]})
    >>> res = validate(df, load_instrument("institutional_trust"))
    >>> len(res.valid), len(res.quarantined)
    (1, 2)
    >>> print(res.failures[["row", "column", "value", "check"]].to_string(index=False))
     row           column      value        check
       0 trust_parliament         11 out_of_range
       1             wave Post-delib   wave_label
    >>> res.failures.loc[1, "message"]
    "unknown wave label 'Post-delib'; expected one of pre, post, follow_up; did you mean 'post'?"
    >>> res.valid["trust_parliament"].isna().tolist()
    [True]
    """
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"data must be a pandas DataFrame, got {type(df).__name__}")
    ins = _instrument(instrument)
    required = [c for c in ("respondent_id", "wave") if c not in df.columns]
    if required:
        shown = ", ".join(map(repr, list(df.columns)[:20]))
        named = source if source is not None else df.attrs.get("file")  # path, with [sheet] for Excel
        raise DataInputError(
            f"{named + ': ' if named else ''}data lack column(s) {', '.join(map(repr, required))}; "
            f"columns present: {shown}. "
            "Write a mapping file (deliberval map suggest FILE --instrument ID)"
        )
    if df.columns.duplicated().any():
        raise DataInputError(f"data have duplicate column names {sorted(set(df.columns[df.columns.duplicated()]))}")
    n = len(df)
    data = df.reset_index(drop=True)
    ids = as_code_strings(data["respondent_id"])
    src = source if source is not None else str(df.attrs.get("file") or "responses")
    acc = Failures(ids.fillna("").to_numpy(dtype=object), source=src, first_line=row_lines(df))
    add_read_problems(acc, df)
    counts: list[dict[str, object]] = []
    notes: list[str] = []
    _platform_metadata(data, df.attrs, acc, counts, notes)

    # an id written NA, null ...: say what was written and what happened to it, not "empty"
    written, msgs = missing_messages(df, "respondent_id", "respondent_id is empty; every row needs one")
    acc.add(ids.isna().to_numpy(), "respondent_id", data["respondent_id"] if written is None else written,
            "missing_id", "error", msgs, "a respondent id")
    if "process_id" in data.columns:
        pid = as_code_strings(data["process_id"])
        written, msgs = missing_messages(df, "process_id", "process_id is empty; every row needs one")
        acc.add(pid.isna().to_numpy(), "process_id", data["process_id"] if written is None else written,
                "missing_id", "error", msgs, "a process id")
    else:
        pid = pd.Series("", index=data.index, dtype="str")
    waves = _label_check("wave", data["wave"], WAVES, acc)
    for col, allowed in (("group", GROUPS), ("role", ROLES)):
        if col in data.columns:
            _label_check(col, data[col], allowed, acc)
    if "language" in data.columns:
        codes, uniques = pd.factorize(as_code_strings(data["language"]))
        base = "not an ISO 639-1 code; expected two lower-case letters such as 'en'"
        u_bad = np.array([re.fullmatch(r"[a-z]{2}", str(u)) is None for u in uniques] + [True], dtype=bool)
        u_msg = []
        for u in [*map(str, uniques), ""]:
            m = re.match(r"^([a-z]{2})(?:$|[-_])", u.lower())
            u_msg.append(f"{base}; did you mean {m.group(1)!r}?" if m else base)
        acc.add(u_bad[codes], "language", data["language"], "language_code", "error",
                np.asarray(u_msg, dtype=object)[codes], "an ISO 639-1 code (two lower-case letters)")
    if "weight" in data.columns:
        raw_w = data["weight"]
        if pd.api.types.is_numeric_dtype(raw_w.dtype) and not pd.api.types.is_bool_dtype(raw_w.dtype):
            # numbers already: skip the text round trip (3 s of formatting at 1M rows)
            w = pd.Series(raw_w.to_numpy(dtype=float, na_value=np.nan), index=raw_w.index)
            empty_w = w.isna()
            bad_w = (w < 0) | np.isinf(w)
        else:
            text_w = as_code_strings(raw_w)
            w = pd.to_numeric(text_w, errors="coerce").astype(float)
            empty_w = text_w.isna()
            bad_w = (text_w.notna() & w.isna()) | (w < 0) | np.isinf(w)
        acc.add(bad_w.to_numpy(), "weight", raw_w, "weight", "error", "expected a finite number >= 0",
                "a finite number >= 0")
        acc.add(empty_w.to_numpy(), "weight", raw_w, "weight", "warning", "weight is empty", "a finite number >= 0")

    rules = item_rules(ins)
    present = [i for i in rules if i in data.columns]
    absent = [i for i in rules if i not in data.columns]
    if absent:
        notes.append(f"{len(absent)} item(s) of {ins.id!r} have no column: {', '.join(absent[:10])}{' ...' if len(absent) > 10 else ''}")
    unknown = [c for c in data.columns
               if c not in ID_COLUMNS and c not in rules and c not in (duration_column, EXCLUSION_COLUMN)]
    if unknown:
        notes.append(f"column(s) not in instrument {ins.id!r} kept unchecked: {', '.join(map(str, unknown[:10]))}")
    unknown_labels: dict[str, dict[str, list[str]]] = {}
    for r in df.attrs.get("unknown_labels", ()):
        unknown_labels.setdefault(r["column"], {})[r["value"]] = list(r["suggestions"])
    coerced, missing_masks = _coerce_items(data, rules, acc, counts, unknown_labels)
    if present:
        schema = responses_schema(ins)
        _pandera_failures(schema, {k: coerced[k] for k in present}, data, acc,
                          {k: f"outside the response scale; expected {rules[k].expected()}" for k in present},
                          {k: rules[k].expected() for k in present})
    # items answered in waves where they are not asked
    known_wave = waves.isin(WAVES).to_numpy()
    off_wave: dict[tuple[str, ...], np.ndarray] = {}
    for item_id in present:
        rule = rules[item_id]
        if set(rule.waves) >= set(WAVES):
            continue
        if rule.waves not in off_wave:
            off_wave[rule.waves] = known_wave & ~waves.isin(list(rule.waves)).to_numpy()
        if not off_wave[rule.waves].any():
            continue
        answered = coerced[item_id].notna().to_numpy() & ~missing_masks[item_id]
        off = answered & off_wave[rule.waves]
        acc.add(off, item_id, data[item_id], "not_asked_in_wave", "warning",
                f"answer in a wave the item is not asked in; asked in {', '.join(rule.waves)}",
                f"no answer in waves other than {', '.join(rule.waves)}")
    # duplicate respondent x wave, post without pre: integer keys from factorize (fast)
    p_code = pd.factorize(pid.fillna(""))[0].astype(np.int64)
    r_code = pd.factorize(ids.fillna(""))[0].astype(np.int64)
    w_code = pd.factorize(waves.fillna(""))[0].astype(np.int64)
    pr = pd.factorize(p_code * (int(r_code.max(initial=0)) + 1) + r_code)[0].astype(np.int64)
    key = pr * (int(w_code.max(initial=0)) + 1) + w_code
    dup = pd.Series(key).duplicated(keep=False).to_numpy() & ids.notna().to_numpy()
    if dup.any():
        size = np.bincount(key[dup])[key[dup]]
        msg = np.full(n, "", dtype=object)
        msg[np.flatnonzero(dup)] = [
            f"respondent {r} has {k} rows for wave {w}; expected one"
            for r, k, w in zip(ids[dup].fillna(""), size, waves[dup].fillna(""), strict=True)
        ]
        acc.add(dup, "respondent_id", data["respondent_id"], "duplicate", "error", msg,
                "one row per respondent and wave")
    is_pre = waves.eq("pre").fillna(False).to_numpy(dtype=bool)
    later = waves.isin(["post", "follow_up"]).to_numpy()
    if later.any():
        has_pre = np.zeros(int(pr.max(initial=0)) + 1, dtype=bool)
        has_pre[pr[is_pre]] = True
        acc.add(later & ~has_pre[pr] & ids.notna().to_numpy(), "wave", data["wave"], "no_pre", "warning",
                "respondent has no pre row; change scores will exclude them", "a pre row for the respondent")
    # straight-lining over Likert items
    likert = [i for i in present if rules[i].integer]
    if len(likert) >= straightlining_min_items:
        # running min / max / count over columns: no n x k matrix
        lo = np.full(n, np.inf)
        hi = np.full(n, -np.inf)
        answered = np.zeros(n, dtype=np.int64)
        for i in likert:
            x = coerced[i].to_numpy(dtype=float, na_value=np.nan)
            ok = ~np.isnan(x) & ~missing_masks[i]
            answered += ok
            np.minimum(lo, np.where(ok, x, np.inf), out=lo)
            np.maximum(hi, np.where(ok, x, -np.inf), out=hi)
        same = lo == hi
        flag = same & (answered >= straightlining_min_items)
        acc.add(flag, "", None, "straightlining", "warning",
                f"same answer to all of at least {straightlining_min_items} Likert items",
                "answers that vary across Likert items")
    # speeding
    if duration_column and duration_column in data.columns:
        dur = pd.to_numeric(as_code_strings(data[duration_column]), errors="coerce").astype(float)
        med = float(np.nanmedian(dur)) if dur.notna().any() else np.nan
        if np.isfinite(med) and med > 0:
            fast = (dur < speeding_fraction * med).to_numpy()
            acc.add(fast, duration_column, data[duration_column], "speeding", "warning",
                    f"completed faster than {speeding_fraction:g} x the median time ({med:g} s)",
                    f"at least {speeding_fraction * med:g} s")

    failures = acc.frame()
    bad_rows = np.zeros(n, dtype=bool)
    err = failures["severity"].eq("error").to_numpy()
    bad_rows[failures["row"].to_numpy()[err]] = True
    quarantined = df.iloc[np.flatnonzero(bad_rows)]
    keep = np.flatnonzero(~bad_rows)
    # one new array per recoded or filtered float column (rows taken, missing codes set to NaN
    # in place); unchanged columns are shared with the input (copy-on-write); no consolidation
    whole = len(keep) == n
    index = df.index if whole else df.index[keep]
    columns: dict[str, object] = {}
    for col in data.columns:
        values = coerced[col] if col in coerced else data[col]
        mask = missing_masks[col] if col in coerced and recode_missing else None
        if mask is not None and not mask.any():
            mask = None
        if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
            if whole and mask is None:
                columns[col] = values.set_axis(index)
                continue
            arr = values.to_numpy(copy=True) if whole else values.to_numpy()[keep]
            if mask is not None:
                arr[mask if whole else mask[keep]] = np.nan
            columns[col] = arr
        else:
            if mask is not None:
                values = values.where(~mask)
            columns[col] = (values if whole else values.iloc[keep]).set_axis(index)
    valid = pd.DataFrame(columns, index=index, columns=data.columns, copy=False)
    assert len(valid) + len(quarantined) == n, "validation must account for every row"
    summary = summarise(failures, counts)
    return ValidationResult(valid, quarantined, failures, summary, n, notes)


