"""Ward set-up from a postcode, against a local postcodes.io and MapIt on 127.0.0.1."""

import json

import pytest
from helpers import close_app
from localserver import Reply

from networked_councillor.app import App
from networked_councillor.base.errors import ConfigError
from networked_councillor.cli.main import main
from networked_councillor.ingest.wardsetup import WardFinder, ward_defaults
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.store import settings as settings_store

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def services(server, fixtures):
    folder = fixtures / "wardsetup"
    server.route("/postcodes/CB11AA", Reply((folder / "postcodes_io_lookup_CB11AA.json").read_bytes(), headers=JSON))
    server.route("/postcodes", Reply((folder / "postcodes_io_reverse_CB1.json").read_bytes(), headers=JSON))
    server.route("/postcode/CB11AA", Reply((folder / "mapit_postcode_CB11AA.json").read_bytes(), headers=JSON))
    server.route("/area/160601.geojson", Reply((folder / "mapit_area_160601.geojson").read_bytes(), headers=JSON))
    return server


def setup_args(server, postcode="CB1 1AA"):
    return ["ward", "setup", postcode, "--postcodes-url", server.base, "--mapit-url", server.base]


def test_setup_from_a_postcode_makes_a_ward_with_a_boundary(services, capsys, isolated_data_dir):
    assert main(setup_args(services)) == 0
    out = capsys.readouterr().out
    assert "Petersfield ward (E05013050), Cambridge, Cambridgeshire" in out
    assert "from MapIt (area 160601)" in out and "4 postcodes found in the ward, in 2 sectors" in out
    app = App(isolated_data_dir, log_to_file=False)
    with app.store.read() as db:
        ward = settings_store.load_ward(db)
    app.close()
    assert (ward.name, ward.council, ward.gss_code) == ("Petersfield", "Cambridge", "E05013050")
    assert ward.boundary["type"] == "Polygon"
    assert ward.postcodes == ["CB1 1", "CB1 2"]  # sectors of the postcodes in the ward; CB1 3 is Romsey's
    assert ward.places == ["Petersfield"]  # "unparished area" is not a place
    lookups = [r for r in services.requests if r.path.startswith("/postcodes?")]
    assert lookups and all("radius=2000" in r.path for r in lookups)


def test_then_a_fetch_ranks_an_item_inside_the_boundary_above_one_outside(services, capsys, isolated_data_dir):
    main(setup_args(services))
    feed = (b'<?xml version="1.0"?><rss version="2.0" xmlns:georss="http://www.georss.org/georss"><channel>'
            b"<item><guid>in</guid><title>Broken bench</title><description>The bench by the bus stop is broken"
            b"</description><georss:point>52.2035 0.131</georss:point></item>"
            b"<item><guid>out</guid><title>Broken bench</title><description>Another bench is broken"
            b"</description><georss:point>52.2500 0.200</georss:point></item></channel></rss>")
    url = services.route("/reports.xml", Reply(feed))
    main(["sources", "add", "rss", "Reports", "--set", f"url={url}"])
    assert main(["fetch", "--source", "reports"]) == 0
    capsys.readouterr()
    main(["items", "list", "--all", "--json"])
    rows = {json.loads(line)["text"][:7]: json.loads(line) for line in capsys.readouterr().out.splitlines()}
    inside, outside = rows["The ben"], rows["Another"]
    assert inside["relevance"] > outside["relevance"]
    assert {"kind": "boundary", "term": "inside the ward boundary"} in inside["evidence"]
    assert outside["relevance"] == 0


def test_an_unknown_or_malformed_postcode_is_explained(services, capsys):
    services.route("/postcodes/ZZ99ZZ", Reply(b'{"status":404,"error":"Postcode not found"}', status=404, headers=JSON))
    assert main(setup_args(services, "ZZ9 9ZZ")) == 2
    assert "does not know the postcode ZZ9 9ZZ" in capsys.readouterr().err
    requests_before = len(services.requests)
    assert main(setup_args(services, "not a postcode")) == 2
    assert "not a full UK postcode" in capsys.readouterr().err
    assert len(services.requests) == requests_before  # refused before asking anyone


