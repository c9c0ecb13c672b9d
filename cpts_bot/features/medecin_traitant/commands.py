"""The médecin-traitant desk's commands, declared: a GP's room for new patients, the
waiting list, and a patient without a GP (register, contact details, cancel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cpts_bot.chat.command_table import command_table, row
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


def medecin_traitant_commands(feature: MedecinTraitantFeature) -> tuple[Command, ...]:
    """The declarations; each handler is the feature's. A GP's room is declared before
    the card: a GP's « je ne prends plus de nouveaux patients » is about the desk; the
    handler declines for other professions, and the card takes it."""
    return (
        *patient_commands(feature),
        *command_table(
            row(
                "liste d'attente",
                Parser(read_waiting, specificity=14),
                73,
                N_("the médecin-traitant waiting list"),
                N_("liste d'attente"),
                N_("patients prioritaires en attente depuis plus de 30 jours"),
                handler=feature.coordination,
                patterns=WAITING_PATTERNS,
                topic=Topic.COORDINATION,
                audience=Audience.COORDINATOR,
                published=False,
            ),
            row(
                "mes-places",
                MessageParser(read_gp, specificity=12),
                45,
                N_("GPs: your room for new patients as médecin traitant"),
                N_("mes places"),
                N_("je peux prendre 3 nouveaux patients ce mois-ci"),
                N_("priorité ALD et plus de 70 ans"),
                handler=feature.gp,
                patterns=GP_PATTERNS,
                topic=Topic.DIRECTORY,
                heard=ADDRESSED,
            ),
        ),
    )


def patient_commands(feature: MedecinTraitantFeature) -> tuple[Command, ...]:
    """A patient without a GP: register, add the contact details, cancel."""
    return command_table(
        row(
            "patient sans medecin traitant",
            lambda text, _c: is_registration(text) or None,
            46,
            N_("find a GP for a patient without médecin traitant"),
            N_("patient sans médecin traitant, 78 ans, ALD, {commune}"),
            handler=feature.register,
            patterns=(REGISTER_PATTERN,),
            parameters=(Parameter("patient", "string", N_("age, criteria, commune")),),
        ),
        row(
            "coordonnees",
            lambda text, _c: parse_details(text),
            47,
            N_("the patient's contact details, for the GP who accepts only"),
            N_("coordonnées 12 : Mme D., 06 12 34 56 78"),
            handler=feature.details,
            patterns=(DETAILS_PATTERN,),
            published=False,
        ),
        row(
            "annuler patient",
            read_cancel,
            74,
            N_("cancel a request for a médecin traitant"),
            N_("annuler patient 12"),
            handler=feature.coordination,
            patterns=(CANCEL_PATTERN,),
            topic=Topic.COORDINATION,
            parameters=(Parameter("number", "integer", N_("the request number")),),
        ),
        topic=Topic.DIRECTORY,
        specificity=LAST_RESORT,
    )
