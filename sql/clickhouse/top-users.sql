-- `kelemetry-cli requests --top 10 --by user`: requests, failures (4xx and 5xx) and the
-- nearest-rank p50/p99 latency per user.
SELECT "user",
       count() AS count,
       countIf(code >= 400) AS failures,
       arraySort(groupArray(latencyUs))[toUInt64(greatest(1, ceil(0.5 * count(latencyUs))))] AS p50LatencyUs,
       arraySort(groupArray(latencyUs))[toUInt64(greatest(1, ceil(0.99 * count(latencyUs))))] AS p99LatencyUs
FROM requests
GROUP BY "user"
ORDER BY count DESC, "user"
LIMIT 10;
