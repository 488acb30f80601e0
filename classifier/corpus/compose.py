"""Compositional training corpus (issue 13): clinical pictures x callers x registers x noise.

    python -m classifier.corpus.compose --seed 11 --out models/corpus

Writes ``compose_train.jsonl`` and ``compose_dev.jsonl`` (LABELS.md format plus ``traps``,
``style``, ``role``, ``register``, ``situation``). Where `generate.py` wraps ~150 fixed core
phrases, this builds each utterance from slots (`concepts.PICTURES`): one clause per slot,
conjugated for who is speaking (self, spouse, parent, neighbour, other), in a register
(lay, clinical, elderly, teen, non-native), told now or as a past-tense narrative, downplayed
or not, then typed or heard (ASR: no punctuation, fillers, repeats, homophones, character
slips, dropped words). Near misses (one concept of two), negations, past history, idioms and
garbled routine fragments are the traps. ``compose_dev`` holds out ~1 clause in 5 of every
slot (each dev item uses at least one clause no training item uses): the generator's own
validation split, where thresholds are chosen. Nothing here comes from ../shared/external/.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from classifier.corpus.concepts import (
    GARBLED,
    HISTORY,
    IDIOMS,
    NEAR_MISSES,
    NEGATIONS,
    PICTURES,
    REQUESTS,
)
from classifier.corpus.generate import write_splits
from classifier.corpus.pictures import (
    CARERS,
    CATEGORY_TRAPS,
    COMORBIDITIES,
    EXTRA_PICTURES,
    RAMBLE,
    SHORT_ANSWERS,
    SYLLABLES,
    VIGNETTE_INTROS,
)

# ---------------------------------------------------------------------------------------------
# Speakers: who the patient is to the caller, and how clauses conjugate for them.


@dataclass(frozen=True)
class Person:
    role: str
    """self, spouse, parent (caller is the patient's parent), child (patient is the caller's
    parent), neighbour, carer, other."""
    lead: str
    """How the caller names the patient ("mon mari"); empty for self."""
    pronoun: str
    female: bool


PEOPLE: dict[str, list[Person]] = {
    "fr": [
        Person("self", "", "je", False), Person("self", "", "je", True),
        Person("spouse", "mon mari", "il", False), Person("spouse", "ma femme", "elle", True),
        Person("spouse", "mon compagnon", "il", False),
        Person("parent", "mon fils", "il", False), Person("parent", "ma fille", "elle", True),
        Person("parent", "mon petit garçon", "il", False),
        Person("child", "mon père", "il", False), Person("child", "ma mère", "elle", True),
        Person("child", "ma grand-mère", "elle", True),
        Person("neighbour", "mon voisin", "il", False),
        Person("neighbour", "ma voisine", "elle", True),
        Person("other", "un collègue", "il", False), Person("other", "ma copine", "elle", True),
    ],
    "en": [
        Person("self", "", "I", False), Person("self", "", "I", True),
        Person("spouse", "my husband", "he", False), Person("spouse", "my wife", "she", True),
        Person("spouse", "my partner", "she", True),
        Person("parent", "my son", "he", False), Person("parent", "my daughter", "she", True),
        Person("parent", "my little boy", "he", False),
        Person("child", "my dad", "he", False), Person("child", "my mum", "she", True),
        Person("child", "my nan", "she", True),
        Person("neighbour", "my neighbour", "he", False),
        Person("neighbour", "the lady next door", "she", True),
        Person("other", "a colleague", "he", False), Person("other", "my flatmate", "she", True),
    ],
}
for _lang, _carers in CARERS.items():
    PEOPLE[_lang] += [Person("carer", lead, pronoun, female) for lead, pronoun, female in _carers]


def _fr_tokens(p: Person) -> dict[str, str]:
    if p.pronoun == "je":
        return {"s": "je", "a": "j'ai", "est": "je suis", "peut": "peux", "fait": "je fais",
                "son": "mon", "sa": "ma", "ses": "mes", "me": "me", "sest": "je me suis"}
    s = p.pronoun
    return {"s": s, "a": f"{s} a", "est": f"{s} est", "peut": "peut", "fait": f"{s} fait",
            "son": "son", "sa": "sa", "ses": "ses", "me": "lui", "sest": f"{s} s'est"}


def _en_tokens(p: Person) -> dict[str, str]:
    if p.pronoun == "I":
        return {"S": "I", "has": "I have", "is": "I'm", "was": "I was", "his": "my",
                "him": "me", "had": "I had", "feels": "feel", "says": "", "does": "I do"}
    s = p.pronoun
    his = "her" if p.female else "his"
    him = "her" if p.female else "him"
    return {"S": s, "has": f"{s} has", "is": f"{s}'s", "was": f"{s} was", "his": his,
            "him": him, "had": f"{s} had", "feels": "feels", "says": f"{s} says",
            "does": f"{s} does"}


_FR_SELF_FIX = [(r"\bje est\b", "je suis"), (r"\bje s'est\b", "je me suis"),
                (r"\bje ne se\b", "je ne me"), (r"\bje se\b", "je me"), (r"\bje va\b", "je vais"),
                (r"\bje dit\b", "je dis"), (r"\bje veut\b", "je veux"),
                (r"\bqu'je\b", "que je"), (r"\bde se (couper|tuer|jeter)", r"de me \1"),
                (r"\bva se tuer\b", "vais me tuer"), (r"\bà se jeter\b", "à me jeter"),
                (r"\bje n'a\b", "je n'ai"), (r"\bje ne sent\b", "je ne sens"),
                (r"\bje sent\b", "je sens"), (r"\bje convulse\b", "je convulse"),
                (r"\bse sent\b", "me sens")]


def conjugate(clause: str, lang: str, person: Person) -> str:
    if lang == "fr":
        out = clause
        for k, v in _fr_tokens(person).items():
            out = out.replace("{" + k + "}", v)
        if person.pronoun == "je":
            for pat, rep in _FR_SELF_FIX:
                out = re.sub(pat, rep, out)
        else:
            out = re.sub(r"\bqu'(il|elle) (il|elle)\b", r"qu'\1", out)
        return re.sub(r"\s+", " ", out).strip()
    toks = _en_tokens(person)
    self_ = person.pronoun == "I"
    out = clause.replace("{him}self", "myself" if self_ else f"{toks['him']}self")
    for k, v in toks.items():
        out = out.replace("{" + k + "}", v)
    if self_:
        out = out.replace("I's", "I'm").replace("I'm not", "I'm not")
    return re.sub(r"\s+", " ", out).strip()


# ---------------------------------------------------------------------------------------------
# Frames and registers.

OPENERS = {"fr": ["", "", "bonjour", "allô oui bonjour", "bonjour docteur", "oui bonjour",
                  "excusez-moi de vous déranger", "allô"],
           "en": ["", "", "hello", "hi", "hello doctor", "yes hello", "sorry to call",
                  "hi there"]}
LEADS = {"fr": ["c'est pour {p},", "j'appelle pour {p},", "{p}", "je suis avec {p},",
                "je vous appelle pour {p},", "c'est au sujet de {p},"],
         "en": ["it's about {p},", "I'm calling about {p},", "{p}", "I'm with {p},",
                "I'm ringing for {p},"]}
DOWNPLAY = {"fr": ["c'est sûrement rien mais", "je ne veux pas déranger pour rien mais",
                   "je sais pas si c'est grave mais", "ça va peut-être passer mais",
                   "c'est peut-être le stress mais", "je dramatise peut-être mais"],
            "en": ["it's probably nothing but", "sorry to bother you but",
                   "I don't want to make a fuss but", "I'm sure it's fine but",
                   "might just be stress but", "I hate to bother you but"]}
PAST = {"fr": ["ça a commencé hier soir et là", "ce matin au réveil c'était déjà là et là",
               "tout à l'heure ça a commencé et maintenant", "depuis cette nuit",
               "hier on pensait que ça passerait mais là", "en rentrant du travail"],
        "en": ["it started last night and now", "this morning when I got up it began and now",
               "about an hour ago it came on and", "since the middle of the night",
               "yesterday we thought it would pass but now", "when we got home"]}
CLOSERS = {"fr": ["", "", "qu'est-ce que je fais", "vous pouvez m'aider",
                  "est-ce qu'il faut appeler le 15", "merci", "je fais quoi"],
           "en": ["", "", "what should I do", "can someone help", "do I call an ambulance",
                  "thanks", "what do I do"]}
REGISTER_WORDS = {
    ("fr", "elderly"): ["mon petit", "ma petite dame", "docteur", "voyez-vous"],
    ("fr", "teen"): ["genre", "grave", "en mode", "trop"],
    ("fr", "clinical"): ["je suis infirmière,", "je suis aide-soignante,",
                         "patient connu, antécédents cardiaques,"],
    ("en", "elderly"): ["dear", "love", "doctor", "you see"],
    ("en", "teen"): ["like", "literally", "omg", "honestly"],
    ("en", "clinical"): ["I'm a nurse,", "I'm a carer,", "known patient, cardiac history,"],
}
REGISTERS = ("lay", "lay", "lay", "clinical", "vignette", "elderly", "teen", "nonnative")
_FEMININE = {"hypertendu": "hypertendue", "insuffisant cardiaque": "insuffisante cardiaque"}


def vignette_intro(lang: str, person: Person, rng: random.Random) -> str:
    """"Patiente de 70 ans, diabétique," / "A 45-year-old man with COPD:" (third party)."""
    comorb = rng.choice(COMORBIDITIES[lang])
    intros = VIGNETTE_INTROS[lang]
    if lang == "fr":
        if person.female:
            comorb = _FEMININE.get(comorb, comorb)
            intros = [i for i in intros if not i.startswith(("Patient ", "Monsieur"))]
        else:
            intros = [i for i in intros if not i.startswith(("Patiente", "Madame"))]
    sex = "woman" if person.female else "man"
    return rng.choice(intros).format(age=rng.randint(19, 92), comorb=comorb, sex=sex)

FILLERS = {"fr": ["euh", "euh", "bah", "ben", "hein", "voilà", "en fait", "du coup", "enfin"],
           "en": ["um", "uh", "er", "like", "you know", "so", "well"]}
HOMOPHONES = {
    "fr": {"a": ["à"], "à": ["a"], "est": ["et", "ai"], "et": ["est"], "ses": ["ces", "c'est"],
           "sa": ["ça"], "ça": ["sa"], "peut": ["peu"], "mal": ["malle"], "cœur": ["chœur"],
           "vomit": ["vomi"], "respirer": ["respiré"], "plus": ["pu"], "sang": ["cent", "sans"],
           "fièvre": ["fièvres", "fievre"], "poitrine": ["poitrines"], "tête": ["tète"],
           "ventre": ["vendre"], "enceinte": ["en ceinte"], "crise": ["crises"],
           "peau": ["pot"], "cou": ["coup"], "mort": ["mors"], "parle": ["parlent"]},
    "en": {"to": ["too", "two"], "there": ["their"], "chest": ["chess"], "breathe": ["breed"],
           "pain": ["pane"], "his": ["is"], "won't": ["want"], "fit": ["feet"], "can't": ["can"],
           "blood": ["blud"], "stomach": ["stomac"], "neck": ["next"], "fever": ["fiver"],
           "seizure": ["sees your"], "pills": ["pils"], "sugar": ["shugar"], "rash": ["rush"]},
}


def _char_slip(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1:]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def asr_noise(text: str, lang: str, rng: random.Random, level: float) -> str:
    """What a recognizer makes of it: lower case, no punctuation, fillers, repeats, homophones,
    character slips, dropped short words. ``level`` 0..1 scales every rate."""
    text = re.sub(r"[.,;:!?()]", " ", text.lower())
    out: list[str] = []
    for w in text.split():
        r = rng.random
        if r() < 0.05 * level and len(w) <= 3:
            continue  # a dropped little word
        if w in HOMOPHONES[lang] and r() < 0.25 * level:
            w = rng.choice(HOMOPHONES[lang][w])
        elif r() < 0.04 * level:
            w = _char_slip(w, rng)
        if r() < 0.07 * level:
            out.append(rng.choice(FILLERS[lang]))
        out.append(w)
        if r() < 0.03 * level:
            out.append(w)
    return " ".join(out)


def nonnative(text: str, lang: str, rng: random.Random) -> str:
    if lang == "en":
        text = re.sub(r"\b(the|a) ", lambda m: "" if rng.random() < 0.6 else m.group(0), text)
        text = re.sub(r"\b(he|she)'s\b", r"\1 is", text)
        text = re.sub(r"\b(he|she) has\b", r"\1 have", text)
        return text.replace("I'm", "I am")
    text = re.sub(r"\b(le|la|les|de|du) ", lambda m: "" if rng.random() < 0.4 else m.group(0),
                  text)
    return text.replace("j'ai", "moi j'ai").replace("il est", "lui il est")


def _typed(parts: Sequence[str]) -> str:
    text = " ".join(p for p in parts if p).strip()
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r",\s*,", ",", text).strip(" ,")
    return text[:1].upper() + text[1:] + ("." if text[-1:] not in ".?!" else "")


@dataclass
class Built:
    text: str
    style: str
    register: str
    traps: list[str]


def frame(core: str, lang: str, person: Person, rng: random.Random, *,
          allow_downplay: bool = True, allow_past: bool = True,
          noise_rate: float = 0.55) -> Built:
    """Wrap the clinical clause in a call: opener, lead for a third party, register words,
    downplaying, narrative, closer; then typed or heard through ASR."""
    traps: list[str] = []
    register = rng.choice(REGISTERS)
    if register == "vignette" and (person.role == "self" or not person.lead):
        register = "clinical"
    parts = [rng.choice(OPENERS[lang]) if register != "vignette" else ""]
    if register in ("elderly", "clinical", "teen") and rng.random() < 0.7:
        parts.append(rng.choice(REGISTER_WORDS[(lang, register)]))
    long_call = rng.random() < 0.15
    if long_call:
        # A long call: the clause that matters comes after one or two unrelated sentences.
        parts += [s + "," for s in rng.sample(RAMBLE[lang], rng.choice((1, 1, 2)))]
        traps.append("long")
    if register == "vignette":
        parts.append(vignette_intro(lang, person, rng))
        traps.append("third_party")
    elif person.role != "self" and person.lead:
        lead = rng.choice(LEADS[lang]).format(p=person.lead)
        parts.append(lead)
        traps.append("third_party")
    if allow_downplay and rng.random() < 0.2:
        parts.append(rng.choice(DOWNPLAY[lang]))
        traps.append("downplay")
    if allow_past and rng.random() < 0.2:
        parts.append(rng.choice(PAST[lang]))
        traps.append("past_narrative")
    parts.append(core)
    if long_call and rng.random() < 0.5:
        parts.append(", " + rng.choice(RAMBLE[lang]))
    parts.append(rng.choice(CLOSERS[lang]))
    text = _typed(parts)
    if register == "nonnative":
        text = nonnative(text, lang, rng)
    style = "typed"
    if rng.random() < noise_rate:
        style = "asr"
        text = asr_noise(text, lang, rng, level=rng.choice((0.5, 1.0, 1.0, 1.6)))
        traps.append("asr")
    return Built(text, style, register, traps)


# ---------------------------------------------------------------------------------------------
# Held-out clauses: ~1 in 5 of every slot's alternatives is dev-only.


def _is_dev(clause: str) -> bool:
    return int(hashlib.sha256(clause.encode()).hexdigest()[:8], 16) % 5 == 0


def _pick(options: Sequence[str], rng: random.Random, split: str, *,
          force_dev: bool = False) -> str:
    pool = [o for o in options if (_is_dev(o) if force_dev else not _is_dev(o))]
    if split == "dev" and not force_dev:
        pool = list(options)
    if not pool:
        pool = list(options)
    return rng.choice(pool)


def _numbers(text: str, rng: random.Random, lang: str) -> str:
    """Infant ages under 3 months, temperatures >= 38, pregnancy weeks, child ages."""
    t = rng.choice(["38", "38,2", "38,5", "38,8", "39", "39,4", "40"])
    if lang == "en":
        t = t.replace(",", ".")
    reps = {"{w}": str(rng.randint(1, 11)), "{m}": rng.choice(["un", "deux"] if lang == "fr"
                                                                 else ["one", "two"]),
            "{d}": str(rng.randint(3, 25)), "{t}": t, "{wk}": str(rng.randint(6, 38)),
            "{y}": str(rng.randint(2, 9))}
    for k, v in reps.items():
        text = text.replace(k, v)
    return text


_FEMALE_ONLY = {"obstetric"}
_PARENT_ONLY = {"infant_fever"}
_NOT_SELF = {"consciousness", "seizure"}
"""Nobody unconscious or fitting makes the call."""


def _person(lang: str, category: str | None, rng: random.Random) -> Person:
    people = PEOPLE[lang]
    if category in _FEMALE_ONLY:
        people = [p for p in people if p.female and p.role in ("self", "spouse", "parent",
                                                               "other", "carer")]
    if category in _NOT_SELF:
        people = [p for p in people if p.role != "self"]
    return rng.choice(people)


def pseudo_word(rng: random.Random) -> str:
    """A recognizer's guess at a mumbled word ("whisse", "doule"): no word of either language
    the heads could read meaning into."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3))))


