"""Live state shared between the processes of a deployment (see `pipeline.live.base`)."""

from pipeline.live.base import (
    EscalationRecord,
    InProcessLive,
    LiveHub,
    LiveState,
    LiveStats,
    WriteSink,
)
from pipeline.service.store import Store

__all__ = ["EscalationRecord", "InProcessLive", "LiveHub", "LiveState", "LiveStats",
           "WriteSink", "live_from_settings"]


def live_from_settings(redis_url: str | None, *, prefix: str = "permanence",
                       lease_s: float = 3.0, store: Store | None = None) -> LiveState:
    """In process unless a Redis URL is configured; `store` is where this process drains the
    shared write stream when it holds the writer lease."""
    if not redis_url:
        return InProcessLive()
    from pipeline.live.redis_live import RedisLive

    live = RedisLive(redis_url, prefix=prefix, lease_s=lease_s)
    live.bind_store(store)
    return live
