"""What the softphone's API needs without loading pipecat or aiortc (the app starts without
them; they load with the first live call): the registry of live calls' bridges, the refusal
the API turns into an HTTP status, and a claim's ticket."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.softphone.bridge import CallBridge


class SoftphoneRefused(Exception):
    """A request the bridge refuses: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Claim:
    call_id: str
    ticket: str
    """One-time: redeemed by the softphone's offer, for this user and call only."""
    connect_timeout_s: float


class BridgeRegistry:
    """The bridges of this process's live calls, by call id (``app.state.softphone``)."""

    def __init__(self) -> None:
        self._bridges: list[CallBridge] = []

    def add(self, bridge: CallBridge) -> None:
        self._bridges.append(bridge)

    def remove(self, bridge: CallBridge) -> None:
        with contextlib.suppress(ValueError):
            self._bridges.remove(bridge)

    def get(self, call_id: str) -> CallBridge | None:
        for bridge in self._bridges:
            if bridge.call_id and bridge.call_id == call_id:
                return bridge
        return None

    def __len__(self) -> int:
        return len(self._bridges)
