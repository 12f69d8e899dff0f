-- Listing objects of one kind (`objects deploy -n shop`), and finding one by uid alone,
-- without scanning them all.
CREATE INDEX objects_kind ON objects (resource, namespace);
CREATE INDEX objects_by_uid ON objects (uid) WHERE uid IS NOT NULL;
