-- Other uids an object is known by: a static Pod's mirror in the API has a uid of its own,
-- while kubelet's Events name the Pod by its `kubernetes.io/config.hash`. Records under an
-- alias move to the object after each ingest.
CREATE TABLE uid_aliases (
    cluster_id  INTEGER NOT NULL REFERENCES clusters(id),
    alias       TEXT NOT NULL,
    object_id   INTEGER NOT NULL REFERENCES objects(id),
    PRIMARY KEY (cluster_id, alias)
) WITHOUT ROWID;
