"""A caller's short yes/no answer read with the question it answers.

"Oui, un peu" to "vous saignez ?", "non" to "il respire ?", "no he's not answering" to "is he
awake?" carry nothing on their own words. Read with the question they answer, they are what
the caller states: "vous saignez un peu", "il ne respire pas", "he is not awake". This module
only rewrites words; the written protocol reads the result (`StreamingClassifier.asked`), so
no clinical phrase is written here.

- `read_answer`: a yes or a no with at most `MAX_CONTENT_WORDS` other content words ("oui un
  peu", "non pas du tout", "yeah a bit", "no he's not answering"); anything longer is an
  answer in the caller's own words and is classified as such.
- `read_question`: a closed (yes/no) question as a statement and its negation, in French
  ("il respire ?", "est-ce qu'il respire ?", "respire-t-il ?", "avez-vous mal ?", "votre
  mari respire ?", "des douleurs ?") and English ("is he breathing?", "do you have chest
  pain?", "he's awake?", "any chest pain?"). Open questions ("quel âge a-t-il ?", "what
  happened?"), conditionals ("s'il a du mal à respirer, rappelez") and statements ("je vous
  envoie les pompiers.") are not questions a yes/no can be read with.
- `read_leading_no`: a longer answer that opens with a no ("non il dit que ça lui fait trop
  mal", "no she's just lying there"): the no answers the question, the rest is the caller's
  own words and is classified as such too.
- `compose`: the statement the caller made by answering: the proposition for a yes, its
  negation for a no, followed by the answer's other words ("un peu"); a manner answer ("pas
  bien", "bizarrement", "à peine", "not properly") qualifies the proposition ("il respire pas
  bien", "she is not breathing properly").

Deterministic word rules, no model: a wrong rewrite must be visible in a test. Whatever the
rewrite, the stream never lets a negated proposition raise what its affirmative raises too
(see `StreamingClassifier.asked`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.lang import scores
from classifier.text import fold

MAX_CONTENT_WORDS = 2
"""A yes/no answer with more content words than this ("oui il saigne beaucoup du bras") is
classified on its own words, as any other utterance."""

MAX_UNPUNCTUATED_WORDS = 12
"""An unpunctuated turn (a recognizer's or a transcriber's text with no "?") is taken as a
question only by its last this many words: a regulator's question ends their turn."""

def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# -- answers ----------------------------------------------------------------------------------

# Folded, as said; longest first when matched. "si" answers a negative question ("il ne
# respire pas ?" "si"); "d'accord" / "ok" acknowledge an instruction, they affirm nothing.
_YES = ("oui", "ouais", "ouai", "ouaip", "ouep", "si", "bien sur", "exactement",
        "tout a fait", "effectivement", "absolument", "en effet", "c'est ca", "c'est exact",
        "c'est bien ca", "je crois", "je pense", "il me semble", "yes", "yeah", "yep", "yup",
        "yah", "ya", "sure", "exactly", "correct", "absolutely", "definitely", "indeed",
        "that's right", "thats right", "right", "i think so", "i believe so", "uh huh",
        "uh-huh", "mm hmm", "mhm")
_NO = ("non", "nan", "pas du tout", "pas vraiment", "absolument pas", "pas spécialement",
       "pas specialement", "pas particulierement", "je crois pas", "je ne crois pas",
       "je pense pas", "je ne pense pas", "jamais", "no", "nope", "nah", "not really",
       "not at all", "never", "i don't think so", "i dont think so", "don't think so",
       "dont think so", "not that i know")
_DEGREE = ("un petit peu", "un peu", "legerement", "a little bit", "a little", "a bit",
           "slightly", "kind of", "sort of", "beaucoup", "a lot", "tres", "very", "vraiment",
           "really", "assez", "quite")
"""Degree words: an affirmative on their own ("un peu" to "vous avez mal ?"), kept in the
composed statement ("vous saignez un peu") and never counted as content words."""
_MANNER_FR = ("pas tres bien", "pas trop bien", "pas bien", "pas normalement",
              "pas correctement", "tres mal", "mal", "bizarrement", "bizarre", "difficilement",
              "avec difficulte", "a peine", "de travers")
"""French manner answers: the proposition as said, qualified ("il respire ?" "pas bien": "il
respire pas bien"; "bizarrement": "il respire bizarrement"). Regulators ask the vital questions
("il respire ?", "il vous répond ?") and callers answer how, not yes or no; the protocol reads
the qualified statement ("il respire mal" is a breathing emergency, "il respire bizarrement" is
asked). "pas mal" is not one: it means "quite a lot" ("vous saignez ?" "oui pas mal")."""
_MANNER_EN_NOT = ("not very well", "not properly", "not well", "not normally", "not right",
                  "barely", "hardly", "not really properly")
