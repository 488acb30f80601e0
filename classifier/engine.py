"""`Classifier`: the written protocol, optionally combined with encoder heads.

Conservative combination: urgency is at least what the protocol says; the model can raise it
(emergency above a threshold tuned for recall on the dev split), never lower a protocol hit.
Low intent confidence, uncertain model emergency, out-of-scope language, empty or truncated
text set ``needs_review`` (a human takes the call).
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from classifier.config import ClassifierConfig
from classifier.labels import Intent, RedFlag, Urgency
from classifier.lang import confident, detect
from classifier.protocol import LANGS, Protocol, ProtocolResult, common_words_of
from classifier.question import (
    ComposedAnswer,
    Question,
    asks_location,
    compose,
    compose_slot,
    read_answer,
    read_leading_no,
    read_question,
    read_slot,
)
from classifier.text import Doc, analyse, analyse_join, fold
from classifier.types import Classification, RedFlagHit, Span, TriageForm

if TYPE_CHECKING:
    from classifier.model import HeadsModel
    from classifier.similarity import SimilarityHit

log = logging.getLogger(__name__)

PROTOCOL_ONLY = "protocol-only"


def _urgency_max(a: Urgency, b: Urgency) -> Urgency:
    return a if a.rank >= b.rank else b


_REQUESTS = ("prescription_renewal", "test_results", "appointment_booking",
             "appointment_change")


def _raised_category(result: ProtocolResult, sim_hit: SimilarityHit | None,
                     model_category: RedFlag, below_alone: bool) -> RedFlag:
    """The category a heads-raised emergency is named: the protocol's suspicion, else the
    similar reference description's when the heads alone are not sure, else the heads'."""
    if result.suspected:
        return result.suspected[0].category
    if sim_hit is not None and below_alone:
        return sim_hit.category
    return model_category


def _heads_held(result: ProtocolResult, category: RedFlag, *, settled: bool,
                noise: bool, keeps: frozenset[RedFlag]) -> str | None:
    """Why the heads may not raise ``category`` here (the review reason), or None: the caller
    says the trouble has settled (not for the categories kept after an ending), the newest
    words are mostly non-words, or the caller's words rule the category out."""
    if settled and category not in keeps:
        return "model_held:settled"
    if noise:
        return "model_held:garbled"
    if category in result.ruled_out:
        return f"model_held:ruled_out:{category.value}"
    return None


def _plain_request(result: ProtocolResult) -> bool:
    """The protocol heard a request (a renewal, results, a booking) and nothing of a symptom:
    no symptom words, no suspicion, no urgent evidence. On such text the heads alone raised
    7 of the 10 routine false alarms of the hand-written dev_v2 ("renouveler la Ventoline
    de mon fils", "Can I get my antidepressants renewed") and no emergency of any dev set."""
    votes = result.intent_votes
    symptoms = votes.get("symptom_report", 0) - result.symptoms_said_absent
    return (any(votes.get(i, 0) for i in _REQUESTS) and symptoms <= 0
            and not result.suspected and not result.urgent_evidence and not result.red_flags)


# Words that carry no clinical content: function words, confirmations, scheduling talk,
# dates and numbers (folded, as `classifier.text` tokens are). What is left of a routine
# caller's short answer ("oui c'est bien ça", "Waze.", "Marie Dupont", "jeudi si possible")
# is at most a name or a misheard word.
_NO_CONTENT_WORDS = """
le la les un une des du de au aux ce cet cette ces mon ma mes ton ta tes son sa ses notre
votre nos vos leur leurs qui que quoi dont est sont suis etes sommes ete etait etais avait
avoir ont avez avons fait faire peut peux pouvez pourrait vais vas veut veux voudrais
voulais aimerais merci bonjour bonsoir revoir allo oui non ouais bien tres trop tout tous
toute toutes rien pas plus moins aussi encore deja alors donc mais car avec sans pour par
sur sous dans chez vers entre comme quand puis apres avant depuis pendant elle ils elles
nous vous lui leur moi toi eux meme ici voila ca cela ceci possible moment plutot accord
exactement tout fait entendu parfait super note ecoute attendez attends excusez pardon
desole madame monsieur docteur rendez vous rendez-vous semaine prochaine matin matinee midi soir
apres-midi aujourd demain hier heure heures lundi mardi mercredi jeudi vendredi samedi
dimanche janvier fevrier mars avril mai juin juillet aout septembre octobre novembre
decembre zero deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze
quinze seize vingt trente quarante cinquante soixante cent cents mille the and for you
your yes yeah yep nope okay thanks thank please hello bye goodbye that this those these
there here with without from into about what which who when then than just right fine
great sure exactly perfect sorry pardon hang let check moment next week morning afternoon
evening today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday
january february march april june july august september october november december one two
three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
thousand double have has had was were are been can could would will shall should may
might need want like some any all not but also too very much
"""
_NO_CONTENT = frozenset(_NO_CONTENT_WORDS.split())
MIN_CONTENT_WORDS = 3
"""Under this many content words in the newest words, with no clinical word the protocol
knows and no similar reference description, the heads' emergency is not evidence."""
ALONE_MIN_CONTENT_WORDS = 4
"""A model-only emergency with no other support needs at least this many content words (or a
symptom word the protocol knows); under it the caller is asked (`suspected`)."""


GARBLED_SHARE = 0.3
"""Share of the newest words that are no word of French or English (not among either's
``GARBLED_VOCABULARY`` most frequent) at or above which the text is heard as garbled."""
GARBLED_MIN_WORDS = 6
GARBLED_VOCABULARY = 50_000


def garbled(words: list[str]) -> bool:
    """The recognizer wrote mostly non-words ("Moufie s'allavaient celles, s'allavaient mes
    îl'abot moral": 4 of 11). On my routine passages spoken by the test voice and heard by
    Whisper base, the heads and the similarity raised such text as emergencies (P 0.17); their
    probabilities mean nothing there. Digits and names are not counted. The vocabulary is
    built once (~0.4 s, at ``Classifier.load``), not per call."""
    known = common_words_of(LANGS, GARBLED_VOCABULARY)
    letters = [w for w in words if w.replace("'", "").replace("-", "").isalpha()]
    if len(letters) < GARBLED_MIN_WORDS:
        return False
    return sum(w not in known for w in letters) / len(letters) >= GARBLED_SHARE


def content_words(words: list[str]) -> list[str]:
    """Words that may carry meaning: not function words, fillers, confirmations, dates or
    numbers; at least three letters."""
    # The tokenizer keeps an English 's apostrophe on the word ("that'" of "that's").
    return [w for w in words if len(w.rstrip("'")) >= 3
            and w.replace("'", "").replace("-", "").isalpha()
            and w.rstrip("'") not in _NO_CONTENT]


_REFLEXIVE = frozenset({"m'", "s'", "t'", "m", "s", "t"})
_NAME_NOUNS = frozenset({"name", "nom", "prenom", "surname", "firstname"})
_AFTER_A_NAME = frozenset({"et", "and", "j'", "i", "il", "elle", "he", "she", "mais", "but",
                           "je", "on", "we", "it", "ca"})


