"""The one settings object. Read from the environment (prefix ``PERMANENCE_``) once, at the edge,
and passed in; engines get their own typed config, never this object.

Nested engine settings use ``__``: ``PERMANENCE_ASR__COMPUTE_TYPE=int8``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "permanence"


def _default_model_cache() -> Path:
    # Outside the repository so a fresh clone reuses assembled weights and nothing large is
    # ever committed.
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "permanence" / "models"


class AgendaSettings(BaseModel):
    """Agenda (issue 9): ``PERMANENCE_AGENDA__POLL_S=2`` etc. The practice's own CalDAV server
    is the flat ``PERMANENCE_CALDAV_URL`` / ``_USERNAME`` / ``_PASSWORD`` (see Settings)."""

    enabled: bool = True
    embedded_caldav: bool = False
    """Start the embedded Radicale with the service (``permanence serve`` and ``make run`` turn
    it on; tests start their own)."""
    radicale_host: str = "127.0.0.1"
    """The embedded Radicale binds loopback only: calendar apps on the practice's machines
    reach it through the practice's own reverse proxy, never directly."""
    radicale_port: int = 5232
    poll_s: float = 5.0
    """How often the practitioners' calendars are asked for changes (sync-token REPORT):
    an event added in a calendar app blocks its slot within this."""
    retry_max_s: float = 30.0
    """Longest wait between two attempts to reach a calendar that is down."""
    calendars: dict[str, str] = Field(default_factory=dict)
    """Practitioner id -> calendar URL on the practice's server; default: one calendar named
    after the practitioner id under the account's calendar home."""
    sms_from: str | None = None
    """Sender number (E.164) for SMS confirmations; with Twilio credentials and the practice's
    ``agenda.sms_confirmation: true``."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PERMANENCE_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    """Home of the embedded default: SQLite file, stored audio, generated caches."""
    model_cache_dir: Path = Field(default_factory=_default_model_cache)
    """Where provisioned model folders are assembled (never inside the repository)."""
    database_url: str | None = None
    """SQLAlchemy URL; default ``sqlite:///{data_dir}/permanence.db``."""

    language: Literal["fr", "en", "auto"] = "fr"
    """Practice language; ``auto`` restricts detection to ``languages``."""
    languages: list[str] = Field(default_factory=lambda: ["fr", "en"])

    whisper_model: str = "base"
    """``base`` (assembled from packages), ``tiny.en``, or a path to a CTranslate2 Whisper folder
    (a practice with a larger model points this at it)."""
    whisper_compute_type: str = "int8"
    asr_threads: int = Field(default=1, ge=1)
    """Threads of each recognizer inference worker (``RecognizerConfig.cpu_threads``)."""
    asr_workers: int = Field(default=2, ge=1)
    """Recognizer inference workers sharing one model instance; one per core
    (``RecognizerConfig.workers``)."""
    asr_bias: bool = True
    """Bias Whisper toward triage vocabulary (poitrine, respirer, convulse...) via its prompt."""

    practice_file: Path | None = None
    """YAML practice configuration (hours, roster, queue); the embedded demo practice if unset."""
    protocol_file: Path | None = None
    """YAML red-flag protocol overriding the shipped default."""
    classifier_use_model: bool = True
    """False: protocol-only classifier (no encoder). True and the model cannot load: protocol
    results, every one flagged for review."""
    classifier_heads_dir: Path | None = None
    """Trained heads folder; the committed ``models/heads`` if unset."""
    classifier_threads: int = 1
    """Torch threads for the encoder: one utterance runs as fast on 1 thread as on 2 (measured,
    ~10 ms int8) and leaves the other core to the recognizer."""

    # Voice agent (pipeline/agent)
    tts_engine: Literal["espeak", "piper"] = "espeak"
    """The agent's voice: espeak-ng (embedded default) or a Piper voice file (``piper_voice``)."""
    piper_voice: Path | None = None
    agent_stall_timeout_s: float = 2.0
    """A classifier/TTS call running longer than this hands the call to a human."""
    agent_recognizer_stall_timeout_s: float = 6.0
    """The same for the recognizer, whose final pass is the heaviest work of a call (beam 5 over
    a 15 s window, see asr/engine.py): with another process keeping one of two cores busy it
    took over 2 s, and the 2 s budget sent routine callers to the tele-secretary as 'stalled'.
    A hung recognizer still reaches a human within 6 s."""
    agent_silence_timeout_s: float = 7.0
    """Caller silence before the agent re-prompts once (then hands the call to a human)."""

    log_level: str = "INFO"

    # Agenda (issue 9)
    agenda: AgendaSettings = Field(default_factory=AgendaSettings)
    caldav_url: str | None = None
    """The practice's own CalDAV server (Nextcloud, iCloud, Zimbra...); unset: the embedded
    Radicale that ``permanence serve`` starts on loopback."""
    caldav_username: str | None = None
    caldav_password: str | None = None

    # Service (issue 5): auth, limits, retention, outbound channels.
    token_ttl_s: int = 12 * 3600
    """Lifetime of a bearer token / dashboard session."""
    max_body_bytes: int = 1_000_000
    """Larger request bodies get 413."""
    cookie_secure: bool = False
    """Set the dashboard cookie's Secure flag (behind HTTPS)."""
    retention_audio_days: int = 30
    retention_transcript_days: int = 90
    retention_form_days: int = 365
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    webhook_url: str | None = None
    """Signed (HMAC-SHA256) handoff notifications for other systems; off when unset."""
    webhook_secret: str | None = None

    # Durability and security (issue 11).
    journal_dir: Path | None = None
    """Local write journal (owner-only files); default ``{data_dir}/journal``. Keep it on a
    local disk: it is what survives a database outage and a crash."""
    twilio_public_url: str | None = None
    """The service's URL as Twilio calls it (``https://triage.example.fr``), for request
    signatures behind a proxy; default: the URL the request arrived on."""
    offer_rate_per_minute: int = 6
    """Browser calls (``/api/agent/offer``) one address may start per minute."""
    max_browser_calls: int = 4
    """Simultaneous browser calls; more get 503 (each holds recognizer time on 2 cores)."""
    softphone_connect_timeout_s: float = 15.0
    """How long a tele-secretary's softphone has, from "Prendre l'appel", to connect with audio.
    Past it the claim is released (audited): the agent keeps the caller and the escalation
    ladder runs on."""
    softphone_media_timeout_s: float = 5.0
    """A connected softphone silent on the wire this long (browsers send packets even for
    silence, every 20 ms) is lost: the caller is told, then the line falls back to a human."""
    login_failures_before_backoff: int = 3
    """Failed logins (per address, per account) before each further try must wait."""
    login_backoff_max_s: float = 30.0
    """Longest wait imposed between tries: slows guessing, never locks a user out."""
    retention_interval_s: float = 3600.0
    """How often ``serve`` runs retention (0: never; ``permanence retention run`` by hand)."""

    # Several practices, several machines (issue 10).
    practices_file: Path | None = None
    """YAML directory of practices (id, own practice file, numbers dialled): see
    `pipeline.practices`. Unset: one practice (``practice_file``)."""
    redis_url: str | None = None
    """``redis://host:6379/0``: live state shared by several processes (push fan-out, write
    stream, escalation leases; see `pipeline.live`). Unset: in process (one machine)."""
    redis_prefix: str = "permanence"
    """Key prefix, so two deployments can share one Redis."""
    escalation_lease_s: float = 3.0
    """How long an escalation timer stays with a process that stopped renewing it (died)
    before another takes it over. Must be well under the shortest acknowledgment deadline
    (demo practice: 60 s for an emergency)."""
    role: Literal["all", "api", "agent"] = "all"
    """``permanence serve --role``: ``api`` (REST API, dashboard, push; no voice engines),
    ``agent`` (voice routes and engines, plus login and simulated calls), ``all`` (one
    process, the embedded default)."""
    agent_preload: bool = True
    """``permanence serve`` with a role that takes calls (agent, all) loads the voice engines
    at start-up, and ``/readyz`` answers 503 (check ``engines``) until they are loaded (77 s
    measured on this 2-core machine at load 8): a load balancer sends no call to a worker that
    would keep its caller waiting.
    False: loaded on the first call (a process that only simulates calls)."""

    @property
    def effective_journal_dir(self) -> Path:
        return self.journal_dir or self.data_dir / "journal"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'permanence.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process from the environment."""
    return Settings()
