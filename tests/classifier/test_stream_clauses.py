"""The heads read a partial's completed clauses (`StreamingClassifier._clause_flags`): a long
caller turn is flagged at its red-flag clause, not only when the turn ends, and a long routine
turn full of medical words stays routine.

Hand-written turns (not from any corpus or external set), fed word by word as a recognizer's
partials, final only at the end, as the dialogue replay does."""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from classifier.engine import CLAUSE_SUFFIX, completed_clause, spoken_words
from tests.triage_checks import replay_word_by_word

# -- where a clause ends ------------------------------------------------------------------------

@pytest.mark.parametrize(("partial", "expected"), [
    ("il est tombé dans l'escalier.", 5),          # the recognizer's full stop
    ("il a mal à la poitrine, ça", 6),             # a comma, then the next clause began
    ("il est tombé il", 3),                         # a subject opens a new clause
    ("he fell down the stairs and", 5),
    ("she collapsed and then she", 0),              # after "then": the clause goes on
    ("il est tombé quand il", 0),                   # "quand il ..." goes on
    ("je voudrais un rendez-vous pour mon", 0),
    ("il a de la", 0),
    ("non", 0),
    ("", 0),
    ("il a 38,6", 0),                               # a decimal comma is not a clause end
])
def test_completed_clause(partial: str, expected: int) -> None:
    assert completed_clause(partial.split()) == expected


def test_fillers_are_not_spoken_words() -> None:
    assert spoken_words(["euh", "ben", "hum", "il", "est", "tombé", "euh"]) == 3


# -- a long turn flagged at its red-flag clause --------------------------------------------------

