"""The fictional demo ward (Millbrook, Ashcombe District Council), served from local files.

Everything runs offline: the feeds are rendered into the data folder and the
sources read them through ``file:`` addresses, with the same plugins and
pipeline as live feeds.
"""

from __future__ import annotations

import json
from pathlib import Path

from networked_councillor.base import clock, paths
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import ConfigError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.base.ward import WardProfile
from networked_councillor.demo.casework import load_demo_casework
from networked_councillor.demo.mail import load_demo_mail
from networked_councillor.demo.render import BLUESKY_FILE, render_all
from networked_councillor.ingest.sources import source_secrets
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store

DEMO_PREFIX = "demo-"
DEMO_BLUESKY = "demo-bluesky"
DEMO_HANDLE = "cllr-jo-whitfield.bsky.social"
DEMO_APP_PASSWORD = "demo-ward-only-on-this-computer"
"""The demo councillor's account on the demo's own Bluesky service, which runs only on this computer: not a
secret, so it lives in memory (`demo_secrets`), and posting in the demo ward works with no set-up."""


def demo_material() -> Path:
    folder = paths.training_material_dir() / "demo_ward"
    if not (folder / "content.json").is_file():
        raise ConfigError(f"The demo ward's files are missing from {folder}.",
                          hint="Reinstall the app from its source folder.")
    return folder


def load_demo(app, *, force: bool = False, fetch: bool = True) -> str:
    """Set up the demo ward and its sources here, fetch them, and say what happened."""
    material = demo_material()
    ward = WardProfile.load(material / "ward.json")
    with app.store.read() as db:
        current = settings_store.load_ward(db)
    if current.name and current.name != ward.name and not force:
        raise ConfigError(
            f"This data folder already holds the {current.name} ward; the demo would mix with it.",
            hint="Use --data-dir to put the demo in a folder of its own, or --force to load it here anyway.",
        )
    bluesky = app.registry.get("bluesky")
    feeds = render_all(material, app.data_dir / "demo_ward", clock.utcnow(),
                       facets_for=bluesky.facets_for if bluesky is not None else None)
    now = clock.now_iso()
    ids = []
    with app.store.write() as db:
        settings_store.save_ward(db, ward, now)
        existing = {row.id for row in source_store.all_sources(db)}
        for feed, path in feeds:
            source_id = DEMO_PREFIX + Path(feed.filename).stem.replace("_", "-")
            config = {"url": path.as_uri(), "ward_feed": feed.ward_feed, "kind": feed.kind}
            if source_id in existing:
                source_store.update_config(db, source_id, config)
            else:
                source_store.add(db, "rss", feed.name, config, now, source_id=source_id)
            ids.append(source_id)
        bluesky = {"service": "http://127.0.0.1:0", "demo": True, "first_days": 90, "search_ward": True,
                   "handle": DEMO_HANDLE}
        if DEMO_BLUESKY in existing:
            source_store.update_config(db, DEMO_BLUESKY, bluesky)
        else:
            source_store.add(db, "bluesky", "Bluesky: Millbrook", bluesky, now, source_id=DEMO_BLUESKY)
        ids.append(DEMO_BLUESKY)
    start_demo_services(app)
    lines = [f"Loaded the demo ward: {ward.name}, {ward.council}, with {len(ids)} sources."]
    if fetch:
        report = app.pipeline().fetch(ids)
        lines += [("  ok    " if o.ok else "  FAIL  ") + o.summary() for o in report.outcomes]
        lines.append(f"{report.new} new items. Try: networked-councillor items search pothole")
        with app.store.write() as db:
            issues = load_demo_casework(db, material, clock.utcnow())
        if issues:
            lines.append(f"{issues} casework issues logged. Try: networked-councillor issues list")
            mail = load_demo_mail(app, clock.utcnow())
            if mail:
                lines.append(f"{mail} residents' emails in Casework mail (Ctrl+8 in the app).")
    app.announce(Changes(ward=True, sources=True, inbox=True, issues=True))
    return "\n".join(lines)


def start_demo_services(app) -> None:
    """Serve the demo ward's Bluesky posts from a local service, if this data folder has the demo ward.

    The port changes each time, so the demo source's address is updated to match; everything stays on
    this computer.
    """
    posts_file = app.data_dir / "demo_ward" / BLUESKY_FILE
    with app.store.read() as db:
        has_demo = db.execute("SELECT 1 FROM sources WHERE id = ?", [DEMO_BLUESKY]).fetchone()
    if not has_demo or not posts_file.is_file():
        return
    from networked_councillor.demo.bluesky import LocalBluesky

    if getattr(app, "demo_bluesky", None) is None:
        app.demo_bluesky = LocalBluesky(json.loads(posts_file.read_text(encoding="utf-8")), require_auth=False,
                                        accounts={DEMO_HANDLE: DEMO_APP_PASSWORD})
        app.demo_bluesky.start()
        app.on_close.append(app.demo_bluesky.close)
    with app.store.write() as db:
        row = source_store.get(db, DEMO_BLUESKY)
        source_store.update_config(db, DEMO_BLUESKY, {"handle": DEMO_HANDLE, **row.config,
                                                      "service": app.demo_bluesky.url})
    memory: dict[str, str] = {}  # one per app: a session belongs to the one demo service that issued it
    app.secrets_for = lambda row: demo_secrets(row, memory) or source_secrets(row)


def demo_secrets(row, memory: dict[str, str]) -> SecretStore | None:
    """The demo Bluesky source's pretend account, kept in ``memory``; None for every other source."""
    if row.id != DEMO_BLUESKY or not row.config.get("demo"):
        return None
    memory.setdefault("app_password", DEMO_APP_PASSWORD)
    return SecretStore(row.id, memory=memory)
