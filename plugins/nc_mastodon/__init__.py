"""Mastodon: an instance's hashtag timelines and, optionally, its local timeline."""

from nc_mastodon.source import MastodonSource

__all__ = ["MastodonSource"]
