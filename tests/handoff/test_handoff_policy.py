"""The handoff policy: emergencies reach the on-call physician at once (and 15/112 advice for
the most severe), after hours only red flags reach a physician, doubt goes to a human."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import timedelta
from pathlib import Path

import pytest

from classifier.labels import Intent, RedFlag, Urgency
from handoff import (
    HandoffAction,
    PracticeConfigError,
    TargetKind,
    decide,
    human_fallback,
    load_practice,
    practice_from_dict,
)


def test_weekday_emergency_goes_to_day_physician_with_15_advice(practice, paris, classification):
    now = paris(2026, 11, 25, 10)  # Wednesday morning, open
    d = decide(classification(Urgency.EMERGENCY, (RedFlag.CHEST_PAIN,)), None, practice, now)
    assert d.action is HandoffAction.TRANSFER_PHYSICIAN
    assert d.target.id == "dr-martin" and d.target.phone == "+33199000001"
    assert d.advise_emergency_services is True
    assert d.visible_to_secretary is True
    assert d.ack_deadline == now + timedelta(seconds=60)
    assert [b.id for b in d.backups] == ["dr-durand", "emergency-services"]
    assert d.backups[-1].kind is TargetKind.EMERGENCY_SERVICES
    assert any("chest_pain" in r for r in d.reasons)
    assert d.is_handoff


@pytest.mark.parametrize(("when", "physician"), [
    ((2026, 11, 25, 23), "dr-nguyen"),   # Wednesday night
    ((2026, 11, 26, 3), "dr-nguyen"),    # Thursday 03:00, shift started the day before
    ((2026, 11, 28, 15), "dr-durand"),   # Saturday afternoon (weekend)
    ((2026, 11, 29, 3), "dr-durand"),    # Sunday 03:00: Saturday's shift runs to 08:00
    ((2026, 11, 29, 10), "dr-nguyen"),   # Sunday day
    ((2026, 11, 30, 6), "dr-nguyen"),    # Monday 06:00: Sunday's shift runs to 07:00
])
def test_after_hours_red_flag_reaches_on_call_roster(practice, paris, classification, when,
                                                     physician):
    d = decide(classification(Urgency.EMERGENCY, (RedFlag.STROKE,)), None, practice,
               paris(*when))
    assert d.action is HandoffAction.TRANSFER_PHYSICIAN
    assert d.target.id == physician
    assert d.after_hours is True


def test_infant_fever_goes_to_physician_without_15_advice(practice, paris, classification):
    d = decide(classification(Urgency.EMERGENCY, (RedFlag.INFANT_FEVER,)), None, practice,
               paris(2026, 11, 25, 10))
    assert d.action is HandoffAction.TRANSFER_PHYSICIAN
    assert d.advise_emergency_services is False


def test_confirmed_red_flag_escalates_even_if_heads_say_routine(practice, paris, classification):
    d = decide(classification(Urgency.ROUTINE, (RedFlag.ANAPHYLAXIS,)), None, practice,
               paris(2026, 11, 25, 10))
    assert d.action is HandoffAction.TRANSFER_PHYSICIAN
    assert d.urgency is Urgency.EMERGENCY


def test_after_hours_non_red_flag_calls_become_messages_or_nurse(practice, paris,
                                                                 classification):
    night = paris(2026, 11, 25, 22)
    routine = decide(classification(Urgency.ROUTINE, intent=Intent.APPOINTMENT_BOOKING), None,
                     practice, night)
    assert routine.action is HandoffAction.MESSAGE_OR_CALLBACK
    assert routine.ack_deadline is None and not routine.is_handoff
    urgent = decide(classification(Urgency.URGENT), None, practice, night)
    assert urgent.action is HandoffAction.TRANSFER_NURSE
    assert urgent.target.kind is TargetKind.NURSE_LINE
    no_nurse = practice_from_dict({**_demo_raw(), "nurse_line": None})
    urgent2 = decide(classification(Urgency.URGENT), None, no_nurse, night)
    assert urgent2.action is HandoffAction.MESSAGE_OR_CALLBACK
    assert urgent2.target.kind is not TargetKind.PHYSICIAN  # only red flags reach a physician


def test_in_hours_urgent_priority_queue_routine_agent_doubt_secretary(practice, paris,
                                                                      classification):
    now = paris(2026, 11, 25, 15)
    urgent = decide(classification(Urgency.URGENT), None, practice, now)
    assert urgent.action is HandoffAction.PRIORITY_QUEUE
    assert urgent.target.kind is TargetKind.SECRETARY_QUEUE
    assert urgent.ack_deadline == now + timedelta(seconds=300)
    routine = decide(classification(Urgency.ROUTINE, intent=Intent.PRESCRIPTION_RENEWAL), None,
                     practice, now)
    assert routine.action is HandoffAction.NORMAL
    doubt = decide(classification(Urgency.ROUTINE, needs_review=True), None, practice, now)
    assert doubt.action is HandoffAction.TRANSFER_SECRETARY
    suspected = decide(classification(Urgency.ROUTINE, suspected=(RedFlag.CHEST_PAIN,)), None,
                       practice, now)
    assert suspected.action is HandoffAction.TRANSFER_SECRETARY
    assert any("chest_pain" in r for r in suspected.reasons)


def test_no_physician_on_call_means_emergency_services(paris, classification):
    bare = practice_from_dict({"name": "solo", "opening_hours": {"mon": [["08:00", "18:00"]]}})
    d = decide(classification(Urgency.EMERGENCY, (RedFlag.SEIZURE,)), None, bare,
               paris(2026, 11, 25, 10))
    assert d.action is HandoffAction.ADVISE_EMERGENCY_SERVICES
    assert d.advise_emergency_services and d.target.phone == "15"


def test_real_classifier_output_drives_policy(classifier, practice, paris):
    text = "ma fille de deux mois a 38,5 de fièvre depuis ce matin"
    c = classifier.classify(text, "fr")
    form = classifier.extract_form(text, "fr", c)
    d = decide(c, form, practice, paris(2026, 11, 25, 21))
    assert c.urgency is Urgency.EMERGENCY, c.to_dict()
    assert d.action is HandoffAction.TRANSFER_PHYSICIAN
    assert d.target.id == "dr-nguyen"
    negated = classifier.classify("je n'ai pas de douleur thoracique, c'est pour un "
                                  "renouvellement d'ordonnance", "fr")
    d2 = decide(negated, None, practice, paris(2026, 11, 25, 10))
    assert d2.action is not HandoffAction.TRANSFER_PHYSICIAN


def test_decision_is_pure_and_frozen(practice, paris, classification):
    c = classification(Urgency.EMERGENCY, (RedFlag.BREATHING,))
    now = paris(2026, 11, 25, 10)
    a, b = decide(c, None, practice, now), decide(c, None, practice, now)
    assert a == b
    with pytest.raises(FrozenInstanceError):
        a.action = HandoffAction.NORMAL  # type: ignore[misc]


def test_naive_datetime_rejected(practice, classification):
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        decide(classification(), None, practice, datetime(2026, 11, 25, 10))


def test_fail_safe_goes_to_secretary_in_hours_physician_at_night(practice, paris):
    day = human_fallback(practice, paris(2026, 11, 25, 10), "asr stalled")
    assert day.action is HandoffAction.TRANSFER_SECRETARY
    assert "fail-safe: asr stalled" in day.reasons
    night = human_fallback(practice, paris(2026, 11, 25, 23), "classifier raised")
    assert night.action is HandoffAction.TRANSFER_PHYSICIAN and night.target.id == "dr-nguyen"


def test_practice_file_errors_name_the_field(tmp_path: Path):
    bad = tmp_path / "p.yaml"
    bad.write_text("name: x\nopening_hours:\n  mon: [['7h', '20:00']]\n")
    with pytest.raises(PracticeConfigError, match=r"opening_hours\.mon.*HH:MM"):
        load_practice(bad)
    bad.write_text("name: x\nphysicians: [{id: a, name: A}]\non_call: [{physician: b}]\n")
    with pytest.raises(PracticeConfigError, match=r"on_call\[0\].*'b'"):
        load_practice(bad)
    bad.write_text("name: x\nopening_hours: {funday: []}\n")
    with pytest.raises(PracticeConfigError, match="unknown day"):
        load_practice(bad)
    with pytest.raises(PracticeConfigError, match="not found"):
        load_practice(tmp_path / "missing.yaml")


def test_roster_serializes_with_who_is_on_call(practice, paris):
    data = practice.to_dict(paris(2026, 11, 25, 23))
    assert data["open_now"] is False
    assert data["on_call_now"]["physician"]["id"] == "dr-nguyen"
    assert data["opening_hours"]["mon"] == [["07:00", "20:00"]]


def _demo_raw() -> dict:
    import yaml

    from handoff import DEMO_PRACTICE_FILE

    return yaml.safe_load(DEMO_PRACTICE_FILE.read_text())
