"""The one way the app reads the time, so tests and stored rows agree on the format.

Everything that asks "what time is it?" asks here, never `datetime.now()` or
`date.today()`. That lets a test (or a training session) put the clock at a
chosen moment with `set_now`, after which it runs on from there at the normal
pace: dated fixtures stay in the future whatever the real date, and nothing
that waits for time to pass stalls.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(timezone.utc) + _offset


def now_iso() -> str:
    return utcnow().isoformat(timespec="seconds")


def local_now(zone: tzinfo | None = None) -> datetime:
    """Now in ``zone``, or in the computer's own time zone."""
    return utcnow().astimezone(zone)


def today(zone: tzinfo | None = None) -> date:
    """Today's date where the councillor is (the computer's zone unless one is given)."""
    return local_now(zone).date()


def timestamp() -> float:
    """Seconds since 1970, for protocols that count that way (Retry-After dates, RateLimit-Reset, tokens)."""
    return utcnow().timestamp()


def set_now(moment: datetime) -> None:
    """From now on the clock reads ``moment``, then runs on from it."""
    global _offset
    if moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _offset = moment - datetime.now(timezone.utc)


def reset() -> None:
    """Back to the computer's own clock."""
    global _offset
    _offset = timedelta(0)
