"""A second, independent signal: how close the caller's clauses are to reference descriptions
of each red flag (issue 13).

The written protocol names phrases; the heads learnt the corpus. This signal compares each
clause of the utterance (and each pair of adjacent clauses, so "fever ... and a stiff neck"
stays one picture) with a bank of hand-written descriptions per category
(`similarity_bank.yaml`, clinical and lay, FR and EN) in the e5 embedding space, minus its
closeness to benign look-alikes of the same bank ("mal au cœur", "this heat is killing me",
routine requests). A paraphrase no rule names still scores high: the engine turns a high
margin into a *suspected* red flag (the agent asks its yes/no question) and, when the heads
agree, into an emergency.

It costs no extra encoder pass: the clause vectors are mean-pooled from the token states of
the one forward pass the heads already run (`E5Encoder.encode_with_spans`); the reference
vectors are embedded once at load. Clauses that are negated ("pas de fièvre", "no chest
pain") or told as past history ("il y a cinq ans", "years ago") are left out: the
similarity of meaning does not see negation.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np

from classifier.labels import RedFlag
from classifier.types import Span


class SpanEncoder(Protocol):
    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray: ...

    def encode_with_spans(self, text: str, spans: Sequence[tuple[int, int]]
                          ) -> tuple[np.ndarray, np.ndarray]: ...


def default_bank_path() -> Path:
    return Path(str(resources.files("classifier").joinpath("similarity_bank.yaml")))


@dataclass(frozen=True)
class ReferenceBank:
    categories: dict[RedFlag, tuple[str, ...]]
    benign: tuple[str, ...]
    version: str

    @classmethod
    def load(cls, path: Path | None = None) -> ReferenceBank:
        import yaml

        path = Path(path) if path else default_bank_path()
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read the similarity bank: {exc}") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("categories"), dict):
            raise ValueError(f"{path}: expected a mapping with 'categories' and 'benign'")
        cats: dict[RedFlag, tuple[str, ...]] = {}
        for name, by_lang in raw["categories"].items():
            try:
                flag = RedFlag(name)
            except ValueError:
                allowed = ", ".join(f.value for f in RedFlag)
                raise ValueError(f"{path}: unknown red flag {name!r}; allowed: {allowed}"
                                 ) from None
            texts = [t for lang in sorted(by_lang or {}) for t in by_lang[lang]]
            if not texts:
                raise ValueError(f"{path}: category {name!r} has no descriptions")
            cats[flag] = tuple(str(t) for t in texts)
        benign_raw = raw.get("benign") or {}
        benign = tuple(str(t) for lang in sorted(benign_raw) for t in benign_raw[lang])
        digest = hashlib.sha256("\n".join(
            [f"{f.value}:{t}" for f, ts in cats.items() for t in ts] + list(benign)).encode()
        ).hexdigest()[:10]
        return cls(cats, benign, f"bank-{digest}")


@dataclass(frozen=True)
class SimilarityHit:
    category: RedFlag
    margin: float
    """Cosine to the category's nearest description minus cosine to the nearest benign one."""
    cosine: float
    span: Span


@dataclass(frozen=True)
class SimilarityResult:
    hits: tuple[SimilarityHit, ...]
    """One per category that scored on some clause, best margin first."""

    @property
    def best(self) -> SimilarityHit | None:
        return self.hits[0] if self.hits else None

    def shifted(self, offset: int, text: str) -> SimilarityResult:
        """The same hits with spans into ``text``, of which the scored text began at
        ``offset`` (a call's latest utterances)."""
        return SimilarityResult(tuple(
            replace(h, span=Span(h.span.start + offset, h.span.end + offset,
                                 text[h.span.start + offset:h.span.end + offset]))
            for h in self.hits))

    def margin(self, category: RedFlag) -> float:
        for h in self.hits:
            if h.category is category:
                return h.margin
        return float("-inf")


EMPTY = SimilarityResult(())

# Clause boundaries: punctuation and the conjunctions callers chain symptoms with.
_BOUNDARY = re.compile(
    r"[.,;:!?]+|\b(?:et|mais|puis|alors|donc|parce que|car|quand|avec|and|but|then|so|"
    r"because|when|with)\b", re.I)