def without_introduced_names(words: list[str]) -> list[str]:
    """``words`` less a name the caller gives ("je m'appelle Jean Martin", "elle s'appelle
    Marie du pont", "my name is John Smith"): a name is no content. Answering the name
    question on a busy box, "Je m'appelle Jean Martin" after a misheard first sentence had
    three content words, so the heads' 0.40 read as `suicidal` and the routine caller was
    asked whether they thought of ending their life (`test_routine_calls_fill_the_form`)."""
    out: list[str] = []
    names = 0
    for i, w in enumerate(words):
        prev = words[i - 1] if i else ""
        if w.startswith("appel") and prev in _REFLEXIVE or w in _NAME_NOUNS:
            names = 3  # a first name and a surname of up to two words ("du pont")
            continue
        if names and w in _AFTER_A_NAME:
            names = 0
        elif names and w not in _NO_CONTENT and w not in {"is", "c'", "c", "s'"}:
            names -= 1
            continue
        out.append(w)
    return out


def clinical_evidence(result: ProtocolResult) -> bool:
    """The protocol heard a symptom or red-flag word (not negated, not past)."""
    return bool(result.red_flags or result.suspected or result.urgent_evidence
                or result.intent_votes.get("symptom_report", 0))


def _protocol_urgency_scores(result: ProtocolResult) -> dict[str, float]:
    if result.red_flags:
        return {"emergency": 1.0, "urgent": 0.0, "routine": 0.0}
    if result.suspected:
        return {"emergency": 0.5, "urgent": 0.5, "routine": 0.0}
    if result.urgency is Urgency.URGENT:
        return {"emergency": 0.0, "urgent": 1.0, "routine": 0.0}
    return {"emergency": 0.0, "urgent": 0.0, "routine": 1.0}


def _protocol_intent_scores(result: ProtocolResult) -> dict[str, float]:
    # Specific requests outweigh generic words: "annuler mon rendez-vous" is a change, not a
    # booking, though "rendez-vous" votes for booking too.
    weight = {"appointment_change": 1.6, "prescription_renewal": 1.3, "test_results": 1.3}
    votes = {i.value: float(result.intent_votes.get(i.value, 0)) * weight.get(i.value, 1.0)
             for i in Intent}
    if result.red_flags:  # a red flag is a symptom report, whatever else was asked
        votes[Intent.SYMPTOM_REPORT.value] += 2.0 + 2.0 * sum(votes.values())
    elif result.suspected or result.urgent_evidence:
        votes[Intent.SYMPTOM_REPORT.value] += 2.0
    total = sum(votes.values())
    if total == 0:
        return {i.value: (1.0 if i is Intent.OTHER else 0.0) for i in Intent}
    return {k: v / total for k, v in votes.items()}


