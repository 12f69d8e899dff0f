-- Requests for people and SQL tools: names instead of ids, times in RFC 3339 UTC, the
-- auditID in its dashed form, the latency in milliseconds.
CREATE VIEW request_log AS
SELECT r.id,
       strftime('%Y-%m-%dT%H:%M:%fZ', r.received_us / 1e6, 'unixepoch') AS time,
       CASE
           WHEN length(r.audit_id) = 16 OR (length(r.audit_id) = 25 AND substr(r.audit_id, 17, 1) = X'FF') THEN
               lower(substr(hex(r.audit_id), 1, 8) || '-' || substr(hex(r.audit_id), 9, 4) || '-' ||
                     substr(hex(r.audit_id), 13, 4) || '-' || substr(hex(r.audit_id), 17, 4) || '-' ||
                     substr(hex(r.audit_id), 21, 12))
           WHEN instr(r.audit_id, X'FF') > 0 THEN CAST(substr(r.audit_id, 1, instr(r.audit_id, X'FF') - 1) AS TEXT)
           ELSE CAST(r.audit_id AS TEXT)
       END AS audit_id,
       c.name AS cluster,
       user.value AS user,
       impersonated.value AS impersonated_user,
       verb.value AS verb,
       resource.value AS resource,
       subresource.value AS subresource,
       coalesce(o.namespace, namespace.value) AS namespace,
       o.name AS name,
       o.kind AS kind,
       uri.value AS request_uri,
       r.code,
       reason.value AS reason,
       r.message,
       (r.completed_us - r.received_us) / 1000.0 AS latency_ms,
       agent.value AS user_agent,
       source_ip.value AS source_ip,
       r.base_rv AS base_resource_version,
       r.new_rv AS new_resource_version,
       r.stages & 12 != 0 AS complete,
       r.received_us,
       r.object_id
FROM requests r
JOIN clusters c ON c.id = r.cluster_id
LEFT JOIN objects o ON o.id = r.object_id
LEFT JOIN strings user ON user.id = r.user_id
LEFT JOIN strings impersonated ON impersonated.id = r.impersonated_id
LEFT JOIN strings verb ON verb.id = r.verb_id
LEFT JOIN strings resource ON resource.id = r.resource_id
LEFT JOIN strings subresource ON subresource.id = r.subresource_id
LEFT JOIN strings namespace ON namespace.id = r.namespace_id
LEFT JOIN strings uri ON uri.id = r.uri_id
LEFT JOIN strings reason ON reason.id = r.reason_id
LEFT JOIN strings agent ON agent.id = r.agent_id
LEFT JOIN strings source_ip ON source_ip.id = r.source_ip_id;