# Negated or historical clauses say the red flag is absent or past: not evidence now.
_NEGATED = re.compile(
    r"\b(?:pas d[e']|pas de la|pas du|pas mal|n'a pas eu|n'ai pas eu|"
    r"sans(?! arr[eê]t| cesse| s'arr)|aucune?|ni|no(?! longer)|without|not pregnant|"
    r"doesn't have|don't have|didn't (?:hit|lose|pass|have|faint|bang)|"
    r"isn't (?:stiff|swollen|bleeding))\b", re.I)
_HISTORY = re.compile(
    r"\b(?:il y a (?:\d+|un|une|deux|trois|quatre|cinq|six|dix|quelques|plusieurs) "
    r"(?:ans?|années?|mois)|l'an(?:née)? derni[eè]re?|autrefois|quand (?:il|elle|j') ?"
    r"(?:était|étais) (?:petit|petite|bébé|enfant|jeune)|enfant,|petit,|years? ago|"
    r"last year|as a (?:child|kid|baby)|used to|in the past|months ago|"
    # A month back, unless the caller says it has lasted since then.
    r"(?<!depuis )le mois dernier|(?<!since )last month|"
    # A relative's death is family history ("ma mère est morte d'un cancer").
    r"(?:mort|morte|d[ée]c[ée]d[ée]e?) d'(?:un|une)|died (?:of|from)|passed away)\b", re.I)
# Reassurance said in the positive ("je respire bien", "I can swallow", "ça ne saigne plus",
# "eating and drinking normally") names the very function a red flag is about, so e5 puts it
# next to that red flag's descriptions: on dev_v3 such clauses were the similarity support of
# 5 of the 20 model false alarms (a rash "je respire bien" read as breathing, a cut chin "ça
# ne saigne plus" as anaphylaxis). A clause with a negator is left in ("je ne respire pas
# bien", "I can't swallow"): only the stopped-bleeding forms carry one and still reassure.
_NEGATOR = re.compile(r"\b(?:ne|n'|pas|plus|jamais|not|never|barely|hardly|cannot)\b|n't\b|"
                      r"[àa] peine|\bdu mal\b|\btrouble", re.I)
_REASSURED = re.compile(
    r"\b(?:respire (?:bien|normalement|correctement|tranquillement|sans (?:probl[eè]me|souci))|"
    r"(?:mange|boit|dort|joue|parle|marche|bouge|avale|tète|tete) (?:bien|normalement)|"
    r"mange et boit|boit et mange|(?:peut|arrive [àa]) (?:avaler|respirer|parler|marcher)|"
    r"(?:va|vais|allons|vont) (?:tr[eè]s |plut[oô]t )?bien|se porte bien|est en forme|"
    r"tout va bien|(?:breath(?:e|es|ing)|swallow(?:s|ing)?|talk(?:s|ing)?|walk(?:s|ing)?|"
    r"eat(?:s|ing)?|drink(?:s|ing)?|play(?:s|ing)?|feed(?:s|ing)?|sleep(?:s|ing)?) "
    r"(?:fine|normally|ok|okay|well|as usual)|can (?:breathe|swallow|talk|walk|speak)|"
    r"(?:is|am|are|'s|'m|'re) (?:eating|drinking|feeding)|"
    r"(?:i'm|i am|he's|she's|he is|she is|they're|it's|feel|feels|feeling|doing|seems?) "
    r"(?:absolutely |perfectly |totally |completely )?(?:fine|well|okay|ok|great|normal))\b",
    re.I)
_STOPPED = re.compile(
    r"\b(?:(?:ne|n') ?(?:saigne|coule|gonfle) plus|saigne plus|a arr[eê]t[eé] de saigner|"
    r"(?:has |had |it's |it has )?stopped bleeding|(?:is|was|it's) no longer bleeding|"
    r"isn't bleeding any ?more|not bleeding any ?more)\b", re.I)


def _reassured(clause: str) -> bool:
    """The clause says, in the positive, that a function is intact or a sign has stopped."""
    return bool(_STOPPED.search(clause)) or (
        bool(_REASSURED.search(clause)) and not _NEGATOR.search(clause))


_WORD = re.compile(r"\w+", re.U)
MIN_WORDS = 2
MAX_WINDOWS = 12


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


