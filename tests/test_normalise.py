"""Sanitising untrusted HTML, plain text, UTC times."""

from datetime import datetime, timedelta, timezone

from networked_councillor.base.text import MAX_ADDRESS_CHARS, MAX_LINE_CHARS, fold_whitespace, sanitise_html
from networked_councillor.ingest.normalise import MAX_TEXT_CHARS, link_key, normalise, to_utc
from networked_councillor.plugin_api.source import Author, RawItem


def test_scripts_styles_frames_images_and_handlers_are_removed():
    dirty = ('<div style="background:url(http://x.example/a.png)" onmouseover="x()">'
             '<script>evil()</script><style>body{}</style><iframe src="http://x.example"></iframe>'
             '<img src="http://x.example/pixel.gif" alt="pixel"><object data="x"></object>'
             '<svg><script>more()</script></svg><form action="http://x.example"><input></form>'
             '<a href="javascript:alert(1)">js</a> <a href="https://ok.example/page">ok</a></div>')
    clean = sanitise_html(dirty)
    for bad in ("script", "evil", "style", "iframe", "<img", "pixel.gif", "object", "svg", "<form", "<input",
                "javascript", "onmouseover", "x.example"):
        assert bad not in clean, bad
    assert '<a href="https://ok.example/page" rel="noopener noreferrer nofollow">ok</a>' in clean


def test_a_block_that_starts_mid_line_starts_a_new_line():
    item = normalise(RawItem("1", html="It feels unsafe. Please prioritise.<p>State: investigating</p>"))
    assert item.row["text"] == "It feels unsafe. Please prioritise.\nState: investigating"
    assert normalise(RawItem("2", html="<p>One</p><p>Two</p>")).row["text"] == "One\nTwo", "no more than before"


def test_plain_text_keeps_paragraphs_and_folds_spaces():
    item = normalise(RawItem("1", html="<p>First   line<br>second</p>\n\n<p>Third &amp; last</p>"))
    assert item.row["text"] == "First line\nsecond\n\nThird & last"
    assert fold_whitespace("a \t b\r\n\r\n\r\n c ") == "a b\n\nc"


def test_one_megabyte_of_html_is_capped():
    huge = "<p>" + ("word " * 200_000) + "</p>" + "<script>x()</script>" * 1000
    item = normalise(RawItem("1", html=huge))
    assert len(item.row["text"]) <= MAX_TEXT_CHARS + 2
    assert "<script" not in item.row["html"]


def test_times_become_utc_and_naive_times_are_taken_as_utc():
    bst = timezone(timedelta(hours=1))
    assert to_utc(datetime(2026, 6, 1, 12, 0, tzinfo=bst)) == "2026-06-01T11:00:00+00:00"
    assert to_utc(datetime(2026, 6, 1, 12, 0)) == "2026-06-01T12:00:00+00:00"
    assert to_utc(None) is None


def test_impossible_coordinates_are_dropped():
    assert normalise(RawItem("1", text="x", lat=152.0, lon=1.0)).row["lat"] is None
    assert normalise(RawItem("1", text="x", lat=0.0, lon=0.0)).row["lat"] is None
    assert normalise(RawItem("1", text="x", lat="52.1", lon="-1.2")).row["lat"] == 52.1


def test_link_key_ignores_urls_case_and_punctuation_but_not_words():
    a = link_key("Flytipping", "Mattresses dumped behind Cooper's Yard again https://t.example/1")
    b = link_key("flytipping", "Mattresses dumped behind Coopers Yard again!! https://other.example/2")
    assert a == link_key("FLYTIPPING", "Mattresses, dumped behind Cooper's Yard again")
    assert a != link_key("Flytipping", "Mattresses dumped behind Cooper's Yard yesterday")
    assert b is not None and link_key(None, "Thanks!") is None


def test_source_hash_changes_with_content_not_with_nothing():
    first = normalise(RawItem("1", text="a", engagement={"likes": 1}))
    assert first.row["source_hash"] == normalise(RawItem("1", text="a", engagement={"likes": 1})).row["source_hash"]
    assert first.row["source_hash"] != normalise(RawItem("1", text="a", engagement={"likes": 2})).row["source_hash"]


def test_terminal_escapes_and_other_control_characters_never_get_in():
    escape = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
    item = normalise(RawItem(f"id{escape}", title=f"Road closed{escape}", text=f"Oak Road{escape} shut\x00 today",
                             author=Author(f"jo{escape}", f"Jo{escape} Bloggs", f"https://x.example/{escape}jo"),
                             categories=[f"roads{escape}"], thread_id="t1", thread_title=f"Thread{escape}"))
    stored = [*item.row.values(), *item.author, *item.thread]
    assert not any(ch in str(value) for value in stored for ch in "\x1b\x07\x00")
    assert item.row["title"] == "Road closed]0;pwned[2J[31m" and item.row["text"].startswith("Oak Road")
    assert item.author[0] == "jo]0;pwned[2J[31m"
    assert fold_whitespace("tab\tand\nnewline") == "tab and\nnewline", "tab and newline are whitespace, not controls"


def test_every_stored_field_is_capped_however_much_a_feed_sends():
    ten_mb = "x" * 10_000_000
    item = normalise(RawItem(ten_mb, url="https://x.example/" + ten_mb, title=ten_mb, text=ten_mb,
                             author=Author(ten_mb, ten_mb, ten_mb), parent_id=ten_mb, thread_id=ten_mb,
                             thread_title=ten_mb, categories=[ten_mb] * 1000, langs=[ten_mb] * 1000,
                             engagement={"likes": 3, "boosts": 10**400, "odd": "lots"},
                             enclosures=[{"url": ten_mb, "length": 5}] * 1000, extra={"x": ten_mb}, raw={"x": ten_mb}))
    row = item.row
    assert len(row["title"]) <= MAX_LINE_CHARS and len(row["text"]) <= MAX_TEXT_CHARS + 2
    for key in ("external_id", "url", "parent_external_id"):
        assert len(row[key]) <= MAX_ADDRESS_CHARS, key
    assert len(item.author[0]) <= MAX_LINE_CHARS and len(item.author[2]) <= MAX_ADDRESS_CHARS
    assert len(item.thread[0]) <= MAX_ADDRESS_CHARS and len(item.thread[1]) <= MAX_LINE_CHARS
    assert sum(len(row[k] or "") for k in ("categories", "langs", "enclosures", "engagement")) < 200_000
    assert row["engagement"] == '{"likes":3}', "only real counts"
    assert row["extra"] is None and row["raw"] is None, "a payload too big to keep is left out"
