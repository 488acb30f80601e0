"""The agent's dialogue policy: deterministic, French and English, no audio, no I/O.

It decides what the agent says next from the classifier's output and the caller's turns. The
call session (``pipeline.agent.session``) feeds it and carries out its actions (speak, hand off).

Order of concerns, safety first:
1. a confirmed emergency interrupts everything (even mid-sentence, from a partial transcript);
2. a caller asking for a person, or a failing component, goes to a human at once;
3. partial evidence of a red flag gets ONE short yes/no question before anything else;
4. urgent calls are told a clinician calls back today; routine calls fill the form.
When an answer to a red-flag question is unclear twice, the call goes to a human (under-triage
is the failure that hurts).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from classifier.labels import RedFlag, Urgency
from classifier.types import Classification, RedFlagHit, TriageForm

Language = Literal["fr", "en"]


class Stage(StrEnum):
    GREETING = "greeting"
    REASON = "reason"
    CONFIRM_FLAG = "confirm_flag"
    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    CALLBACK = "callback"
    CONFIRM_FORM = "confirm_form"
    CLOSED = "closed"
    EMERGENCY = "emergency"
    HUMAN = "human"


class HandoffKind(StrEnum):
    EMERGENCY = "emergency"
    """Red flag: the on-call physician now (the hub's handoff policy picks the target)."""
    HUMAN = "human"
    """Tele-secretary queue: caller asked, silence, unclear answer, or a component failed."""


@dataclass(frozen=True)
class AgentUtterance:
    text: str
    kind: str
    """What the utterance is for: greeting, ask_reason, confirm_flag, emergency, ..."""
    interrupt: bool = False
    """Speak now, cutting off whatever the agent was saying."""


@dataclass(frozen=True)
class HandoffRequest:
    kind: HandoffKind
    reason: str
    confirmed_flag: RedFlagHit | None = None
    """A suspected red flag the caller confirmed with 'yes' (escalate it as an emergency)."""


@dataclass(frozen=True)
class DialogueAction:
    say: tuple[AgentUtterance, ...] = ()
    handoff: HandoffRequest | None = None
    end_call: bool = False


NO_ACTION = DialogueAction()

# Categories where the caller is also told to call 15 / 112 themselves: immediately
# life-threatening ones where the SAMU may be faster than the practice's physician.
CALL_EMERGENCY_NUMBER: frozenset[RedFlag] = frozenset(
    {
        RedFlag.CHEST_PAIN, RedFlag.BREATHING, RedFlag.STROKE, RedFlag.CONSCIOUSNESS,
        RedFlag.BLEEDING, RedFlag.ANAPHYLAXIS, RedFlag.SUICIDAL, RedFlag.SEIZURE,
        RedFlag.MENINGITIS, RedFlag.POISONING, RedFlag.OBSTETRIC, RedFlag.TRAUMA,
        RedFlag.SEPSIS, RedFlag.ACUTE_ABDOMEN, RedFlag.DIABETIC,
    }
)

CONFIRM_QUESTIONS: dict[RedFlag, dict[str, str]] = {
    RedFlag.CHEST_PAIN: {
        "fr": "Avez-vous une douleur ou une pression dans la poitrine en ce moment ?",
        "en": "Do you have chest pain or pressure right now?",
    },
    RedFlag.BREATHING: {
        "fr": "Avez-vous du mal à respirer ?",
        "en": "Are you having trouble breathing?",
    },
    RedFlag.STROKE: {
        "fr": "Y a-t-il une faiblesse d'un côté, le visage qui tombe ou du mal à parler ?",
        "en": "Is there weakness on one side, a drooping face or trouble speaking?",
    },
    RedFlag.CONSCIOUSNESS: {
        "fr": "La personne est-elle inconsciente ou ne répond-elle plus ?",
        "en": "Is the person unconscious or not responding?",
    },
    RedFlag.BLEEDING: {
        "fr": "Le saignement est-il abondant et ne s'arrête-t-il pas ?",
        "en": "Is the bleeding heavy and not stopping?",
    },
    RedFlag.ANAPHYLAXIS: {
        "fr": "Le visage, les lèvres ou la gorge gonflent-ils ?",
        "en": "Are the face, lips or throat swelling?",
    },
    RedFlag.INFANT_FEVER: {
        "fr": "Le bébé a-t-il moins de trois mois avec 38 degrés ou plus ?",
        "en": "Is the baby under three months old with a temperature of 38 or more?",
    },
    RedFlag.SUICIDAL: {
        "fr": "Pensez-vous à mettre fin à vos jours ?",
        "en": "Are you thinking of ending your life?",
    },
    RedFlag.SEIZURE: {
        "fr": "La convulsion dure-t-elle depuis plus de cinq minutes ?",
        "en": "Has the seizure lasted more than five minutes?",
    },
    RedFlag.MENINGITIS: {
        "fr": "Y a-t-il des taches violettes sur la peau ou une raideur de la nuque ?",
        "en": "Are there purple spots on the skin or a stiff neck?",
    },
    RedFlag.POISONING: {
        "fr": "A-t-on avalé des médicaments ou un produit toxique ?",
        "en": "Were medicines or a toxic product swallowed?",
    },
    RedFlag.OBSTETRIC: {
        "fr": "Êtes-vous enceinte avec des saignements ou de fortes douleurs au ventre ?",
        "en": "Are you pregnant with bleeding or severe belly pain?",
    },
    RedFlag.TRAUMA: {
        "fr": "Y a-t-il eu une perte de connaissance ou un accident grave ?",
        "en": "Was there a loss of consciousness or a serious accident?",
    },
    RedFlag.SEPSIS: {
        "fr": "Avec la fièvre, la personne est-elle confuse, très somnolente, marbrée ou "
        "respire-t-elle très vite ?",
        "en": "With the fever, is the person confused, very drowsy, blotchy or breathing "
        "very fast?",
    },
    RedFlag.ACUTE_ABDOMEN: {
        "fr": "La douleur au ventre est-elle violente, brutale, avec un ventre dur ou des "
        "vomissements qui ne s'arrêtent pas ?",
        "en": "Is the belly pain severe and sudden, with a hard belly or vomiting that will "
        "not stop?",
    },
    RedFlag.DIABETIC: {
        "fr": "La personne diabétique a-t-elle un sucre très haut avec des vomissements, ou "
        "un sucre bas qui ne remonte pas ?",
        "en": "Does the person with diabetes have a very high sugar with vomiting, or a low "
        "sugar that will not come up?",
    },
}

_TEXTS: dict[str, dict[str, str]] = {
    "greeting": {
        "fr": "Bonjour, vous êtes bien au {practice}. En cas d'urgence vitale, raccrochez et "
        "composez le 15.",
        "en": "Hello, you have reached {practice}. If this is a life-threatening emergency, "
        "hang up and call 112.",
    },
    "ask_reason": {
        "fr": "Quel est le motif de votre appel ?",
        "en": "What is the reason for your call?",
    },
    "emergency": {
        "fr": "Je vous mets en relation avec le médecin tout de suite, restez en ligne.",
        "en": "I am putting you through to the doctor right now, please stay on the line.",
    },
    "emergency_call_15": {
        "fr": "Je vous mets en relation avec le médecin tout de suite. Si la situation "
        "s'aggrave, raccrochez et appelez le 15 ou le 112.",
        "en": "I am putting you through to the doctor right now. If it gets worse, hang up "
        "and call 112.",
    },
    "emergency_no_transfer": {
        "fr": "Appelez le 15 ou le 112 maintenant. Le médecin de garde est aussi alerté.",
        "en": "Call 112 now. The on-call doctor has also been alerted.",
    },
    "urgent": {
        "fr": "Un médecin vous rappellera aujourd'hui. Je transmets votre demande en priorité.",
        "en": "A clinician will call you back today. I am passing your request on as a "
        "priority.",
    },
    "ask_name": {
        "fr": "Quel est votre nom et votre prénom ?",
        "en": "What is your full name?",
    },
    "ask_dob": {
        "fr": "Quelle est votre date de naissance ?",
        "en": "What is your date of birth?",
    },
    "ask_callback": {
        "fr": "À quel numéro pouvons-nous vous rappeler ?",
        "en": "What number can we call you back on?",
    },
    "ask_callback_known": {
        "fr": "Pouvons-nous vous rappeler au {number} ?",
        "en": "Can we call you back on {number}?",
    },
    "confirm_form": {
        "fr": "Je récapitule : {name}, né le {dob}, rappel au {number}. Est-ce correct ?",
        "en": "Let me check: {name}, born {dob}, call back on {number}. Is that right?",
    },
    "closing_routine": {
        "fr": "Merci. Votre demande est transmise au secrétariat, qui vous rappellera pour "
        "vous proposer un rendez-vous. Au revoir.",
        "en": "Thank you. Your request goes to the practice team, who will call you back "
        "with an appointment. Goodbye.",
    },
    "closing_urgent": {
        "fr": "Merci. Le médecin vous rappellera aujourd'hui à ce numéro. Si cela s'aggrave, "
        "appelez le 15. Au revoir.",
        "en": "Thank you. The clinician will call you back today on this number. If it gets "
        "worse, call 112. Goodbye.",
    },
    "transfer_human": {
        "fr": "Je vous passe quelqu'un du cabinet, restez en ligne.",
        "en": "I am putting you through to a member of the team, please stay on the line.",
    },
    "transfer_failure": {
        "fr": "Je vous transfère au secrétariat, restez en ligne.",
        "en": "I am transferring you to the practice team, please stay on the line.",
    },
    "reprompt": {
        "fr": "Je ne vous entends pas. {question}",
        "en": "I cannot hear you. {question}",
    },
    "repeat_yes_no": {
        "fr": "Pardon, répondez simplement par oui ou par non. {question}",
        "en": "Sorry, please just answer yes or no. {question}",
    },
    "retry_form": {
        "fr": "D'accord, reprenons.",
        "en": "All right, let us start again.",
    },
}


def say(key: str, language: str, **fmt: str) -> str:
    """The agent's wording for ``key`` in ``language`` (English for anything but French)."""
    lang = "fr" if language == "fr" else "en"
    return _TEXTS[key][lang].format(**fmt)


def confirm_question(category: RedFlag, language: str) -> str:
    return CONFIRM_QUESTIONS[category]["fr" if language == "fr" else "en"]


# --- parsing of caller answers (robust to a weak recognizer) --------------------------------


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: what the recognizer's text is compared in."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9']+", " ", stripped.replace("’", "'")).strip()


