-- 0017-check-lists.sql: the CHECK constraints that list three values or
-- more, written as chains of equalities.
--
-- SQLite 3.40 builds a temporary index for `x IN ('a', 'b', 'c')` (three
-- values or more) every time a statement checks it: a new in-memory
-- B-tree, its first page zeroed, the values inserted, then freed. A
-- detainer row has four such lists, a subpoena three, each item two, each
-- event, deadline and case number one; in a bulk import of detainers they
-- were about a third of SQLite's work per row (callgrind:
-- sqlite3BtreeCreateTable, sqlite3BtreeBeginTrans and the memset of the
-- page, per row). `(x = 'a' OR x = 'b' OR x = 'c')` accepts and refuses
-- exactly the same values without it.
--
-- SQLite keeps no part of a CHECK constraint in the stored rows, only in
-- the table's text in sqlite_schema, so the text is changed in place: the
-- documented procedure for changing constraints without rebuilding a table
-- (https://sqlite.org/lang_altertable.html#otheralter). Each replace()
-- matches the text the earlier migrations wrote; every row already
-- satisfies the new text, which is equivalent. The empty table created and
-- dropped at the end changes the schema version, so that every other
-- connection reads the new text. PostgreSQL has no such cost and no such
-- migration.
PRAGMA writable_schema = ON;

UPDATE sqlite_schema SET sql = replace(sql,
    'kind IN (''DET'', ''SUB'', ''ENF'')',
    '(kind = ''DET'' OR kind = ''SUB'' OR kind = ''ENF'')')
WHERE type = 'table' AND name = 'case_counters';

UPDATE sqlite_schema SET sql = replace(sql,
    'case_kind IN (''detainer'', ''subpoena'',
                                        ''enforcement'')',
    '(case_kind = ''detainer'' OR case_kind = ''subpoena'' OR case_kind = ''enforcement'')')
WHERE type = 'table' AND name = 'case_holds';

UPDATE sqlite_schema SET sql = replace(sql,
    'case_kind IN (''detainer'', ''subpoena'',
                                          ''enforcement'')',
    '(case_kind = ''detainer'' OR case_kind = ''subpoena'' OR case_kind = ''enforcement'')')
WHERE type = 'table' AND name = 'deadlines';

UPDATE sqlite_schema SET sql = replace(replace(replace(replace(sql,
    'basis IN (''final_order'', ''pending_proceedings'',
                                          ''biometric_match'', ''statements'')',
    '(basis = ''final_order'' OR basis = ''pending_proceedings'' OR basis = ''biometric_match'' OR basis = ''statements'')'),
    'hold_rule IN (''48h-clock'',
                                              ''48h-excluding-weekends-holidays'',
                                              ''frcp6-hours'')',
    '(hold_rule = ''48h-clock'' OR hold_rule = ''48h-excluding-weekends-holidays'' OR hold_rule = ''frcp6-hours'')'),
    'state IN (''lodged'', ''acknowledged'', ''honored'',
                                          ''declined'', ''released'',
                                          ''transferred'', ''cancelled'')',
    '(state = ''lodged'' OR state = ''acknowledged'' OR state = ''honored'' OR state = ''declined'' OR state = ''released'' OR state = ''transferred'' OR state = ''cancelled'')'),
    'outcome_source IN (''reported'', ''observed'',
                                                   ''inferred'')',
    '(outcome_source = ''reported'' OR outcome_source = ''observed'' OR outcome_source = ''inferred'')')
WHERE type = 'table' AND name = 'detainers';

UPDATE sqlite_schema SET sql = replace(sql,
    'case_kind IN (''detainer'', ''subpoena'',
                                           ''enforcement'')',
    '(case_kind = ''detainer'' OR case_kind = ''subpoena'' OR case_kind = ''enforcement'')')
WHERE type = 'table' AND name = 'documents';

UPDATE sqlite_schema SET sql = replace(replace(sql,
    'state IN (''referred'', ''petition_filed'',
                                       ''show_cause_issued'', ''order_entered'',
                                       ''complied'', ''contempt_motion'',
                                       ''in_contempt'', ''purged'', ''dismissed'',
                                       ''settled'', ''closed'')',
    '(state = ''referred'' OR state = ''petition_filed'' OR state = ''show_cause_issued'' OR state = ''order_entered'' OR state = ''complied'' OR state = ''contempt_motion'' OR state = ''in_contempt'' OR state = ''purged'' OR state = ''dismissed'' OR state = ''settled'' OR state = ''closed'')'),
    'result IN (''enforced'', ''enforced_in_part'',
                                        ''denied'')',
    '(result = ''enforced'' OR result = ''enforced_in_part'' OR result = ''denied'')')