# Each turn goes on well after the words that decide; the protocol suspects the category there
# and the heads, reading the completed clause, are sure of it.
LONG_EMERGENCIES = [
    ("en", "hi um I'm calling about my dad he fell down the stairs about an hour ago and hit "
           "his head on the floor and he was out for a bit and now he's in the lounge and he "
           "keeps asking the same thing", RedFlag.TRAUMA, "stairs"),  # a window, no opener
    ("fr", "venez vite venez vite il y a un monsieur qui est tombé devant la boulangerie et "
           "les gens sont autour de lui on sait pas quoi faire il est tout seul on sait pas qui "
           "c'est", RedFlag.CONSCIOUSNESS, "boulangerie"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("language", "text", "category", "clause_end"), LONG_EMERGENCIES)
def test_long_turn_is_flagged_at_its_red_flag_clause(
        classifier: Classifier, language: str, text: str, category: RedFlag,
        clause_end: str) -> None:
    flagged, c, reads = replay_word_by_word(classifier, text, language)
    words = text.split()
    assert flagged is not None and flagged < len(words) - 10, "flagged only at the turn's end"
    # At the word after the completed clause or stretch (`clause_boundary`)...
    assert words[flagged - 2] == clause_end
    hit = next(h for h in c.red_flags if h.category is category)
    # ...by the heads, read as a final would be, marked so the audit (and the agent) knows.
    assert hit.source == "model" + CLAUSE_SUFFIX
    assert hit.t == pytest.approx(1.0 + 0.4 * flagged)
    assert reads >= 1


@pytest.mark.slow
@pytest.mark.parametrize(("language", "text", "category", "clause_end"), LONG_EMERGENCIES)
def test_plain_stream_flags_the_clause_as_the_fast_one(
        classifier: Classifier, language: str, text: str, category: RedFlag,
        clause_end: str) -> None:
    """Heads on every partial (the live agent's stream) or on finals only (the replay's):
    the same clause read, the same flag at the same word."""
    fast = replay_word_by_word(classifier, text, language, fast=True)
    plain = replay_word_by_word(classifier, text, language, fast=False)
    assert fast[0] == plain[0]
    assert [(h.category, h.source, h.t) for h in fast[1].red_flags] == \
        [(h.category, h.source, h.t) for h in plain[1].red_flags]


@pytest.mark.slow
def test_the_agent_acts_on_a_clause_flag_at_once(classifier: Classifier) -> None:
    """The agent hands off on a partial only for hits that are not the model's final guess
    (`protocol_hits`); a clause read stands for a final, so it is acted on at once and the
    live call is flagged when the replay says."""
    from pipeline.agent.dialogue import protocol_hits

    language, text, category, _ = LONG_EMERGENCIES[0]
    flagged, c, _ = replay_word_by_word(classifier, text, language)
    assert flagged is not None
    assert category in {h.category for h in protocol_hits(c)}


# -- long routine turns stay routine -------------------------------------------------------------

LONG_ROUTINE = [
    # A condition named early, the request only at the end: the heads alone lean to an
    # emergency on "ma fille ... elle est asthmatique" (P 0.32), not enough on a clause.
    ("fr", "bonjour c'est pour ma fille elle a douze ans elle est asthmatique et il faudrait "
           "renouveler sa ventoline et son traitement de fond avant les vacances"),
    ("en", "hi I'm calling about my daughter she's twelve and she's asthmatic and she needs "
           "her inhaler renewed before the school trip next week"),
    ("fr", "bonjour je suis enceinte de sept mois tout va bien et je voudrais avancer mon "
           "rendez-vous de suivi avec la sage-femme à la semaine prochaine"),
    # An address first: the heads read "j'habite 12 rue des Lilas ... le code" as a stroke
    # (P 0.74); the protocol suspects nothing there, so they are not asked.
    ("fr", "alors j'habite 12 rue des Lilas à Villeurbanne c'est au troisième étage porte "
           "gauche le code c'est 4 5 B 7 et je voudrais un rendez-vous pour un certificat de "
           "sport pour mon fils"),
    ("fr", "bonjour mon fils est tombé de vélo la semaine dernière il s'est fait une entorse "
           "au poignet et le docteur avait dit de revenir pour le contrôler"),
    ("fr", "bonjour alors voilà c'est pour ma grand-mère elle a 90 ans elle a de l'arthrose "
           "elle a du mal à marcher et elle voudrait que le docteur passe à la maison pour son "
           "renouvellement"),
    ("en", "hi my son had a seizure when he was little with a fever but nothing since then "
           "and the school needs a form filled in for sports"),
    ("fr", "oui bonjour c'est pour mon père il a eu une pneumonie le mois dernier il a été "
           "hospitalisé il va beaucoup mieux maintenant et il voudrait une radio de contrôle"),
    # Asthma named, then "ça va très bien": a stretch cut at "il a pas" must not raise.
    ("fr", "oui bonjour c'est pour renouveler la ventoline de mon garçon il est asthmatique "
           "mais en ce moment ça va très bien il a pas fait de crise depuis l'automne c'est "
           "juste que le flacon est presque vide"),
    ("en", "hello I'm ringing for my mum she's eighty two she's diabetic and her sugars have "
           "been fine all month she just needs her insulin pens and strips renewed before we "
           "go away"),
    ("fr", "bonjour mon père a fait un AVC il y a deux ans il a bien récupéré il marche et il "
           "parle normalement et il faudrait juste un rendez-vous pour son suivi avec le "
           "docteur"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("language", "text"), LONG_ROUTINE)
def test_long_routine_turn_stays_routine(classifier: Classifier, language: str,
                                         text: str) -> None:
    flagged, c, _ = replay_word_by_word(classifier, text, language)
    assert flagged is None, c.red_flags
    assert c.urgency is not Urgency.EMERGENCY


@pytest.mark.slow
def test_clauses_were_read_on_the_routine_turns(classifier: Classifier) -> None:
    """The routine table is not trivial: on the asthma turns the protocol suspected breathing
    and the heads did read clauses, and did not raise."""
    reads = [replay_word_by_word(classifier, text, language)[2]
             for language, text in LONG_ROUTINE[:2]]
    assert all(r >= 1 for r in reads)


# -- when clauses are not read -------------------------------------------------------------------

@pytest.mark.slow
def test_no_clause_read_once_flagged_or_after_a_human_cleared(classifier: Classifier) -> None:
    s = classifier.stream("fr", model_on_partials=False, heads_on_flagged_finals=False)
    s.update("il a une douleur dans la poitrine qui serre", t=1.0, final=True)
    assert s.emergency
    turn = ("venez vite il y a un monsieur qui est tombé devant la boulangerie et les gens "
            "sont autour")
    words = turn.split()
    for i in range(1, len(words)):
        s.update(" ".join(words[:i]), t=2.0 + i, final=False)
    assert s.clause_reads == 0  # already flagged: the finals do the rest
    s.clear_emergency("dr-test")
    for i in range(1, len(words)):
        s.update(" ".join(words[:i]), t=20.0 + i, final=False)
    assert s.clause_reads == 0  # after a human's review, words are read on finals only


def test_protocol_only_classifier_reads_no_clause() -> None:
    from classifier import ClassifierConfig

    clf = Classifier.load(ClassifierConfig(use_model=False))
    flagged, _, reads = replay_word_by_word(clf, LONG_EMERGENCIES[0][1], "en")
    assert reads == 0
