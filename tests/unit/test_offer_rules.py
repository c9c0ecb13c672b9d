"""What every offer kind shares: the lifecycle its table is built on, and the format of
its outbox correlations."""

from __future__ import annotations

from enum import StrEnum

import pytest

from cpts_bot.core.offers import (
    LATE,
    TAKEN,
    OfferRules,
    offer_correlation,
    parse_offer_correlation,
)
from cpts_bot.features.cover import states as cover
from cpts_bot.features.dispatch import states as dispatch
from cpts_bot.features.medecin_traitant import states as medecin_traitant

KINDS = [dispatch, cover, medecin_traitant]


class Usual(StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Moves(StrEnum):
    CREATE = "create"
    ACCEPT = "accept"
    DECLINE = "decline"
    CANCEL = "cancel"
    EXPIRE = "expire"
    LAPSE = "lapse"


def test_named_takes_the_usual_names_and_the_ones_given() -> None:
    rules = OfferRules.named(Usual, Moves, expire=Moves.LAPSE)
    assert (rules.open, rules.won, rules.cancelled, rules.expired) == (
        Usual.OPEN,
        Usual.TAKEN,
        Usual.CANCELLED,
        Usual.EXPIRED,
    )
    assert (rules.create, rules.accept, rules.decline, rules.cancel) == tuple(Moves)[:4]
    assert rules.expire is Moves.LAPSE and rules.late == LATE
    assert rules.lifecycle() == {
        (None, Moves.CREATE): Usual.OPEN,
        (Usual.OPEN, Moves.ACCEPT): Usual.TAKEN,
        (Usual.OPEN, Moves.DECLINE): Usual.OPEN,
        (Usual.OPEN, Moves.LAPSE): Usual.EXPIRED,
        (Usual.OPEN, Moves.CANCEL): Usual.CANCELLED,
    }


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.TABLE.kind)
def test_every_offer_kind_table_holds_the_lifecycle(kind) -> None:
    for (before, event), after in kind.OFFER.lifecycle().items():
        assert kind.TABLE.next_state(before, event) is after
    assert kind.TABLE.next_state(kind.OFFER.open, kind.OFFER.accept) is kind.OFFER.won


def test_the_medecin_traitant_offer_names_its_own_states() -> None:
    offer = medecin_traitant.OFFER
    assert offer.open is offer.expired is medecin_traitant.RequestState.WAITING
    assert offer.won is medecin_traitant.RequestState.PLACED
    assert offer.late == TAKEN


@pytest.mark.parametrize(
    ("prefix", "text", "parsed"),
    [
        ("dispatch:", "dispatch:42:broadcast:@nurse:hs", (42, "broadcast", "@nurse:hs")),
        ("swap:", "swap:3:offer:@nurse:hs", (3, "offer", "@nurse:hs")),
        ("medtrait:", "medtrait:12:offer:@gp:hs", (12, "offer", "@gp:hs")),
        ("swap:", "dispatch:42:broadcast:@nurse:hs", None),
        ("swap:", "swap:x:offer:@nurse:hs", None),
        ("swap:", "swap:3:offer", None),
    ],
)
def test_offer_correlation(prefix: str, text: str, parsed: tuple[int, str, str] | None) -> None:
    assert parse_offer_correlation(prefix, text) == parsed
    if parsed is not None:
        assert offer_correlation(prefix, *parsed) == text
