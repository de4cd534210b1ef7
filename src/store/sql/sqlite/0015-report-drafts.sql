-- 0015-report-drafts.sql: the report triggers skip what cannot count.
--
-- A subpoena counts in the reports once it is served or answered (the
-- views of 0006 select nothing else), and an item once its subpoena is
-- answered; but the insert triggers ran their four statements for every
-- new draft (the view queries, two local dates, the median update) and
-- for each of its items, on the single writer thread that every write
-- waits for: about a third of the instructions of creating a subpoena
-- over HTTP (docs/performance.md). The same triggers, with a WHEN clause
-- that lets them run only where their statements can find a row; the
-- aggregates are the same (tests/unit/test_report_bulk.c,
-- api.reports).

DROP TRIGGER report_subpoena_insert;
CREATE TRIGGER report_subpoena_insert AFTER INSERT ON subpoenas
    WHEN (NEW.served_at IS NOT NULL OR NEW.responded_at IS NOT NULL)
     AND NOT EXISTS (SELECT 1 FROM report_deferred)
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

DROP TRIGGER report_item_insert;
CREATE TRIGGER report_item_insert AFTER INSERT ON subpoena_items
    WHEN EXISTS (SELECT 1 FROM subpoenas p
                 WHERE p.id = NEW.subpoena_id AND p.responded_at IS NOT NULL)
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
