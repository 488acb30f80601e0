"""The similarity signal (issue 13): clause windows, the reference bank, and what the served
classifier does with paraphrases no rule names and with garbled routine fragments.

Every utterance here is written in this test, not taken from the corpus or any external set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.labels import RedFlag, Urgency
from classifier.similarity import ReferenceBank, clause_windows


def _texts(text: str) -> list[str]:
    return [text[s:e] for s, e in clause_windows(text)]


def test_clauses_and_adjacent_pairs() -> None:
    text = "il a de la fièvre depuis hier, et il a le cou tout bloqué"
    windows = _texts(text)
    assert "il a de la fièvre depuis hier" in windows
    assert "il a le cou tout bloqué" in windows
    # The pair keeps the two halves of one picture together.
    assert any("fièvre" in w and "cou" in w for w in windows)


def test_negated_and_past_clauses_are_left_out() -> None:
    windows = _texts("pas de douleur dans la poitrine, il a fait un infarctus il y a cinq ans, "
                     "je voudrais renouveler son ordonnance")
    assert not any("poitrine" in w for w in windows)
    assert not any("infarctus" in w for w in windows)
    assert any("ordonnance" in w for w in windows)
    # "ne ... plus" and "sans arrêt" describe a symptom, they do not deny it.
    assert _texts("elle n'arrive plus à respirer") == ["elle n'arrive plus à respirer"]
    assert any("saigne" in w for w in _texts("he saigne sans arrêt depuis une heure"))
    assert _texts("no chest pain at all") == []


def test_a_month_back_and_a_relatives_death_are_past() -> None:
    """"Last month" dates an episode as "months ago" does, unless the caller says it has
    lasted since; a relative's death is family history, not a picture now."""
    assert not any("stroke" in w for w in _texts(
        "I'm calling about my mother's discharge, she had a stroke last month"))
    assert not any("infarctus" in w for w in _texts(
        "ma voisine a fait un infarctus le mois dernier, je voudrais un bilan"))
    assert not any("cancer" in w for w in _texts("ma mère est morte d'un cancer"))
    assert not any("heart" in w for w in _texts("my dad died of a heart attack at sixty"))
    assert any("tousse" in w for w in _texts("il tousse du sang depuis le mois dernier"))
    assert any("wheezy" in w for w in _texts("she has been wheezy since last month"))


def test_reassuring_clauses_are_left_out() -> None:
    """A function said intact or a sign said stopped sits next to that red flag's
    descriptions in e5 space; it is no evidence of it. Said with a negator it stays."""
    windows = _texts("des plaques rouges sur les bras, je respire bien, il mange normalement")
    assert windows == ["des plaques rouges sur les bras"]
    assert _texts("the cut is deep, it has stopped bleeding, I can swallow") == [
        "the cut is deep"]
    assert _texts("ça ne saigne plus") == []
    assert _texts("je ne respire pas bien") == ["je ne respire pas bien"]
    assert _texts("I can't swallow") == ["I can't swallow"]
    assert _texts("il ne respire plus") == ["il ne respire plus"]
    assert _texts("she can barely breathe") == ["she can barely breathe"]


def test_bank_covers_every_category_and_rejects_unknown(tmp_path: Path) -> None:
    bank = ReferenceBank.load()
    assert set(bank.categories) == set(RedFlag)
    assert all(len(v) >= 4 for v in bank.categories.values())
    assert len(bank.benign) >= 20
    bad = tmp_path / "bank.yaml"
    bad.write_text("categories:\n  heart_attack:\n    en: [chest pain]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown red flag 'heart_attack'; allowed: chest_pain"):
        ReferenceBank.load(bad)
    bad.write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a mapping"):
        ReferenceBank.load(bad)


@pytest.fixture(scope="module")
def served():  # type: ignore[no-untyped-def]
    from classifier import Classifier, ClassifierConfig

    clf = Classifier.load(ClassifierConfig())
    if clf.model is None or clf.model.similarity is None:
        pytest.fail(f"the served classifier needs the heads and the bank: {clf.model_error}")
    return clf


