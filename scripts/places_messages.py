"""English -> French messages about places: ``python scripts/write_po.py places
scripts/places_messages.py`` writes both catalogs."""

PLACES = [
    ("{first} and {last}", "{first} et {last}"),
    ("the {territory}", "la {territory}"),
    (
        (
            "{places} is not in the territory of {territory}.",
            "{places} are not in the territory of {territory}.",
        ),
        (
            "{places} n'est pas dans le territoire de {territory}.",
            "{places} ne sont pas dans le territoire de {territory}.",
        ),
    ),
    (
        ("{places} is not in the territory.", "{places} are not in the territory."),
        ("{places} n'est pas dans le territoire.", "{places} ne sont pas dans le territoire."),
    ),
    (
        "The directory only lists the professionals of the territory.",
        "L'annuaire ne recense que les professionnels du territoire.",
    ),
    ("{outside} Answer for {inside} only:", "{outside} Réponse pour {inside} seulement :"),
]
