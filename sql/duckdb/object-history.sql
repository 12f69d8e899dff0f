-- `kelemetry-cli history KIND/NAME -n NS`: the writes to one object in time order, with
-- who made them and the resourceVersion each was based on and produced. Set the object:
--   SET VARIABLE resource = 'deployments'; SET VARIABLE namespace = 'demo'; SET VARIABLE name = 'web';
SELECT requestReceived, "user", verb, subresource, code, reason, baseRv, newRv, auditId
FROM requests
WHERE resource = getvariable('resource') AND namespace = getvariable('namespace') AND name = getvariable('name')
  AND verb IN ('create', 'update', 'patch', 'delete')
ORDER BY requestReceived, auditId;
