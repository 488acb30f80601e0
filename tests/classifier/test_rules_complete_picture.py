"""The complete picture of a reference emergency is an emergency, in the clinical register
too; the first clause of a bystander's call raises at once (issue 13, t-rules, session 5).

Written by hand from the references each rule cites (SFMU FRENCH tri 1-2, NHS 111 "call 999"
and "A&E now" dispositions, Manchester Triage discriminators, SAMU regulation guidance, ERC
2021 basic life support) and from how bystanders speak on the phone (no punctuation, "euh",
repetitions, recognizer spellings). None was copied from an evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from tests.triage_checks import assert_not_raised, assert_raised

# Textbook emergencies told as a vignette or by a caller, findings spread over several
# sentences, with measured values and pertinent negatives elsewhere in the text.
COMPLETE: tuple[tuple[RedFlag, str], ...] = (
    # Aortic dissection (FRENCH tri 1): tearing pain, arm-to-arm difference.
    (RedFlag.CHEST_PAIN,
     "Homme de 70 ans, douleur brutale déchirante dans le dos, tension différente entre les "
     "deux bras."),
    (RedFlag.CHEST_PAIN,
     "A 66-year-old man with hypertension. Tearing pain between the shoulder blades that "
     "started an hour ago. No fever, no cough."),
    (RedFlag.CHEST_PAIN,
     "My husband says it's like something ripping in his chest, it came on all of a sudden."),
    (RedFlag.CHEST_PAIN,
     "Patient de 59 ans, douleur thoracique, asymétrie tensionnelle aux deux bras."),
    # Known aneurysm with pain (NHS111 AAA: call 999).
    (RedFlag.ACUTE_ABDOMEN,
     "Mon père a un anévrisme de l'aorte, là il a très mal au ventre et dans le dos."),
    (RedFlag.ACUTE_ABDOMEN,
     "A 77-year-old man known to have an aortic aneurysm now has severe abdominal pain."),
    # Cauda equina (LABELS has no spinal category: raised as the closest neuro deficit).
    (RedFlag.STROKE,
     "A 45-year-old man with back pain presents with numbness between his legs and has not "
     "passed urine since this morning."),
    (RedFlag.STROKE, "Patient de 50 ans, lombalgie, anesthésie en selle et rétention urinaire."),
    (RedFlag.STROKE,
     "I've got bad back pain and now I can't feel when I wipe and I've wet myself."),
    (RedFlag.STROKE,
     "J'ai une sciatique depuis une semaine et ce matin j'arrive plus à uriner, je sens plus "
     "rien entre les jambes."),
    (RedFlag.STROKE,
     "Hernie discale connue, depuis ce soir ses jambes lâchent et il a fait sous lui."),
    # Ectopic pregnancy, lay English: the period "weeks late".
    (RedFlag.OBSTETRIC,
     "I'm six weeks late and I have a sharp pain low down on one side and some bleeding."),
    # Overdose in the clinical register ("presents after taking 30 tablets").
    (RedFlag.POISONING,
     "A 22-year-old woman presents after taking 30 paracetamol tablets two hours ago."),
)

# Textbook emergencies the protocol already raised: kept so none regresses (one per reference).
ALREADY_CAUGHT: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.CHEST_PAIN,
     "Patiente de 72 ans, diabétique, qui se plaint depuis une heure d'une gêne dans la "
     "mâchoire et d'une oppression, elle est en sueurs."),
    (RedFlag.CHEST_PAIN,
     "A 62-year-old man presents with chest tightness at rest that started an hour ago. He "
     "denies cough."),
    (RedFlag.BREATHING,
     "Patiente de 40 ans, opérée du genou il y a 10 jours, essoufflement brutal et douleur "
     "thoracique, mollet gauche gonflé."),
    (RedFlag.STROKE,
     "Patiente de 50 ans, céphalée brutale en coup de tonnerre, la pire de sa vie, avec "
     "vomissements."),
    (RedFlag.STROKE,
     "A 66-year-old woman had a sudden loss of vision in her left eye for ten minutes, like a "
     "curtain coming down, now resolved."),
    (RedFlag.MENINGITIS,
     "Enfant de 4 ans, fièvre à 39,5, taches violacées sur les jambes qui ne s'effacent pas à "
     "la vitropression."),
    (RedFlag.DIABETIC,
     "A 16-year-old with type 1 diabetes presents with vomiting, abdominal pain and rapid deep "
     "breathing. Blood glucose 28 mmol/L."),
    (RedFlag.OBSTETRIC,
     "Patiente de 30 ans, retard de règles de 3 semaines, douleur pelvienne aiguë et "
     "saignements."),
    (RedFlag.ACUTE_ABDOMEN,
     "Patient de 68 ans, arrêt des matières et des gaz depuis 48h, vomissements, ventre "
     "ballonné."),
    (RedFlag.SEPSIS,
     "An 80-year-old woman with a urinary tract infection is now confused, with a temperature "
     "of 39 and a respiratory rate of 28."),
    (RedFlag.BREATHING,
     "Enfant de 5 ans, fièvre, bave, ne peut pas avaler, assis penché en avant, respire fort."),
    (RedFlag.OBSTETRIC,
     "Enceinte de 35 semaines, maux de tête violents, voit des mouches devant les yeux, visage "
     "gonflé."),
)

# The first clause of a bystander's call: conscience and breathing, said as seen.
FIRST_CLAUSE: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.CONSCIOUSNESS, "il est par terre il bouge plus"),
    (RedFlag.CONSCIOUSNESS, "euh allo euh y a quelqu'un par terre dans la rue il bouge pas"),
    (RedFlag.CONSCIOUSNESS, "ma femme elle est par terre elle ne bouge plus du tout"),
    (RedFlag.CONSCIOUSNESS, "je le trouve par terre il est froid"),
    (RedFlag.CONSCIOUSNESS, "je l'ai retrouvée par terre ce matin elle est toute froide"),
    (RedFlag.CONSCIOUSNESS, "il est pas réveillable"),
    (RedFlag.CONSCIOUSNESS, "il répond pa il est par ter"),
    (RedFlag.CONSCIOUSNESS, "il é par terre il repon pa"),
    (RedFlag.CONSCIOUSNESS, "elle est inerte sur le canapé"),
    (RedFlag.CONSCIOUSNESS, "he's on the floor he's not moving"),
    (RedFlag.CONSCIOUSNESS, "i found my dad on the floor he's freezing cold"),
    (RedFlag.CONSCIOUSNESS, "um she's lifeless i can't i can't"),
    (RedFlag.BREATHING, "il a arrêté de respirer"),
    (RedFlag.BREATHING, "he's gone blue"),
    (RedFlag.BREATHING, "il respire bizarrement il répond pas"),
    (RedFlag.BREATHING, "she's breathing funny and she's lying on the floor"),
    (RedFlag.BREATHING, "il est affalé il respire bizarre il fait des bruits"),
)

# Partial evidence: asked (the agent's yes/no question), never routine, never raised.
ASKED: tuple[str, ...] = (
    "elle ne bouge plus",
    "il respire bizarrement",
    "I found him on the floor in the kitchen this morning.",
)

# Words the new rules read, in calls that are routine.
ROUTINE: tuple[str, ...] = (
    "Mon père ne bouge plus beaucoup de chez lui depuis l'hiver, je voudrais une visite.",
    "My dad isn't moving much since his hip operation, can the nurse visit?",
    "Je voudrais décaler, ma voiture elle bouge plus du garage.",
    "Mon fils joue par terre, il a un peu de fièvre, 38,2, il a 4 ans.",
    "Il est par terre de rire depuis ce matin avec ses blagues.",
    "My eyes are tearing up a lot, could you call me back about an appointment?",
    "Déchirure musculaire dans le dos au sport, je voudrais un rendez-vous de kiné.",
    "I pulled a muscle in my back, it's a tearing feeling when I lift, can I see the physio?",
    "J'ai un anévrisme de l'aorte surveillé, je voudrais la date de mon écho de contrôle.",
    "My aortic aneurysm is being monitored, when is my next scan?",
    "I have lower back pain and a urine infection, it burns when I pee.",
    "Ma mère est incontinente depuis des années et elle a mal au dos, il faudrait des "
    "protections.",
    "My period is two weeks late, can I come in for a pregnancy test?",
)


@pytest.mark.parametrize(("flag", "text"), COMPLETE + ALREADY_CAUGHT)
def test_complete_picture_is_an_emergency(rules: Classifier, flag: RedFlag, text: str) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize(("flag", "text"), FIRST_CLAUSE)
def test_first_clause_of_a_bystander_call_raises(rules: Classifier, flag: RedFlag,
                                                 text: str) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize("text", ASKED)
def test_partial_picture_is_asked(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.URGENT, (text, [h.source for h in c.red_flags])
    assert c.suspected, text


@pytest.mark.parametrize("text", ROUTINE)
def test_same_words_in_a_routine_call_raise_nothing(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


def test_first_clause_flags_on_its_last_word(rules: Classifier) -> None:
    """Streamed word by word, the call is raised on the word that completes the picture."""
    stream = rules.stream(language="fr")
    call = "allo euh mon mari il est par terre il bouge plus euh je sais pas quoi faire"
    words = call.split(" ")
    raised_at = None
    for i in range(1, len(words) + 1):
        c = stream.update(" ".join(words[:i]), t=float(i), final=i == len(words))
        if raised_at is None and c.urgency is Urgency.EMERGENCY:
            raised_at = i
    assert raised_at == words.index("plus") + 1


# More textbook emergencies: each rule named in the comment.
MORE_COMPLETE: tuple[tuple[RedFlag, str], ...] = (
    # acute_abdomen.severe_with_arrhythmia: mesenteric ischaemia, pain out of proportion.
    (RedFlag.ACUTE_ABDOMEN,
     "A 72-year-old man presents with abdominal pain out of proportion to examination. He has "
     "atrial fibrillation."),
    # obstetric.no_fetal_movement, in the words of a vignette and of a mother.
    (RedFlag.OBSTETRIC, "A 33-week pregnant woman says the baby has not moved since yesterday."),
    (RedFlag.OBSTETRIC, "Je suis enceinte de 8 mois et le bébé n'a pas bougé depuis ce matin."),
    # acute_abdomen.intussusception.
    (RedFlag.ACUTE_ABDOMEN,
     "An 8-month-old has had episodes of screaming and pulling his legs up, with vomiting."),
    (RedFlag.ACUTE_ABDOMEN,
     "Mon bébé de 10 mois pleure par crises, il replie ses jambes et il a vomi deux fois."),
    # sepsis.cold_mottled_limb (acute limb ischaemia, raised where LABELS puts mottled skin).
    (RedFlag.SEPSIS,
     "A 58-year-old man presents with a cold, pale, pulseless left leg which started suddenly "
     "2 hours ago."),
    # stroke.acute_glaucoma.
    (RedFlag.STROKE,
     "A 60-year-old woman presents with sudden painful red eye and blurred vision with halos, "
     "nausea and vomiting."),
    (RedFlag.STROKE,
     "Patiente de 65 ans, oeil rouge douloureux, baisse brutale de la vision, vomissements."),
    # acute_abdomen.pain_to_back, after a history the picture today is not part of.
    (RedFlag.ACUTE_ABDOMEN,
     "A 50-year-old man with a history of alcohol use presents with severe epigastric pain "
     "radiating to the back and vomiting."),
    (RedFlag.ACUTE_ABDOMEN,
     "Antécédent de pancréatite, il présente une douleur intense au ventre qui part dans le "
     "dos."),
)

MORE_ROUTINE: tuple[str, ...] = (
    "Mon bébé de 6 semaines a des coliques le soir, il replie ses jambes, il boit bien.",
    "J'ai mal aux yeux et la vue floue après l'écran, je voudrais voir l'ophtalmo.",
    "My eye is red and itchy with some discharge, can I get drops?",
    "I have a history of back pain and now need a repeat of my naproxen.",
    "Antécédent d'infarctus il y a cinq ans, aujourd'hui c'est pour renouveler mon Kardégic.",
)


@pytest.mark.parametrize(("flag", "text"), MORE_COMPLETE)
def test_more_complete_pictures_are_emergencies(rules: Classifier, flag: RedFlag,
                                                text: str) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize("text", MORE_ROUTINE)
def test_more_routine_calls_raise_nothing(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


def test_history_cue_stops_at_presents_with(rules: Classifier) -> None:
    """The clinical register's "with a history of X presents with Y": Y is today's, X is not."""
    hist = rules.classify("A 50-year-old man with a history of severe abdominal pain.")
    now = rules.classify("A 50-year-old man with a history of gout presents with severe "
                         "abdominal pain radiating to the back.")
    assert hist.urgency is not Urgency.EMERGENCY
    assert now.urgency is Urgency.EMERGENCY


@pytest.mark.parametrize("text", [
    "Aucun antécédent. Douleur thoracique constrictive depuis 40 minutes avec irradiation "
    "dans la mâchoire.",
    "No past history. Crushing chest pain for 30 minutes.",
    "Douleur thoracique depuis une heure. Il y a cinq ans, il a eu une appendicite.",
])
def test_history_cue_does_not_cross_a_sentence(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.EMERGENCY, (text, [h.source for h in c.suspected])
    assert RedFlag.CHEST_PAIN in {h.category for h in c.red_flags}


def test_history_cue_still_reaches_across_a_colon(rules: Classifier) -> None:
    c = rules.classify("Antécédents : infarctus, je voudrais renouveler mon Kardégic.")
    assert c.urgency is not Urgency.EMERGENCY, [h.source for h in c.red_flags]


# A bystander's first clause for a hanging, an overdose or a haemorrhage (SAMU: send help).
@pytest.mark.parametrize(("flag", "text"), [
    (RedFlag.SUICIDAL, "il est pendu"),
    (RedFlag.SUICIDAL, "euh je l'ai retrouvée pendue dans le garage"),
    (RedFlag.SUICIDAL, "i found him hanging in the garage"),
    (RedFlag.POISONING, "euh mon mon fils il a avalé des médicaments euh toute la boîte"),
    (RedFlag.BLEEDING, "oh god there's so much blood it won't stop"),
    (RedFlag.CONSCIOUSNESS, "yeah hi um it's my husband he's he's on the floor and he's not "
                            "moving"),
])
def test_bystander_first_clause_other_vital_pictures(rules: Classifier, flag: RedFlag,
                                                     text: str) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize("text", [
    "Il a pendu le linge et il a mal au dos, je voudrais un rendez-vous.",
    "I was hanging the washing out and hurt my shoulder, can I book physio?",
])
def test_hanging_words_in_a_routine_call(rules: Classifier, text: str) -> None:
    assert rules.classify(text).urgency is not Urgency.EMERGENCY
