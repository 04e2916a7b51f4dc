"""Discourse: a town or community forum's new topics and posts, public or (with an API key) private."""

from nc_discourse.source import DiscourseSource

__all__ = ["DiscourseSource"]
