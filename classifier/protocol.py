"""The written red-flag protocol: a concept lexicon and rules, matched against a caller's words.

Two files ship: ``lexicon.yaml`` (clinical concepts with French and English, lay and clinical
surface forms; negation, history and idiom cues; intent words) and ``protocol.yaml`` (rules:
combinations of concepts and modifiers, each citing the published reference it encodes).
A concept matches its phrases up to inflection (`text.stem`: "convulsait" = "convulse"),
interchangeable determiners ("son bras" = "le bras"), a couple of inserted intensifiers
("cou tout bloqué"), and, when marked ``fuzzy``, misheard words by edit similarity or by
sound (`text.phonetic`). A concept may also be a combination of other concepts said close
together (``near``: a body site and a state, "nuque" + "raide").

Every hit names its category, the caller's words (span) and the rule id. Evidence that is
negated ("pas de douleur thoracique", "no chest pain"), past history ("infarctus il y a cinq
ans", "history of stroke") or an idiom ("mal au cœur" = nausea) does not count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz
from wordfreq import top_n_list

from classifier.facts import (
    ages,
    durations_minutes,
    glasgow,
    glucose_mmol,
    heart_rate,
    news2,
    oxygen_saturation,
    pregnancy_weeks,
    qsofa,
    respiratory_rate,
    systolic_bp,
    temperatures,
)
from classifier.labels import Intent, RedFlag, Urgency
from classifier.text import Doc, Token, analyse, fold, number_at, phonetic, stem
from classifier.types import RedFlagHit, Span

LANGS = ("fr", "en")
EXCEPT_PREFIX = "__except__"
"""Pseudo-concept of a concept's ``except`` phrases: words that contain the concept's words
but do not mean it ("stabbing pain" is no stab wound, "renouveler mon stylo d'adrénaline" no
injection given)."""


class ProtocolError(ValueError):
    """The protocol file is malformed; the message names the file and the entry."""


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Near:
    """Concepts said close together: at most ``window`` other words between them."""

    all: tuple[str, ...]
    window: int


@dataclass(frozen=True)
class Concept:
    name: str
    phrases: Mapping[str, tuple[Phrase, ...]]
    fuzzy: bool = False
    near: tuple[Near, ...] = ()
    """Alternative definitions as combinations of other concepts (evaluated after them)."""
    inability: bool = False
    """"can't", "n'arrive pas a": its negative words do not negate the verb that follows."""
    ignore_history: bool = False
    """Past-history cues do not apply: a comorbidity ("history of asthma" is still asthma) or
    a recent event by definition ("vient d'accoucher")."""
    explained_by: Near | None = None
    """A cause the caller names for it, said within ``window`` words in the same sentence,
    explains it away ("elle ne peut pas lever le bras à cause de son épaule": the shoulder,
    not a stroke). Applied to the concept's own and its combined occurrences."""


@dataclass(frozen=True)
class Rule:
    id: str
    category: RedFlag
    all: tuple[str, ...]
    window: int | None
    when: Mapping[str, Any]
    suspected: bool
    any: tuple[str, ...] = ()
    """One of these concepts must be found too (one more slot of the combination)."""
    unless: tuple[str, ...] = ()
    """The rule does not apply when one of these is said (it belongs to another category)."""
    ref: str = ""
    """The published reference the rule encodes (SFMU FRENCH, NHS 111, MTS, SAMU)."""
    promotable: bool = True
    """A suspected hit a general discriminator may raise to an emergency. False for a rule
    that stands on a discriminator itself ("BP 82/40" alone): raising it would turn strong
    evidence whose category is unclear into a confirmed category (issue 13, point 4)."""


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
    symptoms_said_absent: int = 0
    """Symptom-report votes (counted in ``intent_votes``) whose symptom was said absent
    ("pas de fièvre", "no pain at all")."""
    ruled_out: frozenset[RedFlag] = frozenset()
    """Categories the caller's words rule out: every concept that defines them said absent
    ("pas de fièvre" for an infant's fever). Neither a similar reference description nor the
    heads may name such a category (``classifier.engine``): the caller is asked."""
    settled: bool = False
    """The caller said the trouble has stopped or the patient is well now (lexicon
    ``settled`` or ``resolved``, a stopped bleed) and nothing current after
    it. No rule is lowered by it; the heads do not raise an emergency alone on such words
    (``classifier.engine``): the caller is asked."""


def _phrase(text: str) -> Phrase:
    """Fold and tokenise a protocol term the same way as the caller's text."""
    doc = analyse(text)
    # Fillers are skipped in the caller's words, so a term must not need them either
    # ("dit n'importe quoi": "quoi" is a filler).
    parts = [t.text for t in doc.tokens if not t.punct and not t.filler] or [
        t.text for t in doc.tokens if not t.punct]
    # `*` is not a token character: re-attach "word*" prefixes and keep a bare "*" wildcard.
    raw = fold(text).replace("'", "' ").split()
    if "=" in text:
        # "=mes médicaments": a word written "=word" matches that word only, with no other
        # determiner for it nor an inflection ("ses médicaments" are the patient's own).
        parts = []
        for piece in raw:
            sub = [t.text for t in analyse(piece.lstrip("=")).tokens if not t.punct]
            if piece.startswith("=") and sub:
                parts.extend(["=" + sub[0], *sub[1:]])
            else:
                parts.extend(sub)
        return tuple(parts)
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


# Words that stand for one another inside a phrase: "lever le bras" = "lever son bras".
_DETERMINERS = frozenset({
    "le", "la", "les", "l'", "un", "une", "des", "du", "son", "sa", "ses", "mon", "ma", "mes",
    "ton", "ta", "tes", "leur", "leurs", "ce", "cet", "cette", "notre", "votre", "the", "a",
    "an", "his", "her", "my", "their", "your", "this", "that", "its", "our", "some",
})
# Words a caller inserts into a phrase without changing it: "cou tout bloqué", "lips all
# blue", "il respire vraiment très mal". Never a negation word ("pas", "plus", "not").
_INSERTABLE = frozenset({
    "tout", "toute", "tous", "toutes", "tres", "vraiment", "completement", "super", "hyper",
    "trop", "tellement", "si", "encore", "deja", "bien", "assez", "carrement", "vachement",
    "un", "peu", "enormement", "grave", "comme", "very", "really", "so", "all", "totally",
    "completely", "quite", "just", "too", "pretty", "badly", "suddenly", "now", "still",
    "soudain", "soudainement", "brusquement", "maintenant", "toujours", "presque", "quasiment",
    "almost", "nearly", "hardly", "barely",
    *(_DETERMINERS - {"a"}),  # French "a" is the auxiliary: "il a fait" is not "il fait"
})
MAX_INSERTED = 2


