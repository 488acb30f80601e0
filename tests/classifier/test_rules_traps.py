"""Routine calls whose words look like a red flag stay routine; the true emergency with the
same words stays caught (issue 13, t-rules, session 5: false alarms).

Written by hand from how people speak: hypotheticals ("et si jamais..."), stories seen on TV
or read, idioms ("j'étouffe sous le travail"), a treatment or a phone that "ne répond pas",
sleep apnoea pauses, bruises, doses in milligrams, a strained muscle. None was copied from an
evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from tests.triage_checks import assert_not_raised, assert_raised

ROUTINE: tuple[str, ...] = (
    # Hypotheticals.
    "Et si jamais il a de la fièvre ce soir, je fais quoi ?",
    "What should I do if she can't breathe properly tonight? She's fine now, it's for advice.",
    "Au cas où il referait une crise d'asthme, est-ce que je donne la Ventoline ?",
    "Just in case of an allergic reaction with swelling, should she carry two pens?",
    # A story seen, read or heard, not the caller's state.
    "I saw a programme on TV about strokes, face drooping and all that, can I book a check-up?",
    "My son watched a documentary about meningitis and is worried, he has no fever and no rash.",
    "J'ai vu un reportage sur l'infarctus, je voudrais faire un bilan cardiaque.",
    # Idioms.
    "J'étouffe sous le travail, je voudrais parler au docteur de mon stress.",
    "Elle s'est effondrée en larmes au travail, elle voudrait voir le docteur pour un arrêt.",
    "He collapsed on the sofa after the match, exhausted, can I book his annual check-up?",
    "I fell on the floor laughing, anyway can I move my appointment?",
    # "Ne répond pas" to a treatment, a phone, a message.
    "Ma mère ne répond pas au traitement, son eczéma ne passe pas.",
    "Mon asthme ne répond pas bien au traitement de fond, je voudrais un rendez-vous.",
    "Ma fille ne répond pas au téléphone, c'est pour décaler son rendez-vous.",
    "My husband's cough isn't responding to the antibiotics, can he be seen this week?",
    "She's not answering her phone, I'm calling to move her appointment.",
    # Sleep apnoea is no respiratory arrest; a bruise is no cyanosis.
    "He has sleep apnoea, he stops breathing at night, can we get the sleep study results?",
    "Il arrête de respirer la nuit quand il dort, on voudrait un rendez-vous pour l'apnée.",
    "Il est tout bleu de partout après sa chute de vélo, des bleus sur les jambes.",
    # A dose in milligrams is a prescription.
    "I took 30 mg of mirtazapine last night as prescribed, can I get a repeat?",
    "I'm taking 20 mg of citalopram and I'd like to increase the dose.",
    # The recognizer's "inconsciente" is not the caller's "incontinente".
    "Ma mère est incontinente depuis des années, il faudrait une ordonnance de protections.",
    # Long ago, said the way people say it, and paperwork about a past stay (lead, session 5).
    "J'ai eu un AVC il y a longtemps, je voudrais un rendez-vous pour mon bilan annuel.",
    "À l'époque j'ai fait un infarctus, maintenant je vais bien, c'est pour le renouvellement.",
    "Back in 2019 I had a heart attack, I'm fine now and I need my prescription renewed.",
    "Je voudrais le compte rendu d'hospitalisation pour l'AVC de mon père.",
    "Could I have a copy of my discharge letter from the heart attack for my insurer?",
)

# The same words where the picture is there: still an emergency.
STILL_EMERGENCY: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.CONSCIOUSNESS, "Ma mère ne répond pas quand je lui parle, elle est par terre."),
    (RedFlag.CONSCIOUSNESS, "He's not responding, he's on the floor."),
    (RedFlag.BREATHING, "Il a arrêté de respirer, il est tout bleu."),
    (RedFlag.BREATHING, "He stopped breathing and his lips are blue."),
    (RedFlag.POISONING, "She took 30 tablets of her sleeping pills an hour ago."),
    (RedFlag.POISONING, "Il a avalé toute la boîte de Lexomil."),
    (RedFlag.BREATHING, "J'étouffe, je n'arrive plus à respirer."),
    (RedFlag.CONSCIOUSNESS, "She collapsed in the street and isn't responding."),
    (RedFlag.STROKE,
     "Sa bouche est de travers et il n'arrive plus à lever le bras depuis une heure."),
    (RedFlag.STROKE,
     "Il a fait un AVC il y a longtemps et là il a la bouche de travers depuis ce matin."),
    (RedFlag.CHEST_PAIN, "He's back in hospital with crushing chest pain."),
    (RedFlag.CHEST_PAIN, "He was discharged last week and now he has crushing chest pain."),
    (RedFlag.SEIZURE,
     "À l'époque il a fait une crise d'épilepsie, là il convulse depuis dix minutes."),
)


@pytest.mark.parametrize("text", ROUTINE)
def test_trap_is_not_an_emergency(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


@pytest.mark.parametrize(("flag", "text"), STILL_EMERGENCY)
def test_true_emergency_with_the_same_words_stays_caught(rules: Classifier, flag: RedFlag,
                                                         text: str) -> None:
    assert_raised(rules, flag, text)


# An episode told as over and benign: asked (is it there now?), not raised.
RESOLVED_ASKED: tuple[str, ...] = (
    "La semaine dernière j'ai eu une douleur dans la poitrine, le cardiologue a dit que "
    "c'était rien, je voudrais le compte rendu.",
    "I had crushing chest pain at the gym last month, all the tests came back normal, can I "
    "get a copy of the ECG?",
    "Samedi j'ai fait un gros malaise avec perte de connaissance aux urgences, tous les "
    "examens étaient normaux, depuis je vais bien.",
    "My son had trouble breathing at the weekend, it was just a panic attack, he's fine now.",
    # Endings in the caller's own words (session 10: dev_v3 false alarms).
    "En mars mon père a eu une grosse douleur dans la poitrine, on lui a posé un stent, il "
    "s'est bien remis, c'est pour le renouvellement de son traitement.",
    "L'hiver dernier j'ai fait une crise d'asthme terrible, je n'arrivais plus à respirer, "
    "je n'en ai plus jamais eu depuis, je voudrais juste ma Ventoline.",
    "Ma fille a fait une crise d'épilepsie à l'école en mai, depuis elle va très bien, aucune "
    "récidive, le neurologue veut un suivi.",
    "My daughter had a seizure at school in May, she's been fine ever since, the consultant "
    "wants her reviewed so we can talk about swimming again.",
    "Two years ago my dad had crushing chest pain and ended up with a stent, he's made a good "
    "recovery, no symptoms since, and he wonders whether he still needs the statin.",
    "Last winter I had an asthma attack and couldn't breathe, it never happened again, I'm "
    "calling for my inhaler prescription.",
)

# The same endings where something current follows, or where the reference escalates even
# after the episode ended (TIA, anaphylaxis, ingestion): still an emergency.
RESOLVED_STILL_EMERGENCY: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.CHEST_PAIN,
     "J'ai eu une douleur dans la poitrine hier, c'était rien d'après SOS Médecins, mais là "
     "j'ai de nouveau mal à la poitrine."),
    (RedFlag.CHEST_PAIN,
     "He had chest pain last week, it was nothing, but this morning the chest pain is back "
     "and he's sweating."),
    (RedFlag.STROKE,
     "Ce matin sa bouche était de travers et il n'arrivait plus à parler, depuis ça va, il va "
     "bien maintenant."),
    (RedFlag.STROKE,
     "She suddenly lost the vision in one eye for ten minutes, she's fine now."),
    (RedFlag.ANAPHYLAXIS,
     "Après une piqûre de guêpe ses lèvres ont gonflé, on a fait l'adrénaline, il va bien "
     "maintenant."),
    (RedFlag.CONSCIOUSNESS,
     "Il est tombé d'un coup il répond plus, tout s'est passé si vite."),
    (RedFlag.BREATHING,
     "He can't breathe, his lips are blue, I hope it's nothing serious."),
    (RedFlag.BREATHING,
     "Il n'arrive plus à respirer, j'espère que c'est rien de grave."),
    # A weak cue ("encore", "still") with a symptom said after the ending.
    (RedFlag.SEIZURE,
     "Il a fait une crise d'épilepsie la semaine dernière, depuis il va bien, mais là il "
     "convulse encore."),
    (RedFlag.SEIZURE,
     "She had a seizure last week, she's been fine since, but she's fitting again."),
    (RedFlag.CHEST_PAIN,
     "I had chest pain yesterday, it was nothing, but I still have pain in my chest."),
    (RedFlag.CHEST_PAIN,
     "Hier j'ai eu mal à la poitrine, ce n'était rien, mais j'ai encore une douleur dans la "
     "poitrine qui serre."),
)


@pytest.mark.parametrize("text", RESOLVED_ASKED)
def test_resolved_episode_is_asked_not_raised(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


def test_resolved_picture_becomes_the_agents_question(rules: Classifier) -> None:
    c = rules.classify("Samedi il a fait un malaise, il ne répondait plus, tous les examens "
                       "étaient normaux.")
    assert c.urgency is Urgency.URGENT
    assert [h.source for h in c.suspected] == ["consciousness.unresponsive+resolved"]


def test_a_recovered_picture_with_no_date_is_still_asked(rules: Classifier) -> None:
    # No date frames the story: only its ending ("haven't had a twinge") says it is over.
    c = rules.classify("I was getting chest pains walking up hills and they put in a stent. "
                       "Since then I haven't had a twinge, can I book my review?")
    assert c.urgency is Urgency.URGENT
    assert [h.source for h in c.suspected] == ["chest_pain.pain_chest+resolved"]


@pytest.mark.parametrize(("flag", "text"), RESOLVED_STILL_EMERGENCY)
def test_resolution_does_not_lower_a_current_or_kept_picture(rules: Classifier, flag: RedFlag,
                                                             text: str) -> None:
    assert_raised(rules, flag, text)


# Chronic patterns with the benign cause the caller names, and everyday words the reader
# collapses ("trop vite", "très mal au dos") or the fuzzy matcher stretches ("saigne encore").
CHRONIC_ROUTINE: tuple[str, ...] = (
    "Quand je fais mes crises d'angoisse j'ai mal à la poitrine et j'ai l'impression "
    "d'étouffer, ça dure depuis des mois, je voudrais en parler au médecin.",
    "Every time I have a panic attack I get chest tightness and feel like I can't breathe. "
    "It's been going on for months. Can I get a referral for therapy?",
    "I've had reflux for years, burning in my chest after meals, can I get more omeprazole?",
    "J'ai des brûlures dans la poitrine après les repas, c'est mon reflux, je voudrais un "
    "renouvellement de mon IPP.",
    "J'ai souvent des vertiges quand je me lève trop vite, ma tension est basse, c'est mon "
    "terrain.",
    "Ma femme a accouché il y a deux semaines, elle saigne encore un peu, c'est normal ?",
)

CHRONIC_STILL_EMERGENCY: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.CHEST_PAIN,
     "J'ai du reflux depuis des années mais là d'un coup j'ai une douleur énorme dans la "
     "poitrine qui part dans le bras."),
    (RedFlag.CHEST_PAIN,
     "He's had reflux for years, but this morning the chest pain is crushing and he's grey "
     "and sweaty."),
    (RedFlag.BREATHING,
     "Elle fait des crises d'angoisse depuis des mois, mais là ses lèvres sont bleues et elle "
     "n'arrive plus à respirer."),
    (RedFlag.CONSCIOUSNESS, "Venez vite vite il répond plus."),
    (RedFlag.BLEEDING, "Elle a accouché hier et elle saigne énormément, elle est toute pâle."),
)


@pytest.mark.parametrize("text", CHRONIC_ROUTINE)
def test_chronic_benign_pattern_is_not_an_emergency(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


@pytest.mark.parametrize(("flag", "text"), CHRONIC_STILL_EMERGENCY)
def test_new_or_sudden_picture_on_a_chronic_background_stays_caught(
        rules: Classifier, flag: RedFlag, text: str) -> None:
    assert_raised(rules, flag, text)


def test_chronic_benign_chest_pain_is_still_asked(rules: Classifier) -> None:
    """A heart attack can feel like indigestion (NHS111): lowered to the question, never
    to routine."""
    c = rules.classify("I've had reflux for years, burning in my chest after meals.")
    assert c.urgency is Urgency.URGENT
    assert any(h.source.endswith("+chronic") for h in c.suspected)
