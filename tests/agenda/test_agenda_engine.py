"""The pure agenda engine: configuration, holidays, slot grid, a caller's words, read-back."""

from __future__ import annotations

import ast
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from agenda import (
    Agenda,
    AgendaConfigError,
    Busy,
    SlotQuery,
    Unbookable,
    agenda_from_practice,
    easter_sunday,
    french_holidays,
    load_agenda,
    parse_slot_request,
    say_slot,
)
from handoff import DEMO_PRACTICE_FILE, load_practice

PARIS = ZoneInfo("Europe/Paris")
# Wednesday 2 December 2026, 09:00 in Paris.
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=PARIS)


@pytest.fixture(scope="module")
def cfg():  # type: ignore[no-untyped-def]
    return load_agenda(DEMO_PRACTICE_FILE)


def test_handoff_still_loads_the_practice_with_an_agenda_section() -> None:
    practice = load_practice(None)
    assert practice.physician("dr-martin").name == "Dr Claire Martin"


def test_easter_and_french_holidays() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2038) == date(2038, 4, 25)
    days = french_holidays(2026)
    assert len(days) == 11
    assert days[date(2026, 4, 6)] == "Lundi de Pâques"
    assert days[date(2026, 5, 14)] == "Ascension"
    assert days[date(2026, 5, 25)] == "Lundi de Pentecôte"
    assert date(2026, 4, 3) not in days  # Good Friday: Alsace-Moselle only
    assert date(2026, 4, 3) in french_holidays(2026, "fr-alsace-moselle")
    assert french_holidays(2026, "none") == {}


def test_no_slot_on_a_public_holiday_or_a_closure(cfg) -> None:  # type: ignore[no-untyped-def]
    agenda = Agenda(cfg)
    martin = cfg.practitioner("dr-martin")
    # Friday 25 December 2026: Christmas.
    assert agenda.day_slots(date(2026, 12, 25), martin, "consultation", NOW) == []
    raw = yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
    raw["agenda"]["closures"] = [{"from": "2026-12-07", "to": "2026-12-08",
                                  "practitioner": "dr-martin", "reason": "congés"}]
    closed = agenda_from_practice(raw)
    assert Agenda(closed).day_slots(date(2026, 12, 8), closed.practitioner("dr-martin"),
                                    "consultation", NOW) == []
    assert Agenda(closed).day_slots(date(2026, 12, 8), closed.practitioner("dr-durand"),
                                    "consultation", NOW)
    start = datetime(2026, 12, 8, 10, 0, tzinfo=PARIS)
    assert Agenda(closed).unbookable(start, "dr-martin", "consultation", NOW) \
        is Unbookable.CLOSED_DAY


def test_grid_respects_hours_breaks_durations_and_busy(cfg) -> None:  # type: ignore[no-untyped-def]
    agenda = Agenda(cfg)
    martin = cfg.practitioner("dr-martin")
    day = date(2026, 12, 8)  # Tuesday: 08:30-12:30, 14:00-19:00
    slots = agenda.day_slots(day, martin, "first_visit", NOW)
    starts = [s.start.time() for s in slots]
    assert starts[0] == time(8, 30)
    assert time(12, 0) in starts and time(12, 15) not in starts  # 30 min must end by 12:30
    assert not any(time(12, 30) <= t < time(14, 0) for t in starts)  # lunch break
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)
    busy = [Busy("dr-martin", datetime(2026, 12, 8, 9, 0, tzinfo=PARIS),
                 datetime(2026, 12, 8, 9, 15, tzinfo=PARIS))]
    around = [s.start.time() for s in agenda.day_slots(day, martin, "first_visit", NOW, busy)]
    # 08:45 (until 09:15) and 09:00 overlap the busy quarter; 08:30 ends at 09:00, fine.
    assert time(8, 30) in around and time(8, 45) not in around and time(9, 0) not in around
    assert time(9, 15) in around
    assert agenda.unbookable(datetime(2026, 12, 8, 13, 0, tzinfo=PARIS), "dr-martin",
                             "consultation", NOW) is Unbookable.OUTSIDE_HOURS
    assert agenda.unbookable(datetime(2026, 12, 8, 9, 5, tzinfo=PARIS), "dr-martin",
                             "consultation", NOW) is Unbookable.OFF_GRID
    assert agenda.unbookable(datetime(2026, 12, 2, 9, 15, tzinfo=PARIS), "dr-martin",
                             "consultation", NOW) is Unbookable.TOO_SOON
    assert agenda.unbookable(NOW + timedelta(days=90), "dr-martin", "consultation", NOW) \
        is not None
    # Dr Nguyen sees patients on Monday, Wednesday and Friday afternoons only.
    assert agenda.day_slots(day, cfg.practitioner("dr-nguyen"), "consultation", NOW) == []


def test_urgent_reserve_is_same_day_and_released_before(cfg) -> None:  # type: ignore[no-untyped-def]
    agenda = Agenda(cfg)
    reserved = datetime(2026, 12, 2, 11, 45, tzinfo=PARIS)  # today, 11:45 reserved
    assert agenda.unbookable(reserved, "dr-martin", "consultation", NOW) \
        is Unbookable.RESERVED_FOR_URGENT
    assert agenda.unbookable(reserved, "dr-martin", "consultation", NOW, urgent=True) is None
    # An urgent caller cannot take next week's reserved slot in advance.
    later = reserved + timedelta(days=6)
    assert agenda.unbookable(later, "dr-martin", "consultation", NOW, urgent=True) \
        is Unbookable.RESERVED_FOR_URGENT
    # Unclaimed an hour before: anyone.
    assert agenda.unbookable(reserved, "dr-martin", "consultation",
                             reserved - timedelta(minutes=50)) is None
    today = agenda.propose(SlotQuery(days=(NOW.date(),), urgent=True, time_from=time(11, 30),
                                     time_to=time(12, 0)), NOW, count=5)
    assert any(s.urgent_reserved for s in today)


