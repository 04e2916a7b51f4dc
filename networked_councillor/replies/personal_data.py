"""Personal data in a public reply: phone numbers, email addresses, home addresses, postcodes, NI numbers, birthdays.

A councillor may hold a resident's details, but a public reply is read by
everyone, so these belong in a private message or an email. The patterns are
deliberately narrow: times (10:30), years, bus numbers, road numbers (A14) and
council switchboard numbers (0300, 0800) are not personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from networked_councillor.base import postcodes
from networked_councillor.replies.context import Finding, ReplyContext, pattern_check

MOVE_IT = "Remove it from the public reply and send it in a private message or an email instead."

_PHONE = re.compile(r"(?<![\w+/.:,£$-])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d[\d ()-]{7,12}\d(?![\w/:-]|\.\d|\s?\d)")
_ORGANISATION_PREFIXES = ("03", "05", "08", "09")  # council and business lines, not people's
# Earlier in the same sentence, these say the number is an organisation's, given out on purpose.
_ORGANISATION_WORDS = re.compile(
    r"\b(?:council|contact cent(?:re|er)|customer services|helpline|switchboard|reception|office|surgery|"
    r"department|team|police|NHS|hospital|school|library|charity|service)(?:'s|’s)?\b[^.!?\n]*$", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w@.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_PUBLIC_DOMAINS = (".gov.uk", ".nhs.uk", ".nhs.net", ".police.uk", ".sch.uk", ".parliament.uk")
_STREET_WORDS = ("Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Grove|Place|Gardens|Court|"
                 "Terrace|Walk|Row|Hill|Square|Mews|Yard|Rise|View|Park|Green|Parade|Gate|Vale|Wharf|Chase|Croft|"
                 "Fields|Meadows?|Heights|Copse|Dale|Grange|Lawns?|Orchard|Passage")
_GENERIC_STREET = rf"[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){{0,2}} (?:{_STREET_WORDS})\b"
_HOUSE = r"(?<![\w:./£$-])(?:(?i:flat|apartment|apt|unit) ?\d+[A-Za-z]?,? +)?\d{1,3}[A-Za-z]?,? +"
_NI = re.compile(r"(?<!\w)([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?!\w)", re.IGNORECASE)
_UNALLOCATED_NI = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH}(?: \d{{4}})?"
         rf"|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}})")
_BIRTHDAY = re.compile(rf"\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?|birthday(?: is)?)\s*:?\s*{_DATE}",
                       re.IGNORECASE)


def _is_public(ctx: ReplyContext) -> bool:
    return ctx.public


def national_number(raw: str) -> str:
    """'+44 (0)7700 900123' -> '07700900123'."""
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip().startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def check_phone_numbers(text: str, ctx: ReplyContext) -> Iterable[Finding]:
    if not ctx.public:
        return
    own = {national_number(d) for d in ctx.own_details}
    for m in _PHONE.finditer(text):
        number = national_number(m.group())
        if len(number) not in (10, 11) or number.startswith(_ORGANISATION_PREFIXES) or number in own:
            continue
        if not number.startswith("07") and _ORGANISATION_WORDS.search(text, 0, m.start()):
            continue  # "the council's contact centre is on 01223 457000"
        if number.startswith("07"):
            yield Finding("phone_number", "block", "This looks like a mobile phone number, in a public reply.",
                          MOVE_IT, m.span())
        else:
            yield Finding("phone_number", "warn", "This looks like a phone number, in a public reply.",
                          f"If it is a public office number, that is fine. Otherwise: {MOVE_IT}", m.span())


def _organisation_or_own(text: str, m: re.Match, ctx: ReplyContext) -> bool:
    address = m.group().lower()
    return address.endswith(_PUBLIC_DOMAINS) or address in {d.lower() for d in ctx.own_details}


check_email_addresses = pattern_check(
    "email_address", "block", _EMAIL, "“{match}” is an email address, in a public reply.", MOVE_IT,
    when=_is_public, unless=_organisation_or_own)


@lru_cache(maxsize=8)
def _address_pattern(streets: tuple[str, ...]) -> re.Pattern:
    ward_streets = "|".join(re.escape(s) for s in sorted(streets, key=len, reverse=True))
    names = f"(?i:{ward_streets})\\b|{_GENERIC_STREET}" if ward_streets else _GENERIC_STREET
    return re.compile(f"{_HOUSE}(?:{names})")


def check_home_addresses(text: str, ctx: ReplyContext) -> Iterable[Finding]:
    if not ctx.public:
        return
    for m in _address_pattern(ctx.streets).finditer(text):
        yield Finding("home_address", "warn", f"“{m.group()}” reads as someone's address, in a public reply.",
                      "Name just the street in public, and send the full address in a private message or an email.",
                      m.span())


def check_postcodes(text: str, ctx: ReplyContext) -> Iterable[Finding]:
    if not ctx.public:
        return
    for postcode, span in postcodes.find_full(text):
        district = postcodes.district(postcode)
        yield Finding("postcode", "warn", f"{postcode} is a full postcode: it can point to a handful of homes.",
                      f"Use just the area ({district}) in public, and send the full postcode privately.", span)


def _unallocated_ni(text: str, m: re.Match, ctx: ReplyContext) -> bool:
    return m.group(1).upper() in _UNALLOCATED_NI


check_ni_numbers = pattern_check(
    "ni_number", "block", _NI, "“{match}” looks like a National Insurance number.",
    "Never post a National Insurance number. " + MOVE_IT, when=_is_public, unless=_unallocated_ni)

check_birthdays = pattern_check(
    "date_of_birth", "warn", _BIRTHDAY, "“{match}” gives someone's date of birth, in a public reply.", MOVE_IT,
    when=_is_public)

CHECKS = (check_phone_numbers, check_email_addresses, check_home_addresses, check_postcodes, check_ni_numbers,
          check_birthdays)
