"""Two false alarms and a miss, fixed where the mechanism is (issue 13, t-rules, session 7).

- Speech: who the patient no longer talks TO is a relationship, not aphasia ("il ne me parle
  plus depuis notre dispute"). The dative / reciprocal form is not NHS 111 FAST's "speech";
  said suddenly with no quarrel named, it is asked.
- Weakness with a local cause named for it (a shoulder, a fracture, a cast, a tendon) is
  the limb, not a stroke (FRENCH traumatologie vs déficit moteur); a face, speech or one side
  said with it are still read by their own rules.
- Post-ictal: a fit told in the past and not waking since is the emergency (NHS 111: not
  waking up after a seizure, call 999; SAMU: crise sans reprise de conscience).

Every case written by hand; none copied from an evaluation set. Rules alone.
"""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from tests.triage_checks import assert_not_raised, assert_raised

RELATIONAL = (
    "il ne me parle plus depuis notre dispute",
    "Mon fils ne nous parle plus depuis des mois, je voudrais un conseil.",
    "ma sœur et moi on ne se parle plus depuis Noël",
    "Elle ne m'adresse plus la parole depuis qu'on s'est disputés.",
    "my husband isn't talking to me since our argument",
    "she won't speak to me since the row, can I see someone about my stress?",
    "they don't talk to each other any more since the divorce",
    "je n'arrive plus à lui parler, il est fâché",
)


@pytest.mark.parametrize("text", RELATIONAL)
def test_not_talking_to_someone_is_a_relationship(rules: Classifier, text: str) -> None:
    c = assert_not_raised(rules, text)
    assert RedFlag.STROKE not in {h.category for h in c.suspected}, c.suspected


def test_not_talking_to_me_all_of_a_sudden_is_asked(rules: Classifier) -> None:
    c = assert_not_raised(rules, "d'un coup il ne me parle plus, il me regarde fixement")
    assert RedFlag.STROKE in {h.category for h in c.suspected}


SPEECH_STILL_RAISED = (
    "il ne parle plus",
    "elle parle plus du tout depuis une heure",
    "elle ne peut plus parler, elle me regarde",
    "mon père ne me parle plus et il a la bouche de travers",
    "he can't speak",
    "my wife suddenly can't get her words out",
)


def test_not_answering_when_talked_to_is_no_quarrel(rules: Classifier) -> None:
    # The relational exception names "to me", never "to him": a bystander's "he won't
    # respond when we talk to him" is the unresponsive patient (NHS Pathways: conscious?).
    assert_raised(rules, RedFlag.CONSCIOUSNESS,
                  "my client won't respond when we talk to him, for five minutes now")


@pytest.mark.parametrize("text", SPEECH_STILL_RAISED)
def test_a_speech_disorder_is_still_raised(rules: Classifier, text: str) -> None:
    assert_raised(rules, RedFlag.STROKE, text)


LOCAL_CAUSE = (
    "elle ne peut pas lever le bras à cause de son épaule",
    "elle ne peut pas lever le bras, c'est son épaule qui la bloque",
    "il ne peut plus bouger le bras depuis sa fracture du poignet",
    "avec son plâtre il ne peut plus bouger la jambe",
    "Je ne peux plus lever le bras à cause de ma tendinite, il me faut un rendez-vous.",
    "she can't lift her arm because of her shoulder",
    "he can't lift his arm since he broke his wrist",
    "my mum can't raise her arm, it's her frozen shoulder again",
    "I can't move my arm because of my tendinitis, can I book physio?",
)


@pytest.mark.parametrize("text", LOCAL_CAUSE)
def test_weakness_with_a_local_cause_named_is_not_a_stroke(rules: Classifier,
                                                           text: str) -> None:
    c = assert_not_raised(rules, text)
    assert RedFlag.STROKE not in {h.category for h in c.suspected}, c.suspected


