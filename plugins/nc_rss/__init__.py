"""Any RSS or Atom feed, and OPML lists of feeds."""

from nc_rss.source import RssSource

__all__ = ["RssSource"]
