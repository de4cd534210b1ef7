-- 0006-report-aggregates.sql: the jurisdiction report kept current by the
-- database (docs/reports.md has every definition).
--
-- Each measure is counted on a day: the jurisdiction's local date of the
-- fact it counts (service, response, lodging, decision, referral, order).
-- report_counts keeps the sum of every measure per (jurisdiction, period),
-- where a period is a day 'YYYY-MM-DD', a month 'YYYY-MM', a year 'YYYY' or
-- '*' (all time): every fact is added to its day, month, year and '*'. A
-- report over [from, to] adds up the fewest whole periods that cover the
-- range exactly (years, then months, then days at the edges), so any range
-- is exact and a report reads a few rows per jurisdiction, not the cases.
--
-- Triggers keep the tables current as cases change; an update subtracts
-- what the old row contributed and adds what the new one does, so a
-- service correction or a new return date moves counts between days.
--
-- compel_local_date(us, zone) is 'YYYY-MM-DD' of the instant `us`
-- (microseconds since the epoch, UTC) in the IANA zone `zone`, or NULL
-- when `us` is NULL. compel registers it on every connection
-- (store_reports.h); PostgreSQL writes it as
-- (to_timestamp(us / 1e6) AT TIME ZONE zone)::date.

-- The lengths of a period key cut from a date: day, month, year, and 0
-- for '*'.
CREATE TABLE report_levels (
    len INTEGER PRIMARY KEY CHECK (len IN (0, 4, 7, 10))
);
INSERT INTO report_levels (len) VALUES (10), (7), (4), (0);

-- Every measure per period and jurisdiction (docs/reports.md), keyed
-- period first so that the rows a report reads are next to each other.
CREATE TABLE report_counts (
    org_id TEXT NOT NULL,
    period TEXT NOT NULL,
    detainers_lodged INTEGER NOT NULL DEFAULT 0,
    honored_reported INTEGER NOT NULL DEFAULT 0,
    honored_observed INTEGER NOT NULL DEFAULT 0,
    honored_inferred INTEGER NOT NULL DEFAULT 0,
    declined_reported INTEGER NOT NULL DEFAULT 0,
    declined_observed INTEGER NOT NULL DEFAULT 0,
    declined_inferred INTEGER NOT NULL DEFAULT 0,
    served INTEGER NOT NULL DEFAULT 0,
    resolved INTEGER NOT NULL DEFAULT 0,
    complied INTEGER NOT NULL DEFAULT 0,
    partially_complied INTEGER NOT NULL DEFAULT 0,
    no_records INTEGER NOT NULL DEFAULT 0,
    objected INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    on_time_original INTEGER NOT NULL DEFAULT 0,
    on_time_extended INTEGER NOT NULL DEFAULT 0,
    items_requested INTEGER NOT NULL DEFAULT 0,
    items_produced INTEGER NOT NULL DEFAULT 0,
    referred INTEGER NOT NULL DEFAULT 0,
    orders_enforced INTEGER NOT NULL DEFAULT 0,
    orders_enforced_in_part INTEGER NOT NULL DEFAULT 0,
    orders_denied INTEGER NOT NULL DEFAULT 0,
    contempt_civil INTEGER NOT NULL DEFAULT 0,
    contempt_criminal INTEGER NOT NULL DEFAULT 0,
    -- the lower median of the period's days to response (report_days),
    -- kept so that a report over a single period reads no histogram
    median_days INTEGER,
    PRIMARY KEY (period, org_id)
) WITHOUT ROWID;

-- Days from service to response of the resolved subpoenas, a histogram
-- per period (for the median). Keyed period first: a report over one
-- period reads it in (org, days) order.
CREATE TABLE report_days (
    period TEXT NOT NULL,
    org_id TEXT NOT NULL,
    days   INTEGER NOT NULL,
    n      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, org_id, days)
) WITHOUT ROWID;

-- Served subpoenas awaiting a response, by the return date in force:
-- open = their sum; overdue = the sum of those due before today.
CREATE TABLE report_open (
    org_id      TEXT NOT NULL,
    return_date TEXT NOT NULL,
    n           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, return_date)
) WITHOUT ROWID;

-- The decision on each decided detainer, recorded once, when it was taken
-- (the detainer's state moves on to released or transferred later, so the
-- decision cannot be read back from the row).
CREATE TABLE report_detainer_decisions (
    detainer_id TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    day         TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('honored', 'declined')),
    source      TEXT CHECK (source IS NULL OR
                            source IN ('reported', 'observed', 'inferred'))
) WITHOUT ROWID;

-- ---- what each case contributes, as views -------------------------------
-- One row per (case, day it counts on) with a 0/1 per measure. The
-- triggers below and the backfill read the same views, so a measure is
-- defined once.

-- A subpoena: its jurisdiction's local dates of service and response.
CREATE VIEW report_subpoena_facts AS
SELECT p.id AS subpoena_id,
       p.recipient_org_id AS org_id,
       compel_local_date(p.served_at, o.timezone) AS served_on,
       compel_local_date(p.responded_at, o.timezone) AS responded_on,
       p.disposition, p.return_date, p.original_return_date
