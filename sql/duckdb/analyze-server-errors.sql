-- `kelemetry-cli analyze --check server-errors`: 5xx answers merged into periods of
-- consecutive seconds (any warns; more than 60 seconds in all fails).
WITH seconds AS (
    SELECT floor(epoch(requestReceived))::BIGINT AS second, count(*) AS errors, min(auditId) AS example
    FROM requests
    WHERE code >= 500
    GROUP BY 1
),
periods AS (
    SELECT *, second - row_number() OVER (ORDER BY second) AS period FROM seconds
)
SELECT max(second) - min(second) + 1 AS seconds,
       sum(errors) AS requests,
       make_timestamp(min(second) * 1000000) AS first,
       make_timestamp((max(second) + 1) * 1000000 - 1) AS last,
       min(example) AS example
FROM periods
GROUP BY period
ORDER BY first;
