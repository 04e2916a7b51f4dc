"""Bad input on the command line: a one-line message and exit 2, never a traceback, and nothing changed."""

import json

import pytest

from networked_councillor.base.errors import ConfigError
from networked_councillor.base.geo import Boundary
from networked_councillor.cli.main import main

SQUARE = [[-1.19, 52.27], [-1.14, 52.27], [-1.14, 52.30], [-1.19, 52.30], [-1.19, 52.27]]


def polygon(ring) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


FILES = {
    "points-as-objects.json": json.dumps(polygon([{"lon": x, "lat": y} for x, y in SQUARE])),
    "nested-arrays.json": "[" * 100_000 + "]" * 100_000,
    "nested-objects.json": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "nan.json": '{"type": "Polygon", "coordinates": [[[NaN, 52], [-1, 53], [0, 53], [NaN, 52]]]}',
    "infinity.json": '{"type": "Polygon", "coordinates": [[[Infinity, 52], [-1, 53], [0, 53], [Infinity, 52]]]}',
    "off-the-map.json": json.dumps(polygon([[500, 52], [-1, 953], [0, 53], [500, 52]])),
    "swapped.json": json.dumps(polygon([[y, x] for x, y in SQUARE])),  # still on the map: accepted, see below
    "booleans.json": json.dumps(polygon([[True, False], [True, True], [False, True], [True, False]])),
    "ring-as-text.json": '{"type": "Polygon", "coordinates": "abc"}',
    "not-utf8.json": b"\xff\xfe\x00bad",
    "empty.json": "",
    "a-list.json": "[1, 2, 3]",
    "ward-with-a-deep-boundary.json": '{"name": "x", "boundary": ' + '{"a":' * 50_000 + "1" + "}" * 50_000 + "}",
}


@pytest.fixture
def files(tmp_path):
    for name, content in FILES.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return tmp_path


def run(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as exited:  # argparse's own refusals
        code = exited.code
    out, err = capsys.readouterr()
    return code, out, err


BAD = [
    ("ward", "set", "boundary", "{files}/points-as-objects.json"),
    ("ward", "set", "boundary", "{files}/nested-arrays.json"),
    ("ward", "set", "boundary", "{files}/nested-objects.json"),
    ("ward", "set", "boundary", "{files}/nan.json"),
    ("ward", "set", "boundary", "{files}/infinity.json"),
    ("ward", "set", "boundary", "{files}/off-the-map.json"),
    ("ward", "set", "boundary", "{files}/booleans.json"),
    ("ward", "set", "boundary", "{files}/ring-as-text.json"),
    ("ward", "set", "boundary", "{files}/not-utf8.json"),
    ("ward", "set", "boundary", "{files}/empty.json"),
    ("ward", "set", "boundary", "{files}/missing.json"),
    ("ward", "set", "boundary", "{files}"),
    ("ward", "import", "{files}/nested-arrays.json"),
    ("ward", "import", "{files}/nested-objects.json"),
    ("ward", "import", "{files}/ward-with-a-deep-boundary.json"),
    ("ward", "import", "{files}/points-as-objects.json"),
    ("ward", "import", "{files}/a-list.json"),
    ("ward", "set", "threshold", "NaN"),
    ("ward", "add-term", "streets", "x" * 100_000),
    ("items", "show", "99999999999999999999999"),
    ("items", "show", "-1"),
    ("items", "list", "--limit", "1e20"),
    ("items", "list", "--limit", "99999999999999999999999"),
    ("items", "list", "--limit", "0"),
    ("items", "search", "pothole", "--limit", "99999999999999999999999"),
    ("issues", "export", "--format", "pdf", "--from", "0001-01-01", "--to", "9999-12-31", "--out", "{files}/r.pdf"),
    ("issues", "export", "--format", "pdf", "--from", "1900-01-01", "--to", "2100-01-01", "--out", "{files}/r.pdf"),
    ("issues", "export", "--format", "pdf", "--from", "2026-13-01", "--out", "{files}/r.pdf"),
    ("model", "correct", "99999999999999999999999", "--topic", "parking"),
    ("privacy", "retention", "--days", "99999999999999999999999"),
    ("sources", "add", "rss", "X", "--set", "url=http://["),
    ("sources", "add", "rss", "X", "--set", "url=https://"),
    ("sources", "add", "planning", "X", "--set", "days=99999999999999999999999"),
    ("sources", "add", "planning", "X", "--set", "days=-4"),
    ("fetch", "--source", "nope"),
]


@pytest.mark.parametrize("args", BAD, ids=lambda args: " ".join(a[:30] for a in args)[:60])
def test_bad_input_is_one_line_and_exit_2_and_changes_nothing(capsys, files, args):
    run(capsys, "ward", "set", "name", "Millbrook")
    before = run(capsys, "ward", "export")[1] + run(capsys, "sources", "list")[1]
    code, _, err = run(capsys, *(a.format(files=files) for a in args))
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("Error: ")
    assert run(capsys, "ward", "export")[1] + run(capsys, "sources", "list")[1] == before


def test_a_boundary_with_longitude_and_latitude_swapped_is_still_a_polygon_on_the_map():
    """GeoJSON is [longitude, latitude]; swapped UK points are still on the map, so they cannot be refused here
    (the boundary then matches nothing, which `ward show` makes visible)."""
    assert Boundary(polygon([[y, x] for x, y in SQUARE])).polygons


@pytest.mark.parametrize("point, reason", [
    ({"lon": -1.19, "lat": 52.27}, "not \\[longitude, latitude\\]"),
    ([float("nan"), 52.27], "not \\[longitude, latitude\\]"),
    ([float("inf"), 52.27], "not \\[longitude, latitude\\]"),
    ([True, 52.27], "not \\[longitude, latitude\\]"),
    (["-1.19", "52.27"], "not \\[longitude, latitude\\]"),
    ([-1.19], "not \\[longitude, latitude\\]"),
    ([-181, 52.27], "off the map"),
    ([-1.19, 91], "off the map"),
])
def test_every_point_of_a_boundary_is_a_real_place(point, reason):
    with pytest.raises(ConfigError, match=reason):
        Boundary(polygon([point, *SQUARE[1:]]))
