"""On-premise streaming speech recognition (faster-whisper + Silero VAD).

Knows nothing of classifier/, pipecat, FastAPI or the database.
"""

from asr.types import (
    AsrEvent,
    AudioChunk,
    Segment,
    SpeechEnd,
    SpeechStart,
    Transcript,
    TranscriptUpdate,
    Word,
)

__all__ = [
    "AsrEvent", "AudioChunk", "Segment", "SpeechEnd", "SpeechStart", "Transcript",
    "TranscriptUpdate", "Word",
]
