"""Byte-identical output files: fixed XLSX workbook dates and zip entry times, fixed PDF font dates.

openpyxl stamps the workbook's ``created`` / ``modified`` properties and every zip entry with
the current time, so two writes of the same tables differ. :func:`freeze_xlsx` rewrites a saved
workbook with one fixed time: ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC; the
reproducible-builds convention) when it is set, else 2000-01-01 00:00:00 UTC. Entry order,
content and compression are kept. :func:`fixed_source_date_epoch` sets ``SOURCE_DATE_EPOCH``
to that time while a PDF is written when it is not set already: WeasyPrint's font subsetter
(fontTools) otherwise stamps each embedded font with the current second.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["fixed_source_date_epoch", "fixed_timestamp", "freeze_xlsx"]

_DEFAULT = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)
_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def fixed_timestamp() -> _dt.datetime:
    """The time stamped into written XLSX files (UTC).

    Returns
    -------
    datetime.datetime
        ``SOURCE_DATE_EPOCH`` when set to an integer (clamped to 1980, the earliest zip time),
        else 2000-01-01 00:00:00 UTC.

    Examples
    --------
    >>> fixed_timestamp().tzinfo
    datetime.timezone.utc
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        when = _dt.datetime.fromtimestamp(int(raw), tz=_dt.UTC)
        return max(when, _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC))
    return _DEFAULT


def freeze_xlsx(path: str | os.PathLike[str]) -> Path:
    """Rewrite a saved XLSX so that it carries no time of writing.

    Parameters
    ----------
    path : path-like
        An XLSX file (rewritten in place).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> pd.DataFrame({"a": [1]}).to_excel(out, index=False)
    >>> first = freeze_xlsx(out).read_bytes()
    >>> pd.DataFrame({"a": [1]}).to_excel(out, index=False)
    >>> freeze_xlsx(out).read_bytes() == first
    True
    """
    p = Path(path)
    when = fixed_timestamp()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(p) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    tmp = p.with_name(p.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _W3CDTF.sub(lambda m: m.group(1) + stamp + m.group(2), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=date_time)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            fixed.create_system = 0
            dst.writestr(fixed, data)
    os.replace(tmp, p)
    return p


@contextmanager
def fixed_source_date_epoch() -> Iterator[None]:
    """Set ``SOURCE_DATE_EPOCH`` to :func:`fixed_timestamp` inside the block, when it is not set.

    An existing value is left as it is; the variable is removed again on exit.

    Examples
    --------
    >>> import os
    >>> before = os.environ.get("SOURCE_DATE_EPOCH")
    >>> with fixed_source_date_epoch():
    ...     os.environ["SOURCE_DATE_EPOCH"] == (before or "946684800")
    True
    >>> os.environ.get("SOURCE_DATE_EPOCH") == before
    True
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(int(fixed_timestamp().timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
