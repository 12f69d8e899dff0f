-- `kelemetry-cli analyze --check conflicts`: 409 Conflicts per user (more than 10 fails)
-- and per object (10 or more warns).
SELECT * FROM (
    SELECT 'user' AS subjectKind, assumeNotNull("user") AS subject, count() AS conflicts,
           if(count() > 10, 'fail', 'pass') AS status
    FROM requests WHERE code = 409 AND reason = 'Conflict' GROUP BY "user" HAVING count() > 10
    UNION ALL
    SELECT 'object', concat(assumeNotNull(resource), if(apiGroup IS NULL, '', concat('.', assumeNotNull(apiGroup))), ' ',
           if(namespace IS NULL, assumeNotNull(name), concat(assumeNotNull(namespace), '/', assumeNotNull(name)))),
           count(), 'warn'
    FROM requests WHERE code = 409 AND reason = 'Conflict' AND name IS NOT NULL
    GROUP BY resource, apiGroup, namespace, name HAVING count() >= 10
)
ORDER BY conflicts DESC, subject;