"""English manner answers that deny the proposition done properly: "Is she breathing?" "not
properly" / "barely": "she is not breathing properly"."""
_MANNER_EN = ("badly", "strangely", "oddly", "funny", "weird", "weirdly")
"""English manner answers that qualify it: "Is he breathing?" "weird": "he is breathing
weird"."""
_REASSURING = _set("bien normal normalement va fine okay ok well normally good alright")
"""A word in the rest of a longer no-answer that may take the no back ("non non elle va bien"):
such an answer is classified on its own words only."""
_NUMBER_WORDS = _set("zero un une deux trois quatre cinq six sept huit neuf dix onze douze "
                     "treize quatorze quinze seize vingt trente quarante cinquante soixante "
                     "cent mille demi one two three four five six seven eight nine ten "
                     "eleven twelve twenty thirty forty fifty hundred half")
_FILLERS = _set("euh heu hum hmm ben bah bon eh ah oh well um uh er alors donc enfin "
                "madame monsieur docteur mais")
_PRONOUNS_EN = _set("i you he she it we they there that")
_AUX_EN = _set("am is are was were do does did have has had can could will would "
               "should may might must")
_NEG_AUX_EN = _set("isn't aren't wasn't weren't don't doesn't didn't haven't hasn't "
                   "hadn't can't couldn't won't wouldn't shouldn't isnt arent wasnt "
                   "werent dont doesnt didnt havent hasnt cant couldnt wont wouldnt")
_CONTRACTIONS_EN = {"'s": "is", "'re": "are", "'m": "am", "'ve": "have", "'ll": "will",
                    "'d": "would"}


