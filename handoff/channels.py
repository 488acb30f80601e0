"""Channels that carry a handoff to humans, behind one protocol: dashboard push, telephony
transfer (Twilio REST; other providers implement `Channel`), signed HMAC webhook.

A channel never raises into the call: it returns a `Delivery` saying what happened, so one
failing channel never stops the others.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from xml.sax.saxutils import escape

import httpx

from handoff.policy import HandoffAction, HandoffDecision


@dataclass(frozen=True)
class HandoffNotice:
    """What a channel receives: the decision and where the call is. No transcript text (personal
    data stays in the store; channels get the call id and the red-flag categories)."""

    call_id: str
    decision: HandoffDecision
    provider_call_id: str | None = None
    """Telephony provider's id of the live call (Twilio CallSid), when there is one."""
    language: str = "fr"
    emergency_number: str = "15"

    def to_dict(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "language": self.language,
                "decision": self.decision.to_dict()}


@dataclass(frozen=True)
class Delivery:
    channel: str
    ok: bool
    detail: str
    latency_ms: float


@runtime_checkable
class Channel(Protocol):
    name: str

    async def deliver(self, notice: HandoffNotice) -> Delivery: ...


class DashboardChannel:
    """Pushes to connected dashboards through a publish callable (the service's broker)."""

    name = "dashboard"

    def __init__(self, publish: Callable[[HandoffNotice], Awaitable[int]]) -> None:
        self._publish = publish

    async def deliver(self, notice: HandoffNotice) -> Delivery:
        t0 = time.perf_counter()
        try:
            n = await self._publish(notice)
        except Exception as exc:  # noqa: BLE001 - a channel reports, never raises into the call
            return Delivery(self.name, False, f"push failed: {type(exc).__name__}",
                            (time.perf_counter() - t0) * 1e3)
        return Delivery(self.name, True, f"pushed to {n} dashboard(s)",
                        (time.perf_counter() - t0) * 1e3)


_TRANSFER_ACTIONS = frozenset({HandoffAction.TRANSFER_PHYSICIAN, HandoffAction.TRANSFER_SECRETARY,
                               HandoffAction.TRANSFER_NURSE})

_SAY = {
    "fr": ("Je vous transfère immédiatement à {name}. Restez en ligne.",
           "Si l'état s'aggrave, raccrochez et appelez le {number} ou le 112."),
    "en": ("I am transferring you now to {name}. Please stay on the line.",
           "If things get worse, hang up and call {number} or 112."),
}


def transfer_twiml(notice: HandoffNotice, status_url: str | None = None) -> str:
    """TwiML that tells the caller what happens and dials the target. With `status_url`,
    Twilio reports the dial's outcome there (answered: acknowledged; busy, no-answer: next
    step of the ladder)."""
    decision = notice.decision
    lang = notice.language if notice.language in _SAY else "fr"
    say_transfer, say_emergency = _SAY[lang]
    voice_lang = "fr-FR" if lang == "fr" else "en-GB"
    parts = ["<Response>"]
    if decision.advise_emergency_services:
        parts.append(f'<Say language="{voice_lang}">'
                     f"{escape(say_emergency.format(number=notice.emergency_number))}</Say>")
    parts.append(f'<Say language="{voice_lang}">'
                 f"{escape(say_transfer.format(name=decision.target.name))}</Say>")
    phone = escape(decision.target.phone or "")
    if status_url:
        url = escape(status_url, {'"': "&quot;"})
        parts.append(f'<Dial action="{url}"><Number statusCallbackEvent="answered" '
                     f'statusCallback="{url}">{phone}</Number></Dial>')
    else:
        parts.append(f"<Dial>{phone}</Dial>")
    parts.append("</Response>")
    return "".join(parts)


