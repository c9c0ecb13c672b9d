"""How the places of a question read in a reply.

"Plounéour-Brignogan-Plages (Brignogan)", "Marseille (13e et 14e)", "Secteur nord",
"29890 (Kerlouan, Plounéour-Brignogan-Plages)"; and, for a commune outside the
territory, « Aubagne n'est pas dans le territoire de la CPTS … » rather than an answer
about somewhere else.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from cpts_bot.core.messages import Reply
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.places.resolver import (
    CITY,
    DEPARTMENT,
    POSTAL,
    SECTOR,
    TERRITORY,
    PlaceMention,
)
from cpts_bot.core.text_normalizer import normalize
from cpts_bot.features.directory.query_parser import DirectoryQuery
from cpts_bot.i18n import Translator


def join_words(items: list[str], translator: Translator) -> str:
    """ "A", "A et B", "A, B et C"."""
    if len(items) <= 1:
        return "".join(items)
    return translator.gettext("{first} and {last}", first=", ".join(items[:-1]), last=items[-1])


def mention_label(mention: PlaceMention, places: PlaceIndex, translator: Translator) -> str:
    """What was understood from one place mention inside the territory."""
    if mention.kind in (SECTOR, TERRITORY, DEPARTMENT):
        return mention.name
    names = [places.name(insee) for insee in sorted(mention.communes, key=places.name)]
    if mention.kind == CITY:
        numbers = sorted(
            number
            for insee in mention.communes
            if (number := _arrondissement(places, insee)) is not None
        )
        return f"{mention.name} ({join_words([f'{n}e' for n in numbers], translator)})"
    if mention.kind == POSTAL:
        return f"{mention.typed} ({', '.join(names)})"
    shown = ", ".join(names)
    if all(normalize(mention.typed) != normalize(name) for name in names):
        return f"{shown} ({mention.typed})"
    return shown


def _arrondissement(places: PlaceIndex, insee: str) -> int | None:
    info = places.places.get(insee)
    return info.arrondissement if info else None


def place_labels(query: DirectoryQuery, places: PlaceIndex, translator: Translator) -> list[str]:
    """The places of ``query`` inside the territory, each once, in the order typed."""
    labels: list[str] = []
    for mention in query.place_mentions:
        if mention.communes:
            label = mention_label(mention, places, translator)
            if label not in labels:
                labels.append(label)
    return labels


def territory_phrase(places: PlaceIndex, translator: Translator) -> str:
    """ "la CPTS Sèvre et Loire" (the territory's name as it reads after "de")."""
    name = places.territory_name
    if name.casefold().startswith("cpts"):
        return translator.gettext("the {territory}", territory=name)
    return name


def outside_line(query: DirectoryQuery, places: PlaceIndex, translator: Translator) -> str:
    """« Aubagne n'est pas dans le territoire de la CPTS … » ("" when none is outside)."""
    names: list[str] = []
    for mention in query.outside_places:
        if mention.name not in names:
            names.append(mention.name)
    if not names:
        return ""
    if not places.territory_name:
        return translator.ngettext(
            "{places} is not in the territory.",
            "{places} are not in the territory.",
            len(names),
            places=join_words(names, translator),
        )
    return translator.ngettext(
        "{places} is not in the territory of {territory}.",
        "{places} are not in the territory of {territory}.",
        len(names),
        places=join_words(names, translator),
        territory=territory_phrase(places, translator),
    )


def outside_reply_lines(
    query: DirectoryQuery, places: PlaceIndex, translator: Translator
) -> list[str]:
    """The answer to a question about places outside the territory only."""
    return [
        outside_line(query, places, translator),
        translator.gettext("The directory only lists the professionals of the territory."),
    ]


def outside_note(query: DirectoryQuery, places: PlaceIndex, translator: Translator) -> str:
    """Said before the answer when a question names places inside and outside."""
    line = outside_line(query, places, translator)
    inside = place_labels(query, places, translator)
    if not line or not inside:
        return line
    return translator.gettext(
        "{outside} Answer for {inside} only:",
        outside=line,
        inside=join_words(inside, translator),
    )


def with_first_line(reply: Reply, line: str) -> Reply:
    """``reply`` with ``line`` before it (unchanged when ``line`` is empty)."""
    if not line:
        return reply
    html = f"<p>{escape(line)}</p>{reply.html}" if reply.html else None
    return replace(reply, text=f"{line}\n{reply.text}", html=html)
