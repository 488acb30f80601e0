"""The booking, moving and cancelling part of a call, as the voice agent runs it.

Transport- and audio-free: the call's dialogue hands a routine (or urgent) appointment request
here with what it already knows of the caller (name, date of birth, number, urgency), then
passes each caller turn; every reply says what the agent speaks next and whether the
conversation is over, handed back to a human, or ended with a booking.

Rules (issue 9):
- at most two slots proposed at a time, both held while the caller chooses, so nobody else can
  take them; the caller's choice is read back ("mardi 8 décembre à 10 h 30 avec le docteur
  Martin") and booked only on a clear yes; the agent then says what happens next;
- an urgent caller is offered the same-day slots kept for urgent triage, else a call-back today;
- an emergency never reaches booking (refused at construction: the call's dialogue has already
  handed it to the physician);
- moving or cancelling identifies the caller by name + date of birth against the stored
  patient, reads back their upcoming appointments and lets them pick one;
- an unclear answer gets one more try, then a human takes over; holds are released whenever
  the conversation ends without a booking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Literal

from agenda import Slot, SlotQuery, parse_slot_request
from agenda.config import fold
from agenda.speech import say_slot
from pipeline.agenda.service import AgendaService
from pipeline.agenda.store import (
    AgendaError,
    Appointment,
    BookingRequest,
    Hold,
    PatientIn,
    SlotTaken,
    Source,
)

Language = Literal["fr", "en"]


_DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Goal(StrEnum):
    BOOK = "book"
    MOVE = "move"
    CANCEL = "cancel"


class Step(StrEnum):
    WISH = "wish"
    """Asked when the caller would like to come."""
    OFFER = "offer"
    """Two slots proposed (held): which one?"""
    CONFIRM = "confirm"
    """One slot read back: yes to book."""
    NAME = "name"
    BIRTH_DATE = "birth_date"
    PICK = "pick"
    """Which of the caller's upcoming appointments."""
    CONFIRM_CANCEL = "confirm_cancel"
    DONE = "done"
    HUMAN = "human"


@dataclass(frozen=True)
class Caller:
    name: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    urgency: Literal["routine", "urgent"] = "routine"
    call_id: str | None = None


@dataclass(frozen=True)
class AgendaReply:
    text: str
    kind: str
    """What the line is for: ask_wish, offer, read_back, booked, moved, cancelled, ..."""
    step: Step
    finished: bool = False
    handoff: str | None = None
    """A human should take over (the reason); the agenda part is over."""
    callback: bool = False
    """Urgent caller with no reserved slot left: a clinician calls back today."""
    appointment: Appointment | None = None


_YES = re.compile(r"\b(?:oui|ouais|ouai|d accord|dac|ok|okay|c est ca|exactement|parfait|"
                  r"ca me va|ca marche|volontiers|tres bien|entendu|je confirme|confirme|"
                  r"yes|yeah|yep|sure|that s right|correct|fine|great|perfect|please do)\b")
_NO = re.compile(r"\b(?:non|pas du tout|aucun|aucune|ni l un ni l autre|pas ca|"
                 r"no|nope|neither|none|not really)\b")
_FIRST = re.compile(r"\b(?:premier|premiere|le 1er|the first|first)\b")
_SECOND = re.compile(r"\b(?:deuxieme|second|seconde|le 2e|the second|le dernier|la derniere|"
                     r"the last|last one)\b")
_CANCEL = re.compile(r"\b(?:annul\w*|supprim\w*|cancel\w*|delete|remove)\b")
_MOVE = re.compile(r"\b(?:deplac\w*|decal\w*|chang\w*|report\w*|avanc\w*|move|reschedul\w*|"
                   r"change)\b")


def yes_no(text: str) -> bool | None:
    """True / False for a clear yes or no ("non merci" is no), None otherwise."""
    t = fold(text)
    no, yes = bool(_NO.search(t)), bool(_YES.search(t))
    if yes and no:
        return False if re.match(r"(?:non|no)\b", t) else None
    if yes or no:
        return yes
    return None


