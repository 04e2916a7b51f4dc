"""UK postcodes: find them in text and reduce them to sector and district.

A full postcode is outward + inward ("CB1 2AB"); its sector is the outward
code plus the inward digit ("CB1 2"); its district the outward code ("CB1").
"""

from __future__ import annotations

import re

FULL = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR_OR_DISTRICT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)(?: ([0-9]))?(?![A-Z0-9])", re.IGNORECASE)


def normalise(postcode: str) -> str:
    """'cb12ab' -> 'CB1 2AB'; 'cb1  2' -> 'CB1 2'; 'cb1' -> 'CB1'.

    Without a space, 'CB12' stays the district CB12: only a full postcode is
    unambiguous enough to split.
    """
    spaced = " ".join(postcode.upper().split())
    compact = spaced.replace(" ", "")
    if FULL.fullmatch(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    return spaced


def kind(postcode: str) -> str:
    """'full', 'sector' or 'district' for a normalised postcode or part."""
    outward, _, inward = postcode.partition(" ")
    if not OUTWARD.match(outward):
        raise ValueError(f"{postcode!r} is not a UK postcode, sector or district")
    if not inward:
        return "district"
    if len(inward) == 1 and inward.isdigit():
        return "sector"
    if len(inward) == 3 and inward[0].isdigit():
        return "full"
    raise ValueError(f"{postcode!r} is not a UK postcode, sector or district")


def sector(postcode: str) -> str:
    outward, _, inward = postcode.partition(" ")
    return f"{outward} {inward[:1]}" if inward else outward


def district(postcode: str) -> str:
    return postcode.partition(" ")[0]


def find_full(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Full postcodes in ``text``, normalised, with their spans."""
    return [(f"{m.group(1).upper()} {m.group(2).upper()}", m.span()) for m in FULL.finditer(text)]


def find_partial(text: str) -> list[str]:
    """Sectors ('CB1 2') and districts ('CB1') in text already stripped of full postcodes."""
    found = []
    for m in _SECTOR_OR_DISTRICT.finditer(text):
        outward = m.group(1).upper()
        found.append(f"{outward} {m.group(2)}" if m.group(2) else outward)
    return found
