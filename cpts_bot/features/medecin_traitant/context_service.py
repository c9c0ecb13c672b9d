"""What the médecin-traitant services share: correlations, the desk's policy, how a
request is described (without identity), and the « nouveaux patients » modality of a
GP's directory card kept in step with their declared room."""

from __future__ import annotations

from functools import partial

from cpts_bot.core.offers import offer_correlation, parse_offer_correlation
from cpts_bot.features.directory.card import ModalityDeclaration, with_modality
from cpts_bot.features.directory.models import Modality
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.medecin_traitant import gp_room_repository as rooms_repo
from cpts_bot.features.medecin_traitant.gp_matching import Proximity
from cpts_bot.features.medecin_traitant.labels import NO_PRIORITY_LABEL, PRIORITY_LABELS
from cpts_bot.features.medecin_traitant.models import CORRELATION_PREFIX as PREFIX
from cpts_bot.features.medecin_traitant.models import (
    PRIORITY_ORDER,
    TOP_BAND,
    PatientRequest,
    Priority,
    places_left,
)
from cpts_bot.features.medecin_traitant.policy import MedecinTraitantPolicy
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig

KIND_OFFER = "offer"  # to a GP, in their direct chat
KIND_REGISTERED = "registered"  # to the referrer: reply with the contact details
KIND_DETAILS = "details"  # the private text, to the GP who accepted
KIND_REMINDER = "reminder"  # the monthly « do you still have room? »
SYSTEM_ACTOR = "system"
GP_PROFESSION = "10"


# ``{prefix}{id}:{kind}:{target}``, e.g. ``medtrait:12:offer:@gp:hs``
correlation = partial(offer_correlation, PREFIX)
parse_correlation = partial(parse_offer_correlation, PREFIX)


def policy_of(config: RoomsConfig) -> MedecinTraitantPolicy:
    return config.medecin_traitant


def proximity_of(config: RoomsConfig) -> Proximity:
    """Neighbours from the territory's communes and the desk's own list."""
    pairs: dict[str, list[str]] = {c.insee: list(c.neighbours) for c in config.territory.communes}
    for commune, around in config.medecin_traitant.neighbours.items():
        pairs.setdefault(commune, []).extend(around)
    return Proximity.build(pairs)


def priority_text(priorities: frozenset[Priority], translator: Translator) -> str:
    _ = translator.gettext
    if not priorities:
        return _(NO_PRIORITY_LABEL)
    return ", ".join(_(PRIORITY_LABELS[p]) for p in PRIORITY_ORDER if p in priorities)


def age_text(band: str, translator: Translator) -> str:
    if band == TOP_BAND:
        return translator.gettext("80 or over")
    low, _sep, high = band.partition("-")
    return translator.gettext("{low} to {high} years old", low=low, high=high)


def describe(request: PatientRequest, deps: Context, translator: Translator) -> str:
    """« 70 à 79 ans, Vénissieux, prioritaire : ALD, 70 ans et plus » — nothing more."""
    _ = translator.gettext
    parts = [age_text(request.age_band, translator), deps.places.name(request.commune)]
    if request.priorities:
        parts.append(
            _("priority: {criteria}", criteria=priority_text(request.priorities, translator))
        )
    return ", ".join(parts)


async def is_gp(deps: Context, user_id: str) -> bool | None:
    """True for a doctor of the directory, False for another professional, None when the
    directory does not know ``user_id``."""
    professional = await deps.directory.by_matrix_id(deps.db, user_id)
    if professional is None:
        return None
    return professional.profession_code == GP_PROFESSION


async def sync_new_patients_modality(deps: Context, user_id: str) -> bool:
    """Make the « nouveaux patients » modality of ``user_id``'s card say what their room
    says (yes, with the places left; or no). True if the card changed."""
    room = await rooms_repo.get_room(deps.db, user_id)
    directory = DirectoryRepository(deps.db)
    key = await directory.find_key_by_matrix_id(user_id)
    if room is None or key is None:
        return False
    placed = (await rooms_repo.placements(deps.db)).get(user_id, [])
    places = places_left(room, placed, deps.now)
    translator = Translator(deps.config.language)
    note = (
        translator.ngettext("{count} place left", "{count} places left", places) if places else ""
    )
    card = await directory.load_card(key)
    declaration = ModalityDeclaration(places > 0, note)
    if card.modalities.get(Modality.NEW_PATIENTS) == declaration:
        return False
    changes = await directory.save_card(
        key, with_modality(card, Modality.NEW_PATIENTS, declaration), user_id, deps.now
    )
    return bool(changes)