FROM subpoenas p JOIN organizations o ON o.id = p.recipient_org_id;

CREATE VIEW report_subpoena_rows AS
SELECT f.subpoena_id, f.org_id, f.served_on AS day,
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
SELECT f.subpoena_id, f.org_id, f.responded_on AS day,
       0 AS detainers_lodged,
       0 AS honored_reported,
       0 AS honored_observed,
       0 AS honored_inferred,
       0 AS declined_reported,
       0 AS declined_observed,
       0 AS declined_inferred,
       0 AS served,
       1 AS resolved,
       (f.disposition IS 'complied') AS complied,
       (f.disposition IS 'partially_complied') AS partially_complied,
       (f.disposition IS 'no_records') AS no_records,
       (f.disposition IS 'objected') AS objected,
       (f.disposition IS 'refused') AS refused,
       coalesce(f.responded_on <= f.original_return_date, 0) AS on_time_original,
       coalesce(f.responded_on <= f.return_date, 0) AS on_time_extended,
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
       CAST(julianday(f.responded_on) - julianday(f.served_on) AS INTEGER)
           AS days
FROM report_subpoena_facts f
WHERE f.responded_on IS NOT NULL AND f.served_on IS NOT NULL;

CREATE VIEW report_subpoena_open AS
SELECT p.id AS subpoena_id, p.recipient_org_id AS org_id, p.return_date
FROM subpoenas p
WHERE p.state = 'served' AND p.served_at IS NOT NULL
  AND p.responded_at IS NULL AND p.return_date IS NOT NULL;

-- A detainer counts as lodged with the jurisdiction of its facility.
CREATE VIEW report_detainer_rows AS
SELECT d.id AS detainer_id, f.org_id,
       compel_local_date(d.created_at, o.timezone) AS day,
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
SELECT x.detainer_id, x.org_id, x.day,
       0 AS detainers_lodged,
       (x.decision = 'honored' AND x.source IS 'reported') AS honored_reported,
       (x.decision = 'honored' AND x.source IS 'observed') AS honored_observed,
       (x.decision = 'honored' AND x.source IS 'inferred') AS honored_inferred,
       (x.decision = 'declined' AND x.source IS 'reported') AS declined_reported,
       (x.decision = 'declined' AND x.source IS 'observed') AS declined_observed,
       (x.decision = 'declined' AND x.source IS 'inferred') AS declined_inferred,
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
SELECT e.id AS enforcement_id, e.respondent_org_id AS org_id,
       compel_local_date(e.created_at, o.timezone) AS day,
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
SELECT e.id, e.respondent_org_id, e.entered_on,
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
       (e.result = 'enforced') AS orders_enforced,
       (e.result = 'enforced_in_part') AS orders_enforced_in_part,
       (e.result = 'denied') AS orders_denied,
       0 AS contempt_civil,
       0 AS contempt_criminal
FROM enforcements e
WHERE e.entered_on IS NOT NULL AND e.result IS NOT NULL
UNION ALL
SELECT e.id, e.respondent_org_id, e.starts_on,
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
       (e.contempt_kind = 'civil') AS contempt_civil,
       (e.contempt_kind = 'criminal') AS contempt_criminal
FROM enforcements e
WHERE e.starts_on IS NOT NULL AND e.contempt_kind IS NOT NULL;

-- ---- triggers -------------------------------------------------------------
-- An update subtracts what the row contributed before (BEFORE UPDATE: the
-- views still see the old row) and adds what it contributes after (AFTER
-- UPDATE), so a correction moves counts from the old day to the new one.

