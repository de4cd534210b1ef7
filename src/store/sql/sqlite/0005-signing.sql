-- 0005-signing.sql: signed subpoenas a jurisdiction can verify.
--
-- Each agency office has an Ed25519 key pair, made on its first signature:
-- the public key in clear, the secret seed sealed with the master key
-- (fieldcrypt, bound to the office's id). A key is never edited; a later
-- rotation adds a row and retires the old one.
CREATE TABLE signing_keys (
    key_id        TEXT PRIMARY KEY CHECK (length(key_id) = 16),
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    created_at    INTEGER NOT NULL,
    public_key    BLOB NOT NULL CHECK (length(public_key) = 32),
    sealed_secret BLOB NOT NULL,
    retired_at    INTEGER
);
-- At most one key in use per office.
CREATE UNIQUE INDEX signing_keys_current ON signing_keys (org_id)
    WHERE retired_at IS NULL;

-- The signature of each signed subpoena: its verification code (Crockford
-- base32, stored without dashes, upper case), the key, the canonical
-- content signed, its SHA-256 and the Ed25519 signature of that hash.
CREATE TABLE subpoena_signatures (
    subpoena_id    TEXT PRIMARY KEY REFERENCES subpoenas (id),
    code           TEXT NOT NULL UNIQUE
                   CHECK (length(code) = 16 AND
                          code NOT GLOB '*[^0-9A-HJKMNP-TV-Z]*'),
    key_id         TEXT NOT NULL REFERENCES signing_keys (key_id),
    content        TEXT NOT NULL,
    content_sha256 BLOB NOT NULL CHECK (length(content_sha256) = 32),
    signature      BLOB NOT NULL CHECK (length(signature) = 64),
    signed_at      INTEGER NOT NULL
);
CREATE TRIGGER subpoena_signatures_never_edited
    BEFORE UPDATE ON subpoena_signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures are never edited');
END;
CREATE TRIGGER signing_keys_only_retired
    BEFORE UPDATE OF key_id, org_id, created_at, public_key, sealed_secret
    ON signing_keys
BEGIN
    SELECT RAISE(ABORT, 'signing keys are never edited');
END;
