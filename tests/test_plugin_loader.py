"""Plugins come through entry points; broken ones are reported and skipped."""

import sys
import textwrap

import pytest

from networked_councillor.plugin_api.loader import GROUP, contract_problem, discover

GOOD = '''
from networked_councillor.plugin_api import API_VERSION, ConfigField

class Good:
    id = "{id}"
    name = "Good plugin"
    api_version = API_VERSION
    config_fields = (ConfigField("url", "Address", "url"),)
    def __init__(self, api): pass
    def fetch(self, since, cancel, progress): return []
'''


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Install fake distributions (dist-info + module) on sys.path, as pip would."""

    def install(dist: str, module: str, source: str, entry: str) -> None:
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
        info = tmp_path / f"{dist}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[{GROUP}]\n{entry}\n")

    monkeypatch.syspath_prepend(str(tmp_path))
    yield install
    for name in [m for m in sys.modules if m.startswith("fakeplugin_")]:
        del sys.modules[name]


def test_broken_plugins_are_reported_and_the_good_ones_load(installed):
    installed("good-one", "fakeplugin_good", GOOD.format(id="goodone"), "goodone = fakeplugin_good:Good")
    installed("raises", "fakeplugin_raises", "raise ImportError('needs a library that is not installed')",
              "raises = fakeplugin_raises:Plugin")
    installed("old-api", "fakeplugin_old", GOOD.format(id="old").replace("api_version = API_VERSION", "api_version = 0"),
              "old = fakeplugin_old:Good")
    installed("copycat", "fakeplugin_copy", GOOD.format(id="rss"), "copycat = fakeplugin_copy:Good")
    installed("missing-attr", "fakeplugin_missing", "X = 1", "missing = fakeplugin_missing:Nope")
    registry = discover()
    assert {"rss", "goodone"} <= set(registry.plugins)
    assert registry.plugins["rss"].__module__.startswith("nc_rss")  # the built-in kept its id
    problems = {f.name: f.message for f in registry.failures}
    assert "needs a library that is not installed" in problems["raises"]
    assert "plugin API 0" in problems["old"]
    assert "already provided" in problems["copycat"]
    assert "failed to load" in problems["missing"]
    assert "raises-1.0" in str(next(f for f in registry.failures if f.name == "raises")).replace(" ", "-")


def test_contract_checks():
    class NoFetch:
        id, name, api_version, config_fields = "x", "X", 1, ()

    assert contract_problem(NoFetch) == "has no fetch() method"
    assert contract_problem(object()) == "is not a class"
    assert "valid id" in contract_problem(type("Bad", (), {"id": "Bad Id!"}))


def test_the_builtin_rss_plugin_meets_the_contract():
    from nc_rss import RssSource

    assert contract_problem(RssSource) is None
