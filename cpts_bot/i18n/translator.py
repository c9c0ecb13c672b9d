"""Load the babel ``.po`` catalogs and translate message ids with named placeholders;
format dates, times, numbers and durations the reader's way (babel, Paris time).

The translator is the one place that knows the reader's locale: features and reports
call its ``format_*`` methods rather than babel with a locale of their own."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from babel import Locale, dates, lists, numbers
from babel.messages.pofile import read_po

from cpts_bot.core.catalog_marks import N_
from cpts_bot.core.times import PARIS

__all__ = ["N_", "Translator", "load_catalog"]

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "fr"
SUPPORTED_LANGUAGES = ("fr", "en")
# The babel locale of each language (numbers, dates, lists).
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@cache
def load_catalog(language: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """Merge every ``.po`` file of ``language`` into one mapping msgid -> translation."""
    messages: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id or not message.string:
                continue
            if isinstance(message.id, tuple):
                messages[message.id[0]] = tuple(message.string)
            else:
                messages[message.id] = message.string
    return messages


class Translator:
    """Translate English message ids into one language; ``{name}`` placeholders."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        if language not in SUPPORTED_LANGUAGES:
            language = DEFAULT_LANGUAGE
        self.language = language
        self.locale = BABEL_LOCALES[language]
        self._messages = load_catalog(language)

    def gettext(self, message: str, /, **values: object) -> str:
        """Translate ``message`` and fill its ``{placeholders}`` from ``values``."""
        translated = self._messages.get(message, message)
        if isinstance(translated, tuple):
            translated = translated[0]
        return translated.format(**values) if values else translated

    def ngettext(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """Translate a message whose form depends on ``count`` (available as ``{count}``)."""
        forms = self._messages.get(singular)
        if isinstance(forms, tuple):
            index = _plural_index(self.language, count)
            text = forms[min(index, len(forms) - 1)]
        else:
            text = singular if count == 1 else plural
        return text.format(count=count, **values)

    _ = gettext

    # Locale formatting ---------------------------------------------------------------

    def format_datetime(self, moment: datetime, pattern: str) -> str:
        """A moment in Paris time with a babel ``pattern`` ("EEE d MMM HH:mm")."""
        return dates.format_datetime(moment, pattern, tzinfo=PARIS, locale=self.locale)

    def format_date(self, day: date | datetime, pattern: str) -> str:
        """A day with a babel ``pattern`` ("d MMMM yyyy"); a moment is taken in Paris."""
        if isinstance(day, datetime):
            day = day.astimezone(PARIS).date()
        return dates.format_date(day, pattern, locale=self.locale)

    def format_number(self, value: float, pattern: str | None = None) -> str:
        """« 1 234 » / "1,234"; ``pattern`` such as "0.#" for one optional decimal."""
        return numbers.format_decimal(value, format=pattern, locale=self.locale)

    def format_percent(self, value: float, pattern: str = "#,##0 %") -> str:
        return numbers.format_percent(value, format=pattern, locale=self.locale)

    def format_duration(self, delta: timedelta, threshold: float = 1.5) -> str:
        """ "4 minutes", "2 heures" (babel's rounding to the largest fitting unit)."""
        return dates.format_timedelta(delta, threshold=threshold, locale=self.locale)

    def format_list(self, items: Iterable[str]) -> str:
        """ "a, b et c" / "a, b and c"."""
        return lists.format_list(list(items), locale=self.locale)

    def day_names(self, width: str = "wide") -> dict[int, str]:
        """Monday (0) to Sunday (6) in the reader's language."""
        return dict(dates.get_day_names(width, locale=self.locale))

    def language_name(self, code: str) -> str:
        """A language's name in the reader's language ("ar" -> « arabe »)."""
        return Locale.parse(self.language).languages.get(code, code)


def _plural_index(language: str, count: int) -> int:
    if language == "fr":
        return 0 if count in (0, 1) else 1
    return 0 if count == 1 else 1
