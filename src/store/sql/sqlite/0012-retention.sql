-- 0012-retention.sql: legal holds, the audit horizon and the one path by
-- which the retention purge may remove rows (src/store/store_retention.h,
-- docs/operations.md "Retention and legal hold").
--
--   * case_holds: every legal hold placed on a case, with its release.
--     A hold is in force while released_at IS NULL; at most one per case
--     is in force. Rows are never deleted; the release is the only update.
--   * audit_horizon: at most one row, the seq and hash of the last audit
--     record the purge removed. Verification starts from it (the next
--     record's prev_hash must be this hash). Written in the purge's own
--     transaction; it only moves forward.
--   * retention_permit: empty except inside a purge transaction, which
--     inserts its row, deletes what has aged out and deletes the row
--     again before it commits. No other transaction ever sees the row
--     (SQLite runs one writer at a time and readers see only commits), so
--     the append-only triggers below still refuse every other DELETE.
--
-- The append-only triggers of audit, events and disclosures are rebuilt
-- to let a DELETE through when the permit row exists. A DELETE of a case,
-- its documents, timeline or disclosures is refused while the case (or,
-- for a subpoena, its enforcement case, and the other way round) is on
-- hold, permit or not. Cases and documents get no append-only trigger of
-- their own: nothing but the purge deletes them, and the tests rebuild
-- the report aggregates by deleting and reinserting cases.

CREATE TABLE case_holds (
    id             TEXT PRIMARY KEY CHECK (length(id) = 22),
    case_kind      TEXT NOT NULL
                   CHECK (case_kind IN ('detainer', 'subpoena',
                                        'enforcement')),
    case_id        TEXT NOT NULL CHECK (length(case_id) = 22),
    placed_by      TEXT NOT NULL REFERENCES users (id),
    placed_role    TEXT NOT NULL,
    placed_at      INTEGER NOT NULL,
    reason         TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    released_by    TEXT REFERENCES users (id),
    released_role  TEXT,
    released_at    INTEGER,
    release_reason TEXT CHECK (release_reason IS NULL OR
                               length(release_reason) BETWEEN 1 AND 1000),
    CHECK ((released_at IS NULL) = (released_by IS NULL)),
    CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
CREATE UNIQUE INDEX case_holds_in_force ON case_holds (case_kind, case_id)
    WHERE released_at IS NULL;
CREATE INDEX case_holds_case ON case_holds (case_kind, case_id, placed_at);
CREATE TRIGGER case_holds_never_deleted BEFORE DELETE ON case_holds
BEGIN
    SELECT RAISE(ABORT, 'legal holds are never deleted');
END;
CREATE TRIGGER case_holds_release_only BEFORE UPDATE ON case_holds
WHEN OLD.released_at IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.case_kind IS NOT OLD.case_kind
  OR NEW.case_id IS NOT OLD.case_id OR NEW.placed_by IS NOT OLD.placed_by
  OR NEW.placed_role IS NOT OLD.placed_role
  OR NEW.placed_at IS NOT OLD.placed_at OR NEW.reason IS NOT OLD.reason
BEGIN
    SELECT RAISE(ABORT, 'a legal hold is only ever released, once');
END;

CREATE TABLE audit_horizon (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL CHECK (seq >= 1),
    hash BLOB NOT NULL CHECK (length(hash) = 32),
    at   INTEGER NOT NULL
);
CREATE TRIGGER audit_horizon_forward BEFORE UPDATE ON audit_horizon
WHEN NEW.seq <= OLD.seq
  OR NOT EXISTS (SELECT 1 FROM retention_permit)
BEGIN
    SELECT RAISE(ABORT, 'the audit horizon only moves forward, in a purge');
END;
-- Outside a purge a horizon goes only into a database whose trail is
-- still empty: a copy of a purged database (compel migrate-store) brings
-- its horizon before its records.
CREATE TRIGGER audit_horizon_insert BEFORE INSERT ON audit_horizon
WHEN NOT EXISTS (SELECT 1 FROM retention_permit)
  AND EXISTS (SELECT 1 FROM audit)
BEGIN
    SELECT RAISE(ABORT, 'the audit horizon only moves forward, in a purge');
END;
CREATE TRIGGER audit_horizon_never_deleted BEFORE DELETE ON audit_horizon
BEGIN
    SELECT RAISE(ABORT, 'the audit horizon only moves forward, in a purge');
END;

CREATE TABLE retention_permit (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);

-- The first record after the horizon extends it, when the trail is empty.
DROP TRIGGER audit_extends_head;
CREATE TRIGGER audit_extends_head BEFORE INSERT ON audit
WHEN NEW.hash = NEW.prev_hash
  OR NEW.prev_hash IS NOT coalesce(
         (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1),
         (SELECT hash FROM audit_horizon WHERE id = 1), zeroblob(32))
BEGIN
    SELECT RAISE(ABORT, 'an audit record must extend the head of the chain');
END;

DROP TRIGGER audit_never_deleted;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit
WHEN NOT EXISTS (SELECT 1 FROM retention_permit)
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

DROP TRIGGER events_never_deleted;
CREATE TRIGGER events_never_deleted BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM retention_permit)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_held BEFORE DELETE ON events
WHEN EXISTS (SELECT 1 FROM case_holds h WHERE h.released_at IS NULL
             AND ((h.case_kind = OLD.case_kind AND h.case_id = OLD.case_id)
                  OR (OLD.case_kind = 'subpoena'
                      AND h.case_kind = 'enforcement' AND h.case_id IN
                      (SELECT id FROM enforcements
                       WHERE subpoena_id = OLD.case_id))
                  OR (OLD.case_kind = 'enforcement'
                      AND h.case_kind = 'subpoena' AND h.case_id IN
                      (SELECT subpoena_id FROM enforcements
                       WHERE id = OLD.case_id))))
BEGIN
    SELECT RAISE(ABORT, 'the case is on legal hold');
END;

DROP TRIGGER disclosures_never_deleted;
CREATE TRIGGER disclosures_never_deleted BEFORE DELETE ON disclosures
WHEN NOT EXISTS (SELECT 1 FROM retention_permit)
BEGIN
    SELECT RAISE(ABORT, 'the accounting of disclosures is append-only');
END;
CREATE TRIGGER disclosures_held BEFORE DELETE ON disclosures
WHEN EXISTS (SELECT 1 FROM case_holds h WHERE h.released_at IS NULL
             AND ((h.case_kind = 'subpoena' AND h.case_id = OLD.subpoena_id)
                  OR (h.case_kind = 'enforcement' AND h.case_id IN
                      (SELECT id FROM enforcements
                       WHERE subpoena_id = OLD.subpoena_id))))
BEGIN
    SELECT RAISE(ABORT, 'the case is on legal hold');
END;

CREATE TRIGGER documents_held BEFORE DELETE ON documents
WHEN EXISTS (SELECT 1 FROM case_holds h WHERE h.released_at IS NULL
             AND ((h.case_kind = OLD.case_kind AND h.case_id = OLD.case_id)
                  OR (OLD.case_kind = 'subpoena'
                      AND h.case_kind = 'enforcement' AND h.case_id IN
                      (SELECT id FROM enforcements
                       WHERE subpoena_id = OLD.case_id))
                  OR (OLD.case_kind = 'enforcement'
                      AND h.case_kind = 'subpoena' AND h.case_id IN
                      (SELECT subpoena_id FROM enforcements
                       WHERE id = OLD.case_id))))
BEGIN
    SELECT RAISE(ABORT, 'the case is on legal hold');
END;

CREATE TRIGGER detainers_held BEFORE DELETE ON detainers
WHEN EXISTS (SELECT 1 FROM case_holds h WHERE h.released_at IS NULL
             AND h.case_kind = 'detainer' AND h.case_id = OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'the case is on legal hold');
END;
CREATE TRIGGER subpoenas_held BEFORE DELETE ON subpoenas
WHEN EXISTS (SELECT 1 FROM case_holds h WHERE h.released_at IS NULL
             AND ((h.case_kind = 'subpoena' AND h.case_id = OLD.id)
                  OR (h.case_kind = 'enforcement' AND h.case_id IN
                      (SELECT id FROM enforcements
                       WHERE subpoena_id = OLD.id))))
BEGIN
    SELECT RAISE(ABORT, 'the case is on legal hold');
END;
CREATE TRIGGER enforcements_held BEFORE DELETE ON enforcements
WHEN EXISTS (SELECT 1 FROM case_holds h WHERE h.released_at IS NULL
             AND ((h.case_kind = 'enforcement' AND h.case_id = OLD.id)
                  OR (h.case_kind = 'subpoena'
                      AND h.case_id = OLD.subpoena_id)))
BEGIN
    SELECT RAISE(ABORT, 'the case is on legal hold');
END;
