-- 0011-disclosures.sql: the accounting of disclosures (Privacy Act,
-- 5 U.S.C. 552a(c)(1); docs/api.md "Disclosures").
--
-- One row per subpoena response that produced at least one item about a
-- person (the subpoena's person_id): records went from the recipient
-- jurisdiction (source_org_id) to the issuing agency office
-- (recipient_org_id). The row is written in the transaction of the
-- respond action, so a delivering response without its entry, or an entry
-- without its response, cannot be committed. nature is the JSON array of
-- the produced items' categories, in item order, each once; purpose is the
-- subpoena's purpose at the time of the response.
--
-- Retention: five years or the life of the record, whichever is longer
-- (552a(c)(2)). Rows are append-only: no UPDATE or DELETE passes the
-- triggers below; the retention purge (not written yet) must go through
-- a path of its own and is audited.

CREATE TABLE disclosures (
    id               TEXT PRIMARY KEY CHECK (length(id) = 22),
    person_id        TEXT NOT NULL REFERENCES people (id),
    subpoena_id      TEXT NOT NULL UNIQUE REFERENCES subpoenas (id),
    source_org_id    TEXT NOT NULL REFERENCES organizations (id),
    recipient_org_id TEXT NOT NULL REFERENCES organizations (id),
    disclosed_by     TEXT NOT NULL REFERENCES users (id),
    disclosed_at     INTEGER NOT NULL,
    nature           TEXT NOT NULL CHECK (json_valid(nature)
                         AND json_type(nature) = 'array'
                         AND json_array_length(nature) >= 1),
    purpose          TEXT NOT NULL CHECK (length(purpose) >= 1)
);
CREATE INDEX disclosures_person ON disclosures (person_id, disclosed_at, id);

CREATE TRIGGER disclosures_never_edited BEFORE UPDATE ON disclosures
BEGIN
    SELECT RAISE(ABORT, 'the accounting of disclosures is append-only');
END;
CREATE TRIGGER disclosures_never_deleted BEFORE DELETE ON disclosures
BEGIN
    SELECT RAISE(ABORT, 'the accounting of disclosures is append-only');
END;
