-- 0004-retention.sql: legal holds, the audit horizon and the one path by
-- which the retention purge may remove rows; the PostgreSQL twin of
-- SQLite's 0012-retention.sql (read that file's header).
--
-- retention_permit: empty except inside a purge transaction, which
-- inserts its row, deletes what has aged out and deletes the row again
-- before it commits. Under MVCC no other transaction sees an uncommitted
-- row, so the append-only triggers still refuse every other DELETE.

CREATE TABLE case_holds (
    id             TEXT PRIMARY KEY CHECK (length(id) = 22),
    case_kind      TEXT NOT NULL
                   CHECK (case_kind IN ('detainer', 'subpoena',
                                        'enforcement')),
    case_id        TEXT NOT NULL CHECK (length(case_id) = 22),
    placed_by      TEXT NOT NULL REFERENCES users (id),
    placed_role    TEXT NOT NULL,
    placed_at      BIGINT NOT NULL,
    reason         TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    released_by    TEXT REFERENCES users (id),
    released_role  TEXT,
    released_at    BIGINT,
    release_reason TEXT CHECK (release_reason IS NULL OR
                               length(release_reason) BETWEEN 1 AND 1000),
    CHECK ((released_at IS NULL) = (released_by IS NULL)),
    CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
CREATE UNIQUE INDEX case_holds_in_force ON case_holds (case_kind, case_id)
    WHERE released_at IS NULL;
CREATE INDEX case_holds_case ON case_holds (case_kind, case_id, placed_at);
CREATE TRIGGER case_holds_never_deleted
    BEFORE DELETE ON case_holds FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('legal holds are never deleted');
CREATE TRIGGER case_holds_never_truncated
    BEFORE TRUNCATE ON case_holds FOR EACH STATEMENT
    EXECUTE FUNCTION compel_refuse('legal holds are never deleted');
CREATE TRIGGER case_holds_release_only
    BEFORE UPDATE ON case_holds FOR EACH ROW
    WHEN (OLD.released_at IS NOT NULL
          OR NEW.id IS DISTINCT FROM OLD.id
          OR NEW.case_kind IS DISTINCT FROM OLD.case_kind
          OR NEW.case_id IS DISTINCT FROM OLD.case_id
          OR NEW.placed_by IS DISTINCT FROM OLD.placed_by
          OR NEW.placed_role IS DISTINCT FROM OLD.placed_role
          OR NEW.placed_at IS DISTINCT FROM OLD.placed_at
          OR NEW.reason IS DISTINCT FROM OLD.reason)
    EXECUTE FUNCTION compel_refuse('a legal hold is only ever released, once');

CREATE TABLE retention_permit (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);

CREATE TABLE audit_horizon (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL CHECK (seq >= 1),
    hash BYTEA NOT NULL CHECK (octet_length(hash) = 32),
    at   BIGINT NOT NULL
);

-- True inside a purge transaction (its permit row exists).
CREATE FUNCTION compel_purging() RETURNS BOOLEAN
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM retention_permit)
$$;

-- True while case (kind, id) is on legal hold; a subpoena and its
-- enforcement case hold each other.
CREATE FUNCTION compel_case_held(p_kind TEXT, p_id TEXT) RETURNS BOOLEAN
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM case_holds h
        WHERE h.released_at IS NULL AND (
            (h.case_kind = p_kind AND h.case_id = p_id)
            OR (p_kind = 'subpoena' AND h.case_kind = 'enforcement'
                AND h.case_id IN (SELECT id FROM enforcements
                                  WHERE subpoena_id = p_id))
            OR (p_kind = 'enforcement' AND h.case_kind = 'subpoena'
                AND h.case_id IN (SELECT subpoena_id FROM enforcements
                                  WHERE id = p_id))))
$$;

