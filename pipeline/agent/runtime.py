"""The voice agent's process-wide pieces: engines loaded once, shared by every call.

``AgentRuntime.session(...)`` gives a ready ``CallSession`` for any transport.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pipeline.agent.guard import EnginePools, default_pools
from pipeline.agent.ports import Recognizer, Triage, TurnDetector
from pipeline.agent.session import CallSession, SessionOptions
from pipeline.agent.tts import Synthesizer, load_synthesizer
from pipeline.agent.turns import shared_smart_turn
from pipeline.agent.wording import lang

if TYPE_CHECKING:
    from handoff import PracticeConfig
    from pipeline.agenda.service import AgendaService
    from pipeline.calls import CallHub
    from pipeline.service.services import Services
    from pipeline.settings import Settings

# Calls must work with no network at all: no hub downloads, no telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


@dataclass(frozen=True)
class PracticeParts:
    """What a call of one practice uses that another practice's call does not (issue 10):
    light objects over the process's shared engines."""

    practice: PracticeConfig
    classifier: Triage
    """Its protocol override over the process's encoder."""
    agenda: AgendaService | None


@dataclass
class AgentRuntime:
    settings: Settings
    recognizer: Recognizer
    classifier: Triage
    synthesizer: Synthesizer
    hub: CallHub
    practice: PracticeConfig
    pools: EnginePools = field(default_factory=default_pools)
    turn_detector: TurnDetector | None = field(default_factory=shared_smart_turn)
    """Smart Turn (end of the caller's turn); None answers at every final transcript."""
    agenda: AgendaService | None = None
    """The practice's agenda (issue 9): appointment requests are booked in the call; None:
    they stay a form field for a person."""
    parts_for: Callable[[str], PracticeParts] | None = None
    """Several practices (issue 10): practice id -> its configuration, protocol and agenda;
    None: every call is the default practice's (`practice`, `classifier`, `agenda`)."""

    @classmethod
    def load(cls, settings: Settings, *, hub: CallHub | None = None,
             practice: PracticeConfig | None = None, classifier: Triage | None = None,
             recognizer: Recognizer | None = None) -> AgentRuntime:
        """Load what is not given. Without a hub, an in-memory one (no database): enough for
        file calls and benchmarks; the service passes its own."""
        from handoff import load_practice
        from pipeline.calls import CallHub

        if practice is None:
            practice = hub.practice if hub is not None else load_practice(settings.practice_file)
        if hub is None:
            hub = CallHub(None, practice)
        if classifier is None:
            from classifier import Classifier
            from pipeline.engines import classifier_config

            classifier = Classifier.load(classifier_config(settings))
        if recognizer is None:
            from asr import Recognizer
            from pipeline.engines import recognizer_config

            recognizer = Recognizer.load(recognizer_config(settings))
        synthesizer = load_synthesizer(settings.tts_engine, settings.piper_voice)
        runtime = cls(settings, recognizer, classifier, synthesizer, hub, practice)
        runtime.warm_up()
        return runtime

    def warm_up(self) -> None:
        """One pass through each engine before the first call: lazy loads (spaCy, ONNX
        sessions, the first CTranslate2 pass) take seconds and would trip the 2 s stall
        watchdog of a caller's first words."""
        import numpy as np

        from asr.types import AudioChunk

        # Texts that reach the form extractor's lazy paths (spaCy names ~7 s, dates, numbers).
        for language, text in (
            ("fr", "Bonjour. Je vous appelle pour Marie Dupont, née le 3 mars 1980, j'ai mal à "
                   "la tête depuis hier, rappelez-moi au 06 12 34 56 78."),
            ("en", "Hello, this is John Smith, born on 3 March 1980, call me back on "
                   "+44 20 7946 0958."),
        ):
            stream = self.classifier.stream(language)
            stream.update(text, t=0.0, final=True)
            stream.form()
        transcriber = self.recognizer.stream(language="fr", t0=0.0)
        tone = (0.1 * np.sin(np.arange(16000) * 2 * np.pi * 220 / 16000)).astype(np.float32)
        transcriber.feed(AudioChunk(samples=tone, t0=0.0))
        transcriber.flush()
        self.synthesizer.synthesize("bonjour", "fr")
        if self.turn_detector is not None:
            self.turn_detector.complete_probability(tone)

    def bind(self, services: Services) -> AgentRuntime:
        """Take the service's agendas and, with several practices, each practice's parts."""
        self.agenda = services.agenda
        directory = services.practices
        if directory is not None:
            def parts_for(practice_id: str) -> PracticeParts:
                return PracticeParts(directory.configs.get(practice_id, services.practice),
                                     services.classifier_for(practice_id),
                                     services.agenda_for(practice_id))

            self.parts_for = parts_for
        return self

    def parts(self, practice_id: str | None) -> PracticeParts:
        """The practice-specific parts of a call (the default practice's when None)."""
        if practice_id is not None and self.parts_for is not None:
            return self.parts_for(practice_id)
        return PracticeParts(self.practice, self.classifier, self.agenda)

    def _languages(self, practice: PracticeConfig, asked: str | None) -> tuple[str, str]:
        """(spoken, recognised): the settings' language (``auto``: the recognizer detects and
        the agent speaks French), or in a deployment of several practices the call's
        practice's languages: its first one spoken, the recognizer forced to it when it is
        the practice's only language."""
        spoken = asked or self.settings.language
        if not self.hub.practices or not practice.languages:
            return ("fr" if spoken == "auto" else spoken), spoken
        served = practice.languages
        if spoken in served:
            return spoken, spoken
        if len(served) == 1:
            return served[0], served[0]
        return served[0], ("auto" if self.settings.language == "auto" else served[0])

    def options(self, *, channel: str, language: str | None = None,
                caller_number: str | None = None, provider_call_id: str | None = None,
                realtime: bool = True, practice_id: str | None = None) -> SessionOptions:
        """The session options for one call, from the settings and the practice."""
        # Several practices (issue 10): the practice of the number the caller dialled.
        practice_id = practice_id or self.hub.announced_practice_id(provider_call_id)
        practice = (self.hub.practices.get(practice_id) if practice_id else None) or self.practice
        spoken, recognised = self._languages(practice, language)
        # auto: the recognizer detects per utterance; the agent speaks the practice's first
        # language (a caller's English is still transcribed and triaged).
        return SessionOptions(
            practice_name=practice.name, language=lang(spoken),
            asr_language=recognised, channel=channel, caller_number=caller_number,
            provider_call_id=provider_call_id, practice_id=practice_id, realtime=realtime,
            stall_timeout_s=self.settings.agent_stall_timeout_s,
            recognizer_stall_timeout_s=self.settings.agent_recognizer_stall_timeout_s,
            silence_timeout_s=self.settings.agent_silence_timeout_s,
            advise_emergency_categories=frozenset(
                c.value for c in practice.advise_emergency_categories))

    def session(self, *, channel: str, language: str | None = None,
                caller_number: str | None = None, provider_call_id: str | None = None,
                realtime: bool = True, options: SessionOptions | None = None,
                practice_id: str | None = None) -> CallSession:
        """A ready session for one call (``options`` overrides the computed ones), with its
        practice's protocol and agenda (`practice_id`, else the one its number was announced
        for, else the default)."""
        computed = self.options(channel=channel, language=language,
                                caller_number=caller_number,
                                provider_call_id=provider_call_id, realtime=realtime,
                                practice_id=practice_id)
        if options is not None:
            computed = replace(options, channel=channel, caller_number=caller_number,
                               provider_call_id=provider_call_id, realtime=realtime,
                               practice_id=options.practice_id or computed.practice_id)
        parts = self.parts(computed.practice_id)
        return CallSession(recognizer=self.recognizer, classifier=parts.classifier,
                           synthesizer=self.synthesizer, hub=self.hub, options=computed,
                           turn_detector=self.turn_detector, pools=self.pools,
                           agenda=parts.agenda)