class Classifier:
    """Loaded once per process; ``classify`` is thread-safe (the model runs under a lock)."""

    def __init__(self, config: ClassifierConfig, protocol: Protocol,
                 model: HeadsModel | None, model_error: str | None) -> None:
        self.config = config
        self.protocol = protocol
        self.model = model
        self.model_error = model_error
        self._lock = threading.Lock()
        self._nlp_lock = threading.Lock()

    @classmethod
    def load(cls, config: ClassifierConfig) -> Classifier:
        protocol = Protocol.load(config.protocol_file)
        model = None
        error = None
        if config.use_model:
            try:
                from classifier.model import HeadsModel

                model = HeadsModel.load(config)
                common_words_of(LANGS, GARBLED_VOCABULARY)  # `garbled`'s, off the first call
            except Exception as exc:  # noqa: BLE001 - any model failure degrades to review
                error = f"{type(exc).__name__}: {exc}"
                log.warning("classifier model unavailable, protocol only with every result "
                            "flagged for review: %s", error)
        return cls(config, protocol, model, error)

    def scoped(self, protocol: Protocol | None = None,
               languages: Sequence[str] | None = None) -> Classifier:
        """Another protocol and/or language scope over this classifier's loaded model (the
        encoder is ~470 MB, a protocol a few hundred kB), sharing its locks: one model, one
        lock, whichever scope asks. ``self`` when nothing differs; languages this classifier
        does not cover are dropped."""
        in_scope = tuple(lang for lang in (languages or ()) if lang in self.config.languages)
        in_scope = in_scope or self.config.languages
        if protocol is None and in_scope == self.config.languages:
            return self
        default = (self.config.default_language if self.config.default_language in in_scope
                   else in_scope[0])
        clone = Classifier(replace(self.config, languages=in_scope, default_language=default),
                           protocol or self.protocol, self.model, self.model_error)
        clone._lock, clone._nlp_lock = self._lock, self._nlp_lock
        return clone

    @property
    def version(self) -> str:
        base = f"protocol:{self.protocol.version}"
        if self.model is not None:
            return f"{base}+{self.model.version}"
        return f"{base}+{PROTOCOL_ONLY}"

    # -- classification ---------------------------------------------------------------------

    def classify(self, text: str, language: str | None = None) -> Classification:
        return self._classify(text, language, model_may_raise=True)

    def _classify(self, text: str, language: str | None,
                  model_may_raise: bool, recent_words: int | None = None,
                  run_model: bool = True, model_from: int = 0,
                  doc: Doc | None = None) -> Classification:
        """``model_may_raise=False`` for a partial hypothesis: cut mid-sentence ("ma femme elle
        arrive"), text the heads never saw; there only the protocol's evidence raises.
        ``recent_words``: in a call, how many words the latest utterance added.
        ``run_model=False``: the protocol alone (a replay skipping partials the heads cannot
        change the outcome of). ``model_from``: the heads and the similarity read
        ``text[model_from:]`` (in a call, the latest utterances); the protocol reads all.
        ``doc``: ``analyse(text)`` when the caller already has it (a call's finals so far)."""
        started = time.perf_counter()
        reasons: list[str] = []
        if not isinstance(text, str):
            raise TypeError(f"classify() expects the caller's words as str, got {type(text)}")
        if self.model_error is not None:
            reasons.append("model_unavailable")
        if not text.strip():
            return self._empty(text, language or self.config.default_language, reasons,
                               started)
        if len(text) > self.config.max_chars:
            warnings.warn(f"classifier input of {len(text)} characters truncated to "
                          f"{self.config.max_chars}", stacklevel=2)
            log.warning("classifier input truncated from %d to %d characters", len(text),
                        self.config.max_chars)
            text = text[: self.config.max_chars]
            reasons.append("truncated")
        doc = doc if doc is not None and doc.text == text else analyse(text)
        detected = language is None
        if language is None:
            language, in_scope = detect(doc, self.config.languages,
                                        self.config.default_language)
        else:
            in_scope = language in self.config.languages
        if not in_scope:
            reasons.append(f"language_out_of_scope:{language}")
        # A detected language that barely wins: the protocol reads both (an emergency said in
        # English must not be missed because "son" and "a" are French words too).
        clear = in_scope and (not detected or confident(doc, language, self.config.languages))
        result = self.protocol.match(doc, language if clear else None)

        urgency = result.urgency
        urgency_scores = _protocol_urgency_scores(result)
        intent_scores = _protocol_intent_scores(result)
        red_flags = list(result.red_flags)
        suspected = list(result.suspected)
        model = self.model if run_model else None
        if model is not None:
            from classifier.model import protocol_features

            with self._lock:
                out, sim = model.predict_with_similarity(text[model_from:],
                                                         protocol_features(result))
            if model_from:
                sim = sim.shifted(model_from, text)
            intent_scores = dict(out.intent)
            th = model.thresholds(self.config)
            p_em = out.urgency.get("emergency", 0.0)
            p_urg = out.urgency.get("urgent", 0.0)
            model_urgency = Urgency.ROUTINE
            n_words = len(doc.words)
            enough_words = n_words >= self.config.model_min_words
            # In a call, the words just heard: a short final fragment adds little evidence
            # to what was already classified.
            new_words = n_words if recent_words is None else min(n_words, recent_words)
            known = {h.category for h in red_flags} | {h.category for h in suspected}
            sim_hit = next((h for h in sim.hits if h.margin >= th.sim_suspect
                            and h.category not in known
                            and h.category not in result.ruled_out),
                           None) if model_may_raise else None
            model_category = RedFlag(max(out.red_flag, key=lambda k: out.red_flag[k]))
            # Out of distribution: the newest words hold almost no content (a name, "oui
            # c'est bien ça", a misheard "Whisse bien ça"), the protocol heard no clinical word
            # and no clause reads like a reference description. The heads' probabilities
            # mean nothing there: on the spoken path they flagged such fragments `suicidal`
            # and asked routine callers red-flag questions (issue 13). Rule-backed evidence
            # is never lowered (it does not reach here as low content).
            clinical = clinical_evidence(result)
            newest = [w.text for w in doc.words[-new_words:]] if new_words else []
            n_content = len(content_words(without_introduced_names(newest)))
            low_content = (not clinical and sim_hit is None
                           and n_content < MIN_CONTENT_WORDS)
            # The caller says it has stopped or the patient is well now, and no rule raised:
            # the heads read the episode's words, not its ending (my own routine passages,
            # heads on: "I cut my thumb, bled a bit, it's stopped" P(emergency) 0.97, "a
            # nosebleed, it stopped after ten minutes" 0.99, a head bump, "il joue et il
            # mange normalement" 0.30). They ask instead of raising, except for the
            # categories the protocol keeps after an ending (a TIA, an ingestion, ...).
            settled = result.settled and not red_flags
            # Only without protocol suspicion: "Il s'en boucoute sa haette pas" (heard for
            # "il saigne beaucoup, ça s'arrête pas", 2 non-words of 6) is a bleeding the
            # protocol suspects, and the heads rightly confirm it.
            noise = (not red_flags and not result.suspected
                     and garbled(without_introduced_names(newest)))
            keeps = self.protocol.resolved_keeps
            heads_emergency = (p_em >= th.emergency and model_may_raise
                               and (enough_words or bool(result.suspected)))
            sim_agrees = (sim_hit is not None and p_em >= th.sim_agree and not red_flags
                          and enough_words and not _plain_request(result))
            sim_hold = (_heads_held(result, sim_hit.category, settled=settled, noise=noise,
                                    keeps=keeps)
                        if sim_agrees and sim_hit is not None else None)
            if low_content:
                # Neither an emergency, a suspicion nor an urgency from the heads.
                log.debug("heads not used on a low-content utterance (%d content words, "
                          "P(emergency) %.2f)", n_content, p_em)
            elif heads_emergency:
                # A model-only emergency needs support: protocol suspicion, a similar
                # reference description, or a confident model on a whole sentence. Without
                # it the caller is asked (suspected): garbled routine fragments heard as
                # "Whisse bien ça" were flagged `suicidal` by the heads alone (issue 13).
                # The heads alone need a whole sentence with content in it, or a symptom
                # word the protocol knows.
                supported = (bool(result.suspected) or sim_hit is not None
                             or (p_em >= th.alone
                                 and new_words >= self.config.model_alone_min_words
                                 and (clinical or n_content >= ALONE_MIN_CONTENT_WORDS)))
                if _plain_request(result):
                    supported = False  # a request the heads read as an emergency: ask
                # "it stopped", "il joue normalement"; mostly non-words; a category the
                # caller's words rule out ("bébé de trois mois et demi, pas de fièvre":
                # infant fever at P 0.74): ask.
                hold = _heads_held(result, _raised_category(result, sim_hit, model_category,
                                                            p_em < th.alone),
                                   settled=settled, noise=noise, keeps=keeps)
                if supported and hold is not None:
                    supported = False
                    reasons.append(hold)
                if supported or red_flags:
                    model_urgency = Urgency.EMERGENCY
                elif model_category not in known:
                    suspected.append(RedFlagHit(model_category, None, "model", confirmed=False))
                    reasons.append(f"model_uncertain_emergency:{p_em:.2f}")
                    model_urgency = Urgency.URGENT
            elif sim_agrees and sim_hit is not None and sim_hold is None:
                # Two independent signals agree: what the caller said reads like a reference
                # description of the category, and the heads lean to an emergency.
                model_urgency = Urgency.EMERGENCY
                red_flags.append(RedFlagHit(sim_hit.category, sim_hit.span,
                                            "similarity+model", confirmed=True))
            elif p_em + p_urg >= th.urgent and (enough_words or result.suspected):
                # Two words ("Bonjour, je") are not evidence of anything: the heads only vote
                # on an utterance long enough to mean something, as for emergencies.
                model_urgency = Urgency.URGENT
            if sim_hold is not None and not heads_emergency:
                reasons.append(sim_hold)  # the agreement branch was held back
            if model_urgency is Urgency.EMERGENCY and not red_flags:
                category = _raised_category(result, sim_hit, model_category,
                                            p_em < th.alone)
                red_flags.append(RedFlagHit(category, None, "model", confirmed=True))
            elif (urgency is not Urgency.EMERGENCY and p_em >= th.review and enough_words
                  and model_may_raise and not low_content
                  and not any(r.startswith("model_uncertain") for r in reasons)):
                reasons.append(f"model_uncertain_emergency:{p_em:.2f}")
            if (sim_hit is not None and model_urgency is not Urgency.EMERGENCY
                    and urgency is not Urgency.EMERGENCY
                    and sim_hit.category not in {h.category for h in suspected}):
                # A paraphrase no rule names: ask the caller the category's yes/no question.
                suspected.append(RedFlagHit(sim_hit.category, sim_hit.span, "similarity",
                                            confirmed=False))
                model_urgency = _urgency_max(model_urgency, Urgency.URGENT)
            urgency = _urgency_max(urgency, model_urgency)
            # Scores: the model's, floored by what the protocol established.
            urgency_scores = dict(out.urgency)
            if result.red_flags:
                urgency_scores = {"emergency": 1.0, "urgent": 0.0, "routine": 0.0}
            # Red-flag evidence is a symptom report whatever the intent head says.
            if result.red_flags and intent_scores.get("symptom_report", 0.0) < 0.5:
                intent_scores = {k: v * 0.5 for k, v in intent_scores.items()}
                intent_scores["symptom_report"] += 0.5
        intent = Intent(max(intent_scores, key=lambda k: intent_scores[k]))
        if model is not None:
            if intent_scores[intent.value] < self.config.intent_review_threshold:
                reasons.append(f"low_intent_confidence:{intent_scores[intent.value]:.2f}")
        elif sum(result.intent_votes.values()) == 0 and not (
                result.red_flags or result.suspected or result.urgent_evidence):
            reasons.append("no_intent_evidence")
        return Classification(
            text=text, language=language, intent=intent, intent_scores=intent_scores,
            urgency=urgency, urgency_scores=urgency_scores, red_flags=tuple(red_flags),
            needs_review=bool(reasons), model_version=self.version,
            latency_ms=(time.perf_counter() - started) * 1000.0,
            review_reasons=tuple(reasons), suspected=tuple(suspected),
        )

    def _empty(self, text: str, language: str, reasons: list[str],
               started: float) -> Classification:
        return Classification(
            text=text, language=language, intent=Intent.OTHER,
            intent_scores={i.value: (1.0 if i is Intent.OTHER else 0.0) for i in Intent},
            urgency=Urgency.ROUTINE,
            urgency_scores={"emergency": 0.0, "urgent": 0.0, "routine": 1.0},
            red_flags=(), needs_review=True, model_version=self.version,
            latency_ms=(time.perf_counter() - started) * 1000.0,
            review_reasons=tuple([*reasons, "empty_text"]),
        )

    def extract_form(self, text: str, language: str | None = None,
                     classification: Classification | None = None) -> TriageForm:
        from classifier.form import extract_form

        if classification is None:
            classification = self.classify(text, language)
        if len(text) > self.config.max_chars:
            text = text[: self.config.max_chars]
        with self._nlp_lock:
            return extract_form(text, classification.language, classification)

    def stream(self, language: str | None = None, *,
               model_on_partials: bool = True,
               heads_on_flagged_finals: bool = True) -> StreamingClassifier:
        return StreamingClassifier(self, language, model_on_partials=model_on_partials,
                                   heads_on_flagged_finals=heads_on_flagged_finals)


