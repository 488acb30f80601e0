"""A caller's short yes/no answer read with the question it answers (`StreamingClassifier.asked`).

Hand-written calls: what the agent or the regulator asked, then what the caller said."""

from __future__ import annotations

import pytest

from classifier import Classification, Classifier, RedFlag, Urgency
from classifier.question import compose, read_answer, read_question
from tests.triage_checks import answer_word_by_word

_answer = answer_word_by_word


def _categories(c: Classification) -> set[RedFlag]:
    return {h.category for h in c.red_flags}


# -- a yes or a no, read with the question, raises -----------------------------------------------

@pytest.mark.parametrize(("question", "answer", "category"), [
    ("Il respire ?", "non", RedFlag.BREATHING),
    ("Et est-ce qu'il respire ?", "Non.", RedFlag.BREATHING),
    ("Respire-t-elle ?", "non non", RedFlag.BREATHING),
    ("D'accord. Il vous répond quand vous lui parlez ?", "non", RedFlag.CONSCIOUSNESS),
    ("Vous avez mal à la poitrine ?", "oui, un peu", RedFlag.CHEST_PAIN),
    ("Avez-vous du mal à respirer ?", "ouais un peu", RedFlag.BREATHING),
    ("Il a perdu connaissance ?", "oui", RedFlag.CONSCIOUSNESS),
    ("Elle a pris tous les comprimés de la boîte ?", "oui je crois", RedFlag.POISONING),
    ("Il ne respire plus ?", "non", RedFlag.BREATHING),
    ("Is he breathing?", "no", RedFlag.BREATHING),
    ("Does he respond when you talk to him?", "no he doesn't", RedFlag.CONSCIOUSNESS),
    ("Do you have chest pain?", "yeah a bit", RedFlag.CHEST_PAIN),
    ("Has he vomited blood?", "yes", RedFlag.BLEEDING),
    ("Il est conscient ?", "non", RedFlag.CONSCIOUSNESS),
    ("Is she conscious?", "no", RedFlag.CONSCIOUSNESS),
    ("Vous avez pensé à mettre fin à vos jours ?", "oui", RedFlag.SUICIDAL),
])
def test_a_short_answer_raises_what_it_states(rules: Classifier, question: str, answer: str,
                                              category: RedFlag) -> None:
    c = _answer(rules, question, answer, before="Bonjour, c'est pour mon mari.")
    assert c.urgency is Urgency.EMERGENCY
    hit = next(h for h in c.red_flags if h.category is category)
    # The audit says it came from an answer, to which question, and where it was said.
    assert hit.source.startswith("answer:")
    assert hit.answer_to is not None and hit.answer_to.rstrip(" ?") in question
    assert hit.span is not None and hit.span.text == answer
    assert hit.t == pytest.approx(5.0 + 0.3 * len(answer.split()))


def test_the_same_answers_without_the_question_raise_nothing(rules: Classifier) -> None:
    for answer in ("non", "oui, un peu", "no", "yeah a bit", "oui"):
        assert _answer(rules, None, answer).urgency is Urgency.ROUTINE, answer


def test_a_yes_to_a_partial_picture_asks_rather_than_escalates(rules: Classifier) -> None:
    c = _answer(rules, "Vous saignez ?", "oui, un peu")
    assert c.urgency is Urgency.URGENT
    assert [h.category for h in c.suspected] == [RedFlag.BLEEDING]
    assert c.suspected[0].answer_to == "Vous saignez ?"


def test_answers_add_up_over_the_call(rules: Classifier) -> None:
    # Fever confirmed, then a stiff neck confirmed: neither answer alone is meningitis.
    s = rules.stream("fr")
    s.update("Bonjour, mon fils de 8 ans ne va pas bien.", t=1.0, final=True)
    s.asked("Il a de la fièvre ?")
    assert s.update("oui", t=4.0, final=True).urgency is not Urgency.EMERGENCY
    s.asked("Et il a la nuque raide ?")
    c = s.update("oui", t=8.0, final=True)
    assert RedFlag.MENINGITIS in _categories(c), c


# -- a "no" never raises what the question asked about -------------------------------------------

