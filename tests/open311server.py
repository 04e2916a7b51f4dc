"""The pretend council's Open311 service (`networked_councillor.demo.open311`), made to misbehave on cue.

`interrupt` makes the next requests to a resource fail (5xx, 429, a garbled
answer) before the service sees them, as real councils' gateways do.
"""

from __future__ import annotations

from pathlib import Path

from localserver import Reply

from networked_councillor.demo.open311 import LocalCouncil

FIXTURES = Path(__file__).parent / "fixtures" / "open311"


class Open311Server(LocalCouncil):
    def __init__(self, *, api_key: str | None = "s3cret-key", jurisdiction_id: str | None = None) -> None:
        super().__init__(api_key=api_key, jurisdiction_id=jurisdiction_id)
        self.interruptions: dict[str, list[Reply]] = {}
        self.start()

    def interrupt(self, resource: str, *replies: Reply) -> None:
        """The next requests to ``resource`` (e.g. "requests.json") get these replies instead, in turn."""
        self.interruptions.setdefault(resource, []).extend(replies)

    def intercept(self, resource: str | None):
        waiting = self.interruptions.get(resource or "")
        if not waiting:
            return None
        reply = waiting.pop(0)
        return reply.status, reply.body, reply.headers

    @property
    def requests(self) -> list:
        return self.received
