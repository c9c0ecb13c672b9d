"""``N_``: marks a string for the catalogs without translating it (translated at render).

In the pure core so that domain modules may mark their messages; the translator
(:mod:`cpts_bot.i18n.translator`) re-exports it."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (translated later, at render)."""
    return message
