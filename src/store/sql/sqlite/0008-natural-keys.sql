-- 0008-natural-keys.sql: natural keys for bulk import (src/bulk/).
--
-- An agency office that imports its existing records names each person and
-- each detainer by its own record id, `external_ref`, unique within the
-- office: importing the same file again finds the rows it made and creates
-- nothing. Rows made through the API have no external_ref (NULL), which
-- the partial unique indexes leave out.
ALTER TABLE people ADD COLUMN external_ref TEXT
    CHECK (external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX people_external_ref ON people (org_id, external_ref)
    WHERE external_ref IS NOT NULL;

ALTER TABLE detainers ADD COLUMN external_ref TEXT
    CHECK (external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX detainers_external_ref
    ON detainers (agency_org_id, external_ref)
    WHERE external_ref IS NOT NULL;
