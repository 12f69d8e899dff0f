-- The exported tables as DuckDB views. Set where the export is first:
--   SET VARIABLE export = '/path/to/export';        -- a directory, or 's3://bucket/prefix'
-- cluster, date and hour come from the Hive partitions in the paths.
CREATE OR REPLACE VIEW requests AS
    SELECT * FROM read_parquet(getvariable('export') || '/requests/*/*/*/*.parquet', hive_partitioning = true, union_by_name = true);
CREATE OR REPLACE VIEW events AS
    SELECT * FROM read_parquet(getvariable('export') || '/events/*/*/*/*.parquet', hive_partitioning = true, union_by_name = true);
CREATE OR REPLACE VIEW objects AS
    SELECT * FROM read_parquet(getvariable('export') || '/objects/*/*.parquet', hive_partitioning = true, union_by_name = true);
CREATE OR REPLACE VIEW states AS
    SELECT * FROM read_parquet(getvariable('export') || '/states/*/*.parquet', hive_partitioning = true, union_by_name = true);
CREATE OR REPLACE VIEW owners AS
    SELECT * FROM read_parquet(getvariable('export') || '/owners/*/*.parquet', hive_partitioning = true, union_by_name = true);
