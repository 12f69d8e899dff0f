-- `kelemetry-cli history KIND/NAME -n NS`: the writes to one object in time order, with
-- who made them and the resourceVersion each was based on and produced. Set the object:
--   SET param_resource = 'deployments'; SET param_namespace = 'demo'; SET param_name = 'web';
SELECT requestReceived, "user", verb, subresource, code, reason, baseRv, newRv, auditId
FROM requests
WHERE resource = {resource:String} AND namespace = {namespace:String} AND name = {name:String}
  AND verb IN ('create', 'update', 'patch', 'delete')
ORDER BY requestReceived, auditId;
