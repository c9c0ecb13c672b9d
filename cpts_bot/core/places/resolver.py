"""Every place a question may name, inside the territory or outside it.

Built once per territory from ``rooms.yaml`` (communes with their aliases and
localities, sectors, the territory's own name) and the official list of French
communes (:mod:`french_communes`): official names, former communes of communes
nouvelles, short forms of long names (:mod:`place_forms`), cities with arrondissements,
postal codes. :meth:`PlaceResolver.find` reads a question's words and returns the
longest place mentions with dictionary look-ups only (never a scan of the 35,000
communes), so it costs microseconds.

A commune outside the territory is reported as such (``outside``), never dropped. As
many French commune names are ordinary words ("Place", "Mars", "L'Hôpital"), a name of
one distinctive word is taken for an outside commune only after "à", "sur", "dans",
"vers", "près de"…, and never when it is a word of the vocabularies.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import pairwise

from rapidfuzz import fuzz, process

from cpts_bot.core.places.context import (
    Blocked,
    QuestionWords,
)
from cpts_bot.core.places.department_names import area_names
from cpts_bot.core.places.forms import (
    CONNECTORS,
    arrondissement_forms,
    is_never_alone,
    is_ordinary,
    name_variants,
    saint_variants,
    short_forms,
    significant,
)
from cpts_bot.core.places.french_communes import FrenchCommunes, load_french_communes
from cpts_bot.core.text_normalizer import term_key, tokens

logger = logging.getLogger(__name__)

COMMUNE = "commune"  # official name, INSEE code, arrondissement forms
ALIAS = "alias"  # an alias from rooms.yaml
LOCALITY = "locality"  # a locality (hamlet, quartier) from rooms.yaml
FORMER = "former"  # a former commune of a commune nouvelle
SHORT = "short"  # a short form of a long name ("Brignogan", "St Seb")
POSTAL = "postal"  # a postal code
CITY = "city"  # a city with arrondissements named without one: its arrondissements here
SECTOR = "sector"  # a sector declared in rooms.yaml
TERRITORY = "territory"  # the territory's own name, "la CPTS", "le territoire"
DEPARTMENT = "department"  # the territory's département or region ("La Réunion", "Corse")
OUTSIDE = "outside"  # a commune outside the territory

MAX_PLACE_WORDS = 8
TERRITORY_WORDS = (term_key("territoire"), term_key("territory"), term_key("cpts"))
_CPTS = term_key("cpts")
_LINKS = ((), ("de",), ("du",), ("des",), ("d",), ("de", "la"), ("de", "l"))
_LIST = frozenset({"et", "ou", "and", "or"})
_CONTRACTED = {"au": "le", "du": "le", "aux": "les", "des": "les"}
_SECTOR = term_key("secteur")
_ORDINAL = re.compile(r"^(\d{1,2})e$")
_ARRONDISSEMENT_WORDS = frozenset({"arrondissement", "arr", "arrdt", "arrt"})


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a question and what it means.

    ``typed`` is the form that matched, as written in the official list or rooms.yaml
    ("Brignogan", "St Seb", "Meneham", "29890"); ``communes`` the territory's communes it
    stands for; ``outside`` the commune(s) outside the territory it names; ``name`` the
    sector's, territory's, city's or outside commune's name.
    """

    kind: str
    typed: str
    communes: frozenset[str] = frozenset()
    outside: tuple[str, ...] = ()
    name: str = ""
    start: int = 0
    end: int = 0
    # A capitalised word taken for a commune with no place word before it ("pédiatre
    # Aubagne"): a surname of the directory may be meant instead ("sage-femme Brunet").
    alone: bool = False


def _never(key: tuple[str, ...]) -> bool:
    return False


