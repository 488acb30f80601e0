"""Twilio request verification and the one-time tokens that tie a media stream to its call.

Twilio signs each webhook: ``X-Twilio-Signature = base64(HMAC-SHA1(auth_token, URL + the POST
parameters sorted by name, each name immediately followed by its value))``. A request without a
valid signature is not from Twilio (anyone can POST to ``/twilio/voice``). The media stream
websocket carries no signature of its own, so the verified webhook issues a one-time token
(a TwiML ``<Parameter>``) that the stream must present, once, for that very ``callSid``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
"""Twilio call ids: ``CA`` and 32 hex digits."""
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ANONYMOUS = frozenset({"anonymous", "restricted", "unknown", "private", ""})


def expected_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    payload = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    mac = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def valid_signature(auth_token: str, url: str, params: Mapping[str, str],
                    signature: str | None) -> bool:
    """Constant-time check. Twilio signs the URL it called, with the port only when it was
    explicit, so both spellings are tried for standard ports."""
    if not signature:
        return False
    candidates = {url}
    for scheme, port in (("https://", ":443"), ("http://", ":80")):
        if url.startswith(scheme):
            host_end = url.find("/", len(scheme))
            host = url[len(scheme):host_end if host_end >= 0 else None]
            rest = url[host_end:] if host_end >= 0 else ""
            candidates.add(scheme + (host[:-len(port)] if host.endswith(port)
                                     else host + port) + rest)
    ok = False
    for candidate in candidates:
        ok |= hmac.compare_digest(expected_signature(auth_token, candidate, params), signature)
    return ok


def valid_call_sid(value: str | None) -> bool:
    return bool(value) and CALL_SID.fullmatch(value or "") is not None


def caller_number(value: str | None) -> str | None:
    """An E.164 number, None for a withheld one; ValueError for anything else."""
    raw = (value or "").strip()
    if raw.lower() in ANONYMOUS:
        return None
    if not E164.fullmatch(raw):
        raise ValueError("From: expected an E.164 number (+33612345678) or a withheld caller")
    return raw


@dataclass(frozen=True)
class StreamGrant:
    call_sid: str
    caller: str | None
    expires_at: float


class StreamTokens:
    """One-time tokens for media streams (bounded: oldest dropped first)."""

    def __init__(self, ttl_s: float = 120.0, max_open: int = 1000) -> None:
        self._ttl = ttl_s
        self._max = max_open
        self._open: OrderedDict[str, StreamGrant] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self, call_sid: str, caller: str | None) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._open[token] = StreamGrant(call_sid, caller, time.monotonic() + self._ttl)
            while len(self._open) > self._max:
                self._open.popitem(last=False)
        return token

    def redeem(self, token: str | None, call_sid: str | None) -> StreamGrant | None:
        """The grant, once, if the token was issued for this call and has not expired."""
        if not token:
            return None
        with self._lock:
            grant = self._open.pop(token, None)
        if grant is None or grant.expires_at < time.monotonic():
            return None
        if not hmac.compare_digest(grant.call_sid, call_sid or ""):
            return None
        return grant
