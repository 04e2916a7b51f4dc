"""Suggested drafts: the topic's template filled for this resident, the councillor's own templates and saved
replies, and their past replies to the most similar posts found by stored embeddings."""

import json

import numpy as np
import pytest
from helpers import MILLBROOK

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError, NcError
from networked_councillor.replies import drafts
from networked_councillor.replies.context import SIGNATURE_KEY
from networked_councillor.replies.drafting import first_name, fit_parts, similar_replies, suggest_draft
from networked_councillor.replies.length import length
from networked_councillor.replies.placeholders import fill, unknown_placeholders
from networked_councillor.replies.snippets import (
    add_snippet,
    delete_snippet,
    fill_snippet,
    list_snippets,
    update_snippet,
)
from networked_councillor.replies.templates import DEFAULTS, PARTS, reset_template, save_template, template_for
from networked_councillor.store import settings as settings_store

NOW = "2026-11-24T10:00:00+00:00"


def add_item(db, item_id, text, *, topic="roads_pavements", author=("Sam Patel", "sampatel.bsky.social"),
             street="Oak Road", vector=None):
    known = db.execute("SELECT id FROM authors WHERE handle = ?", [author[1]]).fetchone()
    author_id = known[0] if known else db["authors"].insert(
        {"source_id": "s", "handle": author[1], "display_name": author[0]}).last_pk
    evidence = [{"kind": "street", "term": street}] if street else []
    db["items"].insert({"id": item_id, "source_id": "s", "external_id": f"x{item_id}", "text": text,
                        "topic": topic, "author_id": author_id, "evidence": json.dumps(evidence),
                        "first_seen_at": NOW})
    if vector is not None:
        vector = np.asarray(vector, dtype=np.float32)
        vector /= np.linalg.norm(vector)
        db["embeddings"].insert({"item_id": item_id, "model": "minilm", "dim": len(vector),
                                 "vector": vector.tobytes()})
    return item_id


@pytest.fixture
def db(store):
    with store.write() as database:
        settings_store.save_ward(database, MILLBROOK, NOW)
        yield database


def test_a_draft_acknowledges_informs_and_invites_this_resident(db):
    add_item(db, 1, "Huge pothole on Oak Road again")
    draft = suggest_draft(db, 1)
    assert draft.parts["acknowledge"].startswith("Hi Sam, thanks for flagging the road on Oak Road")
    assert "highways" in draft.parts["inform"] and "(ref" not in draft.parts["inform"], "no casework: no reference"
    assert draft.text == " ".join(draft.parts[p] for p in PARTS) and draft.source == "default"
    assert draft.missing == [] and "{" not in draft.text


def test_the_casework_reference_and_signature_are_filled_in(db):
    add_item(db, 1, "Street light out", topic="street_lighting")
    db["issues"].insert({"id": 1, "reference": "MI-0042", "title": "Light out", "status": "new",
                         "created_at": NOW, "updated_at": NOW}, alter=True)
    db["issue_items"].insert({"issue_id": 1, "item_id": 1, "linked_at": NOW}, alter=True)
    save_template(db, "street_lighting", "Hi {name}.", "Logged as {issue_ref}.", "Thanks, {councillor}", NOW)
    settings_store.set_setting(db, SIGNATURE_KEY, "Cllr Jo Whitfield")
    draft = suggest_draft(db, 1)
    assert draft.text == "Hi Sam. Logged as MI-0042. Thanks, Cllr Jo Whitfield" and draft.source == "custom"


def test_own_templates_override_the_default_until_reset(db):
    add_item(db, 1, "Bins not collected", topic="bins_recycling", street="Mill Lane")
    unknown = save_template(db, "bins_recycling", "Hello {name}, about {street}.", "On it.", "Ask {nmae}.", NOW)
    assert unknown == ["nmae"], "a misspelt placeholder is reported"
    assert template_for(db, "bins_recycling").custom
    assert suggest_draft(db, 1).text.startswith("Hello Sam, about Mill Lane. On it.")
    with pytest.raises(ConfigError):
        save_template(db, "bins_recycling", "", " ", "", NOW)
    assert reset_template(db, "bins_recycling") and not template_for(db, "bins_recycling").custom
    assert template_for(db, "a_topic_of_my_own").topic == "general", "topics without a template use the general one"


def test_every_standard_template_fits_bluesky_with_long_names():
    context = {"name": "Charlotte", "street": "Kingsway Parade", "place": "Millbrook Park", "ward": "Millbrook",
               "issue_ref": "MI-0042", "councillor": ""}
    for template in DEFAULTS.values():
        text = " ".join(fill(getattr(template, part), context)[0] for part in PARTS)
        assert length(text, "bluesky") <= 300, template.topic
        assert not unknown_placeholders(text)