def clause_windows(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses (>= 2 words) and of each pair of adjacent clauses,
    leaving out negated, past-history and reassuring ones; at most ``MAX_WINDOWS``."""
    cuts = [0]
    for m in _BOUNDARY.finditer(text):
        cuts += [m.start(), m.end()]
    cuts.append(len(text))
    raw = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    clauses = []
    for s, e in raw:
        seg = text[s:e]
        if len(_WORD.findall(seg)) < MIN_WORDS:
            continue
        lead = len(seg) - len(seg.lstrip())
        clauses.append((s + lead, s + len(seg.rstrip())))
    windows: list[tuple[int, int]] = list(clauses)
    windows += [(clauses[i][0], clauses[i + 1][1]) for i in range(len(clauses) - 1)]
    kept = [(s, e) for s, e in windows
            if not _NEGATED.search(text[s:e]) and not _HISTORY.search(text[s:e])
            and not _reassured(text[s:e])]
    return kept[:MAX_WINDOWS]


class SimilaritySignal:
    """Reference vectors embedded once; scoring is two small matrix products."""

    def __init__(self, encoder: SpanEncoder, bank: ReferenceBank,
                 precomputed: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """``precomputed``: the bank's (descriptions, benign) vectors stored with the heads
        for this bank version, so loading does not embed the bank again."""
        self.bank = bank
        self.encoder = encoder
        labels: list[RedFlag] = []
        texts: list[str] = []
        for flag, descriptions in bank.categories.items():
            labels += [flag] * len(descriptions)
            texts += list(descriptions)
        self.labels = labels
        self.flags = tuple(bank.categories)
        refs = np.asarray(precomputed[0]) if precomputed else encoder.embed(texts)
        benign = np.asarray(precomputed[1]) if precomputed else (
            encoder.embed(list(bank.benign)) if bank.benign else
            np.zeros((0, refs.shape[1]), np.float32))
        self.raw_refs, self.raw_benign = refs.astype(np.float32), benign.astype(np.float32)
        # e5 vectors share a common direction (every cosine is 0.7-0.9); removing the bank's
        # own mean spreads them: on generator validation data the emergency recall at 5 %
        # routine suspicion went from 0.63 to 0.66 (sub-span pooled clauses).
        self.center = np.concatenate([refs, benign]).mean(axis=0).astype(np.float32)
        self.refs = _normalise(refs - self.center)
        self.benign = _normalise(benign - self.center) if benign.shape[0] else benign
        self._index = np.array([self.flags.index(f) for f in labels])

    @property
    def version(self) -> str:
        return self.bank.version

    def score_vectors(self, text: str, windows: Sequence[tuple[int, int]],
                      vectors: np.ndarray) -> SimilarityResult:
        """Score clause vectors (one row per window, L2-normalised) against the bank."""
        if len(windows) == 0 or vectors.size == 0:
            return EMPTY
        valid = np.linalg.norm(vectors, axis=1) > 0
        vectors = _normalise(vectors - self.center)
        sims = vectors @ self.refs.T                      # windows x refs
        per_cat = np.full((len(windows), len(self.flags)), -1.0, np.float32)
        for k in range(len(self.flags)):
            cols = self._index == k
            per_cat[:, k] = sims[:, cols].max(axis=1)
        benign = (vectors @ self.benign.T).max(axis=1) if self.benign.shape[0] else \
            np.zeros(len(windows), np.float32)
        margins = per_cat - benign[:, None]
        margins[~valid] = -1.0
        hits = []
        for k, flag in enumerate(self.flags):
            w = int(margins[:, k].argmax())
            if not valid[w]:
                continue
            s, e = windows[w]
            hits.append(SimilarityHit(flag, float(margins[w, k]), float(per_cat[w, k]),
                                      Span(s, e, text[s:e])))
        hits.sort(key=lambda h: -h.margin)
        return SimilarityResult(tuple(hits))

    def score(self, text: str) -> SimilarityResult:
        """Stand-alone scoring (its own encoder pass): for tests, training and tools."""
        windows = clause_windows(text)
        if not windows:
            return EMPTY
        _, vectors = self.encoder.encode_with_spans(text, windows)
        return self.score_vectors(text, windows, vectors)
