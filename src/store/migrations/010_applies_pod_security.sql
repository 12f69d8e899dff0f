-- Server-side applies (a patch sent with `force=`, or one whose body is a whole object
-- under a field manager) and the PodSecurity violations the apiserver annotated
-- (`pod-security.kubernetes.io/audit-violations`), for `analyze`; stores from before have
-- 0 and NULL.
ALTER TABLE requests ADD COLUMN server_side_apply INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN pod_security_id INTEGER REFERENCES strings(id);
ALTER TABLE pending_requests ADD COLUMN server_side_apply INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pending_requests ADD COLUMN pod_security_id INTEGER;

DROP VIEW request_log;
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
       user_groups.value AS user_groups,
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
       CASE WHEN r.stages & 12 != 0 THEN (r.completed_us - r.received_us) / 1000.0 END AS latency_ms,
       agent.value AS user_agent,
       source_ip.value AS source_ip,
       field_manager.value AS field_manager,
       r.server_side_apply != 0 AS server_side_apply,
       pod_security.value AS pod_security_violations,
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
LEFT JOIN strings source_ip ON source_ip.id = r.source_ip_id
LEFT JOIN strings user_groups ON user_groups.id = r.groups_id
LEFT JOIN strings field_manager ON field_manager.id = r.field_manager_id
LEFT JOIN strings pod_security ON pod_security.id = r.pod_security_id;
