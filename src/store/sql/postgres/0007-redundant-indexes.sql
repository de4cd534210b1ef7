-- 0007-redundant-indexes.sql: no index that another holds whole.
--
-- Two indexes of subpoenas that others hold whole: subpoenas_recipient
-- (recipient_org_id, state, created_at) and subpoenas_agency
-- (agency_org_id, state, created_at) of the first migration are prefixes
-- of report_queue_recipient and report_queue_agency (the same columns,
-- then id), which serve every query they served. Each subpoena written
-- updated both copies; creating a subpoena now writes two index entries
-- fewer (docs/performance.md).
DROP INDEX subpoenas_recipient;
DROP INDEX subpoenas_agency;
