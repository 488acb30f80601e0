"""The async facade the voice agent uses: holds, booking a held slot, patients identified by
name + date of birth, upcoming appointments, move and cancel; SMS confirmations; migration."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from agenda_testkit import PARIS, TUESDAY_1030, AgendaEnv, FakeTwilioSms, make_env

from agenda import Slot, SlotQuery, parse_slot_request


def _req(slot: Slot, **kw: Any) -> Any:
    from pipeline.agenda.store import BookingRequest, PatientIn, Source

    base: dict[str, Any] = {
        "start": slot.start, "practitioner": slot.practitioner, "type": slot.type,
        "patient": PatientIn("Jeanne Dupont", date(1980, 4, 12), "+33612345678"),
        "actor": "agent", "source": Source.AGENT, "call_id": None}
    base.update(kw)
    return BookingRequest(**base)


def test_hold_book_find_move_cancel(env: AgendaEnv) -> None:
    from pipeline.agenda.store import HoldExpired, SlotTaken

    agenda = env.services.agenda
    assert agenda is not None

    async def run() -> None:
        query = parse_slot_request("mardi prochain en fin de matinée avec le docteur Martin",
                                   agenda.config, agenda.now())
        offered = await agenda.propose(query)
        assert 1 <= len(offered) <= 2 and offered[0].start == TUESDAY_1030
        hold = await agenda.hold(offered[0], call_id="call-a")
        # A second caller cannot get the held slot, nor is it offered to them.
        with pytest.raises(SlotTaken):
            await agenda.hold(offered[0], call_id="call-b")
        assert TUESDAY_1030 not in [s.start for s in await agenda.propose(query)]
        appt = await agenda.book(_req(offered[0], hold_id=hold.id))
        assert appt.slot.start == TUESDAY_1030 and appt.source == "agent"
        with pytest.raises(HoldExpired):  # a hold is used once
            await agenda.book(_req(offered[0], hold_id=hold.id))

        # The caller phones back: identified by name (as heard) + date of birth.
        patient = await agenda.find_patient("dupont jeanne", date(1980, 4, 12))
        assert patient is not None and patient.id == appt.patient.id
        assert await agenda.find_patient("Jeanne Dupond", date(1980, 4, 12)) is not None
        assert await agenda.find_patient("Jeanne Dupont", date(1981, 4, 12)) is None
        assert await agenda.find_patient("Marc Leroy", date(1980, 4, 12)) is None
        upcoming = await agenda.upcoming(patient.id)
        assert [a.id for a in upcoming] == [appt.id]

        later = await agenda.propose(SlotQuery(days=(date(2026, 12, 10),),
                                               practitioner="dr-martin"))
        hold2 = await agenda.hold(later[0], call_id="call-a2")
        moved = await agenda.move(appt.id, later[0].start, actor="agent", hold_id=hold2.id)
        assert moved.slot.start == later[0].start
        assert TUESDAY_1030 in [s.start for s in await agenda.day_slots(
            date(2026, 12, 8), practitioner="dr-martin")]
        cancelled = await agenda.cancel(appt.id, actor="agent")
        assert cancelled.status == "cancelled"
        assert await agenda.upcoming(patient.id) == []

    asyncio.run(run())


def test_expired_hold_frees_the_slot(env: AgendaEnv) -> None:
    from pipeline.agenda.store import HoldExpired

    agenda = env.services.agenda
    assert agenda is not None
    slot = Slot(TUESDAY_1030, TUESDAY_1030 + timedelta(minutes=15), "dr-martin", "consultation")
    hold = agenda.db.hold(slot, agenda.now(), call_id="a", ttl_s=300)
    later = agenda.now() + timedelta(seconds=301)
    other = agenda.db.hold(slot, later, call_id="b")  # the first hold has expired
    assert other.id != hold.id
    with pytest.raises(HoldExpired):
        agenda.db.book(_req(slot, hold_id=hold.id), later)
    assert agenda.db.book(_req(slot, hold_id=other.id), later).slot.start == TUESDAY_1030


def test_urgent_caller_gets_todays_reserved_slot(env: AgendaEnv) -> None:
    from pipeline.agenda.store import SlotUnbookable

    agenda = env.services.agenda
    assert agenda is not None
    today = agenda.config.local(agenda.now()).date()
    reserved = datetime.combine(today, datetime.min.time(), tzinfo=PARIS).replace(hour=11,
                                                                                 minute=45)
    slot = Slot(reserved, reserved + timedelta(minutes=15), "dr-martin", "consultation")
    with pytest.raises(SlotUnbookable):
        agenda.db.hold(slot, agenda.now(), call_id="routine")
    offered = asyncio.run(agenda.propose(SlotQuery(days=(today,), urgent=True,
                                                   practitioner="dr-martin"), count=10))
    assert any(s.urgent_reserved for s in offered)
    hold = agenda.db.hold(slot, agenda.now(), call_id="urgent", urgent=True)
    appt = agenda.db.book(_req(slot, hold_id=hold.id, urgent=True), agenda.now())
    assert appt.urgent


def test_sms_confirmation_names_no_diagnosis(tmp_path: Path, agenda_template_db: Path,
                                             radicale: Any) -> None:
    import yaml

    from handoff import DEMO_PRACTICE_FILE

    raw = yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
    raw["agenda"]["sms_confirmation"] = True
    practice_file = tmp_path / "practice.yaml"
    practice_file.write_text(yaml.safe_dump(raw, allow_unicode=True))
    sms = FakeTwilioSms()
    try:
        env = make_env(tmp_path, agenda_template_db, radicale, practice_file=practice_file,
                       twilio_account_sid="AC123", twilio_auth_token="tok",
                       twilio_api_base=sms.url, agenda={"sms_from": "+33199000099"})
        agenda = env.services.agenda
        assert agenda is not None and agenda.sms is not None
        slot = Slot(TUESDAY_1030, TUESDAY_1030 + timedelta(minutes=15), "dr-martin",
                    "consultation")

        async def run() -> Any:
            appt = await agenda.book(_req(slot, sms=True))
            await agenda.drain()
            return appt

        appt = asyncio.run(run())
        assert len(sms.messages) == 1
        msg = sms.messages[0]
        assert msg["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
        assert msg["To"] == "+33612345678" and msg["From"] == "+33199000099"
        assert "mardi 8 décembre à 10 h 30 avec le docteur Martin" in msg["Body"]
        for word in ("douleur", "fièvre", "symptôme", "diagnostic", "ordonnance"):
            assert word not in msg["Body"].lower()
        assert agenda.db.get(appt.id).sms_state == "sent"  # type: ignore[union-attr]
    finally:
        sms.close()


def test_migration_upgrades_and_downgrades(tmp_path: Path) -> None:
    import sqlite3

    from pipeline.service.db import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    with sqlite3.connect(tmp_path / "m.db") as con:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert {"agenda_appointments", "agenda_cells", "agenda_holds", "agenda_patients",
            "agenda_external_events", "agenda_calendars"} <= tables
    from alembic import command

    command.downgrade(alembic_config(url), "0001")
    with sqlite3.connect(tmp_path / "m.db") as con:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert not any(t.startswith("agenda_") for t in tables) and "calls" in tables
