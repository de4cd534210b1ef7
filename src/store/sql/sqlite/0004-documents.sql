-- 0004-documents.sql: what case documents need beyond 0001
-- (src/store/store_docs.h).
--
--   * documents.item_ids: the subpoena items a produced file answers, as a
--     JSON array of item ids (NULL when it names none), shown in the
--     production manifest;
--   * an index for the documents of no case (delegation instruments),
--     listed by kind.
-- The bytes stay in documents.content, written in the transaction that
-- registers the document, so a crash cannot leave half a document.

ALTER TABLE documents ADD COLUMN item_ids TEXT
    CHECK (item_ids IS NULL OR json_valid(item_ids));
CREATE INDEX documents_caseless ON documents (kind, created_at)
    WHERE case_id IS NULL;
