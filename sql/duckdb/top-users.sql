-- `kelemetry-cli requests --top 10 --by user`: requests, failures (4xx and 5xx) and the
-- nearest-rank p50/p99 latency per user.
SELECT "user",
       count(*) AS count,
       sum(CASE WHEN code >= 400 THEN 1 ELSE 0 END) AS failures,
       list_sort(list(latencyUs) FILTER (WHERE latencyUs IS NOT NULL))[greatest(1, ceil(0.5 * count(latencyUs)))::BIGINT] AS p50LatencyUs,
       list_sort(list(latencyUs) FILTER (WHERE latencyUs IS NOT NULL))[greatest(1, ceil(0.99 * count(latencyUs)))::BIGINT] AS p99LatencyUs
FROM requests
GROUP BY "user"
ORDER BY count DESC, "user"
LIMIT 10;
