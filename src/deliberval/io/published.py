"""Read a table of published results (summary statistics with citations), without judging it.

The rows are checked by :func:`deliberval.validation.published.validate_published` (schema
:func:`deliberval.schemas.published.published_schema`); :func:`read_published` only reads the file
once, as text cells, keeping its line numbers for the messages.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from deliberval.io.readers import Source, read_table

__all__ = ["read_published"]


def read_published(source: Source, **kwargs: Any) -> pd.DataFrame:
    """The published results file as written (CSV, or any format :func:`deliberval.io.read_table` reads).

    Parameters
    ----------
    source : path or InputFile
        A table with columns ``process, outcome, estimate, se, n, citation, url, doi, year``
        (see :func:`deliberval.schemas.published.published_schema`).
    **kwargs
        Passed to :func:`deliberval.io.read_table` (``sep``, ``encoding``, ``sheet``).

    Returns
    -------
    pandas.DataFrame
        The raw table; validate it with :func:`deliberval.validation.published.validate_published`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "published.csv"
    >>> _ = f.write_text("process,outcome,estimate,se,n,citation,url,doi,year\\n"
    ...                  "A,external_efficacy,0.3,0.1,40,Doe (2020),,,2020\\n", encoding="utf-8")
    >>> read_published(f)[["process", "estimate", "citation"]]
      process estimate    citation
    0       A      0.3  Doe (2020)
    """
    return read_table(source, **kwargs)
