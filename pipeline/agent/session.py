"""One call, transport-agnostic: audio in, call events and agent speech out.

``CallSession`` composes the concerns of a call, each in its own module:

- engine calls off the event loop under the stall watchdog (``guard``);
- listening: the recognizer loop, coalescing and shedding (``listening``);
- turn-taking on the audio clock (``turns``);
- the dialogue state machine (``dialogue``), its wording and answer parsing;
- the record of the call (``report``), also sent to the call hub (``pipeline.calls``).

Its seams are Protocols (``ports``); tunables live in one ``SessionOptions``. Transports (phone,
browser, file, pipecat processors) set the public ``on_say``/``on_interrupt`` callbacks and
``subscribe`` to events.

Clocks: decisions (end of turn, silence re-prompts, barge-in) run on the audio clock (the end of
the audio the recognizer processed), so a recording gives the same conversation however loaded
the machine is. Event stamps ``t`` are wall time since the call started for live and real-time
calls (compute and queueing delays show in the timeline), and the audio clock for ``fast``
file calls.

Same recording, same outcome: the dialogue, the form and the non-emergency classification sent
to the hub are decided on finals only. A partial may only raise an emergency from written
protocol evidence (a rule id), which hands off at once, mid-sentence.

Fail-safe: a recognizer, classifier or TTS call that raises, or runs more than
``stall_timeout_s`` (2 s; the recognizer's ``recognizer_stall_timeout_s``, 6 s), puts the
call in the tele-secretary's queue with everything captured
so far; the caller hears the transfer notice (synthesized when the session starts, so it plays
even when TTS is the fault). Until a human has actually taken the call, the agent keeps
listening and triaging whatever still works: a red flag heard while the caller waits escalates
at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from asr.types import AsrEvent, AudioChunk, SpeechEnd, SpeechStart, TranscriptUpdate
from classifier.labels import Urgency
from classifier.types import Classification, RedFlagHit, TriageForm
from handoff import HandoffAction, HandoffDecision
from pipeline.agent import answers
from pipeline.agent.dialogue import (
    ACTIVE,
    CALL_EMERGENCY_NUMBER,
    AgentLine,
    Dialogue,
    DialogueAction,
    HandoffKind,
    HandoffRequest,
    State,
)
from pipeline.agent.guard import EngineFault, EnginePools, Watchdog, default_pools
from pipeline.agent.listening import Listener, ListenOptions, ListenStats
from pipeline.agent.ports import (
    Hub,
    InterruptCallback,
    Recognizer,
    SayCallback,
    StreamingTriage,
    Triage,
    TurnDetector,
)
from pipeline.agent.report import CallDecision, CallReport, EventListener, Timeline
from pipeline.agent.tts import SpeechAudio, Synthesizer
from pipeline.agent.turns import Expect, TurnOptions, TurnTaker, turn_wait
from pipeline.agent.wording import Language, lang, say
from pipeline.calls import HubNotice, NoticeKind
from pipeline.events import (
    AgentHungUp,
    AgentSaid,
    BargedIn,
    CallEnded,
    CallEvent,
    CallStarted,
    Classified,
    Fault,
    HandedOff,
    HumanJoined,
    SpeechEnded,
    SpeechStarted,
    TranscriptFinal,
    TranscriptPartial,
    TurnEnded,
    TurnWaiting,
)

log = logging.getLogger(__name__)

AUDITED: tuple[type[CallEvent], ...] = (
    SpeechStarted, SpeechEnded, TranscriptPartial, TranscriptFinal, AgentSaid, Fault, BargedIn,
    TurnWaiting, TurnEnded,
)
"""Events the session sends to the hub's audit trail; the hub records the call's start and
end, classifications and handoffs through its own methods."""

if TYPE_CHECKING:
    from pipeline.agenda.conversation import AgendaConversation, AgendaReply
    from pipeline.agenda.service import AgendaService

# espeak speaks ~14 characters a second: the estimate when another service speaks.
CHARS_PER_S = 14.0


@dataclass(frozen=True)
class SessionOptions:
    """Every tunable of a call session, with the default each was measured or decided at."""

    practice_name: str = "cabinet médical"
    language: Language = "fr"
    """The language the agent speaks."""
    asr_language: str | None = None
    """Passed to the recognizer: fr/en forces it, auto detects per utterance (None: language)."""
    channel: str = "file"
    caller_number: str | None = None
    provider_call_id: str | None = None
    practice_id: str | None = None
    """The call's practice in a deployment of several (issue 10); None: the default one."""
    realtime: bool = True
    stall_timeout_s: float = 2.0
    recognizer_stall_timeout_s: float = 6.0
    """The recognizer's own budget (its final pass is the heaviest; see Settings)."""
    silence_timeout_s: float = 7.0
    advise_emergency_categories: frozenset[str] = CALL_EMERGENCY_NUMBER
    external_tts: bool = False
    """A pipecat TTS service speaks (and reports its own faults via ``report_fault``)."""
    barge_in_words: int = 2
    """Words (not "hmm", "euh") the caller must say over the agent to interrupt it: a cough,
    line noise or a filler never barges in."""
    listen: ListenOptions = field(default_factory=ListenOptions)
    turns: TurnOptions = field(default_factory=TurnOptions)

    @property
    def can_transfer(self) -> bool:
        """Browser calls have no line a human can take over."""
        return self.channel != "browser"


