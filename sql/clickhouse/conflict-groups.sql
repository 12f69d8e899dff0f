-- `kelemetry-cli conflicts`: 409 Conflicts grouped by the object and the stale
-- resourceVersion they were based on; the winner is the successful write from that same
-- resourceVersion (exact where the log holds every write's base, as at RequestResponse).
WITH losers AS (
    SELECT cluster, objectUid, resource, namespace, name, baseRv, auditId, "user", requestReceived
    FROM requests
    WHERE code = 409 AND reason = 'Conflict' AND baseRv IS NOT NULL
),
winners AS (
    SELECT cluster, objectUid, baseRv, argMin(auditId, requestReceived) AS winnerAuditId,
           argMin("user", requestReceived) AS winner
    FROM requests
    WHERE code BETWEEN 200 AND 299 AND verb IN ('update', 'patch', 'delete') AND baseRv IS NOT NULL
    GROUP BY ALL
)
SELECT l.cluster, l.resource, l.namespace, l.name, l.baseRv AS baseResourceVersion,
       any(w.winnerAuditId) AS winnerAuditId, any(w.winner) AS winner,
       count() AS losers,
       arrayMap(x -> x.2, arraySort(groupArray((l.requestReceived, l.auditId)))) AS loserAuditIds,
       min(l.requestReceived) AS first
FROM losers AS l
LEFT JOIN winners AS w ON w.cluster = l.cluster AND w.objectUid = l.objectUid AND w.baseRv = l.baseRv
GROUP BY l.cluster, l.resource, l.namespace, l.name, l.baseRv
ORDER BY first, l.resource, l.namespace, l.name
SETTINGS join_use_nulls = 1;
