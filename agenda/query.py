"""A caller's words -> `SlotQuery`, French and English.

"mardi prochain en fin de matinée", "le plus tôt possible", "pas avant 17 h", "avec le docteur
Martin", "next Tuesday late morning", "not before 5 pm". Parts of the day, weekdays, relative
days and hours are our own rules (they must be exact and fast: one caller turn); explicit dates
("le 8 décembre", "December 8") go through dateparser with the practice's clock as its base.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from rapidfuzz import fuzz

from agenda.config import AgendaConfig, fold
from agenda.slots import SlotQuery

Language = Literal["fr", "en"]

# Parts of the day (local time): (pattern, from, to). Longest phrases first: "fin de matinée"
# must win over "matinée". Windows bound the *start* of the appointment.
_PARTS: tuple[tuple[str, time, time], ...] = (
    (r"\b(?:tot le matin|debut de (?:la )?matinee|early (?:in the )?morning|first thing)\b",
     time(7, 0), time(10, 0)),
    (r"\b(?:fin de (?:la )?matinee|en fin de matin|late (?:in the )?morning)\b",
     time(10, 30), time(12, 30)),
    (r"\b(?:debut d ?apres ?midi|early (?:in the )?afternoon)\b", time(13, 30), time(15, 30)),
    (r"\b(?:fin d ?apres ?midi|late (?:in the )?afternoon)\b", time(16, 0), time(19, 0)),
    (r"\b(?:fin de (?:la )?journee|en soiree|le soir|ce soir|(?:in the )?evening|tonight|"
     r"end of the day|after work)\b", time(17, 0), time(21, 0)),
    (r"\b(?:entre midi et deux|heure du dejeuner|a midi|vers midi|lunch ?time|at noon|"
     r"around noon)\b", time(11, 45), time(14, 15)),
    (r"\b(?:apres ?midi|aprem|afternoon)\b", time(13, 0), time(19, 0)),
    (r"\b(?:matin|matinee|morning|a\.?m\.?(?= |$))\b", time(7, 0), time(12, 30)),
)

_ASAP = re.compile(
    r"\b(?:le plus tot|au plus tot|des que possible|le plus vite|au plus vite|le plus rapidement|"
    r"rapidement|en urgence|premier (?:rendez vous|creneau) (?:libre|disponible)|"
    r"premiere disponibilite|as soon as possible|asap|earliest|soonest|first available|"
    r"next available|as early as possible)\b")

_WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS_FR = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
              "septembre", "octobre", "novembre", "decembre")
_MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december")
_NUMBERS_FR = {
    "une": 1, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "dix sept": 17, "dix huit": 18, "dix neuf": 19, "vingt": 20,
    "midi": 12,
}
_NUMBERS_EN = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "noon": 12,
}

# An hour as callers and the recognizer write it: "17 h", "17h30", "17 heures 30", "10:30",
# "5 pm", "5:30 pm", "dix sept heures", "10 h et demie", "midi".
_NUM_WORDS = "|".join(sorted((re.escape(k) for k in (*_NUMBERS_FR, *_NUMBERS_EN)),
                             key=len, reverse=True))
_HOUR = (rf"(?P<h>\d{{1,2}}|{_NUM_WORDS})"
         r"(?:\s*(?P<unit>h|heures?)(?:\s*(?P<m>\d{2}|et demie|et quart|moins le quart))?"
         r"|\s*:\s*(?P<m2>\d{2}))?"
         r"(?:\s*(?P<ampm>am|pm|a m|p m|o clock)\b)?")

_NOT_BEFORE = re.compile(
    rf"\b(?:pas avant|apres|a partir de|des|plus tard que|not before|after|from|no earlier "
    rf"than|later than)\s+{_HOUR}")
_NOT_AFTER = re.compile(
    rf"\b(?:avant|pas apres|au plus tard a|jusqu a|before|no later than|not after|until|by)"
    rf"\s+{_HOUR}")
_AROUND = re.compile(rf"\b(?:vers|aux alentours de|autour de|a|around|at|about)\s+{_HOUR}")


def _hour(match: re.Match[str]) -> time | None:
    """The hour a match names, or None when it is only a number ("après 3 jours")."""
    raw_h = match.group("h")
    minute_raw = match.group("m") or match.group("m2") or ""
    ampm = (match.group("ampm") or "").replace(" ", "")
    if not (match.group("unit") or minute_raw or ampm or raw_h in ("midi", "noon")):
        return None
    h = int(raw_h) if raw_h.isdigit() else _NUMBERS_FR.get(raw_h, _NUMBERS_EN.get(raw_h))
    if h is None:
        return None
    minutes = {"et demie": 30, "et quart": 15, "moins le quart": -15}.get(minute_raw)
    if minutes is None:
        minutes = int(minute_raw) if minute_raw.isdigit() else 0
    if ampm == "pm" and h < 12:
        h += 12
    elif ampm == "am" and h == 12:
        h = 0
    elif not ampm and 1 <= h <= 6:
        # No practice sees patients at 5 a.m.: "5 h", "cinq heures" mean 17:00.
        h += 12
    if minutes < 0:
        h, minutes = h - 1, 60 + minutes
    if not (0 <= h <= 23 and 0 <= minutes <= 59):
        return None
    return time(h, minutes)


def _first_hour(pattern: re.Pattern[str], text: str) -> time | None:
    for match in pattern.finditer(text):
        if (h := _hour(match)) is not None:
            return h
    return None


def _norm(text: str) -> str:
    """`fold` keeping ':' and '/' (for "10:30" and "8/12")."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\s*([:/])\s*", r"\1", text)
    text = " ".join(re.sub(r"[^a-z0-9:/]+", " ", text).split())
    # "après-midi" is a part of the day, not "after noon" (and never "not before 12:00").
    return re.sub(r"\bapres midi\b", "apresmidi", text)


