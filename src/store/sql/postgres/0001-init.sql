-- 0001-init.sql: compel's schema for PostgreSQL, the same tables,
-- columns, constraints and indexes as the SQLite schema after its
-- migrations 0001 to 0009-report-deferred (src/store/sql/sqlite/),
-- except the report aggregates (SQLite 0006 and 0009-report-deferred),
-- which a later PostgreSQL migration adds.
--
-- Conventions (the store's contract, src/store/store.h), as on SQLite:
--   * ids are TEXT opaque ids (22 characters of base64url, cm_id_new());
--   * every timestamp is a BIGINT of microseconds since the Unix epoch,
--     UTC, supplied by the caller's clock; every other integer (versions,
--     counters, 0/1 flags, cents) is a BIGINT too;
--   * calendar dates are TEXT 'YYYY-MM-DD'; money is BIGINT cents;
--   * personal fields are encrypted above the store and kept as BYTEA;
--     exact-match search uses blind-index BYTEA columns (keyed hashes);
--   * enumerations are the API's snake_case names, checked here.
-- SQLite's GLOB patterns are regular expressions here, json_valid() is
-- compel_json_valid(), and RAISE(ABORT) in a trigger is compel_refuse().
-- The database must use the C collation (text sorts by bytes, as on
-- SQLite); the backend checks that when it connects.
-- The runner applies this file in one transaction and records it in
-- schema_migrations, which it creates itself.

CREATE FUNCTION compel_json_valid(t TEXT) RETURNS BOOLEAN
    LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    PERFORM t::json;
    RETURN true;
EXCEPTION WHEN others THEN
    RETURN false;
END;
$$;

-- The body of every "never edited" trigger: refuse with TG_ARGV[0].
CREATE FUNCTION compel_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Organizations: the agency's offices, the local jurisdictions, DOJ offices.
CREATE TABLE organizations (
    id         TEXT PRIMARY KEY CHECK (length(id) = 22),
    version    BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    kind       TEXT NOT NULL
               CHECK (kind IN ('agency_office', 'jurisdiction', 'doj_office')),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    state      TEXT CHECK (state IS NULL OR state ~ '^[A-Z][A-Z]$'),
    timezone   TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    requires_counsel_review BIGINT NOT NULL DEFAULT 0
               CHECK (requires_counsel_review IN (0, 1))
);
-- Many states have a Washington County: names are unique per state.
CREATE UNIQUE INDEX organizations_natural ON organizations (kind, state, name);
CREATE INDEX organizations_list ON organizations (created_at, id);

-- Facilities (jails) of a jurisdiction.
CREATE TABLE facilities (
    id         TEXT PRIMARY KEY CHECK (length(id) = 22),
    version    BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    timezone   TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    UNIQUE (org_id, name)
);
CREATE INDEX facilities_org ON facilities (org_id, created_at, id);
CREATE INDEX facilities_list ON facilities (created_at, id);

-- A jurisdiction's policy on detainers and subpoenas. Versioned: a new row
-- per change, never edited in place.
CREATE TABLE jurisdiction_policies (
    id             TEXT PRIMARY KEY CHECK (length(id) = 22),
    version        BIGINT NOT NULL DEFAULT 1 CHECK (version = 1),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    policy_version BIGINT NOT NULL CHECK (policy_version >= 1),
    effective_from TEXT NOT NULL
                   CHECK (effective_from ~
                          '^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]$'),
    detainers      TEXT NOT NULL
                   CHECK (detainers IN ('honor', 'decline', 'criteria')),
    release_notification BIGINT NOT NULL
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
    BEFORE UPDATE ON jurisdiction_policies FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('jurisdiction policies are never edited');

-- Users: one organization, a bit mask of roles (bit n = enum role n).
CREATE TABLE users (
    id             TEXT PRIMARY KEY CHECK (length(id) = 22),
    version        BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    email          TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    roles          BIGINT NOT NULL CHECK (roles > 0 AND roles < 512),
    title          TEXT,
    password_hash  TEXT,
    disabled       BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins  BIGINT NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    first_failed_at BIGINT,
    locked_at      BIGINT,
    totp_secret    BYTEA,
    totp_last_step BIGINT,
    totp_enabled   BIGINT NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1))
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_org ON users (org_id, created_at, id);
CREATE INDEX users_list ON users (org_id, id);

