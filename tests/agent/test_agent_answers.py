"""Reading caller answers: yes/no, a person, names, dates, numbers, corrections, turn ends."""

from __future__ import annotations

import pytest

from pipeline.agent.answers import (
    correct_name,
    digits_from_words,
    find_name,
    is_dangling,
    parse_date_of_birth,
    parse_name,
    parse_phone,
    parse_yes_no,
    wants_human,
)
from pipeline.agent.turns import Expect, TurnOptions, turn_wait
from pipeline.agent.wording import spoken_number


@pytest.mark.parametrize("text", ["oui", "Ouais.", "voui", "oui oui j'ai du mal", "Yes", "yeah",
                                  "tout à fait", "bien sûr", "euh oui", "c'est ça",
                                  "Waze.", "Wise bien sa.", "We.", "Whisse bien ça."])
def test_yes_variants(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", ["non", "Nan.", "no", "non non pas du tout", "pas du tout",
                                  "nope", "euh non", "not really", "Nom.", "Nord.", "N'aule.",
                                  "non, c'est Dupond avec un d"])
def test_no_variants(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["", "euh", "je sais pas trop", "peut-être"])
def test_unclear_answers(text: str) -> None:
    assert parse_yes_no(text) is None


@pytest.mark.parametrize("text", ["je veux parler à quelqu'un", "Je voudrais parler à une vraie "
                                  "personne", "passez-moi un humain", "I want a real person",
                                  "can I speak to someone please", "parler avec le secrétariat",
                                  "Je veux parler à quel camp."])
def test_wants_human(text: str) -> None:
    assert wants_human(text)


def test_wants_human_not_triggered_by_reasons() -> None:
    assert not wants_human("j'ai mal à la gorge depuis trois jours")
    assert not wants_human("je voudrais un rendez-vous avec le docteur Martin")


@pytest.mark.parametrize("said,digits", [
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "0 6 12 34 56 78"),
    ("mille neuf cent quatre-vingts", "1980"),
    ("quatre-vingt-dix-neuf", "99"),
    ("soixante et onze", "71"),
    ("deux mille cinq", "2005"),
])
def test_numbers_in_words(said: str, digits: str) -> None:
    assert digits_from_words(said) == digits


@pytest.mark.parametrize("said,e164", [
    ("06 12 34 56 78", "+33612345678"),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "+33612345678"),
    ("Rappelez-moi au 01 23 45 67 89 s'il vous plaît", "+33123456789"),
    ("plus 33 6 12 34 56 78", "+33612345678"),
])
def test_phone_numbers(said: str, e164: str) -> None:
    assert parse_phone(said) == e164


@pytest.mark.parametrize("said", ["12 34", "Jean Martin", "zéro six douze", "oui"])
def test_not_phone_numbers(said: str) -> None:
    assert parse_phone(said) is None


@pytest.mark.parametrize("said,iso", [
    ("Le 3 mars 1980.", "1980-03-03"),
    ("le trois mars mille neuf cent quatre-vingts", "1980-03-03"),
    ("03/03/1980", "1980-03-03"),
    ("Je suis née le 1er décembre 1975", "1975-12-01"),
    ("March 3rd, 1980", "1980-03-03"),
    ("le 12 juin 75", "1975-06-12"),
])
def test_dates_of_birth(said: str, iso: str) -> None:
    assert parse_date_of_birth(said) == iso


@pytest.mark.parametrize("said", ["le 31 février 1980", "le 3 mars 2090", "Jean Martin",
                                  "je ne sais plus", "s'il vous plaît"])
def test_not_dates_of_birth(said: str) -> None:
    assert parse_date_of_birth(said) is None


@pytest.mark.parametrize("said,name", [
    ("Je m'appelle Marie Dupont.", "Marie Dupont"),
    ("Marie Dupont", "Marie Dupont"),
    ("c'est Jean-Pierre Martin, né le 3 mars", "Jean-Pierre Martin"),
    ("Je m'appelle Marie du Pont", "Marie du Pont"),
])
def test_names(said: str, name: str) -> None:
    parsed = parse_name(said)
    assert parsed is not None and parsed.text == name


@pytest.mark.parametrize("said", [
    "s'il vous plaît", "Rendez-Vous Pour Un Renouvellement D'ordonnance",
    "Je m'appelle", "Oui, c'est bien ça.", "Le 3 mars 1980.", "Dupont", "euh",
])
def test_not_names(said: str) -> None:
    assert parse_name(said) is None


def test_a_name_inside_a_longer_answer_needs_its_lead_in() -> None:
    found = find_name("Bonjour, je m'appelle Marie Dupont, je voudrais un rendez-vous")
    assert found is not None and found.text == "Marie Dupont"
    assert find_name("je voudrais un rendez-vous pour un renouvellement") is None


@pytest.mark.parametrize("said,corrected", [
    ("non, c'est Dupond avec un d", "Marie Dupond"),
    ("Non, Dupond, avec un d à la fin", "Marie Dupond"),
    ("non c'est Durand", "Marie Durand"),
    ("non je m'appelle Anne Dupont", "Anne Dupont"),
])
def test_name_corrections(said: str, corrected: str) -> None:
    assert correct_name("Marie Dupont", said) == corrected


def test_sentences_cut_by_a_pause_are_dangling() -> None:
    assert is_dangling("Je voudrais prendre.")
    assert is_dangling("c'est pour mon")
    assert not is_dangling("Je voudrais un rendez-vous.")


def test_turn_waits_follow_the_words_and_the_end_of_turn_model() -> None:
    opts = TurnOptions()
    assert turn_wait("Je voudrais prendre.", Expect.SENTENCE, 0.9, opts) == opts.incomplete_wait_s
    assert turn_wait("Je voudrais un rendez-vous.", Expect.SENTENCE, 0.9, opts) is None
    assert turn_wait("Je voudrais un rendez-vous.", Expect.SENTENCE, 0.2, opts) == opts.max_wait_s
    assert turn_wait("Marie Dupont", Expect.NAME, None, opts) is None
    assert turn_wait("Marie", Expect.NAME, 0.2, opts) == opts.max_wait_s
    assert turn_wait("oui", Expect.YES_NO, 0.8, opts) is None


def test_spoken_number() -> None:
    assert spoken_number("+33612345678") == "06 12 34 56 78"
