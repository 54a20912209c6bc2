"""Typed configs: dataclasses built from plain dicts; errors name the key and its source."""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any, TypeVar, Union

T = TypeVar("T")


class ConfigError(ValueError):
    """A config key is unknown, ill-typed or out of range."""


def close_matches(word: str, options: typing.Iterable[str]) -> str:
    """A ``" (did you mean ...?)"`` suffix for error messages, or an empty string."""
    matches = difflib.get_close_matches(word, list(options), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(m) for m in matches)}?)" if matches else ""


def build(cls: type[T], values: dict[str, Any] | None, where: str) -> T:
    """Build dataclass ``cls`` from ``values``, checking every key and type.

    ``where`` names the source in errors, e.g. ``"configs/x.yaml: env"`` or ``"simple_spread"``.
    """
    values = dict(values or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for key in values:
        if key not in fields:
            raise ConfigError(
                f"{where}: unknown key {key!r}{close_matches(key, fields)}; "
                f"valid keys: {', '.join(sorted(fields))}"
            )
    hints = typing.get_type_hints(cls)
    checked = {k: check_type(v, hints[k], f"{where}.{k}") for k, v in values.items()}
    obj = cls(**checked)
    validate = getattr(obj, "validate", None)
    if callable(validate):
        try:
            validate()
        except ValueError as err:
            raise ConfigError(f"{where}: {err}") from None
    return obj


def check_type(value: Any, hint: Any, key: str) -> Any:
    """Return ``value`` converted to ``hint`` when lossless (int -> float, list -> tuple), else
    raise a ``ConfigError`` naming ``key``."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(hint):
            try:
                return check_type(value, arg, key)
            except ConfigError:
                continue
        raise ConfigError(f"{key}: expected {_name(hint)}, got {value!r} ({type(value).__name__})")
    if hint is type(None):
        if value is None:
            return None
        raise ConfigError(f"{key}: expected None, got {value!r}")
    if origin in (tuple, list):
        return _check_sequence(value, hint, origin, key)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {value!r}")
        item = typing.get_args(hint)[1] if typing.get_args(hint) else Any
        return {k: check_type(v, item, f"{key}.{k}") for k, v in value.items()}
    return _check_scalar(value, hint, key)


def _check_scalar(value: Any, hint: Any, key: str) -> Any:
    if dataclasses.is_dataclass(hint) and isinstance(hint, type) and not isinstance(value, hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {value!r}")
        return build(hint, value, key)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool):
        raise ConfigError(f"{key}: expected int, got bool {value!r}")
    if isinstance(hint, type) and isinstance(value, hint):
        return value
    raise ConfigError(f"{key}: expected {_name(hint)}, got {value!r} ({type(value).__name__})")


def _check_sequence(value: Any, hint: Any, origin: Any, key: str) -> Any:
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{key}: expected a sequence, got {value!r}")
    args = typing.get_args(hint)
    if origin is tuple and args and args[-1] is not Ellipsis:
        if len(args) != len(value):
            raise ConfigError(f"{key}: expected {len(args)} items, got {len(value)}")
        pairs = enumerate(zip(value, args, strict=True))
        return tuple(check_type(v, a, f"{key}[{i}]") for i, (v, a) in pairs)
    item = args[0] if args else Any
    items = [check_type(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
    return tuple(items) if origin is tuple else items


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def to_dict(obj: Any) -> dict[str, Any]:
    """A dataclass as a plain dict (tuples become lists, for YAML/JSON)."""

    def plain(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    return {k: plain(v) for k, v in dataclasses.asdict(obj).items()}