@dataclass(frozen=True)
class _AnswerReading:
    """What a short answer read with its question adds to the caller's own words."""

    red_flags: tuple[RedFlagHit, ...]
    suspected: tuple[RedFlagHit, ...]
    urgency: Urgency


CLAUSE_SUFFIX = ":clause"
"""Appended to the ``source`` of a red flag the heads raised on a partial's completed clause
(``model:clause``, ``similarity+model:clause``; `StreamingClassifier`): read like a final, and
acted on at once by the agent like a rule's hit (its ``source`` is not ``model``)."""

CLAUSE_MIN_WORDS = 10
"""Words (fillers aside) a partial's completed clause needs before the heads may raise on it:
the agent acts on a model-only emergency only from a final of at least 10 content words
(``pipeline.agent.dialogue.SHORT_UTTERANCE_WORDS``); a clause read is held to the same bar."""

CLAUSE_EVERY_WORDS = 6
"""New words of an utterance between two clause reads by the heads (~2.5 s of speech): one
encoder pass (~160 ms on 2 cores) per clause, not per word."""

_CLAUSE_END = tuple(".,;:!?\u2026")
# Words that open a clause in unpunctuated speech ("il est tombé il bouge plus et il répond
# pas", "he collapsed and he's not breathing"): the words before them are a completed clause.
_CLAUSE_OPENER_WORDS = """
et mais alors puis donc car parce sinon enfin bref depuis maintenant
il elle ils elles on je j'ai j'suis j'arrive c'est ça
and but so then because now he she they i it's he's she's they're i'm i've we we're
"""
_CLAUSE_OPENERS = frozenset(_CLAUSE_OPENER_WORDS.split())
# Words a clause cannot end on ("quand il", "and then he", "de la", "pour mon").
_CLAUSE_DANGLING_WORDS = """
que qu' quand si lorsque comme où dont de d' du des le la les l' un une à au aux en dans sur
pour par avec sans chez mon ma mes son sa ses ton ta tes votre vos notre nos leur leurs ce
cette ces et mais alors puis donc car parce sinon enfin est a ai suis euh heu hum ben bah
the a an of to in on at for with and but so then because when if that my his her their your
our is was has had have um uh er erm
"""
_CLAUSE_DANGLING = frozenset(_CLAUSE_DANGLING_WORDS.split())
_FILLER_WORDS = frozenset({"euh", "heu", "hum", "hmm", "hm", "mm", "mmm", "mh", "ah", "oh",
                           "eh", "bah", "ben", "uh", "um", "er", "erm", "ha", "hein", "pff"})


def completed_clause(words: Sequence[str]) -> int:
    """How many of a partial's ``words`` make up its completed clauses: all of them when the
    newest ends a sentence or a clause (a recognizer's punctuation), all but the newest when
    the newest opens a new clause after a word a clause can end on; else 0 (the newest clause
    may still go on)."""
    if not words:
        return 0
    newest = words[-1]
    if newest.endswith(_CLAUSE_END):
        return len(words)
    if len(words) < 2:
        return 0
    opener = newest.lower().strip("\"'«»()")
    before = words[-2].lower().strip("\"'«»()")
    if opener in _CLAUSE_OPENERS and before not in _CLAUSE_DANGLING and \
            not before.endswith("'"):
        return len(words) - 1
    return 0


def _cue_word(cue: str, word: str) -> bool:
    if cue == "*":
        return True
    if cue.endswith("*"):
        return word.startswith(cue[:-1])
    return word == cue.lstrip("=")


def may_become_cue(words: Sequence[str], cues: Sequence[Sequence[str]]) -> bool:
    """``words`` (folded) are the start of one of ``cues`` (protocol phrases: folded words,
    ``*`` any word, ``word*`` a prefix) and not yet the whole of it: none said yet counts."""
    return any(len(words) < len(cue) and all(map(_cue_word, cue, words)) for cue in cues)


# Folded words of a completed past event ("a fait un AVC", "a eu une crise", "avait", "had a
# heart attack", "was diagnosed"): the frame in which a history cue often comes right after
# the term. "fait" and "eu" only after a form of "avoir": "ça fait rien", "elle fait une
# crise" tell the present.
_PAST_FRAME = frozenset({"avait", "avais", "avaient", "ete", "fut", "had", "was", "were", "did"})
_PAST_PARTICIPLES = frozenset({"eu", "fait"})
_AVOIR = frozenset({"a", "ai", "as", "avons", "avez", "ont", "avait", "avais", "avaient",
                    "aurait", "deja"})
PAST_FRAME_WORDS = 4
"""Words before a red flag's evidence (and in it) searched for a past frame."""


def _bare(word: str) -> str:
    return word.lower().strip("\"'«»().,;:!?\u2026")


def told_as_past(words: Sequence[str]) -> bool:
    """A completed past event is told in ``words`` (`_PAST_FRAME`; "a eu", "a fait")."""
    bare = [fold(_bare(w)) for w in words]
    return any(_past_event_at(bare, k) for k in range(len(bare)))


def _past_event_at(words: Sequence[str], k: int) -> bool:
    """``words[k]`` (folded) tells a completed past event: a past auxiliary ("avait", "had",
    "was") or a participle after "avoir" ("a eu", "a fait")."""
    return words[k] in _PAST_FRAME or (words[k] in _PAST_PARTICIPLES and k > 0
                                       and words[k - 1] in _AVOIR)


def spoken_words(words: Sequence[str]) -> int:
    """Words that are not fillers ("euh", "hmm")."""
    return sum(1 for w in words if w.lower().strip(".,;:!?\u2026") not in _FILLER_WORDS)


CLAUSE_WINDOW_WORDS = 8
"""Words said since the heads' last read after which a stretch with no clause boundary is
read anyway, at the next word that is no dangling word: a caller who runs one sentence into
the next with no punctuation and no opener the boundary reader knows ("il est par terre dans
la salle de bain on arrive pas à le réveiller") was read by the heads only at the turn's end."""

# Words a caller puts between two stretches of speech, where a writer would put a full stop:
# the stretch before them is complete ("... il respire bizarre euh on l'a mis sur le côté").
_PAUSE_WORDS = _FILLER_WORDS | frozenset({"voila", "voilà", "bon", "bref", "enfin", "okay",
                                          "ok", "well", "like", "anyway"})


