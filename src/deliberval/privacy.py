"""Privacy: keyed pseudonyms, dropping direct identifiers, free-text flags, small-cell suppression.

Pseudonyms are HMAC-SHA256 of the identifier under a secret key (RFC 2104). Unlike a plain hash,
nobody without the key can recompute the pseudonym of a known person by hashing a list of
candidate ids. The key comes from the environment variable :data:`KEY_ENV_VAR` or from a key
file; it is never stored in the returned table.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument

__all__ = [
    "DIRECT_IDENTIFIERS",
    "KEY_ENV_VAR",
    "free_text_columns",
    "load_key",
    "pseudonymise",
    "suppress_small_cells",
]

KEY_ENV_VAR = "DELIBERVAL_PSEUDONYM_KEY"
"""Environment variable holding the pseudonymisation key."""

DIRECT_IDENTIFIERS: tuple[str, ...] = (
    "name", "first_name", "firstname", "last_name", "lastname", "surname", "full_name",
    "email", "e_mail", "mail", "phone", "telephone", "mobile", "address", "street", "postcode",
    "zip", "ip", "ipaddr", "ip_address", "ipaddress", "national_id", "cpr", "recipient_email",
    "recipientemail", "recipientfirstname", "recipientlastname", "locationlatitude", "locationlongitude",
)
"""Column names (compared case-insensitively, ignoring punctuation) dropped by default."""

_MIN_KEY_BYTES = 16


def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9_]", "", str(name).lower().replace("-", "_").replace(" ", "_"))


def load_key(key: bytes | str | None = None, key_file: str | os.PathLike[str] | None = None) -> bytes:
    """Return the pseudonymisation key: the argument, else the key file, else the environment.

    Parameters
    ----------
    key : bytes or str, optional
        The key itself (a str is encoded as UTF-8).
    key_file : path-like, optional
        A file holding the key (surrounding whitespace is stripped); read when ``key`` is None.

    Returns
    -------
    bytes
        The key, at least 16 bytes; from ``key``, else ``key_file``, else the
        ``DELIBERVAL_PSEUDONYM_KEY`` environment variable.

    Raises
    ------
    DataInputError
        When no key is found or it is shorter than 16 bytes.

    Examples
    --------
    >>> len(load_key("a-long-enough-secret-key"))
    24
    """
    if key is None and key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise DataInputError(f"{key_file}: cannot read the pseudonymisation key file ({exc.strerror})") from None
    if key is None:
        key = os.environ.get(KEY_ENV_VAR)
    if key is None or key == "" or key == b"":
        raise DataInputError(
            f"no pseudonymisation key: set {KEY_ENV_VAR} or pass key_file= (keep the key apart from the data)"
        )
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < _MIN_KEY_BYTES:
        raise DataInputError(f"the pseudonymisation key has {len(raw)} bytes; expected at least {_MIN_KEY_BYTES}")
    return raw


def free_text_columns(df: pd.DataFrame, instrument: Instrument | None = None, *,
                      min_mean_length: float = 25.0) -> list[str]:
    """Columns that hold free text and must never be published.

    A column is free text when the instrument marks its item ``free_text`` (or its scale is of
    type ``text``), or, for columns the instrument does not describe, when it holds strings
    averaging at least ``min_mean_length`` characters with mostly distinct values.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table (typically the canonical responses table).
    instrument : Instrument, optional
        Instrument whose ``free_text`` items (or items on ``text`` scales) are flagged.
    min_mean_length : float, default 25.0
        Mean string length from which an undescribed text column counts as free text.

    Returns
    -------
    list of str
        The free-text columns, in table order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"wave": ["pre", "post"], "note": ["I felt listened to by the mayor", "The experts were biased, said Ann"]})
    >>> free_text_columns(df)
    ['note']
    """
    flagged: list[str] = []
    items = {it.id: it for it in instrument.items} if instrument is not None else {}
    for col in df.columns:
        it = items.get(col)
        if it is not None and instrument is not None:
            if it.free_text or instrument.response_scale(it.scale).type == "text":
                flagged.append(col)
            continue
        s = df[col]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            continue
        text = s.dropna().astype("str")
        if len(text) == 0:
            continue
        if text.str.len().mean() >= min_mean_length and text.nunique() >= 0.5 * len(text):
            flagged.append(col)
    return flagged


def pseudonymise(
    df: pd.DataFrame,
    id_columns: Sequence[str] = ("respondent_id",),
    *,
    key: bytes | str | None = None,
    key_file: str | os.PathLike[str] | None = None,
    drop: Iterable[str] | None = None,
    instrument: Instrument | None = None,
    length: int = 16,
) -> pd.DataFrame:
    """Replace identifiers by keyed pseudonyms and drop direct identifiers.

    Parameters
    ----------
    df : pandas.DataFrame
    id_columns : sequence of str, default ("respondent_id",)
        Columns whose values are replaced by ``HMAC-SHA256(key, value)`` (hex, first
        ``length`` characters). The same id gives the same pseudonym in every wave and file
        pseudonymised with the same key, so tables still join.
    key, key_file : optional
        The secret key, or a file holding it; default: the ``DELIBERVAL_PSEUDONYM_KEY``
        environment variable.
    drop : iterable of str, optional
        Columns to remove; default every column whose normalised name is in
        :data:`DIRECT_IDENTIFIERS` (name, e-mail, phone, address ...).
    instrument : Instrument, optional
        Used to flag free-text items.
    length : int, default 16
        Hex characters kept (16 = 64 bits; collisions are negligible below millions of ids).

    Returns
    -------
    pandas.DataFrame
        A new table. ``attrs["free_text_columns"]`` lists columns never to publish and
        ``attrs["dropped_columns"]`` the columns removed. The key is not stored.

    Raises
    ------
    DataInputError
        No key, short key, or an id column that is absent.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"respondent_id": ["001", "002", "001"], "email": ["a@x.dk", "b@x.dk", "a@x.dk"],
    ...                    "wave": ["pre", "pre", "post"]})
    >>> out = pseudonymise(df, key="correct horse battery staple")
    >>> out.columns.tolist(), out.attrs["dropped_columns"]
    (['respondent_id', 'wave'], ['email'])
    >>> out["respondent_id"].tolist()
    ['c0480dbbca4034e6', '6d2009f692579d99', 'c0480dbbca4034e6']
    """
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"data must be a pandas DataFrame, got {type(df).__name__}")
    if not 8 <= int(length) <= 64:
        raise DataInputError(f"length must be between 8 and 64 hex characters, got {length}")
    secret = load_key(key, key_file)
    absent = [c for c in id_columns if c not in df.columns]
    if absent:
        raise DataInputError(f"id column(s) {absent} not in the data; columns present: {list(df.columns)[:20]}")
    if drop is None:
        wanted = {_norm(c) for c in DIRECT_IDENTIFIERS}
        to_drop = [c for c in df.columns if _norm(c) in wanted and c not in id_columns]
    else:
        to_drop = [c for c in drop if c in df.columns]
    out = df.drop(columns=to_drop)
    for col in id_columns:
        s = out[col]
        codes = s.astype("str").where(s.notna())
        uniq = codes.dropna().unique()
        table = {v: hmac.new(secret, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:length] for v in uniq}
        out[col] = codes.map(table).astype("str").where(codes.notna())
    out.attrs = {k: v for k, v in df.attrs.items() if k not in ("key", "secret")}
    out.attrs["dropped_columns"] = list(to_drop)
    out.attrs["free_text_columns"] = free_text_columns(out.drop(columns=list(id_columns)), instrument)
    return out


def suppress_small_cells(table: pd.DataFrame, n_column: str, threshold: int = 5) -> pd.DataFrame:
    """Blank every number in rows whose count is below ``threshold`` (statistical disclosure control).

    Rows with ``0 < n < threshold`` could reveal individuals; their ``n`` and every other numeric
    column become NA and a boolean ``suppressed`` column is added. Rows with ``n == 0`` disclose
    nobody and are kept. Rows whose count is missing (NA) are kept as they are, with their count
    left NA and ``suppressed`` False; a count that is present but not a number is an error.

    Parameters
    ----------
    table : pandas.DataFrame
        A report table with one count column.
    n_column : str
        The count column.
    threshold : int, default 5
        Smallest count that may be published.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["a", "b", "c"], "n": [12, 3, 0], "mean": [4.2, 3.9, float("nan")]})
    >>> suppress_small_cells(t, "n")
      group     n  mean  suppressed
    0     a    12   4.2       False
    1     b  <NA>   NaN        True
    2     c     0   NaN       False
    """
    if n_column not in table.columns:
        raise DataInputError(f"table has no count column {n_column!r}; columns: {list(table.columns)}")
    if int(threshold) < 1:
        raise DataInputError(f"threshold must be at least 1, got {threshold}")
    raw = table[n_column]
    n = pd.to_numeric(raw, errors="coerce")
    bad = n.isna() & raw.notna()
    if bad.any():
        raise DataInputError(
            f"count column {n_column!r} holds non-numeric values {sorted(map(str, set(raw[bad])))[:5]}; "
            "expected whole numbers or missing values")
    small = ((n > 0) & (n < threshold)).fillna(False).to_numpy(dtype=bool)
    out = table.copy()
    out[n_column] = n.astype("Int64").mask(small)
    for col in out.columns:
        if col != n_column and pd.api.types.is_numeric_dtype(out[col].dtype) and not pd.api.types.is_bool_dtype(out[col].dtype):
            out[col] = out[col].mask(small, np.nan) if out[col].dtype.kind == "f" else out[col].astype("Float64").mask(small)
    out["suppressed"] = small
    return out
