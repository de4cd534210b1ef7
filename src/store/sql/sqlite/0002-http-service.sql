-- 0002-http-service.sql: what the HTTP service's store operations need
-- beyond 0001 (src/store/store_{auth,admin,cases,infra}.h).
--
--   * users.totp_enabled: a TOTP secret is pending until confirmed with a
--     code; secrets stored before this migration count as confirmed;
--   * detainers: when acknowledged and decided, and the cancel reason kept
--     apart from the decline reason;
--   * subpoenas.acknowledged_at;
--   * enforcements: the kept items as JSON text, and when it was closed;
--   * state_holidays: rules (fixed, nth_weekday, last_weekday, dated)
--     instead of dates only: rebuilt, keeping any rows as "dated";
--   * deadlines: one text `due` (a date or an RFC 3339 instant), the
--     trigger as text, a plain-text explanation and when it was computed:
--     rebuilt (no release wrote deadlines before this one);
--   * the "federal" calendar every installation has, with a fixed id
--     (STORE_FEDERAL_CALENDAR_ID in store_admin.h).

ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0
    CHECK (totp_enabled IN (0, 1));
UPDATE users SET totp_enabled = 1 WHERE totp_secret IS NOT NULL;

ALTER TABLE detainers ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE detainers ADD COLUMN decided_at INTEGER;
ALTER TABLE detainers ADD COLUMN cancel_reason TEXT;

ALTER TABLE subpoenas ADD COLUMN acknowledged_at INTEGER;

ALTER TABLE enforcements ADD COLUMN items_kept TEXT
    CHECK (items_kept IS NULL OR json_valid(items_kept));
ALTER TABLE enforcements ADD COLUMN closed_at INTEGER;

CREATE INDEX users_list ON users (org_id, id);
CREATE INDEX api_tokens_user_list ON api_tokens (user_id, created_at, id);
CREATE INDEX facilities_list ON facilities (created_at, id);
CREATE INDEX delegations_user_in_force
    ON delegations (user_id, effective_from, effective_to);
CREATE INDEX calendars_org ON calendars (org_id);

CREATE TABLE state_holidays_new (
    id          TEXT PRIMARY KEY CHECK (length(id) = 22),
    created_at  INTEGER NOT NULL,
    calendar_id TEXT NOT NULL REFERENCES calendars (id),
    kind        TEXT NOT NULL
                CHECK (kind IN ('fixed', 'nth_weekday', 'last_weekday',
                                'dated')),
    month       INTEGER CHECK (month IS NULL OR month BETWEEN 1 AND 12),
    day         INTEGER CHECK (day IS NULL OR day BETWEEN 1 AND 31),
    weekday     INTEGER CHECK (weekday IS NULL OR weekday BETWEEN 0 AND 6),
    nth         INTEGER CHECK (nth IS NULL OR nth BETWEEN 1 AND 5),
    date        TEXT
                CHECK (date IS NULL OR date GLOB
                       '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    source      TEXT,
    created_by  TEXT REFERENCES users (id),
    added_in    INTEGER NOT NULL CHECK (added_in >= 1),
    removed_in  INTEGER CHECK (removed_in IS NULL OR removed_in > added_in),
    CHECK (kind <> 'fixed' OR (month IS NOT NULL AND day IS NOT NULL)),
    CHECK (kind <> 'nth_weekday' OR
           (month IS NOT NULL AND weekday IS NOT NULL AND nth IS NOT NULL)),
    CHECK (kind <> 'last_weekday' OR
           (month IS NOT NULL AND weekday IS NOT NULL)),
    CHECK (kind <> 'dated' OR date IS NOT NULL)
);
INSERT INTO state_holidays_new (id, created_at, calendar_id, kind, date,
                                name, source, added_in, removed_in)
    SELECT id, created_at, calendar_id, 'dated', date, name, source,
           added_in, removed_in
    FROM state_holidays;
DROP TABLE state_holidays;
ALTER TABLE state_holidays_new RENAME TO state_holidays;
CREATE INDEX state_holidays_calendar ON state_holidays (calendar_id,
                                                        created_at, id);

DROP TABLE deadlines;
CREATE TABLE deadlines (
    id               TEXT PRIMARY KEY CHECK (length(id) = 22),
    version          INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    case_kind        TEXT NOT NULL
                     CHECK (case_kind IN ('detainer', 'subpoena',
                                          'enforcement')),
    case_id          TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    due              TEXT NOT NULL
                     CHECK (due GLOB
                            '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]*'),
    rule_id          TEXT NOT NULL,
    calendar_id      TEXT REFERENCES calendars (id),
    calendar_version INTEGER,
    triggered_by     TEXT,
    explanation      TEXT,
    computed_at      INTEGER NOT NULL,
    UNIQUE (case_kind, case_id, kind)
);
CREATE INDEX deadlines_due ON deadlines (due);

INSERT INTO calendars (id, version, created_at, updated_at, name, kind,
                       org_id, calendar_version)
    VALUES ('federal-calendar-00001', 1,
            CAST(strftime('%s', 'now') AS INTEGER) * 1000000,
            CAST(strftime('%s', 'now') AS INTEGER) * 1000000,
            'federal', 'federal', NULL, 1)
    ON CONFLICT DO NOTHING;
