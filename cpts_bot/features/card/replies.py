"""The card's replies: the card as shown (« Fiche — Claire MARTIN … »), each change in
words, and why a phrase gives no card to work on."""

from __future__ import annotations

from cpts_bot.core.messages import IncomingMessage
from cpts_bot.core.vocabulary_loader import ACTIVITY, ConceptRef, Vocabulary
from cpts_bot.features.card.service import CardChoice, NoCard
from cpts_bot.features.card.update_parser import CardCommand
from cpts_bot.features.directory.card import Card, FieldChange, ModalityDeclaration
from cpts_bot.features.directory.models import Modality, Professional
from cpts_bot.i18n import N_, Translator

MODALITY_LABELS = {
    Modality.NEW_PATIENTS: N_("takes new patients"),
    Modality.HOME_VISITS: N_("makes home visits"),
    Modality.TELECONSULTATION: N_("offers teleconsultation"),
    Modality.UNSCHEDULED_CARE: N_("takes unscheduled care"),
    Modality.WHEELCHAIR_ACCESS: N_("wheelchair accessible"),
    Modality.SATURDAY: N_("works on Saturdays"),
}


class CardReplies:
    """The card's texts, with the vocabulary's names of activities."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary

    def activity_label(self, code: str, stored: str | None, language: str) -> str:
        """The vocabulary's name of ``code`` in ``language``, else the words stored."""
        concept = self._vocabulary.get(ConceptRef(ACTIVITY, code))
        if concept is not None:
            return concept.label(language)
        return stored or code.replace("_", " ")

    def change_text(self, change: FieldChange, card: Card, translator: Translator) -> str:
        _ = translator.gettext
        kind, _sep, detail = change.field.partition(":")
        if kind == "modality":
            modality = Modality(detail)
            declaration = card.modalities.get(modality)
            if declaration is None:
                return _("{modality}: not stated", modality=_(MODALITY_LABELS[modality]))
            return modality_text(modality, declaration, translator)
        if kind == "activity":
            if change.new is None:
                label = self.activity_label(detail, change.old, translator.language)
                return _("activity removed: {label}", label=label)
            label = self.activity_label(detail, change.new, translator.language)
            return _("activity added: {label}", label=label)
        if kind == "language":
            name = translator.language_name(detail)
            if change.new is None:
                return _("language removed: {language}", language=name)
            return _("language added: {language}", language=name)
        if kind == "phone":
            return _("phone: {phone}", phone=change.new or "—")
        return _("{field}: {value}", field=change.field, value=change.new or "—")

    def card_lines(
        self, professional: Professional, card: Card, profession: str, translator: Translator
    ) -> list[str]:
        """« Fiche — … »: the profession, the sites, the phone, the activities, the
        modalities, the languages and the Matrix ID of ``professional``'s ``card``."""
        _ = translator.gettext
        none = _("(none given)")
        lines = [_("Card of {name}", name=professional.display_name)]
        if profession:
            lines.append(profession)
        if not professional.active:
            lines.append(_("This card is inactive (no longer in the national register)."))
        for site in professional.sites:
            where = ", ".join(
                part
                for part in (
                    site.structure_name,
                    site.address,
                    f"{site.postal_code} {site.commune_name}".strip(),
                )
                if part
            )
            lines.append(_("Site: {site}", site=where))
        site_phone = next((site.phone for site in professional.sites if site.phone), none)
        lines.append(_("Phone: {phone}", phone=card.phone or site_phone))
        activities = [
            self.activity_label(code, label, translator.language)
            for code, label in sorted(card.activities.items())
        ]
        activities += list(card.declared)  # the CPTS file's own words, as written
        lines.append(_("Activities: {list}", list=", ".join(activities) or none))
        modalities = [modality_text(m, d, translator) for m, d in sorted(card.modalities.items())]
        lines.append(_("Modalities: {list}", list="; ".join(modalities) or none))
        languages = [translator.language_name(code) for code in sorted(card.languages)]
        lines.append(_("Languages: {list}", list=", ".join(languages) or none))
        lines.append(_("Matrix ID: {id}", id=card.matrix_id or none))
        return lines


def no_card_text(
    choice: CardChoice, command: CardCommand, message: IncomingMessage, translator: Translator
) -> str:
    """Why there is no card to work on, in words."""
    _ = translator.gettext
    if choice.refusal is NoCard.NOT_IN_DIRECTORY:
        return _(
            "You are not in the CPTS directory: no card is linked to {user}. Ask the "
            "coordination to add your Matrix ID to your card.",
            user=message.sender,
        )
    if choice.refusal is NoCard.NOT_ALLOWED:
        return _("Only the coordination can see or change another professional's card.")
    who = command.target.text if command.target else ""
    if choice.refusal is NoCard.NOT_FOUND:
        return _('No card found for "{who}".', who=who)
    names = [
        f"{found.display_name} ({(found.sites[0].commune_name if found.sites else '') or found.key})"
        for found in choice.several
    ]
    return _(
        'Several cards match "{who}": {names}. Say which one with the Matrix ID or '
        "the RPPS number.",
        who=who,
        names="; ".join(names),
    )


def modality_text(
    modality: Modality, declaration: ModalityDeclaration, translator: Translator
) -> str:
    _ = translator.gettext
    label = _(MODALITY_LABELS[modality])
    if not declaration.available:
        return _("{modality}: no", modality=label)
    if declaration.note:
        return _("{modality}: yes ({note})", modality=label, note=declaration.note)
    return _("{modality}: yes", modality=label)
