"""The API source plugins are written against, and all a plugin may import of the app. No Qt, no SQLite."""

from networked_councillor.base import postcodes
from networked_councillor.base.clock import utcnow
from networked_councillor.base.errors import Cancelled, ConfigError, SourceError
from networked_councillor.base.geo import Boundary
from networked_councillor.base.text import html_to_plain
from networked_councillor.plugin_api.http import HttpClient, HttpResponse, retry_after
from networked_councillor.plugin_api.source import (
    API_VERSION,
    Attachment,
    Author,
    CanImportFiles,
    CanImportSources,
    CanListen,
    CanLoadThread,
    CanReply,
    ConfigField,
    LiveBatch,
    Progress,
    RawItem,
    ReplyResult,
    ReplyTarget,
    Source,
    SourceApi,
    can_reply,
)
from networked_councillor.plugin_api.values import iso_time, site_address

__all__ = [
    "API_VERSION",
    "Attachment",
    "Author",
    "Boundary",
    "CanImportFiles",
    "CanImportSources",
    "CanListen",
    "CanLoadThread",
    "CanReply",
    "Cancelled",
    "ConfigError",
    "ConfigField",
    "HttpClient",
    "HttpResponse",
    "LiveBatch",
    "Progress",
    "RawItem",
    "ReplyResult",
    "ReplyTarget",
    "Source",
    "SourceApi",
    "SourceError",
    "can_reply",
    "html_to_plain",
    "iso_time",
    "postcodes",
    "retry_after",
    "site_address",
    "utcnow",
]
