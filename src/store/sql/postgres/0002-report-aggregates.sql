-- 0002-report-aggregates.sql: the jurisdiction report kept current by the
-- database (docs/reports.md has every definition): SQLite's migrations
-- 0006-report-aggregates.sql and 0009-report-deferred.sql in PL/pgSQL, the
-- same tables, views and triggers (generated from one list of measures, so
-- the 24 columns are written the same everywhere).
--
-- report_counts keeps every measure per (jurisdiction, period), where a
-- period is a day 'YYYY-MM-DD', a month 'YYYY-MM', a year 'YYYY' or '*'
-- (all time); report_days the histogram of days to response per period
-- (with each period's lower median kept in report_counts.median_days);
-- report_open the served, unanswered subpoenas per return date;
-- report_detainer_decisions the decision on each decided detainer. The
-- views report_*_rows say what each case contributes (one row per case
-- and day it counts on, 0/1 per measure); the triggers add what a new row
-- contributes, and on an update subtract what the old row contributed
-- (BEFORE UPDATE: the views still read the old row) and add what the new
-- one does (AFTER UPDATE).
--
-- Differences from SQLite, none in the numbers:
--   * compel_local_date(us, zone) is PostgreSQL's own time zone
--     conversion (the system tz database on Debian, like the
--     application's), not a function the application registers.
--   * report_levels is a view, not a table, so that emptying every table
--     (the contract suite's reset) cannot lose it.
--   * Each upsert sums its rows per key first (PostgreSQL refuses an
--     INSERT ... ON CONFLICT DO UPDATE that touches one row twice, as a
--     subpoena served and answered on the same day would) and takes its
--     rows in key order, so that concurrent writers lock the aggregate
--     rows of one table in one order.
--   * Deferral (store_reports_defer) cannot use rowids: while
--     report_deferred has its row, the insert triggers only note the new
--     detainers' ids (report_deferred_detainers) and whether a subpoena
--     was inserted; compel_report_catch_up() adds those detainers, or
--     rebuilds everything when a subpoena came. A transaction that defers
--     and does not catch up fails at COMMIT (a deferred constraint
--     trigger), as on SQLite.
--
-- Concurrency (several servers, READ COMMITTED): every change of an
-- aggregate is an upsert adding a delta (n = n + excluded.n), atomic on its
-- row. A period's median is recomputed from report_days by the transaction
-- that changed its histogram, after its upsert of report_counts locked
-- that period's row, so two writers of one period take turns and the
-- second one's later statements see the first one's committed histogram.
-- compel_report_rebuild() locks the aggregate tables against writers
-- (SHARE ROW EXCLUSIVE) for the rest of its transaction.
-- 'YYYY-MM-DD' of the instant `us` (microseconds since the epoch, UTC) in
-- the IANA zone `zone`; NULL when `us` is NULL. Integer arithmetic to the
-- instant (no float rounding near midnight).
CREATE FUNCTION compel_local_date(us BIGINT, zone TEXT) RETURNS TEXT
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT to_char((timestamptz 'epoch' + us * interval '1 microsecond')
               AT TIME ZONE zone, 'YYYY-MM-DD')
$$;

-- The lengths of a period key cut from a date: day, month, year, and 0
-- for '*'.
CREATE VIEW report_levels (len) AS VALUES (10), (7), (4), (0);
CREATE TABLE report_counts (
    org_id TEXT NOT NULL,
    period TEXT NOT NULL,
    detainers_lodged BIGINT NOT NULL DEFAULT 0,
    honored_reported BIGINT NOT NULL DEFAULT 0,
    honored_observed BIGINT NOT NULL DEFAULT 0,
    honored_inferred BIGINT NOT NULL DEFAULT 0,
    declined_reported BIGINT NOT NULL DEFAULT 0,
    declined_observed BIGINT NOT NULL DEFAULT 0,
    declined_inferred BIGINT NOT NULL DEFAULT 0,
    served BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    complied BIGINT NOT NULL DEFAULT 0,
    partially_complied BIGINT NOT NULL DEFAULT 0,
    no_records BIGINT NOT NULL DEFAULT 0,
    objected BIGINT NOT NULL DEFAULT 0,
    refused BIGINT NOT NULL DEFAULT 0,
    on_time_original BIGINT NOT NULL DEFAULT 0,
    on_time_extended BIGINT NOT NULL DEFAULT 0,
    items_requested BIGINT NOT NULL DEFAULT 0,
    items_produced BIGINT NOT NULL DEFAULT 0,
    referred BIGINT NOT NULL DEFAULT 0,
    orders_enforced BIGINT NOT NULL DEFAULT 0,
    orders_enforced_in_part BIGINT NOT NULL DEFAULT 0,
    orders_denied BIGINT NOT NULL DEFAULT 0,
    contempt_civil BIGINT NOT NULL DEFAULT 0,
    contempt_criminal BIGINT NOT NULL DEFAULT 0,
    -- the lower median of the period's days to response (report_days)
    median_days BIGINT,
    PRIMARY KEY (period, org_id)
);

CREATE TABLE report_days (
    period TEXT NOT NULL,
    org_id TEXT NOT NULL,
    days   BIGINT NOT NULL,
    n      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (period, org_id, days)
);

CREATE TABLE report_open (
    org_id      TEXT NOT NULL,
    return_date TEXT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, return_date)
);

CREATE TABLE report_detainer_decisions (
    detainer_id TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    day         TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('honored', 'declined')),
    source      TEXT CHECK (source IS NULL OR
                            source IN ('reported', 'observed', 'inferred'))
);

-- The deferral of a bulk write (store_reports_defer): one row, inserted
-- and deleted by the same transaction, never committed.
CREATE TABLE report_deferred (
    one       INTEGER PRIMARY KEY CHECK (one = 1),
    subpoenas BOOLEAN NOT NULL DEFAULT false -- a subpoena was inserted
);
-- The detainers inserted while deferred.
CREATE TABLE report_deferred_detainers (
    detainer_id TEXT PRIMARY KEY
);

-- ---- what each case contributes, as views ----------------------------------

CREATE VIEW report_subpoena_facts AS
SELECT p.id AS subpoena_id,
       p.recipient_org_id AS org_id,
       compel_local_date(p.served_at, o.timezone) AS served_on,
       compel_local_date(p.responded_at, o.timezone) AS responded_on,
       p.disposition, p.return_date, p.original_return_date
FROM subpoenas p JOIN organizations o ON o.id = p.recipient_org_id;

CREATE VIEW report_subpoena_rows AS
SELECT f.subpoena_id, f.org_id AS org_id, f.served_on AS day,
       0 AS detainers_lodged,
       0 AS honored_reported,
       0 AS honored_observed,
       0 AS honored_inferred,
       0 AS declined_reported,
       0 AS declined_observed,
       0 AS declined_inferred,
       1 AS served,
       0 AS resolved,
       0 AS complied,
       0 AS partially_complied,
       0 AS no_records,
       0 AS objected,
       0 AS refused,
       0 AS on_time_original,
       0 AS on_time_extended,
       0 AS items_requested,
       0 AS items_produced,
       0 AS referred,
       0 AS orders_enforced,
       0 AS orders_enforced_in_part,
       0 AS orders_denied,
       0 AS contempt_civil,
       0 AS contempt_criminal
FROM report_subpoena_facts f
WHERE f.served_on IS NOT NULL
UNION ALL
SELECT f.subpoena_id, f.org_id AS org_id, f.responded_on AS day,
       0 AS detainers_lodged,
       0 AS honored_reported,
       0 AS honored_observed,
       0 AS honored_inferred,
       0 AS declined_reported,
       0 AS declined_observed,
       0 AS declined_inferred,
       0 AS served,
       1 AS resolved,
       (f.disposition IS NOT DISTINCT FROM 'complied')::int AS complied,
       (f.disposition IS NOT DISTINCT FROM 'partially_complied')::int AS partially_complied,
       (f.disposition IS NOT DISTINCT FROM 'no_records')::int AS no_records,
       (f.disposition IS NOT DISTINCT FROM 'objected')::int AS objected,
       (f.disposition IS NOT DISTINCT FROM 'refused')::int AS refused,
       coalesce((f.responded_on <= f.original_return_date)::int, 0) AS on_time_original,
       coalesce((f.responded_on <= f.return_date)::int, 0) AS on_time_extended,
       (SELECT count(*) FROM subpoena_items i
        WHERE i.subpoena_id = f.subpoena_id) AS items_requested,
       (SELECT count(*) FROM subpoena_items i
        WHERE i.subpoena_id = f.subpoena_id AND i.outcome = 'produced') AS items_produced,
       0 AS referred,
       0 AS orders_enforced,
       0 AS orders_enforced_in_part,
       0 AS orders_denied,
       0 AS contempt_civil,
       0 AS contempt_criminal
FROM report_subpoena_facts f
WHERE f.responded_on IS NOT NULL;

CREATE VIEW report_subpoena_days AS
SELECT f.subpoena_id, f.org_id, f.responded_on AS day,
       (f.responded_on::date - f.served_on::date)::bigint AS days
FROM report_subpoena_facts f
WHERE f.responded_on IS NOT NULL AND f.served_on IS NOT NULL;

CREATE VIEW report_subpoena_open AS
SELECT p.id AS subpoena_id, p.recipient_org_id AS org_id, p.return_date
FROM subpoenas p
WHERE p.state = 'served' AND p.served_at IS NOT NULL
  AND p.responded_at IS NULL AND p.return_date IS NOT NULL;

-- A detainer counts as lodged with the jurisdiction of its facility.
CREATE VIEW report_detainer_rows AS
SELECT d.id AS detainer_id, f.org_id AS org_id, compel_local_date(d.created_at, o.timezone) AS day,
       1 AS detainers_lodged,
       0 AS honored_reported,
       0 AS honored_observed,
       0 AS honored_inferred,
       0 AS declined_reported,
       0 AS declined_observed,
       0 AS declined_inferred,
       0 AS served,
       0 AS resolved,
       0 AS complied,
       0 AS partially_complied,
       0 AS no_records,
       0 AS objected,
       0 AS refused,
       0 AS on_time_original,
       0 AS on_time_extended,
       0 AS items_requested,
       0 AS items_produced,
       0 AS referred,
       0 AS orders_enforced,
       0 AS orders_enforced_in_part,
       0 AS orders_denied,
       0 AS contempt_civil,
       0 AS contempt_criminal
FROM detainers d
JOIN facilities f ON f.id = d.facility_id
JOIN organizations o ON o.id = f.org_id;

CREATE VIEW report_decision_rows AS
SELECT x.detainer_id, x.org_id AS org_id, x.day AS day,
       0 AS detainers_lodged,
       (x.decision = 'honored' AND x.source IS NOT DISTINCT FROM 'reported')::int AS honored_reported,
       (x.decision = 'honored' AND x.source IS NOT DISTINCT FROM 'observed')::int AS honored_observed,
       (x.decision = 'honored' AND x.source IS NOT DISTINCT FROM 'inferred')::int AS honored_inferred,
       (x.decision = 'declined' AND x.source IS NOT DISTINCT FROM 'reported')::int AS declined_reported,
       (x.decision = 'declined' AND x.source IS NOT DISTINCT FROM 'observed')::int AS declined_observed,
       (x.decision = 'declined' AND x.source IS NOT DISTINCT FROM 'inferred')::int AS declined_inferred,
       0 AS served,
       0 AS resolved,
       0 AS complied,
       0 AS partially_complied,
       0 AS no_records,
       0 AS objected,
       0 AS refused,
       0 AS on_time_original,
       0 AS on_time_extended,
       0 AS items_requested,
       0 AS items_produced,
       0 AS referred,
       0 AS orders_enforced,
       0 AS orders_enforced_in_part,
       0 AS orders_denied,
       0 AS contempt_civil,
       0 AS contempt_criminal
FROM report_detainer_decisions x;

-- An enforcement case: referred on the day it was made (the subpoena's
-- `refer`), its order on entered_on, contempt from starts_on.
CREATE VIEW report_enforcement_rows AS
SELECT e.id AS enforcement_id, e.respondent_org_id AS org_id, compel_local_date(e.created_at, o.timezone) AS day,
       0 AS detainers_lodged,
       0 AS honored_reported,
       0 AS honored_observed,
       0 AS honored_inferred,
       0 AS declined_reported,
       0 AS declined_observed,
       0 AS declined_inferred,
       0 AS served,
       0 AS resolved,
       0 AS complied,
       0 AS partially_complied,
       0 AS no_records,
       0 AS objected,
       0 AS refused,
       0 AS on_time_original,
       0 AS on_time_extended,
       0 AS items_requested,
       0 AS items_produced,
       1 AS referred,
       0 AS orders_enforced,
       0 AS orders_enforced_in_part,
       0 AS orders_denied,
       0 AS contempt_civil,
       0 AS contempt_criminal
FROM enforcements e JOIN organizations o ON o.id = e.respondent_org_id
UNION ALL
SELECT e.id, e.respondent_org_id AS org_id, e.entered_on AS day,
       0 AS detainers_lodged,
       0 AS honored_reported,
       0 AS honored_observed,
       0 AS honored_inferred,
       0 AS declined_reported,
       0 AS declined_observed,
       0 AS declined_inferred,
       0 AS served,
       0 AS resolved,
       0 AS complied,
       0 AS partially_complied,
       0 AS no_records,
       0 AS objected,
       0 AS refused,
       0 AS on_time_original,
       0 AS on_time_extended,
       0 AS items_requested,
       0 AS items_produced,
       0 AS referred,
       (e.result = 'enforced')::int AS orders_enforced,
       (e.result = 'enforced_in_part')::int AS orders_enforced_in_part,
       (e.result = 'denied')::int AS orders_denied,
       0 AS contempt_civil,
       0 AS contempt_criminal
FROM enforcements e
WHERE e.entered_on IS NOT NULL AND e.result IS NOT NULL
UNION ALL
SELECT e.id, e.respondent_org_id AS org_id, e.starts_on AS day,
       0 AS detainers_lodged,
       0 AS honored_reported,
       0 AS honored_observed,
       0 AS honored_inferred,
       0 AS declined_reported,
       0 AS declined_observed,
       0 AS declined_inferred,
       0 AS served,
       0 AS resolved,
       0 AS complied,
       0 AS partially_complied,
       0 AS no_records,
       0 AS objected,
       0 AS refused,
       0 AS on_time_original,
       0 AS on_time_extended,
       0 AS items_requested,
       0 AS items_produced,
       0 AS referred,
       0 AS orders_enforced,
       0 AS orders_enforced_in_part,
       0 AS orders_denied,
       (e.contempt_kind = 'civil')::int AS contempt_civil,
       (e.contempt_kind = 'criminal')::int AS contempt_criminal
FROM enforcements e
WHERE e.starts_on IS NOT NULL AND e.contempt_kind IS NOT NULL;

-- ---- adding (p_sign 1) or subtracting (-1) what one case contributes -------

-- The lower median of one period's histogram: the smallest days whose
-- running count reaches (total - 1) / 2 + 1 (NULL for an empty one).
CREATE FUNCTION report_median(p_period TEXT, p_org TEXT) RETURNS BIGINT
    LANGUAGE sql STABLE AS $$
SELECT h.days FROM (
    SELECT d.days, sum(d.n) OVER (ORDER BY d.days) AS cum,
           sum(d.n) OVER () AS total
    FROM report_days d
    WHERE d.period = p_period AND d.org_id = p_org AND d.n > 0) h
WHERE h.cum >= div(h.total - 1, 2) + 1
ORDER BY h.days LIMIT 1
$$;

CREATE FUNCTION report_count_subpoena(p_id TEXT, p_sign BIGINT)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_counts AS c (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied, partially_complied,
        no_records, objected, refused, on_time_original, on_time_extended,
        items_requested, items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END,
           p_sign * sum(r.detainers_lodged),
           p_sign * sum(r.honored_reported),
           p_sign * sum(r.honored_observed),
           p_sign * sum(r.honored_inferred),
           p_sign * sum(r.declined_reported),
           p_sign * sum(r.declined_observed),
           p_sign * sum(r.declined_inferred),
           p_sign * sum(r.served),
           p_sign * sum(r.resolved),
           p_sign * sum(r.complied),
           p_sign * sum(r.partially_complied),
           p_sign * sum(r.no_records),
           p_sign * sum(r.objected),
           p_sign * sum(r.refused),
           p_sign * sum(r.on_time_original),
           p_sign * sum(r.on_time_extended),
           p_sign * sum(r.items_requested),
           p_sign * sum(r.items_produced),
           p_sign * sum(r.referred),
           p_sign * sum(r.orders_enforced),
           p_sign * sum(r.orders_enforced_in_part),
           p_sign * sum(r.orders_denied),
           p_sign * sum(r.contempt_civil),
           p_sign * sum(r.contempt_criminal)
    FROM report_subpoena_rows r CROSS JOIN report_levels l
    WHERE r.subpoena_id = p_id
    GROUP BY 1, 2 ORDER BY 2, 1
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = c.detainers_lodged + excluded.detainers_lodged,
        honored_reported = c.honored_reported + excluded.honored_reported,
        honored_observed = c.honored_observed + excluded.honored_observed,
        honored_inferred = c.honored_inferred + excluded.honored_inferred,
        declined_reported = c.declined_reported + excluded.declined_reported,
        declined_observed = c.declined_observed + excluded.declined_observed,
        declined_inferred = c.declined_inferred + excluded.declined_inferred,
        served = c.served + excluded.served,
        resolved = c.resolved + excluded.resolved,
        complied = c.complied + excluded.complied,
        partially_complied = c.partially_complied + excluded.partially_complied,
        no_records = c.no_records + excluded.no_records,
        objected = c.objected + excluded.objected,
        refused = c.refused + excluded.refused,
        on_time_original = c.on_time_original + excluded.on_time_original,
        on_time_extended = c.on_time_extended + excluded.on_time_extended,
        items_requested = c.items_requested + excluded.items_requested,
        items_produced = c.items_produced + excluded.items_produced,
        referred = c.referred + excluded.referred,
        orders_enforced = c.orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = c.orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = c.orders_denied + excluded.orders_denied,
        contempt_civil = c.contempt_civil + excluded.contempt_civil,
        contempt_criminal = c.contempt_criminal + excluded.contempt_criminal;
    INSERT INTO report_days AS d (period, org_id, days, n)
    SELECT CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END, r.org_id, r.days,
           p_sign * count(*)
    FROM report_subpoena_days r CROSS JOIN report_levels l
    WHERE r.subpoena_id = p_id
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (period, org_id, days) DO UPDATE SET n = d.n + excluded.n;
    UPDATE report_counts c SET median_days = report_median(c.period, c.org_id)
    WHERE (c.org_id, c.period) IN (
        SELECT r.org_id, CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END
        FROM report_subpoena_days r CROSS JOIN report_levels l
        WHERE r.subpoena_id = p_id);
    INSERT INTO report_open AS o (org_id, return_date, n)
    SELECT r.org_id, r.return_date, p_sign * count(*)
    FROM report_subpoena_open r
    WHERE r.subpoena_id = p_id
    GROUP BY 1, 2
    ON CONFLICT (org_id, return_date) DO UPDATE SET n = o.n + excluded.n;
END;
$$;

-- Items answered after (or before) the subpoena's own update: adjust the
-- item counts of its response day, if it has been answered.
CREATE FUNCTION report_count_items(p_subpoena TEXT, p_requested BIGINT,
                                   p_produced BIGINT)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_counts AS c (org_id, period, items_requested,
                                    items_produced)
    SELECT f.org_id, CASE l.len WHEN 0 THEN '*' ELSE substr(f.responded_on, 1, l.len) END,
           p_requested, p_produced
    FROM report_subpoena_facts f CROSS JOIN report_levels l
    WHERE f.subpoena_id = p_subpoena AND f.responded_on IS NOT NULL
    ORDER BY 2, 1
    ON CONFLICT (period, org_id) DO UPDATE SET
        items_requested = c.items_requested + excluded.items_requested,
        items_produced = c.items_produced + excluded.items_produced;
END;
$$;

CREATE FUNCTION report_count_detainer(p_id TEXT, p_sign BIGINT)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_counts AS c (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied, partially_complied,
        no_records, objected, refused, on_time_original, on_time_extended,
        items_requested, items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END,
           p_sign * sum(r.detainers_lodged),
           p_sign * sum(r.honored_reported),
           p_sign * sum(r.honored_observed),
           p_sign * sum(r.honored_inferred),
           p_sign * sum(r.declined_reported),
           p_sign * sum(r.declined_observed),
           p_sign * sum(r.declined_inferred),
           p_sign * sum(r.served),
           p_sign * sum(r.resolved),
           p_sign * sum(r.complied),
           p_sign * sum(r.partially_complied),
           p_sign * sum(r.no_records),
           p_sign * sum(r.objected),
           p_sign * sum(r.refused),
           p_sign * sum(r.on_time_original),
           p_sign * sum(r.on_time_extended),
           p_sign * sum(r.items_requested),
           p_sign * sum(r.items_produced),
           p_sign * sum(r.referred),
           p_sign * sum(r.orders_enforced),
           p_sign * sum(r.orders_enforced_in_part),
           p_sign * sum(r.orders_denied),
           p_sign * sum(r.contempt_civil),
           p_sign * sum(r.contempt_criminal)
    FROM report_detainer_rows r CROSS JOIN report_levels l
    WHERE r.detainer_id = p_id
    GROUP BY 1, 2 ORDER BY 2, 1
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = c.detainers_lodged + excluded.detainers_lodged,
        honored_reported = c.honored_reported + excluded.honored_reported,
        honored_observed = c.honored_observed + excluded.honored_observed,
        honored_inferred = c.honored_inferred + excluded.honored_inferred,
        declined_reported = c.declined_reported + excluded.declined_reported,
        declined_observed = c.declined_observed + excluded.declined_observed,
        declined_inferred = c.declined_inferred + excluded.declined_inferred,
        served = c.served + excluded.served,
        resolved = c.resolved + excluded.resolved,
        complied = c.complied + excluded.complied,
        partially_complied = c.partially_complied + excluded.partially_complied,
        no_records = c.no_records + excluded.no_records,
        objected = c.objected + excluded.objected,
        refused = c.refused + excluded.refused,
        on_time_original = c.on_time_original + excluded.on_time_original,
        on_time_extended = c.on_time_extended + excluded.on_time_extended,
        items_requested = c.items_requested + excluded.items_requested,
        items_produced = c.items_produced + excluded.items_produced,
        referred = c.referred + excluded.referred,
        orders_enforced = c.orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = c.orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = c.orders_denied + excluded.orders_denied,
        contempt_civil = c.contempt_civil + excluded.contempt_civil,
        contempt_criminal = c.contempt_criminal + excluded.contempt_criminal;
END;
$$;

CREATE FUNCTION report_count_decision(p_id TEXT, p_sign BIGINT)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_counts AS c (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied, partially_complied,
        no_records, objected, refused, on_time_original, on_time_extended,
        items_requested, items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END,
           p_sign * sum(r.detainers_lodged),
           p_sign * sum(r.honored_reported),
           p_sign * sum(r.honored_observed),
           p_sign * sum(r.honored_inferred),
           p_sign * sum(r.declined_reported),
           p_sign * sum(r.declined_observed),
           p_sign * sum(r.declined_inferred),
           p_sign * sum(r.served),
           p_sign * sum(r.resolved),
           p_sign * sum(r.complied),
           p_sign * sum(r.partially_complied),
           p_sign * sum(r.no_records),
           p_sign * sum(r.objected),
           p_sign * sum(r.refused),
           p_sign * sum(r.on_time_original),
           p_sign * sum(r.on_time_extended),
           p_sign * sum(r.items_requested),
           p_sign * sum(r.items_produced),
           p_sign * sum(r.referred),
           p_sign * sum(r.orders_enforced),
           p_sign * sum(r.orders_enforced_in_part),
           p_sign * sum(r.orders_denied),
           p_sign * sum(r.contempt_civil),
           p_sign * sum(r.contempt_criminal)
    FROM report_decision_rows r CROSS JOIN report_levels l
    WHERE r.detainer_id = p_id
    GROUP BY 1, 2 ORDER BY 2, 1
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = c.detainers_lodged + excluded.detainers_lodged,
        honored_reported = c.honored_reported + excluded.honored_reported,
        honored_observed = c.honored_observed + excluded.honored_observed,
        honored_inferred = c.honored_inferred + excluded.honored_inferred,
        declined_reported = c.declined_reported + excluded.declined_reported,
        declined_observed = c.declined_observed + excluded.declined_observed,
        declined_inferred = c.declined_inferred + excluded.declined_inferred,
        served = c.served + excluded.served,
        resolved = c.resolved + excluded.resolved,
        complied = c.complied + excluded.complied,
        partially_complied = c.partially_complied + excluded.partially_complied,
        no_records = c.no_records + excluded.no_records,
        objected = c.objected + excluded.objected,
        refused = c.refused + excluded.refused,
        on_time_original = c.on_time_original + excluded.on_time_original,
        on_time_extended = c.on_time_extended + excluded.on_time_extended,
        items_requested = c.items_requested + excluded.items_requested,
        items_produced = c.items_produced + excluded.items_produced,
        referred = c.referred + excluded.referred,
        orders_enforced = c.orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = c.orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = c.orders_denied + excluded.orders_denied,
        contempt_civil = c.contempt_civil + excluded.contempt_civil,
        contempt_criminal = c.contempt_criminal + excluded.contempt_criminal;
END;
$$;

CREATE FUNCTION report_count_enforcement(p_id TEXT, p_sign BIGINT)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_counts AS c (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied, partially_complied,
        no_records, objected, refused, on_time_original, on_time_extended,
        items_requested, items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END,
           p_sign * sum(r.detainers_lodged),
           p_sign * sum(r.honored_reported),
           p_sign * sum(r.honored_observed),
           p_sign * sum(r.honored_inferred),
           p_sign * sum(r.declined_reported),
           p_sign * sum(r.declined_observed),
           p_sign * sum(r.declined_inferred),
           p_sign * sum(r.served),
           p_sign * sum(r.resolved),
           p_sign * sum(r.complied),
           p_sign * sum(r.partially_complied),
           p_sign * sum(r.no_records),
           p_sign * sum(r.objected),
           p_sign * sum(r.refused),
           p_sign * sum(r.on_time_original),
           p_sign * sum(r.on_time_extended),
           p_sign * sum(r.items_requested),
           p_sign * sum(r.items_produced),
           p_sign * sum(r.referred),
           p_sign * sum(r.orders_enforced),
           p_sign * sum(r.orders_enforced_in_part),
           p_sign * sum(r.orders_denied),
           p_sign * sum(r.contempt_civil),
           p_sign * sum(r.contempt_criminal)
    FROM report_enforcement_rows r CROSS JOIN report_levels l
    WHERE r.enforcement_id = p_id
    GROUP BY 1, 2 ORDER BY 2, 1
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = c.detainers_lodged + excluded.detainers_lodged,
        honored_reported = c.honored_reported + excluded.honored_reported,
        honored_observed = c.honored_observed + excluded.honored_observed,
        honored_inferred = c.honored_inferred + excluded.honored_inferred,
        declined_reported = c.declined_reported + excluded.declined_reported,
        declined_observed = c.declined_observed + excluded.declined_observed,
        declined_inferred = c.declined_inferred + excluded.declined_inferred,
        served = c.served + excluded.served,
        resolved = c.resolved + excluded.resolved,
        complied = c.complied + excluded.complied,
        partially_complied = c.partially_complied + excluded.partially_complied,
        no_records = c.no_records + excluded.no_records,
        objected = c.objected + excluded.objected,
        refused = c.refused + excluded.refused,
        on_time_original = c.on_time_original + excluded.on_time_original,
        on_time_extended = c.on_time_extended + excluded.on_time_extended,
        items_requested = c.items_requested + excluded.items_requested,
        items_produced = c.items_produced + excluded.items_produced,
        referred = c.referred + excluded.referred,
        orders_enforced = c.orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = c.orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = c.orders_denied + excluded.orders_denied,
        contempt_civil = c.contempt_civil + excluded.contempt_civil,
        contempt_criminal = c.contempt_criminal + excluded.contempt_criminal;
END;
$$;

-- ---- triggers -----------------------------------------------------------------

CREATE FUNCTION report_subpoena_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM report_deferred) THEN
        UPDATE report_deferred SET subpoenas = true WHERE NOT subpoenas;
    ELSE
        PERFORM report_count_subpoena(NEW.id, 1);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_subpoena_insert AFTER INSERT ON subpoenas
    FOR EACH ROW EXECUTE FUNCTION report_subpoena_insert();

CREATE FUNCTION report_subpoena_old() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_subpoena(OLD.id, -1);
    RETURN NEW;
END;
$$;
CREATE FUNCTION report_subpoena_new() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_subpoena(NEW.id, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_subpoena_update_old BEFORE UPDATE ON subpoenas
    FOR EACH ROW
    WHEN (OLD.served_at IS DISTINCT FROM NEW.served_at
       OR OLD.responded_at IS DISTINCT FROM NEW.responded_at
       OR OLD.disposition IS DISTINCT FROM NEW.disposition
       OR OLD.return_date IS DISTINCT FROM NEW.return_date
       OR OLD.original_return_date IS DISTINCT FROM NEW.original_return_date
       OR OLD.state IS DISTINCT FROM NEW.state
       OR OLD.recipient_org_id IS DISTINCT FROM NEW.recipient_org_id)
    EXECUTE FUNCTION report_subpoena_old();
CREATE TRIGGER report_subpoena_update_new AFTER UPDATE ON subpoenas
    FOR EACH ROW
    WHEN (OLD.served_at IS DISTINCT FROM NEW.served_at
       OR OLD.responded_at IS DISTINCT FROM NEW.responded_at
       OR OLD.disposition IS DISTINCT FROM NEW.disposition
       OR OLD.return_date IS DISTINCT FROM NEW.return_date
       OR OLD.original_return_date IS DISTINCT FROM NEW.original_return_date
       OR OLD.state IS DISTINCT FROM NEW.state
       OR OLD.recipient_org_id IS DISTINCT FROM NEW.recipient_org_id)
    EXECUTE FUNCTION report_subpoena_new();

CREATE FUNCTION report_item_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_items(NEW.subpoena_id, 1,
        (NEW.outcome IS NOT DISTINCT FROM 'produced')::int);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_item_insert AFTER INSERT ON subpoena_items
    FOR EACH ROW EXECUTE FUNCTION report_item_insert();

CREATE FUNCTION report_item_update() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_items(NEW.subpoena_id, 0,
        (NEW.outcome IS NOT DISTINCT FROM 'produced')::int
        - (OLD.outcome IS NOT DISTINCT FROM 'produced')::int);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_item_update AFTER UPDATE OF outcome ON subpoena_items
    FOR EACH ROW
    WHEN ((OLD.outcome IS NOT DISTINCT FROM 'produced')
          <> (NEW.outcome IS NOT DISTINCT FROM 'produced'))
    EXECUTE FUNCTION report_item_update();

CREATE FUNCTION report_item_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_items(OLD.subpoena_id, -1,
        -(OLD.outcome IS NOT DISTINCT FROM 'produced')::int);
    RETURN OLD;
END;
$$;
CREATE TRIGGER report_item_delete BEFORE DELETE ON subpoena_items
    FOR EACH ROW EXECUTE FUNCTION report_item_delete();

-- A detainer stored already decided (an import) or, in the rebuild, one
-- whose state has moved on: honored or declined as its state says;
-- transferred was honored; released or cancelled with a decline reason or
-- policy was declined, otherwise honored.
CREATE FUNCTION report_detainer_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM report_deferred) THEN
        INSERT INTO report_deferred_detainers (detainer_id) VALUES (NEW.id)
            ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    PERFORM report_count_detainer(NEW.id, 1);
    INSERT INTO report_detainer_decisions (detainer_id, org_id, day, decision,
                                           source)
    SELECT NEW.id, f.org_id, compel_local_date(NEW.decided_at, o.timezone),
           CASE
               WHEN NEW.state IN ('honored', 'declined') THEN NEW.state
               WHEN NEW.state = 'transferred' THEN 'honored'
               WHEN NEW.decline_policy_id IS NOT NULL
                    OR NEW.reason IS NOT NULL THEN 'declined'
               ELSE 'honored'
           END,
           NEW.outcome_source
    FROM facilities f JOIN organizations o ON o.id = f.org_id
    WHERE f.id = NEW.facility_id AND NEW.decided_at IS NOT NULL;
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_detainer_insert AFTER INSERT ON detainers
    FOR EACH ROW EXECUTE FUNCTION report_detainer_insert();

CREATE FUNCTION report_detainer_old() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_detainer(OLD.id, -1);
    RETURN NEW;
END;
$$;
CREATE FUNCTION report_detainer_new() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_detainer(NEW.id, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_detainer_update_old BEFORE UPDATE ON detainers
    FOR EACH ROW
    WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at
       OR OLD.facility_id IS DISTINCT FROM NEW.facility_id)
    EXECUTE FUNCTION report_detainer_old();
CREATE TRIGGER report_detainer_update_new AFTER UPDATE ON detainers
    FOR EACH ROW
    WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at
       OR OLD.facility_id IS DISTINCT FROM NEW.facility_id)
    EXECUTE FUNCTION report_detainer_new();

-- The decision is taken by the update that makes the detainer honored or
-- declined; its source is the outcome_source of that update (a later
-- release or transfer, with its own source, does not change it).
CREATE FUNCTION report_detainer_decide() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_detainer_decisions AS x (detainer_id, org_id, day,
                                                decision, source)
    SELECT NEW.id, f.org_id, compel_local_date(NEW.decided_at, o.timezone),
           NEW.state, NEW.outcome_source
    FROM facilities f JOIN organizations o ON o.id = f.org_id
    WHERE f.id = NEW.facility_id
    ON CONFLICT (detainer_id) DO UPDATE SET
        org_id = excluded.org_id, day = excluded.day,
        decision = excluded.decision, source = excluded.source;
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_detainer_decide AFTER UPDATE ON detainers
    FOR EACH ROW
    WHEN (NEW.state IN ('honored', 'declined') AND NEW.decided_at IS NOT NULL
          AND (OLD.state IS DISTINCT FROM NEW.state
               OR OLD.decided_at IS DISTINCT FROM NEW.decided_at))
    EXECUTE FUNCTION report_detainer_decide();

CREATE FUNCTION report_decision_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM report_deferred) THEN
        PERFORM report_count_decision(NEW.detainer_id, 1);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_decision_insert AFTER INSERT ON report_detainer_decisions
    FOR EACH ROW EXECUTE FUNCTION report_decision_insert();

CREATE FUNCTION report_decision_old() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_decision(OLD.detainer_id, -1);
    RETURN NEW;
END;
$$;
CREATE FUNCTION report_decision_new() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_decision(NEW.detainer_id, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_decision_update_old
    BEFORE UPDATE ON report_detainer_decisions
    FOR EACH ROW EXECUTE FUNCTION report_decision_old();
CREATE TRIGGER report_decision_update_new
    AFTER UPDATE ON report_detainer_decisions
    FOR EACH ROW EXECUTE FUNCTION report_decision_new();

CREATE FUNCTION report_enforcement_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_enforcement(NEW.id, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_enforcement_insert AFTER INSERT ON enforcements
    FOR EACH ROW EXECUTE FUNCTION report_enforcement_insert();

CREATE FUNCTION report_enforcement_old() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_enforcement(OLD.id, -1);
    RETURN NEW;
END;
$$;
CREATE FUNCTION report_enforcement_new() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_count_enforcement(NEW.id, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_enforcement_update_old BEFORE UPDATE ON enforcements
    FOR EACH ROW
    WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at
       OR OLD.respondent_org_id IS DISTINCT FROM NEW.respondent_org_id
       OR OLD.result IS DISTINCT FROM NEW.result
       OR OLD.entered_on IS DISTINCT FROM NEW.entered_on
       OR OLD.contempt_kind IS DISTINCT FROM NEW.contempt_kind
       OR OLD.starts_on IS DISTINCT FROM NEW.starts_on)
    EXECUTE FUNCTION report_enforcement_old();
CREATE TRIGGER report_enforcement_update_new AFTER UPDATE ON enforcements
    FOR EACH ROW
    WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at
       OR OLD.respondent_org_id IS DISTINCT FROM NEW.respondent_org_id
       OR OLD.result IS DISTINCT FROM NEW.result
       OR OLD.entered_on IS DISTINCT FROM NEW.entered_on
       OR OLD.contempt_kind IS DISTINCT FROM NEW.contempt_kind
       OR OLD.starts_on IS DISTINCT FROM NEW.starts_on)
    EXECUTE FUNCTION report_enforcement_new();

-- ---- bulk writes (store_reports.h: defer, catch up, rebuild) ---------------

-- At COMMIT: a deferral still running means the new cases were never
-- counted; refuse to commit rather than leave the aggregates short.
CREATE FUNCTION report_deferred_check() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM report_deferred) THEN
        RAISE EXCEPTION 'report aggregates deferred and not caught up'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER report_deferred_pending
    AFTER INSERT ON report_deferred
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION report_deferred_check();

-- 1 when deferred now, 0 when this transaction had deferred already.
CREATE FUNCTION compel_report_defer() RETURNS INTEGER
    LANGUAGE plpgsql AS $$
DECLARE
    n INTEGER;
BEGIN
    INSERT INTO report_deferred (one) VALUES (1) ON CONFLICT (one) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END;
$$;

-- Empty the aggregates and count every case again (what the triggers make
-- for cases inserted and never corrected); ends a deferral.
CREATE FUNCTION compel_report_rebuild() RETURNS INTEGER
    LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE report_counts, report_days, report_open,
               report_detainer_decisions IN SHARE ROW EXCLUSIVE MODE;
    -- the marker turns the decision trigger off while the decisions are
    -- written again below
    INSERT INTO report_deferred (one) VALUES (1) ON CONFLICT (one) DO NOTHING;
    DELETE FROM report_counts;
    DELETE FROM report_days;
    DELETE FROM report_open;
    DELETE FROM report_detainer_decisions;
    DELETE FROM report_deferred_detainers;
    INSERT INTO report_detainer_decisions (detainer_id, org_id, day,
                                           decision, source)
    SELECT d.id, f.org_id, compel_local_date(d.decided_at, o.timezone),
           CASE
               WHEN d.state IN ('honored', 'declined') THEN d.state
               WHEN d.state = 'transferred' THEN 'honored'
               WHEN d.decline_policy_id IS NOT NULL
                    OR d.reason IS NOT NULL THEN 'declined'
               ELSE 'honored'
           END,
           d.outcome_source
    FROM detainers d JOIN facilities f ON f.id = d.facility_id
    JOIN organizations o ON o.id = f.org_id
    WHERE d.decided_at IS NOT NULL;
    WITH rows AS (
        SELECT org_id, day, detainers_lodged, honored_reported, honored_observed, honored_inferred, declined_reported, declined_observed, declined_inferred, served, resolved, complied, partially_complied, no_records, objected, refused, on_time_original, on_time_extended, items_requested, items_produced, referred, orders_enforced, orders_enforced_in_part, orders_denied, contempt_civil, contempt_criminal
        FROM report_detainer_rows
        UNION ALL
        SELECT org_id, day, detainers_lodged, honored_reported, honored_observed, honored_inferred, declined_reported, declined_observed, declined_inferred, served, resolved, complied, partially_complied, no_records, objected, refused, on_time_original, on_time_extended, items_requested, items_produced, referred, orders_enforced, orders_enforced_in_part, orders_denied, contempt_civil, contempt_criminal
        FROM report_decision_rows
        UNION ALL
        SELECT org_id, day, detainers_lodged, honored_reported, honored_observed, honored_inferred, declined_reported, declined_observed, declined_inferred, served, resolved, complied, partially_complied, no_records, objected, refused, on_time_original, on_time_extended, items_requested, items_produced, referred, orders_enforced, orders_enforced_in_part, orders_denied, contempt_civil, contempt_criminal
        FROM report_subpoena_rows
        UNION ALL
        SELECT org_id, day, detainers_lodged, honored_reported, honored_observed, honored_inferred, declined_reported, declined_observed, declined_inferred, served, resolved, complied, partially_complied, no_records, objected, refused, on_time_original, on_time_extended, items_requested, items_produced, referred, orders_enforced, orders_enforced_in_part, orders_denied, contempt_civil, contempt_criminal
        FROM report_enforcement_rows
    ), dd AS (
        SELECT r.org_id, r.day,
               sum(r.detainers_lodged) AS detainers_lodged,
               sum(r.honored_reported) AS honored_reported,
               sum(r.honored_observed) AS honored_observed,
               sum(r.honored_inferred) AS honored_inferred,
               sum(r.declined_reported) AS declined_reported,
               sum(r.declined_observed) AS declined_observed,
               sum(r.declined_inferred) AS declined_inferred,
               sum(r.served) AS served,
               sum(r.resolved) AS resolved,
               sum(r.complied) AS complied,
               sum(r.partially_complied) AS partially_complied,
               sum(r.no_records) AS no_records,
               sum(r.objected) AS objected,
               sum(r.refused) AS refused,
               sum(r.on_time_original) AS on_time_original,
               sum(r.on_time_extended) AS on_time_extended,
               sum(r.items_requested) AS items_requested,
               sum(r.items_produced) AS items_produced,
               sum(r.referred) AS referred,
               sum(r.orders_enforced) AS orders_enforced,
               sum(r.orders_enforced_in_part) AS orders_enforced_in_part,
               sum(r.orders_denied) AS orders_denied,
               sum(r.contempt_civil) AS contempt_civil,
               sum(r.contempt_criminal) AS contempt_criminal
        FROM rows r GROUP BY r.org_id, r.day)
    INSERT INTO report_counts AS c (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied, partially_complied,
        no_records, objected, refused, on_time_original, on_time_extended,
        items_requested, items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT dd.org_id, CASE l.len WHEN 0 THEN '*' ELSE substr(dd.day, 1, l.len) END,
           sum(dd.detainers_lodged),
           sum(dd.honored_reported),
           sum(dd.honored_observed),
           sum(dd.honored_inferred),
           sum(dd.declined_reported),
           sum(dd.declined_observed),
           sum(dd.declined_inferred),
           sum(dd.served),
           sum(dd.resolved),
           sum(dd.complied),
           sum(dd.partially_complied),
           sum(dd.no_records),
           sum(dd.objected),
           sum(dd.refused),
           sum(dd.on_time_original),
           sum(dd.on_time_extended),
           sum(dd.items_requested),
           sum(dd.items_produced),
           sum(dd.referred),
           sum(dd.orders_enforced),
           sum(dd.orders_enforced_in_part),
           sum(dd.orders_denied),
           sum(dd.contempt_civil),
           sum(dd.contempt_criminal)
    FROM dd CROSS JOIN report_levels l
    GROUP BY 1, 2 ORDER BY 2, 1;
    -- days to response: per day, then rolled up; then each period's
    -- lower median in one pass over report_days in key order
    WITH hd AS (SELECT org_id, day, days, count(*) AS n
                FROM report_subpoena_days GROUP BY org_id, day, days)
    INSERT INTO report_days (period, org_id, days, n)
    SELECT CASE l.len WHEN 0 THEN '*' ELSE substr(hd.day, 1, l.len) END, hd.org_id, hd.days, sum(hd.n)
    FROM hd CROSS JOIN report_levels l GROUP BY 1, 2, 3;
    UPDATE report_counts c SET median_days = m.days FROM (
        SELECT h.period, h.org_id, min(h.days) AS days FROM (
            SELECT period, org_id, days,
                   sum(n) OVER (PARTITION BY period, org_id ORDER BY days
                                ROWS UNBOUNDED PRECEDING) AS cum,
                   sum(n) OVER (PARTITION BY period, org_id) AS total
            FROM report_days WHERE n > 0) h
        WHERE h.cum >= div(h.total - 1, 2) + 1
        GROUP BY h.period, h.org_id) m
    WHERE c.period = m.period AND c.org_id = m.org_id;
    INSERT INTO report_open (org_id, return_date, n)
    SELECT org_id, return_date, count(*)
    FROM report_subpoena_open GROUP BY 1, 2;
    DELETE FROM report_deferred;
    RETURN 1;
END;
$$;

-- Count what the cases inserted since compel_report_defer() contribute
-- and end the deferral: 1, or 0 when nothing was deferred. New detainers
-- alone are added (their decisions, then their lodging and decisions per
-- jurisdiction and day, rolled up); a new subpoena means a rebuild.
CREATE FUNCTION compel_report_catch_up() RETURNS INTEGER
    LANGUAGE plpgsql AS $$
DECLARE
    subs BOOLEAN;
BEGIN
    SELECT subpoenas INTO subs FROM report_deferred;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    IF subs THEN
        RETURN compel_report_rebuild();
    END IF;
    INSERT INTO report_detainer_decisions (detainer_id, org_id, day,
                                           decision, source)
    SELECT d.id, f.org_id, compel_local_date(d.decided_at, o.timezone),
           CASE
               WHEN d.state IN ('honored', 'declined') THEN d.state
               WHEN d.state = 'transferred' THEN 'honored'
               WHEN d.decline_policy_id IS NOT NULL
                    OR d.reason IS NOT NULL THEN 'declined'
               ELSE 'honored'
           END,
           d.outcome_source
    FROM detainers d JOIN facilities f ON f.id = d.facility_id
    JOIN organizations o ON o.id = f.org_id
    WHERE d.decided_at IS NOT NULL
      AND d.id IN (SELECT detainer_id FROM report_deferred_detainers);
    WITH rows AS (
        SELECT org_id, day, detainers_lodged, honored_reported, honored_observed, honored_inferred, declined_reported, declined_observed, declined_inferred, served, resolved, complied, partially_complied, no_records, objected, refused, on_time_original, on_time_extended, items_requested, items_produced, referred, orders_enforced, orders_enforced_in_part, orders_denied, contempt_civil, contempt_criminal
        FROM report_detainer_rows
        WHERE detainer_id IN (SELECT detainer_id FROM report_deferred_detainers)
        UNION ALL
        SELECT org_id, day, detainers_lodged, honored_reported, honored_observed, honored_inferred, declined_reported, declined_observed, declined_inferred, served, resolved, complied, partially_complied, no_records, objected, refused, on_time_original, on_time_extended, items_requested, items_produced, referred, orders_enforced, orders_enforced_in_part, orders_denied, contempt_civil, contempt_criminal
        FROM report_decision_rows
        WHERE detainer_id IN (SELECT detainer_id FROM report_deferred_detainers)
    ), dd AS (
        SELECT r.org_id, r.day,
               sum(r.detainers_lodged) AS detainers_lodged,
               sum(r.honored_reported) AS honored_reported,
               sum(r.honored_observed) AS honored_observed,
               sum(r.honored_inferred) AS honored_inferred,
               sum(r.declined_reported) AS declined_reported,
               sum(r.declined_observed) AS declined_observed,
               sum(r.declined_inferred) AS declined_inferred,
               sum(r.served) AS served,
               sum(r.resolved) AS resolved,
               sum(r.complied) AS complied,
               sum(r.partially_complied) AS partially_complied,
               sum(r.no_records) AS no_records,
               sum(r.objected) AS objected,
               sum(r.refused) AS refused,
               sum(r.on_time_original) AS on_time_original,
               sum(r.on_time_extended) AS on_time_extended,
               sum(r.items_requested) AS items_requested,
               sum(r.items_produced) AS items_produced,
               sum(r.referred) AS referred,
               sum(r.orders_enforced) AS orders_enforced,
               sum(r.orders_enforced_in_part) AS orders_enforced_in_part,
               sum(r.orders_denied) AS orders_denied,
               sum(r.contempt_civil) AS contempt_civil,
               sum(r.contempt_criminal) AS contempt_criminal
        FROM rows r GROUP BY r.org_id, r.day)
    INSERT INTO report_counts AS c (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied, partially_complied,
        no_records, objected, refused, on_time_original, on_time_extended,
        items_requested, items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT dd.org_id, CASE l.len WHEN 0 THEN '*' ELSE substr(dd.day, 1, l.len) END,
           sum(dd.detainers_lodged),
           sum(dd.honored_reported),
           sum(dd.honored_observed),
           sum(dd.honored_inferred),
           sum(dd.declined_reported),
           sum(dd.declined_observed),
           sum(dd.declined_inferred),
           sum(dd.served),
           sum(dd.resolved),
           sum(dd.complied),
           sum(dd.partially_complied),
           sum(dd.no_records),
           sum(dd.objected),
           sum(dd.refused),
           sum(dd.on_time_original),
           sum(dd.on_time_extended),
           sum(dd.items_requested),
           sum(dd.items_produced),
           sum(dd.referred),
           sum(dd.orders_enforced),
           sum(dd.orders_enforced_in_part),
           sum(dd.orders_denied),
           sum(dd.contempt_civil),
           sum(dd.contempt_criminal)
    FROM dd CROSS JOIN report_levels l
    GROUP BY 1, 2 ORDER BY 2, 1
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = c.detainers_lodged + excluded.detainers_lodged,
        honored_reported = c.honored_reported + excluded.honored_reported,
        honored_observed = c.honored_observed + excluded.honored_observed,
        honored_inferred = c.honored_inferred + excluded.honored_inferred,
        declined_reported = c.declined_reported + excluded.declined_reported,
        declined_observed = c.declined_observed + excluded.declined_observed,
        declined_inferred = c.declined_inferred + excluded.declined_inferred,
        served = c.served + excluded.served,
        resolved = c.resolved + excluded.resolved,
        complied = c.complied + excluded.complied,
        partially_complied = c.partially_complied + excluded.partially_complied,
        no_records = c.no_records + excluded.no_records,
        objected = c.objected + excluded.objected,
        refused = c.refused + excluded.refused,
        on_time_original = c.on_time_original + excluded.on_time_original,
        on_time_extended = c.on_time_extended + excluded.on_time_extended,
        items_requested = c.items_requested + excluded.items_requested,
        items_produced = c.items_produced + excluded.items_produced,
        referred = c.referred + excluded.referred,
        orders_enforced = c.orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = c.orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = c.orders_denied + excluded.orders_denied,
        contempt_civil = c.contempt_civil + excluded.contempt_civil,
        contempt_criminal = c.contempt_criminal + excluded.contempt_criminal;
    DELETE FROM report_deferred_detainers;
    DELETE FROM report_deferred;
    RETURN 1;
END;
$$;

-- ---- the queue ---------------------------------------------------------------
-- GET /api/v1/queue of a jurisdiction reads its served subpoenas and the
-- agency's lists by state (SQLite's 0006 adds these too; see h_queue.c).
CREATE INDEX report_queue_recipient
    ON subpoenas (recipient_org_id, state, created_at, id);
CREATE INDEX report_queue_agency
    ON subpoenas (agency_org_id, state, created_at, id);
