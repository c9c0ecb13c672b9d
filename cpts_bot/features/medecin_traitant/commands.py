"""The médecin-traitant desk's commands, declared: a GP's room for new patients, the
waiting list, and a patient without a GP (register, contact details, cancel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cpts_bot.chat.commands import (
    ADDRESSED,
    Audience,
    Command,
    Context,
    MessageParser,
    Parameter,
    Parser,
    Topic,
)
from cpts_bot.chat.triggers import derived
from cpts_bot.core.messages import IncomingMessage, without_mention
from cpts_bot.features.medecin_traitant.phrases import (
    CANCEL_PATTERN,
    DETAILS_PATTERN,
    GP_PATTERNS,
    REGISTER_PATTERN,
    WAITING_PATTERNS,
    CancelRequest,
    WaitingList,
    is_registration,
    parse_coordination_command,
    parse_details,
    parse_gp_command,
)
from cpts_bot.features.medecin_traitant.phrases import Command as DeskCommand
from cpts_bot.i18n.translator import N_

if TYPE_CHECKING:
    from cpts_bot.features.medecin_traitant.chat import MedecinTraitantFeature

# A patient's registration, details and cancellation were only ever heard when no other
# command understood the message: the lowest specificity above free text.
LAST_RESORT = 1


def read_gp(message: IncomingMessage, context: Context) -> DeskCommand | None:
    return parse_gp_command(without_mention(message.body, context.bot_user_id))


def read_waiting(text: str, context: Context) -> WaitingList | None:
    command = parse_coordination_command(text)
    return command if isinstance(command, WaitingList) else None


def read_cancel(text: str, context: Context) -> CancelRequest | None:
    command = parse_coordination_command(text)
    return command if isinstance(command, CancelRequest) else None


def medecin_traitant_commands(feature: MedecinTraitantFeature) -> list[Command]:
    """The declarations; each handler is the feature's. A GP's room is declared before
    the card: a GP's « je ne prends plus de nouveaux patients » is about the desk; the
    handler declines for other professions, and the card takes it."""
    return [
        *patient_commands(feature),
        Command(
            name="liste d'attente",
            phrase=Parser(read_waiting, specificity=14),
            triggers=derived(*WAITING_PATTERNS),
            handler=feature.coordination,
            help=N_("the médecin-traitant waiting list"),
            examples=(
                N_("liste d'attente"),
                N_("patients prioritaires en attente depuis plus de 30 jours"),
            ),
            topic=Topic.COORDINATION,
            audience=Audience.COORDINATOR,
            priority=73,
            published=False,
        ),
        Command(
            name="mes-places",
            phrase=MessageParser(read_gp, specificity=12),
            triggers=derived(*GP_PATTERNS),
            handler=feature.gp,
            help=N_("GPs: your room for new patients as médecin traitant"),
            examples=(
                N_("mes places"),
                N_("je peux prendre 3 nouveaux patients ce mois-ci"),
                N_("priorité ALD et plus de 70 ans"),
            ),
            topic=Topic.DIRECTORY,
            heard=ADDRESSED,
            priority=45,
        ),
    ]


def patient_commands(feature: MedecinTraitantFeature) -> list[Command]:
    """A patient without a GP: register, add the contact details, cancel."""
    return [
        Command(
            name="patient sans medecin traitant",
            phrase=Parser(lambda text, _c: is_registration(text) or None, LAST_RESORT),
            triggers=derived(REGISTER_PATTERN),
            handler=feature.register,
            help=N_("find a GP for a patient without médecin traitant"),
            examples=(N_("patient sans médecin traitant, 78 ans, ALD, {commune}"),),
            topic=Topic.DIRECTORY,
            priority=46,
            parameters=(Parameter("patient", "string", N_("age, criteria, commune")),),
        ),
        Command(
            name="coordonnees",
            phrase=Parser(lambda text, _c: parse_details(text), LAST_RESORT),
            triggers=derived(DETAILS_PATTERN),
            handler=feature.details,
            help=N_("the patient's contact details, for the GP who accepts only"),
            examples=(N_("coordonnées 12 : Mme D., 06 12 34 56 78"),),
            topic=Topic.DIRECTORY,
            priority=47,
            published=False,
        ),
        Command(
            name="annuler patient",
            phrase=Parser(read_cancel, LAST_RESORT),
            triggers=derived(CANCEL_PATTERN),
            handler=feature.coordination,
            help=N_("cancel a request for a médecin traitant"),
            examples=(N_("annuler patient 12"),),
            topic=Topic.COORDINATION,
            priority=74,
            parameters=(Parameter("number", "integer", N_("the request number")),),
        ),
    ]
