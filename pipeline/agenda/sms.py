"""SMS confirmation through the telephony channel (Twilio Messages REST resource).

The text names the practice, the day, the time and the practitioner; never a reason for the
visit, a symptom or a diagnosis (an SMS is read on a lock screen)."""

from __future__ import annotations

import logging
from typing import Literal, Protocol

import httpx

from agenda import AgendaConfig
from agenda.speech import say_slot
from pipeline.agenda.store import Appointment

log = logging.getLogger(__name__)


class SmsSender(Protocol):
    async def send(self, to: str, body: str) -> bool:
        """True when the provider accepted the message; never raises."""
        ...


class TwilioSms:
    def __init__(self, account_sid: str, auth_token: str, sender: str, *,
                 api_base: str = "https://api.twilio.com", timeout_s: float = 5.0) -> None:
        self.url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._auth = (account_sid, auth_token)
        self.sender = sender
        self._timeout = timeout_s

    async def send(self, to: str, body: str) -> bool:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                r = await client.post(self.url, auth=self._auth,
                                      data={"To": to, "From": self.sender, "Body": body})
        except httpx.HTTPError as exc:
            log.warning("SMS not sent: telephony API unreachable (%s)", type(exc).__name__)
            return False
        if r.status_code >= 300:
            log.warning("SMS not sent: telephony API answered %d", r.status_code)
            return False
        return True


def confirmation_text(appt: Appointment, config: AgendaConfig, practice_name: str,
                      language: Literal["fr", "en"] = "fr", *, moved: bool = False) -> str:
    when = say_slot(appt.slot, config, language)
    if language == "en":
        verb = "moved to" if moved else "confirmed:"
        return (f"{practice_name}: appointment {verb} {when}. To cancel or move it, call "
                f"the practice.")
    verb = "déplacé au" if moved else "confirmé le"
    return (f"{practice_name} : rendez-vous {verb} {when}. Pour l'annuler ou le déplacer, "
            f"appelez le cabinet.")


def cancellation_text(appt: Appointment, config: AgendaConfig, practice_name: str,
                      language: Literal["fr", "en"] = "fr") -> str:
    when = say_slot(appt.slot, config, language)
    if language == "en":
        return f"{practice_name}: your appointment on {when} is cancelled."
    return f"{practice_name} : votre rendez-vous du {when} est annulé."
