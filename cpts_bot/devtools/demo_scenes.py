"""The demo's scripted scenes: who types what, and what each user then sees.

``tour`` (the default) goes through the directory, a dispatch, an alert and a hand-off;
``swaps``, ``medecin-traitant`` and ``alerts`` each play one more feature in a few
seconds. A scene is a list of steps; ``demo.py`` plays them with real E2EE clients.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cpts_bot.core.times import PARIS

if TYPE_CHECKING:  # the CLI reads the scenes' names without loading the Matrix client
    from cpts_bot.devtools.matrix_user import Received

# Every demo account, and what it is in the sample territory.
DEMO_ROLES = {
    "demo-coord": "the coordinator (no card)",
    "demo-gp": "Dr Claire MARTIN, GP in Lyon 8 (declares room for new patients)",
    "demo-nurse": "Julie MOREAU, nurse in Lyon 8, on duty tonight and by day",
    "demo-nurse2": "Karim LAURENT, nurse in Lyon 8, on duty tonight",
    "demo-physio": "Mathieu DAVID, physiotherapist in Lyon 8",
    "demo-pharma": "Pierre ROUSSEAU, pharmacist in Lyon 8 (registers patients)",
}
DEMO_USERS = tuple(DEMO_ROLES)
# A room of a step: the user's direct chat with the bot, or one of the demo's group rooms.
DIRECT = "direct"
GROUP_ROOMS = {"alerts": "Alertes", "coordination": "Coordination"}

Match = Callable[["Received"], bool]


def says(*words: str) -> Match:
    """A bot message containing every one of ``words``."""
    return lambda item: all(word in item.body for word in words)


@dataclass(frozen=True)
class Scene:
    """A title in the transcript."""

    title: str


@dataclass(frozen=True)
class Say:
    """``who`` types ``text`` in ``room``; with ``answer``, the bot's reply is awaited.

    ``{name}`` in ``text`` is the number (« n° 12 ») of the message an earlier
    :class:`Expect` named ``name``."""

    who: str
    text: str
    room: str = DIRECT
    answer: bool = True


@dataclass(frozen=True)
class ReplyTo:
    """``who`` answers, as a Matrix reply, the message an earlier :class:`Expect` named."""

    who: str
    message: str
    text: str


@dataclass(frozen=True)
class React:
    """``who`` reacts with ``key`` to the message an earlier :class:`Expect` named."""

    who: str
    message: str
    key: str


@dataclass(frozen=True)
class Expect:
    """``who`` receives from the bot, in ``room``, a message that ``matches``.

    ``name`` lets a later step answer it; ``description`` says what is awaited when it
    does not come."""

    who: str
    description: str
    matches: Match
    room: str = DIRECT
    name: str | None = None


Step = Scene | Say | ReplyTo | React | Expect
_NUMBER = re.compile(r"n°\s*(\d+)")


def number_in(text: str) -> str:
    """The first « n° 12 » of a bot message (its request or alert number)."""
    found = _NUMBER.search(text)
    return found.group(1) if found else "?"


# From this hour (Paris) the tour's dispatch asks for tomorrow 8h instead of tonight 20h.
EVENING_HOUR = 19


def dispatch_request(now: datetime) -> str:
    """The coordinator's request; « ce soir 20h » while it is still ahead (Paris time)."""
    moment = "ce soir 20h" if now.astimezone(PARIS).hour < EVENING_HOUR else "demain 8h"
    return (
        f"déclenchement IDE domicile Lyon 8 {moment} pansement post-op, patient d'accord\n"
        "patient : Mme D., 3 rue des Lilas, 06 12 34 56 78"
    )


def cover_day(now: datetime, run: int) -> datetime:
    """The day whose day duty the nurse asks cover for: tomorrow on the first run, a day
    later on each later run (an earlier run's duty already has its replacement). In the
    evening, one day later still: the tour's dispatch asks for tomorrow 8h, and the nurse
    it expects must still be on duty then when the demo is played again."""
    local = now.astimezone(PARIS)
    return local + timedelta(days=run + (1 if local.hour >= EVENING_HOUR else 0))


