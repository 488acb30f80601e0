"""The written protocol: each red flag fires in French and English, each trap does not."""

from __future__ import annotations

import pytest

from classifier import Classifier, RedFlag, Urgency

RED_FLAG_CASES = {
    RedFlag.CHEST_PAIN: (
        "euh bonjour c'est pour mon mari il a une douleur dans la poitrine qui serre",
        "my husband has crushing pain in his chest",
    ),
    RedFlag.BREATHING: ("elle arrive plus à respirer elle a les lèvres bleues",
                        "he can't breathe his lips are turning blue"),
    RedFlag.STROKE: ("il a la bouche de travers et il parle bizarrement",
                     "her face is drooping and her speech is slurred"),
    RedFlag.CONSCIOUSNESS: ("ma mère s'est effondrée elle répond plus",
                            "my dad collapsed and he is unresponsive"),
    RedFlag.BLEEDING: ("il vomit du sang depuis une heure",
                       "she is bleeding heavily and it won't stop"),
    RedFlag.ANAPHYLAXIS: ("il a été piqué par une guêpe et ses lèvres gonflent",
                          "she ate peanuts and now her throat is closing"),
    RedFlag.INFANT_FEVER: ("mon bébé de six semaines a trente-huit cinq de fièvre",
                           "my 5 week old baby has a temperature of 38.2"),
    RedFlag.SUICIDAL: ("je veux en finir ce soir j'ai préparé les cachets",
                       "I want to kill myself tonight"),
    RedFlag.SEIZURE: ("il convulse depuis cinq minutes", "she has been seizing for 10 minutes"),
    RedFlag.MENINGITIS: ("il a 39 de fièvre et la nuque raide",
                         "he has a fever and a purple rash that doesn't fade"),
    RedFlag.POISONING: ("ma fille a avalé des médicaments de sa grand-mère",
                        "he took an overdose of sleeping pills"),
    RedFlag.OBSTETRIC: ("je suis enceinte de trente semaines et je saigne",
                        "I'm 34 weeks pregnant and the baby has stopped moving"),
    RedFlag.TRAUMA: ("il est tombé sur la tête et il a vomi deux fois",
                     "she fell off a ladder hit her head and was knocked out"),
}


@pytest.mark.parametrize("flag", list(RED_FLAG_CASES), ids=lambda f: f.value)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_red_flag_fires(rules: Classifier, flag: RedFlag, lang: str) -> None:
    text = RED_FLAG_CASES[flag][0 if lang == "fr" else 1]
    c = rules.classify(text, lang)
    assert c.urgency is Urgency.EMERGENCY, c.to_dict()
    hit = next(h for h in c.red_flags if h.category is flag)
    # Explainable: the caller's own words and the rule id.
    assert hit.span is not None and text[hit.span.start:hit.span.end] == hit.span.text
    assert hit.source.startswith(flag.value + ".")
    assert c.intent.value == "symptom_report"


TRAPS = [
    # negation
    ("fr", "il n'a pas de douleur thoracique il tousse juste un peu"),
    ("fr", "pas de douleur à la poitrine et il respire bien"),
    ("fr", "elle ne saigne pas c'est juste un bleu"),
    ("en", "no chest pain just a bit of a cough"),
    ("en", "he has a fever but no stiff neck"),
    ("en", "she doesn't have any chest pain"),
    # past history
    ("fr", "il a fait un infarctus il y a cinq ans je voudrais renouveler son ordonnance"),
    ("fr", "mon père est mort d'un infarctus je voudrais faire un bilan"),
    ("en", "I have a history of stroke and need my prescription renewed"),
    ("en", "he had a heart attack years ago and wants a check up"),
    # "mal au cœur" is nausea
    ("fr", "j'ai mal au cœur depuis ce matin"),
    ("fr", "elle a mal au coeur et envie de vomir"),
    # third-party caller asking for something routine
    ("fr", "c'est pour mon mari il voudrait un rendez-vous pour son genou"),
    ("en", "I'm calling for my mother she needs her blood test results"),
    # idioms and everyday words that look like evidence
    ("fr", "je suis mort de fatigue je voudrais un arrêt de travail"),
    ("en", "I need my flu shot"),
    ("fr", "il a avalé de travers mais ça va maintenant"),
]


@pytest.mark.parametrize(("lang", "text"), TRAPS)
def test_traps_do_not_fire(rules: Classifier, lang: str, text: str) -> None:
    c = rules.classify(text, lang)
    assert c.urgency is not Urgency.EMERGENCY, c.to_dict()
    assert not c.red_flags


@pytest.mark.parametrize("text", [
    "c'est sûrement rien mais il a mal à la poitrine",
    "je veux pas vous déranger mais elle arrive plus à respirer",
    "it's probably nothing but he has chest pain",
    "sorry to bother you but I think she's having a stroke",
])
def test_downplaying_does_not_lower_urgency(rules: Classifier, text: str) -> None:
    assert rules.classify(text).urgency is Urgency.EMERGENCY


@pytest.mark.parametrize("text", [
    "euh bonjour euh c'est pour mon mari il a euh une douleur à la poitin depuis ce matin",
    "bah il il a mal à la à la poitrine du coup",
    "allo oui euh elle convulse toujours ça fait plus de dix minutes",
    "um hi so my husband he he has chests pain and he's sweating",
    "elle a une douleur thorasique",
])
def test_asr_text_still_fires(rules: Classifier, text: str) -> None:
    c = rules.classify(text)
    assert c.urgency is Urgency.EMERGENCY, c.to_dict()


