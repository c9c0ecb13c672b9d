"""English -> French messages of swaps and cover:
``python scripts/write_po.py shift_swaps scripts/shift_swap_messages.py`` writes both
catalogs. Examples are what a person types: the same French words in both catalogs."""

SHIFT_SWAPS = [
    # Asking for cover.
    (
        "Which duty? Give its date, e.g. “ma garde du 24/12” or “samedi nuit”.",
        "Quelle garde ? Donnez sa date, par exemple « ma garde du 24/12 » ou « samedi nuit ».",
    ),
    ("You have no duty {when} in the rota.", "Vous n'avez pas de garde {when} au planning."),
    ("{name} has no duty {when} in the rota.", "{name} n'a pas de garde {when} au planning."),
    (
        "Several duties {when}: {duties}. Say which with its hour, e.g. “{example}”.",
        "Plusieurs gardes {when} : {duties}. Précisez laquelle avec son heure, par exemple "
        "« {example} ».",
    ),
    (
        "This duty has already started: ask the coordination.",
        "Cette garde a déjà commencé : voyez avec la coordination.",
    ),
    (
        "A request for cover of this duty is already open (no. {id}).",
        "Une demande de remplacement est déjà ouverte pour cette garde (n°{id}).",
    ),
    (
        "Nobody of your profession is free for {duty}: the coordination is told.",
        "Aucun collègue de votre profession n'est libre pour {duty} : la coordination est "
        "prévenue.",
    ),
    (
        "{name} is looking for cover for {duty}, but nobody is free then.",
        "{name} cherche un remplaçant pour {duty}, mais personne n'est libre à ce moment-là.",
    ),
    (
        (
            "Request for cover no. {id} sent to {count} free colleague: {duty}.",
            "Request for cover no. {id} sent to {count} free colleagues: {duty}.",
        ),
        (
            "Demande de remplacement n°{id} envoyée à {count} collègue libre : {duty}.",
            "Demande de remplacement n°{id} envoyée à {count} collègues libres : {duty}.",
        ),
    ),
    (
        "I will tell you who takes it. “annuler remplacement {id}” to cancel.",
        "Je vous dirai qui la prend. « annuler remplacement {id} » pour l'annuler.",
    ),
    (
        "Cover no. {id} — {name} is looking for someone to take their duty: {duty}.",
        "Remplacement n°{id} — {name} cherche quelqu'un pour sa garde : {duty}.",
    ),
    (
        "Reply “je prends” to this message or react 👍 to take it (the rota is updated at "
        "once); “pas dispo” or ❌ if not.",
        "Répondez « je prends » à ce message ou réagissez 👍 pour la prendre (le planning est "
        "mis à jour aussitôt) ; « pas dispo » ou ❌ sinon.",
    ),
    # Answers.
    ("There is no request for cover no. {id}.", "Il n'y a pas de demande de remplacement n°{id}."),
    ("Cover no. {id} was not offered to you.", "Le remplacement n°{id} ne vous a pas été proposé."),
    ("Cover no. {id} is already yours.", "Le remplacement n°{id} est déjà à vous."),
    (
        "This duty was already taken by {name} (cover no. {id}). Thank you!",
        "Cette garde a déjà été prise par {name} (remplacement n°{id}). Merci !",
    ),
    (
        "Cover no. {id} is no longer open ({state}).",
        "Le remplacement n°{id} n'est plus ouvert ({state}).",
    ),
    (
        "This duty is yours: {duty} (cover no. {id}). The rota is updated. Thank you!",
        "La garde est à vous : {duty} (remplacement n°{id}). Le planning est à jour. Merci !",
    ),
    (
        "{contact} takes your duty {duty} (cover no. {id}). The rota is updated.",
        "{contact} prend votre garde {duty} (remplacement n°{id}). Le planning est à jour.",
    ),
    (
        "Cover no. {id}: {winner} replaces {requester} — {duty}. The rota is updated.",
        "Remplacement n°{id} : {winner} remplace {requester} — {duty}. Le planning est à jour.",
    ),
    ("Noted, thank you (cover no. {id}).", "Noté, merci (remplacement n°{id})."),
    (
        "Several requests for cover wait for your answer ({ids}): reply to the message of "
        "the one you mean.",
        "Plusieurs demandes de remplacement attendent votre réponse ({ids}) : répondez au "
        "message de celle que vous prenez.",
    ),
    (
        "{name} is not a {profession} of the directory or of the rota: check the Matrix ID; "
        "nothing was changed.",
        "{name} n'est pas {profession} dans l'annuaire ni au planning : vérifiez "
        "l'identifiant Matrix ; rien n'a été changé.",
    ),
    ("[Duty taken by {name}]", "[Garde prise par {name}]"),
    ("[You took this duty]", "[Vous avez pris cette garde]"),
    ("[Request cancelled]", "[Demande annulée]"),
    ("[Request expired]", "[Demande expirée]"),
    # Cancelling, expiry.
    ("You have no open request for cover.", "Vous n'avez pas de demande de remplacement en cours."),
    (
        "You have several open requests for cover ({ids}): say which, e.g. “annuler "
        "remplacement {id}”.",
        "Vous avez plusieurs demandes de remplacement en cours ({ids}) : précisez laquelle, "
        "par exemple « annuler remplacement {id} ».",
    ),
    (
        "Only the one who asked (or a coordinator) can cancel it.",
        "Seul le demandeur (ou la coordination) peut l'annuler.",
    ),
    (
        "Cover no. {id} was already taken by {name}: ask the coordination to change it.",
        "Le remplacement n°{id} a déjà été pris par {name} : voyez avec la coordination pour "
        "le changer.",
    ),
    (
        "Request for cover no. {id} cancelled: the duty stays as it was.",
        "Demande de remplacement n°{id} annulée : la garde reste inchangée.",
    ),
    (
        "Nobody took your duty {duty} (cover no. {id}): it is still yours; ask the coordination.",
        "Personne n'a pris votre garde {duty} (remplacement n°{id}) : elle reste à vous ; "
        "voyez avec la coordination.",
    ),
    (
        "Cover no. {id}: nobody took {name}'s duty {duty}; it is still theirs.",
        "Remplacement n°{id} : personne n'a remplacé {name} ({duty}) ; la garde lui reste.",
    ),
    # A coordinator's override.
    (
        "Who replaces whom, and when? e.g. “garde du 24/12 nuit : @martin:server remplace "
        "@durand:server”.",
        "Qui remplace qui, et quand ? Par exemple « garde du 24/12 nuit : @martin:serveur "
        "remplace @durand:serveur ».",
    ),
    (
        "The replacement must be someone else than the one replaced.",
        "Le remplaçant doit être une autre personne que le remplacé.",
    ),
    (
        "I find nobody called “{name}” among those on duty then: give their Matrix ID "
        "(@name:server).",
        "Je ne trouve personne du nom de « {name} » parmi les personnes de garde à ce "
        "moment-là : donnez son identifiant Matrix (@nom:serveur).",
    ),
    (
        "I find nobody called “{name}” ({profession}) in the directory or the rota: give "
        "their Matrix ID (@name:server).",
        "Je ne trouve personne du nom de « {name} » ({profession}) dans l'annuaire ni au "
        "planning : donnez son identifiant Matrix (@nom:serveur).",
    ),
    (
        "Several people match “{name}”: {names}. Give their Matrix ID.",
        "Plusieurs personnes correspondent à « {name} » : {names}. Donnez son identifiant Matrix.",
    ),
    (
        "Rota updated: {replacement} replaces {replaced} — {duty}.",
        "Planning mis à jour : {replacement} remplace {replaced} — {duty}.",
    ),
    (
        "Careful: the replacement is on leave then.",
        "Attention : le remplaçant est en congé à ce moment-là.",
    ),
    (
        "Careful: the replacement is already on duty then.",
        "Attention : le remplaçant est déjà de garde à ce moment-là.",
    ),
    (
        "The coordination gives you {name}'s duty: {duty}.",
        "La coordination vous confie cette garde : {duty} ; vous remplacez {name}.",
    ),
    (
        "The coordination gives your duty {duty} to {contact}.",
        "La coordination confie votre garde {duty} à {contact}.",
    ),
    # Declared commands: help, examples, parameters.
    (
        "find someone to take your duty (free colleagues of your profession)",
        "trouver un remplaçant pour votre garde (collègues libres de votre profession)",
    ),
    (
        "je cherche un remplaçant pour ma garde du 24/12",
        "je cherche un remplaçant pour ma garde du 24/12",
    ),
    ("qui peut me remplacer samedi nuit ?", "qui peut me remplacer samedi nuit ?"),
    ("withdraw your request for cover", "retirer votre demande de remplacement"),
    ("annuler remplacement 3", "annuler remplacement 3"),
    ("the request number", "le numéro de la demande"),
    (
        "put someone else on a duty (the rota is updated, both are told)",
        "mettre quelqu'un d'autre sur une garde (planning mis à jour, les deux sont prévenus)",
    ),
    (
        "garde du 24/12 nuit : @martin:server remplace @durand:server",
        "garde du 24/12 nuit : @martin:serveur remplace @durand:serveur",
    ),
    (
        "remplacer @durand:server par @martin:server le 24/12",
        "remplacer @durand:serveur par @martin:serveur le 24/12",
    ),
    ("who replaces them", "qui le remplace"),
    ("the day of the duty (and its hour)", "le jour de la garde (et son heure)"),
    (
        "also a colleague's duty: answer their request for cover",
        "aussi la garde d'un collègue : répondez à sa demande de remplacement",
    ),
]
