-- A slice to take back into kelemetry-cli: the audit events of one namespace, one per line
-- (`rawJson`). Set the namespace (SET param_namespace = 'demo'), run with
-- `FORMAT TSVRaw` (clickhouse-client --query "..." > slice.jsonl), then
-- `kelemetry-cli ingest slice.jsonl`.
SELECT rawJson FROM requests WHERE namespace = {namespace:String};