def tour(now: datetime, _run: int) -> list[Step]:
    """The directory, a dispatch, an alert, a hand-off."""
    return [
        Scene("1. A GP asks the directory"),
        Say("demo-gp", "kiné à domicile bronchiolite lyon 8"),
        Say("demo-gp", "combien d'orthophonistes à Vénissieux ?"),
        Say("demo-gp", "ortho bilan langage enfant 4 ans bron"),
        Scene("2. The coordination needs a nurse at home (a dispatch)"),
        Say("demo-coord", dispatch_request(now)),
        Expect(
            "demo-nurse",
            "the dispatch request",
            lambda item: item.body.startswith("Déclenchement n°"),
            name="dispatch",
        ),
        ReplyTo("demo-nurse", "dispatch", "je prends"),
        Expect("demo-nurse", "the patient's details", says("est pour vous")),
        Expect("demo-coord", "who took the dispatch", says("pris par")),
        Scene("3. The coordination warns the territory (an alert)"),
        Say(
            "demo-coord",
            "alerte important: Épisode de canicule : pensez aux patients isolés"
            " | quand: maintenant | pour: tous",
        ),
        Say("demo-coord", "oui"),
        Expect("demo-nurse", "the alert", says("Alerte importante", "canicule"), room="alerts"),
        Scene("4. The GP asks for a person (a hand-off)"),
        Say("demo-gp", "je veux parler à la coordination"),
        Expect(
            "demo-coord",
            "the hand-off",
            says("« je veux parler à la coordination »", "Claire MARTIN"),
            room="coordination",
        ),
    ]


def swaps(now: datetime, run: int) -> list[Step]:
    """A nurse asks cover for a day duty; her colleague, free then, takes it."""
    day = cover_day(now, run)
    return [
        Scene("Swaps: a nurse cannot do her duty, a colleague takes it"),
        Say("demo-nurse", f"je cherche un remplaçant pour ma garde du {day:%d/%m} 8h"),
        Expect("demo-nurse2", "the request for cover", says("Remplacement n°"), name="cover"),
        ReplyTo("demo-nurse2", "cover", "je prends"),
        Expect("demo-nurse2", "the duty is theirs", says("remplace", "planning")),
        Expect("demo-nurse", "who replaces her", says("remplace", "planning")),
        Say("demo-nurse2", "mes gardes"),
    ]


def medecin_traitant(_now: datetime, _run: int) -> list[Step]:
    """A GP declares room; a pharmacist registers a patient without a GP; the GP takes
    them and gets the details, the pharmacist is told who."""
    return [
        Scene("Médecin traitant: a patient without a GP finds one"),
        Say("demo-gp", "je peux prendre 2 nouveaux patients"),
        Say(
            "demo-pharma",
            "patient sans médecin traitant, 78 ans, ALD diabète, Lyon 8, vu à la pharmacie"
            " // Mme D., 06 12 34 56 78",
        ),
        Expect("demo-gp", "the offer", says("Médecin traitant — demande n°"), name="offer"),
        ReplyTo("demo-gp", "offer", "je prends"),
        Expect("demo-gp", "the patient's details", says("06 12 34 56 78")),
        Expect("demo-pharma", "which GP accepts", says("accepte d'être le médecin traitant")),
    ]


def alerts(_now: datetime, _run: int) -> list[Step]:
    """An urgent alert: one reader acknowledges 👍, one says « plus tard », the
    coordinator asks who read it."""
    return [
        Scene("Alerts: posted, acknowledged, postponed, counted"),
        Say(
            "demo-coord",
            "alerte urgent: Rupture d'amoxicilline buvable : prescrire une alternative"
            " | quand: maintenant | pour: tous",
        ),
        Say("demo-coord", "oui"),
        Expect("demo-nurse", "the alert", says("amoxicilline"), room="alerts", name="alert"),
        React("demo-nurse", "alert", "👍"),
        Expect("demo-physio", "the alert", says("amoxicilline"), room="alerts", name="seen"),
        ReplyTo("demo-physio", "seen", "plus tard"),
        Expect("demo-physio", "when the reminder comes", says("rappellerai")),
        Say("demo-coord", "qui a lu l'alerte {alert} ?"),
    ]


SCENES: dict[str, Callable[[datetime, int], list[Step]]] = {
    "tour": tour,
    "swaps": swaps,
    "medecin-traitant": medecin_traitant,
    "alerts": alerts,
}


def demo_script(now: datetime, scenes: tuple[str, ...] = ("tour",), run: int = 1) -> list[Step]:
    """The steps of ``scenes``, in that order."""
    return [step for name in scenes for step in SCENES[name](now, run)]