WHERE type = 'table' AND name = 'enforcements';

UPDATE sqlite_schema SET sql = replace(sql,
    'case_kind IN (''detainer'', ''subpoena'', ''enforcement'')',
    '(case_kind = ''detainer'' OR case_kind = ''subpoena'' OR case_kind = ''enforcement'')')
WHERE type = 'table' AND name = 'events';

UPDATE sqlite_schema SET sql = replace(replace(sql,
    'detainers IN (''honor'', ''decline'', ''criteria'')',
    '(detainers = ''honor'' OR detainers = ''decline'' OR detainers = ''criteria'')'),
    'subpoenas IN (''comply'', ''court_order_only'',
                                        ''review'')',
    '(subpoenas = ''comply'' OR subpoenas = ''court_order_only'' OR subpoenas = ''review'')')
WHERE type = 'table' AND name = 'jurisdiction_policies';

UPDATE sqlite_schema SET sql = replace(sql,
    'kind IN (''agency_office'', ''jurisdiction'', ''doj_office'')',
    '(kind = ''agency_office'' OR kind = ''jurisdiction'' OR kind = ''doj_office'')')
WHERE type = 'table' AND name = 'organizations';

UPDATE sqlite_schema SET sql = replace(sql,
    'source IN (''reported'', ''observed'', ''inferred'')',
    '(source = ''reported'' OR source = ''observed'' OR source = ''inferred'')')
WHERE type = 'table' AND name = 'report_detainer_decisions';

UPDATE sqlite_schema SET sql = replace(sql,
    'len IN (0, 4, 7, 10)',
    '(len = 0 OR len = 4 OR len = 7 OR len = 10)')
WHERE type = 'table' AND name = 'report_levels';

UPDATE sqlite_schema SET sql = replace(sql,
    'kind IN (''fixed'', ''nth_weekday'', ''last_weekday'',
                                ''dated'')',
    '(kind = ''fixed'' OR kind = ''nth_weekday'' OR kind = ''last_weekday'' OR kind = ''dated'')')
WHERE type = 'table' AND name = 'state_holidays';

UPDATE sqlite_schema SET sql = replace(replace(sql,
    'category IN (''home_address'', ''work_address'', ''phone'',
                                    ''employer'', ''vehicle'',
                                    ''date_place_of_birth'', ''bond_record'',
                                    ''id_documents'', ''charges'',
                                    ''emergency_contacts'', ''release_date'',
                                    ''other'')',
    '(category = ''home_address'' OR category = ''work_address'' OR category = ''phone'' OR category = ''employer'' OR category = ''vehicle'' OR category = ''date_place_of_birth'' OR category = ''bond_record'' OR category = ''id_documents'' OR category = ''charges'' OR category = ''emergency_contacts'' OR category = ''release_date'' OR category = ''other'')'),
    'outcome IN (''produced'', ''not_held'', ''objected'',
                                   ''withheld'')',
    '(outcome = ''produced'' OR outcome = ''not_held'' OR outcome = ''objected'' OR outcome = ''withheld'')')
WHERE type = 'table' AND name = 'subpoena_items';

UPDATE sqlite_schema SET sql = replace(replace(replace(sql,
    'state IN (''draft'', ''in_review'',
                                          ''ready_to_sign'', ''signed'',
                                          ''served'', ''responded'', ''closed'',
                                          ''referred'', ''withdrawn'')',
    '(state = ''draft'' OR state = ''in_review'' OR state = ''ready_to_sign'' OR state = ''signed'' OR state = ''served'' OR state = ''responded'' OR state = ''closed'' OR state = ''referred'' OR state = ''withdrawn'')'),
    'service_method IN (''personal'',
                                                   ''certified_mail'', ''email'',
                                                   ''courier'')',
    '(service_method = ''personal'' OR service_method = ''certified_mail'' OR service_method = ''email'' OR service_method = ''courier'')'),
    'disposition IN (''complied'',
                                                ''partially_complied'',
                                                ''no_records'', ''objected'',
                                                ''refused'')',
    '(disposition = ''complied'' OR disposition = ''partially_complied'' OR disposition = ''no_records'' OR disposition = ''objected'' OR disposition = ''refused'')')
WHERE type = 'table' AND name = 'subpoenas';

PRAGMA writable_schema = OFF;
CREATE TABLE check_lists_schema_change (x);
DROP TABLE check_lists_schema_change;
