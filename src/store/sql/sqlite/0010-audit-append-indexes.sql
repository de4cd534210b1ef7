-- 0010-audit-append-indexes.sql: the audit trail without the two
-- indexes that made every append an insert at a random place of a B-tree
-- (docs/performance.md, "Audit appends").
--
-- hash UNIQUE: each record's hash covers the hash before it (src/audit/
-- chain.h), and verification walks the records in seq order, recomputing
-- every hash and comparing it with the stored one: nothing looks a record
-- up by its hash, and the chain already makes a repeated hash a detected
-- mismatch (tests/unit/test_audit.c: copied hashes, a replayed record).
-- What the index guarded against at append time, a record that forks or
-- repeats the chain, the trigger audit_extends_head refuses instead, and
-- more strictly: a new record must point at the current head's hash (32
-- zero bytes for the first) and have a hash of its own. It reads only the
-- last row.
--
-- audit_object (object_kind, object_id, at): object ids are random, so
-- each append dirtied a page of its own, to be written back with each
-- group commit; with 300,000 records, appends took 4 times as long with
-- it. No query used it: the audit list (sq_infra.c) walks seq order and
-- tests its optional filters on each row, which SQLite cannot serve from
-- this index anyway.
--
-- SQLite cannot drop a column's UNIQUE constraint, so the table is
-- rebuilt: same columns, same checks, same rows and seq numbers, the
-- other two indexes (appended at their right end) and the append-only
-- triggers, and the new trigger above (dropping the old table drops its indexes and triggers; DROP
-- TABLE fires no DELETE trigger).

CREATE TABLE audit_rebuilt (
    seq          INTEGER PRIMARY KEY CHECK (seq >= 1),
    at           INTEGER NOT NULL,
    actor_id     TEXT,
    org_id       TEXT,
    role         TEXT,
    session_hash TEXT,
    client_addr  TEXT,
    action       TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 128),
    object_kind  TEXT,
    object_id    TEXT,
    outcome      TEXT NOT NULL CHECK (length(outcome) BETWEEN 1 AND 32),
    detail       TEXT,
    prev_hash    BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash         BLOB NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO audit_rebuilt (seq, at, actor_id, org_id, role, session_hash,
                           client_addr, action, object_kind, object_id,
                           outcome, detail, prev_hash, hash)
    SELECT seq, at, actor_id, org_id, role, session_hash, client_addr,
           action, object_kind, object_id, outcome, detail, prev_hash, hash
    FROM audit ORDER BY seq;
DROP TABLE audit;
ALTER TABLE audit_rebuilt RENAME TO audit;
CREATE INDEX audit_actor ON audit (actor_id, at);
CREATE INDEX audit_at ON audit (at);
CREATE TRIGGER audit_extends_head BEFORE INSERT ON audit
WHEN NEW.hash = NEW.prev_hash
  OR NEW.prev_hash IS NOT coalesce(
         (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), zeroblob(32))
BEGIN
    SELECT RAISE(ABORT, 'an audit record must extend the head of the chain');
END;
CREATE TRIGGER audit_never_edited BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
