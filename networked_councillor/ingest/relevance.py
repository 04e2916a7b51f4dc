"""How much an item is about the ward, and why.

Every match is kept as evidence ("street: Oak Road", "postcode sector: AC4 2")
so the app can show the councillor *why* an item is in the inbox. Each kind
of evidence has a weight; independent pieces combine as 1 - prod(1 - w), so
two weak hints add up without ever passing 1.

Gazetteer terms are matched as word n-grams against a dict (not one giant
regex), so a gazetteer of thousands of streets costs no more per item than a
handful.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from networked_councillor.base import postcodes
from networked_councillor.base.geo import Boundary
from networked_councillor.base.ward import WardProfile

WEIGHTS = {
    "handle": 0.7,
    "boundary": 0.8,
    "postcode": 0.65,
    "postcode sector": 0.45,
    "postcode district": 0.2,
    "street": 0.5,
    "place": 0.45,
    "hashtag": 0.4,
    "ward feed": 0.6,
    "conversation": 0.4,  # a reply in a thread that is about the ward, though its own words are not
}

# Common street-suffix abbreviations, so "Oak Rd" matches "Oak Road".
_ABBREVIATIONS = {
    "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "cres": "crescent", "cl": "close",
    "dr": "drive", "sq": "square", "tce": "terrace", "terr": "terrace", "gdns": "gardens",
    "pde": "parade", "gr": "grove", "pk": "park",
}
_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019")
_HASHTAG = re.compile(r"#(\w+)")
_MENTION = re.compile(r"@([\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str
    term: str

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]

    def __str__(self) -> str:
        return self.term


def words(text: str) -> list[str]:
    tokens = _WORD.findall(text.lower().translate(_APOSTROPHES))
    return [_ABBREVIATIONS.get(t, t) for t in tokens]


class RelevanceScorer:
    """Scores items against one ward profile; build once per fetch run."""

    def __init__(self, ward: WardProfile) -> None:
        self._phrases: dict[str, Evidence] = {}
        self._squashed: dict[str, Evidence] = {}
        for kind, terms in (("place", ward.places), ("street", ward.streets)):
            for term in terms:
                key = " ".join(words(term))
                if key:
                    evidence = Evidence(kind, term)
                    self._phrases.setdefault(key, evidence)
                    self._squashed.setdefault(key.replace(" ", ""), evidence)
        self._max_n = max((k.count(" ") + 1 for k in self._phrases), default=0)
        self._first_words = {k.split(" ")[0] for k in self._phrases}
        self._hashtags = {h.lstrip("#").lower(): Evidence("hashtag", h) for h in ward.hashtags}
        self._handles: dict[str, Evidence] = {}
        for handle in ward.handles:
            bare = handle.lstrip("@").lower()
            self._handles[bare] = Evidence("handle", handle)
            if "@" in bare:  # Mastodon: people often write just @name
                self._handles.setdefault(bare.split("@")[0], Evidence("handle", handle))
        # A listed postcode implies its sector and district, as weaker evidence.
        self._full = {pc for pc in ward.postcodes if postcodes.kind(pc) == "full"}
        self._sectors = {postcodes.sector(pc) for pc in ward.postcodes if postcodes.kind(pc) != "district"}
        self._districts = {postcodes.district(pc) for pc in ward.postcodes}
        self._boundary = Boundary(ward.boundary) if ward.boundary else None
        self.threshold = ward.threshold

    def score(
        self,
        text: str,
        lat: float | None = None,
        lon: float | None = None,
        *,
        mentions: Iterable[str] = (),
        ward_feed: bool = False,
    ) -> tuple[float, list[Evidence]]:
        found: dict[Evidence, None] = {}
        if ward_feed:
            found[Evidence("ward feed", "a feed for this ward")] = None
        if self._boundary is not None and lat is not None and lon is not None:
            if self._boundary.contains(lat, lon):
                found[Evidence("boundary", "inside the ward boundary")] = None
        for mention in [*_MENTION.findall(text), *mentions]:
            evidence = self._handles.get(mention.lstrip("@").lower())
            if evidence:
                found[evidence] = None
        for tag in _HASHTAG.findall(text):
            tag = tag.lower()
            evidence = self._hashtags.get(tag) or self._squashed.get(tag)
            if evidence:
                found[evidence] = None
        self._match_postcodes(text, found)
        self._match_phrases(words(_HASHTAG.sub(" ", text)), found)  # a hashtag counts once, as a hashtag
        evidence = list(found)
        miss = 1.0
        for e in evidence:
            miss *= 1.0 - e.weight
        return round(1.0 - miss, 4), evidence

    def _match_phrases(self, tokens: list[str], found: dict[Evidence, None]) -> None:
        phrases, max_n, firsts = self._phrases, self._max_n, self._first_words
        count = len(tokens)
        for i, token in enumerate(tokens):
            if token not in firsts:
                continue
            for n in range(min(max_n, count - i), 0, -1):
                evidence = phrases.get(" ".join(tokens[i : i + n]))
                if evidence:
                    found[evidence] = None
                    break

    def _match_postcodes(self, text: str, found: dict[Evidence, None]) -> None:
        if not (self._full or self._sectors or self._districts):
            return
        rest = text
        for pc, (start, end) in reversed(postcodes.find_full(text)):
            rest = rest[:start] + " " + rest[end:]
            if pc in self._full:
                found[Evidence("postcode", pc)] = None
            elif postcodes.sector(pc) in self._sectors:
                found[Evidence("postcode sector", postcodes.sector(pc))] = None
            elif postcodes.district(pc) in self._districts:
                found[Evidence("postcode district", postcodes.district(pc))] = None
        for part in postcodes.find_partial(rest):
            if part in self._sectors:
                found[Evidence("postcode sector", part)] = None
            elif postcodes.district(part) in self._districts:
                found[Evidence("postcode district", postcodes.district(part))] = None