-- Browser sessions: only hashes of the token and CSRF token are kept.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY CHECK (length(id) = 22),
    token_hash   BYTEA NOT NULL UNIQUE,
    csrf_hash    BYTEA NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    client_addr  TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- API tokens for programs: hash only, shown once at creation.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY CHECK (length(id) = 22),
    version      BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    token_hash   BYTEA NOT NULL UNIQUE,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE INDEX api_tokens_user_list ON api_tokens (user_id, created_at, id);

-- Documents: filed orders, proofs of service, delegations, productions.
-- The bytes are kept in `content`, or outside the database at `path`.
-- item_ids: the subpoena items a produced file answers (JSON array).
CREATE TABLE documents (
    id           TEXT PRIMARY KEY CHECK (length(id) = 22),
    version      BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    case_kind    TEXT CHECK (case_kind IS NULL OR
                             case_kind IN ('detainer', 'subpoena',
                                           'enforcement')),
    case_id      TEXT,
    kind         TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    filename     TEXT NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type TEXT NOT NULL,
    sha256       BYTEA NOT NULL CHECK (octet_length(sha256) = 32),
    size         BIGINT NOT NULL CHECK (size >= 0),
    uploaded_by  TEXT NOT NULL REFERENCES users (id),
    content      BYTEA,
    path         TEXT,
    item_ids     TEXT CHECK (item_ids IS NULL OR compel_json_valid(item_ids)),
    CHECK ((content IS NULL) <> (path IS NULL)),
    CHECK ((case_kind IS NULL) = (case_id IS NULL))
);
CREATE INDEX documents_case ON documents (case_kind, case_id, created_at);
CREATE INDEX documents_caseless ON documents (kind, created_at)
    WHERE case_id IS NULL;

-- Recorded delegations of subpoena authority (8 CFR 2.1).
CREATE TABLE delegations (
    id             TEXT PRIMARY KEY CHECK (length(id) = 22),
    version        BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id),
    authority      TEXT NOT NULL CHECK (length(authority) BETWEEN 1 AND 500),
    effective_from TEXT NOT NULL
                   CHECK (effective_from ~
                          '^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]$'),
    effective_to   TEXT
                   CHECK (effective_to IS NULL OR
                          (effective_to ~
                           '^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]$'
                           AND effective_to >= effective_from)),
    document_id    TEXT REFERENCES documents (id),
    granted_by     TEXT REFERENCES users (id),
    revoked_at     BIGINT
);
CREATE INDEX delegations_user ON delegations (user_id, effective_from);
CREATE INDEX delegations_user_in_force
    ON delegations (user_id, effective_from, effective_to);

-- People: every personal field is ciphertext; *_bidx are blind indexes.
-- org_id: the agency office that recorded the person (NULL for records
-- older than owners); external_ref: the office's own record id (imports).
CREATE TABLE people (
    id               TEXT PRIMARY KEY CHECK (length(id) = 22),
    version          BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    family_name      BYTEA NOT NULL,
    given_names      BYTEA,
    date_of_birth    BYTEA,
    identifiers      BYTEA,
    aliases          BYTEA,
    family_name_bidx BYTEA NOT NULL,
    dob_bidx         BYTEA,
    a_number_bidx    BYTEA,
    org_id           TEXT REFERENCES organizations (id),
    external_ref     TEXT
                     CHECK (external_ref IS NULL OR
                            length(external_ref) BETWEEN 1 AND 100)
);
CREATE INDEX people_family_name_bidx ON people (family_name_bidx);
CREATE INDEX people_dob_bidx ON people (dob_bidx);
CREATE INDEX people_a_number_bidx ON people (a_number_bidx);
CREATE INDEX people_org ON people (org_id);
CREATE UNIQUE INDEX people_external_ref ON people (org_id, external_ref)
    WHERE external_ref IS NOT NULL;

-- Case numbers: one counter per kind and year, bumped in the transaction
-- that creates the case (DET-2026-000042).
CREATE TABLE case_counters (
    kind TEXT NOT NULL CHECK (kind IN ('DET', 'SUB', 'ENF')),
    year BIGINT NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    last BIGINT NOT NULL CHECK (last BETWEEN 1 AND 999999),
    PRIMARY KEY (kind, year)
);

