"""The written red-flag protocol: load the YAML, match it against a caller's words.

Every hit names its category, the caller's words (span) and the rule id. Evidence that is
negated ("pas de douleur thoracique", "no chest pain"), past history ("infarctus il y a cinq
ans", "history of stroke") or an idiom ("mal au cœur" = nausea) does not count. Misheard key
words ("poitin") match by edit similarity in concepts marked ``fuzzy``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from classifier.facts import ages, durations_minutes, temperatures
from classifier.labels import Intent, RedFlag, Urgency
from classifier.text import Doc, Token, analyse, fold
from classifier.types import RedFlagHit, Span

LANGS = ("fr", "en")


class ProtocolError(ValueError):
    """The protocol file is malformed; the message names the file and the entry."""


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Concept:
    name: str
    phrases: Mapping[str, tuple[Phrase, ...]]
    fuzzy: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    category: RedFlag
    all: tuple[str, ...]
    window: int | None
    when: Mapping[str, Any]
    suspected: bool


@dataclass(frozen=True)
class Occurrence:
    concept: str
    start: int
    end: int
    """Word indices [start, end) into the doc's non-filler tokens."""
    fuzzy: bool = False


@dataclass(frozen=True)
class ProtocolResult:
    red_flags: tuple[RedFlagHit, ...]
    suspected: tuple[RedFlagHit, ...]
    urgency: Urgency
    urgent_evidence: tuple[str, ...]
    """Rule ids of same-day (urgent) evidence that is not a red flag."""
    intent_votes: Mapping[str, int]
    ignored: tuple[str, ...] = ()
    """Evidence that matched but did not count, explained: "negated:chest", "history:..."."""
    rules_fired: tuple[str, ...] = ()


def _phrase(text: str) -> Phrase:
    """Fold and tokenise a protocol term the same way as the caller's text."""
    doc = analyse(text)
    parts = [t.text for t in doc.tokens if not t.punct]
    # `*` is not a token character: re-attach "word*" prefixes and keep a bare "*" wildcard.
    raw = fold(text).replace("'", "' ").split()
    if "*" in text:
        parts = []
        for piece in raw:
            sub = [t.text for t in analyse(piece.rstrip("*")).tokens if not t.punct]
            if piece == "*":
                parts.append("*")
            elif piece.endswith("*") and sub:
                parts.extend(sub[:-1] + [sub[-1] + "*"])
            else:
                parts.extend(sub)
    return tuple(parts)


def _word_matches(pattern: str, token: str) -> bool:
    if pattern == "*":
        return token not in ".,;:!?"
    if pattern.endswith("*"):
        return token.startswith(pattern[:-1])
    if token == pattern:
        return True
    # Plural and gender endings (what a recognizer often gets wrong): "chests", "gonflees".
    return len(pattern) >= 4 and token.startswith(pattern) and token[len(pattern):] in {
        "s", "x", "e", "es"}


@lru_cache(maxsize=65536)
def _fuzzy_equal(pattern: str, token: str, cutoff: float) -> bool:
    if token[:1] != pattern[:1] or abs(len(token) - len(pattern)) > 3:
        return False
    return fuzz.ratio(pattern, token) >= cutoff


