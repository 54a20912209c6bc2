"""Plug-in loading: packages extend Arena through Python entry point groups (``arena.envs``
for scenarios, ``arena.algos`` for algorithms, ``arena.baselines`` for baseline trainers). Each
entry point is a callable that registers its components; Arena never imports a plug-in package
by name."""

from __future__ import annotations

import importlib.metadata
from typing import Any

from arena.core.typed import close_matches

_loaded: set[str] = set()


def load_entry_points(group: str) -> None:
    """Call the register function of every entry point of ``group``, once per process; a
    failing plug-in is named."""
    if group in _loaded:
        return
    _loaded.add(group)
    for ep in importlib.metadata.entry_points(group=group):
        try:
            ep.load()()
        except Exception as err:
            raise RuntimeError(f"the {group!r} plug-in {ep.name!r} ({ep.value}) "
                               f"failed to register: {err!r}") from err


def lookup(table: dict[str, Any], group: str, kind: str, name: str) -> Any:
    """``table[name]`` after loading ``group``'s plug-ins; an unknown ``name`` is a ``KeyError``
    that lists close matches (or, for an empty table, says that nothing registered)."""
    load_entry_points(group)
    if not table:
        raise KeyError(f"unknown {kind} {name!r}: nothing is registered in the {group!r} "
                       "entry point group: install the project (`make setup` or "
                       "`pip install -e .`) so that its plug-ins register")
    if name not in table:
        raise KeyError(f"unknown {kind} {name!r}{close_matches(name, table)}; "
                       f"registered: {', '.join(sorted(table))}")
    return table[name]
