"""Swaps and cover by chat.

- a professional on duty: « je cherche un remplaçant pour ma garde du 24/12 », « qui peut
  me remplacer samedi nuit ? », "I need cover for my shift tomorrow"; « annuler
  remplacement 3 »;
- a colleague asked: « je prends » in reply to the offer, or 👍 (❌ / « pas dispo » if not);
  in a direct chat with one offer waiting, a plain « je prends »;
- a coordinator: « garde du 24/12 nuit : Mme Martin remplace M. Durand », « remplacer
  @durand:hs par @martin:hs le 24/12 ».
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cpts_bot.chat.commands import Audience, Command, CommandCall, Parameter, Parser, Topic
from cpts_bot.chat.follow_ups import FollowUp
from cpts_bot.chat.offer_follow_ups import OfferChat, offer_follow_up
from cpts_bot.chat.triggers import derived
from cpts_bot.core.french_datetime import MomentError
from cpts_bot.core.messages import IncomingReaction
from cpts_bot.core.offers import Answer
from cpts_bot.features.cover.answers_service import COVER, cancel_swap, expire_due
from cpts_bot.features.cover.override_service import override_duty
from cpts_bot.features.cover.phrases import (
    CANCEL_PATTERN,
    GIVE_UP_PATTERN,
    OVERRIDE_PATTERNS,
    REQUEST_PATTERN,
    SwapCancel,
    SwapOverride,
    SwapPhraseError,
    SwapRequest,
    parse_swap,
)
from cpts_bot.features.cover.request_service import request_cover
from cpts_bot.features.cover.texts_service import PREFIX
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context, NoDirectory, ProfessionalLookup

# More specific than the rota's free questions (« … ma garde du 24/12 » is not « who is
# on duty »), less than the numbered dispatch commands.
SPECIFICITY = 15
_ANSWERS = frozenset({Answer.ACCEPT, Answer.DECLINE})


def _only(*kinds: type) -> Callable[[str, Context], Any]:
    """A parser keeping the swap phrases of ``kinds`` (errors of the same family too)."""

    def parse(text: str, context: Context) -> Any:
        found = parse_swap(text, context.now)
        return found if isinstance(found, kinds) else None

    return parse


class ShiftSwapFeature:
    """The ChatFeature for swaps and cover."""

    name = "swaps"
    help_topic = Topic.DUTY

    def __init__(self, directory: ProfessionalLookup | None = None) -> None:
        self.directory: ProfessionalLookup = directory or NoDirectory()

    def _deps(self, context: Context) -> Context:
        return context.with_directory(self.directory)

    async def run_due(self, context: Context) -> None:
        """The periodic job: end the requests nobody took in time."""
        await expire_due(self._deps(context))

    def commands(self) -> list[Command]:
        return [
            Command(
                name="remplacement",
                phrase=Parser(_only(SwapRequest, MomentError), SPECIFICITY),
                triggers=derived(REQUEST_PATTERN, GIVE_UP_PATTERN),
                handler=self._request,
                help=N_("find someone to take your duty (free colleagues of your profession)"),
                examples=(
                    N_("je cherche un remplaçant pour ma garde du 24/12"),
                    N_("qui peut me remplacer samedi nuit ?"),
                ),
                topic=Topic.DUTY,
                priority=46,
                published=False,  # free phrases
            ),
            Command(
                name="annuler-remplacement",
                phrase=Parser(_only(SwapCancel), SPECIFICITY),
                triggers=derived(CANCEL_PATTERN),
                handler=self._cancel,
                help=N_("withdraw your request for cover"),
                examples=(N_("annuler remplacement 3"),),
                topic=Topic.DUTY,
                priority=47,
                parameters=(Parameter("number", "integer", N_("the request number"), True),),
            ),
            Command(
                name="remplacer",
                phrase=Parser(_only(SwapOverride, SwapPhraseError), SPECIFICITY),
                triggers=derived(*OVERRIDE_PATTERNS),
                handler=self._override,
                help=N_("put someone else on a duty (the rota is updated, both are told)"),
                examples=(
                    N_("garde du 24/12 nuit : @martin:server remplace @durand:server"),
                    N_("remplacer @durand:server par @martin:server le 24/12"),
                ),
                topic=Topic.DUTY,
                audience=Audience.COORDINATOR,
                priority=61,
                parameters=(
                    Parameter("replaced", "user_id", N_("who is on duty")),
                    Parameter("replacement", "user_id", N_("who replaces them")),
                    Parameter("when", "string", N_("the day of the duty (and its hour)")),
                ),
            ),
        ]

    async def _request(self, call: CommandCall) -> None:
        if isinstance(call.value, MomentError):
            await call.reply(call.value.render(call._))
            return
        message = call.message
        await request_cover(
            self._deps(call.context), message.sender, message.room_id, call.value.when
        )

    async def _cancel(self, call: CommandCall) -> None:
        await cancel_swap(self._deps(call.context), call.value.swap_id, call.message.sender)

    async def _override(self, call: CommandCall) -> None:
        if isinstance(call.value, MomentError):
            await call.reply(call.value.render(call._))
        elif isinstance(call.value, SwapPhraseError):
            await call.reply(call._(call.value.message_id))
        else:
            await override_duty(self._deps(call.context), call.message.sender, call.value)

    # ---------------------------------------------------------------- answers

    def follow_up(self) -> FollowUp:
        """Replies and reactions to the offers (correlated ``swap:``), and a bare « je
        prends » in a direct chat while requests for cover wait for this person."""
        return offer_follow_up(
            OfferChat(
                COVER,
                PREFIX,
                _ANSWERS,
                label=lambda translator, ids: translator.ngettext(
                    "request for cover no. {ids}",
                    "requests for cover no. {ids}",
                    len(ids),
                    ids=", ".join(map(str, ids)),
                ),
                several=N_(
                    "Several requests for cover wait for your answer ({ids}): reply to "
                    "the message of the one you mean."
                ),
                deps=self._deps,
                help=N_("also a colleague's duty: answer their request for cover"),
                examples=(N_("je prends"),),
                topic=Topic.DUTY,
                priority=48,
            )
        )

    async def handle_reaction(self, reaction: IncomingReaction, context: Context) -> bool:
        return False
