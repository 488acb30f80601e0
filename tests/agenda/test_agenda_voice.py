"""The voice agent's call session with the real agenda (database, holds) and scripted speech
(``tests.agent.fakes``: milliseconds per call, on the audio clock): a booking call ends with the
appointment and its read-back, a cancellation call removes it, a red flag during booking still
goes to the physician at once and frees the offered slots."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from agenda_testkit import NOW_LOCAL, running_clock

from asr.types import AudioChunk
from pipeline.agent.dialogue import State
from pipeline.agent.session import CallSession, SessionOptions
from pipeline.events import AgentHungUp, AgentSaid, HandedOff
from tests.agent.fakes import (
    WEEKDAY,
    Caller,
    FixedTurn,
    KeywordTriage,
    ScriptedRecognizer,
    SilentVoice,
    make_hub,
)


@pytest.fixture
def agenda(tmp_path: Path, agenda_template_db: Path) -> Iterator[Any]:
    from pipeline.agenda.service import AgendaService, agenda_config_for
    from pipeline.service.store import Store
    from pipeline.settings import Settings

    shutil.copy(agenda_template_db, tmp_path / "permanence.db")
    store = Store(f"sqlite:///{tmp_path / 'permanence.db'}")
    yield AgendaService(store, agenda_config_for(Settings(data_dir=tmp_path)),
                        practice_name="Cabinet des Tilleuls", clock=running_clock(NOW_LOCAL))
    store.dispose()


def call(agenda: Any, caller: Caller, *, end_s: float, hubs: list[Any] | None = None
         ) -> CallSession:
    async def run() -> CallSession:
        hub = make_hub(WEEKDAY)
        if hubs is not None:
            hubs.append(hub)
        session = CallSession(
            recognizer=ScriptedRecognizer(caller), classifier=KeywordTriage(),
            synthesizer=SilentVoice(), hub=hub,  # type: ignore[arg-type]
            options=SessionOptions(practice_name="Cabinet des Tilleuls", realtime=False,
                                   stall_timeout_s=2.0, silence_timeout_s=60.0,
                                   caller_number="+33612345678"),
            turn_detector=FixedTurn(), agenda=agenda)
        await session.start()
        frame = np.zeros(320, np.float32)
        for i in range(int(end_s / 0.02)):
            await session.feed(AudioChunk(frame, i * 0.02))
            await session.drain()
            if session.done:
                break
        await session.finish("end of script")
        await hub.close()
        return session

    return asyncio.run(run())


def said(session: CallSession) -> list[AgentSaid]:
    return [e for e in session.timeline.events if isinstance(e, AgentSaid)]


def form_then(reason: str, *answers: str) -> Caller:
    """Reason, name, date of birth, 'yes' to the known number, 'yes' to the read-back, then
    the agenda answers: each 20 s apart (the agent has finished speaking by then)."""
    caller = Caller().say(12.0, 16.0, reason)
    t = 36.0
    for text in ("Je m'appelle Jeanne Dupont.", "Le 12 avril 1980.", "Oui.", "Oui.", *answers):
        caller.say(t, t + 1.5, text)
        t += 20.0
    return caller


def test_a_booking_call_ends_with_the_appointment_and_its_read_back(agenda: Any) -> None:
    caller = form_then("Bonjour, je voudrais un rendez-vous mardi prochain en fin de matinée "
                       "avec le docteur Martin.", "Le premier.", "Oui.")
    session = call(agenda, caller, end_s=200.0)
    lines = said(session)
    kinds = [e.kind for e in lines]
    assert "agenda_offer" in kinds and "agenda_read_back" in kinds, kinds
    offer = next(e.text for e in lines if e.kind == "agenda_offer")
    assert offer.count("avec le docteur Martin") == 2
    read_back = next(e.text for e in lines if e.kind == "agenda_read_back")
    assert "mardi 8 décembre à 10 h 30 avec le docteur Martin" in read_back
    assert kinds[-1] == "agenda_booked"
    assert not [e for e in session.timeline.events if isinstance(e, HandedOff)]
    assert any(isinstance(e, AgentHungUp) for e in session.timeline.events)
    assert session.dialogue.state is State.CLOSED
    outcome = session.agenda_outcome
    assert outcome is not None and outcome["appointment"]["status"] == "booked"
    appt = asyncio.run(agenda.get(outcome["appointment"]["id"]))
    assert appt.call_id == session.call_id and appt.source == "agent"
    assert appt.patient.name.lower() == "jeanne dupont"
    assert appt.patient.birth_date == date(1980, 4, 12)
    assert appt.patient.phone == "+33612345678"


def test_a_cancellation_call_removes_the_appointment(agenda: Any) -> None:
    booked = call(agenda, form_then("Bonjour, je voudrais un rendez-vous le plus tôt possible "
                                    "avec le docteur Durand.", "Le premier.", "Oui."),
                  end_s=200.0).agenda_outcome
    assert booked is not None and booked["appointment"]["status"] == "booked"
    session = call(agenda, form_then("Bonjour, je voudrais annuler mon rendez-vous.", "Oui."),
                   end_s=200.0)
    lines = said(session)
    kinds = [e.kind for e in lines]
    assert "agenda_confirm_cancel" in kinds, kinds
    assert kinds[-1] == "agenda_cancelled"
    assert "est annulé" in lines[-1].text
    appt = asyncio.run(agenda.get(booked["appointment"]["id"]))
    assert appt.status == "cancelled"


def test_a_red_flag_while_booking_goes_to_the_physician_and_frees_the_slots(agenda: Any
                                                                           ) -> None:
    caller = form_then("Bonjour, je voudrais un rendez-vous mardi prochain en fin de matinée.",
                       "Attendez, mon mari a une douleur dans la poitrine.")
    session = call(agenda, caller, end_s=200.0)
    handoffs = [e for e in session.timeline.events if isinstance(e, HandedOff)]
    assert handoffs and session.dialogue.state is State.EMERGENCY
    assert "agenda_booked" not in [e.kind for e in said(session)]
    outcome = session.agenda_outcome
    assert outcome is not None and outcome["appointment"] is None
    # The two slots offered are free again.
    from agenda import SlotQuery

    free = asyncio.run(agenda.search(SlotQuery(days=(date(2026, 12, 8),)), limit=100))
    assert any(s.start.hour == 10 and s.start.minute == 30 for s in free)


def test_an_urgent_caller_promised_a_call_back_stays_in_the_queue(agenda: Any) -> None:
    """No same-day slot left: the caller is told a doctor calls back today, and that promise
    is the call's urgent decision, waiting on the dashboard until a human acknowledges it."""
    from datetime import datetime

    from pipeline.agenda.service import AgendaService

    evening = AgendaService(agenda.db.store, agenda.config, practice_name="Cabinet des Tilleuls",
                            clock=running_clock(datetime(2026, 12, 2, 18, 50)))
    caller = form_then("Bonjour, j'ai de la fièvre depuis hier, je voudrais voir un médecin "
                       "aujourd'hui.", "Oui.")
    hubs: list[Any] = []
    session = call(evening, caller, end_s=200.0, hubs=hubs)
    kinds = [e.kind for e in said(session)]
    assert "agenda_callback" in kinds, "\n".join(f"{e.kind}: {e.text}" for e in said(session))
    summary = hubs[0].summary(session.call_id)
    assert summary is not None and summary.urgency == "urgent"
    assert summary.needs_ack and summary.action == "priority_queue"
