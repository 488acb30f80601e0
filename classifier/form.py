"""Triage-form pre-fill from the caller's words: every field with value, confidence, span.

Rules first (they work on ASR text: lowercase, no punctuation, spoken numbers), spaCy's French
model (`fr_core_news_sm`) as a fallback for person names in French text. There is no English
spaCy model installed here: English names come from the patterns only ("my name is ...",
"this is ...", "his name is ..."). `dateparser` parses dates of birth only after a birth cue
(on its own it reads "je" or "mai" as dates), `phonenumbers` validates callback numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers

from classifier.facts import ages, pregnancy_weeks, temperatures
from classifier.labels import RedFlag
from classifier.text import Doc, Token, analyse, number_at
from classifier.types import Classification, FormField, PatientAge, Span, TriageForm

_RELATIONS = {
    "spouse": ["mon mari", "ma femme", "mon epoux", "mon epouse", "mon conjoint", "ma conjointe",
               "mon compagnon", "ma compagne", "my husband", "my wife", "my partner"],
    "child": ["mon fils", "ma fille", "mon bebe", "notre bebe", "mon enfant", "mon petit",
              "ma petite", "mon garcon", "my son", "my daughter", "my baby", "my child",
              "my little", "our baby", "my boy", "my girl", "my kid"],
    "parent": ["ma mere", "mon pere", "ma maman", "mon papa", "my mother", "my father", "my mum",
               "my mom", "my dad"],
    "grandparent": ["ma grand mere", "mon grand pere", "ma mamie", "mon papi", "my grandmother",
                    "my grandfather", "my grandma", "my grandpa", "my nan"],
    "sibling": ["mon frere", "ma soeur", "my brother", "my sister"],
    "other": ["mon voisin", "ma voisine", "mon ami", "mon amie", "mon collegue", "ma collegue",
              "my neighbour", "my neighbor", "my friend", "my colleague", "un patient",
              "une patiente", "mon patient", "ma patiente"],
}
_SELF_CUES = ["pour moi", "j'ai", "je me sens", "je suis", "i have", "i feel", "i'm", "i am",
              "for myself", "for me"]

_NAME_STOP = {
    "le", "la", "les", "de", "du", "des", "et", "a", "au", "je", "j'", "il", "elle", "c'", "est",
    "mon", "ma", "mes", "pour", "docteur", "madame", "monsieur", "bonjour", "oui", "non", "euh",
    "the", "and", "i", "my", "is", "calling", "about", "here", "speaking", "from", "mrs", "mr",
    "ms", "appelle", "suis", "voila", "alors", "donc", "bon", "bah", "ben", "hi",
    "hello", "an", "because", "parce", "que", "qui", "mais", "but", "so", "ok", "okay",
    "ici", "vous", "tu", "on", "nous", "his", "her", "he", "she", "it", "was", "be", "going",
    "have", "has", "not", "pas", "en", "dans", "sur", "with", "avec", "l'", "d'", "n'",
    "tres", "very", "really", "trop", "just", "juste", "un", "une", "encore", "still",
    "fils", "fille", "mari", "femme", "bebe", "son", "daughter", "husband", "wife", "baby",
    "enceinte", "pregnant", "malade", "sick", "mal", "inquiet", "inquiete", "worried",
}
_CALLER_CUES = ["je m'appelle", "je m appelle", "mon nom est", "mon nom c'est", "c'est", "ici",
                "my name is", "my name's", "this is", "it's", "i am", "i'm", "je suis"]
_PATIENT_CUES = ["il s'appelle", "elle s'appelle", "il s appelle", "elle s appelle",
                 "son nom est", "son nom c'est", "his name is", "her name is", "he's called",
                 "she's called", "le patient", "la patiente", "the patient is", "named",
                 "qui s'appelle", "called"]
_PRACTITIONER_RE = re.compile(
    r"\b(?:le |la |avec le |avec la |with )?(?:docteur|doctoresse|dr\.?|doctor|docteure)\s+"
    r"([A-ZÉÈa-zéèêëïîôöüç][\w'-]+)", re.IGNORECASE)
_TIME_WORDS = (
    r"aujourd'hui|demain|apr[eè]s[- ]demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|"
    r"dimanche|ce matin|cet apr[eè]s[- ]midi|ce soir|la semaine prochaine|d[eè]s que possible|"
    r"today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|this morning|"
    r"this afternoon|this evening|next week|as soon as possible|asap"
)
_PREF_TIME_RE = re.compile(
    rf"\b(?:(?:{_TIME_WORDS})(?:\s+(?:matin|apr[eè]s[- ]midi|soir|morning|afternoon|evening))?"
    r"(?:\s+(?:vers|[àa]|at|around)\s+\d{1,2}\s*(?:h|heures?|:\d\d|am|pm)(?:\s*\d\d)?)?"
    r"|(?:vers|[àa]|at|around)\s+\d{1,2}\s*(?:h|heures?|:\d\d|am|pm)(?:\s*\d\d)?)",
    re.IGNORECASE)
_ONSET_RE = re.compile(
    r"\b(?:depuis|since|for the (?:last|past)|started|commenc[ée]e? |a commenc[ée]|"
    r"ça a commenc[ée]|ca a commence|il y a|y a)\s+[^.,;!?]{1,40}?"
    r"(?=$|[.,;!?]| et | and | mais | but | il | elle | he | she | je | i )", re.IGNORECASE)
_DOB_CUE_RE = re.compile(
    r"\b(?:n[ée]e? le|date de naissance(?: c'est| est)?|born on|born|date of birth(?: is)?|"
    r"dob)\s+([^.;!?]{4,40})", re.IGNORECASE)


def _phrase_positions(doc: Doc, phrase: str) -> list[tuple[int, int]]:
    words = doc.words
    target = [t.text for t in analyse(phrase).words]
    out = []
    for i in range(len(words) - len(target) + 1):
        if all(words[i + k].text == target[k] for k in range(len(target))):
            out.append((i, i + len(target)))
    return out


def _relationship(doc: Doc) -> FormField[str] | None:
    best: tuple[int, str, Token, Token] | None = None
    for rel, phrases in _RELATIONS.items():
        for p in phrases:
            for s, e in _phrase_positions(doc, p):
                if best is None or s < best[0]:
                    best = (s, rel, doc.words[s], doc.words[e - 1])
    if best is not None:
        _, rel, first, last = best
        return FormField(rel, 0.8, Span(first.start, last.end, doc.text[first.start:last.end]))
    for p in _SELF_CUES:
        pos = _phrase_positions(doc, p)
        if pos:
            s, e = pos[0]
            first, last = doc.words[s], doc.words[e - 1]
            return FormField("self", 0.6, Span(first.start, last.end,
                                                doc.text[first.start:last.end]))
    return None


def _name_after(doc: Doc, cues: list[str], max_words: int = 2) -> FormField[str] | None:
    words = doc.words
    for cue in cues:
        for _s, e in _phrase_positions(doc, cue):
            taken: list[Token] = []
            k = e
            while k < len(words) and len(taken) < max_words:
                w = words[k]
                raw = doc.text[w.start:w.end]
                if w.text in _NAME_STOP or w.text.isdigit() or len(w.text) < 2 or \
                        w.text.endswith("'"):
                    break
                taken.append(w)
                if not raw[:1].isupper() and len(taken) == 1 and cue in {"c'est", "ici", "it's",
                                                                          "i'm", "i am",
                                                                          "je suis"}:
                    # "c'est pour mon mari": only capitalised words count after weak cues.
                    taken = []
                    break
                k += 1
            if taken:
                first, last = taken[0], taken[-1]
                value = " ".join(doc.text[t.start:t.end].capitalize() if not
                                 doc.text[t.start:t.end][:1].isupper() else
                                 doc.text[t.start:t.end] for t in taken)
                conf = 0.85 if cue not in {"c'est", "ici", "it's", "this is"} else 0.6
                return FormField(value, conf, Span(first.start, last.end,
                                                   doc.text[first.start:last.end]))
    return None


@lru_cache(maxsize=1)
def _french_nlp() -> Any:
    import spacy

    return spacy.load("fr_core_news_sm", disable=["parser", "lemmatizer", "morphologizer",
                                                  "attribute_ruler", "tagger"])


def _spacy_person(text: str) -> FormField[str] | None:
    try:
        nlp = _french_nlp()
    except OSError:
        return None
    for ent in nlp(text).ents:
        if ent.label_ == "PER" and ent.text[:1].isupper() and len(ent.text) > 2:
            return FormField(ent.text, 0.5, Span(ent.start_char, ent.end_char, ent.text))
    return None


def _spoken_digits(doc: Doc) -> list[tuple[str, Token, Token]]:
    """Digit strings from runs of numbers, spoken or written: "zéro six douze trente-quatre
    cinquante-six soixante-dix-huit" -> "0612345678"."""
    words = doc.words_with_punct
    runs: list[tuple[str, Token, Token]] = []
    i = 0
    while i < len(words):
        digits = ""
        first = None
        last = None
        j = i
        while j < len(words):
            w = words[j]
            if w.text in {"+", "plus"} and not digits:
                digits += "+"
                first = first or w
                j += 1
                continue
            if w.text in {"-", "."} and digits:
                j += 1
                continue
            if w.text.isdigit():
                digits += w.text
                first = first or w
                last = w
                j += 1
                continue
            got = number_at(words, j)
            if got is None or w.text in {"a", "an", "un", "une"} and not digits:
                break
            value, used = got
            text = words[j].text
            digits += "0" if text == "zero" else (str(int(value)) if value >= 10 or not digits
                                                  or digits.endswith(("0", "+")) and
                                                  len(digits) < 3 else f"{int(value):02d}"
                                                  if len(digits) >= 2 else str(int(value)))
            first = first or w
            last = words[j + used - 1]
            j += used
        if first is not None and last is not None and len(digits.strip("+")) >= 6:
            runs.append((digits, first, last))
        i = max(j, i + 1)
    return runs