def test_misheard_word_is_reported_as_fuzzy(rules: Classifier) -> None:
    c = rules.classify("il a une douleur à la poitin", "fr")
    assert c.red_flags[0].category is RedFlag.CHEST_PAIN
    assert c.red_flags[0].source.endswith("~fuzzy")
    assert c.red_flags[0].span is not None and "poitin" in c.red_flags[0].span.text


def test_partial_evidence_is_suspected_not_escalated(rules: Classifier) -> None:
    c = rules.classify("il a fait une crise d'épilepsie tout à l'heure", "fr")
    assert c.urgency is Urgency.URGENT
    assert not c.red_flags
    assert [h.category for h in c.suspected] == [RedFlag.SEIZURE]
    assert not c.suspected[0].confirmed


def test_infant_fever_thresholds(rules: Classifier) -> None:
    # Under 3 months and >= 38 °C: emergency; older baby or lower temperature: not.
    assert rules.classify("mon bébé de deux mois a 38,2 de fièvre").urgency is Urgency.EMERGENCY
    assert rules.classify("mon bébé de cinq mois a 38,2 de fièvre").urgency is not \
        Urgency.EMERGENCY
    assert rules.classify("mon bébé de deux mois a 37,4").urgency is not Urgency.EMERGENCY
    # Baby of unknown age with fever: ask (suspected), do not escalate.
    c = rules.classify("mon bébé a de la fièvre")
    assert RedFlag.INFANT_FEVER in [h.category for h in c.suspected]


def test_seizure_duration_modifier(rules: Classifier) -> None:
    assert rules.classify("il convulse depuis deux minutes").urgency is Urgency.URGENT
    assert rules.classify("il convulse depuis six minutes").urgency is Urgency.EMERGENCY
    assert rules.classify("he had a seizure and is not waking up").urgency is Urgency.EMERGENCY


def test_practice_protocol_override_tightens(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from classifier import ClassifierConfig

    override = tmp_path / "practice.yaml"
    override.write_text(
        "concepts:\n  hypertension:\n    fr: [\"tension a 22\"]\n    en: []\n"
        "categories:\n  stroke:\n    rules:\n"
        "      - {id: stroke.practice_bp, all: [hypertension]}\n", encoding="utf-8")
    strict = Classifier.load(ClassifierConfig(use_model=False, protocol_file=override))
    c = strict.classify("ma tension à 22 ce matin", "fr")
    assert [h.source for h in c.red_flags] == ["stroke.practice_bp"]


def test_bad_protocol_file_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from classifier import ClassifierConfig, ProtocolError

    bad = tmp_path / "bad.yaml"
    bad.write_text("categories:\n  heart_thing:\n    rules: []\n", encoding="utf-8")
    with pytest.raises(ProtocolError, match="heart_thing"):
        Classifier.load(ClassifierConfig(use_model=False, protocol_file=bad))


def test_bad_input(rules: Classifier) -> None:
    for text in ("", "   \n "):
        c = rules.classify(text)
        assert c.urgency is Urgency.ROUTINE and c.intent.value == "other"
        assert c.needs_review and "empty_text" in c.review_reasons
    long_text = "il a mal à la poitrine " + "bla " * 3000
    with pytest.warns(UserWarning, match="truncated"):
        c = rules.classify(long_text)
    assert c.urgency is Urgency.EMERGENCY and "truncated" in c.review_reasons
    assert len(c.text) == rules.config.max_chars


def test_out_of_scope_language_needs_review(rules: Classifier) -> None:
    c = rules.classify("hola tengo un dolor muy fuerte en el pecho desde ayer")
    assert c.needs_review
    assert any(r.startswith("language_out_of_scope") for r in c.review_reasons)


def test_protocol_only_intents(rules: Classifier) -> None:
    cases = {
        "je voudrais prendre rendez-vous avec le docteur Martin": "appointment_booking",
        "je dois annuler mon rendez-vous de demain": "appointment_change",
        "je voudrais renouveler mon ordonnance": "prescription_renewal",
        "je voudrais les résultats de ma prise de sang": "test_results",
        "j'ai besoin d'un certificat médical": "administrative",
        "I'd like to book an appointment": "appointment_booking",
    }
    for text, intent in cases.items():
        assert rules.classify(text).intent.value == intent, text


def test_phrase_matches_are_memoised_without_changing_them() -> None:
    """`PhraseIndex.find` memoises what matches from a word by the words a phrase can reach
    (a call's replay rescans the same words at every update): the same occurrences as a
    fresh index, whatever was scanned before."""
    from classifier.protocol import Protocol
    from classifier.text import analyse

    texts = ["il a très mal à la poitrine et il transpire",
             "elle a mal à la tête, pas à la poitrine",
             "mal à la poitrine", "mal à la", "il a très mal au ventre depuis ce matin",
             "my dad has crushing chest pain and he is sweating"]
    warm = Protocol.load()
    for text in texts * 2:
        warm.match(analyse(text), None)
    for text in texts:
        fresh = Protocol.load()
        words = analyse(text).words_with_punct
        a = sorted((o.concept, o.start, o.end, o.fuzzy)
                   for o in warm._index(("fr", "en")).find(words))
        b = sorted((o.concept, o.start, o.end, o.fuzzy)
                   for o in fresh._index(("fr", "en")).find(words))
        assert a == b, text