def _word_matches(pattern: str, token: str, token_stem: str = "") -> bool:
    if pattern.startswith("="):
        return token == pattern[1:]
    if pattern == "*":
        return token not in ".,;:!?"
    if pattern.endswith("*"):
        return token.startswith(pattern[:-1])
    if token == pattern:
        return True
    # "baby's", "mum's": the tokenizer keeps the apostrophe of an English 's on the word.
    if token.endswith("'") and token[:-1] == pattern and len(pattern) >= 3:
        return True
    # Inflections: "convulsait" = "convulse", "swelling" = "swell", "killing" = "kill"
    # (patterns of 4+ letters; shorter words are never stemmed).
    if token_stem and len(pattern) >= 4 and stem(pattern) == token_stem:
        return True
    # Plural and gender endings (what a recognizer often gets wrong): "chests", "gonflees".
    return len(pattern) >= 4 and token.startswith(pattern) and token[len(pattern):] in {
        "s", "x", "e", "es"}


def _onset(word: str) -> str:
    """The first sounded letter: a French initial "h" is silent ("émoragie" for
    "hémorragie", "ypoglycémie" for "hypoglycémie"), so a recognizer often drops it."""
    return word[1:2] if word[:1] == "h" and len(word) > 1 else word[:1]


@lru_cache(maxsize=65536)
def _fuzzy_equal(pattern: str, token: str, cutoff: float) -> bool:
    if (token[:1] != pattern[:1] and _onset(token) != _onset(pattern)) or \
            abs(len(token) - len(pattern)) > 3:
        return False
    if fuzz.ratio(pattern, token) >= cutoff:
        return True
    # Same sound, different spelling ("thorasique"): keys of 5+ sounds only, so short
    # everyday words never collide with a symptom.
    key = phonetic(pattern)
    return len(key) >= 5 and key == phonetic(token)


@lru_cache(maxsize=8)
def common_words(language: str, count: int) -> frozenset[str]:
    """The ``count`` most frequent words of ``language`` (wordfreq, offline data in the
    package), folded as the caller's text is.

    A fuzzy match reads a misheard or misspelt word as the term it nearly is. A word this
    common is read as itself: the recognizer writes words it knows, and "cooking" is cooking,
    not "choking" (fuzz ratio 86), as "stepped" is not "stopped" nor "vendre" "ventre".
    Typos and garbled forms ("thorasique", "convulsse", "bleedin") stay rare and are matched,
    and so does a common word of the term's own family (`_same_family`)."""
    return frozenset(fold(w) for w in top_n_list(language, count))


@lru_cache(maxsize=4)
def common_words_of(languages: tuple[str, ...], count: int) -> frozenset[str]:
    """``common_words`` of several languages together (one set, built once)."""
    return frozenset().union(*(common_words(lg, count) for lg in languages))


def _same_family(pattern: str, token: str) -> bool:
    """``token`` begins like ``pattern`` for five letters: an inflection the stem rules miss
    ("reveillee" for "reveillable"), not another word ("cooking" / "choking" share one)."""
    return token[:5] == pattern[:5]


class PhraseIndex:
    """Finds every occurrence of a set of named phrase lists in a doc."""

    def __init__(self, entries: Iterable[tuple[str, Phrase, bool]], fuzzy_min_len: int,
                 fuzzy_score: float, common: frozenset[str] = frozenset()) -> None:
        """``common``: words never read fuzzily as another (`common_words`)."""
        self.exact: dict[str, list[tuple[str, Phrase, bool]]] = {}
        self.by_stem: dict[str, list[tuple[str, Phrase, bool]]] = {}
        self.prefix: list[tuple[str, str, Phrase, bool]] = []
        self.fuzzy_first: dict[str, list[tuple[str, Phrase]]] = {}
        """Fuzzy phrases by their first word's first letter (a misheard word keeps it)."""
        self.fuzzy_min_len = fuzzy_min_len
        self.fuzzy_score = fuzzy_score
        self.common = common
        # Candidate phrases depend only on the word: computed once per distinct word (the
        # prefix and fuzzy scans cost ~10 ms an utterance otherwise, measured on train).
        self._candidates: dict[tuple[str, str], tuple[tuple[str, Phrase, bool, bool], ...]] = {}
        self.prefix_by_start: dict[str, list[tuple[str, str, Phrase, bool]]] = {}
        self.short_prefix: list[tuple[str, str, Phrase, bool]] = []
        # What matches from a word depends only on the words a phrase can reach from it: a
        # call's replay rescans the same words at every update (536 updates of a 536-word
        # call spent 10 s in `find`), so matches are memoised by that window's content.
        self._memo: tuple[dict[tuple[str, str, bool], int],
                          dict[tuple[int, ...], tuple[tuple[str, int, bool], ...]]] = ({}, {})
        longest = 1
        for name, phrase, fuzzy in entries:
            longest = max(longest, len(phrase))
            if not phrase:
                continue
            first = phrase[0]
            if first.endswith("*") or first == "*":
                entry = (first[:-1], name, phrase, fuzzy)
                self.prefix.append(entry)
                if len(first) - 1 >= 2:
                    self.prefix_by_start.setdefault(first[:2], []).append(entry)
                else:
                    self.short_prefix.append(entry)
            elif first.startswith("="):
                self.exact.setdefault(first[1:], []).append((name, phrase, fuzzy))
            else:
                self.exact.setdefault(first, []).append((name, phrase, fuzzy))
                if len(first) >= 4:
                    self.by_stem.setdefault(stem(first), []).append((name, phrase, fuzzy))
                if fuzzy and len(first) >= fuzzy_min_len:
                    self.fuzzy_first.setdefault(first[0], []).append((name, phrase))
                    if _onset(first) != first[0]:  # "hemorragie" is looked up under "e" too
                        self.fuzzy_first.setdefault(_onset(first), []).append((name, phrase))
        # A phrase reads one token per word plus up to MAX_INSERTED intensifiers.
        self.reach = longest + MAX_INSERTED

    def _find_at(self, words: tuple[Token, ...], i: int) -> tuple[tuple[str, int, bool], ...]:
        """Every phrase matching from ``words[i]``: (concept, length in tokens, fuzzy)."""
        tok = words[i]
        word_key = (tok.text, tok.stem)
        candidates = self._candidates.get(word_key)
        if candidates is None:
            candidates = self._candidates_for(tok.text, tok.stem)
            if len(self._candidates) < 200_000:
                self._candidates[word_key] = candidates
        found: list[tuple[str, int, bool]] = []
        for name, phrase, fuzzy, first_fuzzy in candidates:
            got = (self._match_at(words, i + 1, phrase[1:], fuzzy, inserted_ok=True)
                   if first_fuzzy else self._match_at(words, i, phrase, fuzzy))
            if got is not None:
                end, used_fuzzy = got
                found.append((name, end - i, used_fuzzy or first_fuzzy))
        return tuple(found)

    def _match_at(self, words: tuple[Token, ...], i: int, phrase: Phrase,
                  fuzzy: bool, inserted_ok: bool = False) -> tuple[int, bool] | None:
        """Match ``phrase`` from ``words[i]``; returns (end index, used fuzzy) or None.
        ``inserted_ok``: the phrase's first word is already matched, so intensifiers may
        stand before the next one."""
        used_fuzzy = False
        j = i
        inserted = 0
        k = 0
        while k < len(phrase):
            pattern = phrase[k]
            if j >= len(words):
                return None
            tok = words[j]
            token = tok.text
            if tok.punct and pattern != "*":
                return None  # a phrase does not run across punctuation
            if _word_matches(pattern, token, tok.stem):
                k += 1
                j += 1
                continue
            if pattern in _DETERMINERS and token in _DETERMINERS:
                k += 1
                j += 1
                continue
            if (fuzzy and not pattern.endswith("*") and len(pattern) >= self.fuzzy_min_len
                    and len(token) >= self.fuzzy_min_len - 2
                    and (token not in self.common or _same_family(pattern, token))
                    and _fuzzy_equal(pattern, token, self.fuzzy_score)):
                used_fuzzy = True
                k += 1
                j += 1
                continue
            if (k > 0 or inserted_ok) and inserted < MAX_INSERTED and token in _INSERTABLE:
                inserted += 1
                j += 1
                continue
            return None
        return j, used_fuzzy

    def _candidates_for(self, text: str, token_stem: str
                        ) -> tuple[tuple[str, Phrase, bool, bool], ...]:
        """Phrases that may start at a word: (concept, phrase, fuzzy, first word fuzzy)."""
        candidates: list[tuple[str, Phrase, bool, bool]] = [
            (n, p, f, False) for n, p, f in self.exact.get(text, ())]
        if text.endswith("'") and len(text) >= 4:  # "baby'" + "s": the word before 's
            candidates.extend((n, p, f, False) for n, p, f in self.exact.get(text[:-1], ()))
        for cut in (1, 2):  # plural/gender endings: "chests" -> "chest"
            base = text[:-cut]
            if len(base) >= 4 and text[-cut:] in {"s", "x", "e", "es"}:
                candidates.extend((n, p, f, False) for n, p, f in self.exact.get(base, ()))
        if token_stem != text or text not in self.exact:
            candidates.extend((n, p, f, False) for n, p, f in self.by_stem.get(token_stem, ()))
        for bucket in (self.prefix_by_start.get(text[:2], ()), self.short_prefix):
            candidates.extend((n, p, f, False) for pre, n, p, f in bucket
                              if text.startswith(pre))
        if len(text) >= self.fuzzy_min_len - 2 and text not in self.exact:
            common = text in self.common
            seen = {(n, p) for n, p, _, _ in candidates}
            heard: list[tuple[str, Phrase]] = list(self.fuzzy_first.get(text[0], ()))
            if _onset(text) != text[0]:
                heard.extend(self.fuzzy_first.get(_onset(text), ()))
            for name, phrase in heard:
                if (name, phrase) not in seen and abs(len(phrase[0]) - len(text)) <= 3 and \
                        (not common or _same_family(phrase[0], text)) and \
                        _fuzzy_equal(phrase[0], text, self.fuzzy_score):
                    candidates.append((name, phrase, True, True))
        return tuple(candidates)

    def find(self, words: tuple[Token, ...]) -> list[Occurrence]:
        out: list[Occurrence] = []
        if len(self._memo[0]) > 200_000 or len(self._memo[1]) > 500_000:
            self._memo = ({}, {})  # bounded; swapped whole, so a concurrent call stays coherent
        ids, memo = self._memo
        keys = [ids.setdefault((t.text, t.stem, t.punct), len(ids)) for t in words]
        reach = self.reach
        for i, tok in enumerate(words):
            if tok.punct:
                continue
            window = tuple(keys[i:i + reach])
            found = memo.get(window)
            if found is None:
                found = memo[window] = self._find_at(words, i)
            out.extend(Occurrence(name, i, i + length, fuzzy) for name, length, fuzzy in found)
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
                "idioms", "urgent", "negation_gap_words", "resolved", "reopened",
                "reopened_weak", "benign_cause", "chronic"}:
            merged = dict(out[key])
            merged.update(value)
            out[key] = merged
        else:
            out[key] = value
    return out


