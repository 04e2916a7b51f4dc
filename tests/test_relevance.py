"""Ward relevance and the evidence behind it."""

import json

import pytest
from helpers import MILLBROOK

from networked_councillor.base import paths, postcodes
from networked_councillor.base.errors import ConfigError
from networked_councillor.base.geo import Boundary
from networked_councillor.base.ward import WardProfile
from networked_councillor.ingest.relevance import RelevanceScorer


@pytest.fixture
def scorer():
    return RelevanceScorer(MILLBROOK)


def terms(evidence):
    return [(e.kind, e.term) for e in evidence]


def test_street_names_match_whole_words_case_and_abbreviation_insensitively(scorer):
    assert terms(scorer.score("huge pothole on oak rd again")[1]) == [("street", "Oak Road")]
    assert terms(scorer.score("Coopers Yard is a tip")[1]) == [("street", "Cooper's Yard")]
    assert scorer.score("Oakroadster festival")[1] == []
    assert scorer.score("soak road salt")[1] == []


def test_longest_place_wins(scorer):
    assert terms(scorer.score("Dog mess all over Millbrook Park")[1]) == [("place", "Millbrook Park")]


def test_postcodes_full_sector_and_district(scorer):
    assert terms(scorer.score("Call me, I'm at ac42rd")[1]) == [("postcode sector", "AC4 2")]
    assert terms(scorer.score("Anyone in AC4 3 lost a cat?")[1]) == [("postcode sector", "AC4 3")]
    assert terms(scorer.score("Deliveries to AC4 are late")[1]) == [("postcode district", "AC4")]
    assert terms(scorer.score("AC4 9ZZ is not ours, nor is AC44")[1]) == [("postcode district", "AC4")]
    assert terms(scorer.score("Nothing in AC5 1AA")[1]) == []


def test_a_district_alone_is_not_enough_but_a_street_is(scorer):
    assert scorer.score("Deliveries to AC4 are late")[0] < MILLBROOK.threshold
    assert scorer.score("Bins missed on Mill Lane")[0] >= MILLBROOK.threshold


def test_hashtags_handles_and_squashed_street_hashtags(scorer):
    assert terms(scorer.score("Great day #millbrook")[1]) == [("hashtag", "#Millbrook")]
    assert terms(scorer.score("Closed again #OakRoad")[1]) == [("street", "Oak Road")]
    score, evidence = scorer.score("@cllr-jo-whitfield.bsky.social can you help?")
    assert terms(evidence) == [("handle", "cllr-jo-whitfield.bsky.social")] and score >= 0.7
    assert terms(scorer.score("hello", mentions=["cllr-jo-whitfield.bsky.social"])[1]) == [
        ("handle", "cllr-jo-whitfield.bsky.social")]


def test_mastodon_handles_match_with_or_without_the_instance():
    ward = WardProfile.from_dict({"name": "X", "handles": ["@jo@mastodon.social"]})
    scorer = RelevanceScorer(ward)
    assert scorer.score("thanks @jo@mastodon.social")[1]
    assert scorer.score("thanks @jo")[1]


def test_points_inside_the_boundary_count(scorer):
    assert terms(scorer.score("", lat=52.285, lon=-1.17)[1]) == [("boundary", "inside the ward boundary")]
    assert scorer.score("", lat=52.40, lon=-1.17)[1] == []


def test_evidence_combines_without_passing_one(scorer):
    score, evidence = scorer.score("Oak Road, Mill Lane and Church Walk #Millbrook AC4 2RD", lat=52.285, lon=-1.17)
    assert len(evidence) == 6 and 0.99 < score < 1.0


def test_boundary_with_a_hole_and_a_multipolygon():
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    far = [[20, 20], [30, 20], [30, 30], [20, 30], [20, 20]]
    b = Boundary({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[square, hole], [far]]}})
    assert b.contains(lat=1, lon=1) and b.contains(lat=25, lon=25)
    assert not b.contains(lat=5, lon=5) and not b.contains(lat=15, lon=15)


@pytest.mark.parametrize("bad", [{"type": "Point", "coordinates": [0, 0]}, {"type": "Polygon", "coordinates": [[[0, 0]]]},
                                 {"type": "Polygon", "coordinates": "nonsense"}, []])
def test_bad_boundaries_are_refused_plainly(bad):
    with pytest.raises(ConfigError):
        Boundary(bad)


def test_postcode_normalisation():
    assert postcodes.normalise("ac42rd") == "AC4 2RD"
    assert postcodes.normalise(" ac4   2 ") == "AC4 2"
    assert postcodes.normalise("CB12") == "CB12"
    assert [postcodes.kind(p) for p in ("AC4 2RD", "AC4 2", "AC4")] == ["full", "sector", "district"]
    with pytest.raises(ValueError):
        postcodes.kind("HELLO")


def test_ward_profile_validates_and_normalises_terms():
    ward = WardProfile.from_dict({"name": "X", "postcodes": ["ac4 2rd", "AC4 2RD"], "hashtags": ["Millbrook"],
                                  "handles": ["@jo.bsky.social", "jo@mastodon.social"], "_about": "ignored"})
    assert ward.postcodes == ["AC4 2RD"]
    assert ward.hashtags == ["#Millbrook"]
    assert ward.handles == ["jo.bsky.social", "@jo@mastodon.social"]
    for bad in ({"postcodes": ["not a postcode"]}, {"threshold": 2}, {"streets": "Oak Road"},
                {"boundary": {"type": "Point"}}):
        with pytest.raises(ConfigError):
            WardProfile.from_dict(bad)


def test_demo_ward_profile_loads():
    ward = WardProfile.load(paths.training_material_dir() / "demo_ward" / "ward.json")
    assert ward.is_set_up and ward.boundary and "Oak Road" in ward.streets
    assert json.loads(json.dumps(ward.to_dict()))["name"] == "Millbrook"
