"""Render the demo ward's content into the feeds real services publish.

The content (`training_material/demo_ward/content.json`) is written once; the
feeds are rendered from it at load time with dates counted back from now, so
the demo always looks current: this week's rising topic really is this week's.
Each feed copies the shape of the real service's feed (FixMyStreet's ward
RSS with GeoRSS points, Reddit's Atom, Discourse's posts.rss, ...), so the
plugins read the demo exactly as they read the real thing.
"""

from __future__ import annotations

import hashlib
import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "georss": "http://www.georss.org/georss",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
}
for _prefix, _uri in NS.items():
    ET.register_namespace("" if _prefix == "atom" else _prefix, _uri)

BLUESKY_FILE = "bluesky_posts.json"
FMS = "https://fixmystreet.ashcombe.example"
GAZETTE = "https://www.ashcombegazette.example"
REDDIT = "https://www.reddit.example/r/Ashcombe"
FORUM = "https://forum.millbrook.example"
COUNCIL = "https://www.ashcombe.example"
RA = "https://millbrookresidents.example"


@dataclass(frozen=True, slots=True)
class DemoFeed:
    """One demo source: what it is called, its file, and how the RSS plugin should treat it."""

    name: str
    filename: str
    kind: str
    ward_feed: bool = False


class Renderer:
    def __init__(self, items: list[dict[str, Any]], points: dict[str, list[float]], now: datetime) -> None:
        self.items = items
        self.by_id = {i["id"]: i for i in items}
        self.points = points
        self.now = now.replace(microsecond=0)

    def when(self, item: dict[str, Any]) -> datetime:
        return self.now - timedelta(days=item["days_ago"])

    def point(self, item: dict[str, Any]) -> tuple[float, float] | None:
        """The place's point, nudged a little per item so reports do not stack on one pin."""
        base = self.points.get(item.get("place") or "")
        if not base:
            return None
        digest = hashlib.sha256(item["id"].encode()).digest()
        return base[0] + (digest[0] - 128) * 0.000004, base[1] + (digest[1] - 128) * 0.000006

    def of(self, channel: str, *, replies: bool | None = None) -> list[dict[str, Any]]:
        chosen = [i for i in self.items if i["channel"] == channel]
        if replies is not None:
            chosen = [i for i in chosen if (i["reply_to"] is not None) == replies]
        return sorted(chosen, key=lambda i: i["days_ago"])

    def root_of(self, item: dict[str, Any]) -> dict[str, Any]:
        while item.get("reply_to"):
            item = self.by_id[item["reply_to"]]
        return item

    def link(self, item: dict[str, Any]) -> str | None:
        """The web address a demo post is published at: the feeds write it, and the demo casework and the
        training exercises find posts by it."""
        channel = item["channel"]
        if channel == "fixmystreet":
            return f"{FMS}/report/{_num(item['id'], 7_700_000)}"
        if channel == "forum":
            root = self.root_of(item)
            thread = sorted((i for i in self.of("forum") if self.root_of(i) is root), key=lambda i: -i["days_ago"])
            return f"{FORUM}/t/{_num(root['id'], 100)}/{thread.index(item) + 1}"
        if channel == "news":
            return f"{GAZETTE}/news/{item['id']}"
        if channel == "reddit":
            root = self.root_of(item)
            link = f"{REDDIT}/comments/{_short_hash(root['id'], 6)}/{root['id']}/"
            return link + f"{_short_hash(item['id'], 7)}/" if item.get("reply_to") else link
        if channel in ("consultation", "meeting", "planning"):
            return f"{COUNCIL}/{channel}/{item['id']}"
        if channel == "blog":
            return f"{RA}/news/{item['id']}"
        if channel == "bluesky":
            return f"https://bsky.app/profile/{item['author_handle']}/post/{bluesky_rkey(item)}"
        return None


def bluesky_rkey(item: dict[str, Any]) -> str:
    return f"3lz{_short_hash(item['id'], 10)}"


def _short_hash(text: str, length: int) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:length]


def _num(item_id: str, base: int) -> int:
    return base + int(item_id.rsplit("-", 1)[1])


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())