-- Detainers (Form I-247A).
CREATE TABLE detainers (
    id                   TEXT PRIMARY KEY CHECK (length(id) = 22),
    version              BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    number               TEXT NOT NULL UNIQUE
                         CHECK (number ~ '^DET-[0-9][0-9][0-9][0-9]-'),
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
    otherwise_release_at BIGINT,
    max_hold_until       BIGINT,
    released_at          BIGINT,
    transferred_at       BIGINT,
    notice_given         BIGINT CHECK (notice_given IS NULL OR
                                       notice_given IN (0, 1)),
    acknowledged_at      BIGINT,
    decided_at           BIGINT,
    cancel_reason        TEXT,
    external_ref         TEXT
                         CHECK (external_ref IS NULL OR
                                length(external_ref) BETWEEN 1 AND 100)
);
CREATE INDEX detainers_agency ON detainers (agency_org_id, state, created_at);
CREATE INDEX detainers_facility ON detainers (facility_id, state, created_at);
CREATE INDEX detainers_person ON detainers (person_id);
CREATE INDEX detainers_list ON detainers (created_at, id);
CREATE UNIQUE INDEX detainers_external_ref
    ON detainers (agency_org_id, external_ref)
    WHERE external_ref IS NOT NULL;

-- Administrative subpoenas (Form I-138). enforcement_id's foreign key is
-- added once enforcements exists (the two tables name each other).
CREATE TABLE subpoenas (
    id                   TEXT PRIMARY KEY CHECK (length(id) = 22),
    version              BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    number               TEXT NOT NULL UNIQUE
                         CHECK (number ~ '^SUB-[0-9][0-9][0-9][0-9]-'),
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
    signed_at            BIGINT,
    served_at            BIGINT,
    service_method       TEXT
                         CHECK (service_method IS NULL OR
                                service_method IN ('personal',
                                                   'certified_mail', 'email',
                                                   'courier')),
    served_to            TEXT,
    return_date          TEXT
                         CHECK (return_date IS NULL OR return_date ~
                                '^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]$'),
    original_return_date TEXT
                         CHECK (original_return_date IS NULL OR
                                original_return_date ~
                                '^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]$'),
    responded_at         BIGINT,
    disposition          TEXT
                         CHECK (disposition IS NULL OR
                                disposition IN ('complied',
                                                'partially_complied',
                                                'no_records', 'objected',
                                                'refused')),
    refusal_reason       TEXT,
    withdrawal_reason    TEXT,
    response_note        TEXT,
    enforcement_id       TEXT,
    acknowledged_at      BIGINT,
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
    version     BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    subpoena_id TEXT NOT NULL REFERENCES subpoenas (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL CHECK (position >= 1),
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
    value       BYTEA,
    UNIQUE (subpoena_id, position)
);

-- Every change of a subpoena's return date; the first row keeps the
-- original date. rowid is the insertion order, as SQLite's implicit
-- rowid: the list's order among equal extended_at (a copy from SQLite
-- inserts the rows in rowid order).
CREATE TABLE extensions (
    id              TEXT PRIMARY KEY CHECK (length(id) = 22),
    created_at      BIGINT NOT NULL,
    subpoena_id     TEXT NOT NULL REFERENCES subpoenas (id),
    old_return_date TEXT NOT NULL,
    new_return_date TEXT NOT NULL,
    reason          TEXT NOT NULL,
    extended_by     TEXT NOT NULL REFERENCES users (id),
    extended_at     BIGINT NOT NULL,
    rowid           BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX extensions_subpoena ON extensions (subpoena_id, extended_at,
                                                rowid);

-- Court enforcement of a subpoena (8 U.S.C. 1225(d)(4)(B)).
CREATE TABLE enforcements (
    id                TEXT PRIMARY KEY CHECK (length(id) = 22),
    version           BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    number            TEXT NOT NULL UNIQUE
                      CHECK (number ~ '^ENF-[0-9][0-9][0-9][0-9]-'),
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
    per_day_cents     BIGINT CHECK (per_day_cents IS NULL OR
                                    per_day_cents >= 0),
    fixed_cents       BIGINT CHECK (fixed_cents IS NULL OR fixed_cents >= 0),
    starts_on         TEXT,
    purged_on         TEXT,
    closed_reason     TEXT,
    items_kept        TEXT
                      CHECK (items_kept IS NULL OR
                             compel_json_valid(items_kept)),
    closed_at         BIGINT
);
CREATE INDEX enforcements_doj ON enforcements (doj_org_id, state, created_at);
CREATE INDEX enforcements_respondent ON enforcements (respondent_org_id,
                                                      state, created_at);
CREATE INDEX enforcements_agency ON enforcements (agency_org_id, state,
                                                  created_at);
CREATE INDEX enforcements_docket ON enforcements (district, docket_number);
CREATE INDEX enforcements_list ON enforcements (created_at, id);
ALTER TABLE subpoenas ADD FOREIGN KEY (enforcement_id)
    REFERENCES enforcements (id);

-- The items an order kept when it enforced a subpoena in part.
CREATE TABLE enforcement_kept_items (
    enforcement_id TEXT NOT NULL REFERENCES enforcements (id),
    item_id        TEXT NOT NULL REFERENCES subpoena_items (id),
    PRIMARY KEY (enforcement_id, item_id)
);

-- The timeline of every case: append-only, numbered per case.
CREATE TABLE events (
    case_kind TEXT NOT NULL
              CHECK (case_kind IN ('detainer', 'subpoena', 'enforcement')),
    case_id   TEXT NOT NULL,
    seq       BIGINT NOT NULL CHECK (seq >= 1),
    action    TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    actor_id  TEXT REFERENCES users (id),
    role      TEXT,
    at        BIGINT NOT NULL,
    details   TEXT CHECK (details IS NULL OR compel_json_valid(details)),
    PRIMARY KEY (case_kind, case_id, seq)
);
CREATE TRIGGER events_never_edited BEFORE UPDATE ON events FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('events are append-only');
CREATE TRIGGER events_never_deleted BEFORE DELETE ON events FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('events are append-only');

-- Calendars for deadlines; each change makes a new version.
CREATE TABLE calendars (
    id              TEXT PRIMARY KEY CHECK (length(id) = 22),
    version         BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('federal', 'state')),
    org_id          TEXT REFERENCES organizations (id),
    calendar_version BIGINT NOT NULL DEFAULT 1 CHECK (calendar_version >= 1)
);
CREATE INDEX calendars_org ON calendars (org_id);

