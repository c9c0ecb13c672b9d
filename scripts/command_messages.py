"""English -> French messages of the declared commands and the generated help:
``python scripts/write_po.py commands scripts/command_messages.py`` writes both catalogs.

Examples are what a person types: the same French words in both catalogs (the bot reads
French commands whatever the language of its answers)."""

COMMANDS = [
    # Two helps of one example joined on one line of « aide <sujet> ».
    ("{first}; {then}", "{first} ; {then}"),
    # The router: one refusal for every command.
    (
        "Sorry: « {command} » is reserved for {audience}.",
        "Désolé : « {command} » est réservé {audience}.",
    ),
    ("the coordination", "à la coordination"),
    ("the professionals listed in the directory", "aux professionnels de l'annuaire"),
    # Help topics.
    ("Directory: who does what, where", "Annuaire : qui fait quoi, où"),
    ("Duty rota, leave and dispatches", "Gardes, congés et déclenchements"),
    ("Territorial alerts", "Alertes du territoire"),
    ("The coordination", "La coordination"),
    ("Everything else", "Tout le reste"),
    ("More: {topics}", "Plus : {topics}"),
    # Core commands.
    ("what I can do for you", "ce que je sais faire pour vous"),
    ("everything about one subject", "tout sur un sujet"),
    ("change the language of my answers", "changer la langue de mes réponses"),
    ("say hello", "dire bonjour"),
    ("say thanks", "dire merci"),
    (
        "Hello! Ask me for example « kiné à domicile {commune} », or write « aide ».",
        "Bonjour ! Demandez-moi par exemple « kiné à domicile {commune} », ou écrivez « aide ».",
    ),
    ("You're welcome! I am here if you need me.", "Avec plaisir ! Je reste là si besoin."),
    ("aide", "aide"),
    ("aide gardes", "aide gardes"),
    ("aide annuaire", "aide annuaire"),
    ("langue en", "langue en"),
    ("language fr", "language fr"),
    ("bonjour", "bonjour"),
    ("merci !", "merci !"),
    # Trust.
    (
        "confirm a user's new identity after checking with them",
        "confirmer la nouvelle identité d'une personne après vérification avec elle",
    ),
    (
        "the person whose new identity you checked",
        "la personne dont vous avez vérifié la nouvelle identité",
    ),
    ("confiance @name:server", "confiance @nom:serveur"),
    ("confiance", "confiance"),
    # Dispatch follow-up commands.
    ("the dispatch number", "le numéro du déclenchement"),
    ("the dispatches you asked for or took", "les déclenchements que vous avez demandés ou pris"),
    ("mes déclenchements", "mes déclenchements"),
    ("the care is done", "le soin est fait"),
    ("fait 42", "fait 42"),
    ("hand back a dispatch you took", "rendre un déclenchement que vous aviez pris"),
    ("je ne peux plus 42", "je ne peux plus 42"),
    ("where a dispatch stands", "où en est un déclenchement"),
    ("statut 42", "statut 42"),
    ("ask again when nobody took it", "relancer quand personne ne l'a pris"),
    ("relancer 42", "relancer 42"),
    ("cancel a dispatch you asked for", "annuler un déclenchement que vous avez demandé"),
    ("annuler 42", "annuler 42"),
    # The directory.
    (
        "find a professional: profession, place, what they do",
        "trouver un professionnel : métier, lieu, ce qu'il fait",
    ),
    ("your question, in your words", "votre question, avec vos mots"),
    ("kiné à domicile {commune}", "kiné à domicile {commune}"),
    ("combien d'IDE à {other_commune} ?", "combien d'IDE à {other_commune} ?"),
    ("plus", "plus"),
    ("fr or en", "fr ou en"),
    # The territory (the worked example of docs/architecture.md).
    ("the communes of the territory", "les communes du territoire"),
    ("territoire", "territoire"),
    (
        (
            "{territory} covers {count} commune: {names}.",
            "{territory} covers {count} communes: {names}.",
        ),
        (
            "{territory} couvre {count} commune : {names}.",
            "{territory} couvre {count} communes : {names}.",
        ),
    ),
    # Pending exchanges: answers that reply to nothing.
    (
        "Several requests wait for your answer ({items}): reply to the message you mean.",
        "Plusieurs demandes attendent votre réponse ({items}) : répondez directement au "
        "message concerné.",
    ),
    ("the dispatch request you are writing", "la demande de déclenchement en cours"),
    (
        ("dispatch no. {ids}", "dispatches no. {ids}"),
        ("déclenchement n° {ids}", "déclenchements n° {ids}"),
    ),
    ("médecin-traitant request no. {number}", "demande de médecin traitant n° {number}"),
    (
        ("request for cover no. {ids}", "requests for cover no. {ids}"),
        ("demande de remplacement n° {ids}", "demandes de remplacement n° {ids}"),
    ),
    # The médecin-traitant desk, declared.
    (
        "find a GP for a patient without médecin traitant",
        "trouver un médecin traitant pour un patient qui n'en a pas",
    ),
    (
        "patient sans médecin traitant, 78 ans, ALD, {commune}",
        "patient sans médecin traitant, 78 ans, ALD, {commune}",
    ),
    ("age, criteria, commune", "âge, critères, commune"),
    (
        "the patient's contact details, for the GP who accepts only",
        "les coordonnées du patient, pour le seul médecin qui accepte",
    ),
    ("coordonnées 12 : Mme D., 06 12 34 56 78", "coordonnées 12 : Mme D., 06 12 34 56 78"),
    ("cancel a request for a médecin traitant", "annuler une demande de médecin traitant"),
    ("annuler patient 12", "annuler patient 12"),
    ("the request number", "le numéro de la demande"),
]
