"""A Jetstream stand-in on loopback: the real `websockets` server replaying a recorded stream, honouring ``cursor``.

The recording is WRITTEN HERE, not captured: it follows Jetstream's documented event format (README of
github.com/bluesky-social/jetstream: ``did``, ``time_us``, ``kind`` = commit | identity | account, and a commit's
``operation``, ``collection``, ``rkey``, ``record``, ``cid``). Post texts are the real public posts in the shared
fixture bluesky_searchPosts_response.json, mixed with sentences written here; a few mention the demo ward
(Millbrook) the way residents do, and the rest are the network's unrelated chatter, as on the real stream.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from websockets.sync.server import serve

SHARED = Path(__file__).parent / "fixtures" / "shared"
CHATTER = [
    "Just finished a 10k run and I am absolutely knackered but happy",
    "Does anyone know a good recipe for lemon drizzle cake that doesn't sink in the middle?",
    "The new season of that show is so much better than the last one",
    "Morning all! Coffee in hand, ready to tackle Monday",
    "Thread on why the 1990s were the best decade for music (1/12)",
    "My cat has decided the keyboard is her bed now. Working from home is going well.",
    "Hot take: pineapple on pizza is fine and we should all move on",
    "Anyone going to the conference in Lisbon next month?",
    "Brooklyn was freezing today, what a week for the subway to break down",
    "The oak tree in our garden finally dropped all its leaves",
    "Station wagons are underrated and I will die on this hill",
    "Watching the football with my dad, classic Sunday",
]
WARD = [
    "Fly-tipping again behind the garages on Oak Road, Millbrook. Third time this month!",
    "Huge thanks to the volunteers at Riverside Community Centre for the food bank this weekend",
    "The streetlight on Mill Lane has been out for a week now. Anyone reported it? #Millbrook",
    "Potholes on Station Road near Kingsway Parade are getting dangerous for cyclists",
    "Lovely morning at Millbrook Park, the new play area is brilliant",
    "Who do I talk to about the bins not being collected on Elm Grove, AC4 2? @cllr-jo-whitfield.bsky.social",
]


def real_texts() -> list[str]:
    path = SHARED / "bluesky_searchPosts_response.json"
    if not path.exists():
        return []
    return [p["record"]["text"] for p in json.loads(path.read_text())["posts"] if p.get("record", {}).get("text")]


def recording(count: int, *, start_us: int, ward_every: int = 200, seed: int = 7) -> list[str]:
    """``count`` Jetstream messages, one every ~3 ms (about the live rate), every ``ward_every``-th about the ward."""
    rng = random.Random(seed)
    texts = CHATTER + real_texts()
    messages, t = [], start_us
    for n in range(count):
        t += rng.randint(1_000, 5_000)
        did = f"did:plc:{rng.getrandbits(120):030x}"[:32]
        roll = rng.random()
        if roll < 0.03:
            messages.append(json.dumps({"did": did, "time_us": t, "kind": "identity", "identity": {
                "did": did, "handle": f"user{n}.bsky.social", "seq": n, "time": "2026-11-24T10:00:00.000Z"}},
                separators=(",", ":")))
            continue
        if roll < 0.06:
            messages.append(json.dumps({"did": did, "time_us": t, "kind": "commit", "commit": {
                "rev": f"3l{n:011d}", "operation": "delete", "collection": "app.bsky.feed.post",
                "rkey": f"3k{n:011d}"}}, separators=(",", ":")))
            continue
        about_ward = n % ward_every == ward_every // 2
        text = WARD[(n // ward_every) % len(WARD)] if about_ward else rng.choice(texts)
        record = {"$type": "app.bsky.feed.post", "createdAt": "2026-11-24T10:00:00.000Z", "langs": ["en"],
                  "text": f"{text} [{n}]"}
        messages.append(json.dumps({"did": did, "time_us": t, "kind": "commit", "commit": {
            "rev": f"3l{n:011d}", "operation": "create", "collection": "app.bsky.feed.post",
            "rkey": f"3l{n:011d}", "record": record, "cid": f"bafyrei{n:020d}"}},
            ensure_ascii=False, separators=(",", ":")))
    return messages


def ward_posts(messages: Sequence[str]) -> set[str]:
    """The at:// addresses of the recording's posts about the demo ward (what a listener must keep)."""
    found = set()
    for message in messages:
        event = json.loads(message)
        record = (event.get("commit") or {}).get("record") or {}
        if any(record.get("text", "").startswith(w) for w in WARD):
            found.add(f"at://{event['did']}/app.bsky.feed.post/{event['commit']['rkey']}")
    return found


class LocalJetstream:
    """Serves ``messages`` on ws://127.0.0.1:PORT/subscribe from the first with time_us >= cursor.

    ``per_second`` paces them (None: as fast as the client reads); ``drop_after`` closes each connection after
    that many messages, as a network cut does; ``garbage_at`` sends a message that is not JSON before that one.
    """

    def __init__(self, messages: Sequence[str], *, per_second: float | None = None, drop_after: int | None = None,
                 garbage_at: int | None = None, tls=None) -> None:
        self.messages = list(messages)
        self.times = [json.loads(m)["time_us"] for m in self.messages]
        self.per_second, self.drop_after, self.garbage_at = per_second, drop_after, garbage_at
        self.connections: list[str] = []
        self.sent = 0
        self.active = 0
        self._stop = threading.Event()
        self.server = serve(self._handle, "127.0.0.1", 0, ssl=tls)
        self.port = self.server.socket.getsockname()[1]
        self.address = f"{'wss' if tls else 'ws'}://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalJetstream:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        pause = threading.Event()
        for _ in range(500):  # handlers end once told to stop; websockets' shutdown would poll them with time.sleep,
            if not self.active:  # which a moved clock (faketime) breaks
                break
            pause.wait(0.01)
        pause.wait(0.05)
        self.server.shutdown()
        self.thread.join(timeout=10)

    def _handle(self, connection) -> None:
        self.active += 1
        try:
            self._serve(connection)
        finally:
            self.active -= 1

    def _serve(self, connection) -> None:
        path = connection.request.path
        self.connections.append(path)
        query = parse_qs(urlsplit(path).query)
        cursor = int(query.get("cursor", ["0"])[0])
        start = next((i for i, t in enumerate(self.times) if t >= cursor), len(self.messages))
        pace = 1.0 / self.per_second if self.per_second else 0.0
        for sent, i in enumerate(range(start, len(self.messages))):
            if self._stop.is_set() or (self.drop_after is not None and sent >= self.drop_after):
                return  # the connection closes: to the client, a dropped stream
            if i == self.garbage_at:
                connection.send("<html>502 Bad Gateway</html>")
            connection.send(self.messages[i])
            self.sent += 1
            if pace:
                self._stop.wait(pace)
        self._stop.wait()  # caught up: stay connected and quiet, as the live stream does between posts