@pytest.mark.parametrize(("question", "answer"), [
    ("Vous avez mal à la poitrine ?", "non"),
    ("Vous avez mal à la poitrine ?", "non pas du tout"),
    ("Avez-vous du mal à respirer ?", "non"),
    ("Il a perdu connaissance ?", "non"),
    ("Des douleurs dans la poitrine ?", "non"),
    ("Il a vomi du sang ?", "pas vraiment"),
    ("La personne est-elle inconsciente ou ne répond-elle plus ?", "non"),
    ("Elle a pris des médicaments en trop ?", "non je ne crois pas"),
    ("Do you have chest pain?", "no"),
    ("Any chest pain?", "nope"),
    ("Is he unconscious?", "no he isn't"),
    ("Have you got trouble breathing?", "not really"),
])
def test_a_no_to_a_red_flag_question_raises_nothing(rules: Classifier, question: str,
                                                    answer: str) -> None:
    c = _answer(rules, question, answer, before="Bonjour, j'appelle pour ma mère.")
    assert c.urgency is Urgency.ROUTINE, (question, answer, c.red_flags, c.suspected)
    assert not c.red_flags and not c.suspected


def test_a_question_alone_never_raises(rules: Classifier) -> None:
    s = rules.stream("fr")
    for question in ("Il a mal à la poitrine ?", "Il ne respire plus ?",
                     "Est-ce qu'il a perdu connaissance ?"):
        assert s.asked(question) is not None
    assert s.last is None and s.text == ""
    # Speech that answers nothing: the question is never read on its own.
    c = s.update("attendez je vais voir", t=3.0, final=True)
    assert c.urgency is Urgency.ROUTINE and not c.red_flags


def test_a_long_answer_is_read_on_its_own_words(rules: Classifier) -> None:
    # More than a yes or a no: the caller's words decide, not the question.
    c = _answer(rules, "Vous avez mal à la poitrine ?",
                "non, c'est surtout le genou qui gonfle depuis la chute de mardi")
    assert RedFlag.CHEST_PAIN not in _categories(c)
    c = _answer(rules, "Il respire ?", "oui oui il respire normalement il dort sur le canapé")
    assert c.urgency is Urgency.ROUTINE


def test_only_a_final_is_an_answer(rules: Classifier) -> None:
    # "non" is the start of "non non, il respire bien": no flag on the partial.
    s = rules.stream("fr")
    s.asked("Il respire ?")
    c = s.update("non", t=2.0, final=False)
    assert c.urgency is Urgency.ROUTINE
    c = s.update("non non il respire bien", t=3.0, final=True)
    assert c.urgency is Urgency.ROUTINE


def test_an_open_question_or_a_statement_gives_nothing_to_read(rules: Classifier) -> None:
    s = rules.stream("fr")
    for said in ("Quel est le motif de votre appel ?", "Qu'est-ce qui se passe ?",
                 "SAMU bonjour, qu'est-ce qui se passe ?", "Il est comment votre ventre ?",
                 "Ambulance service, what's the address?",
                 "Je vous envoie une ambulance, il ne faut pas le bouger.",
                 "S'il a du mal à respirer, rappelez le 15 ?", "What happened?",
                 # Unpunctuated (a transcript): instructions, not questions.
                 "alors je vous envoie les pompiers s'il fait un arrêt il faut masser",
                 "vous allez le mettre sur le côté et surveiller sa respiration",
                 "okay I'm going to send an ambulance you need to stay with him"):
        assert s.asked(said) is None, said
    # An age asked is an open question for one value (`read_slot`): a yes or a no to it
    # states nothing.
    asked = s.asked("Il a quel âge ?")
    assert asked is not None and asked.slot == "age"
    assert _answer(rules, "Il a quel âge ?", "oui").urgency is Urgency.ROUTINE
    assert _answer(rules, "Je vous envoie une équipe. Il faut rester à côté de lui s'il "
                   "respire mal.", "d'accord").urgency is Urgency.ROUTINE
    assert _answer(rules, "bon il faut le masser s'il ne respire plus d'accord",
                   "oui").urgency is Urgency.ROUTINE
    # An unpunctuated question is still one: "il respire" then "non".
    assert RedFlag.BREATHING in _categories(_answer(rules, "d'accord madame il respire",
                                                    "non"))


def test_a_question_is_read_with_one_answer_only(rules: Classifier) -> None:
    s = rules.stream("fr")
    s.asked("Il respire ?")
    s.update("attendez", t=2.0, final=True)
    c = s.update("non", t=4.0, final=True)  # the answer after "attendez"
    assert RedFlag.BREATHING in _categories(c)
    s2 = rules.stream("fr")
    s2.asked("Il respire ?")
    s2.update("oui", t=2.0, final=True)
    assert s2.update("non", t=4.0, final=True).urgency is Urgency.ROUTINE  # already used