_YES_WORDS = {
    "oui", "ouais", "ouai", "voui", "oui'", "wi", "ui", "oue", "ouep", "si", "exact",
    "exactement", "absolument", "affirmatif", "evidemment", "certainement", "carrement",
    "yes", "yeah", "yep", "yup", "ya", "yea", "sure", "correct", "right", "indeed", "ok",
    "okay", "daccord", "d'accord", "bien",
}
# What a small recognizer writes for a short French "oui"/"non" on a phone line (seen with
# Whisper base: "Waze.", "Wise bien sa.", "We.", "Nom."). Only yes/no questions read these.
_YES_WORDS |= {"we", "wee", "whee", "way", "ways", "weigh", "waze", "wise", "wie", "wei", "weh",
               "wii", "oue", "ouii", "ouaip", "ouaiss", "wai", "wais", "waip", "yep", "ouiii"}
_NO_WORDS = {"non", "nan", "nope", "no", "nah", "pas", "jamais", "negatif", "not", "never",
             "nom", "nons", "known", "noh", "nnon", "none"}
_YES_PHRASES = ("tout a fait", "c'est ca", "c est ca", "bien sur", "c'est correct", "that's right")
_NO_PHRASES = ("pas du tout", "pas vraiment", "not really", "absolutely not", "c'est faux")


