"""The agenda through its API, with the real database and a real Radicale server: bookings land
in the practitioner's calendar, moves and cancellations follow it, roles and bad input are
refused, every change is audited, FHIR views validate."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from agenda_testkit import PARIS, TUESDAY_1030, AgendaEnv, booking, login


def _sync(client: Any, h: dict[str, str]) -> dict[str, Any]:
    r = client.post("/api/agenda/sync", headers=h)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    assert out["error"] is None, out
    return out


def test_booking_lands_in_the_practitioners_calendar(client: Any, env: AgendaEnv) -> None:
    h = login(client, "tele_secretary")
    slots = client.get("/api/agenda/slots", params={"date": "2026-12-08",
                                                     "practitioner": "dr-martin"}, headers=h)
    assert slots.status_code == 200
    starts = [s["start"] for s in slots.json()]
    assert "2026-12-08T10:30:00+01:00" in starts
    assert all(s["practitioner"] == "dr-martin" and s["type"] == "consultation"
               for s in slots.json())

    r = client.post("/api/agenda/appointments", json=booking(), headers=h)
    assert r.status_code == 201, r.text
    appt = r.json()
    assert appt["start"] == "2026-12-08T10:30:00+01:00"
    assert appt["end"] == "2026-12-08T10:45:00+01:00"
    assert appt["created_by"] == "tele_secretary"

    after = client.get("/api/agenda/slots", params={"date": "2026-12-08",
                                                     "practitioner": "dr-martin"}, headers=h)
    assert "2026-12-08T10:30:00+01:00" not in [s["start"] for s in after.json()]

    _sync(client, h)
    events = env.events("dr-martin")
    assert len(events) == 1
    ev = events[0]
    assert str(ev["uid"]) == f"{appt['id']}@permanence"
    assert ev.decoded("dtstart").astimezone(PARIS) == TUESDAY_1030
    assert ev.decoded("dtend").astimezone(PARIS) == TUESDAY_1030 + timedelta(minutes=15)
    assert "Jeanne Dupont" in str(ev["summary"])
    got = client.get(f"/api/agenda/appointments/{appt['id']}", headers=h).json()
    assert got["sync_state"] == "synced"

    listed = client.get("/api/agenda/appointments", params={"date": "2026-12-08"}, headers=h)
    assert [a["id"] for a in listed.json()] == [appt["id"]]


def test_move_and_cancel_follow_in_the_calendar(client: Any, env: AgendaEnv) -> None:
    h = login(client, "physician")
    appt = client.post("/api/agenda/appointments", json=booking(), headers=h).json()
    _sync(client, h)
    new_start = datetime(2026, 12, 9, 15, 0, tzinfo=PARIS)
    r = client.patch(f"/api/agenda/appointments/{appt['id']}",
                     json={"start": new_start.isoformat()}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["start"] == "2026-12-09T15:00:00+01:00"
    assert r.json()["sync_state"] == "pending"
    _sync(client, h)
    events = env.events("dr-martin")
    assert len(events) == 1 and events[0].decoded("dtstart").astimezone(PARIS) == new_start
    # The old slot is free again, the new one is not.
    old = client.get("/api/agenda/slots", params={"date": "2026-12-08",
                                                   "practitioner": "dr-martin"}, headers=h)
    assert "2026-12-08T10:30:00+01:00" in [s["start"] for s in old.json()]

    # Move to another practitioner: the event changes calendars.
    r = client.patch(f"/api/agenda/appointments/{appt['id']}",
                     json={"start": new_start.isoformat(), "practitioner": "dr-durand"},
                     headers=h)
    assert r.status_code == 200
    _sync(client, h)
    assert env.events("dr-martin") == []
    assert len(env.events("dr-durand")) == 1

    # Onto a taken slot: 409, and the appointment stays where it was.
    other = client.post("/api/agenda/appointments", headers=h, json=booking(
        start=new_start + timedelta(hours=1), practitioner="dr-durand", name="Paul Roux"))
    assert other.status_code == 201
    r = client.patch(f"/api/agenda/appointments/{appt['id']}",
                     json={"start": (new_start + timedelta(hours=1)).isoformat()}, headers=h)
    assert r.status_code == 409
    assert client.get(f"/api/agenda/appointments/{appt['id']}",
                      headers=h).json()["start"] == new_start.isoformat()
    assert client.patch("/api/agenda/appointments/apt-nope", json={
        "start": new_start.isoformat()}, headers=h).status_code == 404

    r = client.delete(f"/api/agenda/appointments/{appt['id']}", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    _sync(client, h)
    assert [str(e["uid"]) for e in env.events("dr-durand")] == [f"{other.json()['id']}@permanence"]
    assert client.delete(f"/api/agenda/appointments/{appt['id']}", headers=h).status_code == 404


def test_refusals_conflicts_and_bad_input(client: Any, env: AgendaEnv) -> None:
    assert client.post("/api/agenda/appointments", json=booking()).status_code == 401
    analyst = login(client, "data_analyst")
    client.cookies.clear()  # login sets the dashboard's cookie; the header decides below
    assert client.post("/api/agenda/appointments", json=booking(),
                       headers=analyst).status_code == 403
    assert client.get("/api/agenda/slots", params={"date": "2026-12-08"},
                      headers=analyst).status_code == 403
    h = login(client, "tele_secretary")

    assert client.post("/api/agenda/appointments", json=booking(), headers=h).status_code == 201
    taken = client.post("/api/agenda/appointments", json=booking(name="Paul Martin"), headers=h)
    assert taken.status_code == 409 and taken.json()["detail"]["code"] == "slot_taken"
    # A 30-minute first visit starting at 10:15 overlaps the 10:30 booking.
    overlap = booking(start=TUESDAY_1030 - timedelta(minutes=15), type="first_visit")
    r = client.post("/api/agenda/appointments", json=overlap, headers=h)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "slot_taken"

    lunch = booking(start=datetime(2026, 12, 8, 13, 0, tzinfo=PARIS))
    r = client.post("/api/agenda/appointments", json=lunch, headers=h)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "outside_hours"
    christmas = booking(start=datetime(2026, 12, 25, 10, 0, tzinfo=PARIS))
    r = client.post("/api/agenda/appointments", json=christmas, headers=h)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "closed_day"
    reserved = booking(start=datetime(2026, 12, 8, 11, 45, tzinfo=PARIS))
    r = client.post("/api/agenda/appointments", json=reserved, headers=h)
    assert r.status_code == 409 and r.json()["detail"]["reason"] == "reserved_for_urgent"

    bad: list[dict[str, Any]] = [
        {**booking(), "start": "2026-12-08T10:30:00"},  # no offset
        {**booking(), "start": "next tuesday"},
        {**booking(), "practitioner": "dr-house"},
        {**booking(), "type": "massage"},
        {**booking(), "patient": {"name": "X Y", "birth_date": "2099-01-01"}},
        {**booking(), "patient": {"name": "X Y", "birth_date": "1980-01-01", "phone": "call me"}},
        {"start": TUESDAY_1030.isoformat()},
    ]
    for body in bad:
        r = client.post("/api/agenda/appointments", json=body, headers=h)
        assert r.status_code == 422, (body, r.status_code, r.text)
    r = client.post("/api/agenda/appointments", content=b"{not json", headers={
        **h, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert client.get("/api/agenda/slots", params={"date": "2026-13-45"},
                      headers=h).status_code == 422
    # Nothing refused was stored.
    listed = client.get("/api/agenda/appointments", params={"date": "2026-12-08", "days": 30},
                        headers=h).json()
    assert len(listed) == 1


def test_every_change_is_audited_without_patient_data(client: Any, env: AgendaEnv) -> None:
    h = login(client, "tele_secretary")
    appt = client.post("/api/agenda/appointments", json=booking(), headers=h).json()
    client.patch(f"/api/agenda/appointments/{appt['id']}",
                 json={"start": (TUESDAY_1030 + timedelta(hours=1)).isoformat()}, headers=h)
    client.delete(f"/api/agenda/appointments/{appt['id']}", headers=h)
    entries = env.services.store.audit_entries()
    mine = [e for e in entries if e["action"].startswith("agenda.")
            and e["data"].get("appointment") == appt["id"]]
    assert [e["action"] for e in mine] == ["agenda.book", "agenda.move", "agenda.cancel"]
    assert all(e["actor"] == "tele_secretary" for e in mine)
    text = json.dumps(entries)
    assert "Dupont" not in text and "1980-04-12" not in text and "+33612345678" not in text
    assert env.services.store.verify_audit().ok


def test_fhir_slot_appointment_and_triage_form(client: Any, env: AgendaEnv) -> None:
    from fhir.resources.R4B.appointment import Appointment
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    h = login(client, "physician")
    r = client.get("/api/fhir/Slot", params={"date": "2026-12-08",
                                             "schedule": "Schedule/dr-martin"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(r.json())
    assert bundle.type == "searchset" and bundle.total and bundle.total > 10
    first = r.json()["entry"][0]["resource"]
    assert first["schedule"]["reference"] == "Schedule/dr-martin" and first["status"] == "free"

    appt = client.post("/api/agenda/appointments", json=booking(), headers=h).json()
    r = client.get(f"/api/fhir/Appointment/{appt['id']}", headers=h)
    assert r.status_code == 200
    resource = Appointment.model_validate(r.json())
    assert resource.status == "booked"
    actors = [p["actor"]["reference"] for p in r.json()["participant"]]
    assert "Practitioner/dr-martin" in actors
    assert client.get("/api/fhir/Appointment/apt-nope", headers=h).status_code == 404

    sim = client.post("/api/calls/simulate", headers=h, json={"language": "fr", "turns": [
        "Bonjour, je voudrais un rendez-vous pour un renouvellement d'ordonnance, je "
        "m'appelle Jeanne Dupont, née le 12 avril 1980"]})
    assert sim.status_code == 200, sim.text
    call_id = sim.json()["call_id"]
    r = client.get(f"/api/fhir/QuestionnaireResponse/{call_id}", headers=h)
    assert r.status_code == 200, r.text
    qr = QuestionnaireResponse.model_validate(r.json())
    assert qr.questionnaire and qr.item
    links = {i["linkId"]: i for i in r.json()["item"]}
    assert "intent" in links and "urgency" in links
    assert client.get("/api/fhir/QuestionnaireResponse/nope", headers=h).status_code == 404


def test_agenda_config_for_the_dashboard(client: Any) -> None:
    h = login(client, "tele_secretary")
    cfg = client.get("/api/agenda/config", headers=h).json()
    assert [p["id"] for p in cfg["practitioners"]] == ["dr-martin", "dr-durand", "dr-nguyen"]
    assert {t["id"]: t["minutes"] for t in cfg["types"]}["first_visit"] == 30
