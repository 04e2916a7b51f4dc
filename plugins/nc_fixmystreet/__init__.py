"""FixMyStreet: the reports residents make for a ward, an area or around a point, from its RSS feeds."""

from nc_fixmystreet.source import FixMyStreetSource

__all__ = ["FixMyStreetSource"]
