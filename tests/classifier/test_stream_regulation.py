"""A regulator's questions read with the caller's answers (`StreamingClassifier.asked`).

In a SAMU regulation call the regulator leads: the age, how long, then the vital questions ("il
respire ?", "il vous répond ?", "regardez s'il respire"), and the caller answers how ("pas
bien", "à peine", "not properly"), with a bare value ("trois semaines", "cinq minutes"), or
with a no and their own words ("non il est allongé par terre"). Hand-written calls: what the
regulator asked, then what the caller said, word by word as a recognizer gives it."""

from __future__ import annotations

import pytest

from classifier import Classification, Classifier, RedFlag, Urgency
from classifier.engine import StreamingClassifier
from classifier.question import (
    asks_location,
    compose_slot,
    read_answer,
    read_leading_no,
    read_slot,
)
from tests.triage_checks import answer_word_by_word


def _call(clf: Classifier, before: str, question: str | None, answer: str,
          language: str | None = "fr") -> Classification:
    return answer_word_by_word(clf, question, answer, before=before, language=language)


def _from_answer(c: Classification, category: RedFlag) -> bool:
    return any(h.category is category and h.source.startswith("answer:") for h in c.red_flags)


# -- a vital question answered with how ------------------------------------------------------

@pytest.mark.parametrize(("question", "answer", "category", "language"), [
    ("Il respire ?", "pas bien", RedFlag.BREATHING, "fr"),
    ("Il respire ?", "non pas bien", RedFlag.BREATHING, "fr"),
    ("Elle respire ?", "à peine", RedFlag.BREATHING, "fr"),
    ("Et il respire ?", "mal", RedFlag.BREATHING, "fr"),
    ("Is she breathing?", "not properly", RedFlag.BREATHING, "en"),
    ("Is he breathing?", "barely", RedFlag.BREATHING, "en"),
])
def test_a_vital_question_answered_with_how_raises(rules: Classifier, question: str,
                                                   answer: str, category: RedFlag,
                                                   language: str) -> None:
    before = ("c'est mon mari il est sur le canapé" if language == "fr"
              else "it's my husband he's on the sofa")
    c = _call(rules, before, question, answer, language)
    assert c.urgency is Urgency.EMERGENCY
    assert _from_answer(c, category)
    # Without the question the same words state nothing.
    assert _call(rules, before, None, answer, language).urgency is not Urgency.EMERGENCY


def test_bizarrely_is_asked_not_raised(rules: Classifier) -> None:
    # "il respire bizarrement" alone is asked by the protocol (noisy, gasping or just odd):
    # read with its question it is the same statement, so the same suspicion.
    c = _call(rules, "mon frère est sur le canapé", "Il respire ?",
              "bizarrement il fait des bruits")
    assert RedFlag.BREATHING in {h.category for h in (*c.red_flags, *c.suspected)}


def test_manner_words_elsewhere_in_a_sentence_are_not_an_answer() -> None:
    assert read_answer("la voiture est mal garée") is None
    assert read_answer("je sais pas elle respire mal") is None  # own words, classified as said
    # "pas mal" is "quite a lot": a yes.
    answer = read_answer("oui pas mal")
    assert answer is not None and answer.yes and answer.rest == "pas mal"


# -- a longer answer that opens with a no ---------------------------------------------------

def test_a_no_then_own_words_raises_what_the_no_states(rules: Classifier) -> None:
    c = _call(rules, "oui bonjour c'est ma voisine", "Elle vous répond ?",
              "non elle est allongée sur le carrelage de la cuisine")
    assert _from_answer(c, RedFlag.CONSCIOUSNESS)
    c = _call(rules, "it's my dad", "Does he respond when you talk to him?",
              "no he's just lying there on the floor", "en")
    assert _from_answer(c, RedFlag.CONSCIOUSNESS)


@pytest.mark.parametrize(("before", "question", "answer"), [
    # A routine "no" stays routine: the negation of a red-flag question raises nothing.
    ("mon mari a fait un infarctus il y a deux ans il lui faut son ordonnance",
     "Il a mal à la poitrine en ce moment ?", "non pas du tout il va bien"),
    ("ma mère est tombée ce matin elle s'est relevée toute seule",
     "Elle s'est cogné la tête ?", "non"),
    ("ma mère est tombée ce matin elle s'est relevée toute seule",
     "Elle a mal quelque part ?", "non elle a rien elle a juste eu peur"),
    ("j'ai trente huit depuis hier et un peu mal à la gorge",
     "Vous avez mal à la nuque ?", "non pas du tout"),
    ("j'ai trente huit depuis hier et un peu mal à la gorge",
     "Vous respirez bien ?", "oui"),
    ("mon fils de trois ans est tombé du canapé il a une bosse",
     "Il a perdu connaissance ?", "non il a pleuré tout de suite"),
    # A no whose rest takes it back is read on its own words only.
    ("c'est pour ma mère elle fait la sieste", "Elle vous répond ?",
     "non non elle va bien elle dort"),
    ("il me faudrait mon ordonnance de ventoline", "Vous avez du mal à respirer ?",
     "non non ça va très bien c'est juste pour en avoir"),
])
def test_a_routine_no_stays_routine(rules: Classifier, before: str, question: str,
                                    answer: str) -> None:
    c = _call(rules, before, question, answer)
    assert c.urgency is not Urgency.EMERGENCY, [h.source for h in c.red_flags]
    assert not any(h.source.startswith("answer:") for h in c.red_flags)