def parse_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when unclear. The first clear word wins, so
    "non non pas du tout" and "oui oui j'ai du mal" parse; "bien" alone only counts as yes when
    nothing else was said ("bien sûr" is a phrase)."""
    norm = normalize(text)
    if not norm:
        return None
    for phrase in _NO_PHRASES:
        if norm.startswith(phrase):
            return False
    for phrase in _YES_PHRASES:
        if norm.startswith(phrase):
            return True
    for word in norm.split():
        if word in ("bien", "ok", "okay", "right", "pas", "not"):
            continue  # only meaningful in phrases or after a clear word
        if word in _YES_WORDS:
            return True
        if word in _NO_WORDS:
            return False
    words = norm.split()
    if words and words[0] in ("ok", "okay", "right"):
        return True
    return None


_HUMAN_PATTERNS = tuple(
    re.compile(p)
    for p in (
        # "quel camp", "quelque un": what a weak recognizer makes of "quelqu'un".
        r"\bparler (a|avec) (quelqu'?un|quelqu un|quel ?\w*|une personne|un humain|"
        r"une vraie personne|la secretaire|le secretariat|un medecin|le medecin|le docteur)",
        r"\b(une vraie personne|un etre humain|un humain|une personne reelle)\b",
        r"\b(real|actual|live) (person|human)\b",
        r"\b(speak|talk) (to|with) (someone|somebody|a person|a human|the doctor|reception|"
        r"the receptionist|a nurse)\b",
        r"\b(operator|receptionist)\b",
        r"\bpas (a|avec) (un|une) (robot|machine)\b",
    )
)


_PLEASANTRIES = {
    "bonjour", "bonsoir", "allo", "oui", "euh", "hum", "alors", "voila", "madame", "monsieur",
    "hello", "hi", "yes", "um", "uh", "well", "so", "good", "morning", "afternoon", "evening",
    "docteur", "doctor", "merci", "thanks", "ah", "oh", "bon", "ben", "eh",
}


def is_only_pleasantries(text: str) -> bool:
    """Greetings and fillers only ("Bonjour.", "Allô, oui ?"): not yet the reason for calling."""
    return all(w in _PLEASANTRIES for w in normalize(text).split())


def wants_human(text: str) -> bool:
    """The caller asks for a person ("je veux parler à quelqu'un", "a real person")."""
    norm = normalize(text)
    return any(p.search(norm) for p in _HUMAN_PATTERNS)


_NAME_PREFIX = re.compile(
    r"^(euh |alors |oui |bonjour |donc )*(je m'?appelle|je m appelle|mon nom (c'?est|est)|"
    r"c'?est|c est|moi c'?est|my name is|i am|i'm|it's|this is|name's)\s+",
)


def _clean_name(text: str) -> str:
    raw = text.strip().strip(".,!?")
    low = raw.lower()
    match = _NAME_PREFIX.match(low)
    if match:
        raw = raw[match.end():]
    return " ".join(w.capitalize() if w.islower() else w for w in raw.split())


_DATE_PREFIX = re.compile(r"^(euh |alors |oui |donc )*((je suis )?n[ée]e? )?(le )?",
                          re.IGNORECASE)


def _clean_date(text: str) -> str:
    """The date as the caller said it, without "je suis né le" (read back for confirmation)."""
    raw = text.strip().strip(".,!?")
    return raw[_DATE_PREFIX.match(raw).end():].strip() or raw  # type: ignore[union-attr]


def _digits_number(text: str) -> str | None:
    """A French phone number read out as digits; None when fewer than 9 digits were heard."""
    digits = re.sub(r"\D", "", text)
    if digits.startswith("33") and len(digits) == 11:
        return "+" + digits
    if len(digits) == 10 and digits.startswith("0"):
        return "+33" + digits[1:]
    if len(digits) >= 9:
        return digits
    return None


def speakable_number(e164: str, language: str) -> str:
    """+33612345678 -> '06 12 34 56 78' so the TTS reads it in pairs as callers expect."""
    if e164.startswith("+33") and len(e164) == 12:
        national = "0" + e164[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return " ".join(e164.lstrip("+"))


# --- the policy -----------------------------------------------------------------------------


@dataclass
class CollectedForm:
    """What the dialogue itself captured from answers (complements the classifier's form)."""

    name: str | None = None
    date_of_birth: str | None = None
    callback_number: str | None = None
    confirmed: bool = False


@dataclass
class DialoguePolicy:
    """One per call. Every method is pure with respect to its inputs and the call's state."""

    practice_name: str
    language: Language = "fr"
    caller_number: str | None = None
    silence_timeout_s: float = 7.0
    """Caller silence after the agent's last question before a re-prompt (then a human)."""
    advise_emergency_categories: frozenset[RedFlag] = CALL_EMERGENCY_NUMBER
    can_transfer: bool = True
    """False where no human can take the line (browser calls): emergencies are told to call
    15/112 themselves, while the on-call physician is alerted on the dashboard."""
    """Red flags for which the caller is also told to call 15/112 (the practice's list)."""

    stage: Stage = Stage.GREETING
    collected: CollectedForm = field(default_factory=CollectedForm)
    urgency: Urgency = Urgency.ROUTINE
    _asked_flags: set[RedFlag] = field(default_factory=set)
    denied_flags: set[RedFlag] = field(default_factory=set)
    """Suspected red flags the caller answered 'no' to."""
    _pending_flag: RedFlagHit | None = None
    _resume_stage: Stage = Stage.REASON
    _unclear_answers: int = 0
    _reprompted: bool = False
    _form_retries: int = 0
    _awaiting_since: float | None = None
    _last_question: str = ""

    # -- events ------------------------------------------------------------------------------

    def start(self, t: float) -> DialogueAction:
        """The call is connected: greeting, emergency notice, reason for the call."""
        self.stage = Stage.REASON
        greeting = AgentUtterance(say("greeting", self.language, practice=self.practice_name),
                                  "greeting")
        return self._ask(say("ask_reason", self.language), "ask_reason", t, prefix=(greeting,))

    @property
    def finished(self) -> bool:
        return self.stage in (Stage.CLOSED, Stage.EMERGENCY, Stage.HUMAN)

    def on_speech_start(self, t: float) -> None:
        """The caller speaks: no silence re-prompt while they do."""
        self._awaiting_since = None

    def on_agent_done_speaking(self, t: float) -> None:
        """The silence timer runs from when the agent finished its question."""
        if self._awaiting_since is not None:
            self._awaiting_since = t

    def on_classification(self, classification: Classification, t: float) -> DialogueAction:
        """Every update, partial or final: an emergency interrupts at once."""
        if self.stage in (Stage.EMERGENCY, Stage.HUMAN):
            return NO_ACTION
        if classification.urgency is Urgency.EMERGENCY and classification.red_flags:
            return self._emergency(classification.red_flags[0].category, t, None)
        return NO_ACTION

    def on_partial(self, text: str, t: float) -> DialogueAction:
        """A request for a human is acted on without waiting for the end of the turn."""
        if not self.finished and wants_human(text):
            return self._to_human("caller asked for a person", t, "transfer_human")
        return NO_ACTION

    def on_caller_turn(
        self, text: str, classification: Classification | None, form: TriageForm | None,
        t: float,
    ) -> DialogueAction:
        """End of the caller's turn (final transcript, end of turn detected)."""
        if self.finished:
            return NO_ACTION
        self._awaiting_since = None
        self._reprompted = False
        if wants_human(text):
            return self._to_human("caller asked for a person", t, "transfer_human")
        if classification is not None:
            if classification.urgency.rank > self.urgency.rank:
                self.urgency = classification.urgency
            action = self.on_classification(classification, t)
            if action.handoff is not None:
                return action

        if self.stage is Stage.CONFIRM_FLAG:
            return self._on_flag_answer(text, classification, form, t)

        # Life-threatening questions first: partial evidence gets one yes/no question.
        if classification is not None:
            for hit in classification.suspected:
                if hit.category not in self._asked_flags:
                    return self._ask_flag(hit, t)

        if self.stage is Stage.REASON:
            if is_only_pleasantries(text):
                # "Bonjour." / "Allô ?" is not the reason yet: keep listening.
                self._awaiting_since = t
                return NO_ACTION
            return self._after_reason(form, t)
        if self.stage is Stage.NAME:
            # The answer to "what is your name" is the name; the extractor only fills gaps.
            self.collected.name = _clean_name(text) or _form_name(form) or None
            return self._next_field(form, t)
        if self.stage is Stage.DATE_OF_BIRTH:
            self.collected.date_of_birth = (_form_value(form, "date_of_birth")
                                            or _clean_date(text))
            return self._next_field(form, t)
        if self.stage is Stage.CALLBACK:
            if self.collected.callback_number is None and self.caller_number:
                answer = parse_yes_no(text)
                if answer is True:
                    self.collected.callback_number = self.caller_number
                    return self._next_field(form, t)
            number = _form_value(form, "callback_number") or _digits_number(text)
            if number is None:
                if self._unclear_answers >= 1:
                    return self._to_human("callback number not understood", t, "transfer_human")
                self._unclear_answers += 1
                return self._ask(say("ask_callback", self.language), "ask_callback", t)
            self._unclear_answers = 0
            self.collected.callback_number = number
            return self._next_field(form, t)
        if self.stage is Stage.CONFIRM_FORM:
            answer = parse_yes_no(text)
            if answer is True:
                self.collected.confirmed = True
                self.stage = Stage.CLOSED
                key = "closing_urgent" if self.urgency is Urgency.URGENT else "closing_routine"
                return DialogueAction(say=(AgentUtterance(say(key, self.language), "closing"),),
                                      end_call=True)
            if self._form_retries >= 1 or answer is None:
                return self._to_human("form not confirmed by caller", t, "transfer_human")
            self._form_retries += 1
            self.collected = CollectedForm()
            self.stage = Stage.NAME
            retry = AgentUtterance(say("retry_form", self.language), "retry_form")
            return self._ask(say("ask_name", self.language), "ask_name", t, prefix=(retry,))
        return NO_ACTION

    def tick(self, t: float) -> DialogueAction:
        """Time passes with no caller speech: re-prompt once, then a human."""
        if self.finished or self._awaiting_since is None:
            return NO_ACTION
        if t - self._awaiting_since < self.silence_timeout_s:
            return NO_ACTION
        if not self._reprompted:
            self._reprompted = True
            self._awaiting_since = t
            text = say("reprompt", self.language, question=self._last_question)
            return DialogueAction(say=(AgentUtterance(text, "reprompt"),))
        return self._to_human("caller silent after a re-prompt", t, "transfer_human")

    def on_failure(self, stage: str, t: float) -> DialogueAction:
        """A component raised or stalled: the tele-secretary takes the call."""
        if self.stage in (Stage.EMERGENCY, Stage.HUMAN):
            return NO_ACTION
        return self._to_human(f"{stage} failed", t, "transfer_failure")

    def without_denied(self, classification: Classification) -> Classification:
        """The classification minus suspected red flags the caller denied (for the hub)."""
        if not self.denied_flags or not classification.suspected:
            return classification
        kept = tuple(h for h in classification.suspected if h.category not in self.denied_flags)
        return replace(classification, suspected=kept)

    def on_handoff_decided(self, reason: str, t: float) -> DialogueAction:
        """The handoff policy transferred the call itself: tell the caller (no new handoff)."""
        action = self._to_human(reason, t, "transfer_human")
        return DialogueAction(say=action.say)

    # -- helpers -----------------------------------------------------------------------------

    def _ask(self, question: str, kind: str, t: float,
             prefix: tuple[AgentUtterance, ...] = ()) -> DialogueAction:
        self._awaiting_since = t
        self._last_question = question
        return DialogueAction(say=(*prefix, AgentUtterance(question, kind)))

    def _ask_flag(self, hit: RedFlagHit, t: float) -> DialogueAction:
        self._asked_flags.add(hit.category)
        self._pending_flag = hit
        self._unclear_answers = 0
        self._resume_stage = self.stage
        self.stage = Stage.CONFIRM_FLAG
        return self._ask(confirm_question(hit.category, self.language), "confirm_flag", t)

    def _on_flag_answer(self, text: str, classification: Classification | None,
                        form: TriageForm | None, t: float) -> DialogueAction:
        hit = self._pending_flag
        assert hit is not None
        answer = parse_yes_no(text)
        if answer is True:
            return self._emergency(hit.category, t, hit)
        if answer is None:
            if self._unclear_answers >= 1:
                # Unclear twice on a life-threatening question: a person decides.
                return self._to_human(f"unclear answer about {hit.category.value}", t,
                                      "transfer_human")
            self._unclear_answers += 1
            question = confirm_question(hit.category, self.language)
            return self._ask(say("repeat_yes_no", self.language, question=question),
                             "confirm_flag", t)
        self.denied_flags.add(hit.category)
        self._pending_flag = None
        self.stage = self._resume_stage
        if classification is not None:
            for other in classification.suspected:
                if other.category not in self._asked_flags:
                    return self._ask_flag(other, t)
        if self.stage is Stage.REASON:
            return self._after_reason(form, t)
        return self._next_field(form, t)

    def _after_reason(self, form: TriageForm | None, t: float) -> DialogueAction:
        prefix: tuple[AgentUtterance, ...] = ()
        if self.urgency is Urgency.URGENT:
            prefix = (AgentUtterance(say("urgent", self.language), "urgent"),)
        return self._next_field(form, t, prefix)

    def _next_field(self, form: TriageForm | None, t: float,
                    prefix: tuple[AgentUtterance, ...] = ()) -> DialogueAction:
        c = self.collected
        if c.name is None:
            c.name = _form_name(form)
        if c.date_of_birth is None:
            c.date_of_birth = _form_value(form, "date_of_birth")
        if c.callback_number is None:
            c.callback_number = _form_value(form, "callback_number")
        if c.name is None:
            self.stage = Stage.NAME
            return self._ask(say("ask_name", self.language), "ask_name", t, prefix)
        if c.date_of_birth is None:
            self.stage = Stage.DATE_OF_BIRTH
            return self._ask(say("ask_dob", self.language), "ask_dob", t, prefix)
        if c.callback_number is None:
            self.stage = Stage.CALLBACK
            if self.caller_number:
                number = speakable_number(self.caller_number, self.language)
                return self._ask(say("ask_callback_known", self.language, number=number),
                                 "ask_callback", t, prefix)
            return self._ask(say("ask_callback", self.language), "ask_callback", t, prefix)
        self.stage = Stage.CONFIRM_FORM
        text = say("confirm_form", self.language, name=c.name, dob=c.date_of_birth,
                   number=speakable_number(c.callback_number, self.language))
        return self._ask(text, "confirm_form", t, prefix)

    def _emergency(self, category: RedFlag, t: float,
                   confirmed: RedFlagHit | None) -> DialogueAction:
        self.stage = Stage.EMERGENCY
        self.urgency = Urgency.EMERGENCY
        self._awaiting_since = None
        key = ("emergency_call_15" if category in self.advise_emergency_categories
               else "emergency")
        if not self.can_transfer:
            key = "emergency_no_transfer"
        reason = f"red flag {category.value}" + (" confirmed by caller" if confirmed else "")
        return DialogueAction(
            say=(AgentUtterance(say(key, self.language), "emergency", interrupt=True),),
            handoff=HandoffRequest(HandoffKind.EMERGENCY, reason, confirmed),
        )

    def _to_human(self, reason: str, t: float, key: str) -> DialogueAction:
        self.stage = Stage.HUMAN
        self._awaiting_since = None
        return DialogueAction(
            say=(AgentUtterance(say(key, self.language), key, interrupt=True),),
            handoff=HandoffRequest(HandoffKind.HUMAN, reason),
        )


def _form_value(form: TriageForm | None, name: str) -> str | None:
    if form is None:
        return None
    value = getattr(form, name, None)
    return str(value.value) if value is not None else None


def _form_name(form: TriageForm | None) -> str | None:
    return _form_value(form, "caller_name") or _form_value(form, "patient_name")
