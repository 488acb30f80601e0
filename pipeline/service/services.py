"""The typed container the app (and the voice agent) share: settings, practice, store, hub,
push broker, auth, and the classifier loaded lazily once per process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from handoff import Channel, PracticeConfig, TwilioTransferChannel, WebhookChannel, load_practice
from pipeline.calls import CallHub
from pipeline.service.auth import Auth, LoginThrottle
from pipeline.service.journal import Journal
from pipeline.service.push import PushBroker
from pipeline.service.store import Store
from pipeline.settings import Settings

if TYPE_CHECKING:
    from classifier import Classifier
    from pipeline.agenda.service import AgendaService
    from pipeline.practices import PracticeDirectory


@dataclass
class Services:
    settings: Settings
    practice: PracticeConfig
    store: Store
    hub: CallHub
    broker: PushBroker
    auth: Auth
    classifier_override: Classifier | None = None
    agenda: AgendaService | None = None
    """Appointments (issue 9); None when ``agenda.enabled`` is off."""
    practices: PracticeDirectory | None = None
    """Several practices (issue 10, ``practices_file``); None: one practice."""
    agendas: dict[str, AgendaService] = field(default_factory=dict)
    """Several practices with the agenda on: each practice's own (``agenda`` is the default
    practice's, the one the dashboard's agenda pages show)."""
    _classifier: Classifier | None = field(default=None, init=False, repr=False)
    _practice_classifiers: dict[str, Classifier] = field(default_factory=dict, init=False,
                                                         repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def classifier(self) -> Classifier:
        """The process-wide classifier, loaded on first use (thread-safe)."""
        if self.classifier_override is not None:
            return self.classifier_override
        with self._lock:
            if self._classifier is None:
                from classifier import Classifier
                from pipeline.engines import classifier_config

                self._classifier = Classifier.load(classifier_config(self.settings))
            return self._classifier

    def classifier_for(self, practice_id: str | None) -> Classifier:
        """The classifier of a practice's calls: its protocol override and languages over the
        process's one encoder (`pipeline.practices.practice_classifier`)."""
        directory = self.practices
        if practice_id is None or directory is None or practice_id not in directory.configs:
            return self.classifier()
        base = self.classifier()
        with self._lock:
            clf = self._practice_classifiers.get(practice_id)
            if clf is None:
                from pipeline.practices import practice_classifier

                clf = self._practice_classifiers[practice_id] = practice_classifier(
                    base, directory.protocols.get(practice_id),
                    directory.configs[practice_id].languages)
            return clf

    def agenda_for(self, practice_id: str | None) -> AgendaService | None:
        """The agenda a practice's calls book in (the default one for a call of none)."""
        if practice_id is not None and practice_id in self.agendas:
            return self.agendas[practice_id]
        return self.agenda

    def all_agendas(self) -> list[AgendaService]:
        """Every agenda this process runs (each started and closed once)."""
        out = [self.agenda] if self.agenda is not None else []
        out += [a for a in self.agendas.values() if all(a is not b for b in out)]
        return out


def default_channels(settings: Settings) -> list[Channel]:
    channels: list[Channel] = []
    if settings.twilio_account_sid and settings.twilio_auth_token:
        status_url = (settings.twilio_public_url.rstrip("/") + "/twilio/status"
                      if settings.twilio_public_url else None)
        channels.append(TwilioTransferChannel(settings.twilio_account_sid,
                                              settings.twilio_auth_token,
                                              api_base=settings.twilio_api_base,
                                              status_url=status_url))
    if settings.webhook_url and settings.webhook_secret:
        channels.append(WebhookChannel(settings.webhook_url, settings.webhook_secret))
    return channels


def build_services(settings: Settings, *, store: Store | None = None,
                   practice: PracticeConfig | None = None,
                   channels: Sequence[Channel] | None = None,
                   classifier: Classifier | None = None,
                   clock: Callable[[], datetime] | None = None,
                   ack_poll_s: float = 0.1) -> Services:
    store = store or Store(settings.effective_database_url, secrets_dir=settings.data_dir)
    practice = practice or load_practice(settings.practice_file)
    broker = PushBroker()
    # -- several practices, several processes (issue 10) --
    from pipeline.live import live_from_settings

    live = live_from_settings(settings.redis_url, prefix=settings.redis_prefix,
                              lease_s=settings.escalation_lease_s, store=store)
    hub = CallHub(store, practice, broker=broker,
                  channels=default_channels(settings) if channels is None else channels,
                  ack_poll_s=ack_poll_s,
                  journal=Journal(settings.effective_journal_dir / "writes.jsonl"), live=live)
    directory = None
    if settings.practices_file is not None:
        from pipeline.practices import load_practices

        directory = load_practices(settings.practices_file)
        hub.practices = dict(directory.configs)
        hub.route_number = directory.for_number
        if directory.default is not None:
            practice = hub.practice = directory.configs[directory.default]
    if clock is not None:
        hub.clock = clock
    services = Services(settings=settings, practice=practice, store=store, hub=hub,
                        broker=broker, auth=Auth(store, settings.token_ttl_s,
                                                 throttle=LoginThrottle(
                                                     free=settings.login_failures_before_backoff,
                                                     max_delay_s=settings.login_backoff_max_s)),
                        classifier_override=classifier, practices=directory)
    # -- agenda (issue 9) --
    if settings.agenda.enabled and directory is not None:
        services.agendas = _practice_agendas(settings, store, directory, clock)
        services.agenda = (services.agendas[directory.default] if directory.default is not None
                           else next(iter(services.agendas.values()), None))
    elif settings.agenda.enabled:
        from pipeline.agenda.service import build_agenda

        services.agenda = build_agenda(settings, store, practice_name=practice.name,
                                       clock=clock)
    return services


def _practice_agendas(settings: Settings, store: Store, directory: PracticeDirectory,
                      clock: Callable[[], datetime] | None) -> dict[str, AgendaService]:
    """One agenda per practice (issue 10): its own practitioners, slots and calendars, its
    rows scoped in the shared database. One embedded CalDAV server serves them all (the first
    agenda runs it; each practitioner has their own calendar on it)."""
    from pipeline.agenda.service import build_agenda
    from pipeline.practices import agenda_configs

    configs = agenda_configs(directory)
    order = sorted(configs, key=lambda pid: pid != directory.default)
    agendas: dict[str, AgendaService] = {}
    shared = None
    for practice_id in order:
        practice = directory.configs[practice_id]
        first = practice.languages[0] if practice.languages else "fr"
        spoken: Literal["fr", "en"] = "en" if first == "en" else "fr"
        agenda = build_agenda(settings, store, practice_name=practice.name,
                              config=configs[practice_id], clock=clock, caldav=shared,
                              scoped=True, language=spoken)
        if shared is None and agenda.radicale is not None:
            shared = agenda.radicale.credentials
        agendas[practice_id] = agenda
    return agendas
