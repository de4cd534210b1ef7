-- bench/pg_schema.sql: the pgbench reference table of bench/bench_pg.sh, in
-- its own database. Shaped like compel's subpoenas (src/store/sql/postgres/
-- 0001-init.sql): a 22-character text id as the primary key, a unique case
-- number, a few columns, and two secondary indexes like the ones a created
-- subpoena must update. Filled with :rows rows whose ids are
-- 'pgb' || 19 digits, so pg_select.sql can pick one at random.
-- Run with psql -v rows=N.
CREATE TABLE pgb_subpoenas (
    id               TEXT PRIMARY KEY CHECK (length(id) = 22),
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    number           TEXT NOT NULL UNIQUE,
    agency_org_id    TEXT NOT NULL,
    recipient_org_id TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    state            TEXT NOT NULL,
    drafted_by       TEXT NOT NULL
);
CREATE INDEX pgb_subpoenas_recipient
    ON pgb_subpoenas (recipient_org_id, state, created_at);
CREATE INDEX pgb_subpoenas_list ON pgb_subpoenas (created_at, id);
INSERT INTO pgb_subpoenas (id, created_at, updated_at, number, agency_org_id,
                           recipient_org_id, purpose, state, drafted_by)
SELECT 'pgb' || lpad(i::text, 19, '0'), 1767225600000000 + i::bigint * 60000000,
       1767225600000000 + i::bigint * 60000000, 'SUB-2026-' || lpad(i::text, 9, '0'),
       'GmielP_ywe_4QCRmCPq15g', 'vKd3Pkt47gvEjPwjcxmswg',
       'records of a released person',
       (ARRAY['draft', 'draft', 'draft', 'draft', 'in_review', 'signed',
              'served', 'served', 'responded', 'responded'])[i % 10 + 1],
       'Uj_9x7xhS3wgzdIPo69sNA'
FROM generate_series(1, :rows) AS i;
VACUUM ANALYZE pgb_subpoenas;
