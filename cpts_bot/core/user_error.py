"""The one user-error type: what was wrong with what a person typed, said back to them.

Parsers of the pure core return a :class:`UserError` (a value, never an exception) when a
message is meant for them but cannot be read: « Give the hours, e.g. “20h-8h”. ». The
text is an English message id of the catalogs; the chat layer renders it in the reader's
language through the translator, so every such message is translated the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class _Translates(Protocol):
    def gettext(self, message: str, /, **values: object) -> str: ...


@dataclass(frozen=True)
class UserError:
    """``message_id``: a catalog message (English) with ``{placeholders}``; ``detail``
    fills ``{detail}`` (the words that could not be read); ``values`` fill the others;
    ``matched``: where it says so, the words of the text the error was read from (« le
    31/02 20h »), so that a caller can set them aside."""

    message_id: str
    detail: str = ""
    values: tuple[tuple[str, str], ...] = ()
    matched: str = field(default="", compare=False)

    def render(self, translator: _Translates | Callable[..., str], /, **extra: object) -> str:
        """The message in the reader's language (``translator`` or its ``gettext``);
        ``extra`` fills placeholders only the caller knows (an example commune)."""
        gettext = translator.gettext if hasattr(translator, "gettext") else translator
        return gettext(self.message_id, detail=self.detail, **dict(self.values), **extra)
