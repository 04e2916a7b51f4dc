"""Placeholders in reply templates and snippets: {name}, {street} and the rest.

A placeholder with no value is left visible in the text (so the councillor
sees what to fill in) and reported, as is one the app does not know (a typo):
filling never fails. Words in square brackets around a placeholder are left
out when it has no value: "the pothole[ on {street}]" reads well either way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS = {
    "name": "the resident's first name (or “there”)",
    "street": "the street the post mentions",
    "place": "the place in the ward the post mentions",
    "ward": "your ward's name",
    "issue_ref": "the casework reference the post is linked to",
    "councillor": "your signature (Settings)",
}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")
_OPTIONAL = re.compile(r"\[([^\[\]]*\{[A-Za-z_]\w*\}[^\[\]]*)\]")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([,.;:!?)])")


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in ``text`` the app cannot fill."""
    return _unique(n for n in _PLACEHOLDER.findall(text or "") if n not in PLACEHOLDERS)


def fill(text: str, context: Mapping[str, object]) -> tuple[str, list[str]]:
    """``text`` with its placeholders filled from ``context``, and the names of those left unfilled.

    A value of "" fills a placeholder with nothing; None (or no entry) leaves it unfilled.
    """
    text = text if isinstance(text, str) else ""
    values = {k: ("" if v is None else str(v)) for k, v in context.items() if k in PLACEHOLDERS and v is not None}

    def optional(m: re.Match) -> str:
        names = _PLACEHOLDER.findall(m.group(1))
        return m.group(1) if all(values.get(n) for n in names if n in PLACEHOLDERS) else ""

    missing: list[str] = []

    def replace(m: re.Match) -> str:
        name = m.group(1)
        if name in values:
            return values[name]
        missing.append(name)
        return m.group()

    filled = _PLACEHOLDER.sub(replace, _OPTIONAL.sub(optional, text))
    filled = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", filled))
    return filled.strip(), _unique(missing)


def _unique(names) -> list[str]:
    return list(dict.fromkeys(names))
