"""The agent's dialogue as a declared state machine: deterministic, French and English, no I/O.

States, transitions and guards are declared together in ``TRANSITIONS`` (read it first); one
function, ``Dialogue._enter``, enters a state and says what entering it means (the question,
the notice, the handoff). Wording lives in ``pipeline.agent.wording``, answer parsing in
``pipeline.agent.answers``. The call session (``pipeline.agent.session``) feeds it caller turns,
finals, silence and faults, and carries out what it returns (speak, hand off, hang up).

Order of concerns, safety first:

1. written-protocol red flags hand the call to the physician at once (even from a partial);
2. a caller asking for a person, or a component fault, goes to a human at once;
3. partial evidence of a red flag, or an emergency the model alone raised on a short or
   uncertain utterance, gets the category's yes/no question before anything else; "yes", an
   unclear answer twice or silence hand off (under-triage is the failure that hurts);
4. urgent calls are told a clinician calls back today; routine calls fill the form: each answer
   is checked against the question, re-asked once with an example, then left for the
   tele-secretary; the read-back speaks normalised values and takes corrections.

While the call waits for a human (``WAITING_FOR_HUMAN``) the agent asks nothing more but still
listens: a red flag then escalates at once. Only ``HUMAN_JOINED`` (a human took the call) ends
the listening.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from classifier.labels import Intent, Urgency
from classifier.types import Classification, RedFlagHit, TriageForm
from pipeline.agent import answers
from pipeline.agent.wording import (
    Language,
    born_word,
    confirm_question,
    lang,
    say,
    spoken_date,
    spoken_number,
)


class State(StrEnum):
    GREETING = "greeting"
    REASON = "reason"
    CONFIRM_FLAG = "confirm_flag"
    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    CALLBACK = "callback"
    CONFIRM_FORM = "confirm_form"
    CORRECTION = "correction"
    AGENDA = "agenda"
    """Booking, moving or cancelling an appointment (``pipeline.agenda.conversation`` leads
    the turns; the dialogue keeps safety: red flags, a person, silence, faults)."""
    CLOSED = "closed"
    EMERGENCY = "emergency"
    WAITING_FOR_HUMAN = "waiting_for_human"
    """Handed to a human's queue: the agent asks nothing more, but listens and triages."""
    WITH_HUMAN = "with_human"


class Trigger(StrEnum):
    START = "start"
    EMERGENCY = "emergency"
    ASK_FLAG = "ask_flag"
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"
    SILENCE = "silence"
    WANTS_HUMAN = "wants_human"
    FAULT = "fault"
    POLICY_HANDOFF = "policy_handoff"
    HUMAN_JOINED = "human_joined"
    GREETING_ONLY = "greeting_only"
    ANSWER = "answer"
    INVALID_ANSWER = "invalid_answer"
    CORRECTION = "correction"
    AGENDA_DONE = "agenda_done"
    AGENDA_HUMAN = "agenda_human"


class HandoffKind(StrEnum):
    EMERGENCY = "emergency"
    """Red flag: the on-call physician now (the hub's handoff policy picks the target)."""
    HUMAN = "human"
    """Tele-secretary queue: caller asked, silence, unclear answers, or a component fault."""
    POLICY = "policy"
    """The hub's handoff policy queued the call for a human itself (in doubt, after hours)."""


@dataclass(frozen=True)
class AgentLine:
    """One thing the agent says."""

    text: str
    kind: str
    """What it is for: greeting, ask_reason, confirm_flag, emergency, ..."""
    interrupt: bool = False
    """Speak now, cutting off whatever the agent was saying."""
    protected: bool = False
    """Caller speech does not barge in (the emergency notice of the greeting, emergencies)."""


@dataclass(frozen=True)
class HandoffRequest:
    kind: HandoffKind
    reason: str
    confirmed_flag: RedFlagHit | None = None
    """A red flag the caller confirmed with 'yes' (escalate it as an emergency)."""


@dataclass(frozen=True)
class DialogueAction:
    say: tuple[AgentLine, ...] = ()
    handoff: HandoffRequest | None = None
    end_call: bool = False


NO_ACTION = DialogueAction()

# Categories where the caller is also told to call 15 / 112 themselves: immediately
# life-threatening ones where the SAMU may be faster than the practice's physician.
CALL_EMERGENCY_NUMBER: frozenset[str] = frozenset({
    "chest_pain", "breathing", "stroke", "consciousness", "bleeding", "anaphylaxis", "suicidal",
    "seizure", "meningitis", "poisoning", "obstetric", "trauma", "sepsis", "acute_abdomen",
    "diabetic",
})

