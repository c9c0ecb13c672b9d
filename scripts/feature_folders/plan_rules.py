"""Where every module of cpts_bot goes: rules by name prefix, plus a small table of
exceptions. Read by move.py; kept apart so the rules can be reviewed on their own."""

from __future__ import annotations

# The layers whose modules are spread over feature folders. Their role inside a feature
# folder is read from the file name afterwards (see ROLE_SUFFIXES).
LAYERS = ("domain", "services", "storage", "chat")
# Where an unplaced module of each layer goes (the kernel of that role).
KERNEL_OF_LAYER = {"domain": "core", "services": "services", "storage": "storage", "chat": "chat"}
FEATURES_DIR = "features"

# A module's role inside a feature folder, from its name (stem == suffix or ends _suffix).
# Everything else in a feature folder is pure (domain rules).
ROLE_SUFFIXES = {
    "storage": ("repository",),
    "services": ("service", "jobs"),
    "chat": ("chat", "commands", "replies", "follow_ups"),
}
# The suffix a module takes when its old layer's role is not already in its name.
ROLE_SUFFIX_TO_ADD = {"storage": "repository", "services": "service", "chat": "chat"}
LAYER_ROLE = {"domain": "domain", "services": "services", "storage": "storage", "chat": "chat"}

# Name prefix -> (feature folder, strip the prefix from the new name?). Longest first wins.
PREFIXES = {
    "medecin_traitant": ("medecin_traitant", True),
    "gp": ("medecin_traitant", False),
    "shift_swap": ("cover", True),
    "cover": ("cover", True),
    "dispatch": ("dispatch", True),
    "alerts": ("alerts", True),
    "alert": ("alerts", True),
    "directory": ("directory", True),
    "territory": ("directory", False),
    "card": ("card", True),
    "rota": ("rota", True),
    "duty": ("rota", False),
    "handoff": ("handoff", True),
    "report": ("reports", True),
    "reports": ("reports", True),
    "tracking": ("reports", False),
    "trust": ("trust", True),
}

# Whole-name renames after the prefix is taken off (the state machines become "states",
# a chat feature becomes the feature's "chat").
REST_RENAMES = {"state_machine": "states", "feature": "chat"}
REST_SUFFIX_RENAMES = {"_state_machine": "_states", "_feature": "_chat"}
# The name of a module that was only the prefix (services/handoff.py), by role.
ROLE_DEFAULT_NAME = {"domain": "model", "services": "service", "storage": "repository", "chat": "chat"}

# Explicit exceptions: "layer/stem" -> "folder/.../stem" (relative to cpts_bot, no .py).
# Modules without a feature prefix that belong to one feature, and the kernel's places.
EXCEPTIONS = {
    "storage/swap_followup_repository": "features/cover/followup_repository",
    # directory search: the question reader, the matcher and their word tables
    "domain/query_parser": "features/directory/query_parser",
    "domain/professional_matcher": "features/directory/professional_matcher",
    "domain/name_lookup": "features/directory/name_lookup",
    "domain/name_or_place": "features/directory/name_or_place",
    "domain/declared_activity_search": "features/directory/declared_activity_search",
    "domain/declared_languages": "features/directory/declared_languages",
    "domain/declared_words": "features/directory/declared_words",
    "domain/wanted_words": "features/directory/wanted_words",
    "domain/word_stems": "features/directory/word_stems",
    "domain/sample_directory": "features/directory/sample_directory",
    "domain/closest_activities": "features/directory/closest_activities",
    "domain/unmet_need": "features/directory/unmet_need",
    # card
    "domain/activity_resolver": "features/card/activity_resolver",
    # rota
    "domain/holiday_slots": "features/rota/holiday_slots",
    "domain/shift_calendar": "features/rota/shift_calendar",
    "domain/quiet_hours": "features/rota/quiet_hours",
    # dispatch
    "domain/usual_professional": "features/dispatch/usual_professional",
    "services/usual_professional": "features/dispatch/usual_professional_service",
    "domain/fair_order": "features/dispatch/fair_order",
    "domain/patient_consent": "features/dispatch/patient_consent",
    "services/usual_first": "features/dispatch/usual_first_service",
    "services/accept_dispatch": "features/dispatch/accept_service",
    "services/broadcast_dispatch": "features/dispatch/broadcast_service",
    # médecin-traitant desk
    "services/patient_registration": "features/medecin_traitant/patient_registration_service",
    "services/waiting_list": "features/medecin_traitant/waiting_list_service",
    # reports and tracking
    "domain/monthly_stats": "features/reports/monthly_stats",
    "domain/rest_day_stats": "features/reports/rest_day_stats",
    "services/request_tracking": "features/reports/request_tracking_service",
    # trust: the identity changes awaiting a coordinator
    "services/identity_changes": "features/trust/identity_changes_service",
    # the kernel's places (one sub-folder: it keeps core/ under 25 modules)
    "domain/place_context": "core/places/context",
    "domain/place_forms": "core/places/forms",
    "domain/place_index": "core/places/index",
    "domain/place_resolver": "core/places/resolver",
    "domain/french_communes": "core/places/french_communes",
    "domain/commune_codes": "core/places/commune_codes",
    "domain/commune_parts": "core/places/commune_parts",
    "domain/department_names": "core/places/department_names",
}

# Data folders inside a moved layer, and where they go (beside the module reading them).
DATA_DIRS = {
    "domain/vocabulary": "core/vocabulary",
    "domain/geography": "core/places/geography",
}

# Modules known to belong to the kernel: they stay (domain -> core/) and are not listed
# as unplaced. Exact stems, or prefixes ending with "_".
KNOWN_KERNEL = {
    "domain": {
        "__init__", "catalog_marks", "errors", "french_datetime", "health", "messages",
        "profession_words", "public_holidays", "room_powers", "text_normalizer", "times",
        "user_error", "vocabulary_extension", "vocabulary_loader", "state_table", "offers",
        "offer_", "delivery_", "answer_",
    },
    "services": {
        "__init__", "handler_context", "outbox", "outbox_media", "people",
        "data_minimisation", "room_powers_report", "offer_", "delivery_", "context",
    },
    "storage": {
        "__init__", "bot_status", "core_repository", "database", "delivery_health",
        "file_modes", "outbox", "outbox_", "pinned_identities", "schema_migrator",
        "retention_repository", "offer_", "delivery_", "matrix_names", "answer_",
    },
    "chat": {
        "__init__", "command_checks", "command_descriptions", "command_dispatch",
        "command_router", "commands", "core_feature", "feature", "follow_ups", "help_texts",
        "incoming", "place_labels", "offer_", "context", "answer_", "not_understood", "clear_rooms",
        "triggers",
    },
}

# New packages get this docstring in their __init__.py.
FEATURE_DOCSTRINGS = {
    "alerts": "Territorial alerts: phrases, schedule, state table, repositories, services, chat.",
    "card": "A professional's card: the update grammar and its chat commands.",
    "cover": "Requests for cover (shift swaps): phrases, policy, state table, repository, services, chat.",
    "directory": "Directory questions: the reader, the matcher, the repository, the replies.",
    "dispatch": "Dispatch requests: phrases, policy, state table, repository, services, chat.",
    "handoff": "Hand-off to the coordination: phrases, state table, repository, service, chat.",
    "medecin_traitant": "The médecin-traitant desk: phrases, policy, state table, repositories, services, chat.",
    "reports": "Request tracking and the monthly figures: statistics, repositories, service, chat.",
    "rota": "The duty rota: phrases, calendar, holidays, repository, chat.",
    "trust": "Device trust commands (who is verified, pinning) in chat.",
}