WEAKNESS_STILL_RAISED = (
    "elle ne peut pas lever le bras",
    "she can't lift her arm",
    # The cause explains the arm, not the face: the droop is read by its own rule.
    "elle ne peut pas lever le bras à cause de son épaule et sa bouche est de travers",
    "he suddenly can't lift his arm and his face is drooping, he has arthritis in his shoulder",
    # A shoulder pain in another sentence explains nothing.
    "Il a mal à l'épaule depuis un mois. Là d'un coup il ne peut plus bouger le bras droit.",
    # No fracture: the cause is negated.
    "il ne peut plus bouger le bras, pas de fracture, rien, c'est venu d'un coup",
)


@pytest.mark.parametrize("text", WEAKNESS_STILL_RAISED)
def test_weakness_without_its_own_cause_is_still_raised(rules: Classifier, text: str) -> None:
    assert_raised(rules, RedFlag.STROKE, text)


POST_ICTAL = (
    "he had a fit at ten tonight and he still isn't waking up",
    "he had a fit at ten tonight and he still hasn't come round",
    "My son had a seizure an hour ago and we can't wake him.",
    "il a fait une crise d'épilepsie à 22 heures et il ne se réveille toujours pas",
    "elle a convulsé ce soir et depuis elle ne reprend pas connaissance",
    "mon fils a fait une crise, il a convulsé, et on n'arrive pas à le réveiller",
    "Patient de 40 ans, épileptique connu. Crise tonico-clonique vers 22 h. Depuis, ne se "
    "réveille pas, ne répond pas aux ordres simples.",
    "A 25-year-old man had a generalised seizure at 10 pm. He has not woken up since.",
)


@pytest.mark.parametrize("text", POST_ICTAL)
def test_not_waking_after_a_fit_is_an_emergency(rules: Classifier, text: str) -> None:
    assert_raised(rules, RedFlag.SEIZURE, text)


@pytest.mark.parametrize("text", [
    "he had a fit this morning, it lasted a minute, he came round and he's fine now",
    "il a fait une crise ce matin, il s'est réveillé et il va bien maintenant",
    "he had a fit last night, he's sleepy today but talking normally",
])
def test_a_fit_over_and_woken_from_is_not_raised(rules: Classifier, text: str) -> None:
    assert assert_not_raised(rules, text).urgency is not Urgency.EMERGENCY


# "Rendre" and "sick" as paperwork, not vomiting: each of these was `suspected` diabetic
# before the exceptions (the vomiting word joined to the diabetes named beside it).
PAPERWORK = (
    "Je suis diabétique depuis dix ans. J'ai reçu le compte rendu de ma prise de sang, "
    "je voudrais en parler au médecin.",
    "Il se rend compte qu'il a oublié son insuline, il est diabétique.",
    "I need a sick note for work, I have diabetes and a cold.",
)
VOMITING_STILL_READ = (
    "Mon fils est diabétique, il a tout rendu depuis ce matin.",
    "My husband is diabetic and he's been sick all morning.",
)


@pytest.mark.parametrize("text", PAPERWORK)
def test_a_report_or_a_sick_note_is_no_vomiting(rules: Classifier, text: str) -> None:
    c = assert_not_raised(rules, text)
    assert RedFlag.DIABETIC not in {h.category for h in c.suspected}, c.suspected


