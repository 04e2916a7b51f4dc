"""The reply checks on realistic councillor replies: what each should flag, and what it must leave alone."""

from datetime import date

import pytest

from networked_councillor.replies.checks import (
    ReplyContext,
    check_reply,
    length,
    parse_pre_election,
    parse_word_list,
    split_thread,
)

STREETS = ("Oak Road", "Mill Lane", "Station Road", "Cooper's Yard")
PURDAH = (date(2027, 3, 25), date(2027, 5, 6))
IN_PURDAH, OUTSIDE = date(2027, 4, 20), date(2027, 6, 1)


def context(**overrides) -> ReplyContext:
    values = {"platform": "bluesky", "streets": STREETS, "today": OUTSIDE, "pre_election": PURDAH,
              "blocked_words": ("shambles", "clowns"), "recipient": "Sam Patel",
              "own_details": ("jo.whitfield@ashcombe.gov.uk", "01234567890")}
    return ReplyContext(**{**values, **overrides})


# (reply, what the checks must find: codes of warn/block findings), grouped by what they are about.
CASES = [
    # clean, conversational replies
    ("Thanks for raising this, Sam. I've reported the pothole to highways and will let you know what they say.", set()),
    ("Hi Rich, that count is really useful. I've asked about signage and a 20mph limit during the works.", set()),
    ("Sorry to hear about the bins on Mill Lane – I'll chase the waste team today.", set()),
    ("Drop me a private message and we can talk it through.", set()),
    ("The council's contact centre is on 01223 457000 if you'd rather ring them directly.", set()),
    ("You can reach me at jo.whitfield@ashcombe.gov.uk or on 01234 567890.", set()),
    ("NHS 111 and the DVLA both have online forms; CCTV requests go to the police.", set()),
    ("Great news – the light on Nightingale Close was fixed yesterday.", set()),
    ("Highways say it will be fixed by the end of the month; I'll keep an eye on it.", set()),
    ("I can't guarantee an outcome, but I will make sure your concerns are heard.", set()),
    ("I hope it will be sorted soon.", set()),
    ("The works on Oak Road run until 6 January.", set()),
    ("Postcodes in AC4 2 are in the consultation area.", set()),
    ("Thank you Sam Patel, that's helpful.", set()),
    # personal data in a public reply
    ("Thanks Sam, ring me on 07700 900123 and we can sort it.", {"phone_number"}),
    ("Call me on +44 7700 900123.", {"phone_number"}),
    ("Their number is 020 7946 0018.", {"phone_number"}),
    ("Her mobile is 07700 900123 – the council's team has it too.", {"phone_number"}),
    ("Call the council's housing team on 07700 900123.", {"phone_number"}),
    ("Email sam.patel@example.org and mention my name.", {"email_address"}),
    ("I've spoken to the family at 14 Oak Road about it.", {"home_address"}),
    ("The flooding at 3 Mill Lane is the worst I've seen.", {"home_address"}),
    ("Is that the house at AC4 2RD?", {"postcode"}),
    ("Your NI number JH 12 34 56 C is on the form, I can see.", {"ni_number"}),
    ("HMRC's example number QQ 12 34 56 C is not a real one.", set()),
    ("Happy birthday! Born 14/03/1962, you'd never know.", {"date_of_birth"}),
    # tone
    ("I WILL NOT accept this.", {"shouting"}),
    ("This is not acceptable!!!", {"punctuation_run"}),
    ("Oh great, another expert. Thanks for nothing.", {"sarcasm"}),
    ("Yeah, right. As I've already said, it's in hand.", {"sarcasm"}),
    # blocked words and conduct
    ("What a shambles this has been.", {"blocked_word"}),
    ("Absolute Clowns, the lot of them.", {"blocked_word"}),
    ("I'll make sure it gets fixed by Friday.", {"promise"}),
    ("I promise the bins will be collected tomorrow.", {"promise"}),
    ("This will definitely be sorted this week.", {"promise"}),
    ("The planning officer, John Smith, is useless and should be sacked.", {"officer_criticism"}),
    ("I spoke to Mrs Jenkins next door and she agrees.", {"names_person"}),
]

PRE_ELECTION = [
    ("Vote for me on 6 May and I'll keep fighting for Millbrook.", {"pre_election_campaigning"}),
    ("Labour has let this ward down for years.", {"pre_election_campaigning"}),
    ("Proud to announce a new council scheme for Millbrook Park!", {"pre_election_publicity"}),
    ("The council has launched its new recycling service.", {"pre_election_publicity"}),
    ("Thanks for the photo, I've passed it to highways.", set()),
]


