-- `kelemetry-cli analyze --check server-errors`: the seconds with 5xx answers (more than
-- 60 in all fails), and the requests in each.
SELECT date_trunc('second', requestReceived) AS second, count(*) AS errors,
       list(DISTINCT code ORDER BY code) AS codes, min(auditId) AS example
FROM requests
WHERE code >= 500
GROUP BY ALL
ORDER BY second;
