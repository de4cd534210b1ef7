-- 0003-people-owner.sql: a person record belongs to the agency office that
-- recorded it; other offices do not see it (scoping by organization).
-- Records made before this migration have no owner and are visible only
-- through the cases that name them (and to auditors).
ALTER TABLE people ADD COLUMN org_id TEXT REFERENCES organizations(id);
CREATE INDEX people_org ON people(org_id);
