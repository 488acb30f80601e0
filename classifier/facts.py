"""Numeric facts a clinician's thresholds need: patient age, temperature, durations, pregnancy
weeks. Shared by the protocol (modifiers such as "infant under 3 months with 38 °C") and the
triage form. Numbers may be digits ("39,5") or words ("trente-neuf et demi", "six semaines").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from classifier.text import Doc, Token, number_at
from classifier.types import PatientAge, Span

_FEVER_CONTEXT = frozenset({
    "fievre", "temperature", "degre", "degres", "thermometre", "temp", "fever", "degrees",
    "celsius", "febrile", "monte", "montee", "c", "chaud", "chaude", "brulant", "brulante",
    # How a recognizer or a non-native caller spells the fever word ("feevr", "fiebre").
    "feevr", "fevr", "fiever", "fievr", "fiebre", "fiebvre", "temprature", "temperture",
    "feverish", "fievreux", "fievreuse",
})
_AGE_UNITS = {
    "an": "years", "ans": "years", "annee": "years", "annees": "years", "year": "years",
    "years": "years", "yr": "years", "mois": "months", "month": "months", "months": "months",
    "semaine": "weeks", "semaines": "weeks", "week": "weeks", "weeks": "weeks", "jour": "days",
    "jours": "days", "day": "days", "days": "days",
}
_PERSON_NOUNS = frozenset({
    "bebe", "nourrisson", "fils", "fille", "enfant", "petit", "petite", "garcon", "gamin",
    "gamine", "mari", "femme", "pere", "mere", "patient", "patiente", "frere", "soeur", "neveu",
    "niece", "ne", "nee", "baby", "son", "daughter", "child", "boy", "girl", "infant", "kid",
    "husband", "wife", "father", "mother", "dad", "mum", "mom", "brother", "sister",
    "grand", "grandmother", "grandfather", "newborn", "moi", "i", "il", "elle", "he", "she",
})
_DURATION_CUES = frozenset({
    "depuis", "pendant", "dure", "duree", "fait", "plus", "for", "over", "lasted", "lasting",
    "since", "more", "than", "presque", "almost", "about", "environ", "de", "bien", "already",
    "deja",
})
_TEMPERATURE_WORDS = frozenset({"temperature", "temp", "t", "thermometre", "thermometer",
                                 "temperatura", "temprature", "temperture"})
_NOT_DEGREES = frozenset({"ans", "an", "years", "year", "mois", "months", "semaines", "weeks",
                          "jours", "days", "kg", "kilos", "cm", "minutes", "min", "heures",
                          "hours", "h", "f", "fahrenheit", "%"})
_MINUTE_UNITS = {"minute": 1.0, "minutes": 1.0, "min": 1.0, "mn": 1.0, "heure": 60.0,
                 "heures": 60.0, "hour": 60.0, "hours": 60.0, "h": 60.0}


@dataclass(frozen=True)
class Fact:
    value: float
    span: Span
    confidence: float


@dataclass(frozen=True)
class AgeFact:
    age: PatientAge
    span: Span
    confidence: float


def _span(doc: Doc, first: Token, last: Token) -> Span:
    return Span(first.start, last.end, doc.text[first.start:last.end])


def _number_with_decimal(words: tuple[Token, ...], i: int) -> tuple[float, int] | None:
    """A number at ``i`` with an optional decimal part: "39 , 5", "39.5", "trente neuf et demi",
    "trente neuf virgule cinq", "trente-neuf cinq" (how temperatures are said aloud)."""
    got = number_at(words, i)
    if got is None:
        return None
    value, used = got
    j = i + used
    if j + 1 < len(words) and words[j].text in {",", ".", "virgule", "point"}:
        dec = number_at(words, j + 1)
        if dec is not None and dec[0] < 10 and (words[j + 1].text.isdigit()
                                                 or dec[1] == 1):
            return value + dec[0] / 10.0, used + 2
    if j + 1 < len(words) and words[j].text in {"et", "and"} and words[j + 1].text in {
            "demi", "demie", "half"}:
        return value + 0.5, used + 2
    if 35 <= value <= 42 and j < len(words):
        dec = number_at(words, j)
        # "trente-neuf cinq", and "38 5" when the recognizer dropped the comma.
        if dec is not None and dec[1] == 1 and 1 <= dec[0] <= 9 and (
                not words[j].text.isdigit() or len(words[j].text) == 1):
            return value + dec[0] / 10.0, used + 1
    return value, used


_OTHER_READING_CUES = frozenset({"bp", "ta", "pa", "tension", "pressure", "pulse", "pouls",
                                 "fc", "hr", "rr", "fr", "spo2", "sats", "saturation", "gcs",
                                 "glasgow", "glycemie", "glucose", "sugar"})


def temperatures(doc: Doc) -> list[Fact]:
    """Body temperatures in °C (Fahrenheit converted) said near a fever word."""
    words = doc.words_with_punct
    out: list[Fact] = []
    i = 0
    while i < len(words):
        got = _number_with_decimal(words, i)
        if got is None or words[i].text in {"a", "an", "un", "une"}:
            i += 1
            continue
        value, used = got
        last = words[i + used - 1]
        # Another reading's number is no temperature: "BP 105/70, temperature 38.9" read 105
        # as 105 °F (a fraction is a pressure; a pulse, pressure or rate cue just before it).
        if doc.text[last.end:last.end + 1] == "/" or any(
                w.text in _OTHER_READING_CUES for w in words[max(0, i - 2): i]):
            i += used
            continue
        context = {w.text for w in words[max(0, i - 4): i + used + 3]}
        after = doc.text[last.end: last.end + 3]
        degree_sign = "°" in after
        fahrenheit = bool({"f", "fahrenheit"} & {w.text for w in words[i + used: i + used + 2]})
        # A temperature with tenths ("38,5", "trente-huit cinq") needs no fever word.
        tenths = used > 1 and value != int(value)
        # "elle a 39", "il fait 40", "he's at 39": a fever said the way callers say it,
        # unless a unit follows ("elle a 39 ans").
        said_of_person = (38.0 <= value <= 42.0 and i >= 2
                          and words[i - 1].text in {"a", "fait", "at", "of", "about"}
                          and (words[i - 2].text in _PERSON_NOUNS | {"s", "est", "is", "temp"}
                               # "le bébé de 22 jours fait 39": the age said just before
                               or words[i - 2].text in _AGE_UNITS)
                          and (i + used >= len(words)
                               or words[i + used].text not in _AGE_UNITS | _MINUTE_UNITS))
        if (35.0 <= value <= 42.5 and (context & _FEVER_CONTEXT or degree_sign or said_of_person
                                       or (tenths and value >= 37.5))):
            out.append(Fact(value, _span(doc, words[i], last), 0.9))
        elif 28.0 <= value < 35.0 and (degree_sign or any(
                w.text in _TEMPERATURE_WORDS for w in (*words[max(0, i - 2): i],
                                                        *words[i + used: i + used + 2]))) and (
                i + used >= len(words) or words[i + used].text not in _NOT_DEGREES):
            # Hypothermia ("température 34", "T° 33,8"): only right after the temperature
            # word or with a degree sign, never an age or a count near it ("34 ans").
            out.append(Fact(value, _span(doc, words[i], last), 0.9))
        elif 95.0 <= value <= 108.0 and (fahrenheit or context & _FEVER_CONTEXT):
            out.append(Fact(round((value - 32.0) * 5.0 / 9.0, 1), _span(doc, words[i], last),
                            0.8))
        i += used
    return out


def _numbers_followed_by_word(words: tuple[Token, ...]) -> Iterator[tuple[int, int, float]]:
    """``(i, j, value)`` for each number that starts at word ``i`` and is followed by a word
    (its unit, usually) at index ``j``."""
    for i in range(len(words)):
        got = number_at(words, i)
        if got is None:
            continue
        value, used = got
        if i + used < len(words):
            yield i, i + used, value


def ages(doc: Doc) -> list[AgeFact]:
    """Ages: "mon bébé de six semaines", "il a 3 mois", "a 2-year-old", "sixty years old",
    "âgée de 80 ans", "né il y a trois semaines". Durations ("depuis 2 jours") are not ages."""
    words = doc.words_with_punct
    out: list[AgeFact] = []
    for i, j, value in _numbers_followed_by_word(words):
        unit = _AGE_UNITS.get(words[j].text)
        if unit is None:
            continue
        confidence = _age_confidence(words, i, j, unit)
        if confidence is not None:
            out.append(AgeFact(PatientAge(value, unit), _span(doc, words[i], words[j]),
                               confidence))
    # "a 2-year-old", "six-week-old": the hyphenated unit arrives as "year" + "old" already.
    # "my week old baby", "a day-old", "a few weeks old": no number before the unit.
    numbered = {words[j].start for _, j, _ in _numbers_followed_by_word(words)}
    for j in range(len(words) - 1):
        unit = _AGE_UNITS.get(words[j].text)
        if unit not in {"days", "weeks", "months"} or words[j + 1].text != "old" or \
                words[j].start in numbered:
            continue
        few = [w for w in words[max(0, j - 2): j] if w.text in _FEW]
        first = few[0] if few else words[j]
        value = 3.0 if few else 1.0
        out.append(AgeFact(PatientAge(value, unit), _span(doc, first, words[j + 1]), 0.8))
    return out


_FEW = frozenset({"few", "couple"})


def _age_confidence(words: tuple[Token, ...], i: int, j: int, unit: str) -> float | None:
    """How sure the words around "<number> <unit>" make it an age; None when it is not one."""
    before = [w.text for w in words[max(0, i - 3): i]]
    after = [w.text for w in words[j + 1: j + 3]]
    prev = before[-1] if before else ""
    prev2 = before[-2] if len(before) > 1 else ""
    if prev in {"depuis", "pendant", "for", "since", "dans", "in", "tous", "every"} or \
            prev2 in {"depuis", "pendant", "for"}:
        return None
    # "born 5 days ago", "I gave birth 3 weeks ago": the baby's age, said as a time ago.
    if after[:1] == ["ago"] and {"born", "birth", "delivered"} & {
            w.text for w in words[max(0, i - 6): i]}:
        return 0.8
    born_ago = "il y a" in " ".join(before) or prev in {"ya"} and prev2 in {"ne", "nee"}
    if born_ago:
        born = {"ne", "nee", "naissance", "accouche", "born"} & {
            w.text for w in words[max(0, i - 6): i]}
        return 0.8 if born else None
    if "old" in after or "ago" not in after and prev in {"aged", "age", "agee", "agé"}:
        return 0.9
    if prev in {"de", "d'"} and (set(before) & _PERSON_NOUNS or prev2 in {"agee", "age"}):
        return 0.9
    if prev in {"a", "fait", "has", "is", "aura", "avait"} and unit == "years":
        return 0.7
    if prev == "a" and (prev2 in {"il", "elle", "qui"} or prev2 in _PERSON_NOUNS) and \
            unit in {"weeks", "months", "days"}:
        return 0.7
    # "le bébé qui 23 jours" (the recognizer dropped "a"), "my newborn 17 days": a person
    # noun right before a number of days, weeks or months, not a duration nor a pregnancy.
    if (prev in _PERSON_NOUNS or prev == "qui" and prev2 in _PERSON_NOUNS) and \
            unit in {"weeks", "months", "days"} and not set(after) & _NOT_AN_AGE_AFTER:
        return 0.6
    if unit == "years" and j + 1 < len(words) and words[j + 1].text in {"old"}:
        return 0.9
    # "he is one month", "my baby, she is six weeks" (said without "old"), never "she is
    # eight weeks pregnant" nor "two weeks late".
    # "our baby's 2 months": the contracted "is" arrives as "baby'" + "s".
    if prev == "s" and prev2.rstrip("'") in _PERSON_NOUNS | {"he", "she"}:
        prev, prev2 = "is", prev2.rstrip("'")
    if prev in {"is", "est"} and (prev2 in {"he", "she", "il", "elle", "s"} or
                                  prev2 in _PERSON_NOUNS) and \
            unit in {"weeks", "months", "days"} and not set(after) & _NOT_AN_AGE_AFTER:
        return 0.6
    return None


_NOT_AN_AGE_AFTER = frozenset({"pregnant", "enceinte", "along", "late", "retard", "gestation",
                               "overdue", "de", "d'", "of", "ago", "since", "depuis", "que",
                               "into", "postpartum", "after"})


_FOLDED_DURATION_RE = re.compile(r"(\d+)\s*(?:min|mn)\b")


def durations_minutes(doc: Doc) -> list[Fact]:
    """Durations in minutes ("depuis cinq minutes", "for over 10 minutes", "ça dure depuis une
    heure"). Only durations with a duration cue before them count."""
    words = doc.words_with_punct
    out: list[Fact] = []
    for i, j, value in _numbers_followed_by_word(words):
        if words[j].text not in _MINUTE_UNITS:
            continue
        before = {w.text for w in words[max(0, i - 3): i]}
        if "il" in before and "y" in before:  # "il y a 10 minutes" = when, not how long
            continue
        if not before & _DURATION_CUES:
            continue
        out.append(Fact(value * _MINUTE_UNITS[words[j].text], _span(doc, words[i], words[j]),
                        0.8))
    return out


def pregnancy_weeks(doc: Doc) -> list[Fact]:
    """"enceinte de 32 semaines", "à 7 mois de grossesse", "30 weeks pregnant", "28 SA"."""
    words = doc.words_with_punct
    out: list[Fact] = []
    for i, j, value in _numbers_followed_by_word(words):
        unit = words[j].text
        ctx_before = {w.text for w in words[max(0, i - 4): i]}
        ctx_after = {w.text for w in words[j + 1: j + 4]}
        preg = {"enceinte", "grossesse", "pregnant", "pregnancy", "along", "amenorrhee",
                "terme"}
        # "SA" (semaines d'aménorrhée) is also the French possessive "sa": written in
        # capitals, after "enceinte" ("enceinte de 8 sa"), or ending its clause ("à 6 sa,").
        said_sa = unit == "sa" and 2 <= value <= 43 and (
            doc.text[words[j].start:words[j].end] == "SA"
            or "enceinte" in ctx_before
            or j + 1 >= len(words) or words[j + 1].punct)
        if said_sa or unit in {"semaine", "semaines", "weeks", "week"} and (
                (ctx_before | ctx_after) & preg):
            out.append(Fact(value, _span(doc, words[i], words[j]), 0.9))
        elif unit in {"mois", "months", "month"} and (ctx_before | ctx_after) & preg:
            out.append(Fact(round(value * 4.345), _span(doc, words[i], words[j]), 0.7))
    return out


_GLUCOSE_CUES = frozenset({
    "glycemie", "glycemies", "sucre", "sucres", "dextro", "hgt", "glucose", "sugar", "sugars",
    "bm", "glucometre", "lecteur", "capteur", "freestyle", "meter", "reading", "glycemia",
})
_GRAMS = frozenset({"g", "gr", "gramme", "grammes", "grams", "gram"})
_MMOL = frozenset({"mmol", "millimoles", "mmol/l"})
_MG = frozenset({"mg", "milligrammes", "milligrams", "mg/dl"})
_METER_HIGH = frozenset({"hi", "high"})
"""What a glucose meter shows above its range (about 33 mmol/L): "le lecteur affiche HI"."""


def glucose_mmol(doc: Doc) -> list[Fact]:
    """Blood glucose said near a glucose word, in mmol/L: "glycémie à 4,5" (g/L in France,
    x 5.55), "sugar is 28", "450 mg", "0,40 g", "the meter says HI"."""
    words = doc.words_with_punct
    out: list[Fact] = []
    for i, w in enumerate(words):
        if w.text not in _GLUCOSE_CUES:
            continue
        french = w.text in {"glycemie", "glycemies", "sucre", "sucres", "dextro", "hgt",
                            "glucometre", "lecteur", "capteur"}
        # "4 grammes de sucre", "28 mmol of sugar": the value said before the word, with a unit.
        if i >= 3 and words[i - 1].text in {"de", "d'", "of"}:
            unit_i = i - 2
            if words[unit_i].text in _GRAMS | _MMOL | _MG:
                got = _number_with_decimal(words, unit_i - 1)
                if got is not None and got[1] == 1:
                    value = got[0]
                    unit = words[unit_i].text
                    mmol = value * 5.55 if unit in _GRAMS else (
                        value / 18.0 if unit in _MG else value)
                    if 0.5 <= mmol <= 60:
                        out.append(Fact(round(mmol, 1), _span(doc, words[unit_i - 1], w), 0.8))
                        continue
        j = i + 1
        while j < min(len(words), i + 6):
            if words[j].text in _METER_HIGH and not (j + 1 < len(words)
                                                      and words[j + 1].text.isdigit()):
                out.append(Fact(33.3, _span(doc, w, words[j]), 0.7))
                break
            got = _number_with_decimal(words, j)
            if got is None or words[j].text in {"a", "an", "un", "une"}:
                j += 1
                continue
            value, used = got
            k = j + used
            if (words[j].text.isdigit() and k + 1 < len(words) and words[k].text in {",", "."}
                    and words[k + 1].text.isdigit()):  # "0,40 g", "1.8"
                value, used = float(f"{words[j].text}.{words[k + 1].text}"), used + 2
            unit = words[j + used].text if j + used < len(words) else ""
            if unit in _GRAMS or (unit not in _MMOL | _MG and french and value <= 6):
                mmol = value * 5.55
            elif unit in _MG or value >= 40:
                mmol = value / 18.0
            else:
                mmol = value
            if 0.5 <= mmol <= 60:
                out.append(Fact(round(mmol, 1), _span(doc, w, words[j + used - 1]), 0.8))
            break
    return out


_SPO2_CUES = frozenset({
    "saturation", "sature", "sat", "sats", "spo2", "oxygene", "oxygen", "oxymetre",
    "oximeter", "o2", "saturometre", "saturomètre", "sat's",
})


def oxygen_saturation(doc: Doc) -> list[Fact]:
    """Oxygen saturation in % said near a saturation word: "sature à 88", "sats of 89%"."""
    words = doc.words_with_punct
    out: list[Fact] = []
    for i, w in enumerate(words):
        if w.text not in _SPO2_CUES:
            continue
        for j in range(i + 1, min(len(words), i + 6)):
            got = number_at(words, j)
            if got is None or words[j].text in {"a", "an", "un", "une", "2"}:
                continue
            value, used = got
            if 50 <= value <= 100:
                out.append(Fact(value, _span(doc, w, words[j + used - 1]), 0.8))
            break
    return out


# Vital signs a caller (or a nurse, a relative reading a monitor) may say. The thresholds the
# rules use are NICE NG51's high-risk criteria (respiratory rate >= 25, systolic <= 90, heart
# rate > 130) and FRENCH's (respiratory rate > 30, Glasgow < 15).
_HR_CUES = frozenset({"pouls", "fc", "cardiaque", "pulse", "hr", "rate", "bpm", "battements",
                      "bat", "tachycarde", "tachycardic", "tachycardie", "tachycardia"})
_HR_UNITS = frozenset({"bpm", "battements", "pulsations", "beats"})
_BP_CUES = frozenset({"tension", "ta", "pa", "arterielle", "pressure", "bp", "systolique",
                      "systolic"})
# "FR 24/min" is the French clinical abbreviation (fréquence respiratoire), as "FC" is the pulse.
_RR_CUES = frozenset({"respiratoire", "respiratory", "rr", "respirations", "resp", "fr"})
_RR_UNITS = frozenset({"breaths", "respirations", "cycles", "mouvements"})
_GCS_CUES = frozenset({"gcs", "glasgow"})


def _value_after(words: tuple[Token, ...], i: int, reach: int = 5) -> tuple[float, int] | None:
    """The first digit number within ``reach`` words after ``words[i]`` (words such as "à",
    "de", "of", "is" may stand between): (value, index)."""
    for j in range(i + 1, min(len(words), i + 1 + reach)):
        if words[j].punct and words[j].text in ".;!?":
            return None
        if words[j].text.isdigit():
            return float(words[j].text), j
    return None


def _rate_readings(doc: Doc, *, cues: frozenset[str], units: frozenset[str], low: float,
                   high: float, reach: int, is_cue: Callable[[tuple[Token, ...], int], bool]
                   ) -> list[Fact]:
    """A rate said as "<number> <unit>" or "<cue> ... <number>", each reading once ("heart
    rate of 140 bpm" is one reading, cue and unit), kept within [low, high]."""
    words = doc.words_with_punct
    out: list[Fact] = []
    seen: set[int] = set()
    for i, w in enumerate(words):
        if w.text.isdigit() and i + 1 < len(words) and words[i + 1].text in units:
            value = float(w.text)
            if low <= value <= high and i not in seen:
                seen.add(i)
                out.append(Fact(value, _span(doc, w, words[i + 1]), 0.8))
            continue
        if w.text not in cues or not is_cue(words, i):
            continue
        got = _value_after(words, i, reach=reach)
        if got is not None and low <= got[0] <= high and got[1] not in seen:
            seen.add(got[1])
            out.append(Fact(got[0], _span(doc, w, words[got[1]]), 0.8))
    return out


def _heart_rate_cue(words: tuple[Token, ...], i: int) -> bool:
    text = words[i].text
    if text in _HR_UNITS:
        return False  # a unit after no number ("battements irréguliers")
    if text == "rate" and (i == 0 or words[i - 1].text not in {"heart", "pulse"}):
        return False  # "respiratory rate", "the rate of"
    return not (text == "cardiaque" and (i == 0 or words[i - 1].text != "frequence"))


def heart_rate(doc: Doc) -> list[Fact]:
    """Beats per minute: "pouls à 130", "heart rate of 140", "FC 45", "125 bpm"."""
    return _rate_readings(doc, cues=_HR_CUES, units=_HR_UNITS, low=20, high=260, reach=5,
                          is_cue=_heart_rate_cue)


def systolic_bp(doc: Doc) -> list[Fact]:
    """Systolic blood pressure in mmHg: "BP 85/50", "tension à 8" (French callers say cmHg:
    "8/5" is 80/50), "pression artérielle 90"."""
    words = doc.words_with_punct
    out: list[Fact] = []
    for i, w in enumerate(words):
        if w.text not in _BP_CUES:
            continue
        if w.text == "pressure" and (i == 0 or words[i - 1].text != "blood"):
            continue
        # "ta" / "pa" are also French words ("ta fille a 8 ans"): the value must follow.
        got = _value_after(words, i, reach=2 if w.text in {"ta", "pa"} else 4)
        if got is None:
            continue
        value = got[0] * 10.0 if got[0] <= 25 else got[0]
        if 40 <= value <= 260:
            out.append(Fact(value, _span(doc, w, words[got[1]]), 0.8))
    return out


def respiratory_rate(doc: Doc) -> list[Fact]:
    """Breaths per minute: "respiratory rate 32", "fréquence respiratoire à 30", "RR 28",
    "35 breaths a minute"."""
    return _rate_readings(doc, cues=_RR_CUES, units=_RR_UNITS, low=4, high=90, reach=4,
                          is_cue=lambda _words, _i: True)


def glasgow(doc: Doc) -> list[Fact]:
    """Glasgow coma score: "GCS 10", "Glasgow à 12", "score de Glasgow de 9"."""
    words = doc.words_with_punct
    out: list[Fact] = []
    for i, w in enumerate(words):
        if w.text not in _GCS_CUES:
            continue
        got = _value_after(words, i, reach=4)
        if got is not None and 3 <= got[0] <= 15:
            out.append(Fact(got[0], _span(doc, w, words[got[1]]), 0.8))
    return out


@dataclass(frozen=True)
class EarlyWarning:
    """An aggregate score from the readings said, with the readings that scored."""

    score: int
    spans: tuple[Span, ...]


def _scored(found: list[Fact], points: Callable[[float], int], worst: Callable[..., Fact]
            ) -> tuple[int, Span | None]:
    if not found:
        return 0, None
    reading = worst(found, key=lambda f: points(f.value))
    return points(reading.value), reading.span


def _news2_rr(v: float) -> int:
    return 3 if v <= 8 else 1 if v <= 11 else 0 if v <= 20 else 2 if v <= 24 else 3


def _news2_spo2(v: float) -> int:
    return 3 if v <= 91 else 2 if v <= 93 else 1 if v <= 95 else 0


def _news2_sbp(v: float) -> int:
    return 3 if v <= 90 else 2 if v <= 100 else 1 if v <= 110 else 0 if v <= 219 else 3


def _news2_pulse(v: float) -> int:
    return 3 if v <= 40 else 1 if v <= 50 else 0 if v <= 90 else 1 if v <= 110 else \
        2 if v <= 130 else 3


def _news2_temp(v: float) -> int:
    return 3 if v <= 35.0 else 1 if v <= 36.0 else 0 if v <= 38.0 else 1 if v <= 39.0 else 2


def news2(doc: Doc, *, not_alert: bool) -> EarlyWarning:
    """NEWS2 (Royal College of Physicians, 2017) over the parameters the text gives: a
    parameter not said scores 0, so the sum is a lower bound of the patient's score (a
    vignette that gives four readings and new confusion is scored on those). ``not_alert``:
    new confusion, drowsiness or no response (ACVPU other than A) scores 3. Supplemental
    oxygen is not read (its 2 points are left out: a lower bound still)."""
    total = 3 if not_alert else 0
    spans: list[Span] = []
    for found, points in ((respiratory_rate(doc), _news2_rr), (oxygen_saturation(doc), _news2_spo2),
                          (systolic_bp(doc), _news2_sbp), (heart_rate(doc), _news2_pulse),
                          (temperatures(doc), _news2_temp)):
        got, span = _scored(found, points, max)
        total += got
        if got and span is not None:
            spans.append(span)
    return EarlyWarning(total, tuple(spans))


def qsofa(doc: Doc, *, altered_mentation: bool) -> EarlyWarning:
    """qSOFA (Sepsis-3, Seymour/Singer 2016): one point each for a respiratory rate of 22 or
    more, a systolic pressure of 100 or less and altered mentation; 2 or more with an
    infection is the bedside sign of sepsis with a poor outcome."""
    total = 1 if altered_mentation else 0
    spans: list[Span] = []
    rr = [f for f in respiratory_rate(doc) if f.value >= 22]
    sbp = [f for f in systolic_bp(doc) if f.value <= 100]
    for found in (rr, sbp):
        if found:
            total += 1
            spans.append(found[0].span)
    return EarlyWarning(total, tuple(spans))
