"""Reading the caller's answers: yes/no, a request for a person, a name, a date of birth, a
phone number, a correction. Pure functions over the recognizer's text (French first, English),
robust to a weak recognizer; each answer is checked against what was asked.

Numbers said in words ("zéro six douze trente-quatre", "mille neuf cent quatre-vingts") are
turned into digits first (``digits_from_words``), as callers and the recognizer mix both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: what the recognizer's text is compared in."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9'\-]+", " ", stripped).replace(" - ", " ").strip()


def _words(text: str) -> list[str]:
    return [w.strip("-'") for w in normalize(text).split() if w.strip("-'")]


# -- yes / no ------------------------------------------------------------------------------

_YES_WORDS = {
    "oui", "ouais", "ouai", "voui", "wi", "ui", "oue", "ouep", "si", "exact",
    "exactement", "absolument", "affirmatif", "evidemment", "certainement", "carrement",
    "yes", "yeah", "yep", "yup", "ya", "yea", "sure", "correct", "right", "indeed",
    "daccord", "d'accord",
}
# What a small recognizer writes for a short French "oui"/"non" on a phone line (seen with
# Whisper base: "Waze.", "Wise bien sa.", "Whisse bien ça", "We.", "Nom."). Only yes/no
# questions read these.
_YES_WORDS |= {"we", "wee", "whee", "way", "ways", "weigh", "waze", "wise", "whisse", "wisse",
               "wie", "wei", "weh", "wii", "ouii", "ouaip", "ouaiss", "wai", "wais", "waip",
               "ouiii"}
_NO_WORDS = {"non", "nan", "nope", "no", "nah", "jamais", "negatif", "never", "nom", "nons",
             "known", "noh", "nnon", "none", "n'ol", "nol", "n'on", "nonn"}
_YES_PHRASES = ("tout a fait", "c'est ca", "c est ca", "bien sur", "c'est correct",
                "c'est bien ca", "that's right", "that is right")
_NO_PHRASES = ("pas du tout", "pas vraiment", "not really", "absolutely not", "c'est faux",
               "ce n'est pas ca", "c'est pas ca", "pas ca", "that's wrong")


def parse_yes_no(text: str) -> bool | None:
    """True for yes, False for no, None when unclear. The first clear word wins, so
    "non non pas du tout" and "oui oui j'ai du mal" parse; "bien" or "ok" alone only count as
    yes at the start ("bien sûr", "ok c'est ça")."""
    norm = " ".join(_words(text))
    if not norm:
        return None
    for phrase in _NO_PHRASES:
        if norm.startswith(phrase) or f" {phrase}" in f" {norm}"[:len(phrase) + 12]:
            return False
    for phrase in _YES_PHRASES:
        if norm.startswith(phrase):
            return True
    words = norm.split()
    for word in words:
        if word in _YES_WORDS:
            return True
        if word in _NO_WORDS:
            return False
    if words[0] in ("ok", "okay", "bien", "parfait", "voila"):
        return True
    if len(words) == 1 and _SHORT_NO.fullmatch(words[0]):
        # A one-word answer to a yes/no question sounding like "non" ("Nord.", "N'aule.").
        return False
    return None


_SHORT_NO = re.compile(r"n'?[aeoh][a-z']{0,4}")


# -- a person, please ---------------------------------------------------------------------

_HUMAN_PATTERNS = tuple(
    re.compile(p)
    for p in (
        # "quel camp", "quelque un": what a weak recognizer makes of "quelqu'un".
        r"\bparler (a|avec) (quelqu'?un|quelqu un|quel ?\w*|une personne|un humain|"
        r"une vraie personne|la secretaire|le secretariat|un medecin|le medecin|le docteur)",
        r"\b(une vraie personne|un etre humain|un humain|une personne reelle)\b",
        r"\b(real|actual|live) (person|human)\b",
        r"\b(speak|talk) (to|with) (someone|somebody|a person|a human|the doctor|reception|"
        r"the receptionist|a nurse)\b",
        r"\b(operator|receptionist)\b",
        r"\bpas (a|avec) (un|une) (robot|machine)\b",
    )
)


def wants_human(text: str) -> bool:
    """The caller asks for a person ("je veux parler à quelqu'un", "a real person")."""
    norm = normalize(text)
    return any(p.search(norm) for p in _HUMAN_PATTERNS)


# -- fillers, pleasantries, unfinished sentences ------------------------------------------

FILLERS = frozenset({
    "euh", "heu", "hum", "hmm", "hm", "mm", "mmm", "mh", "ah", "oh", "eh", "bah", "ben", "uh",
    "um", "er", "erm", "ha", "hein", "pff", "tss", "aie",
})

_PLEASANTRIES = FILLERS | {
    "bonjour", "bonsoir", "allo", "oui", "alors", "voila", "madame", "monsieur", "hello", "hi",
    "yes", "well", "so", "good", "morning", "afternoon", "evening", "docteur", "doctor",
    "merci", "thanks", "bon", "excusez-moi", "pardon",
}


def is_only_pleasantries(text: str) -> bool:
    """Greetings and fillers only ("Bonjour.", "Allô, oui ?"): not yet the reason for calling."""
    return all(w in _PLEASANTRIES for w in _words(text))


def content_words(text: str) -> list[str]:
    """The words that are not fillers ("hmm", "euh"): what counts as the caller talking."""
    return [w for w in _words(text) if w not in FILLERS]


# Words a sentence cannot end on: it was cut by a pause ("Je voudrais prendre.", "pour mon").
_DANGLING = frozenset({
    # articles, possessives, prepositions, conjunctions
    "le", "la", "les", "l'", "un", "une", "des", "du", "de", "d'", "au", "aux", "mon", "ma",
    "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "votre", "nos", "vos", "leur",
    "leurs", "ce", "cette", "ces", "a", "pour", "avec", "sans", "dans", "sur", "chez", "par",
    "en", "vers", "et", "ou", "mais", "que", "qu'", "qui", "parce", "car", "donc", "si",
    "comme", "quand", "depuis", "pendant", "apres", "avant", "entre",
    # verbs that need what follows
    "voudrais", "voudrait", "voulais", "veux", "veut", "aimerais", "souhaite", "souhaiterais",
    "prendre", "avoir", "faire", "suis", "est", "ai", "j'ai", "je", "j'", "il", "elle",
    "on", "nous", "vous", "appelle", "appelais", "besoin", "peux", "pourrais", "dois",
    "s'appelle", "c'est",
    # English
    "the", "an", "my", "your", "his", "her", "for", "with", "to", "of", "in", "at",
    "and", "or", "but", "because", "i", "i'm", "is", "am", "like", "want", "need", "would",
    "about", "from", "have", "get", "make", "book",
})


def is_dangling(text: str) -> bool:
    """The words stop where a sentence cannot: the caller paused mid-sentence."""
    words = _words(text)
    return bool(words) and words[-1] in _DANGLING


# -- numbers said in words ----------------------------------------------------------------

_UNITS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16,
    "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
         "soixante": 60, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINALS = {"premier": 1, "first": 1, "second": 2, "third": 3, "fifth": 5, "eighth": 8,
             "ninth": 9, "twelfth": 12}


def _split_number_words(text: str) -> list[str]:
    norm = normalize(text).replace("-", " ")
    return norm.split()


def _read_number(tokens: list[str], i: int) -> tuple[int, int] | None:
    """One number said in French (or English) words from tokens[i]: (value, next index)."""

    def below_100(j: int) -> tuple[int, int] | None:
        if j >= len(tokens):
            return None
        w = tokens[j]
        if w == "quatre" and j + 1 < len(tokens) and tokens[j + 1] in ("vingt", "vingts"):
            value, j = 80, j + 2
            rest = _UNITS.get(tokens[j]) if j < len(tokens) else None
            if rest is not None and 1 <= rest <= 19 and tokens[j] not in ("oh", "zero"):
                # quatre-vingt-dix-neuf: dix then neuf
                value += rest
                j += 1
                if rest == 10 and j < len(tokens) and _UNITS.get(tokens[j], 0) in range(1, 10):
                    value += _UNITS[tokens[j]]
                    j += 1
            return value, j
        if w in _TENS:
            value, j = _TENS[w], j + 1
            if j < len(tokens) and tokens[j] == "et":
                j += 1
            if j < len(tokens) and tokens[j] in _UNITS and tokens[j] not in ("oh", "zero"):
                unit = _UNITS[tokens[j]]
                if unit <= 9 or (value == 60 and unit <= 19):
                    value += unit
                    j += 1
                    if unit == 10 and j < len(tokens) and _UNITS.get(tokens[j], 0) in range(1, 10):
                        value += _UNITS[tokens[j]]
                        j += 1
            return value, j
        if w in _UNITS:
            value, j = _UNITS[w], j + 1
            if value == 10 and j < len(tokens) and _UNITS.get(tokens[j], 0) in (7, 8, 9):
                value += _UNITS[tokens[j]]
                j += 1
            return value, j
        if w.isdigit():
            return int(w), j + 1
        return None

    first = below_100(i)
    if first is None:
        if i < len(tokens) and tokens[i] in ("cent", "mille"):
            first = (1, i)
        else:
            return None
    value, j = first
    if j < len(tokens) and tokens[j] in ("mille",) and value < 1000:
        value, j = value * 1000, j + 1
        rest = _read_number(tokens, j) if j < len(tokens) else None
        if rest is not None and rest[0] < 1000:
            value, j = value + rest[0], rest[1]
        return value, j
    if j < len(tokens) and tokens[j] in ("cent", "cents", "hundred") and value < 100:
        value, j = value * 100, j + 1
        rest = below_100(j)
        if rest is not None and rest[0] < 100:
            value, j = value + rest[0], rest[1]
    return value, j


def digits_from_words(text: str) -> str:
    """Numbers said in words written as digits, one group per number said:
    "zéro six douze trente-quatre" -> "0 6 12 34"; "mille neuf cent quatre-vingts" -> "1980"."""
    tokens = _split_number_words(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        w = tokens[i]
        if w in _ORDINALS:
            out.append(str(_ORDINALS[w]))
            i += 1
            continue
        read = _read_number(tokens, i) if (w in _UNITS or w in _TENS or w in ("cent", "mille")
                                           or w == "quatre") else None
        if read is not None and read[1] > i:
            out.append(str(read[0]))
            i = read[1]
            continue
        out.append(w)
        i += 1
    return " ".join(out)


# -- phone numbers -------------------------------------------------------------------------


def parse_phone(text: str, region: str = "FR") -> str | None:
    """A callback number in E.164 ("+33612345678"), or None when the digits heard do not
    make a valid number for the region (or an international one said with its prefix)."""
    spoken = digits_from_words(text)
    plus = "plus" in spoken.split() or "+" in text
    digits = "".join(re.findall(r"\d", spoken))
    if len(digits) < 8:
        return None
    for candidate in ((f"+{digits}",) if plus else ()) + (digits, f"+{digits}"):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


# -- dates of birth ------------------------------------------------------------------------

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "janv": 1, "fev": 2, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}


def _year(tokens: list[str], i: int) -> tuple[int, int] | None:
    """A year at tokens[i]: "1980", or "19 80" (English "nineteen eighty")."""
    if i >= len(tokens) or not tokens[i].isdigit():
        return None
    value = int(tokens[i])
    if 1000 <= value <= 2999:
        return value, i + 1
    if value in (19, 20) and i + 1 < len(tokens) and tokens[i + 1].isdigit() and \
            int(tokens[i + 1]) < 100:
        return value * 100 + int(tokens[i + 1]), i + 2
    if 0 <= value < 100 and len(tokens[i]) == 2:
        return (1900 + value if value > 30 else 2000 + value), i + 1
    return None


def parse_date_of_birth(text: str, today: date | None = None) -> str | None:
    """An ISO date (YYYY-MM-DD) for a plausible date of birth (a real day, 1900 to today),
    said as "le 3 mars 1980", "03/03/1980", "3 3 1980" or "March 3rd, 1980"; else None."""
    today = today or date.today()
    spoken = digits_from_words(text)
    spoken = re.sub(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})", r"\1 \2 \3", spoken)
    spoken = re.sub(r"(\d+)(st|nd|rd|th|er|eme)\b", r"\1", spoken)
    tokens = [t for t in spoken.split() if t not in ("le", "the", "of", "en", "l'an", "de")]
    found: tuple[int, int, int] | None = None
    for i, tok in enumerate(tokens):
        if not tok.isdigit():
            continue
        day = int(tok)
        # "3 mars 1980" / "3 3 1980"
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            month = _MONTHS.get(nxt) or (int(nxt) if nxt.isdigit() and len(nxt) <= 2 else None)
            if month and 1 <= day <= 31:
                year = _year(tokens, i + 2)
                if year:
                    found = (year[0], month, day)
                    break
        # "march 3 1980"
        if i >= 1 and tokens[i - 1] in _MONTHS:
            year = _year(tokens, i + 1)
            if year:
                found = (year[0], _MONTHS[tokens[i - 1]], day)
                break
    if found is None:
        return None
    try:
        born = date(*found)
    except ValueError:
        return None
    if not date(1900, 1, 1) <= born <= today:
        return None
    return born.isoformat()


# -- names ---------------------------------------------------------------------------------

_NAME_PREFIX = re.compile(
    r"^(?:(?:euh|alors|oui|bonjour|donc|ben|bah|moi|et|ok|voila|hum)\s+)*"
    r"(?:je m'?appelle|je m appelle|j'm'appelle|je suis|mon nom (?:c'?est|est)|"
    r"mon nom et (?:mon )?prenom (?:c'?est|sont)|c'?est|c est|moi c'?est|"
    r"il s'appelle|elle s'appelle|my name is|i am|i'm|it's|it is|this is|name's|"
    r"my name's)\s+",
)

# Words that are never part of a name: the answer was something else ("s'il vous plaît",
# "rendez-vous pour un renouvellement", "je m'appelle" cut off...).
_NOT_NAME = frozenset({
    "je", "j'ai", "tu", "il", "elle", "nous", "vous", "ils", "on", "me", "m'appelle",
    "appelle", "suis", "est", "c'est", "oui", "non", "merci", "plait", "s'il", "svp", "pour",
    "un", "une", "des", "les", "le", "la", "du", "de", "d'", "et", "ou", "avec", "mon", "ma",
    "mes", "rendez-vous", "rendez", "renouvellement", "ordonnance", "medecin",
    "docteur", "mal", "douleur", "voudrais", "veux", "besoin", "appel", "appeler", "rappeler",
    "numero", "telephone", "ne", "sais", "pas", "quoi", "comment", "pardon", "bonjour",
    "allo", "madame", "monsieur", "date", "naissance", "nee", "mars", "avril",
    "mai", "juin", "janvier", "fevrier", "juillet", "aout", "septembre", "octobre",
    "novembre", "decembre", "my", "name", "is", "the", "please", "yes", "no", "hello",
    "appointment", "doctor", "born", "number", "what", "sorry", "prendre", "resultat",
    "resultats", "analyse", "analyses", "aujourd'hui", "demain", "semaine", "ca", "bien",
})


_PARTICLES = frozenset({"de", "du", "des", "le", "la", "d'", "van", "von", "di", "da"})


# Common first names (France, plus English ones): a two-word answer with none of them and no
# "je m'appelle" is asked again once ("Silvo plaie" is what the recognizer made of "s'il vous
# plaît"); a second answer of that shape is taken as it is.
_FIRST_NAMES_TEXT = """
marie jean pierre michel andre philippe nathalie isabelle sylvie catherine francoise anne
monique jacques christine martine nicolas christophe daniel alain patrick bernard eric
frederic stephane laurent sandrine valerie sophie julien david thomas olivier sebastien
celine aurelie julie camille emma lea chloe manon ines sarah laura lucie pauline marion
jade louise alice lina rose anna mila ambre juliette zoe clara margaux mathilde charlotte
elise eva oceane audrey emilie melanie caroline virginie veronique helene brigitte
christiane jacqueline nicole josette denise simone yvette colette paulette suzanne jeanne
madeleine genevieve odile agnes claire florence delphine karine stephanie elodie marine
gabriel leo louis raphael jules adam lucas hugo arthur nathan ethan paul victor maxime
antoine alexandre baptiste romain guillaume mathieu matthieu vincent francois sylvain
thierry pascal dominique didier gerard rene roger robert henri claude georges marcel
joseph yves serge gilles herve bruno denis fabrice franck jerome xavier cedric arnaud
damien benoit gregory kevin jeremy anthony mickael loic yann yannick tristan quentin
mohamed mohammed ahmed ali karim mehdi youssef rachid samir nadia fatima aicha amina
leila yasmine sofia myriam nora malika farid kamel hassan omar ibrahim moussa mamadou
fatou awa aminata kevin jessica lisa emily john james mary patricia robert michael william
elizabeth linda barbara susan richard charles margaret joseph sarah karen nancy betty
helen sandra donna carol ruth sharon laura george edward peter mark paul steven andrew
kenneth joshua anne jane alex sam chris tom ben jack harry oliver lily grace amelia
"""
FIRST_NAMES = frozenset(_FIRST_NAMES_TEXT.split())


@dataclass(frozen=True)
class Name:
    text: str
    """As read back: "Marie Dupont"."""
    prefixed: bool
    """Said after "je m'appelle"/"mon nom est"/"c'est" (a name for sure when it looks like one)."""
    known_first_name: bool = False
    """One of its words is a common first name."""

    @property
    def likely(self) -> bool:
        return self.prefixed or self.known_first_name


def parse_name(text: str) -> Name | None:
    """A person's name (1 to 4 words of letters, none of them common words), with an optional
    lead-in ("je m'appelle", "c'est"); None when the answer does not look like a name."""
    raw = text.strip()
    # Only the clause that holds the name: "Marie Dupont, née le 3 mars" -> "Marie Dupont".
    low = normalize(raw)
    match = _NAME_PREFIX.match(low)
    prefixed = match is not None
    rest = low[match.end():] if match else low
    rest = re.split(r"\s(?:ne|nee|born|au|rappel|mon|my|et|and|je|j'ai|i|pour|for)\s|[,;]",
                    f" {rest} ")[0] if rest else rest
    rest = re.split(r"\b(?:ne|nee|born)\b", rest)[0]
    tokens = [t for t in rest.replace("-", " - ").split() if t]
    words = [t for t in tokens if t != "-"]
    if not 1 <= len(words) <= 4:
        return None
    for k, w in enumerate(words):
        if 0 < k < len(words) - 1 and w in _PARTICLES:
            continue  # "Marie du Pont", "Jean de La Fontaine"
        if not re.fullmatch(r"[a-z][a-z']*", w) or w in _NOT_NAME or w in FILLERS:
            return None
    if len(words) == 1 and not prefixed:
        return None
    # The caller's spelling (accents, capitals) for the words kept.
    original = _original_words(raw, words)
    pretty = " ".join(
        w if (0 < k < len(original) - 1 and normalize(w) in _PARTICLES)
        else (w[:1].upper() + w[1:] if w.islower() else w) for k, w in enumerate(original))
    known = any(part in FIRST_NAMES for w in words for part in w.split("-"))
    return Name(pretty.replace(" - ", "-"), prefixed, known)


def _original_words(raw: str, words: list[str]) -> list[str]:
    """The words of ``raw`` whose normalised form is in ``words``, in order (accents kept)."""
    out: list[str] = []
    pool = list(words)
    for token in re.findall(r"[\w'’\-]+", raw):
        for part in token.replace("-", " - ").split():
            if part == "-":
                if out:
                    out.append("-")
                continue
            norm = normalize(part)
            if pool and norm == pool[0]:
                out.append(part.strip(".,!?"))
                pool.pop(0)
    while out and out[-1] == "-":
        out.pop()
    return out or words


_LEAD_IN = re.compile(r"\b(?:je m'?appelle|je m appelle|mon nom (?:c'?est|est)|moi c'?est|"
                      r"my name is|my name's|this is)\s+")


def find_name(text: str) -> Name | None:
    """A name introduced anywhere in a longer answer ("Bonjour, je m'appelle Marie Dupont, je
    voudrais..."): only after an explicit lead-in, so a reason is never taken for a name."""
    norm = normalize(text)
    match = _LEAD_IN.search(norm)
    if match is None:
        return None
    words = norm[match.start():].split()
    raw_words = re.findall(r"[\w'’\-]+", text)
    # Map back to the caller's spelling: the same number of words from the end of the text.
    tail = " ".join(raw_words[len(raw_words) - len(words):]) if len(raw_words) >= len(words) \
        else norm[match.start():]
    return parse_name(tail)


# How letters are said (and written by the recognizer): "avec un d" may come out "avec un des".
_LETTER_WORDS = {"de": "d", "des": "d", "dee": "d", "te": "t", "tes": "t", "the": "t",
                 "esse": "s", "es": "s", "ixe": "x", "x": "x", "zede": "z", "zed": "z",
                 "elle": "l", "emme": "m", "enne": "n", "erre": "r", "effe": "f", "be": "b",
                 "pe": "p", "ce": "c", "ge": "g", "ache": "h", "ka": "k", "ve": "v"}
_SPELLED = re.compile(r"\b(?:avec|with) (?:un |une |a |an )?([a-z]|"
                      + "|".join(sorted(_LETTER_WORDS, key=len, reverse=True))
                      + r")\b(?: (?:a la fin|at the end))?")


def correct_name(current: str, text: str) -> str | None:
    """A correction of the read-back name: "non, c'est Dupond avec un d" or "Dupond, avec un d
    à la fin" (the surname's last letter), or a new surname/full name; None if none heard."""
    norm = normalize(text)
    letter = _SPELLED.search(norm)
    said = re.sub(r"^(?:non|no|nan)\b[ ,]*", "", norm)
    said = _SPELLED.sub("", said).strip()
    # "c'est du pont": a surname the recognizer split at its particle.
    said = re.sub(r"^((?:c'?est|c est|moi c'?est|mon nom (?:c'?est|est)) )?(du|de|le|la) "
                  r"([a-z]+)$", lambda m: (m.group(1) or "") + m.group(2) + m.group(3), said)
    new = parse_name(said) if said else None
    parts = current.split()
    # The surname is the last word, with its particle ("du Pont" in "Marie du Pont").
    first = parts[:-2] if len(parts) >= 3 and normalize(parts[-2]) in _PARTICLES else parts[:-1]
    if new is not None:
        new_parts = new.text.split()
        parts = [*first, new_parts[0]] if len(new_parts) == 1 and first else new_parts
    elif said and len(said.split()) == 1 and re.fullmatch(r"[a-z]+", said) and \
            said not in _NOT_NAME:
        parts = [*first, said.capitalize()]
    if letter is not None and parts:
        surname = parts[-1]
        wanted = _LETTER_WORDS.get(letter.group(1), letter.group(1))
        if surname and surname[-1].lower() != wanted:
            # The letter the caller spelled replaces the silent ending it sounds like.
            base = surname[:-1] if surname[-1].lower() in "tdsxz" else surname
            parts[-1] = base + wanted
    result = " ".join(parts)
    return result if result and result != current else None
