"""The heads outside their corpus, safety both ways (issue 13).

Garbled routine fragments and short answers, as a recognizer hears them, must not become
model-only emergencies nor red-flag questions; genuine emergencies said in words no rule was
written from must stay flagged or asked. Every case is written here by hand (not generated
by `classifier/corpus`).
"""

from __future__ import annotations

import pytest

from classifier import Classifier, Urgency
from classifier.engine import content_words
from classifier.text import analyse

pytestmark = pytest.mark.slow

# Misheard routine talk: confirmations, scheduling, names, numbers.
GARBLED_ROUTINE = [
    ("fr", "Doule à ce moment si possible"),
    ("fr", "Whisse bien ça"),
    ("fr", "Waze."),
    ("fr", "oui c'est bien ça"),
    ("fr", "Grolaine jeudi plutôt"),
    ("fr", "euh Martineau Sylvie"),
    ("fr", "le quatorze février mille neuf cent soixante"),
    ("fr", "zéro six quarante-deux dix-huit"),
    ("fr", "voilà merci bien ma dame"),
    ("fr", "Vrombe à dix heures"),
    ("en", "Wiss that's right"),
    ("en", "Thursday if pozzle"),
    ("en", "Kowalski, Anna"),
    ("en", "yeah that's the one"),
    ("en", "sure, Friday arvo"),
]


@pytest.mark.parametrize(("lang", "text"), GARBLED_ROUTINE)
def test_garbled_routine_fragment_is_neither_flagged_nor_asked(
        classifier: Classifier, lang: str, text: str) -> None:
    c = classifier.classify(text, lang)
    assert c.urgency is not Urgency.EMERGENCY, (text, c.red_flags)
    assert not [h for h in c.suspected if h.source in ("model", "similarity")], (
        text, c.suspected)


def test_short_answer_in_a_routine_call_raises_no_model_question(
        classifier: Classifier) -> None:
    """In a call, the heads read the finals before a short answer too: a renewal caller who
    confirms the pharmacy and spells a name is asked nothing."""
    stream = classifier.stream("fr")
    finals = ["Bonjour, je voudrais renouveler l'ordonnance de ma tension.",
              "Oui c'est bien ça.", "Waze.", "Dupont, D U P O N T.", "Whisse bien ça."]
    for i, text in enumerate(finals):
        c = stream.update(text, t=float(i), final=True)
        assert c.urgency is not Urgency.EMERGENCY, (text, c.red_flags)
        assert not c.suspected, (text, c.suspected)


@pytest.mark.parametrize("first", [
    # What Whisper made of "un rendez-vous" on a busy box, then the answer to the name question.
    "Bonjour, je voudrais arrender vous avec le docteur la semaine prochaine.",
    "Bonjour, je voudrais prendre rendez-vous avec le docteur la semaine prochaine.",
])
def test_a_caller_giving_their_name_is_asked_nothing(classifier: Classifier, first: str) -> None:
    """A name is no content: the heads' lean on a misheard first sentence (P(emergency) 0.40,
    `suicidal`) must not turn the name answer into a suicide question."""
    stream = classifier.stream("fr")
    for i, text in enumerate([first, "Je m'appelle Jean Martin.", "Elle s'appelle Marie du pont."]):
        c = stream.update(text, t=float(i), final=True)
        assert c.urgency is not Urgency.EMERGENCY, (text, c.red_flags)
        assert not c.suspected, (text, c.suspected)


def test_a_name_said_with_a_symptom_keeps_the_symptom(classifier: Classifier) -> None:
    c = classifier.classify("Je m'appelle Jean Martin et j'ai très mal à la poitrine", "fr")
    assert c.urgency is Urgency.EMERGENCY, c.suspected


# Emergencies in plain words, several of them in a register or wording the rules were not
# written from: each must be flagged, or at least asked about (suspected).
PARAPHRASED_EMERGENCIES = [
    ("fr", "Patiente de 70 ans, diabétique, elle vomit depuis ce matin, elle a une soif "
           "terrible et elle respire fort et vite."),
    ("fr", "Bon je vous appelle, on revenait du marché et là mon mari s'est mis à parler "
           "tout de travers, il a la bouche qui tombe à gauche."),
    ("fr", "c'est sûrement rien mais ma femme a des petites taches violettes sur les jambes "
           "et elle est brûlante, elle ne supporte pas la lumière"),
    ("fr", "mon voisin est par terre il ne répond plus quand je l'appelle"),
    ("fr", "euh ma fille de trois ans elle a avalé des cachets de sa mamie on sait pas "
           "combien"),
    ("en", "A 64-year-old man with COPD, increasingly breathless over the morning, now "
           "unable to finish a sentence."),
    ("en", "I'm the carer, the lady I look after had a water infection and now she's "
           "muddled and her skin looks blotchy."),
    ("en", "so yesterday I thought it was indigestion but now I've got this crushing weight "
           "in the middle of my chest and I'm drenched in sweat"),
    ("en", "my period's late and I've got awful pain low on the right and I'm bleeding"),
    ("en", "he's been jerking all over on the floor for about ten minutes and won't come "
           "round"),
]


@pytest.mark.parametrize(("lang", "text"), PARAPHRASED_EMERGENCIES)
def test_paraphrased_emergency_is_flagged_or_asked(
        classifier: Classifier, lang: str, text: str) -> None:
    c = classifier.classify(text, lang)
    assert c.urgency is Urgency.EMERGENCY or c.suspected, (text, c.urgency, c.review_reasons)


def test_rule_backed_emergency_in_few_words_is_never_lowered(classifier: Classifier) -> None:
    # Two or three words, almost no content: the protocol's evidence carries them.
    for lang, text in (("fr", "il respire plus"), ("en", "he's not breathing"),
                       ("fr", "je veux mourir")):
        c = classifier.classify(text, lang)
        assert c.urgency is Urgency.EMERGENCY, (text, c.suspected, c.review_reasons)
    # A rule's own suspicion ("convulse" without a duration) stays a question.
    c = classifier.classify("elle convulse", "fr")
    assert any(h.category.value == "seizure" for h in c.suspected), c.suspected


def test_content_words_leave_out_confirmations_dates_and_names_of_days() -> None:
    def words(text: str) -> list[str]:
        return content_words([w.text for w in analyse(text).words])

    assert words("oui c'est bien ça, jeudi si possible") == []
    assert words("Doule à ce moment si possible") == ["doule"]
    assert words("the twelfth of March, yes that's right") == ["twelfth"]
    assert len(words("il a une douleur dans la poitrine qui serre")) >= 3
