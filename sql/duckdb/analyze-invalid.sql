-- `kelemetry-cli analyze --check invalid`: 422 Unprocessable Entity (rejected by validation)
-- per user: 10 or more warns.
SELECT "user", count(*) AS invalid, min(requestReceived) AS first, arg_min(auditId, requestReceived) AS example
FROM requests
WHERE code = 422
GROUP BY "user"
HAVING count(*) >= 10
ORDER BY invalid DESC, "user";
