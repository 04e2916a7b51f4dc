"""The local SQLite store (sqlite-utils). No Qt."""

from networked_councillor.store.db import Store

__all__ = ["Store"]
