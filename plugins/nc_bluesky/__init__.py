"""Bluesky: ward search, mentions, local accounts, threads, replies (atproto SDK)."""

from nc_bluesky.source import BlueskySource

__all__ = ["BlueskySource"]