def _callback_number(doc: Doc, region: str) -> FormField[str] | None:
    # POSSIBLE, not VALID: a number-plan table must not drop a caller's real callback number.
    for match in phonenumbers.PhoneNumberMatcher(doc.text, region,
                                                 leniency=phonenumbers.Leniency.POSSIBLE):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        return FormField(e164, 0.95, Span(match.start, match.end, match.raw_string))
    for digits, first, last in _spoken_digits(doc):
        try:
            number = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) or (
                len(digits.lstrip("+")) >= 10 and phonenumbers.is_possible_number(number)):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return FormField(e164, 0.75, Span(first.start, last.end,
                                               doc.text[first.start:last.end]))
    return None


def _date_of_birth(text: str, language: str) -> FormField[str] | None:
    m = _DOB_CUE_RE.search(text)
    if not m:
        return None
    import dateparser

    segment = m.group(1)
    words = segment.split()
    # Longest prefix dateparser reads as a date (it also reads single words such as "je").
    for n in range(min(len(words), 6), 1, -1):
        candidate = " ".join(words[:n])
        if not re.search(r"\d|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|"
                         r"septembre|octobre|novembre|d[ée]cembre|january|february|march|"
                         r"april|may|june|july|august|september|october|november|december",
                         candidate, re.IGNORECASE):
            continue
        parsed = dateparser.parse(candidate, languages=[language, "fr", "en"],
                                  settings={"PREFER_DATES_FROM": "past",
                                            "REQUIRE_PARTS": ["day", "month", "year"]})
        if parsed is not None:
            start = m.start(1)
            return FormField(parsed.date().isoformat(), 0.8,
                             Span(start, start + len(candidate), candidate))
    return None