@dataclass(frozen=True)
class ShortAnswer:
    """A yes or a no, and what else the caller said with it."""

    yes: bool
    rest: str
    """The answer's other words, as said ("un peu", "he's not answering"); may be empty."""
    contradicts: bool = False
    """French "si": yes to a negative question."""
    lead_only: bool = False
    """A no that opens a longer answer (`read_leading_no`): the statement is the negation
    alone; ``rest`` (the caller's own words) is classified as said, never composed."""


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*|['’]", fold(text).replace("’", "'"))


def _strip_phrase(words: list[str], phrases: tuple[str, ...]) -> tuple[list[str], int]:
    """``words`` without any of ``phrases`` (folded, space-separated) and how many went."""
    found = 0
    out: list[str] = []
    i = 0
    keyed = sorted((p.split() for p in phrases), key=len, reverse=True)
    while i < len(words):
        for p in keyed:
            if words[i:i + len(p)] == p:
                found += 1
                i += len(p)
                break
        else:
            out.append(words[i])
            i += 1
    return out, found


def read_answer(text: str) -> ShortAnswer | None:
    """A short yes/no answer, or None (anything else: an answer in the caller's own words,
    a hesitation "je sais pas", a mixed "oui... non")."""
    from classifier.engine import content_words

    words = [w for w in _tokens(text) if w not in ("'", "-")]
    if not words:
        return None
    rest, n_no = _strip_phrase(words, _NO)
    rest, n_yes = _strip_phrase(rest, _YES)
    without_degree, n_degree = _strip_phrase(rest, _DEGREE)
    echo = _english_echo(without_degree)
    if echo is not None and not n_no and not n_yes:
        # "he isn't", "she does", "I don't": the auxiliary echoes the question.
        n_no, n_yes = (1, 0) if echo is False else (0, 1)
    manner = _manner(without_degree)
    if manner is not None and not n_yes and not _has_pas_mal(words):
        # "pas bien", "non pas bien", "bizarrement", "not properly", "barely": how, not
        # whether; the statement qualifies the proposition (`compose`).
        phrase, denies = manner
        others = [w for w in without_degree if w not in _FILLERS][len(phrase.split()):]
        content = [w for w in content_words([w for w in others if w not in _FILLERS])
                   if w not in _PRONOUNS_EN and w not in _AUX_EN and w not in _NEG_AUX_EN]
        if len(content) <= MAX_CONTENT_WORDS:
            if denies:
                return ShortAnswer(yes=False, rest=" ".join(["properly", *others]).strip())
            return ShortAnswer(yes=True, rest=" ".join([phrase, *others]).strip())
    if n_no and n_yes:
        return None
    if not n_no and not n_yes:
        if not n_degree:
            return None
        n_yes = 1  # "un peu", "a bit": yes, a little
    content = [w for w in content_words([w for w in without_degree if w not in _FILLERS])
               if w not in _PRONOUNS_EN and w not in _AUX_EN and w not in _NEG_AUX_EN]
    if len(content) > MAX_CONTENT_WORDS:
        return None
    # The caller's other words, in their spelling: everything after the last yes/no marker
    # is kept as said only when it carries a degree or content ("un peu", "not answering").
    kept = " ".join(w for w in rest if w not in _FILLERS)
    contradicts = bool(n_yes) and "si" in words and "oui" not in words
    # A number is what was asked for ("vous avez pris la température ?" "oui trente huit
    # cinq"): kept, or the statement read in its place dropped it from the call.
    numbers = any(w.isdigit() or w in _NUMBER_WORDS for w in rest)
    return ShortAnswer(yes=bool(n_yes), rest=kept if (content or n_degree or numbers) else "",
                       contradicts=contradicts)


def _manner(words: list[str]) -> tuple[str, bool] | None:
    """The manner answer ``words`` (folded) open with, and whether it denies the proposition
    done properly (English "not properly"); None when they open with none. Only at the start:
    "la voiture est mal garée" answers nothing about how the patient breathes."""
    words = [w for w in words if w not in _FILLERS]
    for phrases, denies in ((_MANNER_EN_NOT, True), (_MANNER_FR, False), (_MANNER_EN, False)):
        for phrase in sorted(phrases, key=len, reverse=True):
            if words[:len(phrase.split())] == phrase.split():
                return phrase, denies
    return None


def _has_pas_mal(words: list[str]) -> bool:
    return any(a == "pas" and b == "mal" for a, b in zip(words, words[1:], strict=False))


def read_leading_no(text: str) -> ShortAnswer | None:
    """A longer answer that opens with a no ("non il dit que ça lui fait trop mal il peut pas
    baisser la tête", "no she's just lying there"): the no, with the rest as said (only to
    check it does not take the no back); None when the answer does not open with a no, when
    it also says yes, or when its rest may reassure ("non non elle va bien")."""
    words = [w for w in _tokens(text) if w not in ("'", "-")]
    while words and words[0] in _FILLERS:
        words = words[1:]
    lead = next((p.split() for p in sorted(_NO, key=len, reverse=True)
                 if words[:len(p.split())] == p.split()), None)
    if lead is None:
        return None
    rest = words[len(lead):]
    while rest and rest[0] in ("non", "nan", "no", "nope"):
        rest = rest[1:]
    _, n_yes = _strip_phrase(rest, _YES)
    if not rest or n_yes or _REASSURING & set(rest) or _has_pas_mal(rest):
        return None
    return ShortAnswer(yes=False, rest=" ".join(rest), lead_only=True)


def _english_echo(words: list[str]) -> bool | None:
    """``True`` for "he is", "I do"; ``False`` for "he isn't", "she's not", "I don't";
    None when the words are anything else."""
    expanded: list[str] = []
    for w in words:
        head, _, tail = w.partition("'")
        if tail and f"'{tail}" in _CONTRACTIONS_EN and head in _PRONOUNS_EN:
            expanded += [head, _CONTRACTIONS_EN[f"'{tail}"]]
        else:
            expanded.append(w)
    if not expanded or expanded[0] not in _PRONOUNS_EN or len(expanded) > 4:
        return None
    tail_words = expanded[1:]
    if not tail_words or not (set(tail_words[:1]) & (_AUX_EN | _NEG_AUX_EN)):
        return None
    if any(w in _NEG_AUX_EN or w in ("not", "n't") for w in tail_words):
        return False
    if all(w in _AUX_EN for w in tail_words):
        return True
    return None


# -- questions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    """A closed question as the statement it asks about."""

    asked: str
    """The sentence read as the question, as said."""
    proposition: str
    """The statement a yes affirms ("il respire", "he is awake")."""
    negation: str
    """The statement a no makes ("il ne respire pas", "he is not awake"); for a negative
    question, the proposition itself ("il ne respire plus ?" "non")."""
    negative: bool = False
    """The question was asked in the negative ("il ne respire plus ?", "isn't he breathing?")."""
    language: str = "fr"
    slot: str | None = None
    """An open question for one value (`read_slot`): ``"age"`` or ``"duration"``; the answer
    is read by `compose_slot`, not as a yes or a no. ``proposition`` is then the statement's
    opening ("il a", "she is", "depuis", "for")."""


_WH_FR = _set("quel quelle quels quelles combien comment pourquoi quand ou qui quoi "
              "lequel laquelle lesquels lesquelles qu'est-ce")
_WH_FR_ANYWHERE = _set("quel quelle quels quelles combien")
_WH_EN = _set("what when where why how which who whom whose")
_INDIRECT = ("regardez si", "regardez s'", "regarde si", "regarde s'", "allez voir si",
             "allez voir s'", "va voir si", "va voir s'", "verifiez si", "verifiez s'",
             "dites-moi si", "dites-moi s'", "dites moi si", "dites moi s'",
             "vous pouvez regarder si", "vous pouvez regarder s'", "vous voyez si",
             "vous voyez s'", "check if", "check whether", "see if", "see whether",
             "look and see if", "can you see if", "can you check if", "can you check whether",
             "tell me if", "tell me whether", "let me know if")
"""A regulator's instruction to look, which is a yes/no question ("Regardez si son ventre se
soulève.", "allez voir s'il respire", "check if he's breathing"), said with a full stop as
often as with a question mark: a caller's "non" to it is "son ventre ne se soulève pas"."""
_LEAD = ("c'est-a-dire", "c'est a dire", "et", "alors", "donc", "bon", "bien", "d'accord", "ok",
         "okay", "euh", "heu", "hum",
         "madame", "monsieur", "mademoiselle", "docteur", "ecoutez", "dites-moi", "dites moi",
         "je voudrais savoir si", "je voulais savoir si", "vous savez si", "savez-vous si",
         *_INDIRECT, "est-ce que vous savez si", "and", "so", "well", "now", "alright",
         "all right", "sir",
         "ma'am", "please", "tell me", "can you tell me if", "can you tell me whether",
         "do you know if", "do you know whether")
_TAGS = ("c'est ca", "c'est bien ca", "n'est-ce pas", "hein", "ou pas", "ou non",
         "oui ou non", "d'accord", "right", "is that right", "is that correct", "correct",
         "or not", "yes or no", "ok", "okay", "non", "oui")
_CONDITIONAL = _set("si if unless")
"""Anywhere in the question, as is "s'il": a condition, not a statement about the patient."""
_CONDITIONAL_FIRST = _set("when lorsque lorsqu' quand")
"""Only at the start: "il vous répond quand vous lui parlez ?" is a question."""
_SUBJECTS_FR = _set("je j' tu il elle on nous vous ils elles ca cela c' ce")
_OBJECTS_FR = _set("me m' te t' se s' le la l' les lui leur y en nous vous")
_NEG_FR = _set("pas plus jamais rien personne aucun aucune guere point")
_DETS_FR = _set("le la l' les un une votre vos ton ta tes son sa ses mon ma mes ce cet "
                "cette ces leur leurs notre nos")
_PRENOMINAL_FR = _set("petit petite petits petites jeune jeunes vieux vieille vieil "
                      "grand grande pauvre")
_AGE_UNITS_FR = _set("an ans mois semaine semaines jour jours")
_PARTITIVE_FR = ("de la", "de l'", "du", "des", "d'", "un", "une", "de")
_STILL_FR = _set("toujours encore")
_DETS_EN = _set("the your my his her their our a an this that")
_PRENOMINAL_EN = _set("little young old baby")
_PRONOUN_SWAP_EN = {"you": "I", "your": "my", "yours": "mine", "yourself": "myself"}
_PREPOSITIONS_EN = _set("to with at for from about by")
_BE_AFTER_I = {"are": "am", "were": "was", "aren't": "am not", "weren't": "wasn't"}
_POSSESSIVE_SWAP_FR = {"vos": "mes"}
"""The caller's own: "vos jours" -> "mes jours" ("votre" stays: "mon" or "ma")."""
_VOWEL = re.compile(r"^[aeiouyhàâäéèêëîïôöùûü]", re.IGNORECASE)


def _words(text: str) -> list[str]:
    """Words as said (accents kept, for the protocol), elisions split: "n'avez" -> "n'",
    "avez"; "qu'il" -> "qu'", "il"."""
    text = text.replace("’", "'")
    out: list[str] = []
    for raw in re.findall(r"[\w'-]+", text):
        m = re.match(r"^((?:[a-zA-Z]{1,2}|qu|jusqu|lorsqu|puisqu)')(.+)$", raw, re.IGNORECASE)
        if m and fold(m.group(1)) in {"n'", "l'", "j'", "m'", "t'", "s'", "c'", "d'", "qu'",
                                       "jusqu'", "lorsqu'", "puisqu'"}:
            out += [m.group(1), m.group(2)]
        else:
            out.append(raw)
    return out


def _last_sentence(turn: str) -> str | None:
    """The sentence a reply answers: the turn's last, when it is a question ("?") or has no
    end punctuation at all (unpunctuated transcripts; its last `MAX_UNPUNCTUATED_WORDS`)."""
    turn = turn.strip()
    if not turn:
        return None
    sentences = [s for s in re.split(r"(?<=[.!?…])\s+", turn) if s.strip()]
    last = sentences[-1].strip()
    if last.endswith("?"):
        return last
    if last.endswith(".") and _indirect(last):
        return last[:-1]
    if last[-1] in ".!…":
        return None  # a statement or an instruction: "d'accord" to it affirms nothing
    return " ".join(last.split()[-MAX_UNPUNCTUATED_WORDS:])


def _indirect(sentence: str) -> bool:
    """``sentence`` opens with an instruction to look that asks yes or no (`_INDIRECT`)."""
    folded = [fold(w) for w in _words(sentence)]
    for lead in ("d'accord", "ok", "alors", "bon", "madame", "monsieur", "ok so", "right"):
        p = [fold(w) for w in _words(lead)]
        if folded[:len(p)] == p:
            folded = folded[len(p):]
    return any(folded[:len(q)] == q for q in ([fold(w) for w in _words(p)] for p in _INDIRECT))


def _strip_ends(words: list[str]) -> list[str]:
    lead = sorted(([fold(w) for w in _words(p)] for p in _LEAD), key=len, reverse=True)
    tags = sorted(([fold(w) for w in _words(p)] for p in _TAGS), key=len, reverse=True)
    changed = True
    while changed and words:
        changed = False
        folded = [fold(w) for w in words]
        for p in lead:
            if folded[:len(p)] == p and len(words) > len(p):
                words, changed = words[len(p):], True
                break
        folded = [fold(w) for w in words]
        for p in tags:
            if folded[-len(p):] == p and len(words) > len(p):
                words, changed = words[:-len(p)], True
                break
    return words


_ANNOUNCE = ("il faut", "faut", "vous allez", "je vais", "je vous", "on va", "on vous",
             "nous allons", "je passe", "restez", "mettez", "allongez", "surveillez",
             "you need to", "you have to", "you must", "i'm going", "i am going", "i will",
             "i'll", "we will", "we'll", "we are sending", "we're sending", "stay with", "keep")
"""An instruction or an announcement (a turn with no "?" may be one): "oui" agrees to it."""


def _announces(folded: list[str]) -> bool:
    for phrase in _ANNOUNCE:
        p = [fold(w) for w in _words(phrase)]
        if any(folded[k:k + len(p)] == p for k in range(len(folded) - len(p) + 1)):
            return True
    return False


def _english(folded: list[str]) -> bool:
    # The project's function-word identifier (classifier.lang), on the question's words with
    # English clitics split off ("isn't" -> "isn'", "t") as the classifier's tokens are.
    words = [part for w in folded for part in re.findall(r"[a-z0-9]+'?", w)]
    by_lang = scores(words)
    return by_lang["en"] > by_lang["fr"]


def read_question(turn: str) -> Question | None:
    """The closed question ``turn`` ends with, as a statement and its negation; None when it
    ends with no yes/no question (an open question, a statement, a conditional)."""
    sentence = _last_sentence(turn)
    if sentence is None:
        return None
    words = _strip_ends(_words(sentence))
    if not words:
        return None
    folded = [fold(w) for w in words]
    first = folded[0]
    if first in _WH_FR or first in _WH_EN or folded[-1] in _WH_FR | _WH_EN or \
            _WH_FR_ANYWHERE & set(folded) or any(w.startswith("qu'est") for w in folded) or \
            _open_inside(words, folded):
        return None
    conditional = _CONDITIONAL & set(folded) or first in _CONDITIONAL_FIRST or any(
        a == "s'" and b in ("il", "ils") for a, b in zip(folded, folded[1:], strict=False))
    if conditional or _announces(folded):
        # "s'il a du mal à respirer, rappelez", "il faut le masser", "je vous envoie une
        # équipe": what the caller's "oui" agrees to is not a statement about the patient.
        return None
    if _english(folded):
        return _question_en(sentence, words)
    return _question_fr(sentence, words)


_WH_INSIDE_FR = _set("comment pourquoi")
_WH_INSIDE_EN = _set("what where why how which who whom whose")
"""Question words that make a question open wherever they stand ("Il est comment votre
ventre ?", "Ambulance service, what's the address?"): a yes to it affirms nothing. "when" and
"quand" stay conditions at the start only ("il vous répond quand vous lui parlez ?")."""


def _open_inside(words: list[str], folded: list[str]) -> bool:
    """An open question whose question word is not first: after a greeting or a name
    ("SAMU, qu'est-ce qui se passe ?"), inside ("il a mal où ?" is caught by its last word,
    "un numéro où vous joindre ?" here)."""
    if any(a == "qu'" and b.startswith("est-ce") for a, b in zip(folded, folded[1:],
                                                                   strict=False)):
        return True  # "qu'est-ce qui se passe ?": "qu'" and "est-ce" are two words here
    if any(w.lower() == "où" for w in words) or _WH_INSIDE_FR & set(folded):
        return True
    return any(w.split("'")[0] in _WH_INSIDE_EN for w in folded)


# French ------------------------------------------------------------------------------------

def _elide(word: str, following: str) -> str:
    return "n'" if word == "ne" and _VOWEL.match(following) else word


def _join(words: list[str]) -> str:
    """Words back into text, elisions glued again ("n' a" -> "n'a")."""
    return re.sub(r"(?<=\w)' (?=\w)", "'", " ".join(w for w in words if w))


_INVERTED = re.compile(r"^(.+?)-(?:t-)?(je|tu|il|elle|on|nous|vous|ils|elles|ce)$")


def _question_fr(sentence: str, words: list[str]) -> Question | None:
    words = [w.lower() if k == 0 or w[1:].islower() else w for k, w in enumerate(words)]
    folded = [fold(w) for w in words]
    # "est-ce que / est-ce qu'": the statement follows as said.
    for k in range(len(folded) - 1):
        if folded[k] == "est-ce" and folded[k + 1] in ("que", "qu'"):
            words, folded = words[k + 2:], folded[k + 2:]
            break
    # Inversion: "avez-vous", "respire-t-il", "a-t-on", "y a-t-il", "est-elle".
    moved = False
    k = 0
    while k < len(words):
        m = _INVERTED.match(folded[k])
        if m is None:
            k += 1
            continue
        verb_word = re.sub(r"-(?:t-)?\w+$", "", words[k])
        pronoun = m.group(2)
        before = words[:k]
        if moved or (before and fold(before[0]) in _DETS_FR):
            # "Votre mari respire-t-il ?", "La personne est-elle inconsciente ?": the noun
            # is the subject, the pronoun repeats it.
            words = [*before, verb_word, *words[k + 1:]]
        else:
            # "N'avez-vous pas mal ?", "Y a-t-il du sang ?": the pronoun goes first.
            words = ["c'" if pronoun == "ce" else pronoun, *before, verb_word, *words[k + 1:]]
            k += 1
        moved = True
        folded = [fold(w) for w in words]
        k += 1
    if not words:
        return None
    words = [_POSSESSIVE_SWAP_FR.get(fold(w), w) for w in words]
    folded = [fold(w) for w in words]
    proposition = _join(words)
    verb = _finite_verb_fr(folded)
    if verb is None:
        # No verb: "Des douleurs dans la poitrine ?", "Mal à la tête ?", "Du sang ?".
        if folded[0] in _SUBJECTS_FR or {"ne", "n'", "pas"} & set(folded):
            return None
        rest = words
        for p in sorted((p.split() for p in _PARTITIVE_FR), key=len, reverse=True):
            if folded[:len(p)] == p:
                rest = words[len(p):]
                break
        return Question(sentence, proposition, _join(["pas", "de", *rest]),
                        language="fr") if rest else None
    start = verb
    while start > 0 and folded[start - 1] in _OBJECTS_FR | {"ne", "n'"} and \
            start - 1 > _subject_end_fr(folded):
        start -= 1
    after = words[verb + 1:]
    after_folded = folded[verb + 1:]
    # Negative at its verb: "il ne respire plus ?", "il respire pas ?", "n'avez-vous pas".
    if {"ne", "n'"} & set(folded[start:verb]) or (after_folded and after_folded[0] in _NEG_FR):
        return Question(sentence, proposition, proposition, negative=True, language="fr")
    neg_word = "pas"
    if after and fold(after[0]) in _STILL_FR:
        # "Il respire toujours ?" "Non": "il ne respire plus".
        neg_word, after = "plus", after[1:]
    head = words[:start]
    if head and fold(head[-1]) == "c'":
        head = [*head[:-1], "ce"]
    clitics = words[start:verb]
    ne = _elide("ne", (clitics or [words[verb]])[0])
    negation = _join([*head, ne, *clitics, words[verb], neg_word, *after])
    return Question(sentence, proposition, negation, language="fr")


def _subject_end_fr(folded: list[str]) -> int:
    """Index of the subject's last word (-1 when there is none to skip)."""
    if folded and folded[0] in _SUBJECTS_FR:
        return 0
    return -1


def _finite_verb_fr(folded: list[str]) -> int | None:
    """Where the finite verb is, by word order: after a subject pronoun and its object
    clitics ("il vous répond"), or after a noun subject "votre (petit) mari (de 3 ans)"."""
    n = len(folded)
    k = 0
    if n and folded[0] in _SUBJECTS_FR:
        k = 1
        if folded[0] == "il" and n > 1 and folded[1] == "y":
            k = 2  # "il y a"
            return k if k < n else None
        while k < n and (folded[k] in _OBJECTS_FR or folded[k] in ("ne", "n'")):
            k += 1
        return k if k < n else None
    if n and folded[0] in _DETS_FR:
        k = 1
        while k < n and folded[k] in _PRENOMINAL_FR:
            k += 1
        k += 1  # the noun
        if k + 2 < n and folded[k] == "de" and folded[k + 1].isdigit() or (
                k + 2 < n and folded[k] == "de" and folded[k + 2] in _AGE_UNITS_FR):
            k += 3  # "votre fille de trois ans"
        if k < n and folded[k] == ",":
            k += 1
        while k < n and (folded[k] in _OBJECTS_FR or folded[k] in ("ne", "n'")):
            k += 1
        return k if k < n else None
    return None


# English -----------------------------------------------------------------------------------

def _question_en(sentence: str, words: list[str]) -> Question | None:
    words = [w.lower() if k == 0 or w[1:].islower() else w for k, w in enumerate(words)]
    expanded: list[str] = []
    for w in words:
        head, _, tail = w.partition("'")
        if tail and f"'{tail}" in _CONTRACTIONS_EN and fold(head) in _PRONOUNS_EN | {"what"}:
            expanded += [head, _CONTRACTIONS_EN[f"'{tail}"]]
        else:
            expanded.append(w)
    words = expanded
    folded = [fold(w) for w in words]
    negative = False
    if folded[0] in _AUX_EN or folded[0] in _NEG_AUX_EN:
        aux = words[0]
        if folded[0] in _NEG_AUX_EN:
            negative = True
            aux = _positive_aux(folded[0])
        subject_len = _subject_en(folded[1:])
        if subject_len == 0:
            return None
        subject = words[1:1 + subject_len]
        rest = words[1 + subject_len:]
        if rest and fold(rest[0]) == "not":
            negative, rest = True, rest[1:]
        words = [*subject, aux, *rest]
        if negative:
            words = [*subject, aux, "not", *rest]
        folded = [fold(w) for w in words]
        aux_at = subject_len
    else:
        if folded[0] in ("any", "some"):
            rest = words[1:]
            return Question(sentence, " ".join(rest), " ".join(["no", *rest]), language="en")
        subject_len = _subject_en(folded)
        aux_at = subject_len if 0 < subject_len < len(folded) else -1
        if aux_at < 0:
            # No subject: "chest pain?", "trouble breathing?".
            return Question(sentence, " ".join(words), " ".join(["no", *words]),
                            language="en")
        if folded[aux_at] in _NEG_AUX_EN or (aux_at + 1 < len(folded)
                                             and folded[aux_at + 1] == "not"):
            negative = True
    words = _first_person_en(words)
    folded = [fold(w) for w in words]
    proposition = " ".join(words)
    if negative:
        return Question(sentence, proposition, proposition, negative=True, language="en")
    verb = folded[aux_at]
    after = words[aux_at + 1:]
    if after and fold(after[0]) == "still":
        after = after[1:]
    if verb in _AUX_EN or verb in ("am",):
        negation = [*words[:aux_at + 1], "not", *after]
    else:
        # No auxiliary: "he breathes?", "you feel dizzy?" -> "does not breathe".
        third = fold(words[0]) in ("he", "she", "it") or aux_at > 1
        base = re.sub(r"(?<=[^s])s$", "", words[aux_at]) if third else words[aux_at]
        negation = [*words[:aux_at], "does not" if third else "do not", base, *after]
    return Question(sentence, proposition, " ".join(negation), language="en")


def _positive_aux(neg: str) -> str:
    stem = neg.replace("n't", "").replace("nt", "") if neg not in ("can't", "cant", "won't",
                                                                    "wont") else neg
    return {"can't": "can", "cant": "can", "won't": "will", "wont": "will", "ca": "can",
            "wo": "will"}.get(stem, stem)


def _subject_en(folded: list[str]) -> int:
    """Words of the subject at the start of ``folded``: a pronoun, or a determiner (and
    prenominal words) and a noun ("your little boy"); 0 when there is none."""
    if not folded:
        return 0
    if folded[0] in _PRONOUNS_EN:
        return 1
    if folded[0] in _DETS_EN:
        k = 1
        while k < len(folded) and folded[k] in _PRENOMINAL_EN:
            k += 1
        return min(k + 1, len(folded))
    if folded[0] in _AUX_EN or folded[0] in _NEG_AUX_EN or len(folded) < 2:
        return 0
    # A name: "is John breathing?"
    return 1 if folded[1] in _AUX_EN or folded[0][:1].isalpha() else 0


def _first_person_en(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        swap = _PRONOUN_SWAP_EN.get(fold(w))
        if swap == "I" and out and fold(out[-1]) in _PREPOSITIONS_EN:
            out.append("me")  # "is he talking to you?" -> "he is talking to me"
        elif swap is not None:
            out.append(swap)
        elif out and out[-1] == "I" and fold(w) in _BE_AFTER_I:
            out.append(_BE_AFTER_I[fold(w)])
        else:
            out.append(w)
    return out


# -- where and who: the call's identification ------------------------------------------------

_LOCATION_PHRASES = ("adresse", "vous etes ou", "ou etes-vous", "ou est-ce que vous etes",
                     "vous appelez d'ou", "quelle ville", "quelle commune", "quel etage",
                     "code de la porte", "digicode", "numero de telephone", "votre numero",
                     "un numero", "le numero", "vous rappeler", "vous joindre", "votre nom",
                     "vous vous appelez comment", "comment vous vous appelez", "address",
                     "where are you", "postcode", "post code", "zip code", "phone number",
                     "call you back", "your number", "your name", "what's your name")
"""Folded phrases of a regulator's identification questions: where the patient is, how to call
back, who is calling. SAMU regulation asks them first, and the caller answers with an address
or a number at length."""


def asks_location(turn: str) -> bool:
    """``turn`` ends with a question for the call's identification (an address, a call-back
    number, a name): "SAMU, quelle est l'adresse ?", "Un numéro où on peut vous rappeler ?",
    "Ambulance service, what's the address?"."""
    sentence = _last_sentence(turn)
    if sentence is None:
        return False
    folded = " ".join(fold(w) for w in _words(sentence))
    return any(re.search(rf"(?<![\w'-]){re.escape(p)}(?![\w'-])", folded)
               for p in _LOCATION_PHRASES)


# -- slot questions: an age, a duration ----------------------------------------------------------

MAX_SLOT_WORDS = 6
"""An answer to "il a quel âge ?" or "depuis combien de temps ?" longer than this is the
caller's own sentence, classified as said."""
_UNITS_AGE = _set("an ans annee annees mois semaine semaines jour jours year years month "
                  "months week weeks day days")
_UNITS_TIME = _set("seconde secondes minute minutes heure heures jour jours semaine semaines "
                   "mois an ans quart second seconds minute minutes hour hours day days week "
                   "weeks month months year years")
_PHRASED_FIRST = _set("depuis pendant ca il elle on je j' since for he she it i they")
_PHRASED_SECOND = _set("a ai avez fait is am are was has")
"""An answer that already says its own statement ("ça fait dix minutes", "il a sept ans",
"since this morning", "she's three"): read as said. "à peu près dix minutes" is a value."""


def read_slot(turn: str) -> Question | None:
    """The open question for one value ``turn`` ends with: an age ("il a quel âge ?", "quel
    âge a-t-elle ?", "how old is he?") or a duration ("depuis quand ?", "depuis combien de
    temps il convulse ?", "ça dure depuis combien de temps ?", "how long has he been
    fitting?"); None for any other turn.

    The caller's answer is a bare value ("trois semaines", "cinq minutes"), which the
    protocol cannot tie to the patient: "mon bébé a 38,5 ... trois semaines" is suspected
    infant fever, "... il a trois semaines" the emergency; "il convulse ... cinq minutes"
    asked, "... depuis cinq minutes" a seizure of five minutes (SAMU regulation asks the age
    and the duration first because both decide)."""
    sentence = _last_sentence(turn)
    if sentence is None:
        return None
    words = _words(sentence)
    folded = [fold(w) for w in words]
    joined = " ".join(folded)
    english = _english(folded)
    if english:
        if "how old" in joined:
            subject = next((w for w in folded if w in ("he", "she", "you", "they")), "he")
            opening = {"you": "I am", "they": "they are"}.get(subject, f"{subject} is")
            return Question(sentence, opening, opening, language="en", slot="age")
        if "how long" in joined or "since when" in joined:
            return Question(sentence, "for", "for", language="en", slot="duration")
        return None
    if "age" in folded and {"quel", "quelle", "combien"} & set(folded):
        subject = "il"
        for w in folded:
            pronoun = w.rsplit("-", 1)[-1]
            if pronoun in ("il", "elle", "vous", "tu"):
                subject = pronoun
                break
        opening = {"vous": "j'ai", "tu": "j'ai"}.get(subject, f"{subject} a")
        return Question(sentence, opening, opening, language="fr", slot="age")
    if ("depuis" in folded and {"quand", "combien"} & set(folded)) or \
            "combien de temps" in joined or ("commence" in folded and "quand" in folded):
        return Question(sentence, "depuis", "depuis", language="fr", slot="duration")
    return None


def compose_slot(question: Question, text: str) -> ComposedAnswer | None:
    """The statement an age or a duration answer makes: "il a trois semaines", "elle a
    quatre-vingts ans", "depuis cinq minutes", "she is three weeks old", "for ten minutes";
    None when the answer is no bare value (longer than `MAX_SLOT_WORDS`, already phrased,
    "je sais pas", no number or unit)."""
    if question.slot is None:
        return None
    words = [w for w in _tokens(text) if w not in ("'", "-") and w not in _FILLERS]
    if not words or len(words) > MAX_SLOT_WORDS or words[0] in _PHRASED_FIRST or \
            _PHRASED_SECOND & set(words[1:2]) or words[0].split("'")[0] in _PHRASED_FIRST or \
            "ago" in words:
        return None
    numbers = any(w.isdigit() or p in _NUMBER_WORDS for w in words for p in w.split("-")) or any(
        w.replace(",", "").replace(".", "").isdigit() for w in text.split())
    units = _UNITS_AGE if question.slot == "age" else _UNITS_TIME
    has_unit = bool(units & set(words))
    if not has_unit and not (numbers and question.slot == "age"):
        return None
    said = " ".join(text.split()).strip(" .,!?")
    if question.slot == "age":
        if question.language == "en":
            tail = " old" if has_unit else " years old"
            statement = f"{question.proposition} {said}{'' if 'old' in words else tail}"
        else:
            statement = f"{question.proposition} {said}{'' if has_unit else ' ans'}"
    else:
        statement = f"{question.proposition} {said}"
    return ComposedAnswer(text=statement, question=question,
                          answer=ShortAnswer(yes=True, rest=said))


# -- composition ------------------------------------------------------------------------------

def _repeats(rest: str, question: str) -> bool:
    """``rest`` repeats a content word of ``question`` (same stem: "saigne" / "saignez")."""
    from classifier.engine import content_words
    from classifier.text import stem

    asked = {stem(w) for w in content_words(_tokens(question))}
    return any(stem(w) in asked for w in content_words(_tokens(rest)))


@dataclass(frozen=True)
class ComposedAnswer:
    """What the caller stated by answering ``question``."""

    text: str
    question: Question
    answer: ShortAnswer

    @property
    def negated(self) -> bool:
        """The caller said no to a positive question: the statement negates what was asked."""
        return not self.answer.yes and not self.question.negative


def compose(question: Question, answer: ShortAnswer) -> ComposedAnswer | None:
    """The statement of a yes (the proposition) or a no (its negation), with the answer's
    other words after it; None for "si" to a negative question (it affirms the positive,
    which the question does not spell out)."""
    if question.negative and answer.contradicts:
        return None
    if not answer.yes and not question.negative and _REASSURING & set(_tokens(answer.rest)):
        # "non non elle va bien elle dort" to "elle vous répond ?": the rest may take the no
        # back (the caller misheard, or answers another question); the caller's own words
        # are classified as they are.
        return None
    if not answer.yes and not question.negative and _repeats(answer.rest, question.asked):
        # "Non non, il respire bien" / "non, il respire plus" to "il respire ?": the caller
        # says in their own words what holds; those words are classified as they are.
        return None
    base = question.proposition if answer.yes or question.negative else question.negation
    if not base.strip():
        return None
    if answer.lead_only:
        return ComposedAnswer(text=base, question=question, answer=answer)
    text = f"{base} {answer.rest}".strip() if answer.rest else base
    return ComposedAnswer(text=text, question=question, answer=answer)


__all__ = ["MAX_CONTENT_WORDS", "MAX_SLOT_WORDS", "ComposedAnswer", "Question", "ShortAnswer",
           "asks_location", "compose", "compose_slot", "read_answer", "read_leading_no",
           "read_question", "read_slot"]
