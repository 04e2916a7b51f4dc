"""Reading XML from a council's server without trusting it.

ElementTree never fetches external entities, but it does expand the internal
ones a DTD declares, which is how "billion laughs" documents exhaust memory.
The ModernGov web service never sends a DTD, so a document with one is
refused before ElementTree sees it (the check runs on expat, which reads the
document's own encoding declaration exactly as ElementTree will).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

ParseError = (expat.ExpatError, ET.ParseError)
"""What a document that is not well-formed XML raises."""


class UnsafeXml(ValueError):
    """The document declares a DTD or entities."""


def parse(data: bytes) -> ET.Element:
    """The root element of ``data``; raises `UnsafeXml` or one of `ParseError`."""
    probe = expat.ParserCreate()
    probe.StartDoctypeDeclHandler = _refuse
    probe.EntityDeclHandler = _refuse
    probe.Parse(data, True)
    return ET.fromstring(data)


def _refuse(*_args: object) -> None:
    raise UnsafeXml("the document declares a DTD or entities")