class PhraseIndex:
    """Finds every occurrence of a set of named phrase lists in a doc."""

    def __init__(self, entries: Iterable[tuple[str, Phrase, bool]], fuzzy_min_len: int,
                 fuzzy_score: float) -> None:
        self.exact: dict[str, list[tuple[str, Phrase, bool]]] = {}
        self.prefix: list[tuple[str, str, Phrase, bool]] = []
        self.fuzzy_first: list[tuple[str, Phrase]] = []
        self.fuzzy_min_len = fuzzy_min_len
        self.fuzzy_score = fuzzy_score
        for name, phrase, fuzzy in entries:
            if not phrase:
                continue
            first = phrase[0]
            if first.endswith("*") or first == "*":
                self.prefix.append((first[:-1], name, phrase, fuzzy))
            else:
                self.exact.setdefault(first, []).append((name, phrase, fuzzy))
                if fuzzy and len(first) >= fuzzy_min_len:
                    self.fuzzy_first.append((name, phrase))

    def _match_at(self, words: tuple[Token, ...], i: int, phrase: Phrase,
                  fuzzy: bool) -> tuple[int, bool] | None:
        used_fuzzy = False
        for k, pattern in enumerate(phrase):
            if i + k >= len(words):
                return None
            token = words[i + k].text
            if _word_matches(pattern, token):
                continue
            if (fuzzy and not pattern.endswith("*") and len(pattern) >= self.fuzzy_min_len
                    and len(token) >= self.fuzzy_min_len - 2
                    and _fuzzy_equal(pattern, token, self.fuzzy_score)):
                used_fuzzy = True
                continue
            return None
        return i + len(phrase), used_fuzzy

    def find(self, words: tuple[Token, ...]) -> list[Occurrence]:
        out: list[Occurrence] = []
        for i, tok in enumerate(words):
            if tok.punct:
                continue
            candidates: list[tuple[str, Phrase, bool, bool]] = [
                (n, p, f, False) for n, p, f in self.exact.get(tok.text, ())]
            for cut in (1, 2):  # plural/gender endings: "chests" -> "chest"
                stem = tok.text[:-cut]
                if len(stem) >= 4 and tok.text[-cut:] in {"s", "x", "e", "es"}:
                    candidates.extend((n, p, f, False) for n, p, f in self.exact.get(stem, ()))
            candidates.extend((n, p, f, False) for pre, n, p, f in self.prefix
                              if tok.text.startswith(pre))
            if len(tok.text) >= self.fuzzy_min_len - 2 and tok.text not in self.exact:
                seen = {(n, p) for n, p, _, _ in candidates}
                for name, phrase in self.fuzzy_first:
                    if (name, phrase) not in seen and _fuzzy_equal(phrase[0], tok.text,
                                                                   self.fuzzy_score):
                        candidates.append((name, phrase, True, True))
            for name, phrase, fuzzy, first_fuzzy in candidates:
                got = (self._match_at(words, i + 1, phrase[1:], fuzzy) if first_fuzzy
                       else self._match_at(words, i, phrase, fuzzy))
                if got is not None:
                    end, used_fuzzy = got
                    if first_fuzzy:
                        end = i + len(phrase)
                    out.append(Occurrence(name, i, end, used_fuzzy or first_fuzzy))
        # The same words can match twice ("rendez-vous" / "rendez vous", plural variants).
        unique: dict[tuple[str, int, int], Occurrence] = {}
        for o in out:
            key = (o.concept, o.start, o.end)
            if key not in unique or unique[key].fuzzy and not o.fuzzy:
                unique[key] = o
        out = list(unique.values())
        return out


def _as_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    # YAML reads a bare `no` or `yes` as a boolean: insist on strings so a cue is never lost.
    if not isinstance(value, list) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
        raise ProtocolError(f"{where}: expected a list of strings, got {value!r}")
    return [str(v) for v in value]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key in {
                "concepts", "categories", "settings", "intents", "negation", "history",
                "idioms", "urgent", "negation_gap_words"}:
            merged = dict(out[key])
            merged.update(value)
            out[key] = merged
        else:
            out[key] = value
    return out


def default_protocol_path() -> Path:
    return Path(str(resources.files("classifier").joinpath("protocol.yaml")))


