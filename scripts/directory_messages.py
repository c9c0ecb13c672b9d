"""English -> French messages of the directory answers: ``python scripts/write_po.py
directory scripts/directory_messages.py`` writes both catalogs."""

DIRECTORY = [
    ("{commune} (neighbouring commune)", "{commune} (commune voisine)"),
    ("sees children", "reçoit les enfants"),
    ("speaks {language}", "parle {language}"),
    ("for a child", "pour un enfant"),
    ("the whole directory", "tout l'annuaire"),
    (
        "That is all: no more results for {criteria}.",
        "C'est tout : plus d'autre résultat pour {criteria}.",
    ),
    (
        ("{count} match for {criteria}:", "{count} matches for {criteria}:"),
        ("{count} résultat pour {criteria} :", "{count} résultats pour {criteria} :"),
    ),
    ("Nobody matches exactly {criteria}.", "Personne ne correspond exactement à {criteria}."),
    (
        ("Widened ({how}): {count} match:", "Widened ({how}): {count} matches:"),
        (
            "En élargissant ({how}) : {count} résultat :",
            "En élargissant ({how}) : {count} résultats :",
        ),
    ),
    ("neighbouring communes", "communes voisines"),
    ("without “{what}”", "sans « {what} »"),
    ("related professions: {what}", "professions proches : {what}"),
    ("other professions", "autres professions"),
    ("whole territory", "tout le territoire"),
    ("{count} more — type “plus”", "{count} de plus — écrivez « plus »"),
    ("See also: {structure}", "Voir aussi : {structure}"),
    (
        ("{count} structure for {criteria}:", "{count} structures for {criteria}:"),
        ("{count} structure pour {criteria} :", "{count} structures pour {criteria} :"),
    ),
    ("The nearest ones:", "Les plus proches :"),
    (
        ("Widened ({how}): {count} match.", "Widened ({how}): {count} matches."),
        (
            "En élargissant ({how}) : {count} résultat.",
            "En élargissant ({how}) : {count} résultats.",
        ),
    ),
    (
        ("{count} professional for {criteria}.", "{count} professionals for {criteria}."),
        ("{count} professionnel pour {criteria}.", "{count} professionnels pour {criteria}."),
    ),
    ("Type “plus” to see the list.", "Écrivez « plus » pour voir la liste."),
    ("Nobody in the directory for {criteria}.", "Personne dans l'annuaire pour {criteria}."),
    ("Understood: {criteria}.", "J'ai compris : {criteria}."),
    ("Also tried: {how}.", "Essayé aussi : {how}."),
    (
        "Try other words, a nearby commune, or ask the coordination team.",
        "Essayez d'autres mots, une commune proche, ou contactez la coordination de la CPTS.",
    ),
    ("“{word}”: which one do you mean?", "« {word} » : lequel voulez-vous dire ?"),
    ("Reply with the number or the name.", "Répondez par le numéro ou le nom."),
    (
        "Ask me who does what, where: I answer from the CPTS directory.",
        "Demandez-moi qui fait quoi, où : je réponds avec l'annuaire de la CPTS.",
    ),
    (
        "Examples: “kiné respi à domicile Lyon 8”, “IDE pansement complexe Bron”, “orthophoniste bilan du langage enfant 4 ans”, “combien de MG prennent de nouveaux patients ?”",
        "Exemples : « kiné respi à domicile Lyon 8 », « IDE pansement complexe Bron », « orthophoniste bilan du langage enfant 4 ans », « combien de MG prennent de nouveaux patients ? »",
    ),
    (
        "Then: “plus” for the next ones, “et à domicile ?” or “à Vénissieux plutôt” to refine.",
        "Ensuite : « plus » pour les suivants, « et à domicile ? » ou « à Vénissieux plutôt » pour préciser.",
    ),
    (
        "Nothing to continue: ask a question first, e.g. “kiné à domicile Lyon 8”.",
        "Rien à poursuivre : posez d'abord une question, par exemple « kiné à domicile Lyon 8 ».",
    ),
    (
        "Directory: “kiné respi à domicile Lyon 8”, “combien d'IDE à Bron ?”, then “plus”",
        "Annuaire : « kiné respi à domicile Lyon 8 », « combien d'IDE à Bron ? », puis « plus »",
    ),
]