CREATE TRIGGER report_subpoena_insert AFTER INSERT ON subpoenas
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           r.detainers_lodged,
           r.honored_reported,
           r.honored_observed,
           r.honored_inferred,
           r.declined_reported,
           r.declined_observed,
           r.declined_inferred,
           r.served,
           r.resolved,
           r.complied,
           r.partially_complied,
           r.no_records,
           r.objected,
           r.refused,
           r.on_time_original,
           r.on_time_extended,
           r.items_requested,
           r.items_produced,
           r.referred,
           r.orders_enforced,
           r.orders_enforced_in_part,
           r.orders_denied,
           r.contempt_civil,
           r.contempt_criminal
    FROM report_subpoena_rows r JOIN report_levels l
    WHERE r.subpoena_id = NEW.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
    INSERT INTO report_days (period, org_id, days, n)
    SELECT CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END,
           r.org_id, r.days, 1
    FROM report_subpoena_days r JOIN report_levels l
    WHERE r.subpoena_id = NEW.id
    ON CONFLICT (period, org_id, days) DO UPDATE SET n = n + excluded.n;
    UPDATE report_counts SET median_days = (
        SELECT h.days FROM (
            SELECT d.days, sum(d.n) OVER (ORDER BY d.days) AS cum,
                   sum(d.n) OVER () AS total
            FROM report_days d
            WHERE d.period = report_counts.period
              AND d.org_id = report_counts.org_id AND d.n > 0) h
        WHERE h.cum >= (h.total - 1) / 2 + 1
        ORDER BY h.days LIMIT 1)
    WHERE (org_id, period) IN (
        SELECT r.org_id,
               CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END
        FROM report_subpoena_days r JOIN report_levels l
        WHERE r.subpoena_id = NEW.id);
    INSERT INTO report_open (org_id, return_date, n)
    SELECT r.org_id, r.return_date, 1
    FROM report_subpoena_open r
    WHERE r.subpoena_id = NEW.id
    ON CONFLICT (org_id, return_date) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER report_subpoena_update_old BEFORE UPDATE ON subpoenas
    WHEN OLD.served_at IS NOT NEW.served_at
      OR OLD.responded_at IS NOT NEW.responded_at
      OR OLD.disposition IS NOT NEW.disposition
      OR OLD.return_date IS NOT NEW.return_date
      OR OLD.original_return_date IS NOT NEW.original_return_date
      OR OLD.state IS NOT NEW.state
      OR OLD.recipient_org_id IS NOT NEW.recipient_org_id
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           -r.detainers_lodged,
           -r.honored_reported,
           -r.honored_observed,
           -r.honored_inferred,
           -r.declined_reported,
           -r.declined_observed,
           -r.declined_inferred,
           -r.served,
           -r.resolved,
           -r.complied,
           -r.partially_complied,
           -r.no_records,
           -r.objected,
           -r.refused,
           -r.on_time_original,
           -r.on_time_extended,
           -r.items_requested,
           -r.items_produced,
           -r.referred,
           -r.orders_enforced,
           -r.orders_enforced_in_part,
           -r.orders_denied,
           -r.contempt_civil,
           -r.contempt_criminal
    FROM report_subpoena_rows r JOIN report_levels l
    WHERE r.subpoena_id = OLD.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
    INSERT INTO report_days (period, org_id, days, n)
    SELECT CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END,
           r.org_id, r.days, -1
    FROM report_subpoena_days r JOIN report_levels l
    WHERE r.subpoena_id = OLD.id
    ON CONFLICT (period, org_id, days) DO UPDATE SET n = n + excluded.n;
    UPDATE report_counts SET median_days = (
        SELECT h.days FROM (
            SELECT d.days, sum(d.n) OVER (ORDER BY d.days) AS cum,
                   sum(d.n) OVER () AS total
            FROM report_days d
            WHERE d.period = report_counts.period
              AND d.org_id = report_counts.org_id AND d.n > 0) h
        WHERE h.cum >= (h.total - 1) / 2 + 1
        ORDER BY h.days LIMIT 1)
    WHERE (org_id, period) IN (
        SELECT r.org_id,
               CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END
        FROM report_subpoena_days r JOIN report_levels l
        WHERE r.subpoena_id = OLD.id);
    INSERT INTO report_open (org_id, return_date, n)
    SELECT r.org_id, r.return_date, -1
    FROM report_subpoena_open r
    WHERE r.subpoena_id = OLD.id
    ON CONFLICT (org_id, return_date) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER report_subpoena_update_new AFTER UPDATE ON subpoenas
    WHEN OLD.served_at IS NOT NEW.served_at
      OR OLD.responded_at IS NOT NEW.responded_at
      OR OLD.disposition IS NOT NEW.disposition
      OR OLD.return_date IS NOT NEW.return_date
      OR OLD.original_return_date IS NOT NEW.original_return_date
      OR OLD.state IS NOT NEW.state
      OR OLD.recipient_org_id IS NOT NEW.recipient_org_id
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           r.detainers_lodged,
           r.honored_reported,
           r.honored_observed,
           r.honored_inferred,
           r.declined_reported,
           r.declined_observed,
           r.declined_inferred,
           r.served,
           r.resolved,
           r.complied,
           r.partially_complied,
           r.no_records,
           r.objected,
           r.refused,
           r.on_time_original,
           r.on_time_extended,
           r.items_requested,
           r.items_produced,
           r.referred,
           r.orders_enforced,
           r.orders_enforced_in_part,
           r.orders_denied,
           r.contempt_civil,
           r.contempt_criminal
    FROM report_subpoena_rows r JOIN report_levels l
    WHERE r.subpoena_id = NEW.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
    INSERT INTO report_days (period, org_id, days, n)
    SELECT CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END,
           r.org_id, r.days, 1
    FROM report_subpoena_days r JOIN report_levels l
    WHERE r.subpoena_id = NEW.id
    ON CONFLICT (period, org_id, days) DO UPDATE SET n = n + excluded.n;
    UPDATE report_counts SET median_days = (
        SELECT h.days FROM (
            SELECT d.days, sum(d.n) OVER (ORDER BY d.days) AS cum,
                   sum(d.n) OVER () AS total
            FROM report_days d
            WHERE d.period = report_counts.period
              AND d.org_id = report_counts.org_id AND d.n > 0) h
        WHERE h.cum >= (h.total - 1) / 2 + 1
        ORDER BY h.days LIMIT 1)
    WHERE (org_id, period) IN (
        SELECT r.org_id,
               CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END
        FROM report_subpoena_days r JOIN report_levels l
        WHERE r.subpoena_id = NEW.id);
    INSERT INTO report_open (org_id, return_date, n)
    SELECT r.org_id, r.return_date, 1
    FROM report_subpoena_open r
    WHERE r.subpoena_id = NEW.id
    ON CONFLICT (org_id, return_date) DO UPDATE SET n = n + excluded.n;
