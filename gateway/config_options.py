"""Reading a backend system's options from its `[backends.<role>]` table.

Each system declares its options as a frozen dataclass (`BackendKind.options`); this
reads every field by its type, so a new system gets typed, validated settings with
errors that name the key, without a line of config code: str (non-empty), bool, int
(0 or more), float (finite, 0 or more) and `Literal` of strings (one of them). A field
without a default is required.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Literal, TypeVar

from gateway.config_reader import Table

T = TypeVar("T")


def read_options(table: Table, options_type: type[T]) -> T:
    if not dataclasses.is_dataclass(options_type):
        raise TypeError(f"{options_type.__name__}: a system's options must be a dataclass")
    hints = typing.get_type_hints(options_type)
    values = {
        option.name: _read(table, option.name, hints[option.name], _default_of(option))
        for option in dataclasses.fields(options_type)
        if option.init
    }
    return options_type(**values)


_REQUIRED = object()


def _default_of(option: dataclasses.Field[Any]) -> Any:
    if option.default is not dataclasses.MISSING:
        return option.default
    if option.default_factory is not dataclasses.MISSING:
        return option.default_factory()
    return _REQUIRED


def _read(table: Table, key: str, kind: Any, default: Any) -> Any:
    required = default is _REQUIRED
    if typing.get_origin(kind) is Literal:
        choices = [str(choice) for choice in typing.get_args(kind)]
        return table.choice(key, choices) if required else table.choice(key, choices, default)
    if kind is str:
        return table.string(key) if required else table.string(key, default)
    if kind is bool:
        return table.boolean(key, False if required else default)
    if kind is int:
        return table.whole_number(key, 0 if required else default)
    if kind is float:
        return table.non_negative_number(key, 0.0 if required else default)
    raise TypeError(f"option {key!r}: type {kind!r} is not readable from a config file")
