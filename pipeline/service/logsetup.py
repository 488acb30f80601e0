"""Application logging without personal data.

Two loggers write to stderr in a running service: the standard library's (ours, uvicorn,
SQLAlchemy) and loguru (pipecat's). Both go through `scrub` (phone numbers, e-mail addresses,
dates, long digit runs). Our code never logs caller words; pipecat does, at DEBUG and INFO
("TTS request: ... - <the agent's sentence>", which reads back a caller's name, date of birth and
number), so pipecat's records below WARNING are dropped whatever the level, and its warnings
have bracketed or quoted text masked as well.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

_PHONE = re.compile(r"(?:\+|00)\d[\d\s.-]{7,}\d|\b0\d(?:[\s.-]?\d{2}){4}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_MONTHS = (r"janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
           r"novembre|décembre|decembre|january|february|march|april|june|july|august|"
           r"september|october|november|december")
_DATE = re.compile(rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
                   rf"|\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS})(?:\s+\d{{4}})?\b", re.IGNORECASE)
_DIGITS = re.compile(r"(?<![\w.])\d[\d\s]{6,}\d(?![\w.])")
_QUOTED = re.compile(r"\[[^\]]{3,}\]|\"[^\"]{3,}\"|'[^']{8,}'|«[^»]+»")


def scrub(text: str) -> str:
    out = _EMAIL.sub("<email>", _PHONE.sub("<phone>", text))
    return _DIGITS.sub("<number>", _DATE.sub("<date>", out))


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


def _loguru_filter(record: Any) -> bool:
    """pipecat: WARNING and above only, text masked; others: scrubbed."""
    name = str(record.get("name") or "")
    message = str(record["message"])
    if name.startswith("pipecat"):
        if record["level"].no < logging.WARNING:
            return False
        message = _QUOTED.sub("[…]", message)
    record["message"] = scrub(message)
    return True


def configure_loguru(level: str = "INFO") -> None:
    """Replace loguru's default handler (DEBUG, everything, to stderr) with a filtered one."""
    from loguru import logger

    logger.remove()
    # diagnose=False: loguru would otherwise print the local variables (a transcript...) of
    # every frame of a logged exception.
    logger.add(sys.stderr, level=level.upper(), filter=_loguru_filter,
               format="{time:YYYY-MM-DD HH:mm:ss,SSS} {level} {name}: {message}",
               backtrace=False, diagnose=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    configure_loguru(level)