MODEL_SOURCE = "model"
SHORT_UTTERANCE_WORDS = 10
"""A model-only emergency on a final of fewer words than this is asked, not acted on: the
model alone flagged "Whisse bien ça" (a misheard "oui, c'est bien ça") and "Je voudrais en faire
une belle-mère" (a misheard renewal request, 7 words) as suicidal."""


def protocol_hits(c: Classification) -> tuple[RedFlagHit, ...]:
    """Red flags acted on at once: the written protocol's (rule ids), and the heads' reading
    of a completed clause the protocol already suspected (``model:clause``: replay and live
    call then flag at the same moment). A plain ``model`` guess on a final is not one."""
    return tuple(h for h in c.red_flags if h.source != MODEL_SOURCE and h.confirmed)


def model_emergency_is_uncertain(c: Classification, utterance: str) -> bool:
    """The model alone raised this emergency from a short or low-confidence final."""
    short = len(answers.content_words(utterance)) < SHORT_UTTERANCE_WORDS
    uncertain = any(r.startswith("model_uncertain_emergency") for r in c.review_reasons)
    return short or uncertain


# -- the form the dialogue fills ---------------------------------------------------------------

FIELDS = ("name", "date_of_birth", "callback_number")
_FIELD_STATE = {"name": State.NAME, "date_of_birth": State.DATE_OF_BIRTH,
                "callback_number": State.CALLBACK}
_STATE_FIELD = {v: k for k, v in _FIELD_STATE.items()}


@dataclass
class CollectedForm:
    """What the dialogue captured from answers (complements the classifier's form)."""

    name: str | None = None
    date_of_birth: str | None = None
    """ISO date, YYYY-MM-DD."""
    callback_number: str | None = None
    """E.164."""
    confirmed: bool = False
    to_check: set[str] = field(default_factory=set)
    """Fields not understood after one re-ask: the tele-secretary completes them."""

    def missing(self) -> list[str]:
        return [f for f in FIELDS if getattr(self, f) is None and f not in self.to_check]

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "date_of_birth": self.date_of_birth,
                "callback_number": self.callback_number, "confirmed": self.confirmed,
                "to_check": sorted(self.to_check)}


# -- the declared machine ---------------------------------------------------------------------

NEXT_FIELD = "next_field"
"""Target: the first form field still missing (or the read-back when none is)."""
RESUME = "resume"
"""Target: where the dialogue was before the red-flag question."""
SAME = "same"
"""Target: stay, and say the question again (re-ask, reprompt, 'answer yes or no')."""

Target = State | str
Guard = Callable[["Dialogue"], bool]

ASKING = frozenset({State.REASON, State.NAME, State.DATE_OF_BIRTH, State.CALLBACK,
                    State.CONFIRM_FORM, State.CORRECTION, State.AGENDA})
"""States where the agent asked something and waits for the caller's answer."""
ACTIVE = ASKING | {State.GREETING, State.CONFIRM_FLAG}
"""The agent leads the conversation."""
LISTENING = ACTIVE | {State.WAITING_FOR_HUMAN}
"""The agent still hears and triages the caller."""
FINISHED = frozenset({State.CLOSED, State.EMERGENCY, State.WAITING_FOR_HUMAN, State.WITH_HUMAN})
"""The agent's own part of the conversation is over."""


def _first_try(d: Dialogue) -> bool:
    return d.retries < 1


def _may_correct(d: Dialogue) -> bool:
    return d.corrections < 2


def _wants_agenda(d: Dialogue) -> bool:
    """A routine or urgent caller asking to book, move or cancel, with an agenda to do it."""
    return d.agenda_goal is not None and d.urgency is not Urgency.EMERGENCY


@dataclass(frozen=True)
class Transition:
    trigger: Trigger
    sources: frozenset[State]
    target: Target
    guard: Guard | None = None
    """The first transition whose trigger, source and guard match is taken."""


def _t(trigger: Trigger, sources: frozenset[State] | set[State], target: Target,
       guard: Guard | None = None) -> Transition:
    return Transition(trigger, frozenset(sources), target, guard)


