"""The heads read a long caller turn at clause-like boundaries before its final
(`StreamingClassifier._clause_flags`, `clause_boundary`), and never on a stretch that gives an
address, a phone number, a name or a date of birth (`identification`).

Hand-written turns (not from any corpus or external set), fed word by word as a recognizer's
partials with no punctuation, final only at the end, as the dialogue replay does."""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency
from classifier.engine import CLAUSE_SUFFIX, CLAUSE_WINDOW_WORDS, clause_boundary, identification
from tests.triage_checks import replay_word_by_word

# -- what is identification ---------------------------------------------------------------------

@pytest.mark.parametrize("stretch", [
    "alors c'est au 14 rue des Acacias à Villeneuve",
    "on est sur la départementale juste après le pont",
    "bâtiment C au troisième étage porte gauche",
    "le code c'est 4 5 B 7",
    "oui c'est le 06 12 48 77 30",
    "mon portable c'est le 06",
    "je m'appelle Martin D U P O N T",
    "Dupont d comme Denis",
    "elle est née le 3 mars 1950",
    "my date of birth is the fifth of May",
    "we're at 22 Mill Lane flat 3",
])
def test_identification_stretches(stretch: str) -> None:
    assert identification(stretch.split())


@pytest.mark.parametrize("stretch", [
    "il est tombé dans l'escalier et il bouge plus",
    "il a 39,5 de fièvre depuis 2 jours",
    "il ne respire plus depuis deux minutes",
    "il ne le reconnaît plus",
    "he has been on the floor for two hours",
    "j'appelle pour mon mari il a mal dans la poitrine",
    "comme d'habitude elle a pris son traitement",
    "accident sur la route il saigne beaucoup",
])
def test_clinical_stretches_are_not_identification(stretch: str) -> None:
    assert not identification(stretch.split())


# -- where a stretch ends -----------------------------------------------------------------------

def test_clause_boundary_reads_a_stretch_without_punctuation() -> None:
    said = "elle a du mal à respirer depuis ce matin elle siffle beaucoup"
    words = said.split()
    # "elle" opens a clause: the completed clause before it is read.
    assert clause_boundary(words[:10], 0) == 9
    # A filler is a pause: the words before it are a stretch.
    assert clause_boundary(["ma", "mère", "respire", "mal", "euh"], 0) == 4
    # With no boundary, a window of words is read once the next word is heard...
    said = "mon grand-père respire très mal depuis ce matin très fort vraiment"
    run = said.split()
    assert clause_boundary(run[:CLAUSE_WINDOW_WORDS + 1], 0) == CLAUSE_WINDOW_WORDS
    assert clause_boundary(run[:CLAUSE_WINDOW_WORDS], 0) == 0
    # ...counted from the last read, and never cut after a word that cannot end a clause.
    assert clause_boundary(run[:CLAUSE_WINDOW_WORDS + 1], 2) == 0
    said = "il a une douleur dans la poitrine qui serre de la"
    assert clause_boundary(said.split(), 0) == 0


# -- a long unpunctuated turn, flagged at its red-flag clause ------------------------------------

LONG_EMERGENCY = (
    "fr",
    "oui bonjour c'est pour mon père il est tombé dans le jardin il s'est cogné la tête sur "
    "une pierre il saigne un peu il a vomi deux fois depuis et il arrête pas de s'endormir il "
    "prend un anticoagulant",
)


@pytest.mark.slow
def test_long_unpunctuated_turn_is_flagged_before_its_final(classifier: Classifier) -> None:
    language, text = LONG_EMERGENCY
    flagged, c, reads = replay_word_by_word(classifier, text, language)
    words = text.split()
    assert flagged is not None and flagged < len(words) - 8, "flagged only at the turn's end"
    # By the heads, on the fall and the blow to the head, before the rules hear "il a vomi"
    # (where the stream without the boundary reader first flagged: word 27 of 40).
    assert flagged <= words.index("vomi"), words[:flagged]
    hit = next(h for h in c.red_flags if h.category is RedFlag.TRAUMA)
    assert hit.source.endswith(CLAUSE_SUFFIX)
    assert reads >= 1
    assert c.urgency is Urgency.EMERGENCY


@pytest.mark.slow
def test_plain_and_fast_streams_agree_on_the_long_turn(classifier: Classifier) -> None:
    """Heads on every partial (the live agent's stream) or on finals only (the replay's):
    the same stretches read, the same flag at the same word."""
    language, text = LONG_EMERGENCY
    fast = replay_word_by_word(classifier, text, language, fast=True)
    plain = replay_word_by_word(classifier, text, language, fast=False)
    assert fast[0] == plain[0]
    assert [(h.category, h.source, h.t) for h in fast[1].red_flags] == \
        [(h.category, h.source, h.t) for h in plain[1].red_flags]


# -- an address never raises ---------------------------------------------------------------------

# Each answers the regulator's "where are you?". On the final, a heads-only emergency there is
# asked, not raised (`_identification_answer`); no stretch of it reaches the heads before.
ADDRESS_TURNS = [
    ("fr", "alors c'est au 14 rue des Acacias à Villeneuve c'est une maison avec un portail "
           "vert au fond de l'impasse à côté de la pharmacie juste après le rond point"),
    ("fr", "on est sur la départementale 12 à la sortie du village au niveau du rond point du "
           "supermarché juste après le pont sur la droite il y a un chemin"),
    ("en", "we're at 22 Mill Lane it's the flat on the second floor the buzzer doesn't work "
           "so the code for the door is four five six two and then up the stairs"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("language", "text"), ADDRESS_TURNS)
def test_an_address_turn_never_raises(classifier: Classifier, language: str,
                                      text: str) -> None:
    question = "Quelle est l'adresse ?" if language == "fr" else "What's the address?"
    flagged, c, reads = replay_word_by_word(classifier, text, language, asked=question)
    assert flagged is None, c.red_flags
    assert not any(h.source.endswith(CLAUSE_SUFFIX) for h in c.red_flags)
    assert reads == 0  # the protocol suspects nothing and every stretch is an address


# -- a routine long turn stays routine ----------------------------------------------------------