def garble(fragment: str, rng: random.Random) -> str:
    """Replace one or two words of a routine fragment with pseudo-words."""
    words = fragment.split()
    if not words:
        return fragment
    for _ in range(1 if len(words) < 4 else 2):
        words[rng.randrange(len(words))] = pseudo_word(rng)
    return " ".join(words)


def _picture_clause(picture: tuple[tuple[str, ...], ...], rng: random.Random, split: str
                    ) -> tuple[str, str]:
    slots = list(picture)
    dev_slot = rng.randrange(len(slots)) if split == "dev" else -1
    chosen: list[str] = []
    keys: list[str] = []
    for i, slot in enumerate(slots):
        optional = slot[0] == "?"
        options = [o for o in slot if o != "?"]
        if optional and i != dev_slot and rng.random() < 0.35:
            continue
        clause = _pick(options, rng, split, force_dev=(i == dev_slot))
        chosen.append(clause)
        keys.append(clause[:12])
    joiner = rng.choice([" ", ", ", " "])
    return joiner.join(c for c in chosen if c), "|".join(keys)


def _row(lang: str, text: str, intent: str | None, urgency: str, red_flag: str | None,
         built: Built, person: Person, situation: str, extra_traps: Sequence[str] = ()
         ) -> dict[str, object]:
    return {"language": lang, "text": text, "intent": intent, "urgency": urgency,
            "red_flag": red_flag, "traps": sorted({*built.traps, *extra_traps}),
            "style": built.style, "role": person.role, "register": built.register,
            "situation": situation}