def _rss(title: str, link: str, description: str) -> tuple[ET.Element, ET.Element]:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    for tag, value in (("title", title), ("link", link), ("description", description), ("language", "en-gb")):
        ET.SubElement(channel, tag).text = value
    return rss, channel


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    prefix, _, local = tag.rpartition(":")
    element = ET.SubElement(parent, f"{{{NS[prefix]}}}{local}" if prefix else local, attrs)
    element.text = text
    return element


def _atom(title: str, feed_id: str, link: str, updated: datetime) -> ET.Element:
    feed = ET.Element(f"{{{NS['atom']}}}feed")
    _sub(feed, "atom:title", title)
    _sub(feed, "atom:id", feed_id)
    _sub(feed, "atom:link", rel="alternate", href=link, type="text/html")
    _sub(feed, "atom:updated", updated.isoformat())
    return feed


def fixmystreet(r: Renderer, *, in_ward: bool) -> ET.Element:
    """FixMyStreet's ward feed (/rss/reports/Ashcombe/Millbrook), or its council-wide one for the rest."""
    area = "Millbrook ward, Ashcombe District Council" if in_ward else "Ashcombe District Council"
    path = "reports/Ashcombe/Millbrook" if in_ward else "reports/Ashcombe"
    rss, channel = _rss(f"Problems within {area}", f"{FMS}/{path}", f"Problems within {area} reported on FixMyStreet")
    for item in r.of("fixmystreet"):
        if item["in_ward"] != in_ward:
            continue
        when = r.when(item)
        entry = ET.SubElement(channel, "item")
        _sub(entry, "title", f"{item['title']}, {when:%H:%M}, {when:%a} {when.day} {when:%B %Y}")
        _sub(entry, "link", r.link(item))
        state = "" if item["fms_state"] == "open" else f"<p>State: {item['fms_state']}</p>"
        _sub(entry, "description", html.escape(item["text"]) + state)
        _sub(entry, "pubDate", format_datetime(when))
        _sub(entry, "category", item["fms_category"])
        _sub(entry, "guid", r.link(item))
        point = r.point(item)
        if point:
            _sub(entry, "georss:point", f"{point[0]:.6f} {point[1]:.6f}")
    return rss


def gazette(r: Renderer) -> ET.Element:
    rss, channel = _rss("Ashcombe Gazette: local news", GAZETTE, "News from Ashcombe and around")
    for item in r.of("news"):
        slug = item["id"]
        entry = ET.SubElement(channel, "item")
        _sub(entry, "title", item["title"])
        _sub(entry, "link", r.link(item))
        _sub(entry, "dc:creator", item["author_name"].split(",")[0])
        _sub(entry, "pubDate", format_datetime(r.when(item)))
        _sub(entry, "category", "Millbrook" if item["in_ward"] else "News")
        _sub(entry, "guid", f"{GAZETTE}/?p={_num(slug, 48_000)}", isPermaLink="false")
        _sub(entry, "description", html.escape(item["text"].split("\n\n")[0]))
        _sub(entry, "content:encoded", _paragraphs(item["text"]))
    return rss


def reddit(r: Renderer, *, comments: bool) -> ET.Element:
    """Reddit's /new/.rss (submissions) or /comments/.rss (replies), as Atom."""
    suffix = "comments" if comments else "new"
    feed = _atom(f"{'newest comments' if comments else 'newest submissions'} : Ashcombe",
                 f"/r/Ashcombe/{suffix}/.rss", f"{REDDIT}/{suffix}/", r.now)
    for item in r.of("reddit", replies=comments):
        root = r.root_of(item)
        post_id = _short_hash(root["id"], 6)
        user = item["author_handle"].removeprefix("u/")
        entry = _sub(feed, "atom:entry")
        author = _sub(entry, "atom:author")
        _sub(author, "atom:name", f"/u/{user}")
        _sub(author, "atom:uri", f"https://www.reddit.example/user/{user}")
        _sub(entry, "atom:category", term="Ashcombe", label="r/Ashcombe")
        link = r.link(item)
        if comments:
            comment_id = _short_hash(item["id"], 7)
            _sub(entry, "atom:id", f"t1_{comment_id}")
            _sub(entry, "atom:title", f"/u/{user} on {root['title']}")
        else:
            _sub(entry, "atom:id", f"t3_{post_id}")
            _sub(entry, "atom:title", item["title"])
        body = f'<!-- SC_OFF --><div class="md">{_paragraphs(item["text"])}</div><!-- SC_ON -->'
        if not comments:
            body += f' &#32; submitted by &#32; <a href="https://www.reddit.example/user/{user}"> /u/{user} </a>'
        _sub(entry, "atom:content", body, type="html")
        _sub(entry, "atom:link", href=link)
        when = r.when(item).isoformat()
        _sub(entry, "atom:updated", when)
        _sub(entry, "atom:published", when)
    return feed