CREATE TABLE calendar_versions (
    calendar_id TEXT NOT NULL REFERENCES calendars (id),
    calendar_version BIGINT NOT NULL CHECK (calendar_version >= 1),
    created_at  BIGINT NOT NULL,
    created_by  TEXT REFERENCES users (id),
    note        TEXT,
    PRIMARY KEY (calendar_id, calendar_version)
);

-- Dated closures (e.g. an executive order closing federal offices), each
-- with its source; valid from one calendar version, until removed.
CREATE TABLE calendar_closures (
    id            TEXT PRIMARY KEY CHECK (length(id) = 22),
    created_at    BIGINT NOT NULL,
    calendar_id   TEXT NOT NULL REFERENCES calendars (id),
    date          TEXT NOT NULL
                  CHECK (date ~
                         '^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]$'),
    name          TEXT NOT NULL,
    source        TEXT NOT NULL,
    added_in      BIGINT NOT NULL CHECK (added_in >= 1),
    removed_in    BIGINT CHECK (removed_in IS NULL OR removed_in > added_in),
    created_by    TEXT REFERENCES users (id)
);
CREATE INDEX calendar_closures_date ON calendar_closures (calendar_id, date);

-- A state's legal holidays, added by a jurisdiction to its calendar, as
-- rules (fixed, nth_weekday, last_weekday) or dated entries.
CREATE TABLE state_holidays (
    id          TEXT PRIMARY KEY CHECK (length(id) = 22),
    created_at  BIGINT NOT NULL,
    calendar_id TEXT NOT NULL REFERENCES calendars (id),
    kind        TEXT NOT NULL
                CHECK (kind IN ('fixed', 'nth_weekday', 'last_weekday',
                                'dated')),
    month       BIGINT CHECK (month IS NULL OR month BETWEEN 1 AND 12),
    day         BIGINT CHECK (day IS NULL OR day BETWEEN 1 AND 31),
    weekday     BIGINT CHECK (weekday IS NULL OR weekday BETWEEN 0 AND 6),
    nth         BIGINT CHECK (nth IS NULL OR nth BETWEEN 1 AND 5),
    date        TEXT
                CHECK (date IS NULL OR date ~
                       '^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]$'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    source      TEXT,
    created_by  TEXT REFERENCES users (id),
    added_in    BIGINT NOT NULL CHECK (added_in >= 1),
    removed_in  BIGINT CHECK (removed_in IS NULL OR removed_in > added_in),
    CHECK (kind <> 'fixed' OR (month IS NOT NULL AND day IS NOT NULL)),
    CHECK (kind <> 'nth_weekday' OR
           (month IS NOT NULL AND weekday IS NOT NULL AND nth IS NOT NULL)),
    CHECK (kind <> 'last_weekday' OR
           (month IS NOT NULL AND weekday IS NOT NULL)),
    CHECK (kind <> 'dated' OR date IS NOT NULL)
);
CREATE INDEX state_holidays_calendar ON state_holidays (calendar_id,
                                                        created_at, id);

-- Computed deadlines, stored with the rule and calendar version that made
-- them and the explanation ("why this date"): `due` is a date or an
-- RFC 3339 instant.
CREATE TABLE deadlines (
    id               TEXT PRIMARY KEY CHECK (length(id) = 22),
    version          BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    case_kind        TEXT NOT NULL
                     CHECK (case_kind IN ('detainer', 'subpoena',
                                          'enforcement')),
    case_id          TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    due              TEXT NOT NULL
                     CHECK (due ~
                            '^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    rule_id          TEXT NOT NULL,
    calendar_id      TEXT REFERENCES calendars (id),
    calendar_version BIGINT,
    triggered_by     TEXT,
    explanation      TEXT,
    computed_at      BIGINT NOT NULL,
    UNIQUE (case_kind, case_id, kind)
);
CREATE INDEX deadlines_due ON deadlines (due);

-- The audit trail: append-only and hash-chained. hash covers the row and
-- prev_hash (computed by src/audit/chain.c, above the store); the columns
-- are exactly the fields that chain.h encodes. seq is assigned by the
-- append as the head's seq + 1 (as SQLite's INTEGER PRIMARY KEY does), so
-- a rolled-back append leaves no gap; a repeated hash would fork the
-- chain and is refused.
CREATE TABLE audit (
    seq          BIGINT PRIMARY KEY CHECK (seq >= 1),
    at           BIGINT NOT NULL,
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
    prev_hash    BYTEA NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash         BYTEA NOT NULL UNIQUE CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_actor ON audit (actor_id, at);
CREATE INDEX audit_object ON audit (object_kind, object_id, at);
CREATE INDEX audit_at ON audit (at);
-- Each record extends the head: its prev_hash is the last record's hash
-- (zeros for the first), and it is not its own predecessor. Appends are
-- serialized by an advisory lock (postgres_store.c), so the head this
-- reads is the one the appender read; the trigger refuses whatever would
-- fork the chain regardless of who writes.
CREATE FUNCTION audit_extends_head() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.hash = NEW.prev_hash OR NEW.prev_hash IS DISTINCT FROM coalesce(
           (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1),
           decode(repeat('00', 32), 'hex')) THEN
        RAISE EXCEPTION 'an audit record must extend the head of the chain';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_extends_head BEFORE INSERT ON audit FOR EACH ROW
    EXECUTE FUNCTION audit_extends_head();
CREATE TRIGGER audit_never_edited BEFORE UPDATE ON audit FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('the audit trail is append-only');
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('the audit trail is append-only');

-- Idempotency-Key: the first response to a creating POST, kept 24 hours.
CREATE TABLE idempotency_keys (
    user_id         TEXT NOT NULL REFERENCES users (id),
    key             TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    request_hash    BYTEA NOT NULL CHECK (octet_length(request_hash) = 32),
    response_status BIGINT,
    response_body   BYTEA,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

-- Background jobs (reminders, checkpoints), claimed so each runs once.
-- unique_key: a job made for a natural key is inserted once.
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY CHECK (length(id) = 22),
    version       BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    payload       TEXT CHECK (payload IS NULL OR compel_json_valid(payload)),
    run_at        BIGINT NOT NULL,
    claimed_by    TEXT,
    claimed_until BIGINT,
    attempts      BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error    TEXT,
    done_at       BIGINT,
    dead          BIGINT NOT NULL DEFAULT 0 CHECK (dead IN (0, 1)),
    unique_key    TEXT
                  CHECK (unique_key IS NULL OR
                         length(unique_key) BETWEEN 1 AND 512)
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL AND dead = 0;
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
CREATE INDEX jobs_list ON jobs (dead, created_at, id);

-- Fixed-window rate-limit counters, shared by every server instance.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY CHECK (length(bucket) BETWEEN 1 AND 255),
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL CHECK (count >= 0),
    updated_at   BIGINT NOT NULL
);

-- Signed subpoenas a jurisdiction can verify: each agency office's
-- Ed25519 key pair (the secret seed sealed with the master key), at most
-- one in use per office, never edited but retired.
CREATE TABLE signing_keys (
    key_id        TEXT PRIMARY KEY CHECK (length(key_id) = 16),
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    created_at    BIGINT NOT NULL,
    public_key    BYTEA NOT NULL CHECK (octet_length(public_key) = 32),
    sealed_secret BYTEA NOT NULL,
    retired_at    BIGINT
);
CREATE UNIQUE INDEX signing_keys_current ON signing_keys (org_id)
    WHERE retired_at IS NULL;

-- The signature of each signed subpoena: its verification code (Crockford
-- base32, without dashes, upper case), the key, the canonical content
-- signed, its SHA-256 and the Ed25519 signature of that hash.
CREATE TABLE subpoena_signatures (
    subpoena_id    TEXT PRIMARY KEY REFERENCES subpoenas (id),
    code           TEXT NOT NULL UNIQUE
                   CHECK (length(code) = 16 AND
                          code ~ '^[0-9A-HJKMNP-TV-Z]*$'),
    key_id         TEXT NOT NULL REFERENCES signing_keys (key_id),
    content        TEXT NOT NULL,
    content_sha256 BYTEA NOT NULL CHECK (octet_length(content_sha256) = 32),
    signature      BYTEA NOT NULL CHECK (octet_length(signature) = 64),
    signed_at      BIGINT NOT NULL
);
CREATE TRIGGER subpoena_signatures_never_edited
    BEFORE UPDATE ON subpoena_signatures FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('signatures are never edited');
CREATE TRIGGER signing_keys_only_retired
    BEFORE UPDATE OF key_id, org_id, created_at, public_key, sealed_secret
    ON signing_keys FOR EACH ROW
    EXECUTE FUNCTION compel_refuse('signing keys are never edited');

-- Webhooks an admin registered for an organization (secret sealed by the
-- master key; deleted ones keep their row), each reminder delivered, and
-- one calendar feed token per user (hash only).
CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY CHECK (length(id) = 22),
    version     BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    url         TEXT NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
    events      TEXT NOT NULL CHECK (length(events) BETWEEN 1 AND 512),
    secret      BYTEA NOT NULL,
    created_by  TEXT REFERENCES users (id),
    deleted_at  BIGINT
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
    at           BIGINT NOT NULL
);
CREATE INDEX deliveries_job ON deliveries (job_id);

CREATE TABLE feed_tokens (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    token_hash BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- The rows every installation has: the "federal" calendar, with a fixed
-- id (STORE_FEDERAL_CALENDAR_ID in store_admin.h). A function, so that
-- the contract suite's reset (tests/store/contract.c), which empties
-- every table, puts them back the same way.
CREATE FUNCTION compel_seed() RETURNS void
    LANGUAGE sql AS $$
INSERT INTO calendars (id, version, created_at, updated_at, name, kind,
                       org_id, calendar_version)
    VALUES ('federal-calendar-00001', 1,
            (extract(epoch FROM now()) * 1000000)::BIGINT,
            (extract(epoch FROM now()) * 1000000)::BIGINT,
            'federal', 'federal', NULL, 1)
    ON CONFLICT DO NOTHING;
$$;
SELECT compel_seed();
