"""Posts a councillor adds by hand: talk from places the app must not scrape (Facebook groups, Nextdoor,
WhatsApp) and from letters, phone calls and surgeries."""

from nc_by_hand.source import ByHandSource

__all__ = ["ByHandSource"]