def flagged(text, ctx):
    return {f.code for f in check_reply(text, ctx) if f.severity in ("block", "warn")}


@pytest.mark.parametrize("text, expected", CASES)
def test_each_reply_is_flagged_for_what_it_holds_and_nothing_else(text, expected):
    assert flagged(text, context()) == expected


@pytest.mark.parametrize("text, expected", PRE_ELECTION)
def test_campaigning_and_council_publicity_only_in_the_pre_election_period(text, expected):
    assert flagged(text, context(today=IN_PURDAH)) == expected
    assert flagged(text, context(today=OUTSIDE)) - {"pre_election_campaigning", "pre_election_publicity"} == set()
    assert not flagged(text, context(today=OUTSIDE)) & {"pre_election_campaigning", "pre_election_publicity"}


def test_every_finding_says_why_and_what_to_do_and_points_at_the_words():
    text = "Ring me on 07700 900123 – I WILL get this fixed!!!"
    findings = check_reply(text, context())
    assert findings[0].severity == "block", "the most serious first"
    for finding in findings:
        assert finding.message and finding.fix
        start, end = finding.span
        assert 0 <= start < end <= len(text)
    phone = next(f for f in findings if f.code == "phone_number")
    assert text[slice(*phone.span)].strip() == "07700 900123"


def test_a_private_message_may_carry_contact_details():
    assert not flagged("Ring me on 07700 900123.", context(public=False)) & {"phone_number"}


def test_the_tone_model_is_asked_only_with_enough_words_and_a_failing_model_is_ignored():
    calls = []

    def cross(text):
        calls.append(text)
        return "negative", 0.95

    assert "negative_tone" in flagged("That is frankly not good enough from you.", context(sentiment=cross))
    assert "negative_tone" not in flagged("Thanks!", context(sentiment=cross)) and len(calls) == 1

    def broken(text):
        raise RuntimeError("model file missing")

    assert flagged("Thanks for raising this with me.", context(sentiment=broken)) == set()


def test_bluesky_counts_graphemes_and_mastodon_counts_links_as_23():
    family = "👨‍👩‍👧‍👦"
    assert length(family * 300, "bluesky") == 300 and "too_long" not in flagged(family * 300, context())
    assert "too_long" in flagged(family * 301, context())
    flag = "🏴󠁧󠁢󠁷󠁬󠁳󠁿"  # Wales: one grapheme, many code points
    assert length(flag, "bluesky") == 1
    link = "https://www.ashcombe.gov.uk/roads/roadworks-and-closures/oak-road-gas-main-replacement-2026"
    assert length(link, "mastodon") == 23 and length(link, "bluesky") == len(link)
    assert length("@jo@mastodon.social hi", "mastodon") == len("@jo hi")


@pytest.mark.parametrize("platform, limit", [("bluesky", 300), ("mastodon", 500)])
def test_a_long_reply_splits_into_a_numbered_thread_that_fits_and_loses_nothing(platform, limit):
    sentences = [f"Point {n}: the diversion via Mill Lane needs signs at both ends and a 20mph limit." for n in
                 range(1, 25)]
    text = " ".join(sentences)
    parts = split_thread(text, platform)
    assert len(parts) > 1 and all(length(p, platform) <= limit for p in parts)
    assert [p.rsplit(" (", 1)[1] for p in parts] == [f"{n}/{len(parts)})" for n in range(1, len(parts) + 1)]
    assert " ".join(p.rsplit(" (", 1)[0] for p in parts) == text, "split between sentences, nothing lost"


def test_settings_are_read_leniently_and_bad_dates_explained():
    assert parse_word_list("shambles, clowns\nuseless ") == ["shambles", "clowns", "useless"]
    assert parse_pre_election({"start": "2027-03-25", "end": "2027-05-06"}) == PURDAH
    assert parse_pre_election(None) is None
    with pytest.raises(Exception, match="ends before it starts"):
        parse_pre_election({"start": "2027-05-06", "end": "2027-03-25"})


def test_a_broken_check_does_not_stop_the_others():
    def boom(text, ctx):
        raise ValueError("bug")

    from networked_councillor.replies.checks import CHECKS

    findings = check_reply("Ring me on 07700 900123", context(), checks=(boom, *CHECKS))
    assert {f.code for f in findings} >= {"phone_number"}
