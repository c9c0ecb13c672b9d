"""Generic rules for the ways people shorten and write French place names.

Nothing here knows a particular place: the rules apply to any official name.
"Saint-Sébastien-sur-Loire" is said "Saint-Sébastien", "St Sébastien", "St Seb";
"Plounéour-Brignogan-Plages" is said "Plounéour" or "Brignogan"; "Le Folgoët" "Folgoët".
Words that are also ordinary French words ("place", "bourg", "l'hôpital") are never
taken for a place outside the territory.
"""

from __future__ import annotations

import re

from cpts_bot.core.text_normalizer import singular, term_key


def _keys(*words: str) -> frozenset[str]:
    """Words as matching keys (singular), since names and text are compared that way."""
    return frozenset(singular(word) for word in words)


# Articles and prepositions inside names: "Plan-de-Cuques", "Aix-en-Provence".
CONNECTORS = _keys(
    "le", "la", "les", "l", "de", "du", "des", "d", "en", "sur", "sous", "lez", "aux", "au", "et"
)
# What follows these is the river, sea or region ("-sur-Loire", "-en-Provence").
SUFFIX_MARKERS = _keys("sur", "sous", "en", "le", "les", "lez", "pres")
SAINTS = {"saint": "st", "sainte": "ste", "st": "saint", "ste": "sainte"}
# Words of names that say nothing on their own ("Basse-Goulaine" is not "Basse").
GENERIC_WORDS = _keys(
        "saint", "sainte", "st", "ste", "basse", "bas", "haute", "haut", "grand", "grande",
        "petit", "petite", "vieux", "vieille", "neuf", "neuve", "nouveau", "nouvelle", "plage",
        "mer", "pont", "mont", "bourg", "port", "ville", "val", "bois", "chateau", "fort", "ile",
        "cote", "lac", "moulin", "eglise", "roche", "champ", "croix", "fontaine", "notre",
        "dame", "arrondissement", "village", "centre", "place", "hopital", "gare", "foret",
        "vallee", "plaine", "marche", "riviere", "source", "bain", "thermes", "cedex", "nord",
        "sud", "est", "ouest", "plan", "pin", "chapelle", "abbaye", "pre", "puy", "motte",
        "tour", "maison", "ferme", "campagne", "jardin", "pre", "rue", "route", "cour", "garde",
        "breuil", "chene", "orme", "vigne", "bourgneuf", "bain", "pont", "gue", "etang",
)  # fmt: skip
# Parts of the body and words of care that are also communes (Talon, Bras, Cheville, Menton,
# Verrue...): "une verrue au talon", "entorse à la cheville" name no place unless typed with
# a capital after a place word ("à Menton").
ANATOMY = _keys(
    "talon", "bras", "cheville", "menton", "colonne", "vue", "tendon", "verrue", "genou",
    "dos", "main", "pied", "jambe", "hanche", "epaule", "cou", "nuque", "tete", "coude",
    "poignet", "doigt", "orteil", "dent", "oeil", "peau", "sein", "ventre", "gorge", "oreille",
)  # fmt: skip
GENERIC_WORDS = GENERIC_WORDS | ANATOMY
# Ordinary words that are also the whole name of a commune ("L'Hôpital", "Place", "Ville"):
# never a commune outside the territory, even typed with a capital ("à l'Hôpital Nord").
NEVER_ALONE = _keys(
    "hopital", "centre", "place", "ville", "gare", "bourg", "port", "mer", "plage", "village",
    "maison", "campagne", "marche", "rue", "route", "cour", "jardin", "ferme", "foret", "eglise",
    "clinique", "ecole", "mairie", "garde", "est", "ouest", "nord", "sud",
)  # fmt: skip
MIN_SHORT_FORM = 5  # letters of a one-word short form ("Brignogan", not "Trez")
_SEPARATORS = re.compile(r"[\s\-'’]+")