@dataclass
class PlaceResolver:
    """The place forms of one territory, plus the official list for the rest of France."""

    official: FrenchCommunes
    territory: frozenset[str] = frozenset()
    forms: dict[tuple[str, ...], PlaceMention] = field(default_factory=dict)
    # City INSEE code -> name, for the cities whose arrondissements are in the territory.
    cities: dict[str, str] = field(default_factory=dict)
    fuzzy_words: list[str] = field(default_factory=list)
    fuzzy_phrases: list[str] = field(default_factory=list)
    # Communes covered in part (rooms.yaml lists fewer postal codes than the official
    # list): INSEE -> the postal codes covered. Their other codes are outside.
    partial: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        communes: Iterable[object],
        sectors: Iterable[object] = (),
        territory_name: str = "",
        official: FrenchCommunes | None = None,
    ) -> PlaceResolver:
        """Index the territory (``settings.Commune`` / ``settings.Sector`` shaped objects)."""
        communes = list(communes)
        resolver = cls(official or official_communes())
        resolver.territory = frozenset(str(getattr(item, "insee")) for item in communes)  # noqa: B009
        levels: list[dict[tuple[str, ...], PlaceMention]] = [{} for _ in range(6)]
        for commune in communes:
            resolver._commune_forms(commune, levels)
        for sector in sectors:
            resolver._sector_forms(sector, levels[4])
        resolver._territory_forms(territory_name, levels[5])
        resolver._department_forms(levels[5])
        for level in levels:  # a form of a higher level never hides one of a lower level
            for key, mention in level.items():
                resolver.forms.setdefault(key, mention)
        resolver._fuzzy_lists()
        return resolver

    # Building --------------------------------------------------------------------------

    def _commune_forms(
        self, commune: object, levels: list[dict[tuple[str, ...], PlaceMention]]
    ) -> None:
        insee = str(getattr(commune, "insee"))  # noqa: B009 - any object with these fields
        name = str(getattr(commune, "name"))  # noqa: B009
        here = frozenset({insee})
        official = self.official.communes.get(insee)
        names = [name] + ([official.name] if official else [])
        for text in names:
            for key in name_variants(text):
                _add(levels[0], key, PlaceMention(COMMUNE, name, here))
        if insee not in self.official.by_postal:
            # People type postal codes: "13001" is Marseille 1er's, not Aix-en-Provence (INSEE).
            _add(levels[0], (insee,), PlaceMention(COMMUNE, name, here))
        for kind, texts in ((ALIAS, "aliases"), (LOCALITY, "localities")):
            for text in getattr(commune, texts, ()) or ():
                for key in name_variants(text):
                    _add(levels[0], key, PlaceMention(kind, text, here))
        declared = tuple(getattr(commune, "postal_codes", ()) or ())
        for code in declared:
            _add(levels[0], (code,), PlaceMention(POSTAL, code, here))
        every = official.postal_codes if official else ()
        if declared and set(declared) & set(every) and set(every) - set(declared):
            # A commune covered in part: its other postal codes are outside the territory.
            self.partial[insee] = frozenset(declared)
            for code in set(every) - set(declared):
                outside = PlaceMention(POSTAL, code, outside=(insee,), name=f"{name} {code}")
                _add(levels[0], (code,), outside)
            every = ()
        for code in every:
            _add(levels[1], (code,), PlaceMention(POSTAL, code, here))
        self._arrondissement(insee, name, levels[0])
        for former in self.official.former.get(insee, ()):
            for key in name_variants(former.name):
                _add(levels[2], key, PlaceMention(FORMER, former.name, here))
        for text in [*names, *(former.name for former in self.official.former.get(insee, ()))]:
            for key, shown in short_forms(text):
                _add(levels[3], key, PlaceMention(SHORT, shown, here))

    def _arrondissement(
        self, insee: str, name: str, level: dict[tuple[str, ...], PlaceMention]
    ) -> None:
        city = self.official.city_of(insee)
        if not city:
            return
        city_name = self.official.name(city)
        self.cities[city] = city_name
        here = frozenset({insee})
        number = _number(self.official.name(insee))
        if number is not None:
            city_key = " ".join(term_key(city_name))
            for key in arrondissement_forms(city_key, number):
                _add(level, key, PlaceMention(COMMUNE, name, here))
        for key in name_variants(city_name):
            _add(level, key, PlaceMention(CITY, city_name, here, name=city_name))

    def _sector_forms(self, sector: object, level: dict[tuple[str, ...], PlaceMention]) -> None:
        name = str(getattr(sector, "name"))  # noqa: B009
        communes = frozenset(getattr(sector, "communes", ())) & self.territory
        for text in [name, *(getattr(sector, "aliases", ()) or ())]:
            for key in _named_group_variants(text):
                _add(level, key, PlaceMention(SECTOR, text, communes, name=name))

    def _territory_forms(self, name: str, level: dict[tuple[str, ...], PlaceMention]) -> None:
        everything = PlaceMention(TERRITORY, name, self.territory, name=name)
        for key in [*_named_group_variants(name), *TERRITORY_WORDS] if name else TERRITORY_WORDS:
            _add(level, key, replace(everything, typed=" ".join(key)))

    def _department_forms(self, level: dict[tuple[str, ...], PlaceMention]) -> None:
        """The names of the territory's départements and regions: its communes in them."""
        by_department: dict[str, set[str]] = {}
        for insee in self.territory:
            official = self.official.communes.get(insee)
            if official is not None:
                by_department.setdefault(official.department, set()).add(insee)
        for name, codes in area_names().items():
            communes = frozenset().union(*(by_department.get(code, set()) for code in codes))
            if communes:
                for key in name_variants(name):
                    _add(level, key, PlaceMention(DEPARTMENT, name, communes, name=name))

    def _fuzzy_lists(self) -> None:
        kinds = (COMMUNE, ALIAS, LOCALITY, FORMER, SHORT)
        for key, mention in self.forms.items():
            text = " ".join(key)
            if mention.kind not in kinds or len(text) < 5 or not text.replace(" ", "").isalpha():
                continue
            (self.fuzzy_words if len(key) == 1 else self.fuzzy_phrases).append(text)

    # Reading ---------------------------------------------------------------------------

    def find(
        self,
        keys: list[str],
        consumed: list[bool],
        blocked: Blocked = _never,
        capitals: list[bool] | None = None,
        words: list[str] | None = None,
    ) -> list[PlaceMention]:
        """The places named in ``keys`` (matching keys of the words), longest first.

        Marks the words used in ``consumed``. ``blocked`` tells a word of the
        vocabularies, never taken for a short form or an outside commune; ``capitals``
        (one flag a word, see :func:`capitalised_words`) tells a word typed with a capital;
        ``words`` are the words as typed (``tokens``), before the matching keys.
        """
        text = QuestionWords(keys, consumed, blocked, capitals, words)
        mentions: list[PlaceMention] = []
        index = 0
        while index < len(keys):
            # "Vertou ou Nantes": a name listed after a place needs no preposition.
            listed = bool(mentions) and mentions[-1].end == index - 1 and keys[index - 1] in _LIST
            mention = None if consumed[index] else self._longest(text, index, listed)
            if mention is None:
                index += 1
                continue
            for position in range(mention.start, mention.end):
                consumed[position] = True
            mentions.append(mention)
            index = mention.end
        mentions += self._arrondissement_numbers(keys, consumed, mentions)
        if any(m.kind != DEPARTMENT for m in mentions):
            # "Le Lamentin (Martinique)": the département only says where the commune is.
            mentions = [m for m in mentions if m.kind != DEPARTMENT]
        if any(not _generic_territory(m) for m in mentions):
            # "sur le territoire de la CPTS du Pays ajaccien", "à Vertou, sur la CPTS": the
            # place named is the answer, "le territoire" only frames it.
            mentions = [m for m in mentions if not _generic_territory(m)]
        return _narrowed(keys, _refine_cities(mentions, self.official))

    def _longest(self, text: QuestionWords, start: int, listed: bool) -> PlaceMention | None:
        for size in range(min(MAX_PLACE_WORDS, len(text.keys) - start), 0, -1):
            if any(text.consumed[start : start + size]):
                continue
            key = tuple(text.keys[start : start + size])
            form = self.forms.get(key)
            if form is not None and _usable(form, text, start, key):
                return replace(form, start=start, end=start + size)
            outside = self._outside(text, start, key, listed)
            if outside is not None:
                return replace(outside, start=start, end=start + size)
        return None

    def _outside(
        self, text: QuestionWords, start: int, key: tuple[str, ...], listed: bool
    ) -> PlaceMention | None:
        if len(key) == 1 and key[0].isdigit() and len(key[0]) == 5:
            return self._outside_postal(key[0])
        before = text.keys[start - 1] if start else ""
        # "au Mans", "aux Sables-d'Olonne": the article is in the preposition.
        article = _CONTRACTED.get(before)
        found = self.official.by_name.get(key) or (
            self.official.by_name.get((article, *key)) if article else None
        )
        if not found or found[0] in self.territory or text.blocked(key) or is_never_alone(key):
            return None
        words = significant(key)
        placed = listed or text.after_preposition(start)
        if is_ordinary(key):
            # "sur place", "à l'hôpital", "en ville": a commune only as in "à Moulins".
            if not (placed and text.capitalised(start, start + len(key))):
                return None
        name = self.official.name(found[0])
        if len(words) < 2 and not placed:
            # "pédiatre Aubagne": the name exactly as typed ("IDE Pierre" is not Pierres).
            if not (text.standalone(start) and text.typed(start, len(key)) == tokens(name)):
                return None
            return PlaceMention(OUTSIDE, name, outside=(found[0],), name=name, alone=True)
        if len(words) < 2 and len(words[0]) < 3:
            return None
        return PlaceMention(OUTSIDE, name, outside=(found[0],), name=name)

    def _outside_postal(self, code: str) -> PlaceMention | None:
        found = self.official.by_postal.get(code, ())
        # 13012 lists Marseille and its 12e arrondissement: the arrondissement says more.
        cities = {self.official.city_of(insee) for insee in found}
        outside = tuple(
            insee for insee in found if insee not in cities and insee not in self.territory
        )
        if not outside:
            return None
        name = ", ".join(self.official.name(insee) for insee in outside)
        return PlaceMention(POSTAL, code, outside=outside, name=name)

    def _arrondissement_numbers(
        self, keys: list[str], consumed: list[bool], mentions: list[PlaceMention]
    ) -> list[PlaceMention]:
        """Numbers that name an arrondissement of the territory's city by their place.

        "Marseille 13 ou 14": a number after "ou"/"et" that follows an arrondissement;
        "dans le 12e", "12e arrondissement": an arrondissement outside the territory.
        """
        if len(self.cities) != 1:
            return []
        city = next(iter(self.cities))
        numbered = {
            _number(part.name): part for part in self.official.arrondissements.get(city, [])
        }
        ends = {
            m.end
            for m in mentions
            if any(self.official.city_of(c) for c in (*m.communes, *m.outside))
        }
        found: list[PlaceMention] = []
        for index, word in enumerate(keys):
            number = _ORDINAL.match(word) or re.match(r"^\d{1,2}$", word)
            part = numbered.get(int(number.group(0).rstrip("e"))) if number else None
            if consumed[index] or part is None or not _names_arrondissement(keys, index, ends):
                continue
            consumed[index] = True
            if part.insee in self.territory:
                mention = PlaceMention(COMMUNE, part.name, frozenset({part.insee}))
            else:
                mention = PlaceMention(OUTSIDE, part.name, outside=(part.insee,), name=part.name)
            found.append(replace(mention, start=index, end=index + 1))
            ends.add(index + 1)
        return found

    def find_fuzzy(
        self, keys: list[str], consumed: list[bool], skip: Callable[[str], bool] = lambda _: False
    ) -> list[PlaceMention]:
        """Misspelt names of the territory ("Alauch", "Guiseny"): words of 5 letters or more."""
        mentions: list[PlaceMention] = []
        for index, word in enumerate(keys):
            if consumed[index] or len(word) < 5 or not word.isalpha() or skip(word):
                continue
            best = process.extractOne(
                word, self.fuzzy_words, scorer=fuzz.ratio, score_cutoff=_cutoff(word)
            )
            if best is not None:
                consumed[index] = True
                form = self.forms[(best[0],)]
                mentions.append(replace(form, start=index, end=index + 1))
        for size in (4, 3, 2):
            for index in range(len(keys) - size + 1):
                window = keys[index : index + size]
                text = " ".join(window)
                if any(consumed[index : index + size]) or len(text) < 8:
                    continue
                best = process.extractOne(
                    text, self.fuzzy_phrases, scorer=fuzz.ratio, score_cutoff=90.0
                )
                if best is not None:
                    for position in range(index, index + size):
                        consumed[position] = True
                    form = self.forms[tuple(best[0].split(" "))]
                    mentions.append(replace(form, start=index, end=index + size))
        return mentions


