"""Source settings typed by a person are checked and typed the same way in the CLI and the settings dialog."""

import pytest

from networked_councillor.base.errors import ConfigError
from networked_councillor.ingest.source_config import validate
from networked_councillor.plugin_api import ConfigField

FIELDS = (
    ConfigField("url", "Address", "url", required=True),
    ConfigField("tags", "Hashtags", "list"),
    ConfigField("days", "Days", "int", default=14),
    ConfigField("local", "Local", "bool", default=False),
    ConfigField("state", "State", "choice", default="all", choices=("all", "open")),
    ConfigField("token", "Token", "secret"),
)


@pytest.mark.parametrize("typed, kept", [
    ("https://forum.example.org/", "https://forum.example.org/"),
    ("  mastodon.social ", "https://mastodon.social"),
    ("forum.example.org/community", "https://forum.example.org/community"),
    ("file:///tmp/feed.xml", "file:///tmp/feed.xml"),
])
def test_addresses_are_kept_or_given_https(typed, kept):
    assert validate(FIELDS, {"url": typed})["url"] == kept


@pytest.mark.parametrize("typed", ["ftp://example.org", "not an address", "localhost"])
def test_what_is_not_a_web_address_is_refused(typed):
    with pytest.raises(ConfigError, match="must be a web address"):
        validate(FIELDS, {"url": typed})


def test_values_are_typed_and_defaults_filled_in():
    config = validate(FIELDS, {"url": "https://a.example", "tags": "Millbrook,\n#OakRoad, ", "local": "yes"})
    assert config == {"url": "https://a.example", "tags": ["Millbrook", "#OakRoad"], "days": 14, "local": True,
                      "state": "all"}


@pytest.mark.parametrize("values, words", [
    ({}, "Missing required setting: url"),
    ({"url": "https://a.example", "days": "two"}, "whole number"),
    ({"url": "https://a.example", "local": "maybe"}, "yes or no"),
    ({"url": "https://a.example", "state": "shut"}, "one of: all, open"),
    ({"url": "https://a.example", "token": "s3cret"}, "kept in the system keyring"),
    ({"url": "https://a.example", "colour": "red"}, "Unknown setting 'colour'"),
])
def test_mistakes_are_explained(values, words):
    with pytest.raises(ConfigError, match=words):
        validate(FIELDS, values)
