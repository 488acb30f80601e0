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
)


@pytest.mark.parametrize("text", ROUTINE)
def test_trap_is_not_an_emergency(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is not Urgency.EMERGENCY, (text, [h.source for h in c.red_flags])


@pytest.mark.parametrize(("flag", "text"), STILL_EMERGENCY)
def test_true_emergency_with_the_same_words_stays_caught(rules: Classifier, flag: RedFlag,
                                                         text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.EMERGENCY, (text, [h.source for h in c.suspected])
    assert flag in {h.category for h in c.red_flags}, (text, [h.source for h in c.red_flags])
