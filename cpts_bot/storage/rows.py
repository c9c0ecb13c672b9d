"""A stored row as a model: a dataclass built from the columns of the same names.

SQLite gives text, numbers and NULL; the model's field types say what they were. A
column read for a ``datetime`` field is ISO text (NULL, or empty, for "not yet" where
the field may be ``None``), for an enum field its value, for a ``bool`` field 0 or 1;
any other column is taken as it is. What has another name or shape (a list kept as
text, a value computed from two columns) is given by the caller.
"""

from __future__ import annotations

import types
from dataclasses import fields
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import aiosqlite

from cpts_bot.core.times import from_iso

M = TypeVar("M")


def model_from_row(model: type[M], row: aiosqlite.Row, **given: Any) -> M:
    """``model`` with each field not in ``given`` read from the column of its name; a
    field with no such column keeps its default."""
    columns = set(row.keys())
    values = dict(given)
    for name, (kind, optional) in _field_types(model).items():
        if name not in values and name in columns:
            values[name] = _read(row[name], kind, optional)
    return model(**values)


def _read(value: Any, kind: Any, optional: bool) -> Any:
    if value is None or (optional and kind is datetime and not value):
        return None
    if kind is datetime:
        return from_iso(value)
    if kind is bool:
        return bool(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    return value


@cache
def _field_types(model: type) -> dict[str, tuple[Any, bool]]:
    """Each field's type, without ``| None``, and whether it may be ``None``."""
    hints = get_type_hints(model)
    found: dict[str, tuple[Any, bool]] = {}
    for field in fields(model):
        kind = hints[field.name]
        optional = False
        if get_origin(kind) in (Union, types.UnionType):
            arguments = [argument for argument in get_args(kind) if argument is not type(None)]
            optional = len(arguments) < len(get_args(kind))
            kind = arguments[0] if len(arguments) == 1 else Any
        found[field.name] = (kind, optional)
    return found
