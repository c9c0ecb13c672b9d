-- The territory's directory.
--
-- Two kinds of data live side by side and never overwrite each other:
-- * national data (identity, profession, specialties, practice sites), replaced by each
--   import of the national extract (RPPS) or, for those outside the register, by the
--   CPTS directory CSV;
-- * what the CPTS adds (activities, modalities, languages, Matrix ID, phone), kept in
--   tables of its own, keyed by the professional's key, which a national re-import
--   never touches.
-- Professionals are never deleted: one gone from the national file is marked inactive,
-- so the CPTS data about them survives if they come back.

-- key: '8' + 11-digit RPPS number (the national id), or 'cpts:<id>' for those outside
-- the register. source: 'rpps' (seen in the national extract) or 'cpts' (added by the CPTS).
CREATE TABLE directory_professionals (
    key              TEXT PRIMARY KEY,
    rpps             TEXT,
    title            TEXT NOT NULL DEFAULT '',
    last_name        TEXT NOT NULL,
    first_name       TEXT NOT NULL DEFAULT '',
    profession_code  TEXT NOT NULL,
    profession_label TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL CHECK (source IN ('rpps', 'cpts')),
    active           INTEGER NOT NULL DEFAULT 1,
    national_hash    TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX directory_professionals_profession
    ON directory_professionals (profession_code) WHERE active = 1;
CREATE INDEX directory_professionals_last_name ON directory_professionals (last_name);

-- Savoir-faire (specialties, TRE_R38 ...), national data.
CREATE TABLE directory_specialties (
    professional_key TEXT NOT NULL REFERENCES directory_professionals (key),
    code             TEXT NOT NULL,
    label            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (professional_key, code)
);

-- Where a professional works: one row per activity line of the national extract
-- (source 'rpps'), or the site the CPTS recorded (source 'cpts').
CREATE TABLE directory_sites (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    professional_key TEXT NOT NULL REFERENCES directory_professionals (key),
    source           TEXT NOT NULL CHECK (source IN ('rpps', 'cpts')),
    position         INTEGER NOT NULL DEFAULT 0,
    structure_name   TEXT NOT NULL DEFAULT '',
    address          TEXT NOT NULL DEFAULT '',
    postal_code      TEXT NOT NULL DEFAULT '',
    commune_insee    TEXT NOT NULL,
    commune_name     TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX directory_sites_professional ON directory_sites (professional_key, source);
CREATE INDEX directory_sites_commune ON directory_sites (commune_insee);

-- CPTS data: the card's contact fields.
CREATE TABLE directory_cards (
    professional_key TEXT PRIMARY KEY REFERENCES directory_professionals (key),
    phone            TEXT,
    matrix_id        TEXT,
    updated_at       TEXT NOT NULL,
    updated_by       TEXT NOT NULL
);
-- One card per Matrix ID (several NULLs allowed).
CREATE UNIQUE INDEX directory_cards_matrix_id ON directory_cards (matrix_id);

-- CPTS data: declared activities (code from the vocabulary, and the words used).
CREATE TABLE directory_activities (
    professional_key TEXT NOT NULL REFERENCES directory_professionals (key),
    activity_code    TEXT NOT NULL,
    label            TEXT NOT NULL DEFAULT '',
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (professional_key, activity_code)
);
CREATE INDEX directory_activities_code ON directory_activities (activity_code);

-- CPTS data: modalities. available = 0 records an explicit "no" (e.g. no new patients),
-- distinct from "not declared". note: e.g. "le mardi".
CREATE TABLE directory_modalities (
    professional_key TEXT NOT NULL REFERENCES directory_professionals (key),
    modality         TEXT NOT NULL CHECK (modality IN ('home_visits', 'teleconsultation',
                         'new_patients', 'unscheduled_care', 'wheelchair_access', 'saturday')),
    available        INTEGER NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (professional_key, modality)
);
CREATE INDEX directory_modalities_modality ON directory_modalities (modality, available);

-- CPTS data: languages spoken (ISO 639-1 codes).
CREATE TABLE directory_languages (
    professional_key TEXT NOT NULL REFERENCES directory_professionals (key),
    language         TEXT NOT NULL,
    PRIMARY KEY (professional_key, language)
);

-- Structures of the territory (EHPAD, DAC, CMP ...), all added by the CPTS.
-- offer and activities: JSON arrays of codes/words.
CREATE TABLE directory_structures (
    key            TEXT PRIMARY KEY,
    structure_type TEXT NOT NULL,
    name           TEXT NOT NULL,
    structure_name TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    postal_code    TEXT NOT NULL DEFAULT '',
    commune_insee  TEXT NOT NULL,
    commune_name   TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    offer          TEXT NOT NULL DEFAULT '[]',
    activities     TEXT NOT NULL DEFAULT '[]',
    matrix_id      TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX directory_structures_type ON directory_structures (structure_type);
CREATE INDEX directory_structures_commune ON directory_structures (commune_insee);

-- Every change to a card: who, when, which field, old -> new (plain text).
CREATE TABLE directory_card_changes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    professional_key TEXT NOT NULL REFERENCES directory_professionals (key),
    changed_by       TEXT NOT NULL,
    changed_at       TEXT NOT NULL,
    field            TEXT NOT NULL,
    old_value        TEXT,
    new_value        TEXT
);
CREATE INDEX directory_card_changes_professional
    ON directory_card_changes (professional_key, changed_at);
