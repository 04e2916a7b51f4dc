"""core, store, plugin_api and the plugins never load Qt: they must run headless and in workers."""

import subprocess
import sys

MODULES = [
    "networked_councillor.ingest.pipeline", "networked_councillor.ingest.relevance", "networked_councillor.ingest.normalise",
    "networked_councillor.store", "networked_councillor.store.items", "networked_councillor.plugin_api",
    "networked_councillor.plugin_api.loader", "networked_councillor.app", "networked_councillor.demo",
    "networked_councillor.cli.doctor", "networked_councillor.cli.main", "nc_rss", "networked_councillor.tagger.learning",
    "networked_councillor.tagger.model", "networked_councillor.tagger.training", "networked_councillor.tagger.encoder",
    "networked_councillor.tagger.hf_sentiment", "networked_councillor.cli.model", "networked_councillor.ingest.wardsetup",
    "nc_bluesky", "nc_mastodon", "nc_reddit", "nc_discourse", "nc_fixmystreet", "nc_consultations", "nc_meetings",
    "nc_planning",
]


def test_headless_layers_do_not_import_qt():
    code = (
        "import sys, importlib\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "from networked_councillor.plugin_api.loader import discover\n"
        "discover()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
