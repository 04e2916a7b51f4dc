"""Council meetings from a council's ModernGov web service."""

from nc_meetings.source import ModernGovSource

__all__ = ["ModernGovSource"]
