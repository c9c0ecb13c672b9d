"""« Je n'ai pas compris » that helps: the closest declared commands, a pointer.

When no feature claims a message, the reply offers the two or three declared commands
whose examples are closest to it (« Vouliez-vous dire : « qui est de garde ce
week-end » ? »), from their declared examples — never a bare « pas compris ». Questions
a GP asks that the CPTS does not handle get a useful pointer instead: the pharmacy on
duty is given by the national 3237 service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from cpts_bot.chat.help_texts import Helped, example_text, visible_to
from cpts_bot.core.text_normalizer import fold
from cpts_bot.i18n import Translator
from cpts_bot.settings import RoomsConfig

MAX_SUGGESTIONS = 3
MIN_SCORE = 55.0
CLOSE = 12.0
# « pharmacie de garde », « pharma de garde ce soir », « officine ouverte dimanche »
_PHARMACY_ON_DUTY = re.compile(
    r"(?<![a-z])(?:pharmacie|pharmacies|pharma|officine|officines)\s+(?:de\s+)?"
    r"(?:garde|ouverte?s?|permanence)(?![a-z])|(?<![a-z])3237(?![0-9])"
)


def pointer(body: str, translator: Translator) -> str | None:
    """A pointer for a need the CPTS does not handle, or None."""
    if _PHARMACY_ON_DUTY.search(fold(body)):
        return translator.gettext(
            "The pharmacy on duty: call 3237 (or see 3237.fr), the national service that "
            "gives it for your commune."
        )
    return None


GENERAL_PRACTICE = "10"  # the RPPS profession code of doctors


def no_rota_text(code: str, profession: str, commune: str, translator: Translator) -> str:
    """The pointer for someone asking who is on duty in a profession the CPTS keeps no
    rota for: the directory finds its professionals; for a doctor on duty, the 116 117
    (permanence des soins) answers evenings, nights and weekends."""
    text = translator.gettext(
        "The CPTS keeps no on-duty rota for {profession}. To find one in the directory, "
        "ask for example « {profession} à {commune} ».",
        profession=profession,
        commune=commune,
    )
    if code == GENERAL_PRACTICE:
        text += " " + translator.gettext(
            "Evenings, nights and weekends, the 116 117 gives the doctor on duty."
        )
    return text


def suggestions(
    body: str,
    commands: Iterable[Helped],
    translator: Translator,
    config: RoomsConfig,
    coordinator: bool,
) -> list[str]:
    """The examples of the closest declared commands (at most three, best first)."""
    folded = fold(body).strip()
    if len(folded) < 3:
        return []
    best: dict[str, tuple[float, str]] = {}
    for command in visible_to(commands, coordinator):
        for example in command.examples:
            text = example_text(example, translator, config)
            if len(text.split()) < 2 <= len(folded.split()) - 1:
                continue  # « plus » is in every message that says « plus »
            score = fuzz.token_set_ratio(folded, fold(text))
            if score >= MIN_SCORE and score > best.get(command.name, (0.0, ""))[0]:
                best[command.name] = (score, text)
    ranked = sorted(best.values(), key=lambda item: (-item[0], item[1]))
    top = ranked[0][0] if ranked else 0.0
    # only those near the best: one clear match is offered alone
    return [text for score, text in ranked[:MAX_SUGGESTIONS] if score >= top - CLOSE]


def not_understood_text(
    body: str,
    commands: Iterable[Helped],
    translator: Translator,
    config: RoomsConfig,
    coordinator: bool = False,
) -> str:
    """The reply when no feature understood ``body``."""
    found = pointer(body, translator)
    if found is not None:
        return found
    _ = translator.gettext
    commands = list(commands)
    offered = suggestions(body, commands, translator, config, coordinator)
    if not offered:
        # Nothing close: the first commands of the help, as examples to start from.
        first = [
            example_text(command.examples[0], translator, config)
            for command in visible_to(commands, coordinator)[:MAX_SUGGESTIONS]
            if command.examples
        ]
        return _(
            "I did not understand. For example: {examples}. Write « aide » to see everything.",
            examples=_quoted(first, translator),
        )
    return _(
        "I did not understand. Did you mean: {examples}? Write « aide » to see everything.",
        examples=_quoted(offered, translator),
    )


def _quoted(texts: list[str], translator: Translator) -> str:
    return ", ".join(
        f"« {text} »" if translator.language == "fr" else f"“{text}”" for text in texts
    )
