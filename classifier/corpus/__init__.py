"""Programmatic, seeded training corpus of caller utterances (French and English).

See `classifier.corpus.generate`; the generated JSONL is committed under ``models/corpus/``.
"""
