"""Application logging without personal data: a filter masks phone numbers and e-mail addresses
in every record (callers' words are never logged by this service; the filter is the backstop)."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?:\+|00)\d[\d\s.-]{7,}\d|\b0\d(?:[\s.-]?\d{2}){4}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")


def scrub(text: str) -> str:
    return _EMAIL.sub("<email>", _PHONE.sub("<phone>", text))


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
