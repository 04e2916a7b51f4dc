"""The ward profile: what makes an item about *this* ward.

Plain data, validated on the way in, so the relevance scorer and the plugins
can trust it. Stored in the database and importable from a JSON file.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from networked_councillor.base import postcodes
from networked_councillor.base.errors import ConfigError

TERM_KINDS = ("places", "streets", "postcodes", "hashtags", "handles")
DEFAULT_THRESHOLD = 0.35


_COMMON_WORDS = frozenset(
    "the of and on in at upon st road rd street lane ln avenue ave close cl drive dr way crescent cres grove gr "
    "place gardens gdns court terrace walk row hill square sq mews yard rise view park pk green parade gate vale "
    "wharf chase croft fields meadow meadows heights copse dale grange lawn lawns orchard passage north south east "
    "west upper lower old new great little".split())


@dataclass(slots=True)
class WardProfile:
    name: str = ""
    council: str = ""
    gss_code: str = ""
    councillor: str = ""
    places: list[str] = field(default_factory=list)
    streets: list[str] = field(default_factory=list)
    postcodes: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    boundary: dict[str, Any] | None = None
    threshold: float = DEFAULT_THRESHOLD

    @property
    def is_set_up(self) -> bool:
        return bool(self.name and (self.places or self.streets or self.postcodes or self.boundary))

    @property
    def effective_threshold(self) -> float:
        """With no ward set up nothing can score, so nothing is hidden."""
        return self.threshold if self.is_set_up else 0.0

    def screening_words(self) -> list[str]:
        """Lower-case words at least one of which any post about the ward contains, to screen a live stream.

        Wider than relevance scoring: one word stands for each place or street name (its longest word that is
        not a street word such as "road"), so screening never drops a post the scorer would keep; the scorer
        then decides.
        """
        found: set[str] = set()
        for term in (*self.places, *self.streets):
            words = re.findall(r"[a-z0-9]+", term.lower())
            telling = [w for w in words if w not in _COMMON_WORDS] or words
            if telling:
                found.add(max(telling, key=len))
        found.update(t.lstrip("#").lower() for t in self.hashtags)
        found.update(h.lstrip("@").lower().split("@")[0] for h in self.handles)
        found.update(pc.split()[0].lower() for pc in self.postcodes if pc.split())
        return sorted(w for w in found if w)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WardProfile:
        """Build a validated profile; unknown keys (like ``_about``) are ignored."""
        if not isinstance(data, dict):
            raise ConfigError("A ward profile must be a JSON object.")
        known = {f.name for f in fields(cls)}
        profile = cls(**{k: v for k, v in data.items() if k in known})
        profile.validate()
        return profile

    @classmethod
    def load(cls, path: Path) -> WardProfile:
        from networked_councillor.base.files import read_json

        data = read_json(path, "a ward profile")
        if isinstance(data, dict) and "name" not in data:
            raise ConfigError(f"{path} is not a ward profile: it has no name.",
                              hint="Use a file written by `ward export` or Settings > Ward.")
        return cls.from_dict(data)

    def validate(self) -> None:
        for key in ("name", "council", "gss_code", "councillor"):
            if not isinstance(getattr(self, key), str):
                raise ConfigError(f"The ward's {key} must be text.")
        for key in TERM_KINDS:
            value = getattr(self, key)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"The ward's {key} must be a list of text.")
            setattr(self, key, _unique(normalise_term(key, v) for v in value if v.strip()))
        try:
            self.threshold = float(self.threshold)
        except (TypeError, ValueError):
            raise ConfigError("The relevance threshold must be a number between 0 and 1.") from None
        if not 0.0 <= self.threshold <= 1.0:
            raise ConfigError("The relevance threshold must be between 0 and 1.")
        if self.boundary is not None:
            from networked_councillor.base.geo import Boundary

            Boundary(self.boundary)  # raises ConfigError if it is not a usable polygon

    def add_term(self, kind: str, term: str) -> str:
        if kind not in TERM_KINDS:
            raise ConfigError(f"Unknown kind of term {kind!r}; use one of: {', '.join(TERM_KINDS)}.")
        term = normalise_term(kind, term)
        values = getattr(self, kind)
        if term not in values:
            values.append(term)
        return term

    def remove_term(self, kind: str, term: str) -> bool:
        if kind not in TERM_KINDS:
            raise ConfigError(f"Unknown kind of term {kind!r}; use one of: {', '.join(TERM_KINDS)}.")
        term = normalise_term(kind, term)
        values = getattr(self, kind)
        if term in values:
            values.remove(term)
            return True
        return False


MAX_TERM_CHARS = 100
"""The longest place, street or handle a ward needs; longer is a slip of the paste."""


def normalise_term(kind: str, term: str) -> str:
    term = " ".join(term.split())
    if len(term) > MAX_TERM_CHARS:
        raise ConfigError(f"“{term[:40]}…” is too long for a place, street, postcode, hashtag or handle "
                          f"(at most {MAX_TERM_CHARS} characters).")
    if kind == "postcodes":
        term = postcodes.normalise(term)
        try:
            postcodes.kind(term)
        except ValueError:
            raise ConfigError(f"{term!r} is not a UK postcode, postcode sector (AC4 2) or district (AC4).") from None
    elif kind == "hashtags":
        term = "#" + term.lstrip("#")
        if len(term) < 2 or " " in term:
            raise ConfigError(f"{term!r} is not a hashtag.")
    elif kind == "handles":
        # Bluesky handles are stored bare (name.bsky.social), Mastodon ones whole (@name@instance).
        bare = term.lstrip("@")
        if not bare:
            raise ConfigError("A handle cannot be empty.")
        term = f"@{bare}" if "@" in bare else bare
    elif not term:
        raise ConfigError("A term cannot be empty.")
    return term


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)