def _regex_field(rx: re.Pattern[str], text: str, conf: float,
                 group: int = 0) -> FormField[str] | None:
    m = rx.search(text)
    if not m:
        return None
    value = m.group(group).strip()
    return FormField(value, conf, Span(m.start(group), m.end(group), m.group(group)))


def extract_form(text: str, language: str, classification: Classification) -> TriageForm:
    doc = analyse(text)
    region = "GB" if language == "en" else "FR"
    caller = _name_after(doc, _CALLER_CUES)
    patient = _name_after(doc, _PATIENT_CUES)
    practitioner = _regex_field(_PRACTITIONER_RE, text, 0.8, group=0)
    if caller is None and language == "fr" and any(c.isupper() for c in text[1:]):
        caller = _spacy_person(text)
        # spaCy also tags "docteur Martin": the practitioner is not the caller.
        if caller is not None and practitioner is not None and practitioner.span is not None \
                and caller.span is not None and caller.span.start >= practitioner.span.start \
                and caller.span.end <= practitioner.span.end:
            caller = None
    found_ages = ages(doc)
    age = None
    if found_ages:
        a = max(found_ages, key=lambda f: f.confidence)
        age = FormField[PatientAge](a.age, a.confidence, a.span)
    temps = temperatures(doc)
    temp = None
    if temps:
        t = max(temps, key=lambda f: f.value)
        temp = FormField(float(t.value), t.confidence, t.span)
    weeks = pregnancy_weeks(doc)
    preg = FormField(int(weeks[0].value), weeks[0].confidence, weeks[0].span) if weeks else None
    symptoms: list[FormField[str]] = []
    seen: set[str] = set()
    for hit in (*classification.red_flags, *classification.suspected):
        if hit.span and hit.span.text.lower() not in seen:
            seen.add(hit.span.text.lower())
            symptoms.append(FormField(hit.span.text, 0.9 if hit.confirmed else 0.6, hit.span))
    for s in _symptom_spans(doc, language):
        if s.text.lower() not in seen and not any(s.text.lower() in x for x in seen):
            seen.add(s.text.lower())
            symptoms.append(FormField(s.text, 0.7, s))
    if practitioner is not None:
        practitioner = FormField(practitioner.value.replace("avec ", "").replace("with ", ""),
                                 0.8, practitioner.span)
    # The heads' guesses ("model", "model:clause") are less sure than a rule's evidence.
    flags = tuple(FormField[RedFlag](h.category, 0.7 if h.from_model else 0.95, h.span)
                  for h in classification.red_flags)
    return TriageForm(
        caller_name=caller,
        relationship=_relationship(doc),
        patient_name=patient,
        patient_age=age,
        date_of_birth=_date_of_birth(text, language),
        callback_number=_callback_number(doc, region),
        symptoms=tuple(symptoms),
        onset=_regex_field(_ONSET_RE, text, 0.7),
        temperature_c=temp,
        pregnancy_weeks=preg,
        requested_practitioner=practitioner,
        preferred_time=_regex_field(_PREF_TIME_RE, text, 0.7),
        reason=FormField(_reason(classification, symptoms), 0.7),
        intent=FormField(classification.intent,
                         float(classification.intent_scores.get(classification.intent.value, 0))),
        urgency=FormField(classification.urgency,
                          float(classification.urgency_scores.get(classification.urgency.value,
                                                                  0))),
        red_flags=flags,
    )


def _symptom_spans(doc: Doc, language: str) -> list[Span]:
    from classifier.protocol import Protocol

    proto = _shared_protocol()
    words = doc.words_with_punct
    langs = (language,) if language in ("fr", "en") else ("fr", "en")
    out = []
    for occ in proto._index(langs).find(words):
        if occ.concept == "__urgent":
            first, last = words[occ.start], words[occ.end - 1]
            out.append(Span(first.start, last.end, doc.text[first.start:last.end]))
    del Protocol
    return out


@lru_cache(maxsize=1)
def _shared_protocol() -> Any:
    from classifier.protocol import Protocol

    return Protocol.load()


def _reason(c: Classification, symptoms: list[FormField[str]]) -> str:
    label = c.intent.value.replace("_", " ")
    if c.red_flags:
        cats = ", ".join(h.category.value.replace("_", " ") for h in c.red_flags)
        words = "; ".join(h.span.text for h in c.red_flags if h.span)
        return f"EMERGENCY {cats}: {words}"[:160]
    if symptoms:
        return f"{label}: " + ", ".join(s.value for s in symptoms[:4])
    snippet = " ".join(c.text.split())
    return f"{label}: {snippet[:100]}"