# One paraphrase per category, FR and EN, in words chosen to differ from the rules' phrases.
PARAPHRASES: list[tuple[str, str, str]] = [
    ("chest_pain", "fr", "j'ai comme un étau qui me broie le haut du torse et ça part dans "
                         "l'épaule gauche"),
    ("chest_pain", "en", "there's a vice gripping the middle of my ribcage and it's going "
                         "into my left shoulder"),
    ("breathing", "fr", "il halète, il n'arrive pas à aligner trois mots, ses lèvres "
                        "virent au bleu"),
    ("breathing", "en", "she's panting like she's drowning and can't get three words out"),
    ("stroke", "fr", "d'un coup sa bouche s'est affaissée à droite et son bras droit pend"),
    ("stroke", "en", "all of a sudden half his face sagged and his right arm just hangs"),
    ("seizure", "fr", "il est secoué de spasmes de la tête aux pieds depuis un bon "
                      "moment et il ne reprend pas ses esprits"),
    ("seizure", "en", "her whole body has been jerking for ages and she isn't coming to"),
    ("anaphylaxis", "fr", "après les crevettes sa langue a doublé de volume et il a du mal "
                          "à déglutir"),
    ("anaphylaxis", "en", "after the shrimp his tongue has doubled in size and he can hardly "
                          "swallow"),
    ("poisoning", "fr", "mon fils de deux ans a croqué plusieurs cachets de la plaquette de "
                        "son grand-père"),
    ("poisoning", "en", "my toddler chewed a handful of tablets from grandpa's blister pack"),
    ("suicidal", "fr", "il m'a dit qu'il allait mettre fin à tout ça ce soir, il a rassemblé "
                       "ses comprimés"),
    ("suicidal", "en", "he told me he's going to finish it all tonight, he's gathered his "
                       "tablets"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("category", "language", "text"), PARAPHRASES)
def test_paraphrases_are_raised_or_asked(served, category: str, language: str,  # type: ignore[no-untyped-def]
                                         text: str) -> None:
    c = served.classify(text, language)
    raised = c.urgency is Urgency.EMERGENCY
    asked = bool(c.suspected)
    assert raised or asked, (c.urgency, c.red_flags, c.suspected, dict(c.urgency_scores))


GARBLED = [
    ("fr", ["Bonjour, je voudrais renouveler mon ordonnance pour la tension.",
            "Whisse bien ça"]),
    ("fr", ["Bonjour, c'est pour décaler mon rendez-vous de jeudi.",
            "Doule à ce moment si possible"]),
    ("en", ["Hi, I need my repeat prescription for my inhaler.", "Yeth thaz rye thank"]),
]


@pytest.mark.slow
@pytest.mark.parametrize(("language", "finals"), GARBLED)
def test_garbled_routine_fragments_never_transfer_the_call(served, language: str,  # type: ignore[no-untyped-def]
                                                           finals: list[str]) -> None:
    stream = served.stream(language)
    t = 0.0
    for final in finals:
        words = final.split()
        for i in range(1, len(words) + 1):
            t += 0.3
            last = stream.update(" ".join(words[:i]), t=t, final=i == len(words))
    assert last.urgency is not Urgency.EMERGENCY, (last.red_flags, dict(last.urgency_scores))
    assert not stream.emergency


# Requests that name a serious condition's treatment, written here: the heads learnt that
# "Ventoline", "antidépresseurs", "épilepsie" go with emergencies (issue 13).
REQUESTS = [
    ("fr", "Bonjour, je voudrais renouveler les antiépileptiques de ma fille, il lui en reste "
           "deux jours."),
    ("fr", "Est-ce que je peux avoir une nouvelle ordonnance pour mes anticoagulants ?"),
    ("en", "Could I get a repeat of my husband's insulin pens, he's down to his last one."),
    ("en", "I'd like to book my annual asthma review, my salbutamol is running low."),
    ("en", "Can you renew my sertraline please, I only have a few days left."),
]


@pytest.mark.slow
@pytest.mark.parametrize(("language", "text"), REQUESTS)
def test_a_plain_request_is_never_transferred(served, language: str,  # type: ignore[no-untyped-def]
                                              text: str) -> None:
    c = served.classify(text, language)
    assert c.urgency is not Urgency.EMERGENCY, (c.red_flags, dict(c.urgency_scores))


def test_plain_request_means_a_request_and_no_symptom() -> None:
    from classifier.engine import _plain_request
    from classifier.protocol import Protocol
    from classifier.text import analyse

    protocol = Protocol.load()

    def plain(text: str) -> bool:
        return _plain_request(protocol.match(analyse(text), None))

    assert plain("je voudrais renouveler mon ordonnance de Ventoline")
    assert plain("can I have the results of my blood test")
    # A symptom, a suspicion or a red flag said with the request: the heads may raise.
    assert not plain("je voudrais renouveler ma Ventoline, je suis très essoufflé")
    assert not plain("can I renew my inhaler, I can't breathe")
    assert not plain("I need a repeat prescription, and my chest hurts")
