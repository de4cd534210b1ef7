-- bench/pg_insert.sql: pgbench script of bench/bench_pg.sh, the reference
-- for compel's POST of a subpoena: one subpoena-shaped row inserted in its
-- own durable transaction (autocommit; fsync and synchronous_commit on, so
-- each commit waits for its WAL flush, shared by concurrent commits).
INSERT INTO pgb_subpoenas (id, created_at, updated_at, number, agency_org_id,
                           recipient_org_id, purpose, state, drafted_by)
VALUES (left(md5(gen_random_uuid()::text), 22),
        CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS bigint),
        CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS bigint),
        'SUB-2026-' || md5(gen_random_uuid()::text),
        'GmielP_ywe_4QCRmCPq15g', 'vKd3Pkt47gvEjPwjcxmswg',
        'records of a released person', 'draft', 'Uj_9x7xhS3wgzdIPo69sNA');