@dataclass
class Protocol:
    version: str
    concepts: dict[str, Concept]
    rules: list[Rule]
    settings: dict[str, Any]
    source: str
    _indexes: dict[str, PhraseIndex] = field(default_factory=dict, repr=False)
    negation_cues: dict[str, frozenset[str]] = field(default_factory=dict)
    negation_gap_words: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Protocol:
        """The shipped protocol, with the practice's file (if any) merged over it."""
        default = default_protocol_path()
        data = cls._read(default)
        source = str(default)
        if path is not None:
            path = Path(path)
            if not path.exists():
                raise ProtocolError(f"protocol file {path} does not exist (expected a YAML "
                                    "red-flag protocol, see classifier/protocol.yaml)")
            data = _merge(data, cls._read(path))
            source = f"{default}+{path}"
        return cls.from_dict(data, source)

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ProtocolError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ProtocolError(f"{path}: expected a YAML mapping at top level")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> Protocol:
        settings = dict(data.get("settings") or {})
        concepts: dict[str, Concept] = {}
        for name, spec in (data.get("concepts") or {}).items():
            if not isinstance(spec, dict):
                raise ProtocolError(f"{source}: concept {name!r} must be a mapping")
            phrases = {
                lang: tuple(_phrase(t) for t in _as_list(spec.get(lang),
                                                         f"{source}: concept {name}.{lang}"))
                for lang in LANGS}
            concepts[name] = Concept(name, phrases, bool(spec.get("fuzzy", False)))
        rules: list[Rule] = []
        for cat_name, cat in (data.get("categories") or {}).items():
            try:
                category = RedFlag(cat_name)
            except ValueError:
                allowed = ", ".join(r.value for r in RedFlag)
                raise ProtocolError(f"{source}: unknown red-flag category {cat_name!r}; "
                                    f"allowed: {allowed}") from None
            for spec in cat.get("rules") or []:
                rid = spec.get("id")
                needed = tuple(spec.get("all") or ())
                if not rid or not needed:
                    raise ProtocolError(f"{source}: rule under {cat_name} needs `id` and `all`")
                for c in needed:
                    if c not in concepts:
                        raise ProtocolError(f"{source}: rule {rid} uses unknown concept {c!r}")
                rules.append(Rule(rid, category, needed, spec.get("window"),
                                  dict(spec.get("when") or {}),
                                  spec.get("status", "confirmed") == "suspected"))
        # Pseudo-concepts: history cues, idioms, urgent evidence, intents.
        for lang in LANGS:
            hist = (data.get("history") or {}).get(lang) or {}
            for kind in ("before", "after"):
                name = f"__hist_{kind}"
                c = concepts.setdefault(name, Concept(name, {lg: () for lg in LANGS}))
                c.phrases[lang] = c.phrases[lang] + tuple(  # type: ignore[index]
                    _phrase(t) for t in _as_list(hist.get(kind), f"history.{lang}.{kind}"))
        for key in ("idioms", "urgent"):
            name = f"__{key}"
            section = data.get(key) or {}
            concepts[name] = Concept(name, {lg: tuple(_phrase(t) for t in _as_list(
                section.get(lg), f"{key}.{lg}")) for lg in LANGS})
        for intent_name, spec in (data.get("intents") or {}).items():
            try:
                Intent(intent_name)
            except ValueError:
                raise ProtocolError(f"{source}: unknown intent {intent_name!r}") from None
            name = f"__intent_{intent_name}"
            concepts[name] = Concept(name, {lg: tuple(_phrase(t) for t in _as_list(
                spec.get(lg), f"intents.{intent_name}.{lg}")) for lg in LANGS})
        neg = data.get("negation") or {}
        gap = data.get("negation_gap_words") or {}
        return cls(
            version=str(data.get("version", "unversioned")),
            concepts=concepts, rules=rules, settings=settings, source=source,
            negation_cues={lg: frozenset(fold(w) for w in _as_list(neg.get(lg), "negation"))
                           for lg in LANGS},
            negation_gap_words={lg: frozenset(fold(w) for w in _as_list(gap.get(lg), "gap"))
                                for lg in LANGS},
        )

    def _index(self, langs: tuple[str, ...]) -> PhraseIndex:
        key = "+".join(langs)
        if key not in self._indexes:
            entries = [(c.name, p, c.fuzzy) for c in self.concepts.values() for lg in langs
                       for p in c.phrases.get(lg, ())]
            self._indexes[key] = PhraseIndex(entries, int(self.settings.get("fuzzy_min_len", 6)),
                                             float(self.settings.get("fuzzy_score", 80)))
        return self._indexes[key]

    # -- matching ---------------------------------------------------------------------------

    def _negated(self, words: tuple[Token, ...], occ: Occurrence, langs: tuple[str, ...],
                 covered: frozenset[int] = frozenset()) -> bool:
        cues = frozenset().union(*(self.negation_cues[lg] for lg in langs))
        gap_words = frozenset().union(*(self.negation_gap_words[lg] for lg in langs))
        max_gap = int(self.settings.get("negation_gap", 4))
        gap = 0
        k = occ.start - 1
        while k >= 0 and gap <= max_gap:
            tok = words[k].text
            if tok in cues or (len(tok) > 2 and tok.endswith("n'") and "en" in langs):
                return True
            # Other evidence words do not end the scope: "no chest pain" negates "pain".
            if tok in gap_words or tok == "t" or k in covered:
                gap += 1
                k -= 1
                continue
            break
        # French verbal negation around the term: "il ne saigne pas", "elle n'est plus confuse".
        if "fr" in langs and occ.end < len(words) and words[occ.end].text in {
                "pas", "plus", "jamais", "guere", "point"}:
            before = {w.text for w in words[max(0, occ.start - 2): occ.start]}
            if before & {"ne", "n'"}:
                return True
        return False

    def _history(self, occ: Occurrence, hist_before: list[Occurrence],
                 hist_after: list[Occurrence]) -> bool:
        gap = int(self.settings.get("history_gap", 4))
        for h in hist_before:
            if h.end <= occ.start and occ.start - h.end <= gap:
                return True
        # An "after" cue may start with a wildcard that overlaps the term's last word.
        return any(h.start >= occ.start and h.end > occ.end and h.start - occ.end <= gap
                   for h in hist_after)

    def match(self, doc: Doc, language: str | None) -> ProtocolResult:
        langs: tuple[str, ...] = (language,) if language in LANGS else LANGS
        words = doc.words_with_punct
        occs = self._index(langs).find(words)
        idioms = [o for o in occs if o.concept == "__idioms"]
        hist_before = [o for o in occs if o.concept == "__hist_before"]
        hist_after = [o for o in occs if o.concept == "__hist_after"]
        valid: dict[str, list[Occurrence]] = {}
        ignored: list[str] = []
        covered = frozenset(k for o in occs if not o.concept.startswith("__")
                            for k in range(o.start, o.end))
        for o in occs:
            if o.concept in {"__idioms", "__hist_before", "__hist_after"}:
                continue
            if any(i.start < o.end and o.start < i.end for i in idioms) and \
                    not o.concept.startswith("__intent"):
                ignored.append(f"idiom:{o.concept}")
                continue
            if not o.concept.startswith("__intent"):
                if self._negated(words, o, langs, covered):
                    ignored.append(f"negated:{o.concept}")
                    continue
                if self._history(o, hist_before, hist_after):
                    ignored.append(f"history:{o.concept}")
                    continue
            valid.setdefault(o.concept, []).append(o)

        facts = _Facts(doc)
        confirmed: dict[RedFlag, RedFlagHit] = {}
        suspected: dict[RedFlag, RedFlagHit] = {}
        fired: list[str] = []
        for rule in self.rules:
            if rule.category in confirmed or (rule.suspected and rule.category in suspected):
                continue
            found = self._rule_span(rule, valid)
            if found is None or not facts.check(rule.when, words):
                continue
            first, last, fuzzy = found
            start, end = words[first].start, words[last - 1].end
            for fact in facts.used_spans(rule.when):  # "bébé de six semaines ... 38,5"
                start, end = min(start, fact.start), max(end, fact.end)
            span = Span(start, end, doc.text[start:end])
            hit = RedFlagHit(rule.category, span, rule.id + ("~fuzzy" if fuzzy else ""),
                             confirmed=not rule.suspected)
            fired.append(hit.source)
            (suspected if rule.suspected else confirmed)[rule.category] = hit
        for cat in confirmed:
            suspected.pop(cat, None)
        # Partial evidence inside a confirmed hit's words adds nothing to ask about.
        for cat, hit in list(suspected.items()):
            if hit.span and any(c.span and c.span.start <= hit.span.start < c.span.end
                                for c in confirmed.values()):
                suspected.pop(cat)
        urgent = tuple(f"urgent:{doc.text[words[o.start].start:words[o.end - 1].end]}"
                       for o in valid.get("__urgent", []))
        if confirmed:
            urgency = Urgency(self.settings.get("red_flag_urgency", "emergency"))
        elif suspected or urgent:
            urgency = Urgency(self.settings.get("suspected_urgency", "urgent"))
        else:
            urgency = Urgency.ROUTINE
        votes = {name[len("__intent_"):]: len(v) for name, v in valid.items()
                 if name.startswith("__intent_")}
        order = sorted(confirmed.values(), key=lambda h: h.span.start if h.span else 0)
        return ProtocolResult(tuple(order), tuple(suspected.values()), urgency, urgent, votes,
                              tuple(ignored), tuple(fired))

    @staticmethod
    def _rule_span(rule: Rule, valid: Mapping[str, list[Occurrence]]
                   ) -> tuple[int, int, bool] | None:
        lists = [valid.get(c, []) for c in rule.all]
        if not all(lists):
            return None
        best: tuple[int, int, bool] | None = None
        for anchor in lists[0]:
            chosen = [anchor]
            for other in lists[1:]:
                start = anchor.start
                chosen.append(min(other, key=lambda o: abs(o.start - start)))  # noqa: B023
            first = min(o.start for o in chosen)
            last = max(o.end for o in chosen)
            if rule.window is not None and last - first > rule.window + sum(
                    o.end - o.start for o in chosen):
                continue
            cand = (first, last, any(o.fuzzy for o in chosen))
            if best is None or cand[1] - cand[0] < best[1] - best[0]:
                best = cand
        return best