def forum(r: Renderer) -> ET.Element:
    """Discourse's /posts.rss: every post, replies included, newest first."""
    rss, channel = _rss("Millbrook Community Forum - Latest posts", FORUM, "Latest posts")
    for item in r.of("forum"):
        link = r.link(item)
        topic, number = link.rsplit("/", 2)[1:]
        entry = ET.SubElement(channel, "item")
        _sub(entry, "title", r.root_of(item)["title"])
        _sub(entry, "dc:creator", item["author_handle"] or item["author_name"])
        _sub(entry, "description", _paragraphs(item["text"]))
        _sub(entry, "link", link)
        _sub(entry, "pubDate", format_datetime(r.when(item)))
        _sub(entry, "guid", f"forum.millbrook.example-post-{topic}-{number}", isPermaLink="false")
    return rss


def council(r: Renderer, channel_name: str) -> ET.Element:
    """The council's consultation, meeting and planning feeds (RSS 2.0, as their CMSs emit)."""
    titles = {
        "consultation": ("Ashcombe District Council: open consultations", f"{COUNCIL}/consultations"),
        "meeting": ("Ashcombe District Council: forthcoming meetings", f"{COUNCIL}/democracy"),
        "planning": ("Ashcombe District Council: planning applications validated", f"{COUNCIL}/planning"),
    }
    rss, channel = _rss(*titles[channel_name], "Ashcombe District Council")
    for item in r.of(channel_name):
        entry = ET.SubElement(channel, "item")
        title, text = item["title"], item["text"]
        event = item.get("event_date_days_ahead")
        if channel_name == "meeting" and event is not None:
            day = r.now + timedelta(days=event)
            title = f"{title.split(',')[0]}, {day.day} {day:%B %Y}, 7.00 pm"
        elif channel_name == "consultation" and event is not None:
            day = r.now + timedelta(days=event)
            verb = "Closes" if event >= 0 else "Closed"
            text = f"{text}\n\n{verb} {day.day} {day:%B %Y}."
        elif channel_name == "planning":
            title = f"{r.now:%y}/{title.split('/', 1)[1]}" if "/" in title else title
        slug = item["id"]
        _sub(entry, "title", title)
        _sub(entry, "link", r.link(item))
        _sub(entry, "description", _paragraphs(text))
        _sub(entry, "pubDate", format_datetime(r.when(item)))
        _sub(entry, "guid", f"{COUNCIL}/{channel_name}/{slug}")
        point = r.point(item)
        if point and channel_name == "planning":
            _sub(entry, "georss:point", f"{point[0]:.6f} {point[1]:.6f}")
    return rss


def residents_blog(r: Renderer) -> ET.Element:
    feed = _atom("Millbrook Residents' Association", f"{RA}/feed/atom", RA, r.now)
    for item in r.of("blog"):
        entry = _sub(feed, "atom:entry")
        _sub(entry, "atom:title", item["title"])
        _sub(entry, "atom:id", f"{RA}/?p={_num(item['id'], 300)}")
        _sub(entry, "atom:link", rel="alternate", href=r.link(item))
        author = _sub(entry, "atom:author")
        _sub(author, "atom:name", item["author_name"])
        when = r.when(item).isoformat()
        _sub(entry, "atom:published", when)
        _sub(entry, "atom:updated", when)
        _sub(entry, "atom:content", _paragraphs(item["text"]), type="html")
    return feed