def default_protocol_path() -> Path:
    """The shipped rules (categories, settings); the concepts they use are in the lexicon."""
    return Path(str(resources.files("classifier").joinpath("protocol.yaml")))


def default_lexicon_path() -> Path:
    """The shipped concept lexicon (concepts, negation, history, idioms, intents)."""
    return Path(str(resources.files("classifier").joinpath("lexicon.yaml")))


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
    combine_order: tuple[str, ...] = ()
    """Combined (``near``) concepts, each after the concepts it is made of."""
    measured: tuple[tuple[str, dict[str, Any]], ...] = ()
    """Concepts a measured value stands for ("TA 8/5" is ``low_bp``, "T 39.2" is ``fever``):
    (concept, one `when` condition), from the ``measured`` section of protocol.yaml."""

    @property
    def resolved_keeps(self) -> frozenset[RedFlag]:
        """Categories whose reference escalates even after the episode ended
        (``settings.resolved_keeps``)."""
        return frozenset(RedFlag(c) for c in self.settings.get("resolved_keeps") or ())

    @classmethod
    def load(cls, path: Path | None = None) -> Protocol:
        """The shipped protocol, with the practice's file (if any) merged over it."""
        default = default_protocol_path()
        data = _merge(cls._read(default_lexicon_path()), cls._read(default))
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
            near: list[Near] = []
            for alt in spec.get("near") or []:
                parts = tuple(_as_list(alt.get("all") if isinstance(alt, dict) else None,
                                       f"{source}: concept {name}.near.all"))
                if len(parts) < 2:
                    raise ProtocolError(f"{source}: concept {name}: each `near` entry needs "
                                        "`all` with two or more concepts")
                near.append(Near(parts, int(alt.get("window", 3))))
            explained = spec.get("explained_by")
            explained_by: Near | None = None
            if explained is not None:
                causes = tuple(_as_list(explained.get("any") if isinstance(explained, dict)
                                        else None, f"{source}: concept {name}.explained_by.any"))
                if not causes:
                    raise ProtocolError(f"{source}: concept {name}: `explained_by` needs `any` "
                                        "with one or more concepts")
                explained_by = Near(causes, int(explained.get("window", 8)))
            concepts[name] = Concept(name, phrases, bool(spec.get("fuzzy", False)), tuple(near),
                                     bool(spec.get("inability", False)),
                                     bool(spec.get("ignore_history", False)), explained_by)
            excepted = spec.get("except")
            if excepted is not None:
                if not isinstance(excepted, dict):
                    raise ProtocolError(f"{source}: concept {name}.except must map a language "
                                        "to phrases")
                exc = f"{EXCEPT_PREFIX}{name}"
                concepts[exc] = Concept(exc, {lg: tuple(_phrase(t) for t in _as_list(
                    excepted.get(lg), f"{source}: concept {name}.except.{lg}")) for lg in LANGS})
        combine_order = _combine_order(concepts, source)
        for concept in concepts.values():
            for cname in concept.explained_by.all if concept.explained_by else ():
                if cname not in concepts:
                    raise ProtocolError(f"{source}: concept {concept.name}.explained_by names "
                                        f"unknown concept {cname!r}")
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
                needed = tuple(_as_list(spec.get("all"), f"{source}: rule {rid}.all"))
                one_of = tuple(_as_list(spec.get("any"), f"{source}: rule {rid}.any"))
                unless = tuple(_as_list(spec.get("unless"), f"{source}: rule {rid}.unless"))
                measured = set(spec.get("when") or {}) & MEASURED_ALONE
                if not rid or not (needed or one_of or measured):
                    raise ProtocolError(f"{source}: rule under {cat_name} needs `id` and `all` "
                                        "(or `any`, or a measured `when`: "
                                        f"{', '.join(sorted(MEASURED_ALONE))})")
                for cname in (*needed, *one_of, *unless):
                    if cname not in concepts:
                        raise ProtocolError(f"{source}: rule {rid} uses unknown concept "
                                            f"{cname!r}")
                for key in spec.get("when") or {}:
                    if key not in WHEN_CONDITIONS:
                        raise ProtocolError(f"{source}: rule {rid}: unknown `when` condition "
                                            f"{key!r}; allowed: {', '.join(WHEN_CONDITIONS)}")
                rules.append(Rule(rid, category, needed, spec.get("window"),
                                  dict(spec.get("when") or {}),
                                  spec.get("status", "confirmed") == "suspected",
                                  one_of, unless, str(spec.get("ref") or ""),
                                  bool(spec.get("promote", True))))
        # Pseudo-concepts: history cues, idioms, urgent evidence, intents.
        for lang in LANGS:
            hist = (data.get("history") or {}).get(lang) or {}
            for kind in ("before", "after", "stop", "frame", "present"):
                name = f"__hist_{kind}"
                c = concepts.setdefault(name, Concept(name, {lg: () for lg in LANGS}))
                c.phrases[lang] = c.phrases[lang] + tuple(  # type: ignore[index]
                    _phrase(t) for t in _as_list(hist.get(kind), f"history.{lang}.{kind}"))
        for key in ("idioms", "urgent", "resolved", "settled", "reopened", "reopened_weak",
                    "benign_cause", "chronic"):
            name = f"__{key}"
            section = data.get(key) or {}
            concepts[name] = Concept(name, {lg: tuple(_phrase(t) for t in _as_list(
                section.get(lg), f"{key}.{lg}")) for lg in LANGS},
                ignore_history=key in {"resolved", "settled", "reopened", "reopened_weak",
                                       "benign_cause", "chronic"})
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
        for cname in settings.get("general_discriminators") or ():
            if cname not in concepts:
                raise ProtocolError(f"{source}: settings.general_discriminators names unknown "
                                    f"concept {cname!r}")
        for cat, names in (settings.get("absent_rules_out") or {}).items():
            try:
                RedFlag(cat)
            except ValueError:
                raise ProtocolError(f"{source}: settings.absent_rules_out names unknown "
                                    f"category {cat!r}; see LABELS.md") from None
            if not names:
                raise ProtocolError(f"{source}: settings.absent_rules_out.{cat} lists no "
                                    f"concept; name the concepts that define the category")
            for cname in names:
                if cname not in concepts:
                    raise ProtocolError(f"{source}: settings.absent_rules_out.{cat} names "
                                        f"unknown concept {cname!r}")
        terrain = settings.get("terrain_promotion") or {}
        for key in ("severity", "terrain"):
            for cname in terrain.get(key) or ():
                if cname not in concepts:
                    raise ProtocolError(f"{source}: settings.terrain_promotion.{key} names "
                                        f"unknown concept {cname!r}")
        measured_as: list[tuple[str, dict[str, Any]]] = []
        for cname, conditions in (data.get("measured") or {}).items():
            if cname not in concepts:
                raise ProtocolError(f"{source}: measured names unknown concept {cname!r}")
            for cond in conditions or ():
                if not isinstance(cond, dict) or len(cond) != 1 or \
                        next(iter(cond)) not in WHEN_CONDITIONS:
                    raise ProtocolError(f"{source}: measured.{cname}: each entry is one `when` "
                                        f"condition ({', '.join(WHEN_CONDITIONS)})")
                measured_as.append((cname, dict(cond)))
        return cls(
            version=str(data.get("version", "unversioned")),
            concepts=concepts, rules=rules, settings=settings, source=source,
            combine_order=combine_order, measured=tuple(measured_as),
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
            common_count = int(self.settings.get("fuzzy_common_words", 0))
            common = common_words_of(langs, common_count) if common_count else frozenset()
            self._indexes[key] = PhraseIndex(entries, int(self.settings.get("fuzzy_min_len", 6)),
                                             float(self.settings.get("fuzzy_score", 80)), common)
        return self._indexes[key]

    # -- matching ---------------------------------------------------------------------------

    def _negated(self, words: tuple[Token, ...], occ: Occurrence, langs: tuple[str, ...],
                 covered: frozenset[int] = frozenset(),
                 inability: frozenset[int] = frozenset()) -> bool:
        cues = frozenset().union(*(self.negation_cues[lg] for lg in langs))
        gap_words = frozenset().union(*(self.negation_gap_words[lg] for lg in langs))
        max_gap = int(self.settings.get("negation_gap", 4))
        gap = 0
        k = occ.start - 1
        while k >= 0 and gap <= max_gap:
            tok = words[k].text
            if k in inability:
                return False  # "can't bend his neck": the negative belongs to "can't"
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
                 hist_after: list[Occurrence], hist_stop: Sequence[Occurrence] = (),
                 words: Sequence[Token] = ()) -> bool:
        gap = int(self.settings.get("history_gap", 4))

        def sentence_end(start: int, end: int) -> bool:
            # "Aucun antécédent. Douleur thoracique depuis 40 minutes": a cue does not reach
            # into the next sentence (a colon still joins: "Antécédents : infarctus").
            return any(w.text in _SENTENCE_ENDS for w in words[start:end])

        def new_subject(start: int, end: int) -> bool:
            # Said without punctuation, a subject starts the next clause: "aux antécédents
            # d'asthme il tremble de tout son corps", "no past history she has drunk bleach"
            # are the seizure and the poisoning now, not history ("il y a deux ans" is a date).
            return any(words[k].text in _SUBJECT_PRONOUNS
                       and not (k + 1 < len(words) and words[k + 1].text == "y")
                       for k in range(start, end))

        for h in hist_before:
            if h.end <= occ.start and occ.start - h.end <= gap and not any(
                    h.end <= s.start and s.end <= occ.start for s in hist_stop) \
                    and not sentence_end(h.end, occ.start) \
                    and not new_subject(h.end, occ.start):
                # "A 50-year-old with a history of alcohol use presents with severe pain":
                # what follows "presents with" is the picture now, not the history.
                return True
        # An "after" cue may start with a wildcard that overlaps the term's last word.
        return any(h.start >= occ.start and h.end > occ.end and h.start - occ.end <= gap
                   and not sentence_end(occ.end, h.start) for h in hist_after)

    def match(self, doc: Doc, language: str | None) -> ProtocolResult:
        langs: tuple[str, ...] = (language,) if language in LANGS else LANGS
        words = doc.words_with_punct
        occs = self._index(langs).find(words)
        idioms = [o for o in occs if o.concept == "__idioms"]
        hist_before = [o for o in occs if o.concept == "__hist_before"]
        hist_after = [o for o in occs if o.concept == "__hist_after"]
        hist_stop = [o for o in occs if o.concept == "__hist_stop"]
        frames = [o for o in occs if o.concept == "__hist_frame"] + _age_at_frames(words, doc.text)
        # What ends a past frame: a cue that starts today's picture ("depuis ce matin",
        # "but now"), one that says it is back ("again", "de nouveau"), or a verb in the
        # present about the patient ("je suis", "he can't").
        frame_ends = [o for o in occs if o.concept in {
            "__hist_stop", "__reopened", "__reopened_weak", "__hist_present"}]
        valid: dict[str, list[Occurrence]] = {}
        negated: set[str] = set()
        ignored: list[str] = []
        covered = frozenset(k for o in occs if not o.concept.startswith("__")
                            for k in range(o.start, o.end))
        inability = frozenset(k for o in occs if o.concept in self.concepts
                              and self.concepts[o.concept].inability
                              for k in range(o.start, o.end))
        excepted: dict[str, list[Occurrence]] = {}
        for o in occs:
            if o.concept.startswith(EXCEPT_PREFIX):
                excepted.setdefault(o.concept[len(EXCEPT_PREFIX):], []).append(o)
        for o in occs:
            if o.concept in _CUE_CONCEPTS or \
                    o.concept.startswith(EXCEPT_PREFIX):
                continue
            if any(e.start < o.end and o.start < e.end for e in excepted.get(o.concept, ())):
                ignored.append(f"except:{o.concept}")
                continue
            # A benign cause is often an idiom itself ("crise d'angoisse", "panic attack").
            if any(i.start < o.end and o.start < i.end for i in idioms) and \
                    not o.concept.startswith(("__intent", "__benign_cause")):
                ignored.append(f"idiom:{o.concept}")
                continue
            if o.concept == _SYMPTOM_VOTE and self._negated(words, o, langs, covered,
                                                             inability):
                # "pas de fièvre, c'est pour la visite du quatrième mois": a symptom said
                # absent is no symptom report, so the request stays a plain request. The vote
                # itself still counts: the heads were trained on votes counted this way.
                valid.setdefault(_SYMPTOM_ABSENT, []).append(o)
            if not o.concept.startswith("__intent"):
                if self._negated(words, o, langs, covered,
                                 frozenset() if self.concepts[o.concept].inability
                                 else inability):
                    ignored.append(f"negated:{o.concept}")
                    negated.add(o.concept)
                    continue
                if not self.concepts[o.concept].ignore_history and (
                        self._history(o, hist_before, hist_after, hist_stop, words)
                        or _in_past_frame(o, frames, frame_ends, words)):
                    ignored.append(f"history:{o.concept}")
                    continue
            valid.setdefault(o.concept, []).append(o)
        facts = _Facts(doc)
        self._add_measured(valid, facts, words)
        self._combine(valid)
        self._explain_away(valid, words, ignored)
        self._add_early_warning(valid, doc, words)
        for name, exc in excepted.items():  # a combined concept's own exceptions
            if name in self.combine_order and name in valid:
                _keep(valid, name, [o for o in valid[name]
                                    if not any(e.start < o.end and o.start < e.end for e in exc)],
                      "except", ignored)

        confirmed: dict[RedFlag, RedFlagHit] = {}
        suspected: dict[RedFlag, RedFlagHit] = {}
        fired: list[str] = []
        unpromotable: set[RedFlag] = set()
        for rule in self.rules:
            if rule.category in confirmed or (rule.suspected and rule.category in suspected):
                continue
            if not all(c in valid for c in rule.all) or (
                    rule.any and not any(c in valid for c in rule.any)):
                continue
            if any(valid.get(c) for c in rule.unless):
                continue
            if not rule.all and not rule.any:
                # A measured value alone ("saturation à 85", "GCS 9"): the span is the fact's.
                if not rule.when or not facts.check(rule.when, words):
                    continue
                spans = facts.used_spans(rule.when)
                if not spans:
                    continue
                start, end, fuzzy = spans[0].start, spans[0].end, False
            else:
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
            if rule.suspected and not rule.promotable:
                unpromotable.add(rule.category)
        # General discriminators (MTS): shock, an altered conscious level, the worst pain
        # ever, cyanosis raise any presentation. Partial evidence of a category said with one
        # of them is that category's emergency, not a question.
        # Said, not guessed: a misheard-word match ("un petit bleu" for "bleuté") is no shock.
        general = [c for c in self.settings.get("general_discriminators") or ()
                   if any(not o.fuzzy for o in valid.get(c, ()))]
        if general:
            for cat, hit in list(suspected.items()):
                if cat in confirmed or hit.source.startswith("model") or cat in unpromotable:
                    continue
                confirmed[cat] = replace(hit, source=f"{hit.source}+general:{general[0]}",
                                         confirmed=True)
                fired.append(confirmed[cat].source)
        # Partial evidence said with a severity modifier (sudden, worsening within hours) in
        # a vulnerable patient (pregnant, infant under 3 months, 75 or older, on
        # anticoagulants or chemotherapy, diabetic): FRENCH raises the tri level for the
        # terrain and the kinetics, so the picture is that category's emergency.
        terrain = self.settings.get("terrain_promotion") or {}
        said = [o for c in terrain.get("terrain") or () for o in valid.get(c, ())
                if not o.fuzzy]
        severity = [o for c in terrain.get("severity") or () for o in valid.get(c, ())
                    if not o.fuzzy]
        reach = int(terrain.get("window", 12))
        skip_rules = frozenset(terrain.get("not_rules") or ())
        skip_cats = frozenset(terrain.get("not_categories") or ())
        if said and severity:
            for cat, hit in list(suspected.items()):
                if cat in confirmed or hit.source.startswith("model") or cat in unpromotable \
                        or hit.span is None or cat.value in skip_cats \
                        or hit.source.split("~")[0] in skip_rules:
                    continue
                first = _word_at(words, hit.span.start)
                last = _word_at(words, hit.span.end - 1)
                if not any(o.start - last <= reach and first - o.end <= reach
                           for o in severity):
                    continue
                confirmed[cat] = replace(hit, source=f"{hit.source}+terrain", confirmed=True)
                fired.append(confirmed[cat].source)
        self._resolved_to_question(confirmed, suspected, valid, words, fired)
        for cat in confirmed:
            suspected.pop(cat, None)
        if confirmed:  # a measured vital alone is explained by the confirmed picture
            for cat in unpromotable:
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
                              tuple(ignored), tuple(fired),
                              symptoms_said_absent=len(valid.get(_SYMPTOM_ABSENT, ())),
                              settled=_settled(valid),
                              ruled_out=self._ruled_out(negated, valid))

    def _ruled_out(self, negated: set[str], valid: Mapping[str, list[Occurrence]]
                   ) -> frozenset[RedFlag]:
        """Categories whose defining concepts were all said absent and none said present
        (``settings.absent_rules_out``): "pas de fièvre" rules out an infant's fever."""
        out = set()
        for cat, names in (self.settings.get("absent_rules_out") or {}).items():
            if all(n in negated and n not in valid for n in names):
                out.add(RedFlag(cat))
        return frozenset(out)

    def _resolved_to_question(self, confirmed: dict[RedFlag, RedFlagHit],
                              suspected: dict[RedFlag, RedFlagHit],
                              valid: Mapping[str, list[Occurrence]], words: tuple[Token, ...],
                              fired: list[str]) -> None:
        """A picture told as an episode that ended benignly ("... finalement ce n'était rien,
        depuis je vais bien"), with nothing current said after that ending, is asked about
        (the agent's yes/no question: is it there now?) instead of raised. Categories whose
        reference escalates even when the episode is over (a TIA, anaphylaxis treated with
        adrenaline, an ingestion, suicidal words, a feverish young infant) are kept."""
        if not confirmed:
            return
        reopened = [*valid.get("__reopened", ()), *valid.get("__reopened_weak", ())]
        kept = self.resolved_keeps
        acute = [o for c in (self.settings.get("terrain_promotion") or {}).get("severity") or ()
                 for o in valid.get(c, ())]
        if valid.get("__benign_cause") and valid.get("__chronic") and not reopened \
                and not acute:
            # A pattern the caller has had for months, with its known benign cause said
            # ("à chaque fois que je fais mes crises d'angoisse", "my reflux for years"),
            # nothing sudden or new: asked, not raised.
            for cat, hit in list(confirmed.items()):
                if cat in kept or hit.source.startswith("model"):
                    continue
                suspected[cat] = replace(hit, source=f"{hit.source}+chronic", confirmed=False)
                del confirmed[cat]
                fired.append(suspected[cat].source)
            return
        resolved = [o for o in valid.get("__resolved", ()) if not o.fuzzy]
        if not resolved:
            return
        last_resolved = max(o.start for o in resolved)
        if _reopened_after(valid, last_resolved):
            return  # "... c'était rien. Mais depuis ce matin ça recommence"
        for cat, hit in list(confirmed.items()):
            if cat in kept or hit.span is None or hit.source.startswith("model"):
                continue
            if _word_at(words, hit.span.end - 1) >= last_resolved:
                continue  # the ending came before this picture, not after it
            suspected[cat] = replace(hit, source=f"{hit.source}+resolved", confirmed=False)
            del confirmed[cat]
            fired.append(suspected[cat].source)

    def _add_measured(self, valid: dict[str, list[Occurrence]], facts: _Facts,
                      words: tuple[Token, ...]) -> None:
        """Occurrences of the concepts a measured value stands for (NEWS2 / FRENCH
        thresholds in protocol.yaml's ``measured``): "TA 8/5" is said low pressure,
        "T 39.2" a fever, "SpO2 88 %" hypoxia, so every rule naming the concept applies."""
        for name, cond in self.measured:
            if not facts.check(cond, words):
                continue
            for span in facts.used_spans(cond)[:1]:
                first, last = _word_at(words, span.start), _word_at(words, span.end - 1) + 1
                valid.setdefault(name, []).append(Occurrence(name, first, last))

    def _add_early_warning(self, valid: dict[str, list[Occurrence]], doc: Doc,
                           words: tuple[Token, ...]) -> None:
        """The aggregate scores a clinician computes from a complete picture spread over
        several sentences (settings ``early_warning``): NEWS2 at or above its threshold and a
        positive qSOFA become concepts the rules combine ("Respiratory rate 24, BP 95/60, he
        is confused" with a pneumonia is sepsis, though no single reading is red)."""
        spec = self.settings.get("early_warning") or {}
        if not spec:
            return
        anchor = next((o for c in spec.get("altered_mentation") or () for o in valid.get(c, ())
                       if not o.fuzzy), None)
        mentation = anchor is not None
        for concept, score, at_least in (
                (spec.get("news2_concept"), news2(doc, not_alert=mentation),
                 spec.get("news2_at_least", 7)),
                (spec.get("qsofa_concept"), qsofa(doc, altered_mentation=mentation),
                 spec.get("qsofa_at_least", 2))):
            if not concept or score.score < int(at_least) or not score.spans and anchor is None:
                continue
            firsts = [_word_at(words, sp.start) for sp in score.spans]
            lasts = [_word_at(words, sp.end - 1) + 1 for sp in score.spans]
            if anchor is not None:
                firsts.append(anchor.start)
                lasts.append(anchor.end)
            valid.setdefault(str(concept), []).append(
                Occurrence(str(concept), min(firsts), max(lasts)))

    def _combine(self, valid: dict[str, list[Occurrence]]) -> None:
        """Add the occurrences of combined concepts (``near``), in lexicon order, so a
        combination may build on one defined above it."""
        for name in self.combine_order:
            concept = self.concepts[name]
            for near in concept.near:
                lists = [valid.get(c, []) for c in near.all]
                for first, last, fuzzy in _combinations(lists, near.window):
                    valid.setdefault(concept.name, []).append(
                        Occurrence(concept.name, first, last, fuzzy))

    def _explain_away(self, valid: dict[str, list[Occurrence]], words: tuple[Token, ...],
                      ignored: list[str]) -> None:
        """Drop the occurrences a named cause explains: the cause said within the concept's
        ``explained_by.window`` words, before or after, with no sentence end between ("can't
        lift her arm because of her shoulder", "avec son plâtre il ne peut plus bouger la
        jambe"). A face that droops or speech that slurs is read by its own rules still."""
        for name, concept in self.concepts.items():
            near = concept.explained_by
            if near is None or name not in valid:
                continue
            causes = [o for c in near.all for o in valid.get(c, ())]
            if causes:
                _keep(valid, name, [o for o in valid[name] if not any(
                    _same_sentence_near(o, c, near.window, words) for c in causes)],
                      "explained", ignored)

    @staticmethod
    def _rule_span(rule: Rule, valid: Mapping[str, list[Occurrence]]
                   ) -> tuple[int, int, bool] | None:
        lists = [valid.get(c, []) for c in rule.all]
        if rule.any:
            lists.append([o for c in rule.any for o in valid.get(c, [])])
        best: tuple[int, int, bool] | None = None
        for cand in _combinations(lists, rule.window):
            if best is None or cand[1] - cand[0] < best[1] - best[0]:
                best = cand
        return best


