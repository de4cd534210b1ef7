-- 0007-reminders.sql: the job queue's natural keys, webhooks, the record
-- of every reminder delivered, and calendar feed tokens
-- (src/store/store_jobs.h).
--
--   * jobs.unique_key: a job made for a natural key (one reminder per
--     deadline, due date, lead time and recipient) is inserted once;
--     NULL for jobs without one (NULLs never collide);
--   * webhooks: endpoints an admin registered for an organization, with
--     their signing secret sealed by the master key; deleted ones keep
--     their row (deleted_at) so past deliveries still name them;
--   * deliveries: each reminder sent, by email or webhook, under a unique
--     key, written in the same transaction that completes its job;
--   * feed_tokens: one calendar feed token per user, hash only.

ALTER TABLE jobs ADD COLUMN unique_key TEXT
    CHECK (unique_key IS NULL OR length(unique_key) BETWEEN 1 AND 512);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
CREATE INDEX jobs_list ON jobs (dead, created_at, id);

CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY CHECK (length(id) = 22),
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    url         TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
    events      TEXT NOT NULL CHECK (length(events) BETWEEN 1 AND 512),
    secret      BLOB NOT NULL,
    created_by  TEXT REFERENCES users (id),
    deleted_at  INTEGER
);
CREATE INDEX webhooks_list ON webhooks (created_at, id);
CREATE INDEX webhooks_org ON webhooks (org_id) WHERE deleted_at IS NULL;

CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY CHECK (length(id) = 22),
    key          TEXT NOT NULL UNIQUE
                 CHECK (length(key) BETWEEN 1 AND 512),
    job_id       TEXT NOT NULL REFERENCES jobs (id),
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient_id TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (length(status) BETWEEN 1 AND 32),
    at           INTEGER NOT NULL
);
CREATE INDEX deliveries_job ON deliveries (job_id);

CREATE TABLE feed_tokens (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;