def _generic_territory(mention: PlaceMention) -> bool:
    return mention.kind == TERRITORY and tuple(mention.typed.split()) in TERRITORY_WORDS


def official_communes() -> FrenchCommunes:
    """The shipped list; without it (a broken install) only the territory is known."""
    try:
        return load_french_communes()
    except (OSError, ValueError):
        logger.exception("the official list of communes could not be read")
        return FrenchCommunes()


def _usable(form: PlaceMention, text: QuestionWords, start: int, key: tuple[str, ...]) -> bool:
    """A short form is never a word of the vocabularies; a name of the territory that is
    an ordinary word or a word of the vocabularies needs a place word or a capital."""
    if form.kind == SHORT and text.blocked(key):
        return False
    if form.kind == DEPARTMENT:
        # "(Corse)" but not "parle corse"; "dans le Nord" but not "secteur nord"
        capital = text.capitalised(start, start + len(key))
        if text.blocked(key) or is_ordinary(key):
            return capital
        return capital or text.after_preposition(start)
    if form.kind in (POSTAL, SECTOR, TERRITORY) or key[-1].isdigit():
        return True
    if text.blocked(key) or is_ordinary(key):
        return text.after_preposition(start) or text.capitalised(start, start + len(key))
    return True


def _add(
    level: dict[tuple[str, ...], PlaceMention], key: tuple[str, ...], mention: PlaceMention
) -> None:
    """Add a form; the same form for two communes of one kind stands for both."""
    if not key or len(key) > MAX_PLACE_WORDS:
        return
    existing = level.get(key)
    if existing is None:
        level[key] = mention
    elif existing.kind == mention.kind and existing.name == mention.name:
        level[key] = replace(existing, communes=existing.communes | mention.communes)