def test_a_draft_too_long_for_the_platform_loses_its_asides_first():
    parts = {"acknowledge": "Hi Sam, thanks – " + "really " * 40 + "kind.", "inform": "I'll ask highways.",
             "invite": "Message me."}
    fitted = fit_parts(parts, "bluesky")
    assert fitted["acknowledge"] == "Hi Sam, thanks." and fitted["inform"] == parts["inform"]
    assert fit_parts(parts, None) == parts, "no limit, no change"


def test_optional_words_vanish_with_a_missing_value_and_unknown_ones_stay_visible():
    assert fill("the pothole[ on {street}].", {"street": None}) == ("the pothole.", [])
    text, missing = fill("Hi {name}, see {issue_ref}.", {"name": "Sam"})
    assert text == "Hi Sam, see {issue_ref}." and missing == ["issue_ref"]


@pytest.mark.parametrize("display, handle, expected", [
    ("Sam Patel", "sampatel.bsky.social", "Sam"),
    ("Dr Priya Shah", None, "Priya"),
    ("MARGARET E", None, "Margaret"),
    ("Millbrook Residents' Association", "millbrookra.bsky.social", "there"),
    (None, "sam_jones", "Sam"),
    (None, "u/brookside_bev", "there"),
    ("", "@dave_99", "there"),
    ("Oak Road Watch", None, "there"),
])
def test_first_names_only_when_it_is_clearly_a_person(display, handle, expected):
    assert first_name(display, handle, not_names={"oak", "road"}) == expected


def test_past_replies_to_the_most_similar_posts_are_offered(db):
    add_item(db, 1, "Pothole on Oak Road", vector=[1, 0.1, 0])
    add_item(db, 2, "Another pothole on Oak Road", vector=[1, 0.15, 0.05])
    add_item(db, 3, "Lovely litter pick", vector=[0, 0, 1])
    add_item(db, 4, "Potholes again", vector=[0.9, 0.2, 0])
    drafts.record_posted(db, 2, "bluesky", "Thanks, reported to highways.", NOW)
    drafts.record_posted(db, 3, "bluesky", "What a turnout, thank you all!", NOW)
    drafts.record_posted(db, 4, "bluesky", "Thanks, reported to highways.", NOW)
    drafts.save_draft(db, 1, "bluesky", "an unposted draft is not a past reply", NOW)
    found = similar_replies(db, 1)
    assert [r.text for r in found] == ["Thanks, reported to highways."], "each text once, dissimilar left out"
    assert found[0].item_id in (2, 4) and 0.9 < found[0].similarity <= 1
    assert similar_replies(db, 99) == []


def test_no_embedding_no_similar_replies_but_still_a_draft(db):
    add_item(db, 1, "Pothole")
    assert similar_replies(db, 1) == [] and suggest_draft(db, 1).similar == []
    with pytest.raises(NcError):
        suggest_draft(db, 404)


def test_saved_replies_are_kept_filled_and_validated(db):
    add_item(db, 1, "Pothole")
    snippet, unknown = add_snippet(db, "Reported", "Thanks {name}, I've reported {street} to highways.", NOW)
    assert unknown == []
    assert fill_snippet(db, snippet, {"name": "Sam", "street": "Oak Road"}) == (
        "Thanks Sam, I've reported Oak Road to highways.", [])
    assert update_snippet(db, snippet, "Reported", "See {isue_ref}", NOW) == ["isue_ref"]
    with pytest.raises(ConfigError):
        add_snippet(db, "  ", "text", NOW)
    assert [s["name"] for s in list_snippets(db)] == ["Reported"]
    assert delete_snippet(db, snippet) and list_snippets(db) == []


def test_drafts_keep_one_open_draft_per_item_and_record_what_was_posted(db):
    add_item(db, 1, "Pothole")
    first = drafts.save_draft(db, 1, "bluesky", "Thanks", NOW)
    assert drafts.save_draft(db, 1, "bluesky", "Thanks, Sam", clock.now_iso()) == first
    assert drafts.open_draft(db, 1)["text"] == "Thanks, Sam"
    drafts.record_posted(db, 1, "bluesky", "Thanks, Sam", NOW, external_id="at://x", url="https://bsky.app/x")
    assert drafts.open_draft(db, 1) is None
    (posted,) = drafts.posted_replies(db, 1)
    assert posted["id"] == first and posted["posted_url"] == "https://bsky.app/x"
    assert db.execute("SELECT state FROM items WHERE id = 1").fetchone()[0] == "replied"
    drafts.save_draft(db, 1, None, "second thoughts", NOW)
    assert drafts.discard_draft(db, 1, NOW) and drafts.open_draft(db, 1) is None
    assert drafts.save_draft(db, 1, None, "   ", NOW) is None
