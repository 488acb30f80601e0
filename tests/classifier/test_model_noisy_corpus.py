"""The spoken validation and training sets (`eval.noisy_corpus --balanced`): routine calls
are well represented, both languages alternate, long written calls are not spoken. Fast: the
picker only, no speech synthesis, no recognizer."""

from __future__ import annotations

import random
from collections import Counter

from eval.noisy_corpus import _pick_balanced


def _items() -> list[dict[str, object]]:
    flags = ["stroke", "chest_pain", "seizure", "meningitis"]
    intents = ["appointment_booking", "prescription_renewal", "test_results"]
    items: list[dict[str, object]] = []
    for lang in ("fr", "en"):
        for k in range(60):
            items.append({"id": f"{lang}-e{k}", "language": lang, "text": f"urgence {k}",
                          "intent": "symptom_report", "urgency": "emergency",
                          "red_flag": flags[k % 4], "style": "typed"})
            items.append({"id": f"{lang}-r{k}", "language": lang, "text": f"routine {k}",
                          "intent": intents[k % 3], "urgency": "routine", "red_flag": None,
                          "style": "typed"})
            items.append({"id": f"{lang}-u{k}", "language": lang, "text": f"urgent {k}",
                          "intent": "symptom_report", "urgency": "urgent", "red_flag": None,
                          "style": "typed"})
        items.append({"id": f"{lang}-long", "language": lang, "text": "x" * 400,
                      "intent": "other", "urgency": "routine", "red_flag": None,
                      "style": "typed"})
        items.append({"id": f"{lang}-asr", "language": lang, "text": "euh", "intent": "other",
                      "urgency": "routine", "red_flag": None, "style": "asr"})
    return items


def test_balanced_pick_shares_languages_and_kinds() -> None:
    picked = _pick_balanced(_items(), 50, random.Random(1))
    assert len(picked) == len({str(i["id"]) for i in picked}) == 50
    urgency = Counter(str(i["urgency"]) for i in picked)
    assert urgency == {"routine": 20, "urgent": 10, "emergency": 20}
    assert Counter(str(i["language"]) for i in picked) == {"fr": 25, "en": 25}
    flags = Counter(str(i["red_flag"]) for i in picked if i["red_flag"])
    assert set(flags) == {"stroke", "chest_pain", "seizure", "meningitis"}
    assert max(flags.values()) - min(flags.values()) <= 2


def test_balanced_pick_speaks_short_typed_items_only() -> None:
    picked = _pick_balanced(_items(), 300, random.Random(2))
    assert all(i["style"] == "typed" and len(str(i["text"])) <= 130 for i in picked)


def test_balanced_pick_weights_french_and_long_routine_and_skips_heard_ids() -> None:
    """The training run of issue 13 (``--fr-share 0.67 --routine-max-chars 260``): two
    French items for one English, long routine accounts allowed (and preferred), and no
    source item spoken twice across runs."""
    from eval.noisy_corpus import _parse_shares

    items = _items()
    for lang in ("fr", "en"):
        for k in range(20):
            items.append({"id": f"{lang}-story{k}", "language": lang,
                          "text": "une longue histoire " * 10, "intent": "prescription_renewal",
                          "urgency": "routine", "red_flag": None, "style": "typed"})
    heard = frozenset({"fr-e0", "fr-e1", "en-r0"})
    picked = _pick_balanced(items, 60, random.Random(3), 130,
                            shares=_parse_shares("routine=0.5,urgent=0,emergency=0.5"),
                            fr_share=2 / 3, routine_max_chars=260, exclude=heard)
    assert Counter(str(i["urgency"]) for i in picked) == {"routine": 30, "emergency": 30}
    assert Counter(str(i["language"]) for i in picked) == {"fr": 40, "en": 20}
    assert not heard & {str(i["id"]) for i in picked}
    routine = [i for i in picked if i["urgency"] == "routine"]
    assert all(len(str(i["text"])) <= 260 for i in routine)
    assert any(len(str(i["text"])) > 130 for i in routine)
    # Renewals are half long stories: drawn as the longer of two picks, ~3 in 4 are long.
    renewals = [i for seed in range(20) for i in _pick_balanced(
        items, 60, random.Random(seed), 130, routine_max_chars=260)
        if i["intent"] == "prescription_renewal"]
    assert sum(len(str(i["text"])) > 130 for i in renewals) / len(renewals) > 0.65
    assert all(len(str(i["text"])) <= 130 for i in picked if i["urgency"] == "emergency")


def test_shares_name_known_urgencies() -> None:
    import pytest

    from eval.noisy_corpus import _parse_shares

    assert dict(_parse_shares("routine=0.35,urgent=0.15,emergency=0.5")) == {
        "routine": 0.35, "urgent": 0.15, "emergency": 0.5}
    with pytest.raises(SystemExit, match="unknown urgency 'critical'"):
        _parse_shares("critical=0.2")
