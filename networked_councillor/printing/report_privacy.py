"""Making quoted posts fit to hand round a meeting: no phone numbers, emails, house numbers or residents' handles.

Residents post their contact details in public, asking to be rung back; a printed
report should not carry them further. Streets and postcode sectors stay, because
they say where in the ward a problem is; what narrows it to one home goes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from networked_councillor.base import postcodes

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\b0)\d(?:[\s-]?\d){8,9}\b")
HANDLE = re.compile(r"(?<![\w@/])@[\w-]+(?:\.[\w-]+)*(?:@[\w-]+(?:\.[\w-]+)+)?|\bu/[\w-]{3,}")
STREET_WORDS = ("Road|Rd|Street|St|Lane|Avenue|Ave|Close|Crescent|Drive|Way|Grove|Terrace|Walk|Place|Court|Gardens|"
                "Yard|Row|Square|Hill|Parade|Mews|Rise|View|Green|Park")
HOUSE_NUMBER = re.compile(rf"\b(?:[Ff]lat \d+[A-Za-z]?,? )?\d{{1,4}}[A-Za-z]?,? "
                          rf"(?=(?:[A-Z][\w']+ ){{1,3}}(?:{STREET_WORDS})\b)")


def public_text(text: str, keep_handles: Iterable[str] = ()) -> str:
    """``text`` without contact details, house numbers, full postcodes or other people's handles, and no emoji."""
    keep = {h.lower().lstrip("@") for h in keep_handles}
    text = EMAIL.sub("[email removed]", text)
    text = PHONE.sub("[phone number removed]", text)
    text = postcodes.FULL.sub(lambda m: f"{m.group(1).upper()} {m.group(2)[0]}", text)
    text = HOUSE_NUMBER.sub("", text)
    text = HANDLE.sub(lambda m: m.group(0) if m.group(0).lower().lstrip("@") in keep else "[handle removed]", text)
    return "".join(c for c in text if not _is_emoji(c))


def _is_emoji(char: str) -> bool:
    """Pictures a printed page's fonts rarely have: they would print as empty boxes."""
    code = ord(char)
    return (code >= 0x1F000 or char in "\ufe0f\u200d"
            or (0x2600 <= code <= 0x27BF and unicodedata.category(char) == "So"))