class TwilioTransferChannel:
    """Redirects a live Twilio call to the target's phone via the Calls REST resource.

    `api_base` points at the real API (https://api.twilio.com) or at a local fake in tests.
    """

    name = "telephony"

    def __init__(self, account_sid: str, auth_token: str, *,
                 api_base: str = "https://api.twilio.com", timeout_s: float = 5.0,
                 status_url: str | None = None, retries: int = 4,
                 backoff_s: float = 0.1) -> None:
        self.account_sid = account_sid
        self._auth = (account_sid, auth_token)
        self.api_base = api_base.rstrip("/")
        self._timeout = timeout_s
        self.status_url = status_url
        self._retries = retries
        self._backoff_s = backoff_s

    async def deliver(self, notice: HandoffNotice) -> Delivery:
        t0 = time.perf_counter()

        def done(ok: bool, detail: str) -> Delivery:
            return Delivery(self.name, ok, detail, (time.perf_counter() - t0) * 1e3)

        decision = notice.decision
        if decision.action not in _TRANSFER_ACTIONS:
            return done(True, f"no transfer for action {decision.action.value}")
        if notice.provider_call_id is None:
            return done(False, "no live telephony call to transfer (dashboard only)")
        if not decision.target.phone:
            return done(False, f"target {decision.target.name} has no phone number")
        url = (f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Calls/"
               f"{notice.provider_call_id}.json")
        twiml = transfer_twiml(notice, self.status_url)
        ok, detail = await post_with_retries(
            url, data={"Twiml": twiml}, auth=self._auth, timeout_s=self._timeout,
            retries=self._retries, backoff_s=self._backoff_s, what="telephony API")
        if not ok:
            return done(False, detail)
        return done(True, f"call redirected to {decision.target.kind.value} ({detail})")

    async def hang_up(self, provider_call_id: str) -> Delivery:
        """End a live call (the human who took it hung up): without this, the end of the media
        stream would fall through to the TwiML's fallback dial and ring the practice again."""
        t0 = time.perf_counter()
        url = (f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Calls/"
               f"{provider_call_id}.json")
        ok, detail = await post_with_retries(
            url, data={"Twiml": "<Response><Hangup/></Response>"}, auth=self._auth,
            timeout_s=self._timeout, retries=self._retries, backoff_s=self._backoff_s,
            what="telephony API")
        return Delivery(self.name, ok, f"hang-up: {detail}", (time.perf_counter() - t0) * 1e3)


async def post_with_retries(url: str, *, data: dict[str, str] | None = None,
                            content: bytes | None = None, headers: dict[str, str] | None = None,
                            auth: tuple[str, str] | None = None, timeout_s: float,
                            retries: int, backoff_s: float, what: str) -> tuple[bool, str]:
    """POST, retrying network errors, 429 and 5xx with exponential backoff (0.1, 0.2, 0.4 s
    by default: a provider's hiccup costs well under a second). 4xx is final: retrying the
    same request cannot fix it."""
    import asyncio

    detail = f"{what}: no attempt"
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        for attempt in range(retries):
            if attempt:
                await asyncio.sleep(backoff_s * 2 ** (attempt - 1))
            try:
                response = await client.post(
                    url, data=data, content=content, headers=headers,
                    auth=httpx.USE_CLIENT_DEFAULT if auth is None else auth)
            except httpx.HTTPError as exc:
                detail = f"{what} unreachable: {type(exc).__name__}"
                continue
            if response.status_code < 300:
                return True, f"{what} answered {response.status_code} (attempt {attempt + 1})"
            detail = f"{what} answered {response.status_code}"
            if response.status_code < 500 and response.status_code != 429:
                break
    return False, detail


SIGNATURE_HEADER = "X-Permanence-Signature"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """Header value ``t=<unix>,v1=<hex hmac-sha256(secret, "<t>." + body)>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance_s: float = 300.0,
                     now: float | None = None) -> bool:
    """Receiver side: constant-time check of the signature and of its freshness (replays)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
        given = fields["v1"]
    except (ValueError, KeyError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


class WebhookChannel:
    """POSTs the notice as JSON to another system, signed with HMAC-SHA256."""

    name = "webhook"

    def __init__(self, url: str, secret: str, *, timeout_s: float = 5.0, retries: int = 4,
                 backoff_s: float = 0.1) -> None:
        if not secret:
            raise ValueError("webhook secret must not be empty: receivers verify the signature")
        self.url = url
        self._secret = secret
        self._timeout = timeout_s
        self._retries = retries
        self._backoff_s = backoff_s

    async def deliver(self, notice: HandoffNotice) -> Delivery:
        t0 = time.perf_counter()
        body = json.dumps(notice.to_dict(), sort_keys=True).encode()
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(self._secret, body, int(time.time()))}
        ok, detail = await post_with_retries(
            self.url, content=body, headers=headers, timeout_s=self._timeout,
            retries=self._retries, backoff_s=self._backoff_s, what="webhook")
        return Delivery(self.name, ok, detail, (time.perf_counter() - t0) * 1e3)
