"""Aggregates for the reports page (no personal data): volume by day and hour, by intent and
urgency, time to handoff, acknowledgment times, correction rate."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from pipeline.service.db import Call
from pipeline.service.store import Store


def _stats(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "median": None, "p90": None, "max": None}
    v = sorted(values)

    def q(p: float) -> float:
        return round(v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))], 2)

    return {"n": len(v), "median": q(0.5), "p90": q(0.9), "max": round(v[-1], 2)}


def _histogram(values: list[float], edges: tuple[float, ...]) -> list[dict[str, Any]]:
    bins = [0] * (len(edges) + 1)
    for x in values:
        i = 0
        while i < len(edges) and x >= edges[i]:
            i += 1
        bins[i] += 1
    labels = [f"<{edges[0]:g}s"] + [f"{a:g}-{b:g}s" for a, b in zip(edges, edges[1:],
                                                                      strict=False)]
    labels.append(f">={edges[-1]:g}s")
    return [{"label": lab, "count": c} for lab, c in zip(labels, bins, strict=True)]


def compute(store: Store, days: int, timezone: str = "Europe/Paris",
            now: float | None = None) -> dict[str, Any]:
    current = time.time() if now is None else now
    since = current - days * 86400.0
    tz = ZoneInfo(timezone)
    with store.session(read=True) as s:
        rows = s.execute(select(
            Call.started_at, Call.intent, Call.urgency, Call.handoff_t, Call.handoff_at,
            Call.acknowledged_at, Call.corrected, Call.action, Call.red_flags,
        ).where(Call.started_at >= since)).all()
    by_day: Counter[str] = Counter()
    by_hour = [0] * 24
    intents: Counter[str] = Counter()
    urgencies: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    to_handoff: list[float] = []
    ack: list[float] = []
    corrected = 0
    for started, intent, urgency, handoff_t, handoff_at, ack_at, was_corrected, action, rf in rows:
        local = datetime.fromtimestamp(started, tz)
        by_day[local.date().isoformat()] += 1
        by_hour[local.hour] += 1
        intents[intent or "unknown"] += 1
        urgencies[urgency or "unknown"] += 1
        actions[action or "none"] += 1
        for f in (rf or "").split(","):
            if f:
                flags[f] += 1
        if handoff_t is not None:
            to_handoff.append(float(handoff_t))
        if ack_at is not None and handoff_at is not None:
            ack.append(max(0.0, float(ack_at) - float(handoff_at)))
        corrected += bool(was_corrected)
    start_day = datetime.fromtimestamp(since, tz).date()
    end_day = datetime.fromtimestamp(current, tz).date()
    day_series = []
    d = start_day
    while d <= end_day:
        day_series.append({"day": d.isoformat(), "count": by_day.get(d.isoformat(), 0)})
        d = d.fromordinal(d.toordinal() + 1)
    total = len(rows)
    return {
        "days": days, "total_calls": total,
        "volume_by_day": day_series,
        "volume_by_hour": [{"hour": h, "count": c} for h, c in enumerate(by_hour)],
        "by_intent": dict(intents.most_common()),
        "by_urgency": dict(urgencies.most_common()),
        "by_red_flag": dict(flags.most_common()),
        "by_action": dict(actions.most_common()),
        "time_to_handoff_s": _stats(to_handoff),
        "time_to_handoff_histogram": _histogram(to_handoff, (5, 10, 20, 30, 60)),
        "ack_time_s": _stats(ack),
        "ack_time_histogram": _histogram(ack, (10, 30, 60, 120, 300)),
        "corrected_calls": corrected,
        "correction_rate": round(corrected / total, 4) if total else 0.0,
    }
