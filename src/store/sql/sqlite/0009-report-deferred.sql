-- 0009-report-deferred.sql: bulk writing without the per-row report
-- triggers (docs/reports.md, "Bulk writes"; docs/import.md).
--
-- A bulk import or a data generator writes a million cases in one
-- transaction; the insert triggers of 0006 would update report_counts four
-- times per case. Instead, the writer inserts one row into
-- report_deferred, which turns those insert triggers off, writes its cases,
-- and then adds what they contribute in one pass over the same views
-- (store_reports_catch_up, or store_reports_rebuild: src/store/sqlite/
-- sq_reports.c) and deletes the row, all in the same transaction. Nobody
-- else ever sees the row: it is never committed. The column `pending`
-- makes sure of that: it refers to a report level that does not exist
-- (-1), checked at COMMIT (DEFERRABLE INITIALLY DEFERRED), so a
-- transaction that forgot to catch up fails to commit rather than leave
-- the aggregates short.
--
-- The row also records where the new cases start: every case inserted
-- after it has a larger rowid than the largest one at that moment.

CREATE TABLE report_deferred (
    one             INTEGER PRIMARY KEY CHECK (one = 1),
    detainers_since INTEGER NOT NULL,
    subpoenas_since INTEGER NOT NULL,
    pending         INTEGER NOT NULL DEFAULT -1
                    REFERENCES report_levels (len)
                    DEFERRABLE INITIALLY DEFERRED
);

-- The insert triggers of 0006, unchanged but for the WHEN clause.
DROP TRIGGER report_subpoena_insert;
CREATE TRIGGER report_subpoena_insert AFTER INSERT ON subpoenas
    WHEN NOT EXISTS (SELECT 1 FROM report_deferred)
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

DROP TRIGGER report_detainer_insert;
CREATE TRIGGER report_detainer_insert AFTER INSERT ON detainers
    WHEN NOT EXISTS (SELECT 1 FROM report_deferred)
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

DROP TRIGGER report_decision_insert;
CREATE TRIGGER report_decision_insert AFTER INSERT ON report_detainer_decisions
    WHEN NOT EXISTS (SELECT 1 FROM report_deferred)
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
