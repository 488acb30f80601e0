"""Build engine configs from the one Settings object (the only place that maps one onto the
other), and hold the process-wide engine instances."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from asr import RecognizerConfig
    from classifier import ClassifierConfig
    from pipeline.settings import Settings


def recognizer_config(settings: Settings) -> RecognizerConfig:
    """Map settings onto the recognizer's config."""
    from asr import RecognizerConfig

    return RecognizerConfig(
        model=settings.whisper_model,
        model_cache_dir=settings.model_cache_dir,
        compute_type=settings.whisper_compute_type,
        cpu_threads=settings.asr_threads,
        workers=settings.asr_workers,
        language=None if settings.language == "auto" else settings.language,
        languages=tuple(settings.languages),
        bias=settings.asr_bias,
    )


def classifier_config(settings: Settings) -> ClassifierConfig:
    """Map settings onto the classifier's config."""
    from classifier import ClassifierConfig

    languages = tuple(settings.languages) or ("fr", "en")
    default = settings.language if settings.language in languages else languages[0]
    return ClassifierConfig(
        protocol_file=settings.protocol_file,
        use_model=settings.classifier_use_model,
        model_cache_dir=settings.model_cache_dir,
        heads_dir=settings.classifier_heads_dir,
        languages=languages,
        default_language=default,
        num_threads=settings.classifier_threads,
    )