_SENTENCE_ENDS = frozenset({".", "!", "?", ";"})
_CUE_CONCEPTS = frozenset({"__idioms", "__hist_before", "__hist_after", "__hist_stop",
                           "__hist_frame", "__hist_present"})
_CLAUSE_ENDS = _SENTENCE_ENDS | {",", ":", "mais", "but"}
_SUBJECT_PRONOUNS = frozenset({"il", "elle", "je", "j'", "on", "ils", "elles", "he", "she", "i",
                               "they", "we"})


def _in_past_frame(occ: Occurrence, frames: Sequence[Occurrence],
                   ends: Sequence[Occurrence], words: Sequence[Token]) -> bool:
    """Evidence inside a clause that a past date frames ("Il y a longtemps, j'ai fait un choc
    anaphylactique aux cacahuètes", "Last summer he had a DVT in the leg", "She had
    meningitis at twenty"): the episode is the patient's history, however many words the
    clause takes to tell it (a history cue reaches `history_gap` words; a story takes more).

    A frame reaches to the end of its clause (a sentence end, a comma, "mais", "but"; the
    punctuation right after a fronted frame does not count: "Il y a deux ans, ..."), and
    never past what starts today's picture: a stop cue, a reopened cue or a present-tense
    verb about the patient ("... et là je suis essoufflé", "but now he can't speak").
    Evidence said inside the frame's own words is history too ("as a child").
    """
    for f in frames:
        if f.start <= occ.start and occ.end <= f.end:
            return True
        if f.end <= occ.start:
            if f.concept == _AGE_AT:
                continue  # an age at the time dates what was told before it
            lo, hi = f.end, occ.start
            # "Il y a deux ans, ..." / "Back in 2019: ...": a fronted frame's own punctuation
            fronted = f.start == 0 or words[f.start - 1].text in _CLAUSE_ENDS
            if fronted and lo < hi and words[lo].text in {",", ":"}:
                lo += 1
        elif f.start >= occ.end:
            lo, hi = occ.end, f.start
            if lo < hi and words[hi - 1].text == ",":  # "... in DKA, at the time"
                hi -= 1
        else:
            continue
        if any(w.text in _CLAUSE_ENDS for w in words[lo:hi]):
            continue
        if any(lo <= e.start < hi for e in ends):
            continue
        return True
    return False