def test_leading_no_reads_only_a_no() -> None:
    assert read_leading_no("oui il respire") is None
    assert read_leading_no("non non elle va bien") is None
    assert read_leading_no("oui non je sais pas") is None
    answer = read_leading_no("euh non il est par terre")
    assert answer is not None and not answer.yes and answer.lead_only


# -- an age or a duration asked, a bare value answered --------------------------------------

def test_an_age_answered_completes_an_infant_fever(rules: Classifier) -> None:
    before = "mon bébé a de la fièvre 38,5"
    c = _call(rules, before, "Il a quel âge ?", "trois semaines")
    assert _from_answer(c, RedFlag.INFANT_FEVER)
    assert _call(rules, before, None, "trois semaines").urgency is not Urgency.EMERGENCY
    c = _call(rules, "my baby has a temperature of 38.2", "How old is she?", "three weeks",
              "en")
    assert _from_answer(c, RedFlag.INFANT_FEVER)


def test_a_duration_answered_completes_a_seizure(rules: Classifier) -> None:
    before = "he's fitting"
    c = _call(rules, before, "How long has he been fitting?", "five minutes", "en")
    assert _from_answer(c, RedFlag.SEIZURE)
    assert _call(rules, before, None, "five minutes", "en").urgency is not Urgency.EMERGENCY
    c = _call(rules, "c'est mon mari il convulse", "Depuis combien de temps ?", "cinq minutes")
    assert RedFlag.SEIZURE in {h.category for h in c.red_flags}


def test_an_age_of_an_adult_raises_nothing(rules: Classifier) -> None:
    c = _call(rules, "j'ai de la fièvre depuis hier", "Vous avez quel âge ?", "quarante ans")
    assert c.urgency is not Urgency.EMERGENCY


@pytest.mark.parametrize(("question", "answer", "statement"), [
    ("Il a quel âge ?", "trois semaines", "il a trois semaines"),
    ("Quel âge a-t-elle ?", "six semaines", "elle a six semaines"),
    ("Vous avez quel âge ?", "quatre-vingt-deux", "j'ai quatre-vingt-deux ans"),
    ("Depuis combien de temps ?", "cinq minutes", "depuis cinq minutes"),
    ("Depuis quand ?", "à peu près dix minutes", "depuis à peu près dix minutes"),
    ("How old is he?", "six weeks", "he is six weeks old"),
    ("How long has it been going on?", "about ten minutes", "for about ten minutes"),
])
def test_slot_statements(question: str, answer: str, statement: str) -> None:
    asked = read_slot(question)
    assert asked is not None
    composed = compose_slot(asked, answer)
    assert composed is not None and composed.text == statement


@pytest.mark.parametrize(("question", "answer"), [
    ("Il a quel âge ?", "je sais pas"),
    ("Il a quel âge ?", "elle a sept ans elle est tombée"),  # own words: read as said
    ("Depuis quand ?", "depuis ce matin"),
    ("Depuis quand ?", "ça fait dix minutes"),
    ("Ça a commencé quand ?", "il y a vingt minutes"),
    ("How long?", "ten minutes ago"),
])
def test_phrased_or_empty_values_are_read_as_said(question: str, answer: str) -> None:
    asked = read_slot(question)
    assert asked is not None
    assert compose_slot(asked, answer) is None


def test_other_open_questions_are_no_slot() -> None:
    for said in ("Qu'est-ce qui se passe ?", "Quelle est l'adresse ?", "What happened?",
                 "Il respire ?", "Je vous envoie une équipe."):
        assert read_slot(said) is None, said


# -- an instruction to look, which asks yes or no -------------------------------------------

@pytest.mark.parametrize(("question", "answer", "category", "language"), [
    ("Allez voir s'il respire.", "non", RedFlag.BREATHING, "fr"),
    ("D'accord, regardez s'il respire.", "non", RedFlag.BREATHING, "fr"),
    ("Check if he's breathing.", "no", RedFlag.BREATHING, "en"),
])
def test_an_instruction_to_look_is_a_question(rules: Classifier, question: str, answer: str,
                                              category: RedFlag, language: str) -> None:
    before = ("il est tombé dans le jardin" if language == "fr"
              else "he fell over in the garden")
    c = _call(rules, before, question, answer, language)
    assert _from_answer(c, category)