END;

-- Items answered after (or before) the subpoena's own update: adjust the
-- item counts of its response day, if it has been answered.
CREATE TRIGGER report_item_insert AFTER INSERT ON subpoena_items
BEGIN
    INSERT INTO report_counts (org_id, period, items_requested, items_produced)
    SELECT f.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(f.responded_on, 1, l.len) END,
           1, NEW.outcome IS 'produced'
    FROM report_subpoena_facts f JOIN report_levels l
    WHERE f.subpoena_id = NEW.subpoena_id AND f.responded_on IS NOT NULL
    ON CONFLICT (period, org_id) DO UPDATE SET
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced;
END;

CREATE TRIGGER report_item_update AFTER UPDATE OF outcome ON subpoena_items
    WHEN (OLD.outcome IS 'produced') <> (NEW.outcome IS 'produced')
BEGIN
    INSERT INTO report_counts (org_id, period, items_produced)
    SELECT f.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(f.responded_on, 1, l.len) END,
           (NEW.outcome IS 'produced') - (OLD.outcome IS 'produced')
    FROM report_subpoena_facts f JOIN report_levels l
    WHERE f.subpoena_id = NEW.subpoena_id AND f.responded_on IS NOT NULL
    ON CONFLICT (period, org_id) DO UPDATE SET
        items_produced = items_produced + excluded.items_produced;
END;

CREATE TRIGGER report_item_delete BEFORE DELETE ON subpoena_items
BEGIN
    INSERT INTO report_counts (org_id, period, items_requested, items_produced)
    SELECT f.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(f.responded_on, 1, l.len) END,
           -1, -(OLD.outcome IS 'produced')
    FROM report_subpoena_facts f JOIN report_levels l
    WHERE f.subpoena_id = OLD.subpoena_id AND f.responded_on IS NOT NULL
    ON CONFLICT (period, org_id) DO UPDATE SET
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced;
END;

CREATE TRIGGER report_detainer_insert AFTER INSERT ON detainers
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           r.detainers_lodged,
           r.honored_reported,
           r.honored_observed,
           r.honored_inferred,
           r.declined_reported,
           r.declined_observed,
           r.declined_inferred,
           r.served,
           r.resolved,
           r.complied,
           r.partially_complied,
           r.no_records,
           r.objected,
           r.refused,
           r.on_time_original,
           r.on_time_extended,
           r.items_requested,
           r.items_produced,
           r.referred,
           r.orders_enforced,
           r.orders_enforced_in_part,
           r.orders_denied,
           r.contempt_civil,
           r.contempt_criminal
    FROM report_detainer_rows r JOIN report_levels l
    WHERE r.detainer_id = NEW.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
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
END;

CREATE TRIGGER report_detainer_update_old BEFORE UPDATE ON detainers
    WHEN OLD.created_at IS NOT NEW.created_at
      OR OLD.facility_id IS NOT NEW.facility_id
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           -r.detainers_lodged,
           -r.honored_reported,
           -r.honored_observed,
           -r.honored_inferred,
           -r.declined_reported,
           -r.declined_observed,
           -r.declined_inferred,
           -r.served,
           -r.resolved,
           -r.complied,
           -r.partially_complied,
           -r.no_records,
           -r.objected,
           -r.refused,
           -r.on_time_original,
           -r.on_time_extended,
           -r.items_requested,
           -r.items_produced,
           -r.referred,
           -r.orders_enforced,
           -r.orders_enforced_in_part,
           -r.orders_denied,
           -r.contempt_civil,
           -r.contempt_criminal
    FROM report_detainer_rows r JOIN report_levels l
    WHERE r.detainer_id = OLD.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
END;

CREATE TRIGGER report_detainer_update_new AFTER UPDATE ON detainers
    WHEN OLD.created_at IS NOT NEW.created_at
      OR OLD.facility_id IS NOT NEW.facility_id
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           r.detainers_lodged,
           r.honored_reported,
           r.honored_observed,
           r.honored_inferred,
           r.declined_reported,
           r.declined_observed,
           r.declined_inferred,
           r.served,
           r.resolved,
           r.complied,
           r.partially_complied,
           r.no_records,
           r.objected,
           r.refused,
           r.on_time_original,
           r.on_time_extended,
           r.items_requested,
           r.items_produced,
           r.referred,
           r.orders_enforced,
           r.orders_enforced_in_part,
           r.orders_denied,
           r.contempt_civil,
           r.contempt_criminal
    FROM report_detainer_rows r JOIN report_levels l
    WHERE r.detainer_id = NEW.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
