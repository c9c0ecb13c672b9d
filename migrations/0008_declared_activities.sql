-- What a CPTS directory file declares in its own words, and the mode of practice.
--
-- directory_declared_activities: every activity a professional declares, kept verbatim
-- ("plaies complexes", "kiné respiratoire bronchiolite", "EMDR"), in the order given.
-- The bot links each to its vocabulary when it builds its in-memory index, so a
-- vocabulary extension takes effect without re-importing. CPTS data: a national
-- re-import never touches it.
--
-- directory_sites.mode: "Code mode exercice" of the national extract (L libéral,
-- S salarié, B bénévole), '' when unknown.
CREATE TABLE directory_declared_activities (
    professional_key TEXT NOT NULL REFERENCES directory_professionals (key),
    position         INTEGER NOT NULL,
    words            TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (professional_key, words)
);
ALTER TABLE directory_sites ADD COLUMN mode TEXT NOT NULL DEFAULT '';
