"""On-premise streaming speech recognition (faster-whisper + Silero VAD).

Knows nothing of classifier/, pipecat, FastAPI or the database.
"""

from asr.audio import AudioFormatError
from asr.engine import Recognizer, RecognizerConfig, transcribe_recording
from asr.streaming import StreamingTranscriber
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
    "AudioFormatError", "Recognizer", "RecognizerConfig", "StreamingTranscriber",
    "AsrEvent", "AudioChunk", "Segment", "SpeechEnd", "SpeechStart", "Transcript",
    "TranscriptUpdate", "Word", "transcribe_recording",
]