def _next_weekday(today: date, weekday: int, *, next_week: bool) -> date:
    """The next `weekday` strictly after today. "next Tuesday" / "mardi prochain" said on a
    Monday still means tomorrow's Tuesday here: callers who mean the week after say "la semaine
    prochaine" (which we honour)."""
    ahead = (weekday - today.weekday()) % 7 or 7
    day = today + timedelta(days=ahead)
    if next_week and ahead <= 1:
        # "mardi prochain" said on a Monday: a caller meaning tomorrow says "demain".
        day += timedelta(days=7)
    return day


def _week_days(monday: date) -> tuple[date, ...]:
    return tuple(monday + timedelta(days=i) for i in range(7))


def _explicit_date(text: str, today: date, language: Language) -> date | None:
    months = "|".join((*_MONTHS_FR, *_MONTHS_EN))
    m = (re.search(rf"\b(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{months})\b", text)
         or re.search(rf"\b(?P<mon>{months})\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b",
                      text))
    fragment = None
    if m:
        fragment = f"{m.group('d')} {m.group('mon')}"
    else:
        m2 = re.search(r"\b(?P<d>\d{1,2})\s*/\s*(?P<mon>\d{1,2})(?:\s*/\s*(?P<y>\d{2,4}))?\b",
                       text)
        if m2:
            fragment = m2.group(0).replace(" ", "")
    if fragment is None:
        m3 = re.search(r"\b(?:dans|in)\s+(\d+|une|un|deux|trois|quatre|one|two|three|four)\s+"
                       r"(jours?|semaines?|days?|weeks?)\b", text)
        if not m3:
            return None
        fragment = m3.group(0)
    import dateparser  # lazy: ~0.3 s of imports, paid once, only when a date is said

    base = datetime.combine(today, time(12, 0))
    lang = "en" if language == "en" or re.search(r"\b(?:in|of|the)\b", fragment) else "fr"
    parsed = dateparser.parse(fragment, languages=[lang, "fr" if lang == "en" else "en"],
                              settings={"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base,
                                        "DATE_ORDER": "MDY" if lang == "en" else "DMY",
                                        "PREFER_DAY_OF_MONTH": "first"})
    if parsed is None:
        return None
    day = parsed.date()
    if day < today:  # "le 3 janvier" said in December: next year
        try:
            day = day.replace(year=day.year + 1)
        except ValueError:
            return None
    return day


def match_practitioner(text: str, config: AgendaConfig) -> str | None:
    """The practitioner a caller names ("avec le docteur Martin", "Dr Durant"), tolerant of a
    recognizer's spelling (rapidfuzz ratio >= 80 on a word after a title)."""
    folded = fold(text)
    # Fuzzy matching only right after a title: "le matin" must never become "Martin".
    titled = [m.group(1) for m in re.finditer(
        r"\b(?:docteur|doctoresse|dr|doctor|doc|professeur|pr)\s+(?:[a-z]+\s+)?([a-z]{3,})",
        folded)]
    titled += [m.group(1) for m in re.finditer(
        r"\b(?:docteur|doctoresse|dr|doctor|doc|professeur|pr)\s+([a-z]{3,})", folded)]
    best: tuple[float, str] | None = None
    for p in config.practitioners:
        family = fold(p.family_name)
        if f" {family} " in f" {folded} " or f" {fold(p.name)} " in f" {folded} ":
            return p.id
        for w in titled:
            score = fuzz.ratio(w, family)
            if score >= 80 and (best is None or score > best[0]):
                best = (score, p.id)
    return best[1] if best else None