END;

-- A detainer stored already decided (an import) or, in the backfill, one
-- whose state has moved on: honored or declined as its state says;
-- transferred was honored; released or cancelled with a decline reason or
-- policy was declined, otherwise honored.
-- The decision is taken by the update that makes the detainer honored or
-- declined; its source is the outcome_source of that update.
CREATE TRIGGER report_detainer_decide AFTER UPDATE ON detainers
    WHEN NEW.state IN ('honored', 'declined') AND NEW.decided_at IS NOT NULL
     AND (OLD.state IS NOT NEW.state OR OLD.decided_at IS NOT NEW.decided_at)
BEGIN
    INSERT INTO report_detainer_decisions (detainer_id, org_id, day, decision,
                                           source)
    SELECT NEW.id, f.org_id, compel_local_date(NEW.decided_at, o.timezone),
           NEW.state, NEW.outcome_source
    FROM facilities f JOIN organizations o ON o.id = f.org_id
    WHERE f.id = NEW.facility_id
    ON CONFLICT (detainer_id) DO UPDATE SET
        org_id = excluded.org_id, day = excluded.day,
        decision = excluded.decision, source = excluded.source;
END;

CREATE TRIGGER report_decision_insert AFTER INSERT ON report_detainer_decisions
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           r.detainers_lodged,
           r.honored_reported,
           r.honored_observed,
           r.honored_inferred,
           r.declined_reported,
           r.declined_observed,
           r.declined_inferred,
           r.served,
           r.resolved,
           r.complied,
           r.partially_complied,
           r.no_records,
           r.objected,
           r.refused,
           r.on_time_original,
           r.on_time_extended,
           r.items_requested,
           r.items_produced,
           r.referred,
           r.orders_enforced,
           r.orders_enforced_in_part,
           r.orders_denied,
           r.contempt_civil,
           r.contempt_criminal
    FROM report_decision_rows r JOIN report_levels l
    WHERE r.detainer_id = NEW.detainer_id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
END;

CREATE TRIGGER report_decision_update_old
    BEFORE UPDATE ON report_detainer_decisions
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           -r.detainers_lodged,
           -r.honored_reported,
           -r.honored_observed,
           -r.honored_inferred,
           -r.declined_reported,
           -r.declined_observed,
           -r.declined_inferred,
           -r.served,
           -r.resolved,
           -r.complied,
           -r.partially_complied,
           -r.no_records,
           -r.objected,
           -r.refused,
           -r.on_time_original,
           -r.on_time_extended,
           -r.items_requested,
           -r.items_produced,
           -r.referred,
           -r.orders_enforced,
           -r.orders_enforced_in_part,
           -r.orders_denied,
           -r.contempt_civil,
           -r.contempt_criminal
    FROM report_decision_rows r JOIN report_levels l
    WHERE r.detainer_id = OLD.detainer_id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
END;

CREATE TRIGGER report_decision_update_new
    AFTER UPDATE ON report_detainer_decisions
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           r.detainers_lodged,
           r.honored_reported,
           r.honored_observed,
           r.honored_inferred,
           r.declined_reported,
           r.declined_observed,
           r.declined_inferred,
           r.served,
           r.resolved,
           r.complied,
           r.partially_complied,
           r.no_records,
           r.objected,
           r.refused,
           r.on_time_original,
           r.on_time_extended,
           r.items_requested,
           r.items_produced,
           r.referred,
           r.orders_enforced,
           r.orders_enforced_in_part,
           r.orders_denied,
           r.contempt_civil,
           r.contempt_criminal
    FROM report_decision_rows r JOIN report_levels l
    WHERE r.detainer_id = NEW.detainer_id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
END;

CREATE TRIGGER report_enforcement_insert AFTER INSERT ON enforcements
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           r.detainers_lodged,
           r.honored_reported,
           r.honored_observed,
           r.honored_inferred,
           r.declined_reported,
           r.declined_observed,
           r.declined_inferred,
           r.served,
           r.resolved,
           r.complied,
           r.partially_complied,
           r.no_records,
           r.objected,
           r.refused,
           r.on_time_original,
           r.on_time_extended,
           r.items_requested,
           r.items_produced,
           r.referred,
           r.orders_enforced,
           r.orders_enforced_in_part,
           r.orders_denied,
           r.contempt_civil,
           r.contempt_criminal
    FROM report_enforcement_rows r JOIN report_levels l
    WHERE r.enforcement_id = NEW.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
END;