def _named_group_variants(name: str) -> set[tuple[str, ...]]:
    """A sector's or territory's name, with or without "CPTS", "secteur", an article."""
    key = term_key(name)
    bases = set(saint_variants(key))
    for prefix in (_CPTS, _SECTOR):
        if key[: len(prefix)] == prefix and len(key) > len(prefix):
            rest = key[len(prefix) :]
            rest = rest[1:] if len(rest) > 1 and rest[0] in CONNECTORS else rest
            if len(rest) >= 2 or prefix == _CPTS:
                bases |= saint_variants(rest)
            elif prefix == _SECTOR:
                # "Secteur littoral" is "le littoral", "Secteur des coteaux" "les coteaux":
                # one word alone needs its article (a sector is never a bare word).
                bases |= {(article, *rest) for article in ("le", "la", "les", "l")}
    if key[:1] == _SECTOR and len(key) > 1:
        # "Secteur Mauges" is also "secteur des Mauges", and the other way round.
        rest = key[2:] if key[1] in CONNECTORS and len(key) > 2 else key[1:]
        bases |= {(*_SECTOR, *link, *rest) for link in _LINKS}
    variants = set(bases)
    for base in bases:
        if base and base[0] not in ("le", "la", "les", "l"):
            variants |= {(article, *base) for article in ("le", "la", "les", "l")}
    return variants


