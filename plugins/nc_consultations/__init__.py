"""Council consultations from Delib's Citizen Space, through its public JSON search API."""

from nc_consultations.source import CitizenSpaceSource

__all__ = ["CitizenSpaceSource"]
