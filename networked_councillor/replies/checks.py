"""Checks on a reply before it is posted: length, tone, personal data, conduct and the pre-election period.

Fast enough to run on every keystroke (only the optional sentiment model is
slow, and the editor can debounce that). Each check is a small function
``(text, context) -> findings``; `CHECKS` lists them, so adding one is one line.
A check that fails is logged and skipped: it must never stop the councillor typing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from networked_councillor.replies.conduct import (
    check_blocked_words,
    check_campaigning,
    check_council_publicity,
    check_naming_people,
    check_officer_criticism,
    check_promises,
)
from networked_councillor.replies.context import (
    SEVERITIES,
    Finding,
    ReplyContext,
    parse_pre_election,
    parse_word_list,
    reply_context,
)
from networked_councillor.replies.length import LIMITS, check_length, length, split_thread
from networked_councillor.replies.personal_data import (
    check_birthdays,
    check_email_addresses,
    check_home_addresses,
    check_ni_numbers,
    check_phone_numbers,
    check_postcodes,
)
from networked_councillor.replies.tone import (
    check_negative_tone,
    check_punctuation_runs,
    check_sarcasm,
    check_scare_quotes,
    check_shouting,
)

__all__ = ["CHECKS", "LIMITS", "Finding", "ReplyContext", "check_reply", "length", "parse_pre_election",
           "parse_word_list", "reply_context", "split_thread"]

log = logging.getLogger(__name__)

Check = Callable[[str, ReplyContext], Iterable[Finding]]

CHECKS: tuple[Check, ...] = (
    check_length,
    check_negative_tone,
    check_shouting,
    check_punctuation_runs,
    check_sarcasm,
    check_scare_quotes,
    check_phone_numbers,
    check_email_addresses,
    check_home_addresses,
    check_postcodes,
    check_ni_numbers,
    check_birthdays,
    check_blocked_words,
    check_promises,
    check_officer_criticism,
    check_naming_people,
    check_campaigning,
    check_council_publicity,
)


def check_reply(text: str, context: ReplyContext | None = None, *, checks: Sequence[Check] = CHECKS) -> list[Finding]:
    """Every finding on ``text``, the most serious first, then in reading order."""
    context = context or ReplyContext()
    text = text if isinstance(text, str) else ""
    findings: list[Finding] = []
    for check in checks:
        try:
            findings.extend(check(text, context))
        except Exception:  # one broken check must not take the others (or the editor) down
            log.exception("the reply check %s failed", getattr(check, "__name__", check))
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.span))
