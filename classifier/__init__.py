"""Triage classifier: written red-flag protocol, transformer heads, triage-form pre-fill.

Knows nothing of asr/, pipecat, FastAPI or the database.

    clf = Classifier.load(ClassifierConfig(use_model=False))   # protocol only
    c = clf.classify("c'est pour mon mari il a mal à la poitrine")
    form = clf.extract_form(c.text, classification=c)
    s = clf.stream("fr"); s.update("il a mal", t=1.2, final=False)
"""

from classifier.config import ClassifierConfig
from classifier.engine import Classifier, StreamingClassifier
from classifier.labels import Intent, RedFlag, Urgency
from classifier.protocol import Protocol, ProtocolError
from classifier.types import Classification, FormField, PatientAge, RedFlagHit, Span, TriageForm

__all__ = [
    "Classification", "Classifier", "ClassifierConfig", "FormField", "Intent", "PatientAge",
    "Protocol", "ProtocolError", "RedFlag", "RedFlagHit", "Span", "StreamingClassifier",
    "TriageForm", "Urgency",
]