@pytest.mark.parametrize("text", VOMITING_STILL_READ)
def test_vomiting_said_plainly_is_still_read(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert RedFlag.DIABETIC in ({h.category for h in c.suspected}
                                | {h.category for h in c.red_flags}), c


# A child given their own medicine is a dose, not an accidental ingestion (SAMU: ingestion
# accidentelle = what the child got hold of). Too much, or someone else's, stays raised.
OWN_DOSE = (
    "mon fils a pris son doliprane ce matin, il a encore de la fièvre",
    "ma fille a bien pris son antibiotique mais elle tousse toujours",
    "my son took his medicine this morning but still has a temperature",
    "my daughter had her calpol an hour ago, can I give ibuprofen too?",
)


@pytest.mark.parametrize("text", OWN_DOSE)
def test_a_child_taking_their_own_medicine_is_not_an_ingestion(rules: Classifier,
                                                               text: str) -> None:
    c = assert_not_raised(rules, text)
    assert RedFlag.POISONING not in {h.category for h in c.red_flags}


INGESTION_STILL_RAISED = (
    "mon fils a pris toute la boite de son doliprane",
    "ma fille a pris les médicaments de sa grand-mère",
    "my toddler swallowed some tablets",
    "mon bébé a pris son doliprane et il est tout mou",
)


@pytest.mark.parametrize("text", INGESTION_STILL_RAISED)
def test_too_much_or_someone_elses_medicine_is_still_raised(rules: Classifier,
                                                            text: str) -> None:
    assert_raised(rules, RedFlag.POISONING, text)


# Words of a red flag used for something else: a figure of speech, a vaccine, tablets, a wound.
NOT_THE_RED_FLAG = (
    "I nearly had a heart attack when I saw the bill, who do I talk to about it?",
    "j'ai failli faire une crise cardiaque en voyant la facture, vous pouvez m'expliquer ?",
    "il me faut mes comprimés pour le cœur comme d'habitude, c'est pour un renouvellement",
    "je n'ai plus de comprimés pour la tension, je peux passer chercher une ordonnance ?",
    "my son needs his meningitis jab before he goes to university, can we book it?",
    "je voudrais prendre rendez-vous pour le vaccin contre la méningite de ma fille",
    "the cut on my finger is deep and gaping but it stopped bleeding, does it need stitches?",
)


@pytest.mark.parametrize("text", NOT_THE_RED_FLAG)
def test_red_flag_words_used_for_something_else_are_not_raised(rules: Classifier,
                                                               text: str) -> None:
    assert_not_raised(rules, text)


RED_FLAG_WORDS_STILL_RAISED = (
    (RedFlag.CHEST_PAIN, "I think I'm having a heart attack"),
    (RedFlag.CHEST_PAIN, "ça me comprime la poitrine depuis une heure"),
    (RedFlag.CHEST_PAIN, "j'ai une douleur qui me comprime le cœur"),
    (RedFlag.MENINGITIS, "the hospital thinks my son has meningitis"),
    (RedFlag.BREATHING, "he's gasping for air"),
)


@pytest.mark.parametrize("flag,text", RED_FLAG_WORDS_STILL_RAISED)
def test_the_red_flag_itself_is_still_raised(rules: Classifier, flag: RedFlag, text: str) -> None:
    assert_raised(rules, flag, text)


# After a delivery the baby's age is in the sentence, but a fever said in the first person is
# the mother's (NICE CKS: postpartum fever, mastitis: seen the same day, not a 999 call). A
# baby named with the fever, or a baby's age said as "born ... ago", is the infant's fever.
def test_a_mother_s_own_fever_after_delivery_is_not_an_infant_fever(rules: Classifier) -> None:
    for text in ("J'ai accouché il y a cinq jours et j'ai 38,3 ce matin, le sein est rouge.",
                 "I gave birth 5 days ago and I have a fever of 38.4, my breast is sore"):
        c = rules.classify(text)
        assert RedFlag.INFANT_FEVER not in {h.category for h in c.red_flags}, text


@pytest.mark.parametrize("text", [
    "j'ai accouché il y a cinq jours et le bébé a 38,3",
    "j'ai accouché il y a cinq jours et il a de la fièvre",
    "I gave birth 5 days ago and the baby has a temperature of 38.2",
    "she was born three weeks ago and has a fever",
])
def test_a_newborn_s_fever_after_delivery_is_raised(rules: Classifier, text: str) -> None:
    assert_raised(rules, RedFlag.INFANT_FEVER, text)


# A "fit note" is the UK sick note; "another fit" is a seizure told like any other.
def test_another_fit_is_seizure_evidence_and_a_fit_note_is_not(rules: Classifier) -> None:
    assert_raised(rules, RedFlag.SEIZURE,
                  "He had another fit this morning and now he isn't waking up.")
    assert rules.classify("He had another fit this morning.").urgency is Urgency.URGENT
    note = assert_not_raised(rules, "I need another fit note for work, the last one ran out.")
    assert note.urgency is Urgency.ROUTINE
