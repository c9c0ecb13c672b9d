-- What the requester said of the patient's consent to share their data with the
-- professionals asked (Code de la santé publique, L1110-4), recorded with the request:
-- 1 « patient informé et d'accord », 0 refused (the details were not kept), NULL unsaid.
CREATE TABLE dispatch_consents (
    dispatch_id INTEGER PRIMARY KEY REFERENCES dispatches (id),
    consent     INTEGER,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