CREATE TRIGGER report_enforcement_update_old BEFORE UPDATE ON enforcements
    WHEN OLD.created_at IS NOT NEW.created_at
      OR OLD.respondent_org_id IS NOT NEW.respondent_org_id
      OR OLD.result IS NOT NEW.result
      OR OLD.entered_on IS NOT NEW.entered_on
      OR OLD.contempt_kind IS NOT NEW.contempt_kind
      OR OLD.starts_on IS NOT NEW.starts_on
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           -r.detainers_lodged,
           -r.honored_reported,
           -r.honored_observed,
           -r.honored_inferred,
           -r.declined_reported,
           -r.declined_observed,
           -r.declined_inferred,
           -r.served,
           -r.resolved,
           -r.complied,
           -r.partially_complied,
           -r.no_records,
           -r.objected,
           -r.refused,
           -r.on_time_original,
           -r.on_time_extended,
           -r.items_requested,
           -r.items_produced,
           -r.referred,
           -r.orders_enforced,
           -r.orders_enforced_in_part,
           -r.orders_denied,
           -r.contempt_civil,
           -r.contempt_criminal
    FROM report_enforcement_rows r JOIN report_levels l
    WHERE r.enforcement_id = OLD.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
END;

CREATE TRIGGER report_enforcement_update_new AFTER UPDATE ON enforcements
    WHEN OLD.created_at IS NOT NEW.created_at
      OR OLD.respondent_org_id IS NOT NEW.respondent_org_id
      OR OLD.result IS NOT NEW.result
      OR OLD.entered_on IS NOT NEW.entered_on
      OR OLD.contempt_kind IS NOT NEW.contempt_kind
      OR OLD.starts_on IS NOT NEW.starts_on
BEGIN
    INSERT INTO report_counts (org_id, period,
        detainers_lodged, honored_reported, honored_observed,
        honored_inferred, declined_reported, declined_observed,
        declined_inferred, served, resolved, complied,
        partially_complied, no_records, objected, refused,
        on_time_original, on_time_extended, items_requested,
        items_produced, referred, orders_enforced,
        orders_enforced_in_part, orders_denied, contempt_civil,
        contempt_criminal)
    SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                     ELSE substr(r.day, 1, l.len) END,
           r.detainers_lodged,
           r.honored_reported,
           r.honored_observed,
           r.honored_inferred,
           r.declined_reported,
           r.declined_observed,
           r.declined_inferred,
           r.served,
           r.resolved,
           r.complied,
           r.partially_complied,
           r.no_records,
           r.objected,
           r.refused,
           r.on_time_original,
           r.on_time_extended,
           r.items_requested,
           r.items_produced,
           r.referred,
           r.orders_enforced,
           r.orders_enforced_in_part,
           r.orders_denied,
           r.contempt_civil,
           r.contempt_criminal
    FROM report_enforcement_rows r JOIN report_levels l
    WHERE r.enforcement_id = NEW.id
    ON CONFLICT (period, org_id) DO UPDATE SET
        detainers_lodged = detainers_lodged + excluded.detainers_lodged,
        honored_reported = honored_reported + excluded.honored_reported,
        honored_observed = honored_observed + excluded.honored_observed,
        honored_inferred = honored_inferred + excluded.honored_inferred,
        declined_reported = declined_reported + excluded.declined_reported,
        declined_observed = declined_observed + excluded.declined_observed,
        declined_inferred = declined_inferred + excluded.declined_inferred,
        served = served + excluded.served,
        resolved = resolved + excluded.resolved,
        complied = complied + excluded.complied,
        partially_complied = partially_complied + excluded.partially_complied,
        no_records = no_records + excluded.no_records,
        objected = objected + excluded.objected,
        refused = refused + excluded.refused,
        on_time_original = on_time_original + excluded.on_time_original,
        on_time_extended = on_time_extended + excluded.on_time_extended,
        items_requested = items_requested + excluded.items_requested,
        items_produced = items_produced + excluded.items_produced,
        referred = referred + excluded.referred,
        orders_enforced = orders_enforced + excluded.orders_enforced,
        orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
        orders_denied = orders_denied + excluded.orders_denied,
        contempt_civil = contempt_civil + excluded.contempt_civil,
        contempt_criminal = contempt_criminal + excluded.contempt_criminal;
END;

-- ---- backfill ---------------------------------------------------------------
-- Cases recorded before this migration. The same statements make
-- store_reports_rebuild (src/store/sqlite/sq_reports.c).

INSERT INTO report_detainer_decisions (detainer_id, org_id, day, decision,
                                       source)
SELECT d.id, f.org_id, compel_local_date(d.decided_at, o.timezone),
       CASE
           WHEN d.state IN ('honored', 'declined') THEN d.state
           WHEN d.state = 'transferred' THEN 'honored'
           WHEN d.decline_policy_id IS NOT NULL OR d.reason IS NOT NULL
               THEN 'declined'
           ELSE 'honored'
       END,
       d.outcome_source