FEEDS: list[tuple[DemoFeed, Callable[[Renderer], ET.Element]]] = [
    (DemoFeed("FixMyStreet: Millbrook ward", "fixmystreet_millbrook.xml", "report", ward_feed=True),
     lambda r: fixmystreet(r, in_ward=True)),
    (DemoFeed("FixMyStreet: all of Ashcombe", "fixmystreet_ashcombe.xml", "report"),
     lambda r: fixmystreet(r, in_ward=False)),
    (DemoFeed("Ashcombe Gazette", "ashcombe_gazette.xml", "article"), gazette),
    (DemoFeed("r/Ashcombe: new posts", "reddit_ashcombe_new.atom", "post"), lambda r: reddit(r, comments=False)),
    (DemoFeed("r/Ashcombe: comments", "reddit_ashcombe_comments.atom", "post"), lambda r: reddit(r, comments=True)),
    (DemoFeed("Millbrook Community Forum", "millbrook_forum_posts.rss", "post", ward_feed=True), forum),
    (DemoFeed("Council consultations", "council_consultations.rss", "consultation"), lambda r: council(r, "consultation")),
    (DemoFeed("Council meetings", "council_meetings.rss", "meeting"), lambda r: council(r, "meeting")),
    (DemoFeed("Planning applications", "council_planning.rss", "planning"), lambda r: council(r, "planning")),
    (DemoFeed("Millbrook Residents' Association", "residents_association.atom", "article", ward_feed=True),
     residents_blog),
]


FacetBuilder = Callable[[str, Callable[[str], str | None]], list[dict]]
"""text, resolve(handle) -> did: the facets of a post."""


def bluesky_posts(r: Renderer, councillor_handle: str, facets_for: FacetBuilder | None = None) -> list[dict]:
    """The demo's Bluesky posts as the real service's PostViews (searchPosts shape), threads included; with the
    Bluesky plugin's ``facets_for``, links, mentions and hashtags carry the facets a real client would add."""
    from networked_councillor.demo.bluesky import cid_for, did_for

    handles = {i["author_handle"]: did_for(i["author_handle"]) for i in r.of("bluesky")} | {
        councillor_handle: did_for(councillor_handle)}
    views: dict[str, dict] = {}
    for item in sorted(r.of("bluesky"), key=lambda i: -i["days_ago"]):  # parents before replies
        handle = item["author_handle"]
        uri = f"at://{handles[handle]}/app.bsky.feed.post/{bluesky_rkey(item)}"
        when = r.when(item).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = {"$type": "app.bsky.feed.post", "text": item["text"], "createdAt": when, "langs": ["en"]}
        facets = facets_for(item["text"], lambda h: handles.get(h)) if facets_for else None
        if facets:
            record["facets"] = facets
        parent = views.get(item["reply_to"] or "")
        if parent:
            parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
            record["reply"] = {"root": parent["record"].get("reply", {}).get("root", parent_ref), "parent": parent_ref}
        digest = hashlib.sha256(item["id"].encode()).digest()
        views[item["id"]] = {
            "uri": uri, "cid": cid_for(uri),
            "author": {"did": handles[handle], "handle": handle, "displayName": item["author_name"], "labels": []},
            "record": record, "replyCount": 0, "repostCount": digest[0] % 4, "likeCount": digest[1] % 25,
            "quoteCount": 0, "indexedAt": when, "labels": [],
        }
    for view in views.values():
        parent_uri = view["record"].get("reply", {}).get("parent", {}).get("uri")
        for other in views.values():
            if other["uri"] == parent_uri:
                other["replyCount"] += 1
    return list(views.values())


def render_all(material: Path, out_dir: Path, now: datetime, facets_for: FacetBuilder | None = None
               ) -> list[tuple[DemoFeed, Path]]:
    """Write every demo feed into ``out_dir``; return each feed with its file."""
    content = json.loads((material / "content.json").read_text(encoding="utf-8"))
    points_file = json.loads((material / "gazetteer_points.json").read_text(encoding="utf-8"))
    points = {**points_file["inside"], **points_file["outside"]}
    renderer = Renderer(content["items"], points, now)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for feed, render in FEEDS:
        root = render(renderer)
        ET.indent(root)
        path = out_dir / feed.filename
        ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
        written.append((feed, path))
    ward = json.loads((material / "ward.json").read_text(encoding="utf-8"))
    councillor = next(h for h in ward["handles"] if "@" not in h)
    (out_dir / BLUESKY_FILE).write_text(json.dumps(bluesky_posts(renderer, councillor, facets_for)), encoding="utf-8")
    return written