def parse_birth_date(text: str, language: Language) -> date | None:
    """"12 avril 1980", "le 12/04/1980", "April 12th, 1980"."""
    t = fold(text)
    m = re.search(r"\b(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\b", text)
    try:
        if m:
            day, month = int(m.group(1)), int(m.group(2))
            if language == "en" and month > 12:
                day, month = month, day
            return date(int(m.group(3)), month, day)
    except ValueError:
        return None
    if not re.search(r"\b(1[89]\d\d|20\d\d)\b", t):
        return None
    import dateparser

    parsed = dateparser.parse(re.sub(r"\b(?:ne|nee|le|born|on|the|je suis|i was)\b", " ", t),
                              languages=[language, "fr" if language == "en" else "en"],
                              settings={"PREFER_DAY_OF_MONTH": "first",
                                        "REQUIRE_PARTS": ["day", "month", "year"]})
    return parsed.date() if parsed else None


class AgendaConversation:
    """One caller's appointment request. Async: every agenda operation is one await."""

    def __init__(self, agenda: AgendaService, caller: Caller, goal: Goal,
                 language: Language = "fr") -> None:
        if caller.urgency not in ("routine", "urgent"):
            raise ValueError("an emergency never reaches booking: hand the call to the "
                             "physician (handoff) instead")
        self.agenda = agenda
        self.caller = caller
        self.goal = goal
        self.language: Language = language
        self.step = Step.WISH
        self.offered: list[Slot] = []
        self.holds: list[Hold] = []
        self.chosen: Slot | None = None
        self.upcoming: list[Appointment] = []
        self.target: Appointment | None = None
        self.query = SlotQuery(urgent=caller.urgency == "urgent")
        self._retries = 0
        self.booked: Appointment | None = None

    # -- helpers ----------------------------------------------------------------------------
    def _s(self, fr: str, en: str) -> str:
        return en if self.language == "en" else fr

    def _say(self, slot: Slot) -> str:
        return say_slot(slot, self.agenda.config, self.language)

    def _reply(self, text: str, kind: str, **kw: object) -> AgendaReply:
        return AgendaReply(text, kind, self.step, **kw)  # type: ignore[arg-type]

    async def _release(self) -> None:
        for hold in self.holds:
            await self.agenda.release(hold.id)
        self.holds = []

    async def abandon(self) -> None:
        """The call ended, or turned into an emergency: free what this caller held."""
        await self._release()
        if self.step not in (Step.DONE, Step.HUMAN):
            self.step = Step.HUMAN

    async def _to_human(self, reason: str) -> AgendaReply:
        await self._release()
        self.step = Step.HUMAN
        return self._reply(self._s(
            "Je vous passe le secrétariat, qui va s'occuper de votre rendez-vous.",
            "I'm passing you to the practice staff, who will take care of your appointment."),
            "to_human", finished=True, handoff=reason)

    def _unclear(self) -> bool:
        """True when this is the second unclear answer in a row (a human then takes over)."""
        self._retries += 1
        return self._retries >= 2

    # -- entry ------------------------------------------------------------------------------
    async def start(self, words: str = "") -> AgendaReply:
        """Begin with what the caller already said of their wish ("mardi prochain le matin")."""
        if self.goal is Goal.BOOK:
            if self.caller.urgency == "urgent":
                return await self._offer_urgent()
            if words.strip():
                self.query = self._parse(words)
                if self._has_wish(self.query):
                    return await self._offer()
            self.step = Step.WISH
            return self._reply(self._s(
                "Quel jour et à quel moment souhaiteriez-vous venir ?",
                "Which day and what time would suit you?"), "ask_wish")
        return await self._identify()

    def _parse(self, words: str) -> SlotQuery:
        q = parse_slot_request(words, self.agenda.config, self.agenda.now(), self.language,
                               urgent=self.caller.urgency == "urgent")
        # What the caller said before still holds unless they change it ("plutôt jeudi").
        keep = self.query
        return replace(q, practitioner=q.practitioner or keep.practitioner,
                       type=q.type or keep.type)

    @staticmethod
    def _has_wish(q: SlotQuery) -> bool:
        return bool(q.days or q.asap or q.time_from or q.time_to or q.weekdays
                    or q.practitioner or q.around)

    # -- offering ---------------------------------------------------------------------------
    async def _offer_urgent(self) -> AgendaReply:
        today = self.agenda.config.local(self.agenda.now()).date()
        slots = await self.agenda.propose(SlotQuery(days=(today,), urgent=True), count=6)
        reserved = [s for s in slots if s.urgent_reserved] or slots
        if await self._hold(reserved[:2]):
            return self._offer_text()
        await self._release()
        self.step = Step.DONE
        return self._reply(self._s(
            "Il n'y a plus de créneau aujourd'hui. Un médecin du cabinet vous rappelle "
            "aujourd'hui même. Si votre état s'aggrave, appelez le 15.",
            "There is no slot left today. A doctor from the practice will call you back today. "
            "If you get worse, call 15."), "callback", finished=True, callback=True)

    async def _hold(self, slots: list[Slot]) -> bool:
        await self._release()
        self.offered = []
        for slot in slots:
            try:
                hold = await self.agenda.hold(slot, call_id=self.caller.call_id,
                                              urgent=self.caller.urgency == "urgent")
            except AgendaError:
                continue  # taken since the search: offer the others
            self.holds.append(hold)
            self.offered.append(hold.slot)
        return bool(self.offered)

    async def _offer(self) -> AgendaReply:
        slots = await self.agenda.propose(self.query, count=2)
        if not slots and (self.query.time_from or self.query.time_to or self.query.around):
            # Nothing at that moment of the day: the same days, any time.
            slots = await self.agenda.propose(replace(self.query, time_from=None, time_to=None,
                                                      around=None), count=2)
        if not slots and self.query.days:
            slots = await self.agenda.propose(replace(self.query, days=()), count=2)
        if not slots or not await self._hold(slots):
            return await self._to_human("no_slot")
        return self._offer_text()

    def _offer_text(self) -> AgendaReply:
        self.step = Step.OFFER
        self._retries = 0
        said = [self._say(s) for s in self.offered]
        if len(said) == 1:
            self.chosen = self.offered[0]
            self.step = Step.CONFIRM
            return self._reply(self._s(
                f"Je peux vous proposer {said[0]}. Est-ce que cela vous convient ?",
                f"I can offer you {said[0]}. Does that suit you?"), "offer")
        return self._reply(self._s(
            f"Je peux vous proposer {said[0]}, ou bien {said[1]}. Lequel préférez-vous ?",
            f"I can offer you {said[0]}, or {said[1]}. Which one would you prefer?"), "offer")

    def _choice(self, text: str) -> Slot | None:
        t = fold(text)
        if len(self.offered) >= 2 and _SECOND.search(t) and not _FIRST.search(t):
            return self.offered[1]
        if _FIRST.search(t) and not _SECOND.search(t):
            return self.offered[0]
        # "celui de 15 h", "jeudi", "avec le docteur Durand": the offer it names alone.
        q = parse_slot_request(text, self.agenda.config, self.agenda.now(), self.language)
        hits = [s for s in self.offered if self._matches(s, q, t)]
        return hits[0] if len(hits) == 1 else None

    def _matches(self, slot: Slot, q: SlotQuery, folded: str) -> bool:
        local = self.agenda.config.local(slot.start)
        said_something = False
        named = [i for i, names in enumerate(zip(_DAYS_FR, _DAYS_EN, strict=True))
                 if re.search(rf"\b(?:{names[0]}|{names[1]})\b", folded)]
        if named:  # "celui de jeudi": that weekday, whichever week
            said_something = True
            if local.weekday() not in named:
                return False
        elif q.days:
            said_something = True
            if local.date() not in q.days:
                return False
        if q.around is not None:
            said_something = True
            if local.time() != q.around:
                return False
        m = re.search(r"\b(\d{1,2})\s*h\b", folded)
        if q.around is None and m:
            said_something = True
            if local.hour != int(m.group(1)) and local.hour != int(m.group(1)) + 12:
                return False
        if q.practitioner:
            said_something = True
            if slot.practitioner != q.practitioner:
                return False
        return said_something

    # -- turns ------------------------------------------------------------------------------
    async def on_turn(self, text: str) -> AgendaReply:
        if self.step in (Step.DONE, Step.HUMAN):
            return self._reply("", "finished", finished=True)
        handler = {
            Step.WISH: self._on_wish, Step.OFFER: self._on_offer,
            Step.CONFIRM: self._on_confirm, Step.NAME: self._on_name,
            Step.BIRTH_DATE: self._on_birth_date, Step.PICK: self._on_pick,
            Step.CONFIRM_CANCEL: self._on_confirm_cancel,
        }[self.step]
        return await handler(text)

    async def _on_wish(self, text: str) -> AgendaReply:
        self.query = self._parse(text)
        if not self._has_wish(self.query):
            if yes_no(text) is False or self._unclear():
                return await self._to_human("wish_unclear")
            return self._reply(self._s(
                "Dites-moi par exemple : mardi matin, ou le plus tôt possible.",
                "For example: Tuesday morning, or as soon as possible."), "ask_wish")
        return await self._offer()

    async def _on_offer(self, text: str) -> AgendaReply:
        chosen = self._choice(text)
        if chosen is not None:
            self.chosen = chosen
            self.step = Step.CONFIRM
            self._retries = 0
            return self._reply(self._s(
                f"Je récapitule : {self._say(chosen)}. Je confirme ce rendez-vous ?",
                f"To confirm: {self._say(chosen)}. Shall I book it?"), "read_back")
        q = self._parse(text)
        if self._has_wish(q) and q != self.query:  # "plutôt jeudi après-midi"
            self.query = q
            return await self._offer()
        if yes_no(text) is False:
            self.step = Step.WISH
            await self._release()
            return self._reply(self._s(
                "Quel autre jour ou moment vous conviendrait ?",
                "Which other day or time would suit you?"), "ask_wish")
        if self._unclear():
            return await self._to_human("choice_unclear")
        return self._reply(self._s(
            "Pardon, lequel : le premier ou le deuxième ?",
            "Sorry, which one: the first or the second?"), "offer_again")

    async def _on_confirm(self, text: str) -> AgendaReply:
        answer = yes_no(text)
        if answer is None:
            q = self._parse(text)
            if self._has_wish(q) and q != self.query:
                self.query = q
                return await self._offer()
            if self._unclear():
                return await self._to_human("confirm_unclear")
            return self._reply(self._s(
                "Pouvez-vous me répondre par oui ou par non ?",
                "Could you answer yes or no?"), "confirm_again")
        if not answer:
            self.step = Step.WISH
            await self._release()
            return self._reply(self._s(
                "D'accord. Quel autre jour ou moment vous conviendrait ?",
                "All right. Which other day or time would suit you?"), "ask_wish")
        if self.goal is Goal.BOOK and not (self.caller.name and self.caller.birth_date):
            return self._ask_identity()
        return await self._commit()

    def _ask_identity(self) -> AgendaReply:
        if not self.caller.name:
            self.step = Step.NAME
            return self._reply(self._s("À quel nom dois-je noter le rendez-vous ?",
                                       "Under which name should I book it?"), "ask_name")
        self.step = Step.BIRTH_DATE
        return self._reply(self._s("Quelle est la date de naissance du patient ?",
                                   "What is the patient's date of birth?"), "ask_birth_date")

    async def _on_name(self, text: str) -> AgendaReply:
        name = re.sub(r"^(?:je m appelle|je suis|c est|mon nom est|au nom de|my name is|"
                      r"it s|i am|this is)\s+", "", fold(text)).strip()
        if len(name) < 2:
            if self._unclear():
                return await self._to_human("name_unclear")
            return self._reply(self._s("Pardon, votre nom et votre prénom ?",
                                       "Sorry, your first and last name?"), "ask_name")
        self.caller = replace(self.caller, name=name.title())
        self._retries = 0
        if self.caller.birth_date:
            return await self._after_identity()
        self.step = Step.BIRTH_DATE
        return self._reply(self._s("Et votre date de naissance ?",
                                   "And your date of birth?"), "ask_birth_date")

    async def _on_birth_date(self, text: str) -> AgendaReply:
        born = parse_birth_date(text, self.language)
        if born is None or born > date.today():
            if self._unclear():
                return await self._to_human("birth_date_unclear")
            return self._reply(self._s(
                "Pardon, la date de naissance, par exemple : le 12 avril 1980 ?",
                "Sorry, the date of birth, for example: April 12, 1980?"), "ask_birth_date")
        self.caller = replace(self.caller, birth_date=born)
        self._retries = 0
        return await self._after_identity()

    async def _after_identity(self) -> AgendaReply:
        if self.goal is Goal.BOOK:
            return await self._commit()
        return await self._identify()

    # -- booking ----------------------------------------------------------------------------
    async def _commit(self) -> AgendaReply:
        slot = self.chosen
        assert slot is not None
        hold = next((h for h in self.holds if h.slot.start == slot.start
                     and h.slot.practitioner == slot.practitioner), None)
        try:
            if self.goal is Goal.MOVE and self.target is not None:
                appt = await self.agenda.move(self.target.id, slot.start, actor="agent",
                                              practitioner=slot.practitioner,
                                              hold_id=hold.id if hold else None,
                                              source=Source.AGENT)
            else:
                assert self.caller.name and self.caller.birth_date
                appt = await self.agenda.book(BookingRequest(
                    start=slot.start, practitioner=slot.practitioner, type=slot.type,
                    patient=PatientIn(self.caller.name, self.caller.birth_date,
                                      self.caller.phone),
                    actor="agent", source=Source.AGENT, call_id=self.caller.call_id,
                    hold_id=hold.id if hold else None,
                    urgent=self.caller.urgency == "urgent", sms=bool(self.caller.phone)))
        except SlotTaken:
            self.holds = [h for h in self.holds if h is not hold]
            return await self._offer()
        except AgendaError:
            return await self._to_human("booking_failed")
        if hold is not None:
            self.holds = [h for h in self.holds if h is not hold]
        await self._release()
        self.booked = appt
        self.step = Step.DONE
        when = self._say(appt.slot)
        sms = bool(self.caller.phone and self.agenda.sms is not None)
        if self.goal is Goal.MOVE:
            return self._reply(self._s(
                f"C'est fait : votre rendez-vous est déplacé au {when}."
                + (" Vous allez recevoir un SMS de confirmation." if sms else "")
                + " Au revoir.",
                f"Done: your appointment is moved to {when}."
                + (" You will receive a confirmation text." if sms else "") + " Goodbye."),
                "moved", finished=True, appointment=appt)
        return self._reply(self._s(
            f"C'est noté : rendez-vous {when}."
            + (" Vous allez recevoir un SMS de confirmation." if sms else "")
            + " Si vous ne pouvez pas venir, rappelez le cabinet pour annuler. Au revoir.",
            f"Booked: {when}."
            + (" You will receive a confirmation text." if sms else "")
            + " If you cannot come, call the practice to cancel. Goodbye."),
            "booked", finished=True, appointment=appt)

    # -- moving and cancelling --------------------------------------------------------------
    async def _identify(self) -> AgendaReply:
        if not self.caller.name or not self.caller.birth_date:
            return self._ask_identity()
        patient = await self.agenda.find_patient(self.caller.name, self.caller.birth_date)
        if patient is None:
            return await self._to_human("patient_not_found")
        self.upcoming = (await self.agenda.upcoming(patient.id))[:3]
        if not self.upcoming:
            self.step = Step.DONE
            return self._reply(self._s(
                "Je ne trouve pas de rendez-vous à venir à votre nom. Au revoir.",
                "I find no upcoming appointment under your name. Goodbye."), "no_appointment",
                finished=True)
        said = [self._say(a.slot) for a in self.upcoming]
        if len(said) == 1:
            self.target = self.upcoming[0]
            return self._about_target(intro=self._s(f"Vous avez rendez-vous {said[0]}. ",
                                                    f"You have an appointment on {said[0]}. "))
        self.step = Step.PICK
        listing = self._s(", puis ", ", then ").join(said)
        return self._reply(self._s(
            f"Vous avez {len(said)} rendez-vous : {listing}. Lequel ?",
            f"You have {len(said)} appointments: {listing}. Which one?"), "list_appointments")

    def _about_target(self, intro: str = "") -> AgendaReply:
        assert self.target is not None
        # Moving keeps the practitioner and the kind of visit unless the caller says otherwise.
        self.query = replace(self.query, practitioner=self.target.practitioner,
                             type=self.target.slot.type)
        if self.goal is Goal.CANCEL:
            self.step = Step.CONFIRM_CANCEL
            return self._reply(intro + self._s("Je l'annule ?", "Shall I cancel it?"),
                               "confirm_cancel")
        self.step = Step.WISH
        return self._reply(intro + self._s("Quand souhaiteriez-vous venir à la place ?",
                                           "When would you like to come instead?"), "ask_wish")

    async def _on_pick(self, text: str) -> AgendaReply:
        t = fold(text)
        pick: Appointment | None = None
        if _SECOND.search(t) and not _FIRST.search(t) and len(self.upcoming) >= 2:
            pick = self.upcoming[1]
        elif _FIRST.search(t) and not _SECOND.search(t):
            pick = self.upcoming[0]
        else:
            q = parse_slot_request(text, self.agenda.config, self.agenda.now(), self.language)
            hits = [a for a in self.upcoming if self._matches(a.slot, q, t)]
            pick = hits[0] if len(hits) == 1 else None
        if pick is None:
            if self._unclear():
                return await self._to_human("pick_unclear")
            return self._reply(self._s("Pardon, lequel : le premier ou le deuxième ?",
                                       "Sorry, which one: the first or the second?"),
                               "list_appointments")
        self.target = pick
        self._retries = 0
        return self._about_target()

    async def _on_confirm_cancel(self, text: str) -> AgendaReply:
        answer = yes_no(text)
        if answer is None:
            if self._unclear():
                return await self._to_human("confirm_unclear")
            return self._reply(self._s("Je l'annule, oui ou non ?",
                                       "Shall I cancel it, yes or no?"), "confirm_cancel")
        assert self.target is not None
        if not answer:
            self.step = Step.DONE
            return self._reply(self._s(
                "Très bien, je ne change rien : votre rendez-vous est maintenu. Au revoir.",
                "All right, nothing changes: your appointment stands. Goodbye."), "kept",
                finished=True)
        try:
            appt = await self.agenda.cancel(self.target.id, actor="agent", source=Source.AGENT)
        except AgendaError:
            return await self._to_human("cancel_failed")
        self.step = Step.DONE
        self.booked = appt
        return self._reply(self._s(
            f"C'est fait : votre rendez-vous du {self._say(appt.slot)} est annulé. Au revoir.",
            f"Done: your appointment on {self._say(appt.slot)} is cancelled. Goodbye."),
            "cancelled", finished=True, appointment=appt)


def goal_of(text: str) -> Goal | None:
    """Booking, moving or cancelling, from the caller's words (None: not about the agenda)."""
    t = fold(text)
    if _CANCEL.search(t):
        return Goal.CANCEL
    if _MOVE.search(t) and re.search(r"\b(?:rendez vous|rdv|rendezvous|appointment)\b", t):
        return Goal.MOVE
    if re.search(r"\b(?:rendez vous|rdv|consultation|voir le docteur|voir le medecin|"
                 r"appointment|book|see the doctor|see a doctor)\b", t):
        return Goal.BOOK
    return None


__all__ = ["AgendaConversation", "AgendaReply", "Caller", "Goal", "Step", "goal_of",
           "parse_birth_date", "yes_no"]
