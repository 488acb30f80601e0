"""The agent's booking, moving and cancelling conversation on the real agenda (database, holds):
at most two proposals, read-back, booking on a clear yes, urgent same-day slots or a call-back,
identification by name + date of birth, and a human when answers stay unclear."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from agenda_testkit import NOW_LOCAL, PARIS, running_clock

from pipeline.agenda.conversation import (
    AgendaConversation,
    Caller,
    Goal,
    Step,
    goal_of,
    parse_birth_date,
    yes_no,
)


@pytest.fixture
def agenda(tmp_path: Path, agenda_template_db: Path) -> Iterator[Any]:
    from pipeline.agenda.service import AgendaService, agenda_config_for
    from pipeline.service.store import Store
    from pipeline.settings import Settings

    shutil.copy(agenda_template_db, tmp_path / "permanence.db")
    store = Store(f"sqlite:///{tmp_path / 'permanence.db'}")
    service = AgendaService(store, agenda_config_for(Settings(data_dir=tmp_path)),
                            practice_name="Cabinet des Tilleuls",
                            clock=running_clock(NOW_LOCAL))
    yield service
    store.dispose()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_book_two_proposals_read_back_and_book(agenda: Any) -> None:
    async def call() -> None:
        conv = AgendaConversation(agenda, Caller(name="Jeanne Dupont",
                                                 birth_date=date(1980, 4, 12),
                                                 call_id="call-1"), Goal.BOOK)
        r = await conv.start("je voudrais un rendez-vous mardi prochain en fin de matinée "
                             "avec le docteur Martin")
        assert r.step is Step.OFFER and r.kind == "offer"
        assert r.text.count(" avec le docteur Martin") == 2
        assert "mardi 8 décembre à 10 h 30 avec le docteur Martin" in r.text
        assert len(conv.offered) == 2 and len(conv.holds) == 2
        # Held: another caller is not offered these two.
        other = await agenda.propose(conv.query, count=2)
        assert not {s.start for s in other} & {s.start for s in conv.offered}

        r = await conv.on_turn("le premier")
        assert r.kind == "read_back"
        assert r.text == ("Je récapitule : mardi 8 décembre à 10 h 30 avec le docteur Martin. "
                          "Je confirme ce rendez-vous ?")
        r = await conv.on_turn("oui c'est parfait")
        assert r.kind == "booked" and r.finished and r.appointment is not None
        assert "mardi 8 décembre à 10 h 30 avec le docteur Martin" in r.text
        assert "rappelez le cabinet" in r.text  # what happens next
        assert conv.holds == []
        booked = await agenda.get(r.appointment.id)
        assert booked.source == "agent" and booked.call_id == "call-1"
        # The second proposal was released.
        free = await agenda.day_slots(date(2026, 12, 8), practitioner="dr-martin")
        assert conv.offered[1].start in {s.start for s in free}

    run(call())


def test_book_asks_wish_name_and_birth_date_english(agenda: Any) -> None:
    async def call() -> None:
        conv = AgendaConversation(agenda, Caller(call_id="c2"), Goal.BOOK, "en")
        r = await conv.start("")
        assert r.kind == "ask_wish"
        r = await conv.on_turn("not before 5 pm please")
        assert r.kind == "offer"
        assert all(conv.agenda.config.local(s.start).hour >= 17 for s in conv.offered)
        r = await conv.on_turn("the second one")
        assert r.kind == "read_back" and conv.chosen == conv.offered[1]
        r = await conv.on_turn("yes")
        assert r.kind == "ask_name"
        r = await conv.on_turn("my name is John Smith")
        assert r.kind == "ask_birth_date"
        r = await conv.on_turn("March 3rd, 1990")
        assert r.kind == "booked", r.text
        assert r.appointment.patient.name == "John Smith"
        assert r.appointment.patient.birth_date == date(1990, 3, 3)
        assert "p.m. with Doctor" in r.text

    run(call())


def test_urgent_caller_gets_a_reserved_same_day_slot_or_a_callback(agenda: Any) -> None:
    async def call() -> None:
        conv = AgendaConversation(agenda, Caller(name="Paul Roux", birth_date=date(1960, 1, 5),
                                                 urgency="urgent"), Goal.BOOK)
        r = await conv.start("c'est assez urgent")
        assert r.kind == "offer"
        today = agenda.config.local(agenda.now()).date()
        assert all(s.start.date() == today for s in conv.offered)
        assert any(s.urgent_reserved for s in conv.offered)
        while r.kind != "booked":
            r = await conv.on_turn("le premier" if r.kind == "offer" else "oui")
        assert r.appointment.urgent

    run(call())

    # Nothing left today: a call-back, not a later slot.
    from pipeline.agenda.service import AgendaService

    evening = AgendaService(agenda.db.store, agenda.config, practice_name="x",
                            clock=running_clock(datetime(2026, 12, 2, 18, 50)))

    async def call_late() -> None:
        conv = AgendaConversation(evening, Caller(urgency="urgent"), Goal.BOOK)
        r = await conv.start("")
        assert r.callback and r.finished and "rappelle aujourd'hui" in r.text

    run(call_late())


def test_an_emergency_never_reaches_booking(agenda: Any) -> None:
    with pytest.raises(ValueError, match="emergency"):
        AgendaConversation(agenda, Caller(urgency="emergency"), Goal.BOOK)  # type: ignore[arg-type]


def test_cancel_identifies_the_caller_and_picks_the_appointment(agenda: Any) -> None:
    from agenda import Slot
    from pipeline.agenda.store import BookingRequest, PatientIn, Source

    def book(start: datetime, who: str) -> Any:
        slot = Slot(start, start + timedelta(minutes=15), who, "consultation")
        return agenda.db.book(BookingRequest(
            start=slot.start, practitioner=who, type="consultation",
            patient=PatientIn("Jeanne Dupont", date(1980, 4, 12)), actor="x", source=Source.API),
            agenda.now())

    first = book(datetime(2026, 12, 8, 10, 30, tzinfo=PARIS), "dr-martin")
    second = book(datetime(2026, 12, 10, 15, 0, tzinfo=PARIS), "dr-durand")

    async def call() -> None:
        # Identified with the name as the recognizer heard it, and the date of birth.
        conv = AgendaConversation(agenda, Caller(name="jeanne dupond"), Goal.CANCEL)
        r = await conv.start()
        assert r.kind == "ask_birth_date"
        r = await conv.on_turn("je suis née le 12 avril 1980")
        assert r.kind == "list_appointments"
        assert ("mardi 8 décembre à 10 h 30 avec le docteur Martin" in r.text
                and "jeudi 10 décembre à 15 h avec le docteur Durand" in r.text)
        r = await conv.on_turn("celui de jeudi")
        assert r.kind == "confirm_cancel"
        r = await conv.on_turn("oui")
        assert r.kind == "cancelled" and r.appointment.id == second.id
        assert "jeudi 10 décembre à 15 h avec le docteur Durand est annulé" in r.text
        assert (await agenda.get(second.id)).status == "cancelled"
        assert (await agenda.get(first.id)).status == "booked"

        stranger = AgendaConversation(agenda, Caller(name="Marc Leroy",
                                                     birth_date=date(1980, 4, 12)), Goal.CANCEL)
        r = await stranger.start()
        assert r.handoff == "patient_not_found"

    run(call())


def test_move_to_another_slot(agenda: Any) -> None:
    from pipeline.agenda.store import BookingRequest, PatientIn, Source

    start = datetime(2026, 12, 8, 10, 30, tzinfo=PARIS)
    appt = agenda.db.book(BookingRequest(
        start=start, practitioner="dr-martin", type="consultation",
        patient=PatientIn("Jeanne Dupont", date(1980, 4, 12)), actor="x", source=Source.API),
        agenda.now())

    async def call() -> None:
        conv = AgendaConversation(agenda, Caller(name="Jeanne Dupont",
                                                 birth_date=date(1980, 4, 12)), Goal.MOVE)
        r = await conv.start()
        assert r.kind == "ask_wish" and "mardi 8 décembre à 10 h 30" in r.text
        r = await conv.on_turn("plutôt jeudi après-midi")
        assert r.kind == "offer"
        assert all(s.practitioner == "dr-martin" for s in conv.offered)
        r = await conv.on_turn("le deuxième")
        r = await conv.on_turn("oui")
        assert r.kind == "moved" and r.appointment.id == appt.id
        assert r.appointment.slot.start == conv.offered[1].start
        assert "déplacé au jeudi 3 décembre" in r.text  # "jeudi" said on Wednesday 2nd

    run(call())


def test_unclear_answers_twice_go_to_a_human_and_free_the_holds(agenda: Any) -> None:
    async def call() -> None:
        conv = AgendaConversation(agenda, Caller(name="A B", birth_date=date(1990, 1, 1)),
                                  Goal.BOOK)
        r = await conv.start("le plus tôt possible")
        held = list(conv.offered)
        r = await conv.on_turn("euh je sais pas trop")
        assert r.kind == "offer_again"
        r = await conv.on_turn("hmm")
        assert r.handoff == "choice_unclear" and r.finished
        free = await agenda.search(conv.query, limit=10)
        assert held[0].start in {s.start for s in free}

    run(call())


def test_small_parsers() -> None:
    assert yes_no("oui") is True and yes_no("non merci") is False
    assert yes_no("d'accord, ça me va") is True and yes_no("euh") is None
    assert yes_no("no, neither") is False and yes_no("yes please") is True
    assert parse_birth_date("le 12/04/1980", "fr") == date(1980, 4, 12)
    assert parse_birth_date("né le 3 mars 1955", "fr") == date(1955, 3, 3)
    assert parse_birth_date("mardi prochain", "fr") is None
    assert goal_of("je voudrais annuler mon rendez-vous") is Goal.CANCEL
    assert goal_of("je voudrais déplacer mon rendez-vous de mardi") is Goal.MOVE
    assert goal_of("je voudrais prendre rendez-vous") is Goal.BOOK
    assert goal_of("I'd like to book an appointment") is Goal.BOOK
    assert goal_of("j'ai mal à la gorge") is None
