"""The written outputs: summary.json, misses.jsonl, and report.html opened in headless Chromium
with every plot present and decoded."""

from __future__ import annotations

import json
from pathlib import Path

from eval.report import write_report
from eval.runner import build_report
from tests.chromium import launch, needs_chromium

FIGURES = ("urgency_confusion", "intent_confusion", "reliability", "sweep")


def test_outputs_written(hand_results, tmp_path: Path) -> None:
    files = write_report(build_report(hand_results, dataset="hand"), tmp_path / "out")
    summary = json.loads(files.summary.read_text())
    assert summary["schema"] == 1 and summary["emergency"]["recall"] == 0.5
    misses = [json.loads(line) for line in files.misses.read_text().splitlines()]
    assert [m["id"] for m in misses] == ["e4", "e2", "u3"]
    e2 = misses[1]
    assert e2["gold"]["urgency"] == "emergency" and e2["gold"]["red_flag"] == "stroke"
    assert e2["predicted"]["urgency"] == "urgent"
    assert e2["scores"]["urgency"]["emergency"] == 0.41 and "rule_hits" in e2
    assert e2["text"] == "text of e2"
    predictions = files.predictions.read_text().splitlines()
    assert len(predictions) == 10
    html = files.html.read_text()
    assert html.count("data:image/png;base64,") == 4
    assert "http://" not in html and "https://" not in html  # self-contained
    assert "Dialogues: when the emergency was raised" in html  # e4 is a dialogue
    assert "Unlabeled items" not in html  # every hand item carries a label


@needs_chromium
def test_report_renders_in_headless_chromium(hand_results, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    files = write_report(build_report(hand_results, dataset="hand"), tmp_path / "out")
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(files.html.as_uri())
            page.wait_for_load_state("load")
            for name in FIGURES:
                img = page.locator(f"#fig-{name}")
                assert img.count() == 1
                size = img.evaluate("i => [i.complete, i.naturalWidth, i.naturalHeight]")
                assert size[0] and size[1] > 100 and size[2] > 100, (name, size)
            assert "Critical misses: every under-triaged item (3)" in page.content()
            rows = page.locator("table.miss tbody tr")
            assert rows.count() == 3 and rows.first.locator("td").first.inner_text() == "e4"
            # Nothing fetched beyond the file itself and its inline images.
            assert all(u.startswith(("file:", "data:")) for u in requests), requests
        finally:
            browser.close()