def test_urgency_never_goes_down_after_an_answer(rules: Classifier) -> None:
    s = rules.stream("fr")
    s.asked("Il respire ?")
    assert s.update("non", t=2.0, final=True).urgency is Urgency.EMERGENCY
    s.asked("Il a de la fièvre ?")
    c = s.update("non", t=5.0, final=True)
    assert c.urgency is Urgency.EMERGENCY and RedFlag.BREATHING in _categories(c)


def test_a_cleared_emergency_is_not_raised_again_by_a_later_answer(rules: Classifier) -> None:
    s = rules.stream("fr")
    s.update("il a mal à la poitrine", t=1.0, final=True)
    s.clear_emergency(by="dr.martin")
    s.asked("Il est bien installé ?")
    c = s.update("oui", t=4.0, final=True)
    assert not c.red_flags and c.urgency is not Urgency.EMERGENCY


def test_the_full_classifier_reads_answers_too(classifier: Classifier) -> None:
    c = _answer(classifier, "Il respire ?", "non", before="Allô, mon père est tombé par terre.")
    assert RedFlag.BREATHING in _categories(c)
    c = _answer(classifier, "Vous avez mal à la poitrine ?", "non",
                before="Bonjour, je voudrais un rendez-vous pour un certificat de sport.")
    assert c.urgency is not Urgency.EMERGENCY


# -- the rewrite itself ---------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "yes", "no"), [
    ("Il respire ?", "il respire", "il ne respire pas"),
    ("Est-ce qu'il vous répond ?", "il vous répond", "il ne vous répond pas"),
    ("Respire-t-il ?", "il respire", "il ne respire pas"),
    ("Avez-vous mal à la poitrine ?", "vous avez mal à la poitrine",
     "vous n'avez pas mal à la poitrine"),
    ("Votre mari respire ?", "votre mari respire", "votre mari ne respire pas"),
    ("Il est toujours conscient ?", "il est toujours conscient", "il n'est plus conscient"),
    ("Il s'est cogné la tête, c'est ça ?", "il s'est cogné la tête",
     "il ne s'est pas cogné la tête"),
    ("Y a-t-il du sang ?", "il y a du sang", "il n'y a pas du sang"),
    ("Des douleurs dans la poitrine ?", "des douleurs dans la poitrine",
     "pas de douleurs dans la poitrine"),
    ("Is he breathing?", "he is breathing", "he is not breathing"),
    ("Do you have chest pain?", "I do have chest pain", "I do not have chest pain"),
    ("Are you bleeding?", "I am bleeding", "I am not bleeding"),
    ("He's awake?", "he is awake", "he is not awake"),
    ("Is your husband still breathing?", "my husband is still breathing",
     "my husband is not breathing"),
    ("Any chest pain?", "chest pain", "no chest pain"),
])
def test_questions_as_statements(question: str, yes: str, no: str) -> None:
    q = read_question(question)
    assert q is not None
    assert (q.proposition, q.negation) == (yes, no)


@pytest.mark.parametrize(("said", "yes", "rest"), [
    ("oui", True, ""), ("Oui, un peu.", True, "un peu"), ("un peu", True, "un peu"),
    ("ouais", True, ""), ("euh oui je crois", True, ""), ("non", False, ""),
    ("non pas du tout", False, ""), ("pas vraiment", False, ""), ("yes", True, ""),
    ("yeah a bit", True, "a bit"), ("nope", False, ""), ("no he's not answering", False,
                                                        "he's not answering"),
    ("he isn't", False, ""), ("I do", True, ""),
])
def test_short_answers(said: str, yes: bool, rest: str) -> None:
    a = read_answer(said)
    assert a is not None and (a.yes, a.rest) == (yes, rest)


@pytest.mark.parametrize("said", [
    "je sais pas", "d'accord", "ok", "oui non", "attendez",
    "oui il a très mal au ventre depuis ce matin et il vomit",
    "no, it's mostly my knee that hurts since I fell on Tuesday",
])
def test_not_a_short_answer(said: str) -> None:
    assert read_answer(said) is None


def test_si_to_a_negative_question_states_nothing() -> None:
    q, a = read_question("Il ne respire plus ?"), read_answer("si")
    assert q is not None and a is not None
    assert compose(q, a) is None
