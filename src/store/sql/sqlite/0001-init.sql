-- 0001-init.sql: compel's first schema for SQLite.
--
-- Conventions (the store's contract, src/store/store.h):
--   * ids are TEXT opaque ids (22 characters of base64url, cm_id_new());
--   * every timestamp column is an INTEGER of microseconds since the Unix
--     epoch, UTC, supplied by the caller's clock;
--   * calendar dates are TEXT 'YYYY-MM-DD'; money is INTEGER cents;
--   * every resource row has id, version (+1 per change), created_at and
--     updated_at;
--   * personal fields are encrypted above the store and kept here as BLOBs;
--     exact-match search uses blind-index BLOB columns (keyed hashes);
--   * enumerations are the API's stable snake_case names, checked here.
-- The runner applies this file in one transaction and records it in
-- schema_migrations, which it creates itself.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Organizations: the agency's offices, the local jurisdictions, DOJ offices.
CREATE TABLE organizations (
    id         TEXT PRIMARY KEY CHECK (length(id) = 22),
    version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    kind       TEXT NOT NULL
               CHECK (kind IN ('agency_office', 'jurisdiction', 'doj_office')),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    state      TEXT CHECK (state IS NULL OR state GLOB '[A-Z][A-Z]'),
    timezone   TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    requires_counsel_review INTEGER NOT NULL DEFAULT 0
               CHECK (requires_counsel_review IN (0, 1))
);
-- Many states have a Washington County: names are unique per state.
CREATE UNIQUE INDEX organizations_natural ON organizations (kind, state, name);
CREATE INDEX organizations_list ON organizations (created_at, id);

-- Facilities (jails) of a jurisdiction.
CREATE TABLE facilities (
    id         TEXT PRIMARY KEY CHECK (length(id) = 22),
    version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    timezone   TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    UNIQUE (org_id, name)
);
CREATE INDEX facilities_org ON facilities (org_id, created_at, id);

-- A jurisdiction's policy on detainers and subpoenas. Versioned: a new row
-- per change, never edited in place.
CREATE TABLE jurisdiction_policies (
    id             TEXT PRIMARY KEY CHECK (length(id) = 22),
    version        INTEGER NOT NULL DEFAULT 1 CHECK (version = 1),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    policy_version INTEGER NOT NULL CHECK (policy_version >= 1),
    effective_from TEXT NOT NULL
                   CHECK (effective_from GLOB
                          '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    detainers      TEXT NOT NULL
                   CHECK (detainers IN ('honor', 'decline', 'criteria')),
    release_notification INTEGER NOT NULL
                   CHECK (release_notification IN (0, 1)),
    subpoenas      TEXT NOT NULL
                   CHECK (subpoenas IN ('comply', 'court_order_only',
                                        'review')),
    citation       TEXT,
    summary        TEXT,
    created_by     TEXT,
    UNIQUE (org_id, policy_version)
);
CREATE INDEX jurisdiction_policies_in_force
    ON jurisdiction_policies (org_id, effective_from);
CREATE TRIGGER jurisdiction_policies_never_edited
    BEFORE UPDATE ON jurisdiction_policies
BEGIN
    SELECT RAISE(ABORT, 'jurisdiction policies are never edited');
END;

-- Users: one organization, a bit mask of roles (bit n = enum role n).
CREATE TABLE users (
    id             TEXT PRIMARY KEY CHECK (length(id) = 22),
    version        INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    email          TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    roles          INTEGER NOT NULL CHECK (roles > 0 AND roles < 512),
    title          TEXT,
    password_hash  TEXT,
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins  INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    first_failed_at INTEGER,
    locked_at      INTEGER,
    totp_secret    BLOB,
    totp_last_step INTEGER
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_org ON users (org_id, created_at, id);

-- Browser sessions: only hashes of the token and CSRF token are kept.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY CHECK (length(id) = 22),
    token_hash   BLOB NOT NULL UNIQUE,
    csrf_hash    BLOB NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    client_addr  TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- API tokens for programs: hash only, shown once at creation.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY CHECK (length(id) = 22),
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    token_hash   BLOB NOT NULL UNIQUE,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Documents: filed orders, proofs of service, delegations, productions.
-- The bytes are kept in `content`, or outside the database at `path`.
CREATE TABLE documents (
    id           TEXT PRIMARY KEY CHECK (length(id) = 22),
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    case_kind    TEXT CHECK (case_kind IS NULL OR
                             case_kind IN ('detainer', 'subpoena',
                                           'enforcement')),
    case_id      TEXT,
    kind         TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    filename     TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type TEXT NOT NULL,
    sha256       BLOB NOT NULL CHECK (length(sha256) = 32),
    size         INTEGER NOT NULL CHECK (size >= 0),
    uploaded_by  TEXT NOT NULL REFERENCES users (id),
    content      BLOB,
    path         TEXT,
    CHECK ((content IS NULL) <> (path IS NULL)),
    CHECK ((case_kind IS NULL) = (case_id IS NULL))
);
CREATE INDEX documents_case ON documents (case_kind, case_id, created_at);

-- Recorded delegations of subpoena authority (8 CFR 2.1).
CREATE TABLE delegations (
    id             TEXT PRIMARY KEY CHECK (length(id) = 22),
    version        INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id),
    authority      TEXT NOT NULL CHECK (length(authority) BETWEEN 1 AND 500),
    effective_from TEXT NOT NULL
                   CHECK (effective_from GLOB
                          '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    effective_to   TEXT
                   CHECK (effective_to IS NULL OR
                          (effective_to GLOB
                           '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'
                           AND effective_to >= effective_from)),
    document_id    TEXT REFERENCES documents (id),
    granted_by     TEXT REFERENCES users (id),
    revoked_at     INTEGER
);
CREATE INDEX delegations_user ON delegations (user_id, effective_from);

-- People: every personal field is ciphertext; *_bidx are blind indexes.
CREATE TABLE people (
    id               TEXT PRIMARY KEY CHECK (length(id) = 22),
    version          INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    family_name      BLOB NOT NULL,
    given_names      BLOB,
    date_of_birth    BLOB,
    identifiers      BLOB,
    aliases          BLOB,
    family_name_bidx BLOB NOT NULL,
    dob_bidx         BLOB,
    a_number_bidx    BLOB
);
CREATE INDEX people_family_name_bidx ON people (family_name_bidx);
CREATE INDEX people_dob_bidx ON people (dob_bidx);
CREATE INDEX people_a_number_bidx ON people (a_number_bidx);

-- Case numbers: one counter per kind and year, bumped in the transaction
-- that creates the case (DET-2026-000042).
CREATE TABLE case_counters (
    kind TEXT NOT NULL CHECK (kind IN ('DET', 'SUB', 'ENF')),
    year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    last INTEGER NOT NULL CHECK (last BETWEEN 1 AND 999999),
    PRIMARY KEY (kind, year)
) WITHOUT ROWID;

-- Detainers (Form I-247A).
CREATE TABLE detainers (
    id                   TEXT PRIMARY KEY CHECK (length(id) = 22),
    version              INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    number               TEXT NOT NULL UNIQUE
                         CHECK (number GLOB 'DET-[0-9][0-9][0-9][0-9]-*'),
    person_id            TEXT NOT NULL REFERENCES people (id),
    facility_id          TEXT NOT NULL REFERENCES facilities (id),
    agency_org_id        TEXT NOT NULL REFERENCES organizations (id),
    lodged_by            TEXT NOT NULL REFERENCES users (id),
    form                 TEXT NOT NULL CHECK (form IN ('I-247A')),
    basis                TEXT NOT NULL
                         CHECK (basis IN ('final_order', 'pending_proceedings',
                                          'biometric_match', 'statements')),
    hold_rule            TEXT NOT NULL
                         CHECK (hold_rule IN ('48h-clock',
                                              '48h-excluding-weekends-holidays',
                                              'frcp6-hours')),
    state                TEXT NOT NULL
                         CHECK (state IN ('lodged', 'acknowledged', 'honored',
                                          'declined', 'released',
                                          'transferred', 'cancelled')),
    outcome_source       TEXT
                         CHECK (outcome_source IS NULL OR
                                outcome_source IN ('reported', 'observed',
                                                   'inferred')),
    decline_policy_id    TEXT REFERENCES jurisdiction_policies (id),
    reason               TEXT,
    otherwise_release_at INTEGER,
    max_hold_until       INTEGER,
    released_at          INTEGER,
    transferred_at       INTEGER,
    notice_given         INTEGER CHECK (notice_given IS NULL OR
                                        notice_given IN (0, 1))
);
CREATE INDEX detainers_agency ON detainers (agency_org_id, state, created_at);
CREATE INDEX detainers_facility ON detainers (facility_id, state, created_at);
CREATE INDEX detainers_person ON detainers (person_id);
CREATE INDEX detainers_list ON detainers (created_at, id);

-- Administrative subpoenas (Form I-138).
CREATE TABLE subpoenas (
    id                   TEXT PRIMARY KEY CHECK (length(id) = 22),
    version              INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    number               TEXT NOT NULL UNIQUE
                         CHECK (number GLOB 'SUB-[0-9][0-9][0-9][0-9]-*'),
    agency_org_id        TEXT NOT NULL REFERENCES organizations (id),
    recipient_org_id     TEXT NOT NULL REFERENCES organizations (id),
    person_id            TEXT REFERENCES people (id),
    detainer_id          TEXT REFERENCES detainers (id),
    purpose              TEXT NOT NULL CHECK (length(purpose) >= 1),
    state                TEXT NOT NULL
                         CHECK (state IN ('draft', 'in_review',
                                          'ready_to_sign', 'signed',
                                          'served', 'responded', 'closed',
                                          'referred', 'withdrawn')),
    drafted_by           TEXT NOT NULL REFERENCES users (id),
    signed_by            TEXT REFERENCES users (id),
    signed_at            INTEGER,
    served_at            INTEGER,
    service_method       TEXT
                         CHECK (service_method IS NULL OR
                                service_method IN ('personal',
                                                   'certified_mail', 'email',
                                                   'courier')),
    served_to            TEXT,
    return_date          TEXT
                         CHECK (return_date IS NULL OR return_date GLOB
                                '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    original_return_date TEXT
                         CHECK (original_return_date IS NULL OR
                                original_return_date GLOB
                                '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    responded_at         INTEGER,
    disposition          TEXT
                         CHECK (disposition IS NULL OR
                                disposition IN ('complied',
                                                'partially_complied',
                                                'no_records', 'objected',
                                                'refused')),
    refusal_reason       TEXT,
    withdrawal_reason    TEXT,
    response_note        TEXT,
    enforcement_id       TEXT REFERENCES enforcements (id),
    CHECK (agency_org_id <> recipient_org_id),
    CHECK (signed_by IS NULL OR signed_by <> drafted_by)
);
CREATE INDEX subpoenas_recipient ON subpoenas (recipient_org_id, state,
                                               created_at);
CREATE INDEX subpoenas_agency ON subpoenas (agency_org_id, state, created_at);
CREATE INDEX subpoenas_due ON subpoenas (state, return_date);
CREATE INDEX subpoenas_person ON subpoenas (person_id);
CREATE INDEX subpoenas_detainer ON subpoenas (detainer_id);
CREATE INDEX subpoenas_list ON subpoenas (created_at, id);

-- The items a subpoena requests, one line each, and their outcomes. The
-- produced value is ciphertext.
CREATE TABLE subpoena_items (
    id          TEXT PRIMARY KEY CHECK (length(id) = 22),
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    subpoena_id TEXT NOT NULL REFERENCES subpoenas (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 1),
    category    TEXT NOT NULL
                CHECK (category IN ('home_address', 'work_address', 'phone',
                                    'employer', 'vehicle',
                                    'date_place_of_birth', 'bond_record',
                                    'id_documents', 'charges',
                                    'emergency_contacts', 'release_date',
                                    'other')),
    description TEXT,
    outcome     TEXT
                CHECK (outcome IS NULL OR
                       outcome IN ('produced', 'not_held', 'objected',
                                   'withheld')),
    ground      TEXT,
    value       BLOB,
    UNIQUE (subpoena_id, position)
);

-- Every change of a subpoena's return date; the first row keeps the
-- original date.
CREATE TABLE extensions (
    id              TEXT PRIMARY KEY CHECK (length(id) = 22),
    created_at      INTEGER NOT NULL,
    subpoena_id     TEXT NOT NULL REFERENCES subpoenas (id),
    old_return_date TEXT NOT NULL,
    new_return_date TEXT NOT NULL,
    reason          TEXT NOT NULL,
    extended_by     TEXT NOT NULL REFERENCES users (id),
    extended_at     INTEGER NOT NULL
);
CREATE INDEX extensions_subpoena ON extensions (subpoena_id, extended_at);

-- Court enforcement of a subpoena (8 U.S.C. 1225(d)(4)(B)).
CREATE TABLE enforcements (
    id                TEXT PRIMARY KEY CHECK (length(id) = 22),
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    number            TEXT NOT NULL UNIQUE
                      CHECK (number GLOB 'ENF-[0-9][0-9][0-9][0-9]-*'),
    subpoena_id       TEXT NOT NULL UNIQUE REFERENCES subpoenas (id),
    agency_org_id     TEXT NOT NULL REFERENCES organizations (id),
    respondent_org_id TEXT NOT NULL REFERENCES organizations (id),
    doj_org_id        TEXT REFERENCES organizations (id),
    state             TEXT NOT NULL
                      CHECK (state IN ('referred', 'petition_filed',
                                       'show_cause_issued', 'order_entered',
                                       'complied', 'contempt_motion',
                                       'in_contempt', 'purged', 'dismissed',
                                       'settled', 'closed')),
    court             TEXT,
    district          TEXT,
    docket_number     TEXT,
    filed_on          TEXT,
    hearing_on        TEXT,
    response_due      TEXT,
    result            TEXT
                      CHECK (result IS NULL OR
                             result IN ('enforced', 'enforced_in_part',
                                        'denied')),
    entered_on        TEXT,
    compliance_due    TEXT,
    contempt_kind     TEXT
                      CHECK (contempt_kind IS NULL OR
                             contempt_kind IN ('civil', 'criminal')),
    per_day_cents     INTEGER CHECK (per_day_cents IS NULL OR
                                     per_day_cents >= 0),
    fixed_cents       INTEGER CHECK (fixed_cents IS NULL OR fixed_cents >= 0),
    starts_on         TEXT,
    purged_on         TEXT,
    closed_reason     TEXT
);
CREATE INDEX enforcements_doj ON enforcements (doj_org_id, state, created_at);
CREATE INDEX enforcements_respondent ON enforcements (respondent_org_id,
                                                      state, created_at);
CREATE INDEX enforcements_agency ON enforcements (agency_org_id, state,
                                                  created_at);
CREATE INDEX enforcements_docket ON enforcements (district, docket_number);
CREATE INDEX enforcements_list ON enforcements (created_at, id);

-- The items an order kept when it enforced a subpoena in part.
CREATE TABLE enforcement_kept_items (
    enforcement_id TEXT NOT NULL REFERENCES enforcements (id),
    item_id        TEXT NOT NULL REFERENCES subpoena_items (id),
    PRIMARY KEY (enforcement_id, item_id)
) WITHOUT ROWID;

-- The timeline of every case: append-only, numbered per case.
CREATE TABLE events (
    case_kind TEXT NOT NULL
              CHECK (case_kind IN ('detainer', 'subpoena', 'enforcement')),
    case_id   TEXT NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    action    TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    actor_id  TEXT REFERENCES users (id),
    role      TEXT,
    at        INTEGER NOT NULL,
    details   TEXT CHECK (details IS NULL OR json_valid(details)),
    PRIMARY KEY (case_kind, case_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER events_never_edited BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_never_deleted BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Calendars for deadlines; each change makes a new version.
CREATE TABLE calendars (
    id              TEXT PRIMARY KEY CHECK (length(id) = 22),
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('federal', 'state')),
    org_id          TEXT REFERENCES organizations (id),
    calendar_version INTEGER NOT NULL DEFAULT 1 CHECK (calendar_version >= 1)
);

CREATE TABLE calendar_versions (
    calendar_id TEXT NOT NULL REFERENCES calendars (id),
    calendar_version INTEGER NOT NULL CHECK (calendar_version >= 1),
    created_at  INTEGER NOT NULL,
    created_by  TEXT REFERENCES users (id),
    note        TEXT,
    PRIMARY KEY (calendar_id, calendar_version)
) WITHOUT ROWID;

-- Dated closures (e.g. an executive order closing federal offices), each
-- with its source; valid from one calendar version, until removed.
CREATE TABLE calendar_closures (
    id            TEXT PRIMARY KEY CHECK (length(id) = 22),
    created_at    INTEGER NOT NULL,
    calendar_id   TEXT NOT NULL REFERENCES calendars (id),
    date          TEXT NOT NULL
                  CHECK (date GLOB
                         '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    name          TEXT NOT NULL,
    source        TEXT NOT NULL,
    added_in      INTEGER NOT NULL CHECK (added_in >= 1),
    removed_in    INTEGER CHECK (removed_in IS NULL OR removed_in > added_in),
    created_by    TEXT REFERENCES users (id)
);
CREATE INDEX calendar_closures_date ON calendar_closures (calendar_id, date);

-- A state's legal holidays, added by a jurisdiction to its calendar.
CREATE TABLE state_holidays (
    id            TEXT PRIMARY KEY CHECK (length(id) = 22),
    created_at    INTEGER NOT NULL,
    calendar_id   TEXT NOT NULL REFERENCES calendars (id),
    state         TEXT NOT NULL CHECK (state GLOB '[A-Z][A-Z]'),
    date          TEXT NOT NULL
                  CHECK (date GLOB
                         '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    name          TEXT NOT NULL,
    source        TEXT,
    added_in      INTEGER NOT NULL CHECK (added_in >= 1),
    removed_in    INTEGER CHECK (removed_in IS NULL OR removed_in > added_in)
);
CREATE INDEX state_holidays_date ON state_holidays (calendar_id, date);

-- Computed deadlines, stored with the rule and calendar version that made
-- them and the explanation ("why this date"). A date deadline has due_on,
-- an hour clock due_at.
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
    due_on           TEXT,
    due_at           INTEGER,
    rule_id          TEXT NOT NULL,
    calendar_id      TEXT REFERENCES calendars (id),
    calendar_version INTEGER,
    explanation      TEXT NOT NULL CHECK (json_valid(explanation)),
    trigger_kind     TEXT NOT NULL,
    trigger_on       TEXT,
    trigger_at       INTEGER,
    CHECK ((due_on IS NULL) <> (due_at IS NULL)),
    UNIQUE (case_kind, case_id, kind)
);
CREATE INDEX deadlines_due_on ON deadlines (due_on);
CREATE INDEX deadlines_due_at ON deadlines (due_at);

-- The audit trail: append-only and hash-chained. hash covers the row and
-- prev_hash (computed by src/audit/chain.c, above the store); the columns
-- are exactly the fields that chain.h encodes.
CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY CHECK (seq >= 1),
    at           INTEGER NOT NULL,
    actor_id     TEXT,
    org_id       TEXT,
    role         TEXT,
    session_hash TEXT,
    client_addr  TEXT,
    action       TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 128),
    object_kind  TEXT,
    object_id    TEXT,
    outcome      TEXT NOT NULL CHECK (length(outcome) BETWEEN 1 AND 32),
    detail       TEXT,
    prev_hash    BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash         BLOB NOT NULL UNIQUE CHECK (length(hash) = 32)
);
CREATE INDEX audit_actor ON audit (actor_id, at);
CREATE INDEX audit_object ON audit (object_kind, object_id, at);
CREATE INDEX audit_at ON audit (at);
CREATE TRIGGER audit_never_edited BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Idempotency-Key: the first response to a creating POST, kept 24 hours.
CREATE TABLE idempotency_keys (
    user_id         TEXT NOT NULL REFERENCES users (id),
    key             TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    request_hash    BLOB NOT NULL CHECK (length(request_hash) = 32),
    response_status INTEGER,
    response_body   BLOB,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

-- Background jobs (reminders, checkpoints), claimed so each runs once.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY CHECK (length(id) = 22),
    version       INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    payload       TEXT CHECK (payload IS NULL OR json_valid(payload)),
    run_at        INTEGER NOT NULL,
    claimed_by    TEXT,
    claimed_until INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error    TEXT,
    done_at       INTEGER,
    dead          INTEGER NOT NULL DEFAULT 0 CHECK (dead IN (0, 1))
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL AND dead = 0;

-- Fixed-window rate-limit counters, shared by every server instance.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY CHECK (length(bucket) BETWEEN 1 AND 255),
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL CHECK (count >= 0),
    updated_at   INTEGER NOT NULL
) WITHOUT ROWID;