def clause_boundary(words: Sequence[str], since: int) -> int:
    """How many of a partial's ``words`` make up a stretch the heads may read now (0: none):
    a completed clause (`completed_clause`: punctuation, or an opener such as "et", "il",
    "and"); the words before a pause-like filler or discourse marker ("euh", "voilà",
    "bon"); else, once `CLAUSE_WINDOW_WORDS` words were said since the read ending at
    ``since``, the words before the newest one when the one before it can end a clause (the
    newest is then known, so a stretch is never cut inside "de la", "parce que")."""
    n = completed_clause(words)
    if n or len(words) < 2:
        return n
    before = _bare(words[-2])
    if before in _CLAUSE_DANGLING or words[-2].endswith("'"):
        return 0
    if _bare(words[-1]) in _PAUSE_WORDS:
        return len(words) - 1
    if len(words) - 1 - since >= CLAUSE_WINDOW_WORDS:
        return len(words) - 1
    return 0


# What a caller says to the regulator's "where?", "who?", "a number to call you back?": on such
# a stretch the heads, trained on descriptions of symptoms, raised an emergency ("c'est au 14 rue
# des Acacias ... au fond de l'impasse", "on est sur la départementale au rond point" read as a
# stroke; last session's unpunctuated-partial trial: every gain on the regulation set was such a
# clause). Folded words (`classifier.text.fold`), matched whole.
_STREET_WORDS_TEXT = """
rue avenue boulevard bd impasse allee chemin quai lotissement residence batiment bat digicode
interphone cedex departementale nationale autoroute rond-point lieu-dit hameau square
street avenue lane crescent postcode zip apartment
"""
_STREET_WORDS = frozenset(_STREET_WORDS_TEXT.split())
"""Address words alone: a street, a building, a road."""
_PLACE_WORDS_TEXT = """
etage escalier code appartement appart bloc numero building block unit suite
"""
_PLACE_WORDS = frozenset(_PLACE_WORDS_TEXT.split())
"""Address words only with a number said in the same stretch ("au troisième étage", "le
code c'est 4 5 B 7", "escalier B"); alone they are ordinary words ("tombé dans l'escalier")."""
_CONTACT_WORDS = frozenset({"telephone", "portable", "numero", "mobile", "fixe", "phone", "number",
                            "cell"})
_NAME_WORDS_TEXT = """
m'appelle s'appelle nom prenom epelle epeler name surname spelled spell spelt
"""
_NAME_WORDS = frozenset(_NAME_WORDS_TEXT.split())
_BIRTH_WORDS = frozenset({"naissance", "born", "birth"})
_NUMBER_WORDS_TEXT = """
deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt
trente quarante cinquante soixante cent mille premier premiere deuxieme troisieme quatrieme
cinquieme sixieme septieme huitieme neuvieme dixieme rdc bis ter two three four five six seven
eight nine ten first second third fourth fifth sixth ground
"""
_NUMBER_WORDS = frozenset(_NUMBER_WORDS_TEXT.split())
"""Numbers and ordinals, "un"/"one" aside (an article as often as a number)."""


def identification(words: Sequence[str]) -> bool:
    """``words`` (a stretch of a caller's turn) give an address, a phone number, a name
    spelled or a date of birth: street or road words ("14 rue des Acacias", "sur la
    départementale"), building words with a number ("bâtiment C troisième étage", "le code
    c'est 4 5 B 7"), a run of digits ("06 12 48 77 30"), letters spelled one by one ("D U P
    O N T", "d comme Denis"), a name or birth cue ("je m'appelle", "née le 3 mars 1950", "my
    date of birth"). Measured values ("38,6", "sa tension est à 8") are none of these."""
    bare = [w for w in (fold(_bare(w)) for w in words) if w]
    numbered = any(any(ch.isdigit() for ch in w) or w in _NUMBER_WORDS for w in bare)
    letters = run = longest = 0
    for w in bare:
        letters = letters + 1 if len(w) == 1 and w.isalpha() else 0
        if letters >= 3:
            return True  # "D U P O N T"
        digits = sum(ch.isdigit() for ch in w)
        run = run + digits if digits else 0
        longest = max(longest, run)
    pairs = list(zip(bare, bare[1:], strict=False))
    return (longest >= 6  # a phone number said in groups, or in one
            or any(w in _STREET_WORDS for w in bare)
            or (numbered and any(w in _PLACE_WORDS for w in bare))
            or (numbered and any(w in _CONTACT_WORDS for w in bare))
            or any(w in _NAME_WORDS or w in _BIRTH_WORDS for w in bare)
            # "née le 3 mars", "né en 1950" (not the negation "il ne le ...")
            or any(w in {"ne", "nee"} and nxt in {"le", "en"} and k + 2 < len(bare)
                   and (any(ch.isdigit() for ch in bare[k + 2]) or bare[k + 2] in _NUMBER_WORDS)
                   for k, (w, nxt) in enumerate(pairs))
            or any(len(w) == 1 and w.isalpha() and nxt == "comme" for w, nxt in pairs))


