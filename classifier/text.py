"""Text normalisation shared by the protocol, the intent rules and the form extractor.

Matching runs on a folded copy of the text (lowercase, no accents, ``œ`` -> ``oe``) whose every
character maps back to the original, so each hit reports the caller's own words as its span.
ASR text has no punctuation and carries fillers; fillers are tokens the matchers skip.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

FILLERS = frozenset(
    {"euh", "heu", "hum", "hmm", "bah", "ben", "beh", "bon", "hein", "eh", "ah", "oh",
     "um", "uh", "uhm", "er", "erm", "mm", "mmm", "voila", "quoi", "genre", "like", "well",
     "so",
     # Spoken hedges that split a phrase ("des marques comme enfin des bleus"); never a
     # negation, a time or a symptom word.
     "enfin", "basically", "literally"}
)
FILLER_BIGRAMS = frozenset({("du", "coup"), ("en", "fait"), ("you", "know"), ("i", "mean"),
                            ("tu", "vois"), ("vous", "savez"), ("sort", "of"), ("kind", "of")})
"""Spoken fillers, skipped when measuring distances between words (never removed from spans)."""

_LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'", "`": "'", "‘": "'"}

_TOKEN_RE = re.compile(r"[a-z0-9]+'?|[.,;:!?]")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _LIGATURES:
        return _LIGATURES[ch]
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.lower()


def fold(text: str) -> str:
    """Lowercase, accent-free form of ``text`` (not offset-preserving; for keys and lookups)."""
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True)
class Token:
    text: str
    """Folded token ("poitrine", "n'", "39")."""
    start: int
    end: int
    """Character offsets into the ORIGINAL text."""
    filler: bool = False
    punct: bool = False
    stem: str = ""
    """Inflection-free key (`stem`): "saignait", "saignements", "saigné" -> "saign"."""


@dataclass(frozen=True)
class Doc:
    """Original text, folded text with an offset map, and tokens."""

    text: str
    folded: str
    tokens: tuple[Token, ...]
    raw: tuple[Token, ...] = field(default=(), compare=False, repr=False)
    """The tokens before stutters and filler pairs were marked (`analyse_join` extends them)."""

    @cached_property
    def words(self) -> tuple[Token, ...]:
        """Tokens that carry content (no fillers, no punctuation)."""
        return tuple(t for t in self.tokens if not t.filler and not t.punct)

    @cached_property
    def words_with_punct(self) -> tuple[Token, ...]:
        """Tokens without fillers; punctuation kept (it bounds negation and decimals)."""
        return tuple(t for t in self.tokens if not t.filler)


def _raw_tokens(text: str, offset: int = 0) -> tuple[str, list[Token]]:
    """Folded ``text`` and its tokens (offsets shifted by ``offset``), fillers not yet marked
    beyond the single-word ones."""
    folded_parts = [_fold_char(ch) for ch in text]
    folded = "".join(folded_parts)
    origin: list[int]
    if len(folded) == len(text):  # every character folds to one (the usual case)
        origin = list(range(len(text) + 1))
    else:
        origin = []
        for i, f in enumerate(folded_parts):
            origin.extend([i] * len(f))
        origin.append(len(text))
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(folded):
        word = m.group(0)
        start = origin[m.start()] + offset
        end = (origin[m.end() - 1] + 1 if m.end() > m.start() else origin[m.start()]) + offset
        punct = word in ".,;:!?"
        tokens.append(Token(word, start, end, filler=word in FILLERS, punct=punct,
                            stem=word if punct else stem(word)))
    return folded, tokens


def analyse(text: str) -> Doc:
    """Fold and tokenise ``text``; token offsets point into the original text."""
    folded, raw = _raw_tokens(text)
    tokens = list(raw)
    _mark_repeats(tokens, 0)
    return Doc(text=text, folded=folded, tokens=tuple(tokens), raw=tuple(raw))


def analyse_join(head: Doc, tail: str) -> Doc:
    """``analyse(head.text + " " + tail)`` without folding and tokenising ``head`` again: a
    call is rescored at every word heard, on the finals so far plus the partial."""
    if not head.raw and head.text.strip():
        head = analyse(head.text)
    offset = len(head.text) + 1
    folded, tail_raw = _raw_tokens(tail, offset)
    raw = (*head.raw, *tail_raw)
    # Stutters and filler pairs reach three tokens ahead: marks made before the last four
    # tokens of the head stay; those near the join are made again on the whole.
    keep = max(0, len(head.raw) - 4)
    tokens = [*head.tokens[:keep], *raw[keep:]]
    _mark_repeats(tokens, max(0, keep - 3))
    return Doc(text=head.text + " " + tail, folded=head.folded + " " + folded,
               tokens=tuple(tokens), raw=raw)


def _mark_repeats(tokens: list[Token], start: int) -> None:
    """Mark stutters and filler pairs as fillers, from token ``start`` on."""
    for i in range(start, len(tokens) - 1):
        # A stutter ("il il a", "the the neck") is heard twice but said once.
        if tokens[i + 1].text == tokens[i].text and not tokens[i].text.isdigit() and \
                not tokens[i].punct:
            tokens[i + 1] = replace(tokens[i + 1], filler=True)
        if i + 3 < len(tokens) and (tokens[i].text, tokens[i + 1].text) == (
                tokens[i + 2].text, tokens[i + 3].text) and not tokens[i].text.isdigit():
            tokens[i + 2] = replace(tokens[i + 2], filler=True)  # "can't can't"
            tokens[i + 3] = replace(tokens[i + 3], filler=True)
        if (tokens[i].text, tokens[i + 1].text) in FILLER_BIGRAMS:
            tokens[i] = replace(tokens[i], filler=True)
            tokens[i + 1] = replace(tokens[i + 1], filler=True)


_UNITS_FR = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60,
}
_UNITS_EN = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
NUMBER_WORDS = {**_UNITS_FR, **_UNITS_EN}


def number_at(words: tuple[Token, ...], i: int) -> tuple[float, int] | None:
    """Parse a number starting at ``words[i]``: digits ("39", "39,5" split as 39 / 5 is handled
    by callers on the raw text) or number words ("trente neuf", "dix-sept", "thirty nine",
    "soixante dix"). Returns (value, number of tokens used) or None."""
    if i >= len(words):
        return None
    w = words[i].text
    if w.isdigit():
        return float(w), 1
    # "dix-sept" and "trente-neuf" arrive as separate tokens (the hyphen is not a token char).
    if w in {"a", "an", "un", "une"}:
        return 1.0, 1
    if w not in NUMBER_WORDS:
        return None
    value = NUMBER_WORDS[w]
    used = 1
    j = i + 1
    while j < len(words):
        nxt = words[j].text
        if nxt in {"et", "and"} and j + 1 < len(words) and words[j + 1].text in {"un", "une",
                                                                                  "onze"}:
            value += NUMBER_WORDS[words[j + 1].text]
            used += 2
            break
        if nxt in NUMBER_WORDS and nxt not in {"a", "an", "un", "une"} and (
            (value in (20, 30, 40, 50, 70, 80, 90) and NUMBER_WORDS[nxt] < 10)
            or (value == 60 and NUMBER_WORDS[nxt] < 20)
            or (value == 10 and NUMBER_WORDS[nxt] in (7, 8, 9))
        ):
            value += NUMBER_WORDS[nxt]
            used += 1
            j += 1
            continue
        if nxt in {"un", "une"} and value in (20, 30, 40, 50, 60):
            value += 1
            used += 1
        break
    return float(value), used


# -- inflections and sound-alikes ----------------------------------------------------------
#
# A light suffix stripper for French and English, written for this matcher (not Snowball):
# it only has to map the inflections callers use ("convulse", "convulsait", "convulsions",
# "convulsing", "convulsed") to one key, and leave short words alone (4 letters or fewer:
# "mal", "cou", "sang" are never stemmed, so they cannot collide).
_SUFFIXES: tuple[str, ...] = tuple(sorted({
    # French verbs, nouns and adjectives
    "issements", "issement", "issantes", "issante", "issants", "issant", "issaient", "issait",
    "issais", "issent", "issons", "issez", "ements", "ement", "ations", "ation", "eraient",
    "erait", "erais", "erai", "eront", "erons", "erez", "aient", "ait", "ais", "antes", "ante",
    "ants", "ant", "ees", "ee", "es", "ez", "er", "ent", "ions", "ion", "euses", "euse", "eux",
    "ives", "ive", "ifs", "if", "ir", "it", "is", "e", "s", "x",
    # English
    "ingly", "ings", "ing", "edly", "ied", "ies", "ed", "ness", "ly",
}, key=len, reverse=True))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Inflection-free key of a folded word; words of 4 letters or fewer are their own key."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            base = word[: -len(suffix)]
            if suffix in {"ied", "ies"}:
                base += "y"
            # "stopped" -> "stop", "bleeding" stays "bleed" (double e), "swelling" -> "swell".
            if len(base) >= 5 and base[-1] == base[-2] and base[-1] in "bdgmnprt":
                base = base[:-1]
            return base
    return word


_PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    ("tion", "sion"), ("ph", "f"), ("qu", "k"), ("ck", "k"), ("ch", "s"), ("sh", "s"),
    ("gn", "n"), ("eau", "o"), ("au", "o"), ("ou", "u"), ("oo", "u"), ("ai", "e"),
    ("ei", "e"), ("ea", "e"), ("ee", "i"), ("y", "i"), ("w", "v"), ("ce", "se"),
    ("ci", "si"), ("c", "k"), ("z", "s"), ("th", "t"), ("h", ""),
)


@lru_cache(maxsize=65536)
def phonetic(word: str) -> str:
    """A sound-alike key for misheard words (ASR): spelling that sounds the same gets the
    same key ("thorasique" / "thoracique", "convulsse" / "convulse", "nuc" / "nuque")."""
    key = stem(word.replace("'", ""))
    for a, b in _PHONETIC_RULES:
        key = key.replace(a, b)
    # Silent final letters in French, and doubled letters anywhere.
    key = re.sub(r"(.)\1+", r"\1", key)
    key = re.sub(r"(?<=.)(es|e|s|t|x|d)$", "", key)
    return key