_SYMPTOM_VOTE = "__intent_symptom_report"
_SETTLED_CONCEPTS = ("__settled", "__resolved", "bleeding_stopped")
"""Not ``seizure_resolved``: its "came round", "a few seconds" end a seizure only (compose
dev: "the physio came round yesterday" would have settled a broken waters and bleeding)."""
_SYMPTOM_ABSENT = "__symptom_absent"
_AGE_AT = "__hist_frame_age"
_AGE_AT_MAX = 40
"""An age at the time of an episode frames it as history ("méningite à vingt ans"); only
young ages: "il a fait un AVC à 80 ans" could be said of an 80-year-old today."""
_PAST_VERBS = frozenset({
    "had", "was", "were", "got", "took", "diagnosed", "developed", "suffered", "caught",
    "eu", "fait", "avait", "avais", "etait", "etais", "diagnostique", "diagnostiquee",
    "hospitalise", "hospitalisee", "opere", "operee"})


def _age_at_frames(words: Sequence[Token], text: str) -> list[Occurrence]:
    """"à vingt ans", "at seventeen" after an episode told in the past in the same clause
    ("Elle a eu une méningite à vingt ans", "I took an overdose once at seventeen"): the age
    the patient had then. A time ("at twenty past", "at 8"), a reading ("sats at 88",
    "fever at 39") is no age: an age needs "à" (not the verb "a": "il a vingt ans" is his
    age now) and "ans" in French; in English a spelt number from thirteen (a clock stops at
    twelve: "he had a fit at ten") and a clause end after it; and a past verb before it in
    the clause."""
    out: list[Occurrence] = []
    for i, w in enumerate(words):
        if w.text not in {"a", "at"} or w.punct:
            continue
        num = number_at(tuple(words), i + 1)
        if num is None or words[i + 1].text in {"a", "an", "un", "une"} or \
                not 2 <= num[0] <= _AGE_AT_MAX:
            continue
        if w.text == "a" and text[w.start:w.end] not in {"à", "À"} or \
                w.text == "at" and (words[i + 1].text.isdigit() or num[0] < 13):
            continue
        j = i + 1 + num[1]
        nxt = words[j].text if j < len(words) else "."
        if w.text == "a":
            if nxt not in {"ans", "an"}:
                continue
            j += 1
        elif nxt not in _CLAUSE_ENDS and nxt not in {"and", "when", "after", "but"}:
            continue
        k = i - 1
        past = False
        while k >= 0 and words[k].text not in _CLAUSE_ENDS:
            if words[k].text in _PAST_VERBS:
                past = True
                break
            k -= 1
        if past:
            out.append(Occurrence(_AGE_AT, i, j))
    return out


