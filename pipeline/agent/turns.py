"""Turn-taking: when the caller's turn is over, so the agent may answer.

The recognizer closes an utterance after ~0.35 s of silence: right for a fast final, too eager
for turn-taking (callers pause mid-sentence: "Je voudrais prendre. ... rendez-vous"). A turn
ends at a final when the words form a complete answer to the question asked (a name, a date, a
number, a yes/no, a sentence that does not stop on "pour"/"prendre"/"de"...) and pipecat's Smart
Turn v3.2 (local ONNX shipped inside pipecat, nothing downloaded) hears a finished turn;
otherwise the agent waits for more speech, at most ``max_wait_s`` (``incomplete_wait_s`` when
the words stop where a sentence cannot).

Everything here runs on the audio clock: a wait ends when the recognizer has processed audio
``margin_s`` past the deadline with no new utterance begun before it, so the same recording
gives the same turns however loaded the machine is. Red flags never wait for a turn to end.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from classifier.types import Classification, TriageForm
from pipeline.agent import answers


class Expect(StrEnum):
    """What answer the agent's last question expects."""

    SENTENCE = "sentence"
    NAME = "name"
    DATE = "date"
    PHONE = "phone"
    YES_NO = "yes_no"
    PHONE_OR_YES_NO = "phone_or_yes_no"


def is_complete_answer(text: str, expect: Expect) -> bool:
    """The words answer the question asked, as far as their form goes."""
    if answers.is_dangling(text):
        return False
    if expect is Expect.YES_NO:
        return answers.parse_yes_no(text) is not None
    if expect is Expect.NAME:
        return (answers.parse_name(text) or answers.find_name(text)) is not None
    if expect is Expect.DATE:
        return answers.parse_date_of_birth(text) is not None
    if expect is Expect.PHONE:
        return answers.parse_phone(text) is not None
    if expect is Expect.PHONE_OR_YES_NO:
        return answers.parse_phone(text) is not None or answers.parse_yes_no(text) is not None
    return len(answers.content_words(text)) >= 3


@dataclass(frozen=True)
class TurnOptions:
    max_wait_s: float = 1.2
    """Silence after an unfinished-sounding turn before the agent answers anyway."""
    incomplete_wait_s: float = 2.0
    """Silence after words that cannot end a sentence ("je voudrais prendre")."""
    min_gap_s: float = 0.6
    """Silence after the last voiced sample before even a complete answer ends the turn. The
    recognizer ends an utterance at 0.35 s of silence; callers (and test voices) pause 0.4-0.6 s
    inside a sentence ("Je voudrais prendre. ... rendez-vous"), so a turn waits a little more
    for a resumed sentence (+0.5 s before the agent answers; never for a red flag)."""
    margin_s: float = 0.25
    """Audio past a deadline before it counts as passed: the VAD reports a new utterance
    ~0.1-0.2 s after it began, so a resumed sentence is always seen before the wait ends."""
    smart_turn_threshold: float = 0.5


def turn_wait(text: str, expect: Expect, smart_turn_p: float | None,
              options: TurnOptions) -> float | None:
    """None: the turn is over now. Otherwise: seconds of silence to wait for more words.
    ``smart_turn_p`` None means no end-of-turn model (or it faulted): the words decide."""
    if answers.is_dangling(text):
        return options.incomplete_wait_s
    heard_done = smart_turn_p is None or smart_turn_p >= options.smart_turn_threshold
    if is_complete_answer(text, expect):
        return None if heard_done else options.max_wait_s
    if smart_turn_p is not None and heard_done:
        return None  # an answer that is not one, said as finished: the dialogue re-asks
    return options.max_wait_s


@dataclass(frozen=True)
class Turn:
    text: str
    utterance_id: int
    classification: Classification | None
    form: TriageForm | None


@dataclass
class TurnTaker:
    """The caller's current turn: finals joined until the turn is over."""

    options: TurnOptions = field(default_factory=TurnOptions)
    parts: list[str] = field(default_factory=list)
    utterance_id: int = 0
    classification: Classification | None = None
    form: TriageForm | None = None
    deadline: float | None = None
    reason: str = ""
    """Why the turn will end at the deadline: complete, incomplete_answer or smart_turn."""

    def add_final(self, text: str, utterance_id: int, classification: Classification | None,
                  form: TriageForm | None) -> str:
        """Add an utterance's final; returns the turn's words so far."""
        if text.strip():
            self.parts.append(text.strip())
        self.utterance_id = utterance_id
        self.classification = classification if classification is not None else \
            self.classification
        self.form = form if form is not None else self.form
        self.deadline = None
        return self.text

    @property
    def text(self) -> str:
        return " ".join(self.parts)

    @property
    def pending(self) -> bool:
        return bool(self.parts) or self.deadline is not None

    def wait(self, until: float, reason: str) -> None:
        self.deadline = until
        self.reason = reason

    def resumed(self, t: float) -> bool:
        """The caller started an utterance at ``t``: True when it continues the turn (began
        before the wait ran out), False when the wait had passed (the turn is over)."""
        if self.deadline is None:
            return bool(self.parts)
        if t < self.deadline:
            self.deadline = None
            return True
        return False

    def due(self, audio_t: float) -> bool:
        return self.deadline is not None and audio_t >= self.deadline + self.options.margin_s

    def take(self) -> Turn:
        turn = Turn(self.text, self.utterance_id, self.classification, self.form)
        self.parts = []
        self.deadline = None
        self.classification = None
        self.form = None
        return turn


class SmartTurn:
    """Probability that the caller finished their turn, from the last 8 s of their audio."""

    def __init__(self, cpu_count: int = 1) -> None:
        from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3

        self._analyzer = LocalSmartTurnAnalyzerV3(cpu_count=cpu_count, sample_rate=16000)
        self._lock = threading.Lock()

    def complete_probability(self, samples_16k: npt.NDArray[np.float32]) -> float:
        with self._lock:
            result = self._analyzer._predict_endpoint(samples_16k.astype(np.float32, copy=False))
        return float(result["probability"])


_shared: SmartTurn | None = None
_shared_lock = threading.Lock()


def shared_smart_turn() -> SmartTurn:
    """One model per process, shared by every call."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SmartTurn()
        return _shared
