"""What differs per practice beyond numbers and greeting (issue 10): each practice's protocol
override, agenda, hours and languages, over one set of engines per process. Embedded default
(SQLite, in process); the call is a scripted voice call (``tests.agent.fakes``) routed by the
number dialled, exactly as a Twilio call is."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient

from pipeline.practices import PracticesFileError, load_practices
from tests.service.conftest import login

DATA = Path(__file__).resolve().parents[1] / "eval" / "data"
PARIS = ZoneInfo("Europe/Paris")
# Wednesday 2 December 2026, 09:00 in Paris: practice A is open, practice B is closed on
# Wednesdays (its on-call physician answers).
WEDNESDAY_9 = datetime(2026, 12, 2, 9, 0)
NUMBER_A, NUMBER_B = "+33 1 44 00 00 01", "+33 3 20 00 00 01"
# "un carcan" (chest constriction): practice A's override knows it, the shipped lexicon not.
CARCAN = "j'ai comme un carcan sur la poitrine depuis tout à l'heure"


def _write_practices(tmp: Path, **b_extra: Any) -> Path:
    from handoff import DEMO_PRACTICE_FILE

    demo = yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
    a = {**demo, "name": "Cabinet A", "languages": ["fr", "en"],
         "tele_secretary": {"name": "Secrétariat A", "phone": "+33199000010"}}
    b = {"name": "Maison de santé B", "timezone": "Europe/Paris", "languages": ["fr"],
         "emergency_number": "112",
         "opening_hours": {day: [["08:00", "19:00"]] for day in ("mon", "tue", "thu", "fri")},
         "physicians": [{"id": "dr-lefevre", "name": "Dr Anne Lefèvre",
                         "phone": "+33199000020"}],
         "on_call": [{"label": "all week", "physician": "dr-lefevre", "days":
                      ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                      "start": "00:00", "end": "00:00"}],
         "tele_secretary": {"name": "Secrétariat B", "phone": "+33320999999"},
         **b_extra}
    (tmp / "a.yaml").write_text(yaml.safe_dump(a, allow_unicode=True))
    (tmp / "b.yaml").write_text(yaml.safe_dump(b, allow_unicode=True))
    shutil.copy(DATA / "practice_carcan.yaml", tmp / "a-protocol.yaml")
    path = tmp / "practices.yaml"
    path.write_text(yaml.safe_dump({"practices": [
        {"id": "cabinet-a", "file": "a.yaml", "numbers": [NUMBER_A],
         "protocol": "a-protocol.yaml"},
        {"id": "cabinet-b", "file": "b.yaml", "numbers": [NUMBER_B]}],
        "default": "cabinet-a"}))
    return path


@pytest.fixture
def two(tmp_path: Path, service_settings: Any, rules: Any) -> Iterator[tuple[TestClient, Any]]:
    from pipeline.service.app import create_app
    from pipeline.service.services import build_services
    from tests.agenda.agenda_testkit import running_clock

    settings = service_settings.model_copy(update={
        "practices_file": _write_practices(tmp_path), "language": "auto",
        "agent_silence_timeout_s": 60.0, "agent_stall_timeout_s": 30.0,
        "agenda": service_settings.agenda.model_copy(update={"enabled": True})})
    services = build_services(settings, classifier=rules, clock=running_clock(WEDNESDAY_9))
    with TestClient(create_app(settings, services=services)) as client:
        yield client, services


def test_each_practice_decides_with_its_own_protocol_hours_and_languages(two):
    client, services = two
    admin = login(client, "admin")
    on_a = client.post("/api/calls/simulate", headers=admin, json={
        "turns": [CARCAN], "dialled_number": NUMBER_A}).json()
    on_b = client.post("/api/calls/simulate", headers=admin, json={
        "turns": [CARCAN], "dialled_number": NUMBER_B}).json()
    # A's override catches the word; B (the shipped protocol) does not.
    assert on_a["classification"]["urgency"] == "emergency"
    assert [h["category"] for h in on_a["classification"]["red_flags"]] == ["chest_pain"]
    assert on_a["handoff"]
    assert on_b["classification"]["urgency"] != "emergency"
    assert not on_b["classification"]["red_flags"]
    # The same emergency on both: decided by each practice's hours and roster.
    stroke = "ma mère a la bouche de travers et elle n'arrive plus à lever le bras droit"
    on_b = client.post("/api/calls/simulate", headers=admin, json={
        "turns": [stroke], "dialled_number": NUMBER_B}).json()["decision"]
    on_a = client.post("/api/calls/simulate", headers=admin, json={
        "turns": [stroke], "dialled_number": NUMBER_A}).json()["decision"]
    assert on_b["after_hours"] and on_b["target"]["name"] == "Dr Anne Lefèvre"
    assert not on_a["after_hours"]
    # One encoder per process: the practices' classifiers share the base one's model and
    # lock; only the protocol (A) and the languages in scope (B) differ.
    base, a, b = (services.classifier(), services.classifier_for("cabinet-a"),
                  services.classifier_for("cabinet-b"))
    assert a is not base and b is not base and a.model is base.model is b.model
    assert a._lock is base._lock is b._lock
    assert b.protocol is base.protocol and a.protocol is not base.protocol
    assert b.config.languages == ("fr",) and a.config.languages == base.config.languages
    assert services.classifier_for("cabinet-a") is a  # built once


def test_a_call_to_b_books_in_bs_agenda_not_as(two):
    """A voice call to B's number, booked by the agent: the appointment is in B's agenda
    (B's practitioner, B's rows), A's agenda neither lists nor can cancel it."""
    from asr.types import AudioChunk
    from pipeline.agenda.store import NotFound
    from pipeline.agent.runtime import AgentRuntime
    from tests.agent.fakes import Caller, FixedTurn, ScriptedRecognizer, SilentVoice

    client, services = two
    agenda_a, agenda_b = services.agenda_for("cabinet-a"), services.agenda_for("cabinet-b")
    assert agenda_a is services.agenda and agenda_b is not agenda_a
    assert [p.id for p in agenda_b.config.practitioners] == ["dr-lefevre"]
    assert "dr-lefevre" not in {p.id for p in agenda_a.config.practitioners}

    caller = Caller().say(12.0, 16.0, "Bonjour, je voudrais prendre un rendez-vous avec le "
                                      "docteur Lefèvre mardi prochain.")
    t = 36.0
    for text in ("Je m'appelle Jeanne Dupont.", "Le 12 avril 1980.", "Oui.", "Oui.",
                 "Le premier.", "Oui."):
        caller.say(t, t + 1.5, text)
        t += 20.0
    # The form extractor's lazy loads (spaCy, seconds) happen here, not inside the call.
    warm = services.classifier_for("cabinet-b").stream("fr")
    warm.update("Je m'appelle Jeanne Dupont, née le 12 avril 1980.", t=0.0, final=True)
    warm.form()
    sid = "CA" + "2" * 32
    runtime = AgentRuntime(services.settings, ScriptedRecognizer(caller),  # type: ignore[arg-type]
                           services.classifier(), SilentVoice(), services.hub,
                           services.practice, turn_detector=FixedTurn()).bind(services)

    async def run() -> Any:
        services.hub.expect_call(sid, NUMBER_B)  # the Twilio webhook's To
        session = runtime.session(channel="twilio", caller_number="+33612345678",
                                  provider_call_id=sid, realtime=False)
        assert session.options.practice_name == "Maison de santé B"
        # B serves French only: the recognizer is forced to it (A's calls detect fr/en).
        assert (session.options.language, session.options.asr_language) == ("fr", "fr")
        assert runtime.options(channel="twilio", practice_id="cabinet-a").asr_language == "auto"
        await session.start()
        frame = np.zeros(320, np.float32)
        for i in range(int(200.0 / 0.02)):
            await session.feed(AudioChunk(frame, i * 0.02))
            await session.drain()
            if session.done:
                break
        await session.finish("end of script")
        return session

    session = asyncio.run_coroutine_threadsafe(run(), client.app.state.loop).result(120)
    assert services.hub.practice_id_of(session.call_id) == (True, "cabinet-b")
    outcome = session.agenda_outcome
    said = [(e.kind, e.text) for e in session.timeline.events if type(e).__name__ == "AgentSaid"]
    assert outcome is not None and outcome["appointment"] is not None, (outcome, said)
    assert outcome["appointment"]["status"] == "booked"
    appointment_id = outcome["appointment"]["id"]

    async def look() -> tuple[Any, Any, list[Any], list[Any]]:
        day = (await agenda_b.get(appointment_id)).slot.start.date()
        return (await agenda_b.get(appointment_id), await agenda_a.get(appointment_id),
                await agenda_b.day(day, days=1), await agenda_a.day(day, days=1))

    in_b, in_a, listed_b, listed_a = asyncio.run(look())
    assert in_b is not None and in_b.practitioner == "dr-lefevre"
    assert in_b.call_id == session.call_id
    assert in_a is None
    assert appointment_id in {x.id for x in listed_b}
    assert appointment_id not in {x.id for x in listed_a}
    with pytest.raises(NotFound):
        asyncio.run(agenda_a.cancel(appointment_id, actor="test"))


def test_practices_file_protocol_and_agenda_errors(tmp_path):
    path = _write_practices(tmp_path)
    raw = yaml.safe_load(path.read_text())
    raw["practices"][1]["protocol"] = "missing.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(PracticesFileError, match=r"practices\[1\]\.protocol.*missing\.yaml"):
        load_practices(path)

    from pipeline.practices import agenda_configs

    clash = tmp_path / "clash"
    clash.mkdir()
    directory = load_practices(_write_practices(clash, physicians=[
        {"id": "dr-martin", "name": "Dr Jean Martin", "phone": "+33199000030"}],
        on_call=[]))
    with pytest.raises(PracticesFileError, match="'dr-martin' is also 'cabinet-a'"):
        agenda_configs(directory)
