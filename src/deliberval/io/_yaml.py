"""YAML 1.2 reading for the project's own files (process configuration, mapping files).

PyYAML implements YAML 1.1, whose implicit types turn ``no`` / ``yes`` / ``on`` / ``off`` into
booleans, ``0123`` into the octal number 83, ``1:30`` into the sexagesimal 90 and
``2024-05-31`` into a date. In YAML 1.2 (core schema) only ``true`` / ``false`` are booleans and
``null`` / ``~`` / empty are null. :func:`load_yaml` reads with a SafeLoader that knows only those,
decimal numbers without a leading zero and plain floats; everything else (``no``, ``0123``,
``1:30``, ``2024-05-31``, ``0x1F``) stays the text that was written. Nesting deeper than
:data:`MAX_DEPTH` levels is refused before anything is built (a deeply nested file would
otherwise exhaust Python's recursion limit).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from deliberval.errors import DataInputError

__all__ = ["MAX_DEPTH", "load_yaml"]

MAX_DEPTH = 50
"""Deepest nesting of mappings and lists accepted in a configuration or mapping file."""


class _Loader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit types only."""


_Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


def _bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


_Loader.add_constructor("tag:yaml.org,2002:bool", _bool)


def _check_depth(text: str, where: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
                raise DataInputError(
                    f"{where}: {at}nested more than "
                    f"{MAX_DEPTH} levels deep; expected a flat file of settings")
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def load_yaml(text: str, *, where: str, what: str = "YAML file") -> Any:
    """Parse YAML text as YAML 1.2 (strings stay strings), refusing deep nesting.

    Parameters
    ----------
    text : str
        The file's text.
    where : str
        File name for messages.
    what : str
        What the file is, for messages.

    Returns
    -------
    object
        The parsed document (``None`` for an empty one).

    Raises
    ------
    DataInputError
        Invalid YAML (with line and column), or nesting deeper than :data:`MAX_DEPTH`.

    Examples
    --------
    >>> load_yaml("process_id: 0123\\nrole: no\\nseed: 2021\\nas_of: 2022-12-31\\nok: true", where="x.yaml")
    {'process_id': '0123', 'role': 'no', 'seed': 2021, 'as_of': '2022-12-31', 'ok': True}
    """
    try:
        _check_depth(text, where)
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc).replace("\n", " ")
        raise DataInputError(f"{where}: {at}not a valid {what} ({reason})") from None
    except RecursionError:  # pragma: no cover - refused by _check_depth first
        raise DataInputError(f"{where}: nested too deeply; expected a flat file of settings") from None
