"""Load the babel ``.po`` catalogs and translate message ids with named placeholders."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from cpts_bot.domain.catalog_marks import N_

__all__ = ["N_", "Translator", "load_catalog"]

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "fr"
SUPPORTED_LANGUAGES = ("fr", "en")


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


def _plural_index(language: str, count: int) -> int:
    if language == "fr":
        return 0 if count in (0, 1) else 1
    return 0 if count == 1 else 1
