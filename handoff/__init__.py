"""Escalation: practice configuration, handoff policy, acknowledgment tracking, channels.

Imports only classifier types (and httpx for the network channels).
"""

from handoff.ack import Acknowledgment, AckTracker, EscalationStep
from handoff.channels import (
    SIGNATURE_HEADER,
    Channel,
    DashboardChannel,
    Delivery,
    HandoffNotice,
    TwilioTransferChannel,
    WebhookChannel,
    sign,
    transfer_twiml,
    verify_signature,
)
from handoff.policy import (
    HandoffAction,
    HandoffDecision,
    HandoffTarget,
    TargetKind,
    decide,
    emergency_target,
    human_fallback,
)
from handoff.practice import (
    DEMO_PRACTICE_FILE,
    Contact,
    OnCall,
    OnCallShift,
    PracticeConfig,
    PracticeConfigError,
    demo_practice,
    load_practice,
    practice_from_dict,
)

__all__ = [
    "DEMO_PRACTICE_FILE", "SIGNATURE_HEADER", "AckTracker", "Acknowledgment", "Channel",
    "Contact", "DashboardChannel", "Delivery", "EscalationStep", "HandoffAction",
    "HandoffDecision", "HandoffNotice", "HandoffTarget", "OnCall", "OnCallShift",
    "PracticeConfig", "PracticeConfigError", "TargetKind", "TwilioTransferChannel",
    "WebhookChannel", "decide", "demo_practice", "emergency_target", "human_fallback",
    "load_practice", "practice_from_dict", "sign", "transfer_twiml", "verify_signature",
]
