"""Strong evidence escalates, partial evidence is asked, and precise misreadings stay routine
(issue 13, t-rules).

Written by hand from the published thresholds (NEWS2 single-parameter red scores, FRENCH tri
1-2 vital criteria, NICE NG51 / NG133 / NG143 / CG102, MTS general discriminators) and from
how clinicians and callers read out numbers ("TA 8/5", "SpO2 89 %", "pouls à 38"). None was
copied from an evaluation set. Rules alone (no model).
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from classifier.protocol import Protocol, ProtocolError
from tests.triage_checks import assert_not_raised, assert_raised

# A measured red vital sign said with a partial or complete picture: that category's emergency.
MEASURED: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.ACUTE_ABDOMEN, "Homme de 54 ans, douleurs abdominales diffuses, TA 80/50, FC 118."),
    (RedFlag.ACUTE_ABDOMEN, "A 70-year-old man with abdominal pain, BP 84/52 on arrival."),
    (RedFlag.CONSCIOUSNESS, "Pouls à 38, il a fait un malaise en se levant."),
    (RedFlag.CONSCIOUSNESS, "He fainted in the kitchen and his pulse is only 35."),
    (RedFlag.OBSTETRIC, "Woman 32 weeks pregnant with a headache, BP 168/112."),
    (RedFlag.OBSTETRIC, "Enceinte de 34 semaines, tension à 17/11 à la pharmacie, mal à la tête."),
    (RedFlag.BREATHING, "Patient BPCO, toux grasse depuis 3 jours, saturation à 90 %."),
    (RedFlag.BREATHING, "She has a chest infection and her sats are 91% on the home monitor."),
    (RedFlag.BREATHING, "Essoufflé depuis ce matin, fréquence respiratoire à 26."),
    (RedFlag.SEPSIS, "Patiente de 81 ans, T 39,4, confuse, FC 124."),
    (RedFlag.SEPSIS, "A 67-year-old with a urine infection, now BP 86/50 and HR 125."),
    (RedFlag.CONSCIOUSNESS, "Diabétique, glycémie à 0,40 g/L et il est très confus."),
    (RedFlag.CONSCIOUSNESS, "Her sugar is 2.1 and she's drowsy and not making sense."),
    (RedFlag.MENINGITIS,
     "Il a des petites taches violettes qui ne s'effacent pas et la nuque raide."),
    (RedFlag.MENINGITIS,
     "She has a stiff neck and a purple rash that does not fade under a glass."),
    (RedFlag.CHEST_PAIN, "Douleur dans la poitrine depuis 20 minutes, pouls à 140."),
)

# Strong evidence whose category is unclear (a red vital sign alone): asked, not raised.
MEASURED_ALONE: tuple[str, ...] = (
    "On examination: BP 82/40, HR 128, cool peripheries.",
    "Ma tension est à 8/5 ce matin avec le tensiomètre.",
    "His pulse is 36 on the machine.",
)

# A vulnerable patient (pregnant, under 3 months, 75+, chemotherapy, anticoagulants, diabetes)
# with partial evidence that came on suddenly or is worsening within hours: emergency.
TERRAIN: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.OBSTETRIC,
     "Je suis enceinte de 20 semaines, j'ai mal au ventre et ça s'aggrave vite depuis ce matin."),
    (RedFlag.BLEEDING,
     "My husband is on warfarin and he's bleeding from his gums, it's getting worse by the hour."),
    (RedFlag.CONSCIOUSNESS,
     "Mon père de 86 ans est confus, ça s'est dégradé en quelques heures."),
    (RedFlag.BREATHING,
     "She's on chemo and over the last few hours she's become short of breath."),
)

# Partial evidence without severity or terrain stays a question (never routine, never raised).
STILL_ASKED: tuple[str, ...] = (
    "Mon père de 80 ans est de plus en plus essoufflé depuis quelques semaines.",
    "My husband is on warfarin and his gums bleed a bit when he brushes.",
    "Je suis sous Xarelto et je me suis cogné la tête d'un coup contre le placard.",
)

# Precise misreadings fixed; the true emergencies with the same words stay caught.
MISREADINGS_ROUTINE: tuple[str, ...] = (
    "I get a stabbing pain in my knee when I climb the stairs, can I book an appointment?",
    "She's had a sharp stabbing pain in her heel for weeks, it's worse in the morning.",
    "J'ai une douleur en coup de couteau dans le genou quand je cours, je voudrais un rendez-vous.",
    "Je voudrais renouveler mon stylo d'adrénaline, il est périmé le mois prochain.",
    "Il me faudrait une ordonnance pour un deuxième stylo d'adrénaline pour l'école.",
    "Can I have a new adrenaline pen? Mine has expired.",
    "Ma mère a pris tous ses médicaments ce matin comme d'habitude, c'est pour le renouvellement.",
    "Il a bien pris ses médicaments ce matin, je voulais une question sur les horaires.",
    "He took all his tablets this morning as usual, can he have a glass of wine tonight?",
    "She had appendicitis, it was removed years ago, I need to move Thursday's appointment.",
    "Elle a été opérée de l'appendicite petite, il faut annuler le rendez-vous de demain.",
    "My daughter had a fever as a newborn, I'd like to book her check-up.",
    "She took all of her antibiotics like you said, the cough is better.",
    "My gums bleed a lot when I brush my teeth, can I get a check-up?",
    "Mes gencives saignent beaucoup quand je me brosse les dents.",
)

MISREADINGS_STILL_EMERGENCY: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.TRAUMA, "I was stabbed in the arm an hour ago and it's still bleeding."),
    (RedFlag.TRAUMA, "Mon fils a reçu un coup de couteau dans le ventre."),
    (RedFlag.TRAUMA, "He's been stabbed outside the pub."),
    (RedFlag.ANAPHYLAXIS, "J'ai dû lui faire son stylo d'adrénaline, ses lèvres gonflent."),
    (RedFlag.ANAPHYLAXIS, "I used my epipen ten minutes ago after eating peanuts."),
    (RedFlag.POISONING, "Il a pris toute la boîte de Doliprane."),
    (RedFlag.POISONING, "She took all of her pills at once after the argument."),
    (RedFlag.POISONING, "Mon fils de 3 ans a pris mes médicaments dans mon sac."),
    (RedFlag.POISONING, "My toddler got into my pills and swallowed some."),
    (RedFlag.BLEEDING, "He's bleeding a lot from a cut on his leg and it won't stop."),
    (RedFlag.ACUTE_ABDOMEN,
     "Il a été opéré de l'appendicite hier et maintenant il a le ventre dur et de la fièvre."),
    (RedFlag.ACUTE_ABDOMEN,
     "He had his appendix out last week and now his tummy is rock hard and he's feverish."),
    (RedFlag.ACUTE_ABDOMEN, "The hospital says she has appendicitis and needs to go in."),
    (RedFlag.ACUTE_ABDOMEN, "My son has pain low on the right and a fever, maybe his appendix."),
    (RedFlag.INFANT_FEVER, "My newborn is 12 days old and has a fever of 38.3."),
)


# How callers and clinicians say it, in words the rules did not name before.
SPOKEN: tuple[tuple[RedFlag, str], ...] = (
    (RedFlag.CONSCIOUSNESS, "He went a funny colour and then just keeled over."),
    (RedFlag.CONSCIOUSNESS, "Mon père s'est écroulé dans la cuisine, il bouge plus."),
    (RedFlag.STROKE, "He woke up and his words were all mixed up and his right hand won't work."),
    (RedFlag.STROKE, "Depuis ce matin ses mots sortent de travers et son bras ne marche plus."),
    (RedFlag.SEPSIS, "Ma jambe est froide, marbrée et je ne la sens presque plus."),
    (RedFlag.CHEST_PAIN,
     "Homme de 58 ans, diabétique, douleur épigastrique avec sueurs depuis 1 h."),
    (RedFlag.OBSTETRIC, "Femme de 28 ans, 6 SA, douleur pelvienne unilatérale et métrorragies."),
    (RedFlag.OBSTETRIC, "enceinte de 8 sa je saigne et j'ai mal au ventre"),
    (RedFlag.TRAUMA, "Patient de 80 ans, chute, ne se relève pas, confus, sous AVK."),
    (RedFlag.TRAUMA, "My nan on warfarin had a fall this morning and now she's not making sense."),
    (RedFlag.BREATHING, "please help my husband he no breathe good, he make noise and he is blue"),
    (RedFlag.CONSCIOUSNESS, "my mother she fall down and no wake up"),
    (RedFlag.SEPSIS,
     "My wife is 80 and she's been hot and confused since this afternoon, and she hasn't "
     "weed all day."),
    (RedFlag.ACUTE_ABDOMEN,
     "Il a mal au ventre depuis cette nuit, c'est dur comme du bois et il a vomi."),
    (RedFlag.CHEST_PAIN,
     "My mum says it's just indigestion but the pain at the top of her stomach has her "
     "sweating and short of breath."),
)

SPOKEN_ROUTINE: tuple[str, ...] = (
    "I've had indigestion after a big curry, a bit sweaty because it's hot, can I get some "
    "Gaviscon?",
    "My laptop won't work and I can't access the patient portal.",
    "I'm feeling a bit blue lately, can I talk to the doctor about my mood?",
    "He uses his blue inhaler when he runs, can I get a repeat?",
    "My son's leg muscles are rock hard after football, is that normal?",
    "Il a 3 sa fille avec lui, elle a mal au ventre et saigne un peu.",
    "Ma mère sous Previscan est tombée de sommeil devant la télé, un peu confuse au réveil, "
    "c'est pour son INR.",
    "He's on warfarin and fell asleep on the sofa, he was a bit confused when he woke up.",
    "Il a mal au creux de l'estomac avec de la fièvre et des sueurs, sûrement une gastro.",
)


@pytest.mark.parametrize(("flag", "text"), SPOKEN)
def test_spoken_paraphrase_is_raised(rules: Classifier, flag: RedFlag, text: str) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize("text", SPOKEN_ROUTINE)
def test_spoken_routine_is_not_an_emergency(rules: Classifier, text: str) -> None:
    assert rules.classify(text).urgency is not Urgency.EMERGENCY, text


@pytest.mark.parametrize(("flag", "text"), MEASURED)
def test_measured_vital_sign_escalates_its_category(rules: Classifier, flag: RedFlag,
                                                    text: str) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize("text", MEASURED_ALONE)
def test_red_vital_sign_alone_is_asked_not_raised(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.URGENT, (text, c.red_flags)
    assert not c.red_flags
    assert [h.source for h in c.suspected] == ["consciousness.measured_vital_danger"]


def test_vital_sign_alone_adds_no_question_to_a_confirmed_picture(rules: Classifier) -> None:
    c = rules.classify("A 45-year-old with crushing chest pain, HR 140.")
    assert RedFlag.CHEST_PAIN in {h.category for h in c.red_flags}
    assert not c.suspected


@pytest.mark.parametrize(("flag", "text"), TERRAIN)
def test_terrain_and_kinetics_raise_partial_evidence(rules: Classifier, flag: RedFlag,
                                                     text: str) -> None:
    assert_raised(rules, flag, text)


@pytest.mark.parametrize("text", STILL_ASKED)
def test_partial_evidence_without_severity_is_still_asked(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.URGENT, (text, [h.source for h in c.red_flags])
    assert c.suspected


@pytest.mark.parametrize("text", MISREADINGS_ROUTINE)
def test_misreading_is_not_an_emergency(rules: Classifier, text: str) -> None:
    assert_not_raised(rules, text)


@pytest.mark.parametrize(("flag", "text"), MISREADINGS_STILL_EMERGENCY)
def test_same_words_in_a_true_emergency_stay_caught(rules: Classifier, flag: RedFlag,
                                                    text: str) -> None:
    assert_raised(rules, flag, text)


def test_negated_or_normal_readings_raise_nothing(rules: Classifier) -> None:
    for text in ("Tension à 13/8, pouls à 72, saturation 98 %, tout va bien.",
                 "BP 128/80, HR 70, sats 97% on air, just here for the repeat prescription."):
        c = rules.classify(text)
        assert c.urgency is Urgency.ROUTINE, (text, c.suspected, c.red_flags)


def test_exact_word_pattern_keeps_its_determiner() -> None:
    # "=mes médicaments" (a child took the parent's) is not "ses médicaments" (his own).
    from classifier.protocol import PhraseIndex, _phrase
    from classifier.text import analyse

    index = PhraseIndex([("x", _phrase("=mes medicaments"), False)], 6, 80)
    assert index.find(analyse("il a pris mes médicaments").words_with_punct)
    assert not index.find(analyse("il a pris ses médicaments").words_with_punct)


def test_measured_section_is_validated() -> None:
    base = {"concepts": {"low_bp": {"fr": ["tension basse"]}}}
    with pytest.raises(ProtocolError, match="unknown concept"):
        Protocol.from_dict({**base, "measured": {"nope": [{"systolic_at_most": 90}]}})
    with pytest.raises(ProtocolError, match="one `when` condition"):
        Protocol.from_dict({**base, "measured": {"low_bp": [{"bogus": 1}]}})
    with pytest.raises(ProtocolError, match="except"):
        Protocol.from_dict({"concepts": {"x": {"fr": ["a"], "except": ["b"]}}})
