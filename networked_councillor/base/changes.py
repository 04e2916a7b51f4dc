"""What an operation changed, so each view refreshes only what it shows (Anki's `OpChanges`).

Every user action that writes is an operation ``op(db, ...) -> Changes``; `App.perform` runs it in one write
transaction and passes its `Changes` to whoever listens (the window's views, through `ui/operations.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Changes:
    items: frozenset[int] = field(default_factory=frozenset)
    """Items whose shown data changed (tags, links to issues, drafts): repaint those rows."""
    inbox: bool = False
    """Which items are in which view may have changed (new items, states, snoozes, erasures): reload the list."""
    issues: bool = False
    """Casework changed: the casework window reloads."""
    sources: bool = False
    ward: bool = False
    topics: bool = False
    settings: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) | getattr(other, f.name) for f in fields(self)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def setup(self) -> bool:
        """The ward, its topics, sources or settings: what the window's choices and timers are made from."""
        return self.ward or self.topics or self.sources or self.settings


NOTHING = Changes()


def items(ids: Iterable[int], *, inbox: bool = False, issues: bool = False) -> Changes:
    """The usual answer of an item operation."""
    return Changes(items=frozenset(ids), inbox=inbox, issues=issues)


@dataclass(frozen=True)
class Done:
    """An operation's answer when the caller needs a value too (the new issue's id, how many moved)."""

    value: object
    changes: Changes
