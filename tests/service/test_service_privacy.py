"""Privacy: nothing personal in any log (stdlib and pipecat's loguru), retention and erasure
also clear what the running server holds in memory, retention removes caller numbers and
correction values on a schedule inside the service, the pseudonymised export catches what
a rule on capital letters misses (spaCy NER plus rules)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

BOOKING_FR = ("Bonjour, je voudrais prendre un rendez-vous pour un certificat de sport, "
              "rappelez-moi au 06 12 34 56 78")


def test_no_caller_words_names_dates_or_numbers_reach_either_logger(capfd):
    from loguru import logger

    from pipeline.service.logsetup import configure_logging

    configure_logging("DEBUG")
    try:
        # What pipecat logs while the agent reads a caller's details back.
        pipecat = logger.patch(lambda r: r.update(name="pipecat.services.tts_service"))
        pipecat.debug("TTS request: ctx-1 - Je récapitule : Hortense Vidal, née le 12 mars "
                      "1956, rappel au 06 12 34 56 78. Est-ce correct ?")
        pipecat.info("Generating TTS [Hortense Vidal, née le 12 mars 1956]")
        pipecat.warning("TTS error for text \"Hortense Vidal au 06 12 34 56 78\"")
        logging.getLogger("pipeline.test").warning("callback to +33612345678, born 12/03/1956")
        logger.info("an application message about jean.dupont@example.org")
    finally:
        logger.remove()
        logger.add(__import__("sys").stderr)
    err = capfd.readouterr().err
    for secret in ("Hortense", "Vidal", "1956", "12 34 56", "33612345678", "jean.dupont"):
        assert secret not in err, (secret, err)
    assert "TTS error" in err  # warnings still get through, masked


@pytest.fixture
def housekeeping_client(service_settings: Any, make_services: Any) -> Any:
    from fastapi.testclient import TestClient

    from pipeline.service.app import create_app

    settings = service_settings.model_copy(update={
        "retention_interval_s": 0, "retention_transcript_days": 0,
        "retention_form_days": 0, "retention_audio_days": 0})
    services = make_services()
    services.settings = settings
    with TestClient(create_app(settings, services=services)) as c:
        yield c


def _wait(predicate: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.1)


def test_scheduled_retention_clears_numbers_correction_values_and_memory(housekeeping_client):
    from tests.service.conftest import login

    c = housekeeping_client
    services = c.app.state.services
    h = login(c, "tele_secretary")
    call_id = c.post("/api/calls/simulate", headers=h, json={
        "language": "fr", "turns": [BOOKING_FR], "caller_number": "+33633333333"}
    ).json()["call_id"]
    assert c.patch(f"/api/calls/{call_id}/form", headers=h, json={
        "fields": {"caller_name": "Marie Lambert"}}).status_code == 200
    assert services.hub.live_transcript(call_id)  # the server holds the words in memory
    # The schedule (0.2 s here, 1 h by default) runs inside the service: no cron, no CLI.
    services.settings = services.settings.model_copy(update={"retention_interval_s": 0.2})
    _wait(lambda: services.hub.live_transcript(call_id) is None)
    detail = c.get(f"/api/calls/{call_id}", headers=h).json()
    assert detail["caller_number"] is None
    assert all("text" not in e for e in detail["events"])
    assert all(line["text"] == "" for line in detail["transcript"])
    form_corrections = [x for x in detail["corrections"] if x["field"].startswith("form.")]
    assert form_corrections and all(x["old"] is None and x["new"] is None
                                    for x in form_corrections)
    assert "Lambert" not in str(detail)


def test_erasure_by_another_process_clears_the_running_servers_memory(client, headers,
                                                                     services):
    from pipeline.service.gdpr import erase
    from pipeline.service.store import Store

    h = headers("tele_secretary")
    call_id = client.post("/api/calls/simulate", headers=h, json={
        "language": "fr", "turns": [BOOKING_FR], "caller_number": "+33644444444"}
    ).json()["call_id"]
    assert services.hub.live_transcript(call_id)
    # `permanence gdpr erase` runs in its own process, on the same database.
    other = Store(services.store.url, migrate=False)
    assert erase(other, "cli", caller_number="+33644444444") == [call_id]
    _wait(lambda: services.hub.live_transcript(call_id) is None, timeout=20)
    assert all(c.id != call_id for c in services.hub.snapshot())


@pytest.mark.parametrize(("text", "secrets", "kept"), [
    ("ma fille lucie a de la fièvre depuis hier", ["lucie"], ["fièvre", "ma fille"]),
    ("mon mari ne respire plus, il est tout bleu", [], ["ne respire plus"]),
    ("je m'appelle jean dupont, j'habite 12 rue des Lilas à Lyon",
     ["jean", "dupont", "Lilas", "12 rue"], ["j'habite"]),
    ("rappelez-moi au zéro six douze trente-quatre cinquante-six soixante-dix-huit",
     ["douze", "trente-quatre"], ["rappelez-moi"]),
    ("mon numéro c'est le 06 12 34 56 78, je suis née le 3 mars 1956",
     ["06 12", "1956", "3 mars"], ["je suis née le"]),
    ("Bonjour, c'est Marie Curie, mon fils Paul a 38 de fièvre depuis 2 jours",
     ["Marie", "Curie", "Paul"], ["38 de fièvre", "2 jours"]),
])
def test_pseudonymised_export_catches_lowercase_relatives_spoken_numbers_addresses(
        text, secrets, kept):
    from pipeline.service.gdpr import pseudonymize

    out = pseudonymize(text, "fr")
    for secret in secrets:
        assert secret not in out, out
    for words in kept:
        assert words in out, out
