"""French public holidays (jours fériés), computed: no table to keep up to date.

Eleven national holidays (Code du travail L3133-1); Alsace-Moselle adds Good Friday and
26 December. Easter Sunday comes from the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

HolidayRegion = Literal["fr", "fr-alsace-moselle", "none"]


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday of `year` (valid for every year of the Gregorian calendar)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def french_holidays(year: int, region: HolidayRegion = "fr") -> dict[date, str]:
    """Public holidays of `year` mapped to their French name."""
    if region == "none":
        return {}
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "Jour de l'an",
        easter + timedelta(days=1): "Lundi de Pâques",
        date(year, 5, 1): "Fête du Travail",
        date(year, 5, 8): "Victoire 1945",
        easter + timedelta(days=39): "Ascension",
        easter + timedelta(days=50): "Lundi de Pentecôte",
        date(year, 7, 14): "Fête nationale",
        date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint",
        date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }
    if region == "fr-alsace-moselle":
        days[easter - timedelta(days=2)] = "Vendredi saint"
        days[date(year, 12, 26)] = "Saint-Étienne"
    return days


def holiday_name(day: date, region: HolidayRegion = "fr") -> str | None:
    return french_holidays(day.year, region).get(day)
