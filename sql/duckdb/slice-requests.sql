-- A slice to take back into kelemetry-cli: the audit events of one namespace, as JSON
-- Lines (`rawJson`, one per line), in the order they were exported. Set the namespace:
--   SET VARIABLE namespace = 'demo';
-- then: COPY (<this query>) TO 'slice.jsonl' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '');
-- and `kelemetry-cli ingest slice.jsonl`.
SELECT rawJson FROM requests WHERE namespace = getvariable('namespace');
