"""Long first-person accounts for the training corpus (issue 13): routine stories that name
serious illnesses, and emergencies told the same way.

    python -m classifier.corpus.narratives --seed 17 --out models/corpus

Writes ``compose_narrative_train.jsonl`` and ``compose_narrative_dev.jsonl`` (LABELS.md format
plus ``traps``, ``style``, ``role``, ``register``, ``situation``).

Why: the heads learnt that a long message full of illness words is an emergency. The
compositional generator's items are a sentence or two, and its routine traps are one clause
("il a fait un infarctus il y a cinq ans") plus a request; nothing in it reads like a forum post
or a caller's long message, where a stroke two years ago, the treatment since, a mild cold
today and a renewal come in one breath. On the frozen dev_v3 the heads raised most of the
routine false alarms (13.1 % with them, 5.7 % rules alone), routine testimonies worst.

What is generated, per language:
- routine: a resolved past illness told as a story; a stable chronic illness; a worried-well
  caller listing mild symptoms with what is reassuring; a relative's story; administrative
  requests that name serious diseases or drugs; idioms inside a long message;
- emergency: the same stories, where one clause (a red-flag picture of `concepts.PICTURES`,
  happening now) comes late, often downplayed, sometimes followed by a routine request.

Written from how people tell their health on the phone and in forums, not from any set
(nothing from ../shared/external/, dev_v2 or dev_v3). The dev split holds out ~1 clause in 5 of
every slot (the same hash as `compose.py`): each dev item uses at least one clause no training
item uses, so ``compose_narrative_dev`` measures unseen wording of the same stories.
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Sequence
from pathlib import Path

from classifier.corpus.compose import (
    PEOPLE,
    Person,
    _is_dev,
    _numbers,
    _person,
    _picture_clause,
    asr_noise,
    conjugate,
    unique_splits,
)
from classifier.corpus.concepts import PICTURES
from classifier.corpus.generate import write_splits
from classifier.corpus.pictures import EXTRA_PICTURES

# Tokens as in `concepts.py`, plus ``{e}``: the feminine ending of a French participle
# ("hospitalisé{e}"), filled from the person before conjugation.

OPENERS = {
    "fr": ["Bonjour à tous,", "Bonjour docteur,", "Bonjour, je me permets de vous écrire.",
           "Bonsoir, je laisse un message.", "Allô, oui bonjour, alors je vous explique.",
           "Bonjour, je vous raconte un peu mon histoire.", "Bonjour, voilà,",
           "Oui bonjour, c'est un peu long, excusez-moi.", "Bonjour, je suis une patiente "
           "du docteur, enfin bref.", "Bonjour, je vous écris de la part de la famille."],
    "en": ["Hi everyone,", "Hello doctor,", "Hi, I hope it's okay to write here.",
           "Hello, I'm leaving a message.", "Hi, yes, so let me explain.",
           "Hello, a bit of background first.", "Hi, okay so,",
           "Hello, sorry this is a long one.", "Hi, I'm one of the doctor's patients, anyway.",
           "Hello, I'm writing on behalf of the family."],
}
CLOSERS = {
    "fr": ["Merci d'avance.", "Merci, bonne journée.", "Voilà, merci de me rappeler.",
           "Merci pour votre aide.", "", "Bonne soirée et merci.", "Voilà voilà.",
           "Je vous remercie."],
    "en": ["Thanks in advance.", "Thanks, have a good day.", "That's it, please call me back.",
           "Thanks for your help.", "", "Cheers.", "Anyway, that's all.", "Thank you."],
}
LEADS = {
    "fr": ["C'est pour {p}.", "Je vous appelle pour {p}.", "Je vous écris au sujet de {p}.",
           "Alors c'est {p}, je vous explique."],
    "en": ["It's about {p}.", "I'm calling about {p}.", "I'm writing about {p}.",
           "So it's {p}, let me explain."],
}

# A past illness, told as history (the protocol and the heads must not read it as now).
HISTORY = {
    "fr": ["il y a deux ans {a} fait un AVC", "en 2019 {a} fait un infarctus et on {me} a "
           "posé deux stents", "l'an dernier {a} fait une embolie pulmonaire",
           "il y a quelques années {a} eu un cancer du sein, {est} opéré{e} et traité{e}",
           "cet hiver {a} fait une grosse crise d'asthme et {sest} retrouvé{e} aux urgences",
           "petit{e}, {a} fait des convulsions avec la fièvre",
           "{a} eu une méningite à vingt ans, trois semaines d'hôpital",
           "il y a longtemps {a} fait un choc anaphylactique aux cacahuètes",
           "il y a trois ans {a} traversé une grosse dépression, avec des idées noires à "
           "l'époque", "en mars {a} eu une appendicite, opéré{e} en urgence",
           "il y a deux ans {a} eu une septicémie après une infection urinaire",
           "on {me} a découvert un diabète à douze ans, avec une acidocétose à l'époque",
           "en janvier {a} fait un malaise au travail et on {me} a fait tous les examens",
           "il y a cinq ans {a} eu un accident de voiture avec un traumatisme crânien",
           "{a} fait une hémorragie digestive il y a deux ans à cause d'un ulcère",
           "l'été dernier {a} fait une phlébite à la jambe",
           "{a} été hospitalisé{e} pour une pneumonie à la Toussaint",
           "il y a six mois {a} fait une fausse couche",
           "{a} avalé trop de cachets une fois à dix-sept ans, c'est loin tout ça",
           "l'année dernière {a} eu des calculs rénaux, une douleur atroce à l'époque"],
    "en": ["two years ago {had} a stroke", "back in 2019 {had} a heart attack and they put "
           "in two stents", "last year {had} a blood clot on the lung",
           "a few years ago {had} breast cancer, surgery and chemo",
           "this winter {had} a bad asthma attack and ended up in A&E",
           "as a child {had} fits with high temperatures",
           "{had} meningitis at twenty, three weeks in hospital",
           "years ago {had} an anaphylactic reaction to peanuts",
           "three years ago {had} a bad depression, with dark thoughts back then",
           "in March {had} appendicitis and had emergency surgery",
           "two years ago {had} sepsis after a kidney infection",
           "{was} diagnosed with type 1 diabetes at twelve, in DKA at the time",
           "in January {S} collapsed at work and they ran every test going",
           "five years ago {had} a car crash with a head injury",
           "two years ago {had} a stomach bleed from an ulcer",
           "last summer {had} a DVT in the leg",
           "{was} in hospital with pneumonia in the autumn",
           "six months ago {had} a miscarriage",
           "{S} took an overdose once at seventeen, that's a long time ago",
           "last year {had} kidney stones, the pain was awful back then"],
}
# What happened since: it is over, or stable.
SINCE = {
    "fr": ["depuis ça va, {est} suivi{e} par le spécialiste tous les six mois",
           "depuis plus rien, {a} tout récupéré",
           "aujourd'hui ça va très bien, {a} repris le travail",
           "tout est rentré dans l'ordre, les derniers contrôles étaient bons",
           "depuis, avec le traitement, il n'y a plus eu de souci",
           "on {me} a dit que c'était guéri",
           "ça va bien maintenant, il reste juste un peu de fatigue le soir",
           "c'est stable depuis, rien de nouveau", "ça fait deux ans qu'il n'y a plus rien eu",
           "le cardiologue est content aux contrôles", "{a} repris une vie normale, le sport, "
           "tout", "honnêtement on n'y pense plus"],
    "en": ["since then it's been fine, the specialist sees {him} every six months",
           "nothing since, full recovery", "these days {is} doing really well, back at work",
           "everything settled down, the last check-ups were good",
           "with the tablets every day there's been no trouble since",
           "they said it's all cleared up", "fine now, just a bit tired in the evenings",
           "it's been stable ever since, nothing new", "not a thing in two years",
           "the cardiologist is happy at the check-ups", "back to normal life, sport and "
           "everything", "honestly we don't even think about it anymore"],
}
# A chronic illness, stable: serious names, nothing happening now.
CHRONIC = {
    "fr": ["{est} diabétique depuis quinze ans et la glycémie tourne autour de 1,20 le matin",
           "{est} asthmatique depuis l'enfance, la ventoline une ou deux fois par semaine "
           "pas plus", "{est} sous anticoagulant pour une arythmie et tout est stable",
           "{a} de la tension, bien équilibrée avec le traitement",
           "{est} épileptique mais plus aucune crise depuis quatre ans avec le traitement",
           "{a} une BPCO, {s} est essoufflé{e} dans les escaliers comme toujours, rien de "
           "changé", "{a} de l'arthrose aux genoux, ça tire un peu quand il fait froid",
           "{a} des migraines depuis l'adolescence, toujours les mêmes, le traitement marche",
           "{a} une insuffisance cardiaque stable, le poids ne bouge pas",
           "{est} suivi{e} pour une dépression et ça va beaucoup mieux avec le traitement",
           "{a} une maladie de Crohn calme depuis l'an dernier",
           "{a} une allergie aux guêpes connue, le stylo d'adrénaline est toujours dans le sac"],
    "en": ["{has} been diabetic for fifteen years and the sugars sit around six in the morning",
           "{has} had asthma since childhood, the blue inhaler once or twice a week, no more",
           "{is} on blood thinners for an irregular heartbeat and it's all stable",
           "{has} high blood pressure, well controlled on the tablets",
           "{has} epilepsy but no seizure in four years on the medication",
           "{has} COPD, gets puffed on the stairs like always, nothing different",
           "{has} arthritis in the knees, aches a bit in the cold",
           "{has} had migraines since school, always the same, the tablets work",
           "{has} stable heart failure, the weight isn't changing",
           "{is} being treated for depression and it's much better on the medication",
           "{has} Crohn's, quiet since last year",
           "{has} a known wasp allergy, the EpiPen is always in the bag"],
}
# Mild symptoms a worried-well caller lists, and what reassures.
MILD = {
    "fr": ["depuis trois jours {a} le nez qui coule et un peu mal à la gorge",
           "{a} une petite toux sèche surtout le soir", "{a} eu 37,8 hier soir et ce matin "
           "plus rien", "{a} un peu mal au dos après le jardinage",
           "{a} une petite plaque rouge qui gratte sur le bras, elle s'efface quand on appuie",
           "{a} des aphtes depuis une semaine", "{a} mal à la tête en fin de journée devant "
           "l'écran, comme d'habitude",
           "les nuits sont mauvaises en ce moment, le travail sans doute",
           "{a} des brûlures d'estomac après les repas", "{a} le genou un peu gonflé après "
           "le foot mais {s} marche normalement", "{a} les yeux qui piquent avec le pollen",
           "{a} un peu la diarrhée depuis hier", "{a} un bouton de fièvre sur la lèvre",
           "{a} des fourmis dans les doigts le matin, ça passe en bougeant",
           "{a} un peu le vertige quand {s} se lève trop vite"],
    "en": ["for three days {has} had a runny nose and a bit of a sore throat",
           "{has} a tickly dry cough, mostly at night", "{S} had 37.8 last night and "
           "nothing this morning", "{has} a bit of back ache after gardening",
           "{has} a small itchy red patch on the arm, it fades when you press it",
           "{has} had mouth ulcers for a week", "{has} a headache at the end of the day "
           "at the screen, the usual", "sleep's been poor lately, work probably",
           "{has} heartburn after meals", "{his} knee is a bit swollen after football "
           "but walking is fine", "{his} eyes are itchy with the pollen",
           "{has} had a bit of diarrhoea since yesterday", "{has} a cold sore on the lip",
           "{has} pins and needles in the fingers in the morning, it goes when moving",
           "{has} a bit of dizziness standing up too fast"],
}
REASSURE = {
    "fr": ["pas de souci pour manger ni pour boire", "pas de fièvre", "{s} respire très bien",
           "rien de grave je pense", "je préfère demander", "j'ai lu des choses sur internet "
           "et ça m'a fait peur", "à part ça tout va bien", "je ne m'inquiète pas plus "
           "que ça", "je ne veux pas encombrer les urgences pour ça"],
    "en": ["eating and drinking fine", "no temperature", "breathing absolutely fine",
           "nothing serious I think", "I'd rather ask", "I read things online and it "
           "scared me", "otherwise all good", "not really worried", "I don't want to "
           "clog up A&E with this"],
}
# What the caller wants: routine requests, many naming a serious illness or drug.
REQUESTS: list[tuple[str, list[str], list[str]]] = [
    ("prescription_renewal",
     ["c'est pour renouveler le Kardégic et le bisoprolol", "il faudrait refaire "
      "l'ordonnance d'insuline et des bandelettes", "il n'y a plus de Xarelto, il faut "
      "renouveler l'ordonnance", "il faut un nouveau stylo d'adrénaline, celui-ci est périmé",
      "c'est pour le renouvellement de la ventoline et du traitement de fond",
      "il faudrait renouveler la Dépakine", "je voudrais renouveler les antidépresseurs"],
     ["it's to renew the aspirin and the bisoprolol", "I need the insulin and test strips "
      "prescription redone", "we've run out of apixaban, can the prescription be renewed",
      "I need a new EpiPen, this one's expired", "it's for a repeat of the inhaler and the "
      "preventer", "I need the epilepsy tablets renewed", "I'd like my antidepressants "
      "renewed"]),
    ("administrative",
     ["il faut un certificat pour l'assurance du prêt avec les antécédents de cancer",
      "c'est pour le dossier MDPH, il faut le formulaire rempli par le médecin",
      "je voudrais une copie du compte rendu d'hospitalisation pour l'AVC",
      "il faudrait un certificat de reprise du sport", "c'est pour la demande d'ALD pour "
      "le diabète", "il me faut un arrêt de travail prolongé d'une semaine"],
     ["I need a letter for the mortgage insurance about the cancer history",
      "it's for the disability form, the doctor has to fill it in",
      "I'd like a copy of the discharge summary from the stroke",
      "I need a fitness-to-play certificate", "it's for the long-term condition paperwork",
      "I need my sick note extended by a week"]),
    ("test_results",
     ["je voulais savoir si les résultats du scanner de contrôle sont arrivés",
      "c'est pour les résultats de l'hémoglobine glyquée et de la thyroïde",
      "j'attends le compte rendu de l'IRM cérébrale de contrôle",
      "est-ce que la prise de sang de la semaine dernière est revenue"],
     ["I wanted to know if the follow-up scan results are back",
      "it's for the HbA1c and thyroid results", "I'm waiting on the report from the "
      "follow-up brain MRI", "has last week's blood test come back"]),
    ("appointment_booking",
     ["je voudrais un rendez-vous de suivi avec le docteur, rien d'urgent",
      "il faudrait prévoir la consultation annuelle", "est-ce que le docteur peut me voir "
      "dans les semaines qui viennent"],
     ["I'd like a routine follow-up with the doctor, nothing urgent",
      "I need to book the annual review", "could the doctor see me in the next few weeks"]),
    ("appointment_change",
     ["je dois décaler le rendez-vous de contrôle de jeudi", "il faut annuler le "
      "rendez-vous de la semaine prochaine, on sera partis"],
     ["I need to move Thursday's check-up", "I have to cancel next week's appointment, "
      "we'll be away"]),
    ("symptom_report",
     ["je voulais juste savoir si c'est normal ou s'il faut prendre rendez-vous",
      "est-ce que je dois m'inquiéter", "vous pensez que je peux attendre le prochain "
      "rendez-vous"],
     ["I just wanted to know if that's normal or if I should book in",
      "should I be worried", "do you think it can wait until my next appointment"]),
]
# Idioms inside a long message: a body part or death named, nothing urgent meant.
IDIOMS = {
    "fr": ["ces papiers d'assurance me tuent", "j'ai cru mourir de honte au guichet",
           "{a} mal au cœur en voiture comme toujours", "ça me brise le cœur de l'embêter",
           "{est} mort{e} de fatigue avec le déménagement", "j'en ai par-dessus la tête de "
           "cette mutuelle", "le patron va me tuer si je rate encore une matinée"],
    "en": ["this insurance paperwork is killing me", "I nearly died of embarrassment at the "
           "desk", "car sickness as always on the way", "it breaks my heart to bother him",
           "{is} dead on {his} feet with the move", "I'm sick to death of this insurer",
           "my boss will kill me if I miss another morning"],
}
# How an emergency comes in a long story: late, said as if it could wait.
TURN = {
    "fr": ["mais", "et puis", "sauf que", "bon, par contre", "enfin, le truc c'est que",
           "et là", "seulement"],
    "en": ["but", "and then", "except", "anyway, the thing is", "only", "and now"],
}
NOW = {
    "fr": ["depuis ce matin", "depuis une heure", "depuis tout à l'heure", "ce soir",
           "depuis le déjeuner", "cette nuit, et ça continue", "là maintenant"],
    "en": ["since this morning", "for the last hour", "since earlier on", "tonight",
           "since lunch", "overnight, and it's still going", "right now"],
}
DOWNPLAY = {
    "fr": ["c'est sûrement rien", "je ne veux pas vous déranger pour rien",
           "je pense que ça va passer", "je préfère attendre lundi si possible",
           "{s} dit que c'est le stress", "je dramatise peut-être", "pas la peine d'appeler "
           "le 15 je pense"],
    "en": ["it's probably nothing", "I don't want to waste anyone's time",
           "I think it'll pass", "I'd rather wait until Monday if possible",
           "{says} it's just stress", "maybe I'm overreacting", "no need for an ambulance "
           "I think"],
}


def _fill(clause: str, lang: str, person: Person) -> str:
    clause = clause.replace("{e}", "e" if person.female else "")
    return re.sub(r"\bme a\b", "m'a", conjugate(clause, lang, person))


def _pick(options: Sequence[str], rng: random.Random, split: str, force_dev: bool) -> str:
    """Train reads only training clauses; a dev item takes its forced slot from the held-out
    ~1 in 5 and its other slots from anywhere (as `compose._pick`)."""
    if split == "train":
        pool = [o for o in options if not _is_dev(o)]
    elif force_dev:
        pool = [o for o in options if _is_dev(o)]
    else:
        pool = list(options)
    return rng.choice(pool or list(options))


def _sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,")
    if not text:
        return ""
    return text[:1].upper() + text[1:] + ("" if text[-1] in ".?!" else ".")


ROUTINE_KINDS = ("resolved", "chronic", "worried", "relative", "admin", "idiom")
_INTENT_BY_KIND = {"worried": "symptom_report"}


def _slots(kind: str, lang: str) -> list[Sequence[str]]:
    if kind == "resolved":
        return [HISTORY[lang], SINCE[lang]]
    if kind == "chronic":
        return [CHRONIC[lang], MILD[lang]]
    if kind == "worried":
        return [MILD[lang], MILD[lang], REASSURE[lang]]
    if kind == "relative":
        return [HISTORY[lang], SINCE[lang]]
    if kind == "admin":
        return [CHRONIC[lang]]
    return [IDIOMS[lang], HISTORY[lang], SINCE[lang]]


def _story(kind: str, lang: str, person: Person, rng: random.Random, split: str
           ) -> tuple[list[str], str, bool]:
    """The routine part of a story: sentences, a situation key for the split, and whether the
    held-out clause of a dev item is to be the request's (none of the story's slots was)."""
    slots = _slots(kind, lang)
    dev_slot = rng.randrange(len(slots) + 1) if split == "dev" else -1
    sentences: list[str] = []
    keys = [kind]
    for i, slot in enumerate(slots):
        clause = _pick(slot, rng, split, force_dev=i == dev_slot)
        if clause in sentences:
            continue
        keys.append(clause[:14])
        sentences.append(_fill(clause, lang, person))
    if kind in ("resolved", "relative") and rng.random() < 0.4:
        sentences.append(_fill(_pick(CHRONIC[lang], rng, split, False), lang, person))
    return sentences, "|".join(keys), dev_slot == len(slots)


def _request(kind: str, lang: str, rng: random.Random, split: str, force_dev: bool
             ) -> tuple[str, str]:
    wanted = _INTENT_BY_KIND.get(kind)
    options = [r for r in REQUESTS if wanted is None or r[0] == wanted]
    if kind == "admin":
        options = [r for r in options if r[0] != "symptom_report"]
    intent, fr, en = rng.choice(options)
    return intent, _pick(fr if lang == "fr" else en, rng, split, force_dev)


def _people(lang: str, kind: str, rng: random.Random) -> Person:
    if kind == "relative":
        return rng.choice([p for p in PEOPLE[lang] if p.role in ("spouse", "child", "parent")])
    people = PEOPLE[lang]
    return rng.choice([p for p in people if p.role == "self"] * 3 + people)


def _text(parts: Sequence[str], lang: str, rng: random.Random, noise_rate: float
          ) -> tuple[str, str, list[str]]:
    text = " ".join(p for p in parts if p)
    text = re.sub(r"\s+", " ", text).strip()
    if rng.random() < noise_rate:
        return asr_noise(text, lang, rng, level=rng.choice((0.5, 1.0))), "asr", ["asr"]
    return text, "typed", []


def _lead(lang: str, person: Person, rng: random.Random) -> str:
    if person.role == "self" or not person.lead:
        return ""
    return rng.choice(LEADS[lang]).format(p=person.lead)


def routine_item(kind: str, lang: str, rng: random.Random, split: str,
                 noise_rate: float = 0.3) -> dict[str, object]:
    person = _people(lang, kind, rng)
    sentences, key, request_held_out = _story(kind, lang, person, rng, split)
    intent, request = _request(kind, lang, rng, split, force_dev=request_held_out)
    if kind == "admin":  # the request first, the illness as its reason
        sentences = [request, *sentences]
    else:
        sentences.append(request)
    parts = [rng.choice(OPENERS[lang]), _lead(lang, person, rng),
             *(_sentence(s) for s in sentences), rng.choice(CLOSERS[lang])]
    text, style, traps = _text(parts, lang, rng, noise_rate)
    traps += ["long", "history" if kind in ("resolved", "relative") else "near_miss"]
    if person.role != "self":
        traps.append("third_party")
    if kind == "idiom":
        traps.append("idiom")
    return {"language": lang, "text": text, "intent": intent, "urgency": "routine",
            "red_flag": None, "traps": sorted(set(traps)), "style": style,
            "role": person.role, "register": "narrative",
            "situation": f"narr:{kind}:{key}:{request[:12]}"}


def emergency_item(category: str, lang: str, rng: random.Random, split: str,
                   noise_rate: float = 0.3) -> dict[str, object]:
    person = _person(lang, category, rng)
    parent_only = category == "infant_fever"
    if parent_only:  # "mon bébé de six semaines...": the clause names the patient
        person = Person("parent", "", "il" if lang == "fr" else "he", False)
    pictures = PICTURES[category][lang] + EXTRA_PICTURES.get(category, {}).get(lang, [])
    clause, key = _picture_clause(rng.choice(pictures), rng, split)
    clause = _numbers(conjugate(clause, lang, person), rng, lang)
    # Background first: a past illness or a chronic one (the parent of a newborn tells the
    # week instead), then mild things, then the one clause that matters, played down.
    story: list[str] = []
    if not parent_only:
        kind = rng.choice(("resolved", "chronic", "worried"))
        story, _, _ = _story(kind, lang, person, rng, "train" if split == "train" else "any")
    else:
        story = [_fill(_pick(MILD[lang], rng, split, False), lang, PEOPLE[lang][0])]
    rng.shuffle(story)
    story = story[: rng.choice((1, 2, 2, 3))]
    red = f"{rng.choice(TURN[lang])} {rng.choice(NOW[lang])} {clause}"
    tail: list[str] = []
    traps = ["long", "past_narrative"]
    if rng.random() < 0.6:
        tail.append(_fill(rng.choice(DOWNPLAY[lang]), lang, person))
        traps.append("downplay")
    intent = "symptom_report"
    if rng.random() < 0.35:  # the caller even asks for something routine
        _, request = _request("admin", lang, rng, split, False)
        tail.append(request)
    parts = [rng.choice(OPENERS[lang]), _lead(lang, person, rng),
             *(_sentence(s) for s in story), _sentence(red), *(_sentence(s) for s in tail),
             rng.choice(CLOSERS[lang])]
    text, style, noise = _text(parts, lang, rng, noise_rate)
    if person.role != "self":
        traps.append("third_party")
    return {"language": lang, "text": text, "intent": intent, "urgency": "emergency",
            "red_flag": category, "traps": sorted({*traps, *noise}), "style": style,
            "role": person.role, "register": "narrative",
            "situation": f"narr-em:{category}:{key}"}


def generate(seed: int = 17, routine_per_kind: int = 60, emergency_per_category: int = 18
             ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Per language: ``routine_per_kind`` stories of each routine kind and
    ``emergency_per_category`` emergencies of each red flag for train; ~15 % of that for
    dev."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, object]]] = {"train": [], "dev": []}
    for split, share in (("train", 1.0), ("dev", 0.15)):
        for lang in ("fr", "en"):
            for kind in ROUTINE_KINDS:
                for _ in range(max(3, int(routine_per_kind * share))):
                    out[split].append(routine_item(kind, lang, rng, split))
            for category in PICTURES:
                for _ in range(max(3, int(emergency_per_category * share))):
                    out[split].append(emergency_item(category, lang, rng, split))
    return unique_splits(out, rng, "narr")


def write(out: Path, seed: int = 17) -> tuple[Path, Path]:
    train, dev = generate(seed)
    return write_splits(out, {"compose_narrative_train": train,
                              "compose_narrative_dev": dev})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", type=Path, default=Path("models/corpus"))
    args = parser.parse_args()
    for p in write(args.out, args.seed):
        print(p, sum(1 for _ in p.open(encoding="utf-8")))


if __name__ == "__main__":
    main()