def test_other_instructions_stay_statements(rules: Classifier) -> None:
    s = rules.stream("fr")
    for said in ("Regardez bien.", "Restez avec lui.", "Je vous envoie les pompiers."):
        assert s.asked(said) is None, said


# -- a long unpunctuated turn is flagged at its red-flag clause -----------------------------

def test_a_long_unpunctuated_turn_is_flagged_at_its_red_flag_clause(rules: Classifier) -> None:
    turn = ("bonjour alors on habite 27 chemin de la Croix Blanche à Montfort c'est la ferme "
            "après le cimetière il faut prendre à gauche au calvaire mon numéro c'est le 02 99 "
            "45 61 18 voilà c'est mon mari il a mal à la poitrine depuis une heure il est tout "
            "gris il transpire")
    words = turn.split()
    s = rules.stream("fr")
    s.asked("SAMU bonjour, j'écoute.")
    flagged_at = None
    for i in range(1, len(words) + 1):
        c = s.update(" ".join(words[:i]), t=float(i), final=i == len(words))
        if c.urgency is Urgency.EMERGENCY:
            flagged_at = i
            break
    chest = words.index("poitrine") + 1
    assert flagged_at is not None
    # At the clause that says it, not at the end of the turn (the address before it raises
    # nothing).
    assert chest <= flagged_at <= chest + 4 < len(words)
    assert RedFlag.CHEST_PAIN in {h.category for h in c.red_flags}


# -- the identification asked first: an address, a call-back number -------------------------

@pytest.mark.parametrize(("said", "asks"), [
    ("SAMU, quelle est l'adresse ?", True),
    ("Un numéro où on peut vous rappeler ?", True),
    ("Vous êtes où exactement ?", True),
    ("À quel numéro pouvons-nous vous rappeler ?", True),  # the practice agent's own line
    ("Ambulance service, what's the address of the emergency?", True),
    ("What number can we call you back on?", True),
    ("Il respire ?", False),
    ("Il a mal où ?", False),
    ("SAMU bonjour, j'écoute.", False),
    ("Qu'est-ce qui se passe ?", False),
])
def test_identification_questions(said: str, asks: bool) -> None:
    assert asks_location(said) is asks


ADDRESS = ("on est sur la départementale entre Saint Jean et la zone commerciale au rond point "
           "du Leclerc juste après le pont")


def _final(s: StreamingClassifier, text: str, t: float) -> Classification:
    return s.update(text, t=t, final=True)


def test_heads_alone_do_not_raise_an_address_answered(classifier: Classifier) -> None:
    # Without the question, the shipped heads raise this address as an emergency (that is
    # what the gate is for); answered to "quelle est l'adresse ?" the caller is asked.
    plain = classifier.stream("fr")
    c = _final(plain, ADDRESS, 5.0)
    assert c.urgency is Urgency.EMERGENCY and all(h.source == "model" for h in c.red_flags)
    s = classifier.stream("fr")
    s.asked("SAMU, quelle est l'adresse ?")
    c = _final(s, ADDRESS, 5.0)
    assert c.urgency is not Urgency.EMERGENCY
    assert c.suspected and "model_on_identification" in c.review_reasons
    assert s.identification_held == 1
    # Only that answer: the next turn is read by the heads as ever.
    s.asked("Qu'est-ce qui se passe ?")
    c = _final(s, "un jeune en scooter il s'est fait renverser par une voiture il est par "
               "terre il bouge plus", 12.0)
    assert c.urgency is Urgency.EMERGENCY


def test_rule_evidence_in_an_address_answered_raises_as_ever(rules: Classifier) -> None:
    s = rules.stream("fr")
    s.asked("SAMU, quelle est l'adresse ?")
    c = _final(s, "12 rue des Lilas venez vite il respire plus", 5.0)
    assert c.urgency is Urgency.EMERGENCY
    assert RedFlag.BREATHING in {h.category for h in c.red_flags}


# -- a no that confirms what the caller's own words only suspected ------------------------------

@pytest.mark.parametrize(("before", "question", "answer", "language"), [
    ("It's my husband, he's on the floor in the kitchen.",
     "Is he awake? Does he respond when you talk to him?", "no he doesn't", "en"),
    ("c'est mon père il est par terre dans la cuisine", "Il vous répond ?", "non", "fr"),
])
def test_a_no_raises_what_the_finals_before_it_only_suspected(
        rules: Classifier, before: str, question: str, answer: str, language: str) -> None:
    # "On the floor" alone is asked about (suspected consciousness); the "no" to "does he
    # respond?" is the unresponsive patient. Reading the affirmative after the finals counted
    # the suspicion as asked about, so the answer raised nothing.
    c = _call(rules, before, question, answer, language)
    assert c.urgency is Urgency.EMERGENCY
    assert _from_answer(c, RedFlag.CONSCIOUSNESS)