@pytest.mark.parametrize(("text", "language", "expect"), [
    ("mardi prochain en fin de matinée", "fr",
     {"days": (date(2026, 12, 8),), "time_from": time(10, 30), "time_to": time(12, 30)}),
    ("next Tuesday, late morning please", "en",
     {"days": (date(2026, 12, 8),), "time_from": time(10, 30), "time_to": time(12, 30)}),
    ("le plus tôt possible", "fr", {"asap": True, "days": ()}),
    ("as soon as possible", "en", {"asap": True}),
    ("pas avant 17 h", "fr", {"time_from": time(17, 0), "time_to": None}),
    ("not before 5 pm", "en", {"time_from": time(17, 0)}),
    ("avec le docteur Martin", "fr", {"practitioner": "dr-martin"}),
    ("with doctor Durand on Thursday", "en",
     {"practitioner": "dr-durand", "days": (date(2026, 12, 3),)}),
    ("avec le docteur Durant demain après-midi", "fr",
     {"practitioner": "dr-durand", "days": (date(2026, 12, 3),), "time_from": time(13, 0)}),
    ("la semaine prochaine le matin", "fr",
     {"practitioner": None, "time_to": time(12, 30), "days": tuple(
         date(2026, 12, 7) + timedelta(days=i) for i in range(7))}),
    ("le 8 décembre à 10 h 30", "fr", {"days": (date(2026, 12, 8),), "around": time(10, 30)}),
    ("on December 8th around 10:30", "en",
     {"days": (date(2026, 12, 8),), "around": time(10, 30)}),
    ("le 4 janvier", "fr", {"days": (date(2027, 1, 4),)}),
    ("avant 10h", "fr", {"time_to": time(10, 0), "time_from": None}),
    ("une téléconsultation jeudi", "fr", {"type": "teleconsultation"}),
    ("c'est la première fois que je viens", "fr", {"type": "first_visit"}),
    ("l'après-midi mais pas avant seize heures", "fr",
     {"time_from": time(16, 0), "time_to": time(19, 0)}),
    ("j'ai 3 enfants", "fr", {"time_from": None, "time_to": None, "days": ()}),
])
def test_caller_words_to_query(cfg, text: str, language: str, expect: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    q = parse_slot_request(text, cfg, NOW, language)  # type: ignore[arg-type]
    for key, value in expect.items():
        assert getattr(q, key) == value, (text, key, q.describe())


def test_proposals_match_the_request_and_read_back(cfg) -> None:  # type: ignore[no-untyped-def]
    agenda = Agenda(cfg)
    q = parse_slot_request("mardi prochain en fin de matinée avec le docteur Martin", cfg, NOW)
    slots = agenda.propose(q, NOW)
    assert 1 <= len(slots) <= 2
    for s in slots:
        assert s.practitioner == "dr-martin"
        assert s.start.date() == date(2026, 12, 8)
        assert time(10, 30) <= s.start.time() < time(12, 30)
    assert say_slot(slots[0], cfg) == "mardi 8 décembre à 10 h 30 avec le docteur Martin"
    assert say_slot(slots[0], cfg, "en") == "Tuesday 8 December at 10:30 a.m. with Doctor Martin"
    exact = agenda.propose(parse_slot_request("le 8 décembre à 10 h 30", cfg, NOW), NOW)
    assert exact[0].start.time() == time(10, 30)
    # Two proposals are a real choice: at least an hour apart.
    asap = agenda.propose(SlotQuery(asap=True), NOW)
    assert len(asap) == 2 and asap[1].start - asap[0].start >= timedelta(minutes=59)


def test_bad_agenda_sections_name_the_field() -> None:
    base = yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
    cases = [
        ({"types": [{"id": "x", "minutes": 20}]}, "agenda.types[0].minutes"),
        ({"hours": {"mon": [["12:00", "09:00"]]}}, "agenda.hours.mon[0]"),
        ({"hours": {"funday": []}}, "agenda.hours"),
        ({"default_type": "nope"}, "agenda.default_type"),
        ({"practitioners": [{"id": "ghost"}]}, "agenda.practitioners[0]"),
        ({"closures": [{"from": "2026-13-01"}]}, "agenda.closures[0].from"),
        ({"holidays": "de"}, "agenda.holidays"),
    ]
    for patch, field in cases:
        raw = {**base, "agenda": {**base["agenda"], **patch}}
        with pytest.raises(AgendaConfigError, match=field.replace("[", r"\[").replace("]", r"\]")):
            agenda_from_practice(raw)


def test_practice_without_agenda_section_gets_defaults() -> None:
    cfg = agenda_from_practice({"name": "x", "physicians": [{"id": "a", "name": "Dr A Dupont"}]})
    assert [p.id for p in cfg.practitioners] == ["a"]
    assert cfg.practitioner("a").spoken("fr") == "le docteur Dupont"
    assert cfg.default_type == "consultation"


def test_agenda_imports_no_pipeline_web_or_database() -> None:
    """The layering: agenda/ is an engine like classifier/."""
    root = Path(__file__).resolve().parents[2] / "agenda"
    forbidden = ("pipeline", "fastapi", "sqlalchemy", "pipecat", "caldav", "httpx", "handoff")
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
