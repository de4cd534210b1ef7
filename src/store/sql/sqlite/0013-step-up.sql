-- 0013-step-up.sql: when the person behind a session last proved who
-- they are (the login, or a step-up: POST /api/v1/session/step-up).
-- Signing a subpoena and an administrator's changes need that to be
-- recent (cfg step_up_minutes; docs/api.md "Step-up"). Sessions open
-- before this migration count from their login.

ALTER TABLE sessions ADD COLUMN authenticated_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET authenticated_at = created_at;