-- The body of the append-only delete triggers: refuse outside a purge,
-- and refuse a row of a held case always. TG_ARGV[0] is the message,
-- TG_ARGV[1] which column names the case: 'none' (an audit record: no
-- hold applies), 'case' (the row's case_kind and case_id), 'subpoena_id'
-- (a disclosure).
CREATE FUNCTION compel_purge_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    k TEXT;
    i TEXT;
BEGIN
    IF NOT compel_purging() THEN
        RAISE EXCEPTION '%', TG_ARGV[0]
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_ARGV[1] = 'none' THEN
        RETURN OLD;
    ELSIF TG_ARGV[1] = 'case' THEN
        k := OLD.case_kind;
        i := OLD.case_id;
    ELSE
        k := 'subpoena';
        i := OLD.subpoena_id;
    END IF;
    IF k IS NOT NULL AND compel_case_held(k, i) THEN
        RAISE EXCEPTION 'the case is on legal hold'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END
$$;

CREATE FUNCTION audit_horizon_forward() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- Outside a purge a horizon goes only into a database whose trail is
    -- still empty: a copy of a purged database (compel migrate-store)
    -- brings its horizon before its records.
    IF (NOT compel_purging()
        AND (TG_OP = 'UPDATE' OR EXISTS (SELECT 1 FROM audit)))
       OR (TG_OP = 'UPDATE' AND NEW.seq <= OLD.seq) THEN
        RAISE EXCEPTION 'the audit horizon only moves forward, in a purge'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_horizon_forward
    BEFORE INSERT OR UPDATE ON audit_horizon FOR EACH ROW
    EXECUTE FUNCTION audit_horizon_forward();
CREATE TRIGGER audit_horizon_never_deleted
    BEFORE DELETE ON audit_horizon FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('the audit horizon only moves forward, in a purge');
CREATE TRIGGER audit_horizon_never_truncated
    BEFORE TRUNCATE ON audit_horizon FOR EACH STATEMENT
    EXECUTE FUNCTION compel_refuse('the audit horizon only moves forward, in a purge');

-- The first record after the horizon extends it, when the trail is empty.
CREATE OR REPLACE FUNCTION audit_extends_head() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.hash = NEW.prev_hash OR NEW.prev_hash IS DISTINCT FROM coalesce(
           (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1),
           (SELECT hash FROM audit_horizon WHERE id = 1),
           decode(repeat('00', 32), 'hex')) THEN
        RAISE EXCEPTION 'an audit record must extend the head of the chain';
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER audit_never_deleted ON audit;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit FOR EACH ROW
    EXECUTE FUNCTION compel_purge_only('the audit trail is append-only',
                                       'none');
DROP TRIGGER events_never_deleted ON events;
CREATE TRIGGER events_never_deleted BEFORE DELETE ON events FOR EACH ROW
    EXECUTE FUNCTION compel_purge_only('events are append-only', 'case');
DROP TRIGGER disclosures_never_deleted ON disclosures;
CREATE TRIGGER disclosures_never_deleted
    BEFORE DELETE ON disclosures FOR EACH ROW
    EXECUTE FUNCTION compel_purge_only(
        'the accounting of disclosures is append-only', 'subpoena_id');
-- Cases and their documents: no append-only trigger of their own, only
-- the legal hold (the body of compel_held_only).
CREATE FUNCTION compel_held_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    k TEXT;
    i TEXT;
BEGIN
    IF TG_ARGV[0] = 'case' THEN
        k := OLD.case_kind;
        i := OLD.case_id;
    ELSE
        k := TG_ARGV[0];
        i := OLD.id;
    END IF;
    IF k IS NOT NULL AND compel_case_held(k, i) THEN
        RAISE EXCEPTION 'the case is on legal hold'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER documents_held BEFORE DELETE ON documents FOR EACH ROW
    EXECUTE FUNCTION compel_held_only('case');
CREATE TRIGGER detainers_held BEFORE DELETE ON detainers FOR EACH ROW
    EXECUTE FUNCTION compel_held_only('detainer');
CREATE TRIGGER subpoenas_held BEFORE DELETE ON subpoenas FOR EACH ROW
    EXECUTE FUNCTION compel_held_only('subpoena');
CREATE TRIGGER enforcements_held BEFORE DELETE ON enforcements FOR EACH ROW
    EXECUTE FUNCTION compel_held_only('enforcement');