def match_type(text: str, config: AgendaConfig) -> str | None:
    folded = fold(text)
    ids = {t.id for t in config.types}
    rules = (
        ("teleconsultation", r"\b(?:tele ?consultation|visio|video|en ligne|online|remote|"
                             r"teleconsult)\b"),
        ("first_visit", r"\b(?:premiere (?:consultation|visite|fois)|nouveau patient|"
                        r"nouvelle patiente|first (?:visit|time|appointment)|new patient)\b"),
    )
    for type_id, pattern in rules:
        if type_id in ids and re.search(pattern, folded):
            return type_id
    for t in config.types:  # a practice's own types, by their spoken label
        if t.id != config.default_type and (fold(t.label_fr) in folded
                                            or fold(t.label_en) in folded):
            return t.id
    return None


def parse_slot_request(text: str, config: AgendaConfig, now: datetime,
                       language: Language = "fr", *, urgent: bool = False) -> SlotQuery:
    """What the caller asked for, as a `SlotQuery` (fields left empty when not said)."""
    t = _norm(text)
    today = config.local(now).date()
    query = SlotQuery(urgent=urgent, practitioner=match_practitioner(text, config),
                      type=match_type(text, config))
    if _ASAP.search(t):
        query = replace(query, asap=True)

    # Days.
    days: tuple[date, ...] = ()
    if re.search(r"\b(?:apres demain|day after tomorrow)\b", t):
        days = (today + timedelta(days=2),)
    elif re.search(r"\b(?:demain|tomorrow)\b", t):
        days = (today + timedelta(days=1),)
    elif re.search(r"\b(?:aujourd ?hui|ce jour|today|this (?:morning|afternoon|evening)|"
                   r"tonight|ce matin|cet apres midi|ce soir|dans la journee)\b", t):
        days = (today,)
    next_week = bool(re.search(r"\b(?:semaine prochaine|next week)\b", t))
    this_week = bool(re.search(r"\b(?:cette semaine|this week)\b", t))
    weekday = None
    for names in (_WEEKDAYS_FR, _WEEKDAYS_EN):
        for i, name in enumerate(names):
            if re.search(rf"\b{name}s?\b", t):
                weekday = i
                break
        if weekday is not None:
            break
    if not days:
        explicit = _explicit_date(t, today, language)
        if explicit is not None:
            days = (explicit,)
        elif weekday is not None:
            prochain = bool(re.search(
                rf"\b(?:{'|'.join(_WEEKDAYS_FR + _WEEKDAYS_EN)}) (?:prochain|qui vient)\b|"
                rf"\bnext (?:{'|'.join(_WEEKDAYS_EN)})\b", t))
            if next_week:
                monday = today + timedelta(days=7 - today.weekday())
                days = (monday + timedelta(days=weekday),)
            elif re.search(rf"\b(?:tous les|le|les|any|every) ?(?:{'|'.join(_WEEKDAYS_FR)})s\b|"
                           rf"\b(?:any|every|on) (?:{'|'.join(_WEEKDAYS_EN)})s\b|"
                           rf"\bun (?:{'|'.join(_WEEKDAYS_FR)})\b", t):
                query = replace(query, weekdays=frozenset({weekday}))
            else:
                days = (_next_weekday(today, weekday, next_week=prochain),)
        elif next_week:
            days = _week_days(today + timedelta(days=7 - today.weekday()))
        elif this_week:
            days = tuple(d for d in _week_days(today - timedelta(days=today.weekday()))
                         if d >= today)
    if days:
        query = replace(query, days=days)

    # Time of day: explicit bounds win over a part of the day, and narrow it when both are said
    # ("l'après-midi mais pas avant 17 h").
    time_from: time | None = None
    time_to: time | None = None
    for pattern, start, end in _PARTS:
        if re.search(pattern, t):
            time_from, time_to = start, end
            break
    if h := _first_hour(_NOT_BEFORE, t):
        time_from = h
        if time_to is not None and time_to <= h:
            time_to = None
    elif h := _first_hour(_NOT_AFTER, t):
        time_to = h
        if time_from is not None and time_from >= h:
            time_from = None
    elif h := _first_hour(_AROUND, t):
        center = datetime.combine(today, h)
        time_from = (center - timedelta(minutes=30)).time()
        time_to = (center + timedelta(minutes=31)).time()
        query = replace(query, around=h)
    if time_from is not None or time_to is not None:
        query = replace(query, time_from=time_from, time_to=time_to)
    return query