def _refine_cities(mentions: list[PlaceMention], official: FrenchCommunes) -> list[PlaceMention]:
    """ "le 12e à Marseille": the arrondissement named, not every one of the city."""
    named_cities = {
        official.name(official.city_of(insee))
        for mention in mentions
        if mention.kind != CITY
        for insee in (*mention.communes, *mention.outside)
        if official.city_of(insee)
    }
    return [m for m in mentions if not (m.kind == CITY and m.name in named_cities)]


def _narrowed(keys: list[str], mentions: list[PlaceMention]) -> list[PlaceMention]:
    """ "secteur nord de Sèvre et Loire": a group qualified by a larger one is the smaller."""
    dropped: set[int] = set()
    ordered = sorted(mentions, key=lambda mention: mention.start)
    for first, second in pairwise(ordered):
        between = keys[first.end : second.start]
        if (
            second.kind in (SECTOR, TERRITORY)
            and 1 <= len(between) <= 2
            and between[0] in ("de", "du", "des", "d")
            and first.communes
            and first.communes < second.communes
        ):
            dropped.add(id(second))
    return [mention for mention in ordered if id(mention) not in dropped]


def _names_arrondissement(keys: list[str], index: int, ends: set[int]) -> bool:
    """Whether the number at ``index`` names an arrondissement: "dans le 12e",
    "12e arrondissement", or listed after one: "Marseille 13 ou 14", "13e et 12e" (not
    "le 13e et 2 kinés"). ``ends``: where the arrondissements already named end."""
    word = keys[index]
    before = keys[index - 1] if index else ""
    after = keys[index + 1] if index + 1 < len(keys) else ""
    previous = keys[index - 2] if index >= 2 else ""
    ordinal = bool(_ORDINAL.match(word))
    if ordinal and (before in ("le", "dan") or after in _ARRONDISSEMENT_WORDS):
        return True
    listed = before in ("et", "ou") and index - 1 in ends
    return listed and (ordinal or (word.isdigit() and previous.isdigit()))


def _number(name: str) -> int | None:
    for word in term_key(name):
        match = _ORDINAL.match(word)
        if match:
            return int(match.group(1))
    return None


def _cutoff(word: str) -> float:
    return 88.0 if len(word) <= 6 else 85.0
