-- The exported tables as views for clickhouse-local or chDB (a server reads them with
-- ddl.sql instead). Replace EXPORT with the export's directory (or use s3('https://…/…')
-- in place of file()); cluster, date and hour come from the Hive partitions in the paths.
CREATE VIEW requests AS SELECT * FROM file('EXPORT/requests/*/*/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
CREATE VIEW events AS SELECT * FROM file('EXPORT/events/*/*/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
CREATE VIEW objects AS SELECT * FROM file('EXPORT/objects/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
CREATE VIEW states AS SELECT * FROM file('EXPORT/states/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
CREATE VIEW owners AS SELECT * FROM file('EXPORT/owners/*/*.parquet', Parquet) SETTINGS use_hive_partitioning = 1;
