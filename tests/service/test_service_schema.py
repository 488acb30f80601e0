"""Schemathesis against the service's own OpenAPI schema: generated requests (valid and
malformed), as an administrator, never get a 5xx. Bounded (a few examples per operation,
derandomised) so it stays fast and repeatable. The voice agent's phone and WebRTC routes are
fuzzed elsewhere (test_service_twilio.py): a well-formed offer would start a real call."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

EXCLUDED = ("/twilio/", "/ws/", "/api/agent/offer", "/api/live")


def test_no_generated_request_gets_a_server_error(client: Any, headers: Any) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    admin = headers("admin")
    client.post("/api/calls/simulate", headers=headers("tele_secretary"), json={
        "language": "fr", "turns": ["ma femme ne respire plus"]})
    failures: list[str] = []
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if any(part in operation.path for part in EXCLUDED):
            continue

        @settings(max_examples=5, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            # Sent through the app's own TestClient (schemathesis' ASGI transport trips on this
            # urllib3); the request is exactly the generated one.
            kw = case.as_transport_kwargs(base_url="http://testserver", headers=admin)
            sent = {k: kw[k] for k in ("method", "url", "headers", "params", "json")
                    if kw.get(k) is not None}
            if kw.get("data") is not None:
                sent["content" if isinstance(kw["data"], (bytes, str)) else "data"] = kw["data"]
            response = client.request(**sent)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {response.text[:200]}")

        run()
        tried += 1
    assert tried > 15  # every API route was exercised
    assert not failures, "\n".join(failures[:10])