TRANSITIONS: tuple[Transition, ...] = (
    _t(Trigger.START, {State.GREETING}, State.REASON),
    # Safety first, from anywhere the agent still listens.
    _t(Trigger.EMERGENCY, LISTENING, State.EMERGENCY),
    _t(Trigger.HUMAN_JOINED, LISTENING | {State.EMERGENCY}, State.WITH_HUMAN),
    _t(Trigger.WANTS_HUMAN, ACTIVE, State.WAITING_FOR_HUMAN),
    _t(Trigger.FAULT, ACTIVE, State.WAITING_FOR_HUMAN),
    _t(Trigger.POLICY_HANDOFF, ACTIVE, State.WAITING_FOR_HUMAN),
    _t(Trigger.ASK_FLAG, ACTIVE, State.CONFIRM_FLAG),
    # The red-flag yes/no question.
    _t(Trigger.YES, {State.CONFIRM_FLAG}, State.EMERGENCY),
    _t(Trigger.NO, {State.CONFIRM_FLAG}, RESUME),
    _t(Trigger.UNCLEAR, {State.CONFIRM_FLAG}, SAME, _first_try),
    _t(Trigger.UNCLEAR, {State.CONFIRM_FLAG}, State.EMERGENCY),
    _t(Trigger.SILENCE, {State.CONFIRM_FLAG}, SAME, _first_try),
    _t(Trigger.SILENCE, {State.CONFIRM_FLAG}, State.EMERGENCY),
    # Silence elsewhere: one re-prompt, then a person.
    _t(Trigger.SILENCE, ASKING, SAME, _first_try),
    _t(Trigger.SILENCE, ASKING, State.WAITING_FOR_HUMAN),
    # The form.
    _t(Trigger.GREETING_ONLY, {State.REASON}, State.REASON),
    _t(Trigger.ANSWER, {State.REASON, State.NAME, State.DATE_OF_BIRTH, State.CALLBACK},
       NEXT_FIELD),
    _t(Trigger.INVALID_ANSWER, {State.NAME, State.DATE_OF_BIRTH, State.CALLBACK}, SAME,
       _first_try),
    _t(Trigger.INVALID_ANSWER, {State.NAME, State.DATE_OF_BIRTH, State.CALLBACK}, NEXT_FIELD),
    # The read-back.
    _t(Trigger.YES, {State.CONFIRM_FORM}, State.AGENDA, _wants_agenda),
    _t(Trigger.YES, {State.CONFIRM_FORM}, State.CLOSED),
    _t(Trigger.CORRECTION, {State.CONFIRM_FORM, State.CORRECTION}, State.CONFIRM_FORM,
       _may_correct),
    _t(Trigger.NO, {State.CONFIRM_FORM}, State.CORRECTION, _may_correct),
    _t(Trigger.UNCLEAR, {State.CONFIRM_FORM}, SAME, _first_try),
    _t(Trigger.ANSWER, {State.CORRECTION}, State.CONFIRM_FORM, _may_correct),
    _t(Trigger.CORRECTION, {State.CONFIRM_FORM, State.CORRECTION}, State.WAITING_FOR_HUMAN),
    _t(Trigger.NO, {State.CONFIRM_FORM, State.CORRECTION}, State.WAITING_FOR_HUMAN),
    _t(Trigger.UNCLEAR, {State.CONFIRM_FORM, State.CORRECTION}, State.WAITING_FOR_HUMAN),
    _t(Trigger.INVALID_ANSWER, {State.CORRECTION}, State.WAITING_FOR_HUMAN),
    _t(Trigger.ANSWER, {State.CORRECTION}, State.WAITING_FOR_HUMAN),
    # The appointment (agenda): its conversation ends booked/cancelled, or with a person.
    _t(Trigger.AGENDA_DONE, {State.AGENDA}, State.CLOSED),
    _t(Trigger.AGENDA_HUMAN, {State.AGENDA}, State.WAITING_FOR_HUMAN),
)

_QUESTION = {State.REASON: "ask_reason", State.NAME: "ask_name",
             State.DATE_OF_BIRTH: "ask_dob", State.CALLBACK: "ask_callback",
             State.CORRECTION: "ask_correction"}
_REASK = {State.NAME: "reask_name", State.DATE_OF_BIRTH: "reask_dob",
          State.CALLBACK: "reask_callback"}


