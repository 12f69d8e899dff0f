-- `kelemetry-cli analyze --check conflicts`: 409 Conflicts per user (more than 10 fails)
-- and per object (10 or more warns).
SELECT 'user' AS subjectKind, "user" AS subject, count(*) AS conflicts,
       CASE WHEN count(*) > 10 THEN 'fail' ELSE 'pass' END AS status
FROM requests WHERE code = 409 AND reason = 'Conflict' GROUP BY "user" HAVING count(*) > 10
UNION ALL
SELECT 'object', resource || CASE WHEN apiGroup IS NULL THEN '' ELSE '.' || apiGroup END || ' ' ||
       CASE WHEN namespace IS NULL THEN name ELSE namespace || '/' || name END, count(*), 'warn'
FROM requests WHERE code = 409 AND reason = 'Conflict' AND name IS NOT NULL GROUP BY ALL HAVING count(*) >= 10
ORDER BY conflicts DESC, subject;