def _word_at(words: tuple[Token, ...], char: int) -> int:
    """Index of the word that holds (or first follows) character ``char``."""
    for i, w in enumerate(words):
        if w.end > char:
            return i
    return max(0, len(words) - 1)


def _combine_order(concepts: Mapping[str, Concept], source: str) -> tuple[str, ...]:
    """Combined concepts ordered so each comes after the concepts it is made of."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: visiting, 2: done

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ProtocolError(f"{source}: concepts combine each other in a cycle: "
                                + " -> ".join((*path, name)))
        state[name] = 1
        for near in concepts[name].near:
            for part in near.all:
                if part not in concepts:
                    raise ProtocolError(f"{source}: concept {name} combines unknown concept "
                                        f"{part!r}")
                visit(part, (*path, name))
        state[name] = 2
        if concepts[name].near:
            order.append(name)

    for name in concepts:
        visit(name, ())
    return tuple(order)


def _keep(valid: dict[str, list[Occurrence]], name: str, kept: list[Occurrence],
          reason: str, ignored: list[str]) -> None:
    """``kept`` (a subset of ``valid[name]``) replaces the concept's occurrences; what it left
    out is recorded in ``ignored`` as ``reason:name``."""
    if len(kept) < len(valid[name]):
        ignored.append(f"{reason}:{name}")
    if kept:
        valid[name] = kept
    else:
        del valid[name]


def _sentence_end_between(words: Sequence[Token], start: int, end: int) -> bool:
    return any(w.text in _SENTENCE_ENDS for w in words[max(start, 0):max(end, 0)])


def _same_sentence_near(a: Occurrence, b: Occurrence, window: int,
                        words: Sequence[Token]) -> bool:
    """At most ``window`` words between ``a`` and ``b`` (either order), no sentence end."""
    lo, hi = (a.end, b.start) if b.start >= a.end else (b.end, a.start)
    return hi - lo <= window and not _sentence_end_between(words, lo, hi)


def _combinations(lists: list[list[Occurrence]], window: int | None
                  ) -> list[tuple[int, int, bool]]:
    """(first, last, fuzzy) for each occurrence of the first list with the nearest of each
    other list, when at most ``window`` other words lie between them (None: anywhere)."""
    if not lists or not all(lists):
        return []
    out: list[tuple[int, int, bool]] = []
    for anchor in lists[0]:
        chosen = [anchor]
        for other in lists[1:]:
            start = anchor.start
            chosen.append(min(other, key=lambda o: abs(o.start - start)))  # noqa: B023
        first = min(o.start for o in chosen)
        last = max(o.end for o in chosen)
        if window is not None and last - first - sum(o.end - o.start for o in chosen) > window:
            continue
        out.append((first, last, any(o.fuzzy for o in chosen)))
    return out


WHEN_CONDITIONS: tuple[str, ...] = (
    "age_months_below", "age_unknown", "age_years_at_least", "temp_c_at_least",
    "temp_unknown_or_at_least", "temp_c_below", "minutes_at_least", "any_word",
    "glucose_mmol_at_least", "glucose_mmol_below", "spo2_below", "heart_rate_above",
    "systolic_at_most", "resp_rate_at_least", "glasgow_below", "systolic_at_least",
    "heart_rate_at_most", "temp_c_at_most", "pregnancy_weeks_said",
)
"""Modifiers a rule may require: age, measured temperature / glucose / SpO2 / heart rate /
systolic pressure / respiratory rate / Glasgow score, duration."""

MEASURED_ALONE = frozenset({"spo2_below", "heart_rate_above", "systolic_at_most",
                            "resp_rate_at_least", "glasgow_below", "systolic_at_least",
                            "heart_rate_at_most"})
"""Measured values a rule may stand on without any concept ("saturation à 85", "GCS 9")."""

_VITALS = {"heart_rate_above": heart_rate, "systolic_at_most": systolic_bp,
           "resp_rate_at_least": respiratory_rate, "glasgow_below": glasgow,
           "systolic_at_least": systolic_bp, "heart_rate_at_most": heart_rate}


class _Facts:
    """Lazily computed numeric facts for `when` conditions."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self._age: float | None | bool = False
        self._temp: float | None | bool = False
        self._read: dict[Callable[[Doc], list[Any]], list[Any]] = {}

    def read(self, reader: Callable[[Doc], list[Any]]) -> list[Any]:
        """A reader's facts, once per doc (several rules ask for the same reading)."""
        found = self._read.get(reader)
        if found is None:
            found = self._read[reader] = reader(self.doc)
        return found

    @property
    def age_months(self) -> float | None:
        if self._age is False:
            found = self.read(ages)
            self._age = min(a.age.in_months for a in found) if found else None
        return self._age  # type: ignore[return-value]

    @property
    def temp(self) -> float | None:
        if self._temp is False:
            found = self.read(temperatures)
            self._temp = max(f.value for f in found) if found else None
        return self._temp  # type: ignore[return-value]

    def used_spans(self, when: Mapping[str, Any]) -> list[Span]:
        """Spans of the numeric facts a rule's conditions relied on (for the hit's span)."""
        out: list[Span] = []
        if {"age_months_below", "age_years_at_least"} & set(when):
            found = self.read(ages)
            if found:
                out.append(min(found, key=lambda a: a.age.in_months).span)
        if {"temp_c_at_least", "temp_unknown_or_at_least"} & set(when):
            temps = self.read(temperatures)
            if temps:
                out.append(max(temps, key=lambda f: f.value).span)
        if {"temp_c_below", "temp_c_at_most"} & set(when):
            temps = self.read(temperatures)
            if temps:
                out.append(min(temps, key=lambda f: f.value).span)
        if "pregnancy_weeks_said" in when:
            out.extend(f.span for f in self.read(pregnancy_weeks)[:1])
        if "minutes_at_least" in when:
            mins = self.read(durations_minutes)
            if mins:
                out.append(max(mins, key=lambda f: f.value).span)
        if {"glucose_mmol_at_least", "glucose_mmol_below"} & set(when):
            out.extend(f.span for f in self.read(glucose_mmol)[:1])
        if "spo2_below" in when:
            out.extend(f.span for f in self.read(oxygen_saturation)[:1])
        for key, reader in _VITALS.items():
            if key in when:
                found = self.read(reader)
                if found:  # the reading that decided: the worst one
                    worst = max if key in {"heart_rate_above", "resp_rate_at_least",
                                           "systolic_at_least"} else min
                    out.append(worst(found, key=lambda f: f.value).span)
        return out

    def check(self, when: Mapping[str, Any], words: tuple[Token, ...]) -> bool:
        for key, value in when.items():
            if key == "age_months_below":
                if self.age_months is None or self.age_months >= float(value):
                    return False
            elif key == "age_years_at_least":
                if self.age_months is None or self.age_months < 12.0 * float(value):
                    return False
            elif key == "age_unknown":
                if (self.age_months is None) != bool(value):
                    return False
            elif key == "temp_c_at_least":
                if self.temp is None or self.temp < float(value):
                    return False
            elif key == "temp_c_below":
                temps = self.read(temperatures)
                if not temps or min(f.value for f in temps) >= float(value):
                    return False
            elif key == "pregnancy_weeks_said":
                if bool(self.read(pregnancy_weeks)) != bool(value):
                    return False
            elif key == "temp_c_at_most":
                temps = self.read(temperatures)
                if not temps or min(f.value for f in temps) > float(value):
                    return False
            elif key == "temp_unknown_or_at_least":
                if self.temp is not None and self.temp < float(value):
                    return False
            elif key == "minutes_at_least":
                found = self.read(durations_minutes)
                if not found or max(f.value for f in found) < float(value):
                    return False
            elif key == "glucose_mmol_at_least":
                found = self.read(glucose_mmol)
                if not found or max(f.value for f in found) < float(value):
                    return False
            elif key == "glucose_mmol_below":
                found = self.read(glucose_mmol)
                if not found or min(f.value for f in found) >= float(value):
                    return False
            elif key == "spo2_below":
                found = self.read(oxygen_saturation)
                if not found or min(f.value for f in found) >= float(value):
                    return False
            elif key in _VITALS:
                values = [f.value for f in self.read(_VITALS[key])]
                if not values:
                    return False
                limit = float(value)
                # The worst reading counts: the fastest pulse or breathing, the lowest
                # pressure or Glasgow score.
                if key == "heart_rate_above" and max(values) <= limit or \
                        key == "resp_rate_at_least" and max(values) < limit or \
                        key == "systolic_at_most" and min(values) > limit or \
                        key == "glasgow_below" and min(values) >= limit or \
                        key == "systolic_at_least" and max(values) < limit or \
                        key == "heart_rate_at_most" and min(values) > limit:
                    return False
            elif key == "any_word":
                wanted = {fold(w) for w in value}
                if not any(w.text in wanted for w in words):
                    return False
            else:
                raise ProtocolError(f"unknown `when` condition {key!r}")
        return True


def _settled(valid: Mapping[str, list[Occurrence]]) -> bool:
    """A settling cue said (not fuzzily, not negated) with no reopening cue after it ("it
    stopped, but now he is very pale": not settled)."""
    cues = [o for c in _SETTLED_CONCEPTS for o in valid.get(c, ()) if not o.fuzzy]
    return bool(cues) and not _reopened_after(valid, max(o.start for o in cues))


def _reopened_after(valid: Mapping[str, list[Occurrence]], ending: int) -> bool:
    """Something current is said after the ending at word ``ending``: a reopening cue ("mais
    depuis", "but now"), or a weak one ("again", "encore") with a symptom said after it."""
    if any(o.start > ending for o in valid.get("__reopened", ())):
        return True
    absent = valid.get(_SYMPTOM_ABSENT, ())
    said_after = any(o.start > ending and o not in absent for o in valid.get(_SYMPTOM_VOTE, ()))
    return said_after and any(o.start > ending for o in valid.get("__reopened_weak", ()))