class _Facts:
    """Lazily computed numeric facts for `when` conditions."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._age: float | None | bool = False
        self._temp: float | None | bool = False

    @property
    def age_months(self) -> float | None:
        if self._age is False:
            found = ages(self.doc)
            self._age = min(a.age.in_months for a in found) if found else None
        return self._age  # type: ignore[return-value]

    @property
    def temp(self) -> float | None:
        if self._temp is False:
            found = temperatures(self.doc)
            self._temp = max(f.value for f in found) if found else None
        return self._temp  # type: ignore[return-value]

    def used_spans(self, when: Mapping[str, Any]) -> list[Span]:
        """Spans of the numeric facts a rule's conditions relied on (for the hit's span)."""
        out: list[Span] = []
        if {"age_months_below"} & set(when):
            found = ages(self.doc)
            if found:
                out.append(min(found, key=lambda a: a.age.in_months).span)
        if {"temp_c_at_least", "temp_unknown_or_at_least"} & set(when):
            temps = temperatures(self.doc)
            if temps:
                out.append(max(temps, key=lambda f: f.value).span)
        if "minutes_at_least" in when:
            mins = durations_minutes(self.doc)
            if mins:
                out.append(max(mins, key=lambda f: f.value).span)
        return out

    def check(self, when: Mapping[str, Any], words: tuple[Token, ...]) -> bool:
        for key, value in when.items():
            if key == "age_months_below":
                if self.age_months is None or self.age_months >= float(value):
                    return False
            elif key == "age_unknown":
                if (self.age_months is None) != bool(value):
                    return False
            elif key == "temp_c_at_least":
                if self.temp is None or self.temp < float(value):
                    return False
            elif key == "temp_unknown_or_at_least":
                if self.temp is not None and self.temp < float(value):
                    return False
            elif key == "minutes_at_least":
                found = durations_minutes(self.doc)
                if not found or max(f.value for f in found) < float(value):
                    return False
            elif key == "any_word":
                wanted = {fold(w) for w in value}
                if not any(w.text in wanted for w in words):
                    return False
            else:
                raise ProtocolError(f"unknown `when` condition {key!r}")
        return True
