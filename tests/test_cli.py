"""The command line, end to end, against a real data folder."""

import json
import os
import subprocess
import sys

import pytest
from localserver import Reply

from networked_councillor.base.errors import ConfigError
from networked_councillor.cli.main import main
from networked_councillor.cli.sources import parse_config
from networked_councillor.plugin_api.source import ConfigField


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_then_fetch_then_search_pothole(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "Loaded the demo ward: Millbrook" in out
    assert "FAIL" not in out
    code, out, _ = run(capsys, "fetch")
    assert code == 0 and "0 new items" in out  # nothing changed since the demo's own fetch
    code, out, _ = run(capsys, "items", "search", "pothole")
    assert code == 0 and "#" in out and "matched:" in out
    code, out, _ = run(capsys, "items", "search", "pothole", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(r["relevance"] >= 0.35 for r in rows)
    assert any(e["kind"] == "boundary" for r in rows for e in r["evidence"])
    code, out, _ = run(capsys, "items", "show", str(rows[0]["id"]))
    assert code == 0 and "Relevance" in out


def test_demo_refuses_to_mix_with_a_real_ward(capsys):
    run(capsys, "ward", "set", "name", "Riverside")
    code, _, err = run(capsys, "demo")
    assert code == 2 and "already holds the Riverside ward" in err and "--data-dir" in err


def test_sources_add_list_disable_remove(capsys, server):
    url = server.route("/feed", Reply(b'<rss version="2.0"><channel><item><guid>1</guid><title>Oak Road</title>'
                                      b"</item></channel></rss>"))
    assert run(capsys, "sources", "add", "rss", "Gazette", "--set", f"url={url}", "--set", "ward_feed=yes")[0] == 0
    code, out, _ = run(capsys, "sources", "list")
    assert "gazette" in out and "never fetched" in out
    code, out, _ = run(capsys, "fetch", "--source", "gazette")
    assert code == 0 and "1 new" in out
    run(capsys, "sources", "disable", "gazette")
    assert "disabled" in run(capsys, "sources", "list")[1]
    code, out, _ = run(capsys, "sources", "remove", "gazette", "--yes")
    assert code == 0 and "1 items" in out
    assert "No sources yet" in run(capsys, "sources", "list")[1]


def test_a_failing_source_gives_exit_code_1_and_a_message(capsys, server):
    url = server.route("/feed", Reply(status=404))
    run(capsys, "sources", "add", "rss", "Gone", "--set", f"url={url}")
    code, out, _ = run(capsys, "fetch")
    assert code == 1 and "FAIL  Gone: Nothing was found" in out


def test_bad_settings_are_explained(capsys):
    code, _, err = run(capsys, "sources", "add", "rss", "X", "--set", "colour=blue")
    assert code == 2 and "url" in err
    code, _, err = run(capsys, "sources", "add", "rss", "X")
    assert code == 2 and "Missing required setting: url" in err
    code, _, err = run(capsys, "sources", "add", "nope", "X")
    assert code == 2 and "No plugin called 'nope'" in err
    code, _, err = run(capsys, "sources", "remove", "ghost", "--yes")
    assert code == 2 and "no source with the id 'ghost'" in err


def test_secret_fields_go_to_the_keyring_not_the_config(memory_keyring, monkeypatch):
    fields = [ConfigField("password", "App password", "secret", required=True)]
    with pytest.raises(ConfigError, match="secret"):
        parse_config(fields, ["password=hunter2"])
    assert parse_config(fields, []) == {}
    assert memory_keyring.secrets == {}


def test_opml_import_adds_each_feed_once(capsys, fixtures):
    code, out, _ = run(capsys, "sources", "import", str(fixtures / "feeds" / "feeds.opml"))
    assert code == 0 and "Added 3 sources" in out
    code, out, _ = run(capsys, "sources", "import", str(fixtures / "feeds" / "feeds.opml"))
    assert "Added 0 sources" in out and "3 were already there" in out


def test_ward_editing(capsys, tmp_path):
    run(capsys, "ward", "set", "name", "Riverside")
    run(capsys, "ward", "add-term", "streets", "Oak Road", "Mill Lane")
    run(capsys, "ward", "add-term", "postcodes", "ac4 2")
    run(capsys, "ward", "remove-term", "streets", "Mill Lane")
    run(capsys, "ward", "set", "threshold", "0.5")
    out = run(capsys, "ward", "show")[1]
    assert "Riverside" in out and "Oak Road" in out and "Mill Lane" not in out and "AC4 2" in out and "0.50" in out
    assert run(capsys, "ward", "set", "threshold", "7")[0] == 2
    assert run(capsys, "ward", "add-term", "postcodes", "banana")[0] == 2
    boundary = tmp_path / "b.geojson"
    boundary.write_text(json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}))
    assert run(capsys, "ward", "set", "boundary", str(boundary))[0] == 0
    exported = tmp_path / "ward.json"
    run(capsys, "ward", "export", str(exported))
    assert json.loads(exported.read_text())["boundary"]["type"] == "Polygon"
    (tmp_path / "junk.json").write_text("{not json")
    code, _, err = run(capsys, "ward", "import", str(tmp_path / "junk.json"))
    assert code == 2 and "not valid JSON" in err


