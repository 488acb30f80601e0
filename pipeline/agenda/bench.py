"""``permanence bench agenda``: the booking path on the embedded default (SQLite, WAL), without
CalDAV (the sync runs after the commit, in its own thread, and never delays a booking).

- slot search: a caller's words -> SlotQuery -> two proposals, over an agenda already holding
  bookings (what the voice agent does on each request);
- booking: sequential, uncontended, one transaction each (appointment + cells + audit);
- contention: N threads booking random slots of one week (many collide): commits per second,
  conflicts refused, and that no two appointments of a practitioner overlap;
- one slot, 20 bookers at once: exactly one wins.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from agenda import Slot, parse_slot_request
from pipeline.agenda.service import PracticeAgendaConfig, practice_agenda_config
from pipeline.agenda.store import AgendaStore, BookingRequest, PatientIn, SlotTaken, Source
from pipeline.service.store import Store
from pipeline.settings import Settings

PHRASES = ("mardi prochain en fin de matinée", "le plus tôt possible", "pas avant 17 h",
           "avec le docteur Martin jeudi", "next Tuesday late morning", "demain après-midi",
           "la semaine prochaine le matin avec le docteur Durand", "le 15 à 10 h 30")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(_pct(values, 0.5) * 1e3, 2),
            "p95_ms": round(_pct(values, 0.95) * 1e3, 2),
            "mean_ms": round(statistics.fmean(values) * 1e3, 2) if values else 0.0,
            "n": len(values)}


def _week_slots(store: AgendaStore, now: datetime, days: int = 7) -> list[Slot]:
    cfg = store.config
    out: list[Slot] = []
    day0 = cfg.local(now).date() + timedelta(days=1)
    for i in range(days):
        for p in cfg.practitioners:
            out.extend(store.agenda.day_slots(day0 + timedelta(days=i), p, cfg.default_type, now))
    return out


def run_bench(*, searches: int = 200, bookings: int = 200, threads: int = 8,
              attempts: int = 400, seed: int = 7,
              practice: PracticeAgendaConfig | None = None) -> dict[str, Any]:
    """``practice``: whose agenda (its practitioners, hours and types; scoped rows as in a
    deployment of several); the single practice file's when None."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="permanence-bench-agenda-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        chosen = practice or practice_agenda_config(settings)
        store = Store(settings.effective_database_url)
        agenda = AgendaStore(store, chosen.config, scoped=chosen.scoped)
        cfg = agenda.config
        now = datetime(2026, 12, 1, 8, 0, tzinfo=cfg.tz).astimezone(UTC)

        def request(slot: Slot, i: int) -> BookingRequest:
            return BookingRequest(
                start=slot.start, practitioner=slot.practitioner, type=slot.type,
                patient=PatientIn(f"Patient {i}", date(1970 + i % 40, 1 + i % 12, 1 + i % 28)),
                actor="bench", source=Source.API)

        # Sequential bookings over the coming weeks (also the load the searches run on).
        pool = []
        for week in range(4):
            pool.extend(_week_slots(agenda, now + timedelta(days=7 * week)))
        rng.shuffle(pool)
        book_t: list[float] = []
        for i, slot in enumerate(pool[:bookings]):
            t0 = time.perf_counter()
            with contextlib.suppress(SlotTaken):
                agenda.book(request(slot, i), now)
            book_t.append(time.perf_counter() - t0)

        search_t: list[float] = []
        for i in range(searches):
            phrase = PHRASES[i % len(PHRASES)]
            t0 = time.perf_counter()
            query = parse_slot_request(phrase, cfg, now, "en" if "next" in phrase else "fr")
            agenda.agenda.propose(query, now, agenda.busy_for_search(now, query.practitioner))
            search_t.append(time.perf_counter() - t0)

        # Contention: every thread books random slots of one week (later than the above).
        later_week = _week_slots(agenda, now + timedelta(days=35))
        targets = [rng.choice(later_week) for _ in range(attempts)]
        lock = threading.Lock()
        outcome = {"booked": 0, "conflicts": 0, "errors": 0}
        latencies: list[float] = []
        start_gate = threading.Barrier(threads)

        def worker(k: int) -> None:
            start_gate.wait()
            for j in range(k, attempts, threads):
                t0 = time.perf_counter()
                try:
                    agenda.book(request(targets[j], 10_000 + j), now)
                    key = "booked"
                except SlotTaken:
                    key = "conflicts"
                except Exception:  # noqa: BLE001 - counted, reported
                    key = "errors"
                dt = time.perf_counter() - t0
                with lock:
                    outcome[key] += 1
                    latencies.append(dt)

        t_start = time.perf_counter()
        pool_threads = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for t in pool_threads:
            t.start()
        for t in pool_threads:
            t.join()
        elapsed = time.perf_counter() - t_start

        # Invariant: no two booked appointments of one practitioner overlap.
        booked = agenda.between(now, now + timedelta(days=60))
        overlaps = 0
        by_p: dict[str, list[tuple[datetime, datetime]]] = {}
        for a in booked:
            by_p.setdefault(a.practitioner, []).append((a.slot.start, a.slot.end))
        for spans in by_p.values():
            spans.sort()
            overlaps += sum(1 for x, y in zip(spans, spans[1:], strict=False) if y[0] < x[1])

        # One slot, 20 bookers.
        one = _week_slots(agenda, now + timedelta(days=45))[0]
        wins = []
        gate = threading.Barrier(20)

        def racer(i: int) -> None:
            gate.wait()
            try:
                agenda.book(request(one, 50_000 + i), now)
                wins.append(i)
            except SlotTaken:
                pass

        racers = [threading.Thread(target=racer, args=(i,)) for i in range(20)]
        for t in racers:
            t.start()
        for t in racers:
            t.join()
        store.dispose()
    return {
        "backend": "sqlite",
        "practice": chosen.practice_id,
        "slot_search": _ms(search_t),
        "booking_sequential": _ms(book_t),
        "contention": {"threads": threads, "attempts": attempts, **outcome,
                       "bookings_per_s": round(outcome["booked"] / elapsed, 1),
                       "attempts_per_s": round(attempts / elapsed, 1),
                       "latency": _ms(latencies), "overlapping_appointments": overlaps},
        "one_slot_20_bookers": {"winners": len(wins)},
        "note": "2-core machine shared with other work: figures are inflated accordingly",
    }
