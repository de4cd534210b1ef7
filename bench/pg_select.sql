-- bench/pg_select.sql: pgbench script of bench/bench_pg.sh, the reference
-- for compel's GET of a subpoena: one primary-key SELECT of a random row
-- of pg_schema.sql's table (pgbench -D rows=N).
\set k random(1, :rows)
SELECT * FROM pgb_subpoenas WHERE id = 'pgb' || lpad(CAST(:k AS text), 19, '0');