def generate(seed: int = 11, per_category: int = 400, scale: float = 1.0
             ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = random.Random(seed)
    out: dict[str, list[dict[str, object]]] = {"train": [], "dev": []}

    def add(split: str, row: dict[str, object]) -> None:
        out[split].append(row)

    for split, share in (("train", 1.0), ("dev", 0.15)):
        n_em = max(4, int(per_category * share * scale))
        for category, by_lang in PICTURES.items():
            for lang, first in by_lang.items():
                pictures = first + EXTRA_PICTURES.get(category, {}).get(lang, [])
                for _ in range(n_em // 2):
                    picture = rng.choice(pictures)
                    person = _person(lang, category, rng)
                    if category in _PARENT_ONLY:  # "mon bébé de six semaines...": no lead
                        person = Person("parent", "", "il" if lang == "fr" else "he", False)
                    clause, key = _picture_clause(picture, rng, split)
                    clause = _numbers(conjugate(clause, lang, person), rng, lang)
                    built = frame(clause, lang, person, rng)
                    add(split, _row(lang, built.text, "symptom_report", "emergency", category,
                                    built, person, f"pic:{category}:{key}"))
        n_trap = max(2, int(30 * share * scale))
        for lang in ("fr", "en"):
            # Near misses: one concept of two, or the mild form: urgent / routine.
            for category, pairs in NEAR_MISSES[lang].items():
                for urgency, clause in pairs:
                    if split == "train" and _is_dev(clause):
                        continue
                    if split == "dev" and not _is_dev(clause):
                        continue
                    for _ in range(n_trap * 2):
                        person = _person(lang, category if category != "infant_fever"
                                         else None, rng)
                        if "{y}" in clause or clause.startswith(("mon ", "my ")):
                            person = Person("parent", "", "il" if lang == "fr" else "he",
                                            False)
                        core = _numbers(conjugate(clause, lang, person), rng, lang)
                        built = frame(core, lang, person, rng)
                        add(split, _row(lang, built.text, "symptom_report", urgency, None,
                                        built, person, f"near:{category}:{clause[:16]}",
                                        ["near_miss"]))
            # Negation, past history and idioms, each followed by a routine request.
            for trap, clauses in (("negation", NEGATIONS[lang]), ("history", HISTORY[lang]),
                                  ("idiom", IDIOMS[lang])):
                for clause in clauses:
                    if (split == "dev") != _is_dev(clause):
                        continue
                    for _ in range(n_trap):
                        person = rng.choice(PEOPLE[lang])
                        intent, fr_req, en_req = rng.choice(REQUESTS)
                        request = rng.choice(fr_req if lang == "fr" else en_req)
                        core = conjugate(clause, lang, person)
                        core = f"{core}, {request}" if rng.random() < 0.6 else \
                            f"{request}, {core}"
                        built = frame(core, lang, person, rng, allow_past=False)
                        add(split, _row(lang, built.text, intent, "routine", None, built,
                                        person, f"{trap}:{clause[:16]}", [trap]))
            # Per-category traps: the red flag negated, past, someone else's, an idiom.
            for category, traps in CATEGORY_TRAPS[lang].items():
                for trap, clause in traps:
                    if (split == "dev") != _is_dev(clause):
                        continue
                    for _ in range(n_trap):
                        person = _person(lang, None, rng)
                        intent, fr_req, en_req = rng.choice(REQUESTS)
                        request = rng.choice(fr_req if lang == "fr" else en_req)
                        core = conjugate(clause, lang, person)
                        core = core if trap == "routine" and rng.random() < 0.5 else (
                            f"{core}, {request}" if rng.random() < 0.6 else f"{request}, {core}")
                        built = frame(core, lang, person, rng, allow_past=False)
                        add(split, _row(lang, built.text, intent, "routine", None, built,
                                        person, f"ctrap:{category}:{clause[:16]}",
                                        [trap if trap != "routine" else "near_miss"]))
            # Short answers to the agent's questions, heard clean or garbled.
            for answer in SHORT_ANSWERS[lang]:
                if (split == "dev") != _is_dev(answer):
                    continue
                for _ in range(max(2, n_trap // 3)):
                    me = PEOPLE[lang][0]
                    noisy = asr_noise(answer, lang, rng, level=rng.choice((0.0, 1.0, 2.0)))
                    if rng.random() < 0.4:
                        noisy = garble(noisy, rng)
                    built = Built(noisy or answer, "asr", "lay", ["asr", "fragment"])
                    add(split, _row(lang, built.text, None, "routine", None, built, me,
                                    f"answer:{answer[:16]}"))
            # Plain routine requests, and garbled fragments of routine talk.
            for intent, fr_req, en_req in REQUESTS:
                for request in (fr_req if lang == "fr" else en_req):
                    if (split == "dev") != _is_dev(request):
                        continue
                    for _ in range(n_trap):
                        person = rng.choice(PEOPLE[lang])
                        built = frame(request, lang, person, rng, allow_downplay=False,
                                      allow_past=False)
                        add(split, _row(lang, built.text, intent, "routine", None, built,
                                        person, f"req:{request[:16]}"))
            for fragment in GARBLED[lang]:
                if (split == "dev") != _is_dev(fragment):
                    continue
                for _ in range(max(2, n_trap // 2)):
                    me = PEOPLE[lang][0]
                    noisy = asr_noise(fragment, lang, rng, level=rng.choice((1.0, 2.0, 3.0)))
                    if rng.random() < 0.5:
                        noisy = garble(noisy, rng)
                    built = Built(noisy, "asr", "lay", ["asr", "fragment"])
                    add(split, _row(lang, noisy, None, "routine", None, built, me,
                                    f"frag:{fragment[:16]}"))
    return unique_splits(out, rng, "cmp")


def unique_splits(out: dict[str, list[dict[str, object]]], rng: random.Random, prefix: str
                  ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The train and dev rows with each text once (the first split to write it keeps it, so
    no dev text is also a training text), shuffled and numbered ``<prefix>-<split>-NNNNN``."""
    seen: set[str] = set()
    for split in ("train", "dev"):
        unique = []
        for row in out[split]:
            if row["text"] in seen:
                continue
            seen.add(str(row["text"]))
            unique.append(row)
        rng.shuffle(unique)
        for i, row in enumerate(unique):
            row["id"] = f"{prefix}-{split}-{i:05d}"
        out[split] = unique
    return out["train"], out["dev"]


def write(out: Path, seed: int = 11, scale: float = 1.0) -> tuple[Path, Path]:
    train, dev = generate(seed, scale=scale)
    return write_splits(out, {"compose_train": train, "compose_dev": dev})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies the number of items of every kind")
    parser.add_argument("--out", type=Path, default=Path("models/corpus"))
    args = parser.parse_args()
    for p in write(args.out, args.seed, args.scale):
        print(p, sum(1 for _ in p.open(encoding="utf-8")))


if __name__ == "__main__":
    main()
