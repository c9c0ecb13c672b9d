"""Understand a professional updating their own card in plain French.

Pure: text in, a :class:`CardCommand` (or None: not a card update) out. The grammar is
deliberately narrow so that a directory question ("qui fait des visites à domicile ?")
is never taken for an update:

* a modality statement starts with the speaker and a verb of practice:
  ``je (ne) fais / prends / accepte / propose / consulte / travaille ... (plus|pas)``
  then a modality: ``je ne prends plus de nouveaux patients``,
  ``je fais des visites à domicile le mardi`` (the words after the modality become its
  note: "le mardi"), ``je ne fais plus de téléconsultation``; or a modality followed by
  ``: oui`` / ``: non`` (``nouveaux patients : non``); or ``mon cabinet (n')est (pas)
  accessible``;
* ``ajoute activité : plaies complexes`` / ``retire activité plaies complexes``;
* ``mon téléphone 04 78 00 00 00``; ``je parle anglais et arabe``;
  ``ajoute langue : espagnol`` / ``retire langue espagnol``;
* ``ma fiche`` shows the card.

Several updates may be given on separate lines or separated by ``;``.

A coordinator names whose card it is with a prefix ending in ``:``:
``fiche de @bob:example.org : je ne prends plus de nouveaux patients``,
``pour Dr Martin : ajoute activité plaies complexes``, ``pour 10001234567 : ...``
(RPPS number); ``fiche de Dr Martin`` alone shows that card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cpts_bot.core.text_normalizer import fold
from cpts_bot.features.directory.card import normalize_phone
from cpts_bot.features.directory.models import Modality

LANGUAGES = {
    "francais": "fr",
    "anglais": "en",
    "arabe": "ar",
    "espagnol": "es",
    "italien": "it",
    "allemand": "de",
    "portugais": "pt",
    "russe": "ru",
    "chinois": "zh",
    "mandarin": "zh",
    "vietnamien": "vi",
    "turc": "tr",
    "roumain": "ro",
    "polonais": "pl",
    "wolof": "wo",
    "berbere": "ber",
    "kabyle": "kab",
    "tamoul": "ta",
    "armenien": "hy",
    "albanais": "sq",
    "serbe": "sr",
    "croate": "hr",
    "ukrainien": "uk",
    "persan": "fa",
    "farsi": "fa",
    "hebreu": "he",
    "grec": "el",
    "neerlandais": "nl",
    "bambara": "bm",
    "lingala": "ln",
    "comorien": "swb",
    "soninke": "snk",
    "peul": "ff",
    "tigrinya": "ti",
    "dari": "prs",
    "pachto": "ps",
    "ourdou": "ur",
    "hindi": "hi",
    "bengali": "bn",
    "japonais": "ja",
    "coreen": "ko",
    "english": "en",
    "arabic": "ar",
    "spanish": "es",
    "langue des signes": "fsl",
    "lsf": "fsl",
}


@dataclass(frozen=True)
class CardTarget:
    """Whose card a coordinator means: a Matrix ID, an RPPS number or a name."""

    matrix_id: str | None = None
    rpps: str | None = None
    name: str | None = None
    text: str = ""


@dataclass(frozen=True)
class SetModality:
    modality: Modality
    available: bool
    note: str = ""


@dataclass(frozen=True)
class AddActivity:
    label: str


@dataclass(frozen=True)
class RemoveActivity:
    label: str


@dataclass(frozen=True)
class SetPhone:
    phone: str


@dataclass(frozen=True)
class BadPhone:
    """A phone number was given but it is not one."""

    text: str


@dataclass(frozen=True)
class AddLanguages:
    languages: tuple[str, ...]


@dataclass(frozen=True)
class RemoveLanguages:
    languages: tuple[str, ...]


@dataclass(frozen=True)
class UnknownLanguage:
    text: str


@dataclass(frozen=True)
class NotUnderstood:
    """A part of a card command that matched nothing."""

    text: str


CardEdit = (
    SetModality
    | AddActivity
    | RemoveActivity
    | SetPhone
    | BadPhone
    | AddLanguages
    | RemoveLanguages
    | UnknownLanguage
    | NotUnderstood
)


@dataclass(frozen=True)
class CardCommand:
    """Show and/or edit a card: the sender's own (``target`` None) or someone else's."""

    target: CardTarget | None
    show: bool
    edits: tuple[CardEdit, ...] = ()


_MODALITY_WORDS: tuple[tuple[Modality, str], ...] = (
    (
        Modality.NEW_PATIENTS,
        r"(?:(?:de\s+|des\s+)?nouveaux?|nouvelles?)\s+patient(?:e|s|es)?"
        r"|nouvelle\s+patientele|patients?\s+nouveaux",
    ),
    (
        Modality.HOME_VISITS,
        r"(?:des\s+|les\s+|de\s+)?visites?\s+(?:a|au|en)\s+domicile|(?:des\s+|les\s+)?visites?\s+"
        r"domicile|(?:des\s+|les\s+|de\s+)?vad\b|(?:des\s+|les\s+)?(?:soins|consultations?)\s+a\s+"
        r"domicile|a\s+domicile",
    ),
    (
        Modality.TELECONSULTATION,
        r"(?:de\s+la\s+|la\s+|des\s+|de\s+)?tele\s*-?\s*consult\w*|(?:de\s+la\s+|la\s+)?visio\w*"
        r"|(?:de\s+la\s+|la\s+)?telemedecine",
    ),
    (
        Modality.UNSCHEDULED_CARE,
        r"(?:des\s+|les\s+|de\s+)?soins?\s+non[\s-]+programmes?|(?:des\s+|les\s+|de\s+)?snp\b"
        r"|(?:des\s+)?(?:consultations?|rendez[\s-]vous|rdv)\s+sans\s+rendez[\s-]vous"
        r"|sans\s+(?:rendez[\s-]vous|rdv)|(?:des\s+|les\s+)?urgences?\s+du\s+jour",
    ),
    (
        Modality.WHEELCHAIR_ACCESS,
        r"accessibles?(?:\s+(?:pmr|aux\s+fauteuils?(?:\s+roulants?)?|en\s+fauteuil(?:\s+roulant)?))?"
        r"|(?:l')?acces\s+pmr|pmr",
    ),
    (Modality.SATURDAY, r"(?:le\s+|les\s+)?samedis?(?:\s+matin)?"),
)
_MODALITY_RE = [(modality, re.compile(rf"\b(?:{words})")) for modality, words in _MODALITY_WORDS]
_PRACTICE_VERBS = (
    r"fais|fait|prends|prend|accepte|propose|assure|consulte|travaille|recois|suis|continue"
    r"|reprends|effectue|realise|pratique|ouvre|peux|arrete|stoppe|suspends|recommence"
)
_STATEMENT = re.compile(
    rf"^(?:je|j'|nous|on)\s*(?:ne\s+|n')?(?:me\s+|m')?(?:{_PRACTICE_VERBS}|deplace)\b"
    r"|^(?:mon|notre|le)\s+cabinet\s+(?:est|n'est)\b"
)
_NEGATION = re.compile(
    r"(?:^|[\s'])(?:ne|n'|plus|pas|non|aucun|aucune|jamais|arrete|stoppe"
    r"|suspends)(?=\s|$|')|\bn'"
)
_YES_NO = re.compile(r"^\s*[:=]?\s*(?P<answer>oui|non|yes|no)\b[\s,.:;-]*", re.IGNORECASE)
_ADD = r"ajoute[rz]?|ajout|add"
_REMOVE = r"retire[rz]?|supprime[rz]?|enleve[rz]?|remove"


def _added_or_removed(articles: str, nouns: str) -> re.Pattern[str]:
    """« ajoute / retire (article) noun (:) what »: the verb in ``verb``, the rest in ``what``."""
    return re.compile(rf"^(?P<verb>{_ADD}|{_REMOVE})\s+(?:{articles})?{nouns}\s*:?\s*(?P<what>.+)$")


_ACTIVITY = _added_or_removed(r"l'|une\s+|l\s+", r"(?:activites?|competences?)")
_LANGUAGE_EDIT = _added_or_removed(r"la\s+|une\s+", r"langues?")
_SPEAKS = re.compile(r"^(?:je|nous|on)\s+parle(?:s|ons)?\s+(?:aussi\s+|egalement\s+)?(?P<what>.+)$")
_PHONE = re.compile(
    r"^(?:mon\s+|notre\s+|nouveau\s+|my\s+)?(?:numero\s+de\s+)?(?:telephone|tel|numero|portable|"
    r"phone)\b\.?\s*(?:est\s+(?:le\s+)?|:|=|au\s+)?\s*(?P<phone>\+?[\d(][\d\s.\-()/]*)$"
)
_SHOW = re.compile(
    r"^(?:(?:voir|affiche[rz]?|modifier|changer|corriger|mettre\s+a\s+jour|mise\s+a\s+jour\s+de|see|show|edit|update)\s+)?"
    r"(?:ma|mon|my)\s+(?:fiche|carte|profil|card|profile)(?:\s+(?:de\s+l'\s?|dans\s+l'\s?)?annuaire)?$"
)
_TARGET = re.compile(
    r"^(?:fiche\s+(?:de\s+|du\s+|d')?|pour\s+(?:la\s+fiche\s+(?:de\s+|du\s+|d'))?)\s*"
    r"(?:(?P<mxid>@[a-z0-9._=\-/+]+:[a-z0-9.\-]+(?::\d+)?)|(?P<rpps>8?\d{11})\b"
    r"|(?P<name>[^:@]+?))\s*(?::\s*(?P<rest>.*))?$",
    re.S,
)
# Every card command matches one of these (the router's trigger words come from them).
CARD_PATTERNS = (
    _SHOW,
    _ACTIVITY,
    _LANGUAGE_EDIT,
    _SPEAKS,
    _PHONE,
    _TARGET,
    *(pattern for _modality, pattern in _MODALITY_RE),
)
_TITLES = re.compile(
    r"^(?:(?:dr|docteur|doc|pr|professeur|mme|madame|mr|m\.|monsieur|mlle)"
    r"\.?\s+)+"
)


def parse_card_command(text: str) -> CardCommand | None:
    """The card command in ``text``, or None when ``text`` is not about a card."""
    original = text.strip()
    folded = fold(original, keep_positions=True)
    target_match = _TARGET.match(folded)
    if target_match:
        target = _target(original, target_match)
        rest_start = target_match.start("rest")
        if rest_start < 0 or not original[rest_start:].strip():
            explicit = folded.startswith("fiche")
            return CardCommand(target, show=True) if explicit else None
        own = _parse_own(original[rest_start:])
        if own is None:
            if not folded.startswith("fiche"):
                return None
            return CardCommand(
                target, show=False, edits=(NotUnderstood(original[rest_start:].strip()),)
            )
        return CardCommand(target, own.show, own.edits)
    return _parse_own(original)


def _target(original: str, match: re.Match[str]) -> CardTarget:
    if match.group("mxid"):
        return CardTarget(
            matrix_id=original[match.start("mxid") : match.end("mxid")], text=match.group("mxid")
        )
    if match.group("rpps"):
        number = match.group("rpps")
        return CardTarget(rpps=number[-11:], text=number)
    raw = original[match.start("name") : match.end("name")].strip()
    title = _TITLES.match(fold(raw, keep_positions=True))
    name = raw[title.end() :] if title else raw
    return CardTarget(name=name.strip(), text=raw)


def _parse_own(text: str) -> CardCommand | None:
    parts = [part.strip() for part in re.split(r"[\n;]+", text) if part.strip()]
    if not parts or any(part.endswith("?") for part in parts):
        return None
    show = False
    edits: list[CardEdit] = []
    understood = 0
    for part in parts:
        cleaned = part.rstrip(" .!")
        folded = fold(cleaned, keep_positions=True)
        if _SHOW.match(folded):
            show = True
            understood += 1
            continue
        edit = _parse_edit(cleaned, folded)
        if edit is None:
            edits.append(NotUnderstood(part))
        else:
            edits.append(edit)
            understood += 1
    if understood == 0:
        return None
    return CardCommand(None, show, tuple(edits))


def _parse_edit(original: str, folded: str) -> CardEdit | None:
    activity = _ACTIVITY.match(folded)
    if activity:
        label = original[activity.start("what") :].strip(" :\"'«»")
        if not label:
            return None
        return AddActivity(label) if _adds(activity) else RemoveActivity(label)
    language = _LANGUAGE_EDIT.match(folded) or _SPEAKS.match(folded)
    if language:
        codes = _languages(folded[language.start("what") :])
        if codes is None:
            return UnknownLanguage(original[language.start("what") :].strip())
        return AddLanguages(codes) if _adds(language) else RemoveLanguages(codes)
    phone = _PHONE.match(folded)
    if phone:
        raw = original[phone.start("phone") :].strip()
        normalized = normalize_phone(raw)
        return SetPhone(normalized) if normalized else BadPhone(raw)
    return _parse_modality(original, folded)


def _adds(match: re.Match[str]) -> bool:
    """Whether an edit adds (« ajoute », « je parle ») rather than removes (« retire »)."""
    verb = match.groupdict().get("verb")
    return verb is None or re.fullmatch(_ADD, verb) is not None


def _languages(folded_list: str) -> tuple[str, ...] | None:
    words = [word.strip(" .") for word in re.split(r",|\bet\b|/|\+", folded_list)]
    codes: list[str] = []
    for word in words:
        if not word:
            continue
        code = LANGUAGES.get(word) or LANGUAGES.get(word.removeprefix("l'").strip())
        if code is None:
            return None
        if code not in codes:
            codes.append(code)
    return tuple(codes) or None


def _parse_modality(original: str, folded: str) -> SetModality | None:
    statement = _STATEMENT.match(folded)
    found: tuple[Modality, re.Match[str]] | None = None
    for modality, pattern in _MODALITY_RE:
        match = pattern.search(folded)
        if match and (found is None or match.start() < found[1].start()):
            found = (modality, match)
    if found is None:
        return None
    modality, match = found
    after = original[match.end() :]
    yes_no = _YES_NO.match(after)
    if statement is None:
        # Without "je ...", only "<modality> : oui/non" is an update (not a question).
        if match.start() > 0 or yes_no is None:
            return None
        available = yes_no.group("answer").lower() in ("oui", "yes")
        note = after[yes_no.end() :]
    else:
        before = folded[: match.start()]
        available = _NEGATION.search(before) is None
        if modality is Modality.WHEELCHAIR_ACCESS and re.search(r"\bn'est\b|\bpas\b", before):
            available = False
        note = after
        if yes_no is not None:
            available = yes_no.group("answer").lower() in ("oui", "yes")
            note = after[yes_no.end() :]
    note = note.strip(" :,-–.!")
    return SetModality(modality, available, note if available else "")
