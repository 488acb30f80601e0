"""Ages and temperatures said the way callers and recognizers say them (issue 13, t-rules)."""

from __future__ import annotations

import pytest

from classifier.facts import ages, temperatures
from classifier.text import analyse


@pytest.mark.parametrize(("text", "months"), [
    ("our baby's 2 months and her temp is 38.4", 2.0),
    ("le bébé qui 23 jours est brûlant", 23 / 30.4),
    ("my newborn 17 days old", 17 / 30.4),
    ("mon bébé 6 semaines est tout chaud", 6 / 4.33),
])
def test_an_infant_age_said_without_its_verb(text: str, months: float) -> None:
    found = ages(analyse(text))
    assert found, text
    assert found[0].age.in_months == pytest.approx(months, rel=0.05)


@pytest.mark.parametrize("text", [
    "my son 3 days of fever",
    "ma fille 3 semaines enceinte",
    "my wife 8 weeks pregnant",
    "depuis 2 semaines il tousse",
])
def test_durations_and_pregnancies_are_not_ages(text: str) -> None:
    assert ages(analyse(text)) == [], text


@pytest.mark.parametrize(("text", "value"), [
    ("le bébé qui a 22 jours fait 39", 39.0),
    ("my newborn has a feevr 38", 38.0),
])
def test_a_fever_said_after_an_age_or_misspelt(text: str, value: float) -> None:
    assert [f.value for f in temperatures(analyse(text))] == [value]


def test_a_fever_needs_its_context() -> None:
    assert temperatures(analyse("elle a 39 ans")) == []


@pytest.mark.parametrize(("text", "months"), [
    ("my week old baby has a fever", 1 / 4.33),
    ("a day-old baby with a temperature", 1 / 30.4),
    ("our son is a few weeks old", 3 / 4.33),
    ("she's only a month old", 1.0),
])
def test_an_infant_age_said_with_no_number(text: str, months: float) -> None:
    found = ages(analyse(text))
    assert found, text
    assert found[0].age.in_months == pytest.approx(months, rel=0.05)
