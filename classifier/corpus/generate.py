"""Generate the labeled caller-utterance corpus (seeded, deterministic).

    python -m classifier.corpus.generate --seed 7 --out models/corpus

Writes ``train.jsonl`` and ``dev.jsonl`` in the LABELS.md format (plus ``traps``, ``style``,
``situation`` fields). The dev split holds out whole situations (about one core phrasing in
five per label and language, at least one), so dev metrics are measured on phrasings the heads
never saw. Nothing here comes from ../shared/external/.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

from classifier.corpus.content import (
    ADMIN_INTENTS,
    CLOSERS,
    DOCTORS,
    DOWNPLAY,
    EMERGENCIES,
    FILLERS,
    FRAGMENTS,
    INTROS,
    MISHEARINGS,
    NAMES,
    OPENERS,
    ROUTINE_SYMPTOMS,
    THIRD_PARTY,
    TRAPS,
    URGENT,
    Situation,
)

# Variants generated per core phrase, by group (balances the labels).
VARIANTS = {"emergency": 9, "urgent": 14, "routine_symptom": 12, "admin": 11, "trap": 14,
            "fragment": 4}

_NEGATION = re.compile(r"\b(pas de|pas la|pas beaucoup|respire bien|n'a pas|no |not |isn't|"
                       r"breathing fine|no fever)\b", re.I)
_HISTORY = re.compile(r"(il y a \w+ ans|antécédents|history|years ago|last year|l'année "
                      r"dernière|quand \w+ était petit|mort d'|died of)", re.I)
_IDIOM = re.compile(r"mal au cœur", re.I)
_THIRD = re.compile(r"^(c'est pour|j'appelle pour|c'est ma|it's about|it's for|i'm calling "
                    r"(about|for)|it's my)", re.I)


def _fill(phrase: str, subject: str, lang: str, rng: random.Random) -> str:
    out = phrase.replace("{s}", subject).replace("{S}", subject)
    out = out.replace("{doc}", rng.choice(DOCTORS))
    if lang == "fr":
        out = re.sub(r"\bqu'(il|elle)\b", r"qu'\1", out)
        out = out.replace("je a ", "j'ai ")
    return out


def _asr_style(text: str, lang: str, rng: random.Random) -> str:
    """Lowercase, no punctuation, fillers, repeats, occasional misheard key word."""
    text = text.lower()
    text = re.sub(r"[.,;:!?]", " ", text)
    words = text.split()
    for key, wrong in MISHEARINGS.items():
        if key in words and rng.random() < 0.3:
            words = [rng.choice(wrong) if w == key else w for w in words]
    out: list[str] = []
    for w in words:
        if rng.random() < 0.08:
            out.append(rng.choice(FILLERS[lang]))
        out.append(w)
        if rng.random() < 0.03:
            out.append(w)  # stutter / repeat
    return " ".join(out)


def _typed_style(parts: list[str]) -> str:
    text = ", ".join(p for p in parts if p)
    return text[:1].upper() + text[1:] + "."


def _variants(situation: Situation, group: str, lang: str, phrase: str, n: int,
              rng: random.Random) -> Iterator[dict[str, object]]:
    urgency, red_flag, intent = situation[0], situation[1], situation[2]
    for _ in range(n):
        uses_subject = "{s}" in phrase or "{S}" in phrase
        third, subject, relation = rng.choice(THIRD_PARTY[lang])
        if not uses_subject:
            third, relation = "", "unknown"
        name = rng.choice(NAMES)
        intro = rng.choice(INTROS[lang]).format(name=name, last=name.split()[-1])
        downplay = rng.choice(DOWNPLAY[lang]) if rng.random() < 0.22 else ""
        core = _fill(phrase, subject, lang, rng)
        parts = [rng.choice(OPENERS[lang]), intro, third, downplay, core,
                 rng.choice(CLOSERS[lang])]
        style = "asr" if rng.random() < 0.6 else "typed"
        text = _asr_style(" ".join(p for p in parts if p), lang, rng) if style == "asr" else \
            _typed_style(parts)
        traps = []
        if _NEGATION.search(core):
            traps.append("negation")
        if _HISTORY.search(core):
            traps.append("history")
        if _IDIOM.search(core):
            traps.append("idiom")
        if third or _THIRD.search(core):
            traps.append("third_party")
        if downplay:
            traps.append("downplay")
        if style == "asr":
            traps.append("asr")
        yield {"language": lang, "text": text, "intent": intent, "urgency": urgency,
               "red_flag": red_flag, "traps": traps, "style": style,
               "relationship": relation, "group": group}


def generate(seed: int = 7) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = random.Random(seed)
    groups: list[tuple[str, list[Situation]]] = [
        ("emergency", EMERGENCIES), ("urgent", URGENT), ("routine_symptom", ROUTINE_SYMPTOMS),
        ("admin", ADMIN_INTENTS), ("trap", TRAPS), ("fragment", FRAGMENTS)]
    train: list[dict[str, object]] = []
    dev: list[dict[str, object]] = []
    sid = 0
    for group, situations in groups:
        for situation in situations:
            for lang, phrases in (("fr", situation[3]), ("en", situation[4])):
                order = list(range(len(phrases)))
                rng.shuffle(order)
                n_dev = max(1, round(len(phrases) * 0.2))
                dev_ids = set(order[:n_dev])
                for k, phrase in enumerate(phrases):
                    sid += 1
                    target = dev if k in dev_ids else train
                    for item in _variants(situation, group, lang, phrase, VARIANTS[group], rng):
                        item["situation"] = f"s{sid:04d}"
                        target.append(item)
    seen: set[str] = set()
    for split, items in (("train", train), ("dev", dev)):
        unique = []
        for item in items:
            key = str(item["text"])
            if key in seen:
                continue
            seen.add(key)
            unique.append(item)
        items[:] = unique
        for i, item in enumerate(items):
            item["id"] = f"{split}-{i:05d}"
    return train, dev


def write(out: Path, seed: int = 7) -> tuple[Path, Path]:
    train, dev = generate(seed)
    return write_splits(out, {"train": train, "dev": dev})


def write_splits(out: Path, splits: dict[str, list[dict[str, object]]]) -> tuple[Path, Path]:
    """Write each split as ``NAME.jsonl`` in ``out``, ``id`` first; the first two paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, items in splits.items():
        path = out / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for item in items:
                ordered = {"id": item["id"], **{k: v for k, v in item.items() if k != "id"}}
                f.write(json.dumps(ordered, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths[0], paths[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("models/corpus"))
    args = parser.parse_args()
    train, dev = write(args.out, args.seed)
    for p in (train, dev):
        print(p, sum(1 for _ in p.open(encoding="utf-8")))


if __name__ == "__main__":
    main()