@pytest.mark.realtime  # the Qt probe waits on a real child process with a time limit: under a faked clock
# Python's wait loop sleeps, and faketime makes that sleep fail
def test_doctor_reports_every_check(capsys):
    code, out, _ = run(capsys, "doctor")
    for name in ("Python", "Qt (desktop window)", "Database", "Password store", "Model files", "Source plugins",
                 "Data folder"):
        assert name in out
    assert "Qt starts" in out  # QT_QPA_PLATFORM=offscreen in the tests
    assert "FAIL" not in out


def test_console_script_runs_as_a_module(isolated_data_dir):
    done = subprocess.run([sys.executable, "-m", "networked_councillor", "--version"], capture_output=True,
                          text=True, timeout=60, env={**os.environ})
    assert done.returncode == 0 and "networked-councillor" in done.stdout


def test_fetching_a_source_that_does_not_exist_is_an_error(capsys):
    code, _, err = run(capsys, "fetch", "--source", "nope")
    assert code == 2 and "no source with the id 'nope'" in err


def test_a_second_fetch_while_one_runs_is_skipped_with_a_message(capsys, server, isolated_data_dir):
    """The window is fetching (it holds the data folder's fetch lock) when a scheduled fetch starts."""
    from networked_councillor.ingest.fetch_lock import only_fetch

    url = server.route("/feed", Reply(b'<rss version="2.0"><channel><item><guid>1</guid><title>Oak Road</title>'
                                      b"</item></channel></rss>"))
    run(capsys, "sources", "add", "rss", "Gazette", "--set", f"url={url}")
    with only_fetch(isolated_data_dir):
        scheduled = subprocess.run([sys.executable, "-m", "networked_councillor", "fetch"], capture_output=True,
                                   text=True, env={**os.environ, "NC_DATA_DIR": str(isolated_data_dir)})
        assert scheduled.returncode == 0 and "already running" in scheduled.stdout, scheduled.stderr
        assert server.hits("/feed") == [], "the second fetch asked for nothing"
    code, out, _ = run(capsys, "fetch")
    assert code == 0 and "1 new" in out, "the lock is let go when the first fetch ends"


def test_a_source_whose_secret_cannot_be_kept_is_not_added(capsys, monkeypatch, no_keyring):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "d0c5-k3y")
    code, _, err = run(capsys, "sources", "add", "discourse", "Private forum", "--set",
                       "base_url=https://forum.example", "--set", "api_username=jo", "--secret", "api_key")
    assert code == 2 and "password store" in err
    assert "No sources yet" in run(capsys, "sources", "list")[1]


def test_a_feed_cannot_reach_the_terminal_or_flood_the_database(capsys, server):
    """ESC and BEL in a feed would retitle or clear the councillor's terminal; a 10 MB title would stall every
    screen that shows it."""
    title = b"Oak Road \x1b]0;pwned\x07\x1b[2J closed " + b"y" * 10_000_000
    url = server.route("/feed", Reply(b'<rss version="2.0"><channel><item><guid>1</guid><title>' + title
                                      + b"</title><description>Oak Road \x1b[31mclosed</description></item>"
                                        b"</channel></rss>"))
    run(capsys, "sources", "add", "rss", "Gazette", "--set", f"url={url}", "--set", "ward_feed=yes")
    assert run(capsys, "fetch")[0] == 0
    code, out, _ = run(capsys, "items", "list", "--all")
    assert code == 0 and "Oak Road" in out and "\x1b" not in out and "\x07" not in out
    code, out, _ = run(capsys, "items", "list", "--all", "--json")
    (item,) = [json.loads(line) for line in out.splitlines()]
    assert len(item["title"]) <= 500
    code, out, _ = run(capsys, "items", "show", str(item["id"]))
    assert code == 0 and "\x1b" not in out and len(out) < 20_000


def test_opml_addresses_are_checked_as_sources_add_checks_them(capsys, tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text("""<?xml version="1.0"?><opml version="2.0"><body>
        <outline text="Script" xmlUrl="javascript:alert(1)"/>
        <outline text="Data" xmlUrl="data:text/xml,&lt;rss/&gt;"/>
        <outline text="Gopher" xmlUrl="gopher://gopher.example/feed"/>
        <outline text="Relative" xmlUrl="/feeds/news.xml"/>
        <outline text="Gazette" xmlUrl="https://gazette.example/rss"/>
    </body></opml>""", encoding="utf-8")
    code, out, _ = run(capsys, "sources", "import", str(opml))
    assert code == 1 and "Added 1 sources" in out and "4 could not be added" in out
    for name in ("Script", "Data", "Gopher", "Relative"):
        assert f"{name}: Feed address must be a web address" in out
    code, out, _ = run(capsys, "sources", "list")
    assert "Gazette" in out and "Script" not in out and "Relative" not in out
