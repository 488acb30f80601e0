"""ASR-noisy copies of corpus utterances: spoken by the project's test TTS, heard by the
project's own recognizer (Whisper base), labels kept. Lives in ``eval/`` because it drives
``asr`` and ``models.tts`` together: the classifier must not import ``asr`` and ``models``
(a leaf) must not import it either.

    python -m eval.noisy_corpus --n-train 120 --n-dev 40 --seed 5

Writes ``models/corpus/noisy_train.jsonl`` and ``noisy_dev.jsonl`` (LABELS.md format plus
``clean_text`` and ``phone``); `permanence train` picks them up. Half the clips go through the
telephone path (8 kHz mu-law). Items come from the matching split, so dev stays held out.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "models" / "corpus"


def _traps(item: dict[str, object]) -> list[str]:
    traps = item.get("traps")
    return [str(t) for t in traps] if isinstance(traps, list) else []


def _pick(path: Path, n: int, rng: random.Random) -> list[dict[str, object]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    # Typed-style items: the TTS reads punctuation better, the recognizer adds its own noise.
    typed = [i for i in items if i.get("style") == "typed"]
    pool = typed if len(typed) >= n else items
    by_label: dict[str, list[dict[str, object]]] = {}
    for item in pool:
        by_label.setdefault(f"{item['urgency']}/{item['red_flag']}", []).append(item)
    picked: list[dict[str, object]] = []
    keys = sorted(by_label)
    while len(picked) < n and any(by_label.values()):
        for key in keys:  # round-robin over labels so every red flag gets noisy copies
            if by_label[key] and len(picked) < n:
                picked.append(by_label[key].pop(rng.randrange(len(by_label[key]))))
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-train", type=int, default=120)
    parser.add_argument("--n-dev", type=int, default=40)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    from asr import Recognizer, RecognizerConfig
    from models.tts import cached_speech

    rng = random.Random(args.seed)
    recognizer = Recognizer.load(RecognizerConfig(language=None))
    for split, n in (("train", args.n_train), ("dev", args.n_dev)):
        out = CORPUS / f"noisy_{split}.jsonl"
        done = {}
        if out.exists():  # resumable: clips already heard are kept
            for line in out.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                done[row["id"]] = row
        rows = []
        started = time.perf_counter()
        for k, item in enumerate(_pick(CORPUS / f"{split}.jsonl", n, rng)):
            if f"noisy-{item['id']}" in done:
                rows.append(done[f"noisy-{item['id']}"])
                continue
            lang = str(item["language"])
            phone = k % 2 == 1
            wav = cached_speech(str(item["text"]), lang, phone=phone)
            heard = recognizer.transcribe_file(wav, lang).text.strip()
            if not heard:
                continue  # nothing recognised: nothing to learn from
            rows.append({"id": f"noisy-{item['id']}", "language": lang, "text": heard,
                         "intent": item["intent"], "urgency": item["urgency"],
                         "red_flag": item["red_flag"], "traps": [*_traps(item), "asr"],
                         "style": "asr_real", "situation": item.get("situation"),
                         "clean_text": item["text"], "phone": phone})
            print(f"{split} {k + 1}/{n} {time.perf_counter() - started:.0f}s: {heard}",
                  file=sys.stderr)
            # Written after every clip: a long run that is stopped keeps what it heard.
            out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                           encoding="utf-8")
        print(out, len(rows))


if __name__ == "__main__":
    main()
