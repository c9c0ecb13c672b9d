"""Translations: babel message catalogs (``locales/<lang>/LC_MESSAGES/*.po``).

Every user-visible string is written in English in the code, wrapped in ``_()`` (or
``N_()`` where it is only marked), and translated at render time with :class:`Translator`.
Each feature keeps its own catalog file (``core.po``, ``directory.po``, ...); all the files
of one language are merged. French is the default language.
"""

from cpts_bot.i18n.translator import DEFAULT_LANGUAGE, N_, SUPPORTED_LANGUAGES, Translator

__all__ = ["DEFAULT_LANGUAGE", "N_", "SUPPORTED_LANGUAGES", "Translator"]
