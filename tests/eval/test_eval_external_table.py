"""`bench eval-external`'s table from hand-made results: counts, CIs, dialogue flags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eval.external import SetRow, format_table
from eval.runner import build_report


def test_table_counts_and_dialogue_flags(mk: Callable[..., Any]) -> None:
    texts = build_report([
        mk("e1", gold_urgency="emergency", gold_flag="stroke", pred="emergency", hits=("stroke",)),
        mk("e2", gold_urgency="emergency", gold_flag="stroke", pred="urgent"),
        mk("r1", gold_urgency="routine", pred="routine"),
    ])
    dialogues = build_report([
        mk("d1", kind="dialogue", pred="emergency", hits=("trauma",), time_to_flag_s=12.0),
        mk("d2", kind="dialogue", pred="emergency", hits=("trauma",), time_to_flag_s=30.0),
        mk("d3", kind="dialogue", pred="routine"),
    ])
    rows = [SetRow("texts", 3, 1.0, texts), SetRow("calls", 3, 2.0, dialogues),
            SetRow("audio", 0, 0.0, skipped="audio/manifest.jsonl not present")]
    table = format_table(rows).splitlines()
    line = next(x for x in table if x.startswith("| texts "))
    assert "0.500 (1/2)" in line and "1.000 (1/1)" in line
    assert any(x.startswith("| audio ") and "skipped" in x for x in table)
    assert "texts per-category recall: stroke 1/2" in table
    calls = rows[1].to_dict()
    assert calls["predicted_emergencies"] == 2 and calls["flagged_categories"] == {"trauma": 2}
    assert calls["median_time_to_flag_s"] == 21.0
    assert any("2 of 3 dialogues flagged" in x and "21.0 s" in x for x in table)