FROM detainers d
JOIN facilities f ON f.id = d.facility_id
JOIN organizations o ON o.id = f.org_id
WHERE d.decided_at IS NOT NULL;
INSERT INTO report_counts (org_id, period,
    detainers_lodged, honored_reported, honored_observed,
    honored_inferred, declined_reported, declined_observed,
    declined_inferred, served, resolved, complied, partially_complied,
    no_records, objected, refused, on_time_original, on_time_extended,
    items_requested, items_produced, referred, orders_enforced,
    orders_enforced_in_part, orders_denied, contempt_civil,
    contempt_criminal)
SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                 ELSE substr(r.day, 1, l.len) END,
       sum(r.detainers_lodged),
       sum(r.honored_reported),
       sum(r.honored_observed),
       sum(r.honored_inferred),
       sum(r.declined_reported),
       sum(r.declined_observed),
       sum(r.declined_inferred),
       sum(r.served),
       sum(r.resolved),
       sum(r.complied),
       sum(r.partially_complied),
       sum(r.no_records),
       sum(r.objected),
       sum(r.refused),
       sum(r.on_time_original),
       sum(r.on_time_extended),
       sum(r.items_requested),
       sum(r.items_produced),
       sum(r.referred),
       sum(r.orders_enforced),
       sum(r.orders_enforced_in_part),
       sum(r.orders_denied),
       sum(r.contempt_civil),
       sum(r.contempt_criminal)
FROM report_subpoena_rows r JOIN report_levels l
WHERE true
GROUP BY 1, 2
ON CONFLICT (period, org_id) DO UPDATE SET
    detainers_lodged = detainers_lodged + excluded.detainers_lodged,
    honored_reported = honored_reported + excluded.honored_reported,
    honored_observed = honored_observed + excluded.honored_observed,
    honored_inferred = honored_inferred + excluded.honored_inferred,
    declined_reported = declined_reported + excluded.declined_reported,
    declined_observed = declined_observed + excluded.declined_observed,
    declined_inferred = declined_inferred + excluded.declined_inferred,
    served = served + excluded.served,
    resolved = resolved + excluded.resolved,
    complied = complied + excluded.complied,
    partially_complied = partially_complied + excluded.partially_complied,
    no_records = no_records + excluded.no_records,
    objected = objected + excluded.objected,
    refused = refused + excluded.refused,
    on_time_original = on_time_original + excluded.on_time_original,
    on_time_extended = on_time_extended + excluded.on_time_extended,
    items_requested = items_requested + excluded.items_requested,
    items_produced = items_produced + excluded.items_produced,
    referred = referred + excluded.referred,
    orders_enforced = orders_enforced + excluded.orders_enforced,
    orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
    orders_denied = orders_denied + excluded.orders_denied,
    contempt_civil = contempt_civil + excluded.contempt_civil,
    contempt_criminal = contempt_criminal + excluded.contempt_criminal;
INSERT INTO report_counts (org_id, period,
    detainers_lodged, honored_reported, honored_observed,
    honored_inferred, declined_reported, declined_observed,
    declined_inferred, served, resolved, complied, partially_complied,
    no_records, objected, refused, on_time_original, on_time_extended,
    items_requested, items_produced, referred, orders_enforced,
    orders_enforced_in_part, orders_denied, contempt_civil,
    contempt_criminal)
SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                 ELSE substr(r.day, 1, l.len) END,
       sum(r.detainers_lodged),
       sum(r.honored_reported),
       sum(r.honored_observed),
       sum(r.honored_inferred),
       sum(r.declined_reported),
       sum(r.declined_observed),
       sum(r.declined_inferred),
       sum(r.served),
       sum(r.resolved),
       sum(r.complied),
       sum(r.partially_complied),
       sum(r.no_records),
       sum(r.objected),
       sum(r.refused),
       sum(r.on_time_original),
       sum(r.on_time_extended),
       sum(r.items_requested),
       sum(r.items_produced),
       sum(r.referred),
       sum(r.orders_enforced),
       sum(r.orders_enforced_in_part),
       sum(r.orders_denied),
       sum(r.contempt_civil),
       sum(r.contempt_criminal)
FROM report_detainer_rows r JOIN report_levels l
WHERE true
GROUP BY 1, 2
ON CONFLICT (period, org_id) DO UPDATE SET
    detainers_lodged = detainers_lodged + excluded.detainers_lodged,
    honored_reported = honored_reported + excluded.honored_reported,
    honored_observed = honored_observed + excluded.honored_observed,
    honored_inferred = honored_inferred + excluded.honored_inferred,
    declined_reported = declined_reported + excluded.declined_reported,
    declined_observed = declined_observed + excluded.declined_observed,
    declined_inferred = declined_inferred + excluded.declined_inferred,
    served = served + excluded.served,
    resolved = resolved + excluded.resolved,
    complied = complied + excluded.complied,
    partially_complied = partially_complied + excluded.partially_complied,
    no_records = no_records + excluded.no_records,
    objected = objected + excluded.objected,
    refused = refused + excluded.refused,
    on_time_original = on_time_original + excluded.on_time_original,
    on_time_extended = on_time_extended + excluded.on_time_extended,
    items_requested = items_requested + excluded.items_requested,
    items_produced = items_produced + excluded.items_produced,
    referred = referred + excluded.referred,
    orders_enforced = orders_enforced + excluded.orders_enforced,
    orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
    orders_denied = orders_denied + excluded.orders_denied,
    contempt_civil = contempt_civil + excluded.contempt_civil,
    contempt_criminal = contempt_criminal + excluded.contempt_criminal;
