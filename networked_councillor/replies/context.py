"""What the reply checks know about a reply and what they say about it.

`ReplyContext` is built once per reply (not per keystroke) from the settings
and the ward profile; the checks only read it. A `Finding` carries the span it
is about so the editor can underline it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError
from networked_councillor.store import settings as settings_store

log = logging.getLogger(__name__)

SEVERITIES = ("block", "warn", "info")
"""block: should not be posted as it is (the platform would refuse it, or it exposes someone);
warn: worth a second look before posting; info: a gentle nudge."""

BLOCKED_WORDS_KEY = "drafting.blocked_words"
PRE_ELECTION_KEY = "drafting.pre_election"
SIGNATURE_KEY = "drafting.signature"

Sentiment = Callable[[str], tuple[str, float]]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    message: str
    """Why, in plain words."""
    fix: str
    """What to do about it."""
    span: tuple[int, int]
    """(start, end) offsets in the reply's text."""


@dataclass(frozen=True)
class ReplyContext:
    platform: str | None = None
    public: bool = True
    blocked_words: Sequence[str] = ()
    pre_election: tuple[date, date] | None = None
    """First and last day of the pre-election (purdah) period, inclusive."""
    streets: Sequence[str] = ()
    """The ward's street names: a house number before one is an address."""
    today: date | None = None
    """None means the real today."""
    sentiment: Sentiment | None = None
    recipient: str = ""
    """The name of the person being replied to: naming them is not naming someone else."""
    own_details: Sequence[str] = ()
    """The councillor's own published contact details (from the signature): fine to share."""

    def __post_init__(self) -> None:
        # Tuples, so the checks can cache what they compile from them.
        for name in ("blocked_words", "streets", "own_details"):
            values = getattr(self, name) or ()
            object.__setattr__(self, name, tuple(str(v) for v in values if str(v).strip()))

    @property
    def in_pre_election(self) -> bool:
        if self.pre_election is None:
            return False
        start, end = self.pre_election
        return start <= (self.today or clock.today()) <= end


def reply_context(db: Database, *, platform: str | None = None, public: bool = True, recipient: str = "",
                  sentiment: Sentiment | None = None, today: date | None = None) -> ReplyContext:
    """The context for a reply, from the settings and the ward. Unreadable settings are skipped, not fatal."""
    try:
        streets = settings_store.load_ward(db).streets
    except ConfigError as exc:
        log.warning("the ward profile could not be read for the reply checks: %s", exc)
        streets = []
    try:
        period = parse_pre_election(settings_store.get_setting(db, PRE_ELECTION_KEY))
    except ConfigError as exc:
        log.warning("ignoring the pre-election setting: %s", exc)
        period = None
    signature = settings_store.get_setting(db, SIGNATURE_KEY) or ""
    return ReplyContext(platform=platform, public=public, recipient=recipient, sentiment=sentiment, today=today,
                        blocked_words=parse_word_list(settings_store.get_setting(db, BLOCKED_WORDS_KEY)),
                        pre_election=period, streets=streets, own_details=contact_details(str(signature)))


def parse_pre_election(value: Any) -> tuple[date, date] | None:
    """{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"} as dates; None when not set. ConfigError if unreadable."""
    if not value:
        return None
    try:
        start, end = date.fromisoformat(value["start"]), date.fromisoformat(value["end"])
    except (TypeError, KeyError, ValueError):
        raise ConfigError("The pre-election period needs a start and an end date, like 2027-03-25 and 2027-05-06.") from None
    if end < start:
        raise ConfigError("The pre-election period ends before it starts.")
    return start, end


def parse_word_list(value: Any) -> list[str]:
    """A list of words or phrases; a single text is split at commas and new lines."""
    if isinstance(value, str):
        value = re.split(r"[,\n]", value)
    if not isinstance(value, Iterable):
        return []
    return [" ".join(str(v).split()) for v in value if str(v).strip()]


_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\+?\d[\d ()-]{8,}\d")


def contact_details(text: str) -> list[str]:
    """Email addresses and phone numbers in ``text`` (the councillor's signature)."""
    return _EMAIL.findall(text) + [re.sub(r"\D", "", m) for m in _DIGITS.findall(text)]


def pattern_check(code: str, severity: str, pattern: re.Pattern, message: str, fix: str, *,
                  when: Callable[[ReplyContext], bool] = lambda ctx: True,
                  unless: Callable[[str, re.Match, ReplyContext], bool] = lambda text, m, ctx: False):
    """A check that reports each match of ``pattern``; ``message`` may name the match as {match}."""
    def check(text: str, ctx: ReplyContext) -> Iterable[Finding]:
        if not when(ctx):
            return
        for m in pattern.finditer(text):
            if not unless(text, m, ctx):
                yield Finding(code, severity, message.format(match=m.group().strip()), fix, m.span())
    check.__name__ = f"check_{code}"
    return check
