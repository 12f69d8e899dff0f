-- Rows per table: what a check of an export (or of a copy in object storage) starts from.
SELECT * FROM (
    SELECT 'events' AS "table", count() AS "rows" FROM events
    UNION ALL SELECT 'objects', count() FROM objects
    UNION ALL SELECT 'owners', count() FROM owners
    UNION ALL SELECT 'requests', count() FROM requests
    UNION ALL SELECT 'states', count() FROM states
)
ORDER BY 1;