def test_mapit_down_still_sets_up_the_ward_without_a_boundary(services, tmp_path):
    services.route("/postcode/CB11AA", Reply(b"oops", status=500))
    with HttpClient(retries=0) as http:
        setup = WardFinder(http, tmp_path, postcodes_url=services.base, mapit_url=services.base).find("cb11aa")
    assert setup.ward == "Petersfield" and setup.boundary is None
    assert any("boundary could not be fetched" in note for note in setup.notes)


def test_results_are_cached_so_a_second_setup_works_offline(services, tmp_path):
    with HttpClient() as http:
        first = WardFinder(http, tmp_path, postcodes_url=services.base, mapit_url=services.base).find("CB1 1AA")
    services.routes.clear()  # the services go away
    with HttpClient(retries=0) as http:
        again = WardFinder(http, tmp_path, postcodes_url=services.base, mapit_url=services.base).find("CB1 1AA")
    assert again.boundary == first.boundary and again.postcodes == first.postcodes


def test_the_mapit_key_never_reaches_the_cache(services, tmp_path):
    with HttpClient() as http:
        WardFinder(http, tmp_path, postcodes_url=services.base, mapit_url=services.base,
                   mapit_key="sekret-key").find("CB1 1AA")
    assert any("api_key=sekret-key" in r.path for r in services.requests)
    assert not any("sekret" in p.name or "sekret" in p.read_text() for p in tmp_path.iterdir())


def test_a_mapit_key_given_on_the_command_line_is_kept_in_the_keyring_and_used(services, isolated_data_dir,
                                                                               monkeypatch):
    from networked_councillor.base.secrets import SecretStore

    monkeypatch.setattr("getpass.getpass", lambda prompt: "council-key-42")
    assert main([*setup_args(services), "--mapit-key"]) == 0
    assert SecretStore("mapit").get("api_key") == "council-key-42"
    assert any("api_key=council-key-42" in r.path for r in services.requests)


def test_ward_defaults_feed_new_sources_settings(services, tmp_path):
    with HttpClient() as http:
        setup = WardFinder(http, tmp_path, postcodes_url=services.base, mapit_url=services.base).find("CB1 1AA")
    values = ward_defaults(setup.profile())
    assert values["ward"] == "Petersfield" and values["postcode_district"] == "CB1"
    assert 52.19 < values["lat"] < 52.22 and 0.11 < values["lon"] < 0.15


def test_existing_streets_are_kept_when_the_same_ward_is_set_up_again(services, tmp_path):
    with HttpClient() as http:
        setup = WardFinder(http, tmp_path, postcodes_url=services.base, mapit_url=services.base).find("CB1 1AA")
    first = setup.profile()
    first.add_term("streets", "Mill Road")
    assert "Mill Road" in setup.profile(first).streets
    with pytest.raises(ConfigError):
        with HttpClient() as http:
            WardFinder(http, tmp_path).find("CB1")


def test_the_set_up_my_ward_dialog(qtbot, services, isolated_data_dir):
    from networked_councillor.ui.main_window import MainWindow
    from networked_councillor.ui.tasks import TaskRunner

    app = App(isolated_data_dir, log_to_file=False)
    with app.store.write() as db:
        settings_store.set_setting(db, "services.postcodes_io", services.base)
        settings_store.set_setting(db, "services.mapit", services.base)
    window = MainWindow(app, runner=TaskRunner(inline=True), welcome=False)
    qtbot.addWidget(window)
    window.ward_action.trigger()
    dialog = window.ward_dialog
    dialog.postcode.setText("cb1 1aa")
    dialog.look_up.click()
    assert "Petersfield" in dialog.result.text() and "CB1 1, CB1 2" in dialog.result.text()
    dialog.use.click()
    assert window.ward.name == "Petersfield" and window.ward.boundary
    assert "Petersfield ward" in window.windowTitle()
    close_app(window)
