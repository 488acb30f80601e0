"""Tiny function-word language identifier: French, English, or something out of scope.

Callers' utterances are short; counting function words is robust and costs microseconds.
"""

from __future__ import annotations

from classifier.text import Doc

_WORDS = {
    "fr": {"je", "j'", "il", "elle", "est", "pas", "de", "la", "le", "les", "des", "un", "une",
           "mon", "ma", "mes", "pour", "avec", "c'", "d'", "l'", "n'", "qu'", "que", "qui", "et",
           "a", "au", "du", "bonjour", "oui", "non", "vous", "voudrais", "suis", "ai", "mal",
           "son", "sa", "ne", "plus", "tres", "depuis", "ca", "mais", "docteur", "merci", "s'"},
    "en": {"i", "he", "she", "is", "not", "the", "a", "an", "my", "his", "her", "for", "with",
           "and", "to", "of", "it", "hello", "hi", "yes", "no", "you", "would", "like", "am",
           "have", "has", "can", "can'", "t", "since", "but", "doctor", "thanks", "please", "this",
           "that", "was", "i'", "m", "s", "in", "on", "been", "just", "she'", "he'", "it'",
           "they", "we", "what", "do", "does", "did", "are", "were", "got", "get", "there",
           "having", "had", "from", "at", "up", "out", "about", "him", "them", "your", "our",
           "don'", "won'", "isn'", "doesn'", "didn'", "ve", "ll", "re", "d", "some", "any",
           "very", "really", "now", "when", "who", "how", "why", "after", "before"},
    "es": {"el", "los", "las", "mi", "tengo", "es", "por", "con", "muy", "dolor", "pecho",
           "hola", "gracias", "quiero", "una", "cita", "esta", "y", "del", "medico"},
    "de": {"ich", "der", "die", "das", "und", "ist", "nicht", "mein", "meine", "mit", "habe",
           "hallo", "danke", "termin", "schmerzen", "brust", "ein", "eine", "bitte", "arzt"},
    "it": {"il", "lo", "gli", "sono", "ho", "mio", "mia", "per", "con", "non", "buongiorno",
           "grazie", "dolore", "petto", "appuntamento", "della", "che", "molto", "medico"},
}


def scores(words: list[str]) -> dict[str, int]:
    """Function words of each language among ``words`` (folded tokens)."""
    return {lang: sum(1 for w in words if w in vocab) for lang, vocab in _WORDS.items()}


def confident(doc: Doc, language: str, languages: tuple[str, ...]) -> bool:
    """Whether ``language`` clearly beats the other in-scope languages (by 2+ function words).
    When it does not ("my son swallowed a battery": "son" and "a" are French words too), the
    protocol reads the words in every in-scope language rather than miss an emergency."""
    words = [w.text for w in doc.words]
    score = {lang: sum(1 for w in words if w in _WORDS.get(lang, ())) for lang in languages}
    others = [v for k, v in score.items() if k != language]
    return not others or score.get(language, 0) - max(others) >= 2


def detect(doc: Doc, languages: tuple[str, ...], default: str) -> tuple[str, bool]:
    """(language, in_scope). Too little text to tell: the default language, in scope."""
    words = [w.text for w in doc.words]
    if len(words) < 3:
        return default, True
    by_lang = scores(words)
    best = max(by_lang, key=lambda k: (by_lang[k], k == default))
    in_scope_best = max(languages, key=lambda k: (by_lang.get(k, 0), k == default))
    if by_lang[best] > by_lang.get(in_scope_best, 0) + 1 and best not in languages:
        return best, False
    if by_lang.get(in_scope_best, 0) == 0 and len(words) >= 6:
        return in_scope_best, False
    return in_scope_best, True
