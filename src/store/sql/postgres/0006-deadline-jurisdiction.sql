-- 0006-deadline-jurisdiction.sql: each deadline carries the jurisdiction
-- of its case (a detainer's facility's organization, a subpoena's
-- recipient, an enforcement case's respondent), so that the deadlines due
-- in a window for one jurisdiction (the queue of its booking staff,
-- custodians and counsel: GET /api/v1/queue) are found through an index
-- on (jurisdiction, due) instead of walking every organization's
-- deadlines of the window. The deadline writer (pg_deadline_upsert) sets
-- it from the case on every insert and recomputation; a case's
-- jurisdiction does not change once it has deadlines (a subpoena's
-- recipient is edited only as a draft). The same as SQLite's 0014.

ALTER TABLE deadlines ADD COLUMN jurisdiction_org_id TEXT;

UPDATE deadlines SET jurisdiction_org_id = CASE case_kind
    WHEN 'subpoena' THEN
        (SELECT p.recipient_org_id FROM subpoenas p
         WHERE p.id = deadlines.case_id)
    WHEN 'detainer' THEN
        (SELECT f.org_id FROM detainers d
         JOIN facilities f ON f.id = d.facility_id
         WHERE d.id = deadlines.case_id)
    WHEN 'enforcement' THEN
        (SELECT e.respondent_org_id FROM enforcements e
         WHERE e.id = deadlines.case_id)
END;

-- Both indexes hold the due list's whole order (due, case_kind, case_id,
-- kind), so that a walk stops at the list's limit: ordered by due alone,
-- every deadline of the limit's last day (thousands, in a busy week) had
-- to be read and sorted first.
DROP INDEX deadlines_due;
CREATE INDEX deadlines_due ON deadlines (due, case_kind, case_id, kind);
CREATE INDEX deadlines_jurisdiction_due
    ON deadlines (jurisdiction_org_id, due, case_kind, case_id, kind);