INSERT INTO report_counts (org_id, period,
    detainers_lodged, honored_reported, honored_observed,
    honored_inferred, declined_reported, declined_observed,
    declined_inferred, served, resolved, complied, partially_complied,
    no_records, objected, refused, on_time_original, on_time_extended,
    items_requested, items_produced, referred, orders_enforced,
    orders_enforced_in_part, orders_denied, contempt_civil,
    contempt_criminal)
SELECT r.org_id, CASE l.len WHEN 0 THEN '*'
                 ELSE substr(r.day, 1, l.len) END,
       sum(r.detainers_lodged),
       sum(r.honored_reported),
       sum(r.honored_observed),
       sum(r.honored_inferred),
       sum(r.declined_reported),
       sum(r.declined_observed),
       sum(r.declined_inferred),
       sum(r.served),
       sum(r.resolved),
       sum(r.complied),
       sum(r.partially_complied),
       sum(r.no_records),
       sum(r.objected),
       sum(r.refused),
       sum(r.on_time_original),
       sum(r.on_time_extended),
       sum(r.items_requested),
       sum(r.items_produced),
       sum(r.referred),
       sum(r.orders_enforced),
       sum(r.orders_enforced_in_part),
       sum(r.orders_denied),
       sum(r.contempt_civil),
       sum(r.contempt_criminal)
FROM report_enforcement_rows r JOIN report_levels l
WHERE true
GROUP BY 1, 2
ON CONFLICT (period, org_id) DO UPDATE SET
    detainers_lodged = detainers_lodged + excluded.detainers_lodged,
    honored_reported = honored_reported + excluded.honored_reported,
    honored_observed = honored_observed + excluded.honored_observed,
    honored_inferred = honored_inferred + excluded.honored_inferred,
    declined_reported = declined_reported + excluded.declined_reported,
    declined_observed = declined_observed + excluded.declined_observed,
    declined_inferred = declined_inferred + excluded.declined_inferred,
    served = served + excluded.served,
    resolved = resolved + excluded.resolved,
    complied = complied + excluded.complied,
    partially_complied = partially_complied + excluded.partially_complied,
    no_records = no_records + excluded.no_records,
    objected = objected + excluded.objected,
    refused = refused + excluded.refused,
    on_time_original = on_time_original + excluded.on_time_original,
    on_time_extended = on_time_extended + excluded.on_time_extended,
    items_requested = items_requested + excluded.items_requested,
    items_produced = items_produced + excluded.items_produced,
    referred = referred + excluded.referred,
    orders_enforced = orders_enforced + excluded.orders_enforced,
    orders_enforced_in_part = orders_enforced_in_part + excluded.orders_enforced_in_part,
    orders_denied = orders_denied + excluded.orders_denied,
    contempt_civil = contempt_civil + excluded.contempt_civil,
    contempt_criminal = contempt_criminal + excluded.contempt_criminal;
INSERT INTO report_days (period, org_id, days, n)
SELECT CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END,
       r.org_id, r.days, count(*)
FROM report_subpoena_days r JOIN report_levels l
WHERE true
GROUP BY 1, 2, 3
ON CONFLICT (period, org_id, days) DO UPDATE SET n = n + excluded.n;
UPDATE report_counts SET median_days = (
    SELECT h.days FROM (
        SELECT d.days, sum(d.n) OVER (ORDER BY d.days) AS cum,
               sum(d.n) OVER () AS total
        FROM report_days d
        WHERE d.period = report_counts.period
          AND d.org_id = report_counts.org_id AND d.n > 0) h
    WHERE h.cum >= (h.total - 1) / 2 + 1
    ORDER BY h.days LIMIT 1)
WHERE (org_id, period) IN (
    SELECT r.org_id,
           CASE l.len WHEN 0 THEN '*' ELSE substr(r.day, 1, l.len) END
    FROM report_subpoena_days r JOIN report_levels l
    WHERE true);
INSERT INTO report_open (org_id, return_date, n)
SELECT r.org_id, r.return_date, count(*)
FROM report_subpoena_open r
WHERE true
GROUP BY 1, 2
ON CONFLICT (org_id, return_date) DO UPDATE SET n = n + excluded.n;

-- ---- the queue ---------------------------------------------------------------
-- GET /api/v1/queue of a jurisdiction reads its served subpoenas and
-- the agency's lists by state; these keep that an index lookup at any
-- size (see h_queue.c).
CREATE INDEX report_queue_recipient
    ON subpoenas (recipient_org_id, state, created_at, id);
CREATE INDEX report_queue_agency
    ON subpoenas (agency_org_id, state, created_at, id);
