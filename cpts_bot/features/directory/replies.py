"""Directory answers as :class:`Reply` values (plain text + HTML), read on a phone.

The answer comes in the first line ("3 résultats pour kiné respiratoire, Lyon 8e :"),
then the best five with name, profession, commune, phone and Matrix link, and why each
one matches; "2 de plus — écrivez « plus »". Counts come with a breakdown by commune;
an ambiguous word gets a numbered question; when nothing matches, the reply says what
was understood, what was widened and what exists nearby.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from cpts_bot.chat.place_labels import place_labels
from cpts_bot.core.concepts import ConceptKind, ConceptRef
from cpts_bot.core.messages import Reply
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.text_normalizer import normalize
from cpts_bot.core.vocabulary_loader import Vocabulary
from cpts_bot.features.directory.professional_matcher import (
    CHILDREN,
    NEIGHBOUR,
    Match,
    Relaxation,
    SearchResult,
    StructureMatch,
)
from cpts_bot.features.directory.query_parser import DirectoryQuery, concept_refs
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_

MATRIX_TO = "https://matrix.to/#/"
_MODE_LABELS = {"L": N_("in private practice"), "S": N_("salaried")}
_SHOWN_REASONS = (
    ConceptKind.ACTIVITY,
    ConceptKind.MODALITY,
    ConceptKind.LANGUAGE,
    CHILDREN,
    NEIGHBOUR,
)


class DirectoryReplies:
    """Render directory results in the translator's language."""

    def __init__(self, vocabulary: Vocabulary, places: PlaceIndex, translator: Translator) -> None:
        self.vocabulary = vocabulary
        self.places = places
        self.translator = translator
        self._ = translator.gettext
        self.language = translator.language

    # Labels ---------------------------------------------------------------------------

    def label(self, ref: ConceptRef, plural: bool = False) -> str:
        """The words for one concept, place or reason."""
        if ref.kind == ConceptKind.PLACE:
            return self.places.name(ref.code)
        if ref.kind == NEIGHBOUR:
            return self._("{commune} (neighbouring commune)", commune=self.places.name(ref.code))
        if ref.kind == CHILDREN:
            return self._("sees children")
        if ref.kind == ConceptKind.LANGUAGE and self.vocabulary.get(ref) is None:
            # a language only the CPTS file names ("platt"): its word as declared
            return self._("speaks {language}", language=ref.code)
        return self.vocabulary.label(ref, self.language, plural)

    def criteria(self, query: DirectoryQuery, result: SearchResult | None = None) -> str:
        """What was understood, as a short list: "kiné respiratoire, à domicile, Bron".

        With ``result``, the question's own words that were searched in the declared
        activities ("« McKenzie »") and a name looked up are shown too.
        """
        refs = concept_refs(query, self.vocabulary)
        if query.place_mentions:  # the places as named: "Marseille (13e et 14e)"
            refs = [ref for ref in refs if ref.kind != ConceptKind.PLACE]
        searched = set(result.activity.used) if result and result.activity else set()
        parts = self._labels(refs, any(run.phrase.alternative for run in query.free_runs))
        parts += place_labels(query, self.places, self.translator)
        if result is not None and result.name is not None:
            parts.insert(0, f"« {result.name.typed} »")
        named_by_concept = {
            word
            for run in query.free_runs
            for word, concepts in zip(run.phrase.words, run.phrase.concepts, strict=False)
            if any(":" not in code for code in concepts)  # shown by the concept's label
        }
        typed = dict(query.typed)
        words = [w for w in _ordered_words(query) if w in searched and w not in named_by_concept]
        if words:
            shown = _joined(query, set(words), typed, self._("or"))
            parts.insert(1 if result and result.name else 0, f"« {shown} »")
        parts += [
            self._(_MODE_LABELS[mode])
            for mode in sorted(query.practice_modes)
            if mode in _MODE_LABELS
        ]
        if query.children:
            parts.append(self._("for a child"))
        return ", ".join(parts) if parts else self._("the whole directory")

    def _labels(self, refs: list[ConceptRef], either: bool) -> list[str]:
        """The concepts' labels; with an OR-list, the activities joined by "ou"."""
        if not either:
            return [self.label(ref) for ref in refs]
        parts: list[str] = []
        activities = [self.label(ref) for ref in refs if ref.kind == ConceptKind.ACTIVITY]
        for ref in refs:
            if ref.kind != ConceptKind.ACTIVITY:
                parts.append(self.label(ref))
            elif activities:
                parts.append(f" {self._('or')} ".join(activities))
                activities = []
        return parts

    def notes(self, result: SearchResult) -> list[str]:
        """What the question said that could not be used, and ambiguous words read widely."""
        lines: list[str] = []
        typed = dict(result.query.typed)
        # A patient's name ("Mme Castagnet, 67 ans") is a detail, not a missed activity.
        patients = {
            word
            for run in result.query.free_runs
            if run.patient and run.after_title
            for word in run.phrase.words
        }
        unknown = [
            typed.get(word, word)
            for word in dict.fromkeys(result.unknown_words)
            if word not in patients
        ]
        if len(unknown) == 1:
            lines.append(self._("“{word}” is in no declared activity.", word=unknown[0]))
        elif unknown:
            lines.append(
                self._(
                    "“{words}” are in no declared activity.",
                    words="”, “".join(unknown) if self.language == "en" else " », « ".join(unknown),
                )
            )
        for word in result.query.broadened:
            meanings = [self.label(ref) for ref in self.vocabulary.ambiguous.get(word, ())]
            lines.append(
                self._("“{word}” read as: {meanings}.", word=word, meanings=", ".join(meanings))
            )
        return lines

    def _professional_label(self, match: Match) -> str:
        person = match.professional
        for ref in match.reasons:
            if ref.kind == ConceptKind.SPECIALTY:
                return self.label(ref)
        specialty = next(
            (
                concept
                for code in sorted(person.specialty_codes)
                if (concept := self.vocabulary.specialty_for_code(code)) is not None
            ),
            None,
        )
        if specialty is not None:
            return specialty.label(self.language)
        return self.label(ConceptRef(ConceptKind.PROFESSION, person.profession_code))

    # Replies --------------------------------------------------------------------------

    def search_reply(self, result: SearchResult) -> Reply:
        """The reply to a FIND or COUNT query."""
        if result.query.intent == "count":
            return self._count_reply(result)
        if not result.found:
            return self._nothing_reply(result)
        if result.total == 0 and result.page == 0:
            return self._structures_reply(result)
        if not result.matches:
            return self._text_reply(
                [
                    self._(
                        "That is all: no more results for {criteria}.",
                        criteria=self.criteria(result.query),
                    )
                ]
            )
        head = self._headline(result)
        lines: list[str] = []
        html_items: list[str] = []
        start = result.page * result.page_size
        for number, match in enumerate(result.matches, start=start + 1):
            text, html = self._match_lines(match, result)
            lines.append(f"{number}. {text}")
            html_items.append(f"<li>{html}</li>")
        tail = self._more_line(result)
        see_also = self._see_also(result.structures) if result.structures else []
        text = "\n".join([*head, *lines, *([tail] if tail else []), *see_also])
        html = (
            "".join(f"<p>{escape(line)}</p>" for line in head)
            + f'<ol start="{start + 1}">'
            + "".join(html_items)
            + "</ol>"
            + (f"<p><i>{escape(tail)}</i></p>" if tail else "")
            + "".join(f"<p>{escape(line)}</p>" for line in see_also)
        )
        return Reply(text, html)

    def _subject(self, query: DirectoryQuery) -> ConceptRef | None:
        """The one profession or specialty the question fixes, if it fixes one."""
        if len(query.specialties) == 1:
            return ConceptRef(ConceptKind.SPECIALTY, next(iter(query.specialties)))
        if len(query.professions) == 1 and not query.specialties:
            return ConceptRef(ConceptKind.PROFESSION, next(iter(query.professions)))
        return None

    def _headline(self, result: SearchResult) -> list[str]:
        criteria = self.criteria(result.query, result)
        subject = self._subject(result.query)
        if result.only_broader:
            return self._broader_headline(result)
        if not result.relaxations and subject is not None and result.name is None:
            # "3 masseurs-kinésithérapeutes pour kiné respiratoire, Lyon 8e :"
            who = self.label(subject, plural=result.total > 1)
            without = replace(result.query, professions=frozenset(), specialties=frozenset())
            rest = self.criteria(without, result)
            if rest == self._("the whole directory"):
                return [self._("{count} {who}:", count=result.total, who=who), *self.notes(result)]
            return [
                self._("{count} {who} for {criteria}:", count=result.total, who=who, criteria=rest),
                *self.notes(result),
            ]
        if not result.relaxations:
            return [
                self.translator.ngettext(
                    "{count} match for {criteria}:",
                    "{count} matches for {criteria}:",
                    result.total,
                    criteria=criteria,
                ),
                *self.notes(result),
            ]
        return [
            self._missing_line(result)
            or self._("Nobody matches exactly {criteria}.", criteria=criteria),
            self.translator.ngettext(
                "Widened ({how}): {count} match:",
                "Widened ({how}): {count} matches:",
                result.total,
                how=self._relaxation_text(result),
            ),
            *self.notes(result),
        ]

    def _broader_headline(self, result: SearchResult) -> list[str]:
        """« escarre » where only « plaies complexes » is declared: said first."""
        rest = self.criteria(replace(result.query, activities=frozenset(), free_runs=()))
        return [
            self.translator.ngettext(
                "Nobody declares “{need}” ({criteria}); {count} declares something broader:",
                "Nobody declares “{need}” ({criteria}); {count} declare something broader:",
                result.total,
                need=self._need(result),
                criteria=rest,
            ),
            *self.notes(result),
        ]

    def _missing_line(self, result: SearchResult) -> str:
        """ "Personne ne déclare « X » (kiné, Dieulefit) ; les plus proches : A (4), B (12)."

        The first line when nobody declares the need, before anyone who does not do it."""
        if not result.need_missing:
            return ""
        query = result.query
        need = self._need(result)
        if not need:
            return ""
        rest = self.criteria(replace(query, activities=frozenset(), free_runs=()))
        closest = ", ".join(f"{text} ({count})" for text, count in result.closest)
        if closest and result.closest_elsewhere:
            return self._(
                "Nobody declares “{need}” ({criteria}); the closest declared, elsewhere or"
                " by other professions: {closest}.",
                need=need,
                criteria=rest,
                closest=closest,
            )
        if closest:
            return self._(
                "Nobody declares “{need}” ({criteria}); the closest declared: {closest}.",
                need=need,
                criteria=rest,
                closest=closest,
            )
        return self._("Nobody declares “{need}” ({criteria}).", need=need, criteria=rest)

    def _need(self, result: SearchResult) -> str:
        """The need as the GP typed it (the activity words), else the concepts' labels."""
        query = result.query
        typed = dict(query.typed)
        patients = {
            w for run in query.free_runs if run.patient or run.after_title for w in run.phrase.words
        }
        words = [typed.get(w, w) for w in _ordered_words(query) if w not in patients]
        shown = {normalize(word) for word in words}
        labels = [
            label
            for code in sorted(query.activities)
            if normalize(label := self.label(ConceptRef(ConceptKind.ACTIVITY, code))) not in shown
        ]
        return " ".join(words) if words else ", ".join(labels)

    def _relaxation_text(self, result: SearchResult) -> str:
        dropped_kinds = {
            Relaxation.DROP_MODALITIES: ConceptKind.MODALITY,
            Relaxation.DROP_LANGUAGES: ConceptKind.LANGUAGE,
            Relaxation.DROP_ACTIVITIES: ConceptKind.ACTIVITY,
        }
        parts: list[str] = []
        for step in result.relaxations:
            if step == Relaxation.NEIGHBOURS:
                parts.append(self._("neighbouring communes"))
            elif step in dropped_kinds:
                dropped = [ref for ref in result.dropped if ref.kind == dropped_kinds[step]]
                what = ", ".join(self.label(ref) for ref in dropped)
                if not what and step == Relaxation.DROP_ACTIVITIES:
                    what = self._need(result)
                parts.append(self._("without “{what}”", what=what))
            elif step == Relaxation.RELATED_PROFESSIONS and result.related:
                what = ", ".join(self.label(ref) for ref in result.related)
                parts.append(self._("related professions: {what}", what=what))
            elif step == Relaxation.RELATED_PROFESSIONS:
                parts.append(self._("other professions"))
            elif step == Relaxation.WHOLE_TERRITORY:
                parts.append(self._("whole territory"))
        return "; ".join(parts)

    def _match_lines(self, match: Match, result: SearchResult | None = None) -> tuple[str, str]:
        person = match.professional
        profession = self._professional_label(match)
        query = result.query if result is not None else None
        card = result is not None and (result.name is not None or result.total == 1)
        if query is not None and not card and len(query.professions) == 1 and not query.specialties:
            profession = ""  # the question fixed it: not repeated on every line
        commune = ""
        if match.site:
            # The territory's own name for the commune reads better than the register's
            # upper-case label ("LYON 8E ARRONDISSEMENT").
            known = match.site.commune_insee in self.places.places
            commune = (
                self.places.name(match.site.commune_insee) if known else match.site.commune_name
            )
        phone = match.site.phone if match.site else ""
        if (
            query is not None
            and not card
            and len(query.places) == 1
            and match.site
            and (match.site.commune_insee in query.places)
        ):
            commune = ""
        if card and match.site and match.site.address:
            commune = ", ".join(part for part in (match.site.address, commune) if part)
        fields = [person.display_name, profession, commune, phone]
        text = " — ".join(field for field in fields if field)
        html_fields = [f"<b>{escape(person.display_name)}</b>", escape(profession), escape(commune)]
        if phone:
            digits = "".join(char for char in phone if char.isdigit() or char == "+")
            html_fields.append(f'<a href="tel:{escape(digits)}">{escape(phone)}</a>')
        if person.matrix_id:
            text += f" — {person.matrix_id}"
            html_fields.append(
                f'<a href="{MATRIX_TO}{escape(person.matrix_id)}">{escape(person.matrix_id)}</a>'
            )
        html = " — ".join(field for field in html_fields if field)
        reasons = [self.label(ref) for ref in match.reasons if ref.kind in _SHOWN_REASONS]
        if match.declared:
            said = {normalize(text) for text in match.declared}
            reasons = [*match.declared, *(r for r in reasons if normalize(r) not in said)]
        if match.broader:
            # A broader or related declaration: said so, never a plain tick.
            wider = self._("broader than asked: {what}", what=", ".join(match.declared))
            return f"{text}\n   ≈ {wider}", f"{html}<br>≈ {escape(wider)}"
        if reasons:
            text += "\n   ✓ " + ", ".join(reasons)
            html += "<br>✓ " + escape(", ".join(reasons))
        return text, html

    def _more_line(self, result: SearchResult) -> str:
        if result.remaining <= 0:
            return ""
        return self._("{count} more — type “plus”", count=result.remaining)

    def _see_also(self, structures: tuple[StructureMatch, ...]) -> list[str]:
        return [
            self._("See also: {structure}", structure=self._structure_line(item))
            for item in structures
        ]

    def _structure_line(self, item: StructureMatch) -> str:
        structure = item.structure
        kind = self.vocabulary.label(
            ConceptRef(ConceptKind.STRUCTURE, structure.structure_type), self.language
        )
        commune = structure.site.commune_name or self.places.name(structure.site.commune_insee)
        fields = [structure.name, kind, commune, structure.site.phone]
        return " — ".join(field for field in fields if field)

    def _structures_reply(self, result: SearchResult) -> Reply:
        criteria = self.criteria(result.query)
        lines = [
            f"{number}. {self._structure_line(item)}"
            for number, item in enumerate(result.structures, start=1)
        ]
        in_place = any(
            ref.kind == ConceptKind.PLACE for item in result.structures for ref in item.reasons
        )
        if result.query.places and not in_place:
            head = [
                self._("Nobody matches exactly {criteria}.", criteria=criteria),
                self._("The nearest ones:"),
            ]
        else:
            head = [
                self.translator.ngettext(
                    "{count} structure for {criteria}:",
                    "{count} structures for {criteria}:",
                    result.structures_total,
                    criteria=criteria,
                )
            ]
        return self._text_reply([*head, *lines])

    def _count_reply(self, result: SearchResult) -> Reply:
        criteria = self.criteria(result.query, result)
        if result.relaxations and result.total:
            head = [
                self._missing_line(result)
                or self._("Nobody matches exactly {criteria}.", criteria=criteria),
                self.translator.ngettext(
                    "Widened ({how}): {count} match.",
                    "Widened ({how}): {count} matches.",
                    result.total,
                    how=self._relaxation_text(result),
                ),
            ]
        else:
            head = [
                self.translator.ngettext(
                    "{count} professional for {criteria}.",
                    "{count} professionals for {criteria}.",
                    result.total,
                    criteria=criteria,
                ),
                *self.notes(result),
            ]
        if result.total == 1 and result.matches and not result.relaxations:
            # A count of one: the person, not "type plus".
            text, html = self._match_lines(result.matches[0], result)
            reply = self._text_reply(head)
            html_body = (reply.html or "") + f"<p>{html}</p>"
            return Reply(f"{reply.text}\n{text}", html_body)
        lines = [
            f"{self.places.name(insee)} : {count}"
            if self.language == "fr"
            else f"{self.places.name(insee)}: {count}"
            for insee, count in result.breakdown
        ]
        if result.total:
            lines.append(self._("Type “plus” to see the list."))
        return self._text_reply([*head, *lines])

    def _nothing_reply(self, result: SearchResult) -> Reply:
        criteria = self.criteria(result.query, result)
        if criteria == self._("the whole directory"):
            # Nothing was understood but words nobody declares: no « pour tout l'annuaire ».
            head = [self._("Nobody in the directory matches these words.")]
        else:
            head = [
                self._("Nobody in the directory for {criteria}.", criteria=criteria),
                self._("Understood: {criteria}.", criteria=criteria),
            ]
        missing = self._missing_line(result)
        lines = [*([missing] if missing else head), *self.notes(result)]
        if result.relaxations:
            lines.append(self._("Also tried: {how}.", how=self._relaxation_text(result)))
        lines.append(self._("Try other words, a nearby commune, or ask the coordination team."))
        return self._text_reply(lines)

    def clarification_reply(self, query: DirectoryQuery) -> Reply:
        """The question asked when a word has several meanings (numbered choices)."""
        clarification = query.clarification
        if clarification is None:
            return self.help_reply()
        head = self._("“{word}”: which one do you mean?", word=clarification.term)
        choices = [
            f"{number}. {self.label(ref)}"
            for number, ref in enumerate(clarification.choices, start=1)
        ]
        tail = self._("Reply with the number or the name.")
        return self._text_reply([head, *choices, tail])

    def help_reply(self) -> Reply:
        """How to ask the directory, with examples."""
        return self._text_reply(
            [
                self._("Ask me who does what, where: I answer from the CPTS directory."),
                self._(
                    "Examples: “kiné respi à domicile Lyon 8”, “IDE pansement complexe Bron”, "
                    "“orthophoniste bilan du langage enfant 4 ans”, “combien de MG prennent "
                    "de nouveaux patients ?”"
                ),
                self._(
                    "Then: “plus” for the next ones, “et à domicile ?” or “à Vénissieux "
                    "plutôt” to refine."
                ),
            ]
        )

    def nothing_to_continue_reply(self) -> Reply:
        """ "plus" with no previous question."""
        return self._text_reply(
            [
                self._("Nothing to continue: ask a question first, e.g. “kiné à domicile Lyon 8”."),
            ]
        )

    def _text_reply(self, lines: list[str]) -> Reply:
        text = "\n".join(line for line in lines if line)
        html = "".join(f"<p>{escape(line)}</p>".replace("\n", "<br>") for line in lines if line)
        return Reply(text, html)


def _joined(query: DirectoryQuery, words: set[str], typed: dict[str, str], either: str) -> str:
    """The searched words as typed, alternatives joined by "ou" ("hypnose ou sophrologie")."""
    pieces: list[str] = []
    seen: set[str] = set()
    for run in query.free_runs:
        mine = [w for w in run.phrase.content_words if w in words and w not in seen]
        seen.update(mine)
        if not mine:
            continue
        if pieces and run.phrase.alternative:
            pieces.append(either)
        pieces += [typed.get(word, word) for word in mine]
    return " ".join(pieces)


def _ordered_words(query: DirectoryQuery) -> list[str]:
    """The free words of ``query`` in the order typed, once each."""
    seen: dict[str, None] = {}
    for run in query.free_runs:
        for word in run.phrase.content_words:
            seen.setdefault(word, None)
    return list(seen)