class StreamingClassifier:
    """Rescores the call as words arrive. Finals accumulate; the current partial hypothesis
    is appended. Urgency never goes down during a call, and an emergency stays raised (with
    the red flags that raised it and the time they were heard) until ``clear_emergency``.

    Protocol evidence raises on any partial, at the word that completes it; the model alone
    raises only on a final (a whole utterance), since a partial is cut mid-sentence.

    A short yes/no answer is read with the question it answers (``asked``): "non" to "il
    respire ?" raises as "il ne respire pas" would."""

    QUESTION_FINALS = 3
    """A question asked is read with the caller's first yes/no final among the next this many
    finals ("Attendez..." "Non."), then forgotten."""

    def __init__(self, classifier: Classifier, language: str | None, *,
                 model_on_partials: bool = True, heads_on_flagged_finals: bool = True) -> None:
        """``model_on_partials=False``: partials are scored by the protocol alone. On a partial
        the heads can neither raise an emergency nor latch a lower urgency, so flags, their
        times and every final result are the same; only a partial's transient intent and
        urgency scores differ. The eval replay uses it (one encoder pass per utterance, not
        per word).

        ``heads_on_flagged_finals=False``: the heads skip a final whose text the protocol
        already flags, unless ``update(..., last_update=True)``. There they can add no category
        (they name one only when the protocol found none) and no urgency (emergency is the top), so
        the stream raises, stamps and latches the same; only that update's own intent and
        scores differ. The protocol runs first (a few ms) before the encoder (~160 ms). The
        eval replay uses it, with ``last_update`` on the call's last update, whose intent and scores
        it reports."""
        self.classifier = classifier
        self.language = language
        self.model_on_partials = model_on_partials
        self.heads_on_flagged_finals = heads_on_flagged_finals
        self.heads_skipped = 0
        """Encoder passes saved by ``heads_on_flagged_finals=False``."""
        self._finals: list[str] = []
        self._window: list[str] = []
        """The newest finals the classifier reads (all of them until ``max_chars * 3/4``)."""
        self._window_doc: Doc | None = None
        self._partial = ""
        self._latched = Urgency.ROUTINE
        self._raised: dict[RedFlag, RedFlagHit] = {}
        self._cleared_offset: int | None = None
        self.cleared_by: list[str] = []
        self.last: Classification | None = None
        self._question: Question | None = None
        self._question_finals = 0
        self._location_asked = False
        """The regulator asked where or who (`asks_location`); the caller's next final is
        the answer (`_identification_answer`)."""
        self.answers_read = 0
        """Short answers read with their question (composed), for the replay's report."""
        self._clause_words = 0
        """Words of the current utterance the heads last read as a completed clause."""
        self._clause_seen: frozenset[RedFlag] = frozenset()
        """Categories the heads raised, not sure enough to act on, on the current
        utterance's last stretch read (`_clause_flags`)."""
        self._history_cues: dict[str, tuple[tuple[str, ...], ...]] = {}
        self.held = 0
        """Partial updates on which a new red flag waited for a possible history cue."""
        self.clause_reads = 0
        """Encoder passes on a partial's completed clause (`_clause_flags`)."""
        self.identification_held = 0
        """Heads-only emergencies on an address or a number answered, asked instead
        (`_identification_answer`)."""

    @property
    def text(self) -> str:
        return " ".join(p for p in [*self._finals, self._partial] if p.strip())

    def asked(self, question: str | None) -> Question | None:
        """The agent or the regulator just said ``question`` (their whole turn or line; None
        forgets any question). The caller's next short yes/no final ("oui, un peu", "non",
        "no he's not answering", "pas bien", "not properly") is then read with it, as the
        statement it makes ("vous saignez un peu", "il ne respire pas", "he is not awake", "il
        respire pas bien"), by the written protocol alone; the caller's own words are
        classified as ever. An age or a duration asked ("il a quel âge ?", "depuis combien de
        temps ?", `read_slot`) is read with a bare value ("trois semaines": "il a trois
        semaines"). Returns the closed question
        read from ``question``: None when it ends with none (an open question, a statement,
        an instruction), and then nothing is read with the answer.

        Safety: the question alone never raises anything; a longer answer is classified on its
        own words only; a "no" raises only what its negation raises and the affirmative does
        not ("vous avez mal à la poitrine ?" "non" never raises chest pain); and, as for all
        evidence, urgency never goes down. A flag raised this way has ``answer_to`` set to the
        question and ``source`` ``"answer:<rule id>"`` (the audit says where it came from)."""
        self._question = (read_question(question) or read_slot(question)) if question else None
        self._question_finals = 0
        self._location_asked = bool(question) and asks_location(question or "")
        return self._question

    def _answer(self, text: str) -> ComposedAnswer | None:
        """The statement a final makes by answering the pending question, if it is a short
        yes/no answer (the question is then consumed; it expires after `QUESTION_FINALS`)."""
        question = self._question
        if question is None or not text.strip():
            return None
        self._question_finals += 1
        if question.slot is not None:
            # "Il a quel âge ?" "trois semaines": the value is read as said of the patient.
            composed = compose_slot(question, text)
            if composed is not None or self._question_finals >= self.QUESTION_FINALS:
                self._question = None
            return composed
        # A longer answer that opens with a no ("non il dit que ça lui fait trop mal", "no
        # she's just lying there") answers the question too; its own words are classified
        # as ever, the no adds what its negation raises (`read_leading_no`).
        answer = read_answer(text) or read_leading_no(text)
        if answer is None:
            if self._question_finals >= self.QUESTION_FINALS:
                self._question = None
            return None
        self._question = None
        return compose(question, answer)

    def _answer_reading(self, composed: ComposedAnswer, current: Classification,
                        full: str, text: str) -> _AnswerReading:
        """What the protocol reads in ``composed`` after the call's finals that ``current``
        (the caller's own words) does not already raise."""
        head = " ".join(self._window)
        # The statement is in the question's language, whatever the call's ("Is he
        # breathing?" "no" in a call begun in French).
        language = composed.question.language

        def reading(statement: str) -> Classification:
            joined = f"{head} {statement}" if head else statement
            doc = (analyse_join(self._window_doc, statement)
                   if self._window_doc is not None
                   and len(joined) <= self.classifier.config.max_chars else None)
            return self.classifier._classify(self._newest(joined), language,
                                             model_may_raise=False, run_model=False, doc=doc)

        def alone(statement: str) -> Classification:
            return self.classifier._classify(statement, language, model_may_raise=False,
                                             run_model=False)

        said = reading(composed.text)
        known = {h.category for h in current.red_flags}
        known_suspected = known | {h.category for h in current.suspected}
        floor = Urgency.ROUTINE
        if composed.negated:
            # A "no" states the negation; what the affirmative raises too comes from the
            # question's words, never from the caller's "no" (a rewrite the protocol does not
            # read as negated must not raise what the question asked about). Read alone:
            # after the call's finals, what they already suspect ("he's on the floor")
            # counted as asked about, and "does he respond?" "no" raised nothing.
            rest = "" if composed.answer.lead_only else composed.answer.rest
            affirmative = alone(f"{composed.question.proposition} {rest}".strip())
            asked_about = {h.category for h in affirmative.red_flags} | {
                h.category for h in affirmative.suspected}
            known, known_suspected = known | asked_about, known_suspected | asked_about
            floor = affirmative.urgency
        span = Span(max(0, len(full) - len(text)), len(full), text)
        question = composed.question.asked

        def mark(hit: RedFlagHit) -> RedFlagHit:
            return replace(hit, source=f"answer:{hit.source}", span=span, answer_to=question)

        flags = tuple(mark(h) for h in said.red_flags if h.category not in known)
        raised = {h.category for h in flags}
        suspected = tuple(mark(h) for h in said.suspected
                          if h.category not in known_suspected and h.category not in raised)
        urgency = Urgency.ROUTINE
        if flags:
            urgency = Urgency.EMERGENCY
        elif suspected or said.urgency.rank > floor.rank:
            # Without a new red flag an answer raises at most `urgent` (a window's own
            # emergency is already in ``current``).
            urgency = Urgency.URGENT
        return _AnswerReading(flags, suspected, urgency)

    def _with_answer(self, current: Classification, extra: _AnswerReading) -> Classification:
        known = {h.category for h in current.red_flags}
        flags = tuple(h for h in extra.red_flags if h.category not in known)
        known |= {h.category for h in current.suspected}
        suspected = tuple(h for h in extra.suspected if h.category not in known)
        urgency = _urgency_max(current.urgency, extra.urgency)
        if not flags and not suspected and urgency is current.urgency:
            return current
        scores = dict(current.urgency_scores)
        if flags:
            scores = {"emergency": 1.0, "urgent": 0.0, "routine": 0.0}
        return replace(current, urgency=urgency, urgency_scores=scores,
                       red_flags=(*current.red_flags, *flags),
                       suspected=(*current.suspected, *suspected))

    def _model_from(self, full: str, latest: str) -> int:
        """Where the heads start reading ``full``: the latest utterance and the finals before
        it, up to ``model_context_words`` words. The encoder keeps only its first 256 tokens,
        so on the whole call it went blind after about 150 words: a caller who said "et là
        il respire plus" two minutes in was read by the rules alone. The heads were also
        trained on single utterances, not on whole calls."""
        budget = self.classifier.config.model_context_words
        words = len(latest.split())
        chars = len(latest) if latest.strip() else 0
        for previous in reversed(self._window):
            n = len(previous.split())
            if words + n > budget:
                break
            words += n
            chars += len(previous) + 1
        return max(0, len(full) - chars)

    def _newest(self, text: str) -> str:
        """``text`` whole, or its newest words when longer than ``max_chars``. A call runs
        past 4000 characters after some five minutes of speech; cut from the end, the rules
        then stopped reading it (and every update asked for review as `truncated`). What
        was raised earlier stays raised."""
        limit = self.classifier.config.max_chars
        if len(text) <= limit:
            return text
        cut = text[-limit:]
        space = cut.find(" ")
        return cut[space + 1:] if 0 <= space < 64 else cut

    def _read(self, partial: str) -> tuple[str, Doc | None]:
        """What the classifier reads: the window of finals and the partial, with the finals'
        analysis reused (folding and tokenising the whole call again at every word was a
        fifth of a replay's protocol time)."""
        head = " ".join(self._window)
        if not partial.strip():
            full, doc = head, self._window_doc
        elif head:
            full = head + " " + partial
            doc = analyse_join(self._window_doc, partial) if self._window_doc else None
        else:
            full, doc = partial, None
        if len(full) > self.classifier.config.max_chars:
            return self._newest(full), None
        return full, doc

    def _append_final(self, text: str, read_as: str | None = None) -> None:
        """``read_as``: what the classifier reads for this final in later updates (a short
        answer's statement, "vous saignez un peu", instead of "oui, un peu")."""
        self._finals.append(text)
        if not text.strip():
            return
        text = read_as or text
        self._window.append(text)
        limit = self.classifier.config.max_chars * 3 // 4
        if len(self._window) > 1 and len(" ".join(self._window)) > limit:
            # Whole finals leave from the front, so the head stays the same during an
            # utterance; what they raised stays raised.
            while len(self._window) > 1 and len(" ".join(self._window)) > limit:
                self._window.pop(0)
            self._window_doc = analyse(" ".join(self._window))
        elif self._window_doc is None or len(self._window) == 1:
            self._window_doc = analyse(" ".join(self._window))
        else:
            self._window_doc = analyse_join(self._window_doc, text)

    def _cues_after(self, language: str) -> tuple[tuple[str, ...], ...]:
        """The protocol's past-history cues said after a term ("AVC il y a deux ans",
        "a heart attack two years ago"), in ``language`` (all languages when unknown)."""
        if language not in self._history_cues:
            concept = self.classifier.protocol.concepts.get("__hist_after")
            phrases = {} if concept is None else concept.phrases
            self._history_cues[language] = tuple(
                tuple(cue) for lang, cues in phrases.items()
                if language not in phrases or lang == language for cue in cues if cue)
        return self._history_cues[language]

    @staticmethod
    def _past_frame(text: str, span: Span) -> bool:
        """The evidence is told as a completed past event: a past auxiliary or participle
        ("a fait", "a eu", "avait", "had", "was") in it or in the words just before it."""
        before = [w.text for w in analyse(text[:span.start]).words][-PAST_FRAME_WORDS - 1:]
        inside = [w.text for w in analyse(text[span.start:span.end]).words]
        words = [*before, *inside]
        first = max(0, len(before) - PAST_FRAME_WORDS)  # the word before it is context only
        return any(_past_event_at(words, k) for k in range(first, len(words)))

    def _hold_for_history(self, current: Classification) -> Classification:
        """A red flag a partial raises for the first time waits while the words after it
        are the start of one of the protocol's past-history cues: "mon père a fait un AVC"
        is read as history once "il y a deux ans" follows, but the partial ending on "AVC"
        raised it and the live agent handed the routine call off mid-sentence
        (dialogues_dev). It is raised as soon as the next words are no such cue (one word
        later for most), or at the final; the protocol decides as ever on the longer text.
        Only for evidence told in a past frame (`_past_frame`): held on every red flag, the
        rule flags of dialogues_dev came 0.4-1.6 s later (median time to flag +0.5 s) for
        this one false alarm; a caller describing what happens now ("il convulse", "he
        collapsed in the kitchen") is not held."""
        cues = self._cues_after(current.language)
        held = tuple(
            h for h in current.red_flags
            if h.category not in self._raised and h.span is not None
            and self._past_frame(current.text, h.span)
            and may_become_cue([w.text for w in analyse(current.text[h.span.end:]).words],
                               cues))
        if not held:
            return current
        self.held += 1
        kept = tuple(h for h in current.red_flags if h not in held)
        if kept:
            return replace(current, red_flags=kept)
        return replace(current, red_flags=kept, urgency=Urgency.URGENT,
                       urgency_scores={"emergency": 0.5, "urgent": 0.5, "routine": 0.0},
                       suspected=(*current.suspected,
                                  *(replace(h, confirmed=False) for h in held)))

    def _clause_flags(self, partial: str) -> tuple[RedFlagHit, ...]:
        """The heads read a partial's stretches as they would a final, and what they raise
        there is raised now. A recognizer sends a final at a pause; a caller who speaks for
        30 s without one (or a recording replayed turn by turn) was read by the heads only at
        its end: on Simsamu's real calls the heads raised 36 flags at 27.8 s median, the rules
        18 at 21.7 s. A stretch ends where `clause_boundary` says (punctuation, an opener, a
        filler, or `CLAUSE_WINDOW_WORDS` words with no boundary), read every
        `CLAUSE_EVERY_WORDS` new words once the utterance holds `CLAUSE_MIN_WORDS`, until the
        call is flagged, never after a human cleared it (finals read as ever). A caller asked
        "quelle est l'adresse ?" who answers "venez vite ... il bouge plus" is read as any
        other: the address stretches are what the gate below leaves out.

        Gates, each from a false alarm measured:
        - the newest stretch gives no address, phone number, name or date of birth
          (`identification`): the heads raised "12 rue des Lilas ... le code" as a stroke,
          and last session's trial without this gate gained only on such clauses;
        - the words after the boundary start no past-history cue ("il a fait un AVC | il y a
          deux ans"): the stretch is read once they are said;
        - the protocol suspects a category there and raises none (the heads confirm the
          suspicion earlier; the protocol reads every partial anyway);
        - the heads raise under the final's support rules (`Classifier._classify`), and a
          raise sure enough to stand alone on a final (P(emergency) >= the heads' ``alone``
          threshold) counts at once; a weaker one, supported only by the protocol's
          suspicion, counts when the next stretch of the same utterance raises the same
          category again. Read once, such raises were "ma fille ... elle est asthmatique"
          (P 0.32) before a renewal request and "il est asthmatique mais là ça va très bien
          il a pas" (0.26; dialogues_dev, a routine call); read twice, the category holds
          on the words that follow ("... elle fait une crise depuis une heure").
        What they raise has ``source`` ``model:clause`` and the agent acts on it at once."""
        if (self.classifier.model is None or self.emergency
                or self._cleared_offset is not None):
            return ()
        words = partial.split()
        n = clause_boundary(words, self._clause_words)
        # A clause that ends (punctuation, an opener) is read sooner after the last read than
        # a window or a pause: "... qui est tombé | devant la boulangerie | il bouge plus"
        # read as a window at "tombé" then waited 6 words and flagged 0.6 s later.
        every = CLAUSE_EVERY_WORDS // 2 if n and completed_clause(words) == n else \
            CLAUSE_EVERY_WORDS
        if n - self._clause_words < every or spoken_words(words[:n]) < CLAUSE_MIN_WORDS:
            return ()
        stretch = words[self._clause_words:n]
        after = [fold(_bare(w)) for w in words[n:]]
        if after and told_as_past(stretch) and any(
                cue[0] != "*" and all(map(_cue_word, cue, after))
                for cue in self._cues_after(self.language or "")):
            # "il a fait un AVC | il y a deux ans": the words after the boundary may still
            # set a past event in the past; read it once they cannot. Only for a past
            # frame, as `_hold_for_history`: "il y a" also opens "il y a un monsieur qui
            # est tombé | il bouge plus" (dialogues_dev, 0.6 s later when held).
            return ()
        self._clause_words = n
        if identification(stretch):
            self._clause_seen = frozenset()
            return ()
        clause = " ".join(words[:n])
        full, doc = self._read(clause)
        model_from = self._model_from(full, clause)
        alone = self.classifier._classify(full, self.language, model_may_raise=True,
                                          recent_words=n, run_model=False,
                                          model_from=model_from, doc=doc)
        if alone.red_flags:
            return ()  # the heads add no category where the protocol found one
        if not alone.suspected:
            # Where it suspects none, they wait for the final: on clauses with no symptom
            # word they raised "je suis enceinte de sept mois" as obstetric (dialogues_dev).
            self._clause_seen = frozenset()
            return ()
        self.clause_reads += 1
        read = self.classifier._classify(full, self.language, model_may_raise=True,
                                         recent_words=n, run_model=True,
                                         model_from=model_from, doc=doc)
        if any(r.startswith("model_uncertain") for r in read.review_reasons):
            self._clause_seen = frozenset()
            return ()
        hits = tuple(h for h in read.red_flags if h.from_model)
        seen, self._clause_seen = self._clause_seen, frozenset(h.category for h in hits)
        alone_bar = self.classifier.model.thresholds(self.classifier.config).alone
        if read.urgency_scores.get(Urgency.EMERGENCY.value, 0.0) < alone_bar:
            hits = tuple(h for h in hits if h.category in seen)
        return tuple(replace(h, source=h.source + CLAUSE_SUFFIX) for h in hits)

    def _identification_answer(self, current: Classification, full: str, text: str,
                               doc: Doc | None, model_from: int) -> Classification:
        """A final that answers the regulator's "quelle est l'adresse ?" or "un numéro où vous
        rappeler ?" is an address or a number: the heads, trained on callers' descriptions,
        raised such a turn as an emergency ("on est sur la départementale ... au rond point du
        Leclerc juste après le pont" as stroke, dialogues_regulation_dev; an address clause as
        stroke before, dialogues_dev). There a heads-only emergency stands only where the
        protocol hears a symptom word in the call's words; else the caller is asked
        (`suspected`, urgent), as for any unsupported model emergency. Rule evidence is never
        touched ("12 rue des Lilas venez vite il respire plus" raises as ever)."""
        heads = tuple(h for h in current.red_flags if h.from_model)
        if not heads or len(heads) != len(current.red_flags):
            return current
        alone = self.classifier._classify(full, self.language, model_may_raise=False,
                                          recent_words=len(text.split()), run_model=False,
                                          model_from=model_from, doc=doc)
        clinical = (alone.suspected or alone.urgency is not Urgency.ROUTINE
                    or alone.intent_scores.get(Intent.SYMPTOM_REPORT.value, 0.0) > 0.0)
        if clinical:
            return current
        self.identification_held += 1
        known = {h.category for h in current.suspected}
        return replace(current, urgency=Urgency.URGENT, red_flags=(),
                       suspected=(*current.suspected,
                                  *(replace(h, confirmed=False) for h in heads
                                    if h.category not in known)),
                       needs_review=True,
                       review_reasons=(*current.review_reasons, "model_on_identification"))

    def update(self, text: str, *, t: float, final: bool, last_update: bool = False
               ) -> Classification:
        self._partial = text
        # Only a final is an answer: a partial "non" may go on "non non, il respire bien".
        composed = self._answer(text) if final else None
        full, doc = self._read(text)
        # The model may raise on a final (a whole utterance), the protocol on any partial.
        run_model = final or self.model_on_partials
        model_from = self._model_from(full, text)
        current: Classification | None = None
        if (run_model and not self.heads_on_flagged_finals and not last_update
                and self.classifier.model is not None):
            alone = self.classifier._classify(full, self.language, model_may_raise=final,
                                              recent_words=len(text.split()),
                                              run_model=False, model_from=model_from, doc=doc)
            if alone.red_flags:
                self.heads_skipped += 1
                current, run_model = alone, False
        if current is None:
            current = self.classifier._classify(full, self.language, model_may_raise=final,
                                                recent_words=len(text.split()),
                                                run_model=run_model, model_from=model_from,
                                                doc=doc)
        if self.language is None and len(full.split()) >= 6:
            self.language = current.language  # stable language once enough is heard
        if final and self._location_asked:
            self._location_asked = False
            if self._cleared_offset is None:
                current = self._identification_answer(current, full, text, doc, model_from)
        if not final and self._cleared_offset is None and current.red_flags:
            current = self._hold_for_history(current)
        if not final and current.urgency is not Urgency.EMERGENCY:
            clause = self._clause_flags(text)
            if clause:
                current = replace(current, urgency=Urgency.EMERGENCY,
                                  urgency_scores={"emergency": 1.0, "urgent": 0.0,
                                                  "routine": 0.0},
                                  red_flags=(*current.red_flags, *clause))
        read_as: str | None = None
        extra: _AnswerReading | None = None
        if composed is not None:
            self.answers_read += 1
            extra = self._answer_reading(composed, current, full, text)
            if (extra.red_flags or not composed.negated) and not composed.answer.lead_only:
                # Later updates read the statement ("vous avez de la fièvre" then "la nuque
                # raide ?" "oui" is a meningitis picture); a "no" that raised nothing is kept
                # as said, so its rewrite is never read again; so is a longer answer opening
                # with a no (its own words are what the caller said).
                read_as = composed.text
        if self._cleared_offset is not None:
            # After a human cleared the emergency, only words heard since can raise again.
            tail = self._newest(self.text[self._cleared_offset:])
            after = (self.classifier._classify(tail, current.language, model_may_raise=final,
                                               recent_words=len(text.split()),
                                               run_model=run_model)
                     if tail.strip() else None)
            current = replace(
                current,
                urgency=after.urgency if after else Urgency.ROUTINE,
                urgency_scores=after.urgency_scores if after else current.urgency_scores,
                red_flags=after.red_flags if after else (),
            )
        if extra is not None:
            current = self._with_answer(current, extra)
        for hit in current.red_flags:
            if hit.category not in self._raised:
                self._raised[hit.category] = replace(hit, t=t)
        shown = _urgency_max(self._latched, current.urgency)
        # Only an emergency (protocol evidence on a partial) or a whole utterance latches: a
        # partial's lower urgency is a guess about words not yet heard and must not stick
        # for the rest of the call.
        if final or current.urgency is Urgency.EMERGENCY:
            self._latched = shown
        scores = dict(current.urgency_scores)
        if shown is Urgency.EMERGENCY:
            scores["emergency"] = max(scores.get("emergency", 0.0), 1.0 if self._raised else
                                      scores.get("emergency", 0.0))
        result = replace(current, urgency=shown, red_flags=tuple(self._raised.values()),
                         urgency_scores=scores)
        if final:
            self._append_final(text, read_as)
            self._partial = ""
            self._clause_words = 0
            self._clause_seen = frozenset()
        self.last = result
        return result

    def clear_emergency(self, by: str) -> None:
        """A human reviewed the emergency: stop holding it. Evidence heard later raises again."""
        if not by:
            raise ValueError("clear_emergency(by=...) needs who cleared it (audit trail)")
        self.cleared_by.append(by)
        self._raised.clear()
        self._latched = Urgency.URGENT if self._latched is Urgency.EMERGENCY else self._latched
        self._cleared_offset = len(self.text)

    @property
    def emergency(self) -> bool:
        return self._latched is Urgency.EMERGENCY

    def form(self) -> TriageForm:
        full = self.text
        return self.classifier.extract_form(full, self.language or self.last.language
                                            if self.last else self.language, self.last)


def default_heads_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("models").joinpath("heads")))
