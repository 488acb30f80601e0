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
