"""Help generated from the declared commands, written for a phone.

« aide » gives the few things this person can do most (by priority, the directory
first), each as an example to type taken from their own territory, then the topics.
« aide annuaire », « aide gardes », « aide alertes », « aide coordination » give every
command of the topic. Coordinators see their commands; the others never do.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Protocol

from cpts_bot.chat.commands import Audience, Topic
from cpts_bot.core.messages import Reply
from cpts_bot.features.dispatch.policy import policy_from_config
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.settings import RoomsConfig

SHORT_HELP_SIZE = 5
TOPIC_TITLES = {
    Topic.DIRECTORY: N_("Directory: who does what, where"),
    Topic.DUTY: N_("Duty rota, leave and dispatches"),
    Topic.ALERTS: N_("Territorial alerts"),
    Topic.COORDINATION: N_("The coordination"),
    Topic.GENERAL: N_("Everything else"),
}
TOPIC_WORDS = {
    "annuaire": Topic.DIRECTORY,
    "directory": Topic.DIRECTORY,
    "gardes": Topic.DUTY,
    "garde": Topic.DUTY,
    "duty": Topic.DUTY,
    "declenchements": Topic.DUTY,
    "declenchement": Topic.DUTY,
    "remplacements": Topic.DUTY,
    "remplacement": Topic.DUTY,
    "conges": Topic.DUTY,
    "conge": Topic.DUTY,
    "planning": Topic.DUTY,
    "calendrier": Topic.DUTY,
    "dispatch": Topic.DUTY,
    "alertes": Topic.ALERTS,
    "alerte": Topic.ALERTS,
    "alerts": Topic.ALERTS,
    "coordination": Topic.COORDINATION,
    "general": Topic.GENERAL,
    "autres": Topic.GENERAL,
    "other": Topic.GENERAL,
}
SHOWN_TOPICS = (Topic.DIRECTORY, Topic.DUTY, Topic.ALERTS, Topic.COORDINATION)
# How each shown topic is asked for, in the reader's language (« help duty » in English).
TOPIC_HELP = {
    Topic.DIRECTORY: N_("aide annuaire"),
    Topic.DUTY: N_("aide gardes"),
    Topic.ALERTS: N_("aide alertes"),
    Topic.COORDINATION: N_("aide coordination"),
}


class Helped(Protocol):
    """What help is made of: a declared command, or a declared follow-up."""

    @property
    def name(self) -> str: ...
    @property
    def help(self) -> str: ...
    @property
    def examples(self) -> tuple[str, ...]: ...
    @property
    def topic(self) -> Topic: ...
    @property
    def audience(self) -> Audience: ...
    @property
    def priority(self) -> int: ...


def privacy_line(translator: Translator, config: RoomsConfig) -> str:
    """What the bot keeps of patient data, and for how long (true to the settings)."""
    return translator.ngettext(
        "Patient data stays in this encrypted chat. My own copies are erased: my messages"
        " once delivered, a dispatch's details when it ends (at the latest {hours} h after"
        " it is taken), what you typed after {count} day.",
        "Patient data stays in this encrypted chat. My own copies are erased: my messages"
        " once delivered, a dispatch's details when it ends (at the latest {hours} h after"
        " it is taken), what you typed after {count} days.",
        config.tracking.retention_days,
        hours=policy_from_config(config).details_kept_hours,
    )


def visible_to(commands: Iterable[Helped], is_coordinator: bool) -> list[Helped]:
    """The commands this person may use, by priority then name."""
    shown = [
        command
        for command in commands
        if is_coordinator
        or (getattr(command, "help_audience", None) or command.audience) is not Audience.COORDINATOR
    ]
    return sorted(shown, key=lambda command: (command.priority, command.name))


def example_text(example: str, translator: Translator, config: RoomsConfig) -> str:
    """``example`` translated, with the territory's own communes in it."""
    communes = [commune.name for commune in config.territory.communes] or ["—"]
    return translator.gettext(example).format(
        commune=communes[0], other_commune=communes[min(1, len(communes) - 1)]
    )


def french_only(example: str, translator: Translator) -> bool:
    """True when ``example`` has no form in the reader's language (a French free-text
    request, such as a dispatch or a directory question)."""
    return (
        translator.language != "fr"
        and translator.gettext(example) == example
        and any(character.isalpha() for character in example)
    )


def _said(help_text: str, examples: Iterable[str], translator: Translator) -> str:
    """The help text, with a note when one of the examples is written in French only."""
    text = translator.gettext(help_text)
    if any(french_only(example, translator) for example in examples):
        return translator.gettext("{help} (written in French)", help=text)
    return text


def command_line(command: Helped, translator: Translator, config: RoomsConfig) -> str:
    """« example » — what it does."""
    example = example_text(command.examples[0], translator, config)
    return f"« {example} » — {_said(command.help, command.examples[:1], translator)}"


def short_help(
    commands: Iterable[Helped], translator: Translator, config: RoomsConfig, coordinator: bool
) -> Reply:
    """« aide »: the first things to know, in under 12 lines."""
    _ = translator.gettext
    first = visible_to(commands, coordinator)[:SHORT_HELP_SIZE]
    intro = _(
        "I am the coordination desk of {territory}. Here is what I can do:",
        territory=config.territory.name,
    )
    items = [command_line(command, translator, config) for command in first]
    topics = " · ".join(f"« {_(TOPIC_HELP[topic])} »" for topic in SHOWN_TOPICS)
    footer = [
        _("More: {topics}", topics=topics),
        _("« langue en » / « language fr » — change the language of my answers"),
        privacy_line(translator, config),
    ]
    return _render(intro, items, footer)


def topic_help(
    topic: Topic,
    commands: Iterable[Helped],
    translator: Translator,
    config: RoomsConfig,
    coordinator: bool,
    extra_lines: Iterable[str] = (),
) -> Reply:
    """« aide <topic> »: every command of the topic, with all its examples."""
    _ = translator.gettext
    items: list[str] = []
    shown: dict[str, int] = {}  # an example already listed → the index of its item
    for command in visible_to(commands, coordinator):
        if command.topic is not topic:
            continue
        known = {shown.get(example) for example in command.examples}
        if command.examples and len(known) == 1 and None not in known:
            # « je prends » answers a dispatch and a request for cover: one line, not two.
            index = known.pop()
            assert index is not None
            items[index] = _("{first}; {then}", first=items[index], then=_(command.help))
            continue
        examples = " / ".join(
            f"« {example_text(example, translator, config)} »" for example in command.examples
        )
        shown.update({example: len(items) for example in command.examples})
        items.append(f"{examples} — {_said(command.help, command.examples, translator)}")
    items.extend(extra_lines)
    return _render(_(TOPIC_TITLES[topic]), items, [privacy_line(translator, config)])


def _render(intro: str, items: list[str], footer: list[str]) -> Reply:
    text = "\n".join([intro, *(f"• {item}" for item in items), *footer])
    parts = [f"<p>{html.escape(intro)}</p>", "<ul>"]
    parts += [f"<li>{html.escape(item)}</li>" for item in items]
    parts.append("</ul>")
    parts += [f"<p><em>{html.escape(line)}</em></p>" for line in footer]
    return Reply(text, "".join(parts))