_EXPECT = {State.REASON: Expect.SENTENCE, State.NAME: Expect.NAME,
           State.DATE_OF_BIRTH: Expect.DATE, State.CALLBACK: Expect.PHONE,
           State.CONFIRM_FORM: Expect.YES_NO, State.CONFIRM_FLAG: Expect.YES_NO,
           State.CORRECTION: Expect.SENTENCE, State.AGENDA: Expect.SENTENCE}


def _agenda_yes_no(text: str) -> bool | None:
    """The agent's yes/no reader first (it knows "Waze." is a misheard "oui"), then the
    agenda's ("ça me va", "volontiers")."""
    from pipeline.agenda.conversation import yes_no

    answer = answers.parse_yes_no(text)
    return answer if answer is not None else yes_no(text)


class CallSession:
    """One call. ``start()``, then ``feed()`` audio as it arrives, then ``finish()``."""

    def __init__(self, *, recognizer: Recognizer, classifier: Triage, synthesizer: Synthesizer,
                 hub: Hub, options: SessionOptions | None = None,
                 turn_detector: TurnDetector | None = None, pools: EnginePools | None = None,
                 on_say: SayCallback | None = None, on_interrupt: InterruptCallback | None = None,
                 agenda: AgendaService | None = None) -> None:
        self.options = options or SessionOptions()
        opts = self.options
        self.language: Language = lang(opts.language)
        self.on_say = on_say
        """The transport speaks: ``on_say(text, kind, audio)``."""
        self.on_interrupt = on_interrupt
        """The transport stops the agent's audio now."""
        self._recognizer = recognizer
        self._classifier = classifier
        self._synth = synthesizer
        self._hub = hub
        self._turn_detector = turn_detector
        self._pools = pools or default_pools()
        self._watchdog = Watchdog(opts.stall_timeout_s)
        self.dialogue = Dialogue(
            opts.practice_name, self.language, caller_number=opts.caller_number,
            silence_timeout_s=opts.silence_timeout_s,
            advise_emergency_categories=opts.advise_emergency_categories,
            can_transfer=opts.can_transfer)
        self.timeline = Timeline()
        self.turn = TurnTaker(opts.turns)
        self.listener = Listener(None, watchdog=Watchdog(opts.recognizer_stall_timeout_s),
                                 pools=self._pools,
                                 options=opts.listen, on_events=self._on_asr,
                                 on_fault=self._on_fault, after_feed=self._after_feed)
        self.call_id = ""
        self.fault: EngineFault | None = None
        """The first component that faulted."""
        self.decision: HandoffDecision | None = None
        """The hub's latest handoff decision for this call."""
        self.last_classification: Classification | None = None
        self.ended = asyncio.Event()
        self._stream: StreamingTriage | None = None
        self._listeners: list[EventListener] = []
        self._lock = asyncio.Lock()
        self._pending: set[asyncio.Future[Any]] = set()
        self._t_start = 0.0
        self._speaking_until = -1.0
        self._protected_until = -1.0
        self._fallback_audio: SpeechAudio | None = None
        self._last_cls_key: tuple[object, ...] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._faults: set[str] = set()
        # Agenda (issue 9): routine and urgent appointment requests are booked, moved or
        # cancelled in the call (pipeline.agenda.conversation); None: the form only.
        self._agenda = agenda
        self._agenda_conv: AgendaConversation | None = None
        self._agenda_words: list[str] = []
        self._agenda_last = ""

    # -- public surface ---------------------------------------------------------------------------

    @property
    def channel(self) -> str:
        return self.options.channel

    @property
    def caller_number(self) -> str | None:
        return self.options.caller_number

    @property
    def stats(self) -> ListenStats:
        return self.listener.stats

    def subscribe(self, listener: EventListener) -> None:
        """Call ``listener(event)`` for every event of the call, as it happens."""
        self._listeners.append(listener)

    def now(self) -> float:
        """The call clock events are stamped with (wall time, or the audio clock when fast)."""
        if self.options.realtime:
            return time.monotonic() - self._t_start
        return self.listener.audio_t

    @property
    def audio_t(self) -> float:
        """The audio clock: decisions are taken on it."""
        return self.listener.audio_t

    @property
    def listening(self) -> bool:
        """The agent still hears and triages the caller."""
        return (self.dialogue.listening and self.listener.active and self._stream is not None
                and not self._faulted("classifier"))

    @property
    def done(self) -> bool:
        """Nothing more for the agent to do: closed, handed to the physician, taken over by a
        human, or unable to listen. A call waiting for a human is not done: the agent listens."""
        return self.dialogue.state in (State.CLOSED, State.EMERGENCY, State.WITH_HUMAN) or \
            not self.listening

    @property
    def handoff(self) -> HandedOff | None:
        return self.timeline.handoff

    @property
    def handoff_latency_s(self) -> float | None:
        return self.timeline.handoff_latency_s

    @property
    def waiting_for_decisive_end(self) -> bool:
        """A handoff came from a partial: the decisive utterance has not ended yet."""
        handoff = self.timeline.handoff
        return (handoff is not None and handoff.utterance_id is not None
                and handoff.utterance_id not in self.timeline.speech_end)

    def speaking_remaining_s(self) -> float:
        """Audio-clock seconds of agent speech still playing (estimate)."""
        return max(0.0, self._speaking_until - self.audio_t)

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> str:
        opts = self.options
        self._t_start = time.monotonic()
        self.call_id = await self._hub.start_call(
            channel=opts.channel, language=self.language, caller_number=opts.caller_number,
            provider_call_id=opts.provider_call_id,
            **({"practice_id": opts.practice_id} if opts.practice_id else {}))
        notices = self._hub.watch(self.call_id)
        self._watch_task = asyncio.create_task(self._watch(notices),
                                               name=f"notices-{self.call_id}")
        self._emit(CallStarted(self.now(), opts.channel, self.language))
        fault: EngineFault | None = None
        try:
            transcriber = self._recognizer.stream(
                language=opts.asr_language or self.language, t0=0.0)
            if not opts.realtime and hasattr(transcriber, "synchronous"):
                # A replayed recording (``fast``): every pass is awaited, so a file gives the
                # same events on any machine. Otherwise a final slower than the replay's 1 s
                # wait came a feed later, seconds of audio late: on a busy machine the
                # convulsion question was asked after the caller's "oui" had begun.
                transcriber.synchronous = True  # type: ignore[attr-defined]
            self.listener.transcriber = transcriber
            self.listener.active = True
        except Exception as exc:  # noqa: BLE001 - any engine fault goes to a human
            fault = EngineFault("recognizer", f"raised {type(exc).__name__}: {exc}")
        if fault is None:
            try:
                self._stream = self._classifier.stream(
                    language=None if opts.asr_language == "auto" else self.language)
            except Exception as exc:  # noqa: BLE001
                fault = EngineFault("classifier", f"raised {type(exc).__name__}: {exc}")
        # The transfer notice is synthesized up front so a TTS fault still reaches the caller.
        with contextlib.suppress(EngineFault):
            self._fallback_audio = await self._watchdog.run(
                "tts", self._pools.tts, self._synth.synthesize,
                say("transfer_fault", self.language), self.language)
        self.listener.start(f"asr-{self.call_id}")
        if fault is not None:
            await self._on_fault(fault)
        else:
            async with self._lock:
                await self._apply(self.dialogue.start(self.audio_t))
        return self.call_id

    async def feed(self, chunk: AudioChunk) -> None:
        """Queue caller audio (on the call's audio clock); never blocks on the recognizer."""
        await self.listener.feed(chunk)

    async def drain(self) -> None:
        """Wait until every queued chunk went through the recognizer (``fast`` file calls)."""
        await self.listener.drain()

    async def finish(self, reason: str = "caller hung up") -> None:
        """End of audio: flush the recognizer, answer a pending turn, close the call."""
        await self.listener.close()
        async with self._lock:
            if self.turn.pending and self.dialogue.state in ACTIVE:
                await self._end_turn("end_of_call")
            flag = self.dialogue.pending_flag
            if self.dialogue.state is State.CONFIRM_FLAG and flag is not None:
                # The caller hung up (or the line dropped) before answering the red-flag
                # question: no usable answer, so the physician calls back as for an emergency.
                await self._apply(self.dialogue.emergency(flag.category.value, self.audio_t,
                                                          unanswered=True))
        await self._agenda_abandon()
        if self._watch_task is not None:
            self._watch_task.cancel()
            with contextlib.suppress(BaseException):
                await self._watch_task
        self._emit(CallEnded(self.now(), reason))
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        try:
            await self._hub.end_call(self.call_id, self.now(), reason)
        except Exception:  # noqa: BLE001 - the call is over for the caller either way
            log.exception("hub.end_call failed for call %s", self.call_id)
        self.ended.set()

    async def caller_started_speaking(self) -> None:
        """A transport-side VAD heard the caller. No barge-in on sound alone (a cough, line
        noise): only the silence timer stops; words interrupt the agent (``_barge_in``)."""
        self.dialogue.on_speech_start(self.audio_t)

    async def report_fault(self, component: str, detail: str) -> None:
        """A transport-side component (pipecat TTS service) raised or stalled."""
        await self._on_fault(EngineFault(component, detail))

    # -- recognizer events ------------------------------------------------------------------------

    async def _on_asr(self, events: list[AsrEvent]) -> None:
        for event in events:
            async with self._lock:
                await self._handle(event)

    async def _handle(self, event: AsrEvent) -> None:
        if isinstance(event, SpeechStart):
            if self.turn.pending and not self.turn.resumed(event.t) and \
                    not self.listener.final_pending and self.dialogue.state in ACTIVE:
                await self._end_turn("silence")  # the wait ran out before this utterance
            self._emit(SpeechStarted(event.t, event.utterance_id))
            self.dialogue.on_speech_start(event.t)
        elif isinstance(event, SpeechEnd):
            self._emit(SpeechEnded(event.t, event.utterance_id, round(event.detected_at, 3)))
            if self.turn.parts and self.turn.deadline is None:
                # The recognizer may drop an utterance (no final: "1980" after "Le trois
                # mars."): the turn must still end; a final coming now re-decides.
                self.turn.wait(event.t + self.options.turns.max_wait_s, "silence")
            elif not self.turn.pending:
                # Speech that gave no words (noise): the silence re-prompt runs again.
                self.dialogue.on_speech_end(event.t)
        elif isinstance(event, TranscriptUpdate):
            await self._on_transcript(event)

    async def _on_transcript(self, update: TranscriptUpdate) -> None:
        final = update.is_final
        if final:
            self._emit(TranscriptFinal(self.now(), update.utterance_id, update.text,
                                       round(update.emitted_at, 3)))
        else:
            self._emit(TranscriptPartial(self.now(), update.utterance_id, update.text,
                                         round(update.emitted_at, 3)))
        await self._barge_in(update.text)
        if not self.listener.active or self.dialogue.state in (State.CLOSED, State.WITH_HUMAN):
            return
        classification, form = await self._classify(update)
        if classification is None or not self.dialogue.listening:
            return  # after an emergency handoff: recorded for the human, nothing more
        if not final:
            # A partial decides nothing, except written-protocol red flags: at once.
            action = self.dialogue.on_evidence(classification, self.audio_t)
            if action.handoff is not None:
                await self._apply(action, classification, None, update.utterance_id)
            return
        action = self.dialogue.on_final(update.text, classification, self.audio_t)
        if action.handoff is not None:
            await self._apply(action, classification, form, update.utterance_id)
            return
        if self.dialogue.state is State.WAITING_FOR_HUMAN:
            await self._triage_while_waiting(classification, form, update.utterance_id)
            return
        if self.dialogue.state not in ACTIVE:
            return
        text = self.turn.add_final(update.text, update.utterance_id, classification, form)
        expect = _EXPECT.get(self.dialogue.state, Expect.SENTENCE)
        if expect is Expect.PHONE and self.options.caller_number:
            expect = Expect.PHONE_OR_YES_NO
        p = await self._turn_probability(update.end)
        wait = turn_wait(text, expect, p, self.options.turns)
        if wait is None:
            # A complete answer: still a short gap, for a sentence the caller resumes.
            self.turn.wait(update.end + self.options.turns.min_gap_s, "complete")
        else:
            reason = "incomplete_answer" if p is None or p >= 0.5 else "smart_turn"
            self.turn.wait(update.end + max(wait, self.options.turns.min_gap_s), reason)
            self._emit(TurnWaiting(self.now(), update.utterance_id, reason))
        later = self.timeline.next_start(update.utterance_id)
        if later is not None and self.turn.deadline is not None:
            # A late final (busy machine): the caller already spoke again. Decide as if the
            # final had come on time: that utterance either resumed this turn (it began
            # before the wait ran out) or is the next turn (after the agent would have
            # answered), so a slow machine does not glue two turns into one.
            if self.turn.resumed(later):
                ended = [t for u, t in self.timeline.speech_end.items()
                         if u > update.utterance_id]
                if ended and self.timeline.open_utterance is None:
                    # ...and already ended: as at its end of speech, in case it has no final.
                    self.turn.wait(max(ended) + self.options.turns.max_wait_s, "silence")
                return
            await self._end_turn(self.turn.reason if self.turn.reason == "complete"
                                 else "silence")

    async def _classify(self, update: TranscriptUpdate
                        ) -> tuple[Classification | None, TriageForm | None]:
        stream = self._stream
        if stream is None:
            return None, None
        try:
            c = await self._watchdog.run("classifier", self._pools.classifier, stream.update,
                                         update.text, t=update.emitted_at, final=update.is_final)
            form = (await self._watchdog.run("classifier", self._pools.classifier, stream.form)
                    if update.is_final else None)
        except EngineFault as exc:
            await self._fault_locked(exc)
            return None, None
        self.last_classification = c
        if (c.red_flags or c.suspected) and self.listener.transcriber is not None:
            # A red flag heard or suspected: this call's next partials go before the other
            # calls' partials and finals, and are never shed (asr.scheduler, URGENT_PARTIAL).
            self.listener.transcriber.prioritize(True)
        key = (c.urgency, tuple(h.category for h in c.red_flags),
               tuple(h.category for h in c.suspected), c.intent, update.is_final)
        if key != self._last_cls_key or update.is_final:
            # Unchanged partial classifications are not repeated in the timeline.
            self._last_cls_key = key
            self._emit(Classified(
                self.now(), update.utterance_id, update.is_final, c.urgency.value,
                c.intent.value, tuple(h.category.value for h in c.red_flags),
                tuple(h.category.value for h in c.suspected), c.needs_review,
                round(c.latency_ms, 1)))
        return c, form

    async def _turn_probability(self, end: float) -> float | None:
        if self._turn_detector is None:
            return None
        audio = self.listener.recent_audio(end)
        if len(audio) < 1600:
            return None
        try:
            return await self._watchdog.run("turn", self._pools.classifier,
                                            self._turn_detector.complete_probability, audio)
        except EngineFault as exc:
            # Turn detection is a comfort, not a safety component: the words decide.
            log.warning("call %s: turn detector fault (%s); the words decide", self.call_id,
                        exc.detail)
            return None

    async def _after_feed(self) -> None:
        """After each recognizer pass: turn waits and silence, on the audio clock."""
        async with self._lock:
            # A late final (a busy machine) holds the turn open: it may complete the answer.
            if self.turn.due(self.audio_t) and self.timeline.open_utterance is None and \
                    not self.listener.final_pending and self.dialogue.state in ACTIVE:
                await self._end_turn(self.turn.reason if self.turn.reason == "complete"
                                     else "silence")
            # A final still owed may be the answer (a busy machine: one came 8.7 s after the
            # caller stopped, and "je ne vous entends pas" was said over it): the re-prompt
            # waits for it within the recognizer's own stall budget, so a hung recognizer
            # still leads to a re-prompt, then a human.
            grace = self.options.recognizer_stall_timeout_s if self.listener.final_pending \
                else 0.0
            await self._apply(self.dialogue.on_silence(self.audio_t, grace))

    async def _end_turn(self, reason: str) -> None:
        """The caller finished their turn: the dialogue answers it."""
        turn = self.turn.take()
        self._emit(TurnEnded(self.now(), turn.utterance_id, reason))
        c, form = turn.classification, turn.form
        asked_before = set(self.dialogue.asked_flags)
        before = self.dialogue.state
        self._agenda_intent(turn.text, c)
        action = self.dialogue.on_turn(turn.text, c, form, self.audio_t)
        asking_flag = self.dialogue.asked_flags != asked_before or \
            self.dialogue.state is State.CONFIRM_FLAG
        if action.handoff is None and not asking_flag and c is not None:
            # Urgent/routine turns go through the handoff policy too (priority queue,
            # dashboard), minus the red flags the caller denied. When the policy queues the
            # call for a human itself (in doubt, after hours...), the agent tells the caller
            # and keeps listening until the human takes it.
            shown = self.dialogue.without_denied(c)
            if shown.urgency is not Urgency.EMERGENCY:
                decision = await self._record_classification(
                    shown, self.dialogue.form_without_denied(form))
                if decision is not None and decision.is_handoff:
                    await self._policy_handoff(decision, turn.utterance_id)
                    return
        await self._apply(action, c, form, turn.utterance_id)
        await self._agenda_turn(before, turn.text, action)

    # -- agenda (issue 9) -------------------------------------------------------------------------

    @property
    def agenda_outcome(self) -> dict[str, Any] | None:
        """What the call did in the agenda: the appointment booked, moved or cancelled."""
        conv = self._agenda_conv
        if conv is None:
            return None
        appt = conv.booked
        return {"goal": conv.goal.value, "step": conv.step.value,
                "appointment": None if appt is None else {
                    "id": appt.id, "start": appt.slot.start.isoformat(),
                    "practitioner": appt.slot.practitioner, "type": appt.slot.type,
                    "status": appt.status}}

    def _agenda_intent(self, text: str, c: Classification | None) -> None:
        """While the caller gives their reason: is it about an appointment?"""
        if self._agenda is None or self.dialogue.state not in (State.REASON, State.CORRECTION,
                                                                State.NAME, State.DATE_OF_BIRTH,
                                                                State.CALLBACK):
            return
        from pipeline.agenda.conversation import Goal, goal_of

        if self.dialogue.state is State.REASON:
            self._agenda_words.append(text)
        said = goal_of(" ".join(self._agenda_words))
        intent = c.intent.value if c is not None else None
        goal: Goal | None = None
        if intent == "appointment_change":
            goal = said if said in (Goal.MOVE, Goal.CANCEL) else Goal.MOVE
        elif intent == "appointment_booking":
            goal = said or Goal.BOOK
        elif intent in (None, "administrative", "other"):
            # The words alone ("annuler mon rendez-vous"), never over a clinical intent: a
            # symptom mentioning "rendez-vous" stays a symptom for the form and a person.
            goal = said
        if goal is not None and self.dialogue.agenda_goal is None:
            self.dialogue.agenda_goal = goal.value

    async def _agenda_turn(self, before: State, text: str, action: DialogueAction) -> None:
        if self._agenda is not None and before in (State.NAME, State.DATE_OF_BIRTH) and \
                self.dialogue.state is before and self.dialogue.retries > 0:
            # Not an answer to the question (re-asked): the rest of the caller's wish, as in
            # "...avec le docteur Martin. | Mardi prochain en fin de matinée."
            self._agenda_words.append(text)
        if self._agenda is None or self.dialogue.state is not State.AGENDA:
            return
        from datetime import date as _date

        from pipeline.agenda.conversation import AgendaConversation, Caller, Goal

        if self._agenda_conv is None:  # the read-back's yes: the appointment now
            collected = self.dialogue.collected
            born = None
            if collected.date_of_birth:
                with contextlib.suppress(ValueError):
                    born = _date.fromisoformat(collected.date_of_birth)
            urgency: Literal["routine", "urgent"] = (
                "urgent" if self.dialogue.urgency is Urgency.URGENT else "routine")
            self._agenda_conv = AgendaConversation(
                self._agenda, Caller(name=collected.name, birth_date=born,
                                     phone=collected.callback_number, urgency=urgency,
                                     call_id=self.call_id),
                Goal(self.dialogue.agenda_goal or "book"), self.language,
                yes_no_parser=_agenda_yes_no)
            reply = await self._agenda_call(self._agenda_conv.start(
                " ".join(self._agenda_words)))
        elif before is State.AGENDA and not action.say and action.handoff is None:
            reply = await self._agenda_call(self._agenda_conv.on_turn(text))
        elif before is State.CONFIRM_FLAG and self._agenda_last:
            # Back from a red-flag question the caller answered no: ask again.
            await self._say(AgentLine(self._agenda_last, "agenda_repeat"))
            self.dialogue.agenda_said(self._agenda_last, self._speaking_until)
            return
        else:
            return
        if reply is None:
            return
        await self._agenda_reply(reply)

    async def _agenda_call(self, coro: Coroutine[Any, Any, AgendaReply]) -> AgendaReply | None:
        """One agenda step; its failure is a component fault (a person takes the call)."""
        try:
            return await asyncio.wait_for(coro, timeout=max(5.0, self.options.stall_timeout_s))
        except Exception as exc:  # noqa: BLE001 - the agenda failing must not silence the call
            log.exception("agenda failed for call %s", self.call_id)
            await self._apply(self.dialogue.agenda_finished(
                self.audio_t, human_reason=f"agenda fault ({type(exc).__name__})"))
            await self._agenda_abandon()
            return None

    async def _agenda_reply(self, reply: AgendaReply) -> None:
        if reply.handoff is not None:  # the dialogue's own transfer notice says it
            await self._apply(self.dialogue.agenda_finished(self.audio_t,
                                                            human_reason=reply.handoff))
            await self._agenda_abandon()
            return
        await self._say(AgentLine(reply.text, f"agenda_{reply.kind}"))
        self._agenda_last = reply.text
        if reply.callback:
            # The promise itself is kept by the call's urgent decision (a priority queue or
            # call-back message that stays on the dashboard until a human acknowledges it);
            # the audit trail records what the caller was told.
            self._hub.audit("agent", "agenda.callback_promised", self.call_id)
        if reply.finished:
            await self._apply(self.dialogue.agenda_finished(self.audio_t))
        else:
            self.dialogue.agenda_said(reply.text, self._speaking_until)

    async def _agenda_abandon(self) -> None:
        """The call ended or left the agent: free the slots this caller was offered."""
        if self._agenda_conv is not None:
            with contextlib.suppress(Exception):
                await self._agenda_conv.abandon()

    async def _triage_while_waiting(self, c: Classification, form: TriageForm | None,
                                    utterance_id: int) -> None:
        """The caller waits for a human: what they say still goes through the handoff policy;
        a more severe decision (a red flag the policy sees) escalates at once."""
        decision = await self._record_classification(self.dialogue.without_denied(c),
                                                     self.dialogue.form_without_denied(form))
        if decision is not None and decision.is_handoff and \
                decision.urgency is Urgency.EMERGENCY:
            category = decision.red_flags[0].value if decision.red_flags else "emergency"
            action = self.dialogue.emergency(category, self.audio_t)
            await self._apply(action, c, form, utterance_id, decided=decision)

    async def _record_classification(self, c: Classification, form: TriageForm | None
                                     ) -> HandoffDecision | None:
        try:
            decision = await self._hub.record_classification(self.call_id, c, form, self.now())
        except Exception:  # noqa: BLE001 - the policy failing must not silence the call
            log.exception("handoff policy failed for call %s", self.call_id)
            return None
        if decision is not None:
            self.decision = decision
        return decision

    # -- actions ----------------------------------------------------------------------------------

    async def _apply(self, action: DialogueAction, classification: Classification | None = None,
                     form: TriageForm | None = None, utterance_id: int | None = None, *,
                     decided: HandoffDecision | None = None) -> None:
        # The handoff goes first: it is the latency that matters; the caller hears the notice
        # while the transfer is under way.
        if action.handoff is not None:
            await self._handoff(action.handoff, classification, form, utterance_id, decided)
        for line in action.say:
            await self._say(line)
        if action.end_call:
            self._emit(AgentHungUp(self.now()))
        if self._agenda_conv is not None and self.dialogue.state is not State.AGENDA:
            await self._agenda_abandon()

    async def _handoff(self, request: HandoffRequest, classification: Classification | None,
                       form: TriageForm | None, utterance_id: int | None,
                       decided: HandoffDecision | None = None) -> None:
        t = self.now()
        decision = decided
        if decision is None and request.kind is HandoffKind.EMERGENCY:
            decision = await self._emergency_decision(request, classification, form, t)
        elif decision is None:
            decision = await self._hand_to_human(request.reason, t)
        self.decision = decision or self.decision
        self._emit(HandedOff(
            t, request.kind.value, request.reason,
            self.timeline.decisive_utterance(utterance_id),
            decision.action.value if decision is not None else None,
            decision.target.name if decision is not None else None))

    async def _emergency_decision(self, request: HandoffRequest,
                                  classification: Classification | None,
                                  form: TriageForm | None, t: float) -> HandoffDecision | None:
        c = classification or self.last_classification
        decision: HandoffDecision | None = None
        if c is not None:
            hit = self._dialogue_hit(request, t)
            if hit is not None:
                c = replace(c, urgency=Urgency.EMERGENCY, red_flags=(hit, *c.red_flags))
            decision = await self._record_classification(c, form)
            if form is None and self._stream is not None:
                # The form follows the handoff rather than delaying it.
                self._spawn(self._attach_form(c, t))
        if decision is None or not decision.is_handoff:
            decision = await self._hand_to_human(request.reason, t)
        return decision

    def _dialogue_hit(self, request: HandoffRequest, t: float) -> RedFlagHit | None:
        """The red flag the dialogue itself established (a 'yes', or no usable answer)."""
        hit = request.confirmed_flag or (self.dialogue.pending_flag
                                         if self.dialogue.emergency_unanswered else None)
        if hit is None:
            return None
        how = "confirmed" if request.confirmed_flag is not None else "unanswered"
        return replace(hit, confirmed=True, t=t, source=f"dialogue.{how}:{hit.source}")

    async def _attach_form(self, c: Classification, t: float) -> None:
        stream = self._stream
        if stream is None:
            return
        with contextlib.suppress(Exception):
            form = await self._watchdog.run("classifier", self._pools.classifier, stream.form)
            await self._hub.record_classification(self.call_id, c, form, t)

    async def _policy_handoff(self, decision: HandoffDecision, utterance_id: int | None) -> None:
        """The hub's handoff policy queued the call for a human on its own (e.g. in doubt)."""
        reasons = "; ".join(decision.reasons) or "handoff policy"
        await self._apply(self.dialogue.on_policy_handoff(reasons, self.audio_t),
                          utterance_id=utterance_id, decided=decision)

    async def _hand_to_human(self, reason: str, t: float) -> HandoffDecision | None:
        try:
            return await self._hub.hand_to_human(self.call_id, reason, t)
        except Exception:  # noqa: BLE001
            log.exception("hub.hand_to_human failed for call %s", self.call_id)
            return None

    async def _say(self, line: AgentLine, *, prerecorded: bool = False) -> None:
        t = self.now()
        audio: SpeechAudio | None = None
        if prerecorded:
            audio = self._fallback_audio
        elif not self._faulted("tts") and not self.options.external_tts:
            try:
                audio = await self._watchdog.run("tts", self._pools.tts, self._synth.synthesize,
                                                 line.text, self.language)
            except EngineFault as exc:
                await self._fault_locked(exc)
                return
        elif self._faulted("tts"):
            return  # only the prerecorded transfer notice can still be played
        self._emit(AgentSaid(t, line.text, line.kind, line.interrupt,
                             round(audio.duration_s, 2) if audio else None, prerecorded))
        if self._stream is not None and not self._faulted("classifier"):
            # The caller's next yes/no is read with what the agent just said ("oui" to "Vous
            # saignez ?"); a statement or an open question gives nothing to read. Not with the
            # red-flag question, whose answer the dialogue itself decides (a "yes" is the
            # emergency it confirms): read there too, it would be counted twice.
            self._stream.asked(None if self.dialogue.state is State.CONFIRM_FLAG
                               else line.text)
        if line.interrupt and self.on_interrupt is not None:
            await self.on_interrupt()
        duration = audio.duration_s if audio else len(line.text) / CHARS_PER_S
        start = max(self._speaking_until, self.audio_t)
        if line.interrupt:
            start = self.audio_t
        self._speaking_until = start + duration
        if line.protected:
            self._protected_until = self._speaking_until
        self.dialogue.on_agent_done_speaking(self._speaking_until)
        if self.on_say is not None:
            await self.on_say(line.text, line.kind, audio)

    async def _barge_in(self, text: str) -> None:
        """The caller speaks words over the agent: it stops and listens. Not over the greeting's
        emergency notice or an emergency notice, and never for "hmm" or noise."""
        now = self.audio_t
        if now >= self._speaking_until or now < self._protected_until:
            return
        if self.dialogue.state not in ACTIVE:
            return
        if len(answers.content_words(text)) < self.options.barge_in_words:
            return
        self._emit(BargedIn(self.now()))
        self._speaking_until = now
        self.dialogue.on_agent_done_speaking(now)
        if self.on_interrupt is not None:
            await self.on_interrupt()

    # -- faults -----------------------------------------------------------------------------------

    def _faulted(self, component: str) -> bool:
        return component in self._faults

    @property
    def faults(self) -> frozenset[str]:
        """Components that faulted during the call."""
        return frozenset(self._faults)

    async def _on_fault(self, exc: EngineFault) -> None:
        async with self._lock:
            await self._fault_locked(exc)

    async def _fault_locked(self, exc: EngineFault) -> None:
        if exc.component in self._faults:
            return
        self._faults.add(exc.component)
        if self.fault is None:
            self.fault = exc
        log.warning("call %s: %s fault (%s) -> tele-secretary", self.call_id, exc.component,
                    exc.detail)
        self._emit(Fault(self.now(), exc.component, exc.detail))
        if exc.component in ("recognizer", "classifier", "session"):
            self.listener.stop()
        if self.dialogue.state is State.CLOSED:
            # The agent had closed the call (goodbye said, line hung up): recorded, but there
            # is no caller left to hand over. (A recognizer flush slower than its budget on a
            # busy machine put closed routine calls in the tele-secretary's queue.)
            return
        action = self.dialogue.on_fault(exc.component, self.audio_t)
        if action.handoff is None and self.timeline.handoff is None:
            # Already waiting for a human or handed off: make sure the hub has the call.
            action = DialogueAction(handoff=HandoffRequest(HandoffKind.HUMAN,
                                                           f"{exc.component} fault"))
        if action.handoff is not None:
            await self._handoff(action.handoff, None, None, None)
        for line in action.say:
            # TTS is the fault: play the notice synthesized at the start of the call.
            await self._say(line, prerecorded=self._faulted("tts"))

    # -- the human side ---------------------------------------------------------------------------

    async def _watch(self, notices: asyncio.Queue[HubNotice]) -> None:
        while True:
            notice = await notices.get()
            async with self._lock:
                if notice.kind is NoticeKind.TAKEN_OVER:
                    self._emit(HumanJoined(self.now(), notice.by or "?"))
                    await self._apply(self.dialogue.on_human_joined(self.audio_t))
                    # The caller hears why the agent falls silent, then the agent stops
                    # listening (until now it kept triaging what the caller said).
                    await self._say(AgentLine(say("put_through", self.language), "put_through",
                                              interrupt=True, protected=True))
                    self.listener.stop()
                elif notice.kind is NoticeKind.ACKNOWLEDGED and self.timeline.handoff:
                    await self._say(AgentLine(say("doctor_has_call", self.language),
                                              "doctor_has_call", protected=True))
                elif notice.kind is NoticeKind.ESCALATED and notice.decision is not None:
                    self.decision = notice.decision
                    if notice.decision.action is HandoffAction.ADVISE_EMERGENCY_SERVICES:
                        # The last rung: nobody acknowledged. The caller is told, in their
                        # language, to dial 15/112 (an agent_say event: stored and audited).
                        await self._say(AgentLine(
                            say("last_rung", self.language,
                                number=notice.decision.target.phone or "15"), "last_rung",
                            interrupt=True, protected=True))

    # -- the record -------------------------------------------------------------------------------

    def _emit(self, event: CallEvent) -> None:
        self.timeline.record(event)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - a transport's listener must not break the call
                log.exception("event listener failed")
        if self.call_id and isinstance(event, AUDITED):
            # Tasks run in creation order, so the audit trail keeps event order.
            self._spawn(self._hub.record_event(self.call_id, event))

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._discard)

    def _discard(self, task: asyncio.Future[Any]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("call %s: recording an event failed: %r", self.call_id,
                        task.exception())

    def report(self) -> CallReport:
        c = self.last_classification
        decision = self.decision
        action: str | None = None
        if decision is not None:
            action = decision.action.value
        elif self.timeline.handoff is not None:
            action = "hand_to_human"
        elif self.dialogue.state is State.CLOSED:
            action = "handled_by_agent"
        # Flags the handoff was decided on, then any heard after it (still relevant to the
        # human); model guesses the caller denied are left out.
        shown = self.dialogue.without_denied(c) if c is not None else None
        flags = [r.value for r in (decision.red_flags if decision else ())]
        flags += [h.category.value for h in (shown.red_flags if shown else ())]
        return CallReport(
            call_id=self.call_id, events=tuple(self.timeline.events),
            decision=CallDecision(self.dialogue.urgency.value, tuple(dict.fromkeys(flags)),
                                  action, self.timeline.handoff is not None,
                                  self.fault.component if self.fault else None),
            handoff_latency_s=self.timeline.handoff_latency_s, form=self.form_dict())

    def form_dict(self) -> dict[str, Any]:
        form: dict[str, Any] = {}
        if self._stream is not None and not self._faulted("classifier"):
            with contextlib.suppress(Exception):
                form = {k: v for k, v in self._stream.form().to_dict().items()
                        if v not in (None, [], ())}
        form["dialogue"] = self.dialogue.collected.to_dict()
        return form
