"""A value told to someone is written in their language, with the one translator."""

from __future__ import annotations

from functools import partial

from cpts_bot.i18n import Translator
from cpts_bot.services.offer_service import in_language


def _weekday(day: int, translator: Translator) -> str:
    return ("lundi", "Monday")[translator.language == "en"] if day == 0 else "?"


async def _contact(user_id: str, translator: Translator) -> str:
    return f"{user_id} ({translator.language})"


async def test_localized_values_are_written_with_the_readers_translator() -> None:
    values = {"id": 42, "day": partial(_weekday, 0), "contact": partial(_contact, "@ide")}
    assert await in_language(values, Translator("en")) == {
        "id": 42,
        "day": "Monday",
        "contact": "@ide (en)",
    }
    assert (await in_language(values, Translator("fr")))["day"] == "lundi"


async def test_plain_values_are_left_as_they_are() -> None:
    assert await in_language({"n": 1, "s": "x"}, Translator("fr")) == {"n": 1, "s": "x"}
