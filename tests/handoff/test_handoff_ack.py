"""Acknowledgment tracking: missed deadline -> backup physician -> emergency services, each step
timed; an acknowledgment stops the ladder."""

from __future__ import annotations

from datetime import timedelta

from classifier.labels import RedFlag, Urgency
from handoff import AckTracker, HandoffAction, TargetKind, decide


def test_ladder_backup_then_emergency_services(practice, paris, classification):
    t0 = paris(2026, 11, 25, 10)
    d = decide(classification(Urgency.EMERGENCY, (RedFlag.CHEST_PAIN,)), None, practice, t0)
    tracker = AckTracker()
    first = tracker.start("c1", d, t0)
    assert first is not None and first.reason == "initial"
    assert tracker.due(t0 + timedelta(seconds=59)) == []
    assert tracker.next_deadline() == t0 + timedelta(seconds=60)

    step1 = tracker.due(t0 + timedelta(seconds=61))
    assert len(step1) == 1
    s1 = step1[0]
    assert s1.decision.step == 1
    assert s1.decision.target.id == "dr-durand"
    assert s1.decision.action is HandoffAction.TRANSFER_PHYSICIAN
    assert s1.decision.ack_deadline == t0 + timedelta(seconds=121)
    assert "not acknowledged after 61s" in s1.decision.reasons[-1]
    assert not s1.final

    s2 = tracker.due(t0 + timedelta(seconds=122))[0]
    assert s2.decision.step == 2
    assert s2.decision.target.kind is TargetKind.EMERGENCY_SERVICES
    assert s2.decision.action is HandoffAction.ADVISE_EMERGENCY_SERVICES
    assert s2.decision.advise_emergency_services and s2.final
    # Nothing further to call, and no repeated steps.
    assert tracker.due(t0 + timedelta(seconds=1000)) == []
    assert tracker.pending("c1") is s2

    ack = tracker.acknowledge("c1", "dr-durand", t0 + timedelta(seconds=130))
    assert ack is not None and ack.step == 2 and ack.waited_s == 130
    assert tracker.pending("c1") is None


def test_ack_before_deadline_stops_escalation(practice, paris, classification):
    t0 = paris(2026, 11, 25, 23)
    d = decide(classification(Urgency.EMERGENCY, (RedFlag.STROKE,)), None, practice, t0)
    tracker = AckTracker()
    tracker.start("c1", d, t0)
    ack = tracker.acknowledge("c1", "dr-nguyen", t0 + timedelta(seconds=12))
    assert ack is not None and ack.waited_s == 12 and ack.step == 0
    assert tracker.due(t0 + timedelta(hours=1)) == []
    assert tracker.acknowledge("c1", "x", t0) is None


def test_priority_queue_goes_overdue_once(practice, paris, classification):
    t0 = paris(2026, 11, 25, 10)
    d = decide(classification(Urgency.URGENT), None, practice, t0)
    tracker = AckTracker()
    tracker.start("c2", d, t0)
    steps = tracker.due(t0 + timedelta(seconds=301))
    assert len(steps) == 1 and steps[0].final and steps[0].reason.startswith("overdue")
    assert tracker.due(t0 + timedelta(seconds=900)) == []


def test_upgrade_replaces_less_severe_tracking(practice, paris, classification):
    t0 = paris(2026, 11, 25, 10)
    tracker = AckTracker()
    tracker.start("c3", decide(classification(Urgency.URGENT), None, practice, t0), t0)
    up = tracker.start("c3", decide(classification(Urgency.EMERGENCY, (RedFlag.BLEEDING,)),
                                    None, practice, t0), t0 + timedelta(seconds=5))
    assert up is not None and up.reason == "upgraded"
    # A less severe decision never replaces it.
    assert tracker.start("c3", decide(classification(Urgency.URGENT), None, practice, t0),
                         t0) is None
    ack = tracker.acknowledge("c3", "a", t0 + timedelta(seconds=20))
    assert ack is not None and ack.waited_s == 20  # from the first step


def test_no_deadline_no_tracking(practice, paris, classification):
    t0 = paris(2026, 11, 25, 22)
    d = decide(classification(Urgency.ROUTINE), None, practice, t0)
    assert d.ack_deadline is None
    assert AckTracker().start("c4", d, t0) is None
