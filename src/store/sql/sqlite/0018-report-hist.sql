-- 0018-report-hist.sql: each period's days to response of each
-- jurisdiction as one packed histogram, beside report_days.
--
-- A report over several periods (a quarter, a range cut at days) sums the
-- histograms of its periods for each jurisdiction's median. Read from
-- report_days, that is one row per (period, jurisdiction, days): about
-- 25,000 rows a month at 1,000,000 subpoenas and 3,000 jurisdictions, and
-- ten times that at 10,000,000. report_hist holds one row per (period,
-- jurisdiction) with all of them in a blob: entries sorted by days, 16
-- bytes each (days and count, little-endian 64-bit integers), no entry
-- with a count of 0, so equal histograms are equal blobs whatever order
-- their counts were written in (compel_hist_put and compel_hist_pack,
-- src/store/sqlite/sq_reports.c). report_days stays: the single-period
-- medians are kept from it, and the copy between stores carries it.
--
-- Kept by the triggers below from every change to report_days, except
-- while report_deferred holds its row: a bulk write, whose catch-up
-- either leaves report_days alone (detainers only) or rebuilds it, and
-- the rebuild packs every histogram again at the end
-- (store_reports_rebuild).
CREATE TABLE report_hist (
    period TEXT NOT NULL,
    org_id TEXT NOT NULL,
    h      BLOB NOT NULL,
    PRIMARY KEY (period, org_id)
) WITHOUT ROWID;

INSERT INTO report_hist (period, org_id, h)
SELECT period, org_id, compel_hist_pack(days, n)
FROM report_days WHERE n <> 0
GROUP BY period, org_id;

CREATE TRIGGER report_hist_insert AFTER INSERT ON report_days
    WHEN NOT EXISTS (SELECT 1 FROM report_deferred)
BEGIN
    INSERT INTO report_hist (period, org_id, h)
    VALUES (NEW.period, NEW.org_id, compel_hist_put(NULL, NEW.days, NEW.n))
    ON CONFLICT (period, org_id)
    DO UPDATE SET h = compel_hist_put(h, NEW.days, NEW.n);
END;

-- The key of a report_days row never changes; its count does.
CREATE TRIGGER report_hist_update AFTER UPDATE OF n ON report_days
    WHEN NOT EXISTS (SELECT 1 FROM report_deferred)
BEGIN
    INSERT INTO report_hist (period, org_id, h)
    VALUES (NEW.period, NEW.org_id, compel_hist_put(NULL, NEW.days, NEW.n))
    ON CONFLICT (period, org_id)
    DO UPDATE SET h = compel_hist_put(h, NEW.days, NEW.n);
END;

CREATE TRIGGER report_hist_delete AFTER DELETE ON report_days
    WHEN NOT EXISTS (SELECT 1 FROM report_deferred)
BEGIN
    UPDATE report_hist SET h = compel_hist_put(h, OLD.days, 0)
    WHERE period = OLD.period AND org_id = OLD.org_id;
END;
