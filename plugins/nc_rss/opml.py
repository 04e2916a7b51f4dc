"""OPML: the list-of-feeds file every feed reader exports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from networked_councillor.plugin_api import ConfigError

MAX_OPML_BYTES = 5 * 1024 * 1024


def import_sources(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    """(name, config) for each feed in an OPML file, nested folders included."""
    if len(data) > MAX_OPML_BYTES:
        raise ConfigError("That OPML file is larger than 5 MB; it is unlikely to be a list of feeds.")
    if b"<!ENTITY" in data or b"<!entity" in data:
        raise ConfigError("That OPML file declares XML entities, which the app refuses for safety.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(f"That file is not valid OPML ({exc}).") from exc
    if root.tag.lower() != "opml":
        raise ConfigError("That file is XML but not OPML (its root element is not <opml>).")
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for outline in root.iter("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if not url or url in found:
            continue
        name = (attrs.get("title") or attrs.get("text") or url).strip()
        found[url] = (name, {"url": url})
    return list(found.values())
