"""In-process publish/subscribe for the dashboard push (websocket). Never blocks a call: a slow
dashboard loses its oldest messages (it reloads from the API), a call never waits for it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PushMessage:
    kind: str
    """call, transcript, classification, handoff, escalation, ack, hello."""
    call_id: str | None
    data: Mapping[str, Any]
    at: float = field(default_factory=time.time)
    practice: str | None = None
    """The practice whose call it is (multi-practice: who may see it); None: every user."""

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "call_id": self.call_id, "at": self.at,
                           "data": self.data}, default=str, ensure_ascii=False)


class Subscription:
    def __init__(self, broker: PushBroker, maxsize: int) -> None:
        self.queue: asyncio.Queue[PushMessage] = asyncio.Queue(maxsize=maxsize)
        self._broker = broker
        self.dropped = 0

    def offer(self, message: PushMessage) -> None:
        if self.queue.full():
            self.dropped += 1
            self.queue.get_nowait()
        self.queue.put_nowait(message)

    async def get(self) -> PushMessage:
        return await self.queue.get()

    def close(self) -> None:
        self._broker.unsubscribe(self)


class PushBroker:
    def __init__(self, maxsize: int = 1000) -> None:
        self._subs: set[Subscription] = set()
        self._maxsize = maxsize
        self.published = 0

    def subscribe(self) -> Subscription:
        sub = Subscription(self, self._maxsize)
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def publish(self, message: PushMessage) -> int:
        """Deliver to every subscriber now (must be called on the event loop's thread)."""
        self.published += 1
        for sub in list(self._subs):
            sub.offer(message)
        return len(self._subs)
