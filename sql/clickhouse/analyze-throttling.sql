-- `kelemetry-cli analyze --check throttling`: 429 Too Many Requests per user.
SELECT "user", count() AS throttled, min(requestReceived) AS first, max(requestReceived) AS last
FROM requests
WHERE code = 429
GROUP BY "user"
ORDER BY throttled DESC, "user";