@dataclass
class Dialogue:
    """One per call. Every method is pure with respect to its inputs and the call's state."""

    practice_name: str
    language: Language = "fr"
    caller_number: str | None = None
    silence_timeout_s: float = 7.0
    """Caller silence after the agent's last question before a re-prompt (then a human)."""
    advise_emergency_categories: frozenset[str] = CALL_EMERGENCY_NUMBER
    """Red flags for which the caller is also told to call 15/112 (the practice's list)."""
    can_transfer: bool = True
    """False where no human can take the line (browser calls): emergencies are told to call
    15/112 themselves, while the on-call physician is alerted on the dashboard."""

    state: State = State.GREETING
    collected: CollectedForm = field(default_factory=CollectedForm)
    urgency: Urgency = Urgency.ROUTINE
    retries: int = 0
    """Re-asks in the current state (reset when another state is entered)."""
    corrections: int = 0
    asked_flags: set[str] = field(default_factory=set)
    denied_flags: set[str] = field(default_factory=set)
    """Red-flag categories the caller answered 'no' to."""
    suspicion_denied: bool = False
    """The caller answered 'no' to a suspected red flag: the urgency that suspicion raised
    (the classifier latches it for the rest of the call) no longer holds by itself."""
    pending_flag: RedFlagHit | None = None
    pending_flag_from_model: bool = False
    resume_state: State = State.REASON
    awaiting_since: float | None = None
    last_question: str = ""
    history: list[tuple[float, State, Trigger, State]] = field(default_factory=list)
    """(t, from, trigger, to) of every transition taken: the audit of the conversation."""
    told_urgent: bool = False
    emergency_category: str = ""
    emergency_confirmed: bool = False
    emergency_unanswered: bool = False
    human_reason: str = ""
    agenda_goal: str | None = None
    """book / move / cancel: set by the session when the caller's intent is an appointment
    and the practice's agenda is available; the read-back's yes then leads to ``AGENDA``."""

    def __post_init__(self) -> None:
        self.language = lang(self.language)
        self.advise_emergency_categories = frozenset(
            getattr(c, "value", c) for c in self.advise_emergency_categories)

    # -- the engine: one lookup, one enter ------------------------------------------------------

    def fire(self, trigger: Trigger, t: float, *, prefix: tuple[AgentLine, ...] = ()
             ) -> DialogueAction:
        """Take the first declared transition for ``trigger`` from the current state."""
        for tr in TRANSITIONS:
            if tr.trigger is trigger and self.state in tr.sources and (
                    tr.guard is None or tr.guard(self)):
                return self._enter(tr.target, trigger, t, prefix)
        return NO_ACTION

    def _resolve(self, target: Target) -> State:
        if target == NEXT_FIELD:
            missing = self.collected.missing()
            return _FIELD_STATE[missing[0]] if missing else State.CONFIRM_FORM
        if target == RESUME:
            if self.resume_state is State.AGENDA:  # back to the appointment
                return State.AGENDA
            # The answer that raised the question was absorbed: go on with the form.
            return self._resolve(NEXT_FIELD)
        if target == SAME:
            return self.state
        assert isinstance(target, State)
        return target

    def _enter(self, target: Target, trigger: Trigger, t: float,
               prefix: tuple[AgentLine, ...]) -> DialogueAction:
        """Enter a state: what the agent says and does on entering it, in one place."""
        source = self.state
        state = self._resolve(target)
        again = target == SAME
        self.history.append((t, source, trigger, state))
        if again:
            self.retries += 1
        else:
            self.retries = 0
        self.state = state
        self.awaiting_since = None
        lines = list(prefix)
        if state is State.REASON and trigger is Trigger.GREETING_ONLY:
            # "Bonjour." / "Allô ?" is not the reason yet: keep listening, say nothing.
            self.awaiting_since = t
            return DialogueAction(say=tuple(lines))
        if state is State.EMERGENCY:
            return self._emergency_action(lines)
        if state is State.WAITING_FOR_HUMAN:
            return self._human_action(lines, trigger)
        if state is State.WITH_HUMAN:
            return DialogueAction(say=tuple(lines))
        if state is State.AGENDA and not (again and trigger is Trigger.SILENCE):
            # The agenda conversation speaks next (the session starts it, see agenda_said).
            self.collected.confirmed = True
            self.awaiting_since = t
            return DialogueAction(say=tuple(lines))
        if state is State.CLOSED and source is State.AGENDA:
            # The agenda's last line already said what happens next and goodbye.
            return DialogueAction(say=tuple(lines), end_call=True)
        if state is State.CLOSED:
            self.collected.confirmed = True
            key = "closing_urgent" if self.urgency is Urgency.URGENT else "closing_routine"
            lines.append(AgentLine(say(key, self.language), "closing"))
            return DialogueAction(say=tuple(lines), end_call=True)
        # A question.
        if again and trigger is Trigger.SILENCE:
            text, kind = say("reprompt", self.language, question=self.last_question), "reprompt"
            self.awaiting_since = t
            return DialogueAction(say=(*lines, AgentLine(text, kind)))
        if state is State.CONFIRM_FLAG:
            assert self.pending_flag is not None
            question = confirm_question(self.pending_flag.category.value, self.language)
            text = say("repeat_yes_no", self.language, question=question) if again else question
            return self._ask(lines, text, "confirm_flag", t, question)
        if state is State.CONFIRM_FORM:
            if again:
                text = say("repeat_yes_no", self.language, question=self._read_back())
            else:
                text = self._read_back()
            return self._ask(lines, text, "confirm_form", t)
        if state is State.CALLBACK and self.caller_number and not again:
            number = spoken_number(self.caller_number)
            return self._ask(lines, say("ask_callback_known", self.language, number=number),
                             "ask_callback", t)
        if state in _STATE_FIELD and self.urgency is Urgency.URGENT and not self.told_urgent:
            self.told_urgent = True
            lines.append(AgentLine(say("urgent", self.language), "urgent"))
        key = _REASK[state] if again and state in _REASK else _QUESTION[state]
        question = say(_QUESTION[state], self.language)
        return self._ask(lines, say(key, self.language), _QUESTION[state], t, question)

    def _ask(self, lines: list[AgentLine], text: str, kind: str, t: float,
             question: str | None = None) -> DialogueAction:
        self.awaiting_since = t
        self.last_question = question or text
        return DialogueAction(say=(*lines, AgentLine(text, kind)))

    def _emergency_action(self, lines: list[AgentLine]) -> DialogueAction:
        self.urgency = Urgency.EMERGENCY
        hit = self.pending_flag
        category = self.emergency_category or (hit.category.value if hit else "")
        confirmed = hit if self.emergency_confirmed else None
        key = ("emergency_call_15" if category in self.advise_emergency_categories
               else "emergency")
        if not self.can_transfer:
            key = "emergency_no_transfer"
        reason = f"red flag {category}" + (" confirmed by caller" if confirmed else "")
        if self.emergency_unanswered:
            reason = f"red flag {category} not ruled out by caller"
        lines.append(AgentLine(say(key, self.language), "emergency", interrupt=True,
                               protected=True))
        return DialogueAction(say=tuple(lines),
                              handoff=HandoffRequest(HandoffKind.EMERGENCY, reason, confirmed))

    def _human_action(self, lines: list[AgentLine], trigger: Trigger) -> DialogueAction:
        reason = self.human_reason or str(trigger)
        key = "transfer_fault" if trigger is Trigger.FAULT else "transfer_human"
        lines.append(AgentLine(say(key, self.language), key, interrupt=True))
        kind = HandoffKind.POLICY if trigger is Trigger.POLICY_HANDOFF else HandoffKind.HUMAN
        return DialogueAction(say=tuple(lines), handoff=HandoffRequest(kind, reason))

    # -- inputs ---------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """The agent's own part is over (it may still listen: see ``listening``)."""
        return self.state in FINISHED

    @property
    def listening(self) -> bool:
        return self.state in LISTENING

    def start(self, t: float) -> DialogueAction:
        """The call is connected: greeting with the emergency notice, then the reason."""
        greeting = AgentLine(say("greeting", self.language, practice=self.practice_name),
                             "greeting", protected=True)
        return self.fire(Trigger.START, t, prefix=(greeting,))

    def on_speech_start(self, t: float) -> None:
        """The caller speaks: no silence re-prompt while they do."""
        self.awaiting_since = None

    def on_speech_end(self, t: float) -> None:
        """The caller stopped; if no words came of it, the silence timer starts again."""
        if self.awaiting_since is None and self.state in ACTIVE and self.last_question:
            self.awaiting_since = t

    def on_agent_done_speaking(self, t: float) -> None:
        """The silence timer runs from when the agent finished its question."""
        if self.awaiting_since is not None:
            self.awaiting_since = max(self.awaiting_since, t)

    def on_evidence(self, classification: Classification, t: float) -> DialogueAction:
        """Any transcript update (partial or final): written-protocol red flags hand off at
        once, mid-sentence. Nothing else is decided on a partial."""
        hits = [h for h in protocol_hits(classification)
                if h.category.value not in self.denied_flags]
        if hits and self.state in LISTENING:
            return self.emergency(hits[0].category.value, t)
        return NO_ACTION

    def emergency(self, category: str, t: float, *, confirmed: RedFlagHit | None = None,
                  unanswered: bool = False) -> DialogueAction:
        self.emergency_category = category
        self.emergency_confirmed = confirmed is not None
        self.emergency_unanswered = unanswered
        if confirmed is not None:
            self.pending_flag = confirmed
        return self.fire(Trigger.EMERGENCY, t)

    def on_final(self, text: str, classification: Classification | None, t: float
                 ) -> DialogueAction:
        """A whole utterance, before the end of the caller's turn: emergencies the model is
        sure of, and requests for a person, are acted on now."""
        if classification is not None:
            action = self.on_evidence(classification, t)
            if action.handoff is not None:
                return action
            category = self._model_emergency(classification)
            if category and self.state is State.WAITING_FOR_HUMAN:
                # Nobody is on the line yet: no question, a red flag escalates at once.
                return self.emergency(category, t)
            if category and category not in self.asked_flags and \
                    not model_emergency_is_uncertain(classification, text):
                return self.emergency(category, t)
        if answers.wants_human(text) and self.state in ACTIVE:
            self.human_reason = "caller asked for a person"
            return self.fire(Trigger.WANTS_HUMAN, t)
        return NO_ACTION

    def _model_emergency(self, c: Classification) -> str:
        """The category of an emergency the model alone raised (not yet denied), or ''."""
        if c.urgency is not Urgency.EMERGENCY or protocol_hits(c):
            return ""
        for h in c.red_flags:
            if h.category.value not in self.denied_flags:
                return h.category.value
        return ""

    def on_turn(self, text: str, classification: Classification | None,
                form: TriageForm | None, t: float) -> DialogueAction:
        """End of the caller's turn (finals joined, end of turn detected)."""
        if self.state not in ACTIVE:
            return NO_ACTION
        if classification is not None and classification.urgency is not Urgency.EMERGENCY and \
                classification.urgency.rank > self.urgency.rank and \
                self.without_denied(classification).urgency is classification.urgency:
            self.urgency = classification.urgency
        if classification is not None:
            category = self._model_emergency(classification)
            if category and category not in self.asked_flags:
                hit = next(h for h in classification.red_flags if h.category.value == category)
                self._absorb(text, form)
                return self._ask_flag(hit, t, from_model=True)
        if self.state is State.CONFIRM_FLAG:
            return self._on_flag_answer(text, classification, form, t)
        # Life-threatening questions first: partial evidence gets one yes/no question.
        if classification is not None:
            for hit in classification.suspected:
                if hit.category.value not in self.asked_flags:
                    self._absorb(text, form)
                    return self._ask_flag(hit, t)
        return self._on_answer(text, form, t)

    def on_silence(self, t: float, grace_s: float = 0.0) -> DialogueAction:
        """Time passes (audio clock) with no caller speech: re-prompt once, then escalate.
        ``grace_s``: more time, while the recognizer still owes words the caller said."""
        if self.state not in ACTIVE or self.awaiting_since is None:
            return NO_ACTION
        if t - self.awaiting_since < self.silence_timeout_s + grace_s:
            return NO_ACTION
        if self.state is State.CONFIRM_FLAG and self.retries >= 1:
            assert self.pending_flag is not None
            return self.emergency(self.pending_flag.category.value, t, unanswered=True)
        self.human_reason = "caller silent after a re-prompt"
        return self.fire(Trigger.SILENCE, t)

    def on_fault(self, component: str, t: float) -> DialogueAction:
        """A component raised or stalled: the tele-secretary takes the call."""
        self.human_reason = f"{component} fault"
        return self.fire(Trigger.FAULT, t)

    def on_policy_handoff(self, reason: str, t: float) -> DialogueAction:
        """The hub's handoff policy queued the call for a human: tell the caller, keep
        listening until the human takes it."""
        self.human_reason = reason
        return self.fire(Trigger.POLICY_HANDOFF, t)

    def agenda_said(self, text: str, t: float) -> None:
        """The agenda conversation asked the caller something: silence re-prompts it."""
        self.last_question = text
        self.awaiting_since = t

    def agenda_finished(self, t: float, *, human_reason: str | None = None) -> DialogueAction:
        """The agenda conversation is over: close the call, or hand it to a person."""
        if human_reason is not None:
            self.human_reason = f"agenda: {human_reason}"
            return self.fire(Trigger.AGENDA_HUMAN, t)
        return self.fire(Trigger.AGENDA_DONE, t)

    def on_human_joined(self, t: float) -> DialogueAction:
        return self.fire(Trigger.HUMAN_JOINED, t)

    def without_denied(self, classification: Classification) -> Classification:
        """The classification minus the red flags the caller denied (for the hub): suspected
        flags answered 'no', and the model's guesses answered 'no' (the emergency they alone
        raised falls back to the urgency the caller's turns had)."""
        if not self.denied_flags:
            return classification
        denied = self.denied_flags
        kept = tuple(h for h in classification.red_flags
                     if not h.from_model or h.category.value not in denied)
        suspected = tuple(h for h in classification.suspected
                          if h.category.value not in denied)
        urgency = classification.urgency
        if urgency is Urgency.EMERGENCY and not protocol_hits(classification) and \
                len(kept) < len(classification.red_flags) and not kept:
            urgency = self.urgency
        ruled_out = bool(classification.suspected) or (
            # The classifier latched "urgent" when it suspected the flag; later updates no
            # longer list it. Not for a symptom report: new urgent evidence may be what holds.
            self.suspicion_denied and classification.intent is not Intent.SYMPTOM_REPORT)
        if urgency is Urgency.URGENT and not kept and ruled_out and not suspected:
            # Urgent only for the suspected flags the caller ruled out: the model's own urgency.
            scores = classification.urgency_scores
            if scores.get("routine", 0.0) > scores.get("urgent", 1.0):
                urgency = Urgency.ROUTINE
        return replace(classification, red_flags=kept, urgency=urgency, suspected=suspected)

    def form_without_denied(self, form: TriageForm | None) -> TriageForm | None:
        """The form minus red flags the caller denied (the handoff policy reads the form's
        flags too)."""
        if form is None or not self.denied_flags:
            return form
        return replace(form, red_flags=tuple(
            f for f in form.red_flags if f.value.value not in self.denied_flags))

    # -- answers --------------------------------------------------------------------------------

    def _ask_flag(self, hit: RedFlagHit, t: float, *, from_model: bool = False
                  ) -> DialogueAction:
        self.asked_flags.add(hit.category.value)
        if self.state is not State.CONFIRM_FLAG:
            self.resume_state = self.state
        self.pending_flag = hit
        self.pending_flag_from_model = from_model
        self.retries = 0
        return self.fire(Trigger.ASK_FLAG, t)

    def _on_flag_answer(self, text: str, classification: Classification | None,
                        form: TriageForm | None, t: float) -> DialogueAction:
        hit = self.pending_flag
        assert hit is not None
        answer = answers.parse_yes_no(text)
        if answer is True:
            return self.emergency(hit.category.value, t, confirmed=hit)
        if answer is None:
            if self.retries >= 1:
                return self.emergency(hit.category.value, t, unanswered=True)
            return self.fire(Trigger.UNCLEAR, t)
        self.denied_flags.add(hit.category.value)
        self.suspicion_denied = True
        self.pending_flag = None
        if classification is not None:
            # The call's urgency without what the caller just ruled out.
            shown = self.without_denied(classification).urgency
            if shown is not Urgency.EMERGENCY:
                self.urgency = shown
        if classification is not None:
            for other in classification.suspected:
                if other.category.value not in self.asked_flags:
                    return self._ask_flag(other, t)
        self._harvest(text, form)
        return self.fire(Trigger.NO, t)

    def _on_answer(self, text: str, form: TriageForm | None, t: float) -> DialogueAction:
        state = self.state
        if state is State.REASON:
            if answers.is_only_pleasantries(text):
                return self.fire(Trigger.GREETING_ONLY, t)
            self._harvest(text, form)
            return self.fire(Trigger.ANSWER, t)
        if state in _STATE_FIELD:
            name = _STATE_FIELD[state]
            if state is State.CALLBACK and self.caller_number and self.retries == 0 and \
                    self.collected.callback_number is None:
                yes = answers.parse_yes_no(text)
                if yes is True:
                    self.collected.callback_number = self.caller_number
                    self._harvest(text, form)
                    return self.fire(Trigger.ANSWER, t)
            value = self._parse_field(name, text)
            self._harvest(text, form)
            if value is not None:
                setattr(self.collected, name, value)
                self.collected.to_check.discard(name)
                return self.fire(Trigger.ANSWER, t)
            if getattr(self.collected, name) is not None:
                return self.fire(Trigger.ANSWER, t)  # given with another field, earlier
            if self.retries >= 1:
                self.collected.to_check.add(name)
            return self.fire(Trigger.INVALID_ANSWER, t)
        if state in (State.CONFIRM_FORM, State.CORRECTION):
            return self._on_read_back_answer(text, t)
        return NO_ACTION

    def _on_read_back_answer(self, text: str, t: float) -> DialogueAction:
        answer = answers.parse_yes_no(text) if self.state is State.CONFIRM_FORM else None
        if answer is True and not self._corrects(text):
            return self.fire(Trigger.YES, t)
        if self._apply_correction(text):
            self.corrections += 1
            self.human_reason = "form corrections not settled"
            return self.fire(Trigger.CORRECTION, t)
        if answer is False:
            self.human_reason = "form not confirmed by caller"
            return self.fire(Trigger.NO, t)
        self.human_reason = "form not confirmed by caller"
        return self.fire(Trigger.UNCLEAR if self.state is State.CONFIRM_FORM
                         else Trigger.INVALID_ANSWER, t)

    def _corrects(self, text: str) -> bool:
        words = answers.content_words(text)
        return len(words) > 4 and self._apply_correction(text, dry_run=True)

    def _apply_correction(self, text: str, *, dry_run: bool = False) -> bool:
        """A new value for a read-back field, in the caller's words; True when one changed."""
        c = self.collected
        changes: dict[str, str] = {}
        dob = answers.parse_date_of_birth(text)
        if dob and dob != c.date_of_birth:
            changes["date_of_birth"] = dob
        phone = answers.parse_phone(text)
        if phone and phone != c.callback_number:
            changes["callback_number"] = phone
        if not changes:
            name = answers.correct_name(c.name or "", text)
            if name:
                changes["name"] = name
        if not dry_run:
            for key, value in changes.items():
                setattr(c, key, value)
                c.to_check.discard(key)
        return bool(changes)

    def _absorb(self, text: str, form: TriageForm | None) -> None:
        """Keep what an answer gave before a red-flag question interrupts the form."""
        name = _STATE_FIELD.get(self.state)
        if name is not None and getattr(self.collected, name) is None:
            value = self._parse_field(name, text)
            if value is not None:
                setattr(self.collected, name, value)
        if self.state in _STATE_FIELD or self.state is State.REASON:
            self._harvest(text, form)

    def _parse_field(self, name: str, text: str) -> str | None:
        if name == "name":
            parsed = answers.parse_name(text) or answers.find_name(text)
            # A name-shaped answer with no known first name and no "je m'appelle" is asked
            # again once; the second answer is taken as it is.
            if parsed is None or not (parsed.likely or self.retries >= 1):
                return None
            return parsed.text
        if name == "date_of_birth":
            return answers.parse_date_of_birth(text)
        return answers.parse_phone(text)

    def _harvest(self, text: str, form: TriageForm | None) -> None:
        """Several fields in one sentence: take every one the caller gave, checked."""
        c = self.collected
        if c.name is None:
            found = answers.find_name(text)
            form_name = _form_value(form, "caller_name") or _form_value(form, "patient_name")
            checked = answers.parse_name(form_name) if form_name else None
            c.name = found.text if found else (checked.text if checked else None)
        if c.date_of_birth is None:
            c.date_of_birth = answers.parse_date_of_birth(text) or _iso(
                _form_value(form, "date_of_birth"))
        if c.callback_number is None:
            c.callback_number = answers.parse_phone(text) or _form_value(form, "callback_number")

    def _read_back(self) -> str:
        c = self.collected
        unknown = say("unknown_value", self.language)
        name = c.name or unknown
        return say("confirm_form", self.language, name=name,
                   born=born_word(c.name or "", self.language),
                   dob=spoken_date(c.date_of_birth, self.language) if c.date_of_birth
                   else unknown,
                   number=spoken_number(c.callback_number) if c.callback_number else unknown)


def _form_value(form: TriageForm | None, name: str) -> str | None:
    if form is None:
        return None
    value = getattr(form, name, None)
    return str(value.value) if value is not None else None


def _iso(value: str | None) -> str | None:
    if value is None:
        return None
    parts = value.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return value
    return None