def significant(key: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a name that are not articles or prepositions."""
    return tuple(word for word in key if word not in CONNECTORS)


def is_ordinary(key: tuple[str, ...]) -> bool:
    """A name made of ordinary words only ("L'Hôpital", "Place", "Le Bourg")."""
    words = significant(key)
    return not words or all(word in GENERIC_WORDS for word in words)


def is_never_alone(key: tuple[str, ...]) -> bool:
    """A name that is one ordinary word ("L'Hôpital", "Le Bourg", "Place")."""
    words = significant(key)
    return len(words) == 1 and words[0] in NEVER_ALONE


def saint_variants(key: tuple[str, ...]) -> set[tuple[str, ...]]:
    """``key`` and its form with "saint" <-> "st" swapped."""
    variants = {key}
    if any(word in SAINTS for word in key):
        variants.add(tuple(SAINTS.get(word, word) for word in key))
    return variants


def _head(key: tuple[str, ...]) -> tuple[str, ...]:
    """The name before its "-sur-X" part ("saint sebastien sur loire" -> "saint sebastien")."""
    for position in range(1, len(key)):
        if key[position] in SUFFIX_MARKERS and position + 1 < len(key):
            return key[:position]
    return key


def _display_words(name: str) -> dict[str, str]:
    """Each word of ``name`` as written, by its key ("brignogan" -> "Brignogan")."""
    words: dict[str, str] = {}
    for part in _SEPARATORS.split(name):
        key = term_key(part)
        if len(key) == 1:
            words.setdefault(key[0], part)
    return words


def short_forms(name: str) -> list[tuple[tuple[str, ...], str]]:
    """The shorter ways of saying ``name``: (matching key, display) pairs.

    The head before "-sur-X" ("Saint-Sébastien"), "St"/"Ste" for "Saint"/"Sainte" with
    the saint's name cut short ("St Seb"), and each distinctive word of a compound name
    ("Brignogan", "Plounéour"), never a generic word ("Basse", "Plage", "Saint").
    """
    key = term_key(name)
    if any(word.isdigit() or word[:1].isdigit() for word in key):
        return []  # "Marseille 13e Arrondissement": the city is named by its own rule
    display = _display_words(name)
    head = _head(key)
    forms: list[tuple[tuple[str, ...], str]] = []
    if head != key and len(significant(head)) >= 1 and not is_ordinary(head):
        shown = " ".join(display.get(word, word) for word in head)
        forms += [(variant, shown) for variant in saint_variants(head)]
    if len(head) >= 2 and head[0] in SAINTS and head[1] not in CONNECTORS:
        saint = "St" if head[0] in ("saint", "st") else "Ste"
        short = SAINTS[head[0]] if head[0] in ("saint", "sainte") else head[0]
        for size in range(3, len(head[1]) + 1):
            prefix = head[1][:size]
            shown = display.get(prefix, prefix.capitalize())  # "St Sébastien", "St Seb"
            forms.append(((short, prefix), f"{saint} {shown}"))
            forms.append(((SAINTS[short], prefix), f"{saint} {shown}"))
        return forms
    words = significant(head)
    if len(key) >= 2:
        for word in words:
            if len(word) >= MIN_SHORT_FORM and word not in GENERIC_WORDS and word.isalpha():
                forms.append(((word,), display.get(word, word)))
    return forms


def name_variants(name: str) -> set[tuple[str, ...]]:
    key = term_key(name)
    variants = {key}
    # "Saint-Genis-Laval" is typed "st genis laval"; "Sainte-Foy" "ste foy".
    swaps = {"saint": "st", "sainte": "ste", "st": "saint", "ste": "sainte"}
    if any(word in swaps for word in key):
        variants.add(tuple(swaps.get(word, word) for word in key))
    # Without the article: "La Seyne-sur-Mer" -> "seyne sur mer".
    if len(key) > 1 and key[0] in ("le", "la", "les", "l"):
        variants.add(key[1:])
    return variants


def arrondissement_forms(city: str, number: int) -> set[tuple[str, ...]]:
    ordinal = "1e" if number == 1 else f"{number}e"
    forms: set[tuple[str, ...]] = set()
    for num in (str(number), ordinal):
        forms.add((city, num))
        for word in ("arrondissement", "arr", "arrdt", "arrt"):
            forms.add((city, num, word))
            forms.add((num, word))
    # A bare ordinal ("dans le 8e") names an arrondissement, and "le 8" does in a
    # city's own words; a bare number does not ("8 patients").
    forms.add((ordinal,))
    forms.add(("le", str(number)))
    return {tuple(term_key(" ".join(form))) for form in forms}
