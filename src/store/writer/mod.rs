//! The single writer: turns decoded records into rows, in long transactions committed
//! about once a second, so that an interrupted ingest loses at most that second and a
//! re-run finishes the job (every row has a natural key, so nothing is stored twice).

mod objects;
pub(super) mod rows;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::model::kinds;
use anyhow::Result;
use rows::*;
use rusqlite::{Connection, Statement, params};

use super::BulkLoad;
use super::seen_keys::{Seen, SeenKeys};
use crate::model::{AuditRecord, BodyRef, DumpRecord, EventRecord, ObjectName, ObjectState, Record, Shared};

/// A file whose every piece has been written.
pub struct FileRow {
    pub path: String,
    pub fingerprint: [u8; 16],
    pub size: u64,
    pub format: Option<&'static str>,
    pub gzip: bool,
    pub lines: u64,
    pub records: u64,
    pub bad_records: u64,
    pub truncated: Option<String>,
}

/// What one ingest added.
#[derive(Debug, Default, Clone)]
pub struct WriteSummary {
    pub audit_events: u64,
    pub requests_added: u64,
    pub stages_merged: u64,
    pub events: u64,
    pub events_added: u64,
    pub objects_dumped: u64,
    pub object_states_added: u64,
    pub objects_added: u64,
    pub owner_links_added: u64,
    pub duplicates_skipped: u64,
    /// Events about no one object, kept on their namespace.
    pub events_without_object: u64,
    /// Requests stored apart because another request had their auditID.
    pub audit_ids_reused: u64,
}

/// Changes to an object's row, gathered in memory and written at commit.
#[derive(Default)]
struct ObjectUpdate {
    /// The namespace the object's own records give, where an ownerReference's was guessed.
    namespace: Option<String>,
    kind: Option<String>,
    api_version: Option<String>,
    first_seen_us: Option<i64>,
    last_seen_us: Option<i64>,
    created_us: Option<i64>,
    deleted_us: Option<i64>,
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

fn max_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => a.or(b),
    }
}

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// An object row the writer knows, and whether its kind or apiVersion is still unknown.
struct Slot {
    id: i64,
    needs_info: bool,
    /// Stored from an ownerReference of a kind whose scope is unknown, in its dependent's
    /// namespace: the object's own records correct it.
    namespace_guessed: bool,
}

pub struct Writer<'c> {
    conn: &'c Connection,
    insert_request: Statement<'c>,
    merge_request: Statement<'c>,
    another_request: Statement<'c>,
    merge_request_by_id: Statement<'c>,
    insert_pending: Statement<'c>,
    /// The tables a bulk load writes without their unique index (none outside one), and
    /// the auditIDs and Event versions stored in them so far.
    unindexed: BulkLoad,
    seen: Option<SeenKeys>,
    insert_event: Statement<'c>,
    insert_pending_event: Statement<'c>,
    insert_state: Statement<'c>,
    merge_state: Statement<'c>,
    default_cluster: String,
    /// `--cluster` was given: it wins over a GKE entry's cluster label.
    cluster_given: bool,
    clusters: FastMap<String, i64>,
    strings: FastMap<String, i64>,
    /// Ids of the current batch's shared strings, by address; emptied with each batch,
    /// whose strings keep those addresses alive.
    batch_strings: FastMap<usize, i64>,
    /// `resource` or `resource.group` ids, by resource then group: looked up by text, without
    /// cloning (touching) the record's shared strings.
    resources: FastMap<Shared, FastMap<Shared, i64>>,
    /// Objects by `cluster \0 uid` or by `cluster \0 group \0 resource \0 namespace \0 name`.
    objects: FastMap<String, Slot>,
    /// Reused to build lookup keys without allocating.
    key: String,
    updates: FastMap<i64, ObjectUpdate>,
    owner_links: HashSet<(i64, i64), foldhash::fast::RandomState>,
    learned: HashMap<(String, String), String>,
    /// Whether kinds the binary does not know (CRDs) are namespaced, as objects showed.
    scopes: HashMap<(String, String), bool>,
    started_empty: bool,
    summary: WriteSummary,
    last_commit: Instant,
    /// Commit about once a second; off for `--strict`, which keeps all or nothing.
    periodic_commits: bool,
}

const COMMIT_EVERY: Duration = Duration::from_secs(1);

/// Entries each lookup cache may hold before it starts over, which keeps memory flat
/// whatever the input size (about 30 MB all told); the store answers what they forget.
const CACHE_LIMIT: usize = 200_000;

impl<'c> Writer<'c> {
    /// `bulk`: a load after [`super::Store::start_bulk_load`].
    pub(super) fn new(
        conn: &'c Connection,
        default_cluster: &str,
        cluster_given: bool,
        periodic_commits: bool,
        bulk: Option<BulkLoad>,
    ) -> Result<Writer<'c>> {
        let unindexed = bulk.unwrap_or_default();
        let mut learned = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT api_group, resource, kind FROM api_resources")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
            for row in rows {
                let (group, resource, kind) = row?;
                learned.insert((group, kind), resource);
            }
        }
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Writer {
            conn,
            insert_request: conn.prepare(INSERT_REQUEST)?,
            merge_request: conn.prepare(MERGE_REQUEST)?,
            another_request: conn.prepare(ANOTHER_REQUEST)?,
            merge_request_by_id: conn.prepare(MERGE_REQUEST_BY_ID)?,
            insert_pending: conn.prepare(INSERT_PENDING)?,
            unindexed,
            seen: (unindexed.requests || unindexed.events).then(|| SeenKeys::new(unindexed.expected_keys)),
            insert_event: conn.prepare(INSERT_EVENT)?,
            insert_pending_event: conn.prepare(INSERT_PENDING_EVENT)?,
            insert_state: conn.prepare(INSERT_STATE)?,
            merge_state: conn.prepare(MERGE_STATE)?,
            default_cluster: default_cluster.to_owned(),
            cluster_given,
            clusters: FastMap::default(),
            strings: FastMap::default(),
            batch_strings: FastMap::default(),
            resources: FastMap::default(),
            objects: FastMap::default(),
            key: String::new(),
            updates: FastMap::default(),
            owner_links: HashSet::default(),
            learned,
            scopes: HashMap::new(),
            started_empty: conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM objects)", [], |r| r.get(0))?,
            summary: WriteSummary::default(),
            last_commit: Instant::now(),
            periodic_commits,
        })
    }

    /// Writes the records of one decoded piece; `blocks` are its compressed bodies.
    /// `dump_time`: when the file's objects were dumped, where the file says none itself.
    pub fn write(&mut self, records: &[Record], blocks: &[Vec<u8>], dump_time: Option<i64>) -> Result<()> {
        self.batch_strings.clear();
        let block_ids = self.write_blocks(blocks)?;
        for record in records {
            match record {
                Record::Audit(audit) => self.write_audit(audit, &block_ids)?,
                Record::Event(event) => self.write_event(event)?,
                Record::Dump(dump) => self.write_dump(dump, &block_ids, dump_time)?,
            }
        }
        if self.periodic_commits && self.last_commit.elapsed() >= COMMIT_EVERY {
            self.commit()?;
        }
        Ok(())
    }

    /// Records a file as ingested: later runs skip the same bytes.
    pub fn file_done(&mut self, file: &FileRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO files (path, fingerprint, size, format, gzip, lines, records, bad_records, truncated, ingested_us)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (fingerprint) DO NOTHING",
            params![
                file.path,
                file.fingerprint.as_slice(),
                file.size as i64,
                file.format,
                file.gzip,
                file.lines as i64,
                file.records as i64,
                file.bad_records as i64,
                file.truncated,
                chrono::Utc::now().timestamp_micros()
            ],
        )?;
        Ok(())
    }

    /// Commits what is pending and ends the last transaction.
    pub fn finish(mut self) -> Result<WriteSummary> {
        self.flush_updates()?;
        self.conn.execute_batch("COMMIT")?;
        Ok(self.summary)
    }

    /// Rolls back what the last transaction holds.
    pub fn abandon(self) -> Result<()> {
        self.conn.execute_batch("ROLLBACK")?;
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.flush_updates()?;
        self.conn.execute_batch("COMMIT; BEGIN IMMEDIATE")?;
        self.last_commit = Instant::now();
        Ok(())
    }

    fn write_blocks(&mut self, blocks: &[Vec<u8>]) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached("INSERT INTO state_blocks (data) VALUES (?1)")?;
        blocks
            .iter()
            .map(|data| {
                stmt.execute([data])?;
                Ok(self.conn.last_insert_rowid())
            })
            .collect()
    }

    /// A record's cluster: its own (a GKE label yields to an explicit `--cluster`), else the
    /// ingest's.
    fn record_cluster(&mut self, name: Option<&str>, from_label: bool) -> Result<i64> {
        self.cluster(name.filter(|_| !(from_label && self.cluster_given)))
    }

    fn cluster(&mut self, name: Option<&str>) -> Result<i64> {
        let name = name.unwrap_or(&self.default_cluster);
        if let Some(&id) = self.clusters.get(name) {
            return Ok(id);
        }
        self.conn.execute("INSERT OR IGNORE INTO clusters (name) VALUES (?1)", [name])?;
        let id = self.conn.query_row("SELECT id FROM clusters WHERE name = ?1", [name], |r| r.get(0))?;
        self.clusters.insert(name.to_owned(), id);
        Ok(id)
    }

    /// [`Writer::intern`] for the shared strings of a batch: by address, so that each is
    /// hashed once per batch rather than once per record.
    fn intern_shared(&mut self, value: &Shared) -> Result<i64> {
        let address = Arc::as_ptr(value) as *const u8 as usize;
        if let Some(&id) = self.batch_strings.get(&address) {
            return Ok(id);
        }
        let id = self.intern(value)?;
        self.batch_strings.insert(address, id);
        Ok(id)
    }

    fn intern_shared_opt(&mut self, value: Option<&Shared>) -> Result<Option<i64>> {
        value.filter(|v| !v.is_empty()).map(|v| self.intern_shared(v)).transpose()
    }

    fn intern(&mut self, value: &str) -> Result<i64> {
        if let Some(&id) = self.strings.get(value) {
            return Ok(id);
        }
        self.conn.prepare_cached("INSERT OR IGNORE INTO strings (value) VALUES (?1)")?.execute([value])?;
        let id =
            self.conn.prepare_cached("SELECT id FROM strings WHERE value = ?1")?.query_row([value], |r| r.get(0))?;
        if self.strings.len() >= CACHE_LIMIT {
            self.strings.clear();
        }
        self.strings.insert(value.to_owned(), id);
        Ok(id)
    }

    /// The string id of `resource` or `resource.group`, as stats and queries show it.
    fn resource_id(&mut self, resource: &Shared, group: &Shared) -> Result<i64> {
        if let Some(&id) = self.resources.get(&**resource).and_then(|groups| groups.get(&**group)) {
            return Ok(id);
        }
        let id = if group.is_empty() { self.intern(resource)? } else { self.intern(&format!("{resource}.{group}"))? };
        self.resources.entry(resource.clone()).or_default().insert(group.clone(), id);
        Ok(id)
    }

    fn intern_opt(&mut self, value: Option<&str>) -> Result<Option<i64>> {
        value.filter(|v| !v.is_empty()).map(|v| self.intern(v)).transpose()
    }

    fn seen(&mut self, object: i64, seen: Option<(i64, i64)>) {
        let Some((from_us, to_us)) = seen else { return };
        let update = self.updates.entry(object).or_default();
        update.first_seen_us = min_some(update.first_seen_us, Some(from_us));
        update.last_seen_us = max_some(update.last_seen_us, Some(to_us));
    }

    fn lifetime(&mut self, object: i64, created_us: Option<i64>, deleted_us: Option<i64>) {
        let update = self.updates.entry(object).or_default();
        update.created_us = min_some(update.created_us, created_us);
        update.deleted_us = min_some(update.deleted_us, deleted_us);
    }

    fn flush_updates(&mut self) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "UPDATE objects SET
                kind = CASE WHEN ?2 IS NOT NULL AND kind = '' THEN ?2 ELSE kind END,
                api_version = CASE WHEN ?3 IS NOT NULL AND api_version = '' THEN ?3 ELSE api_version END,
                first_seen_us = min(coalesce(first_seen_us, ?4), coalesce(?4, first_seen_us)),
                last_seen_us = max(coalesce(last_seen_us, ?5), coalesce(?5, last_seen_us)),
                created_us = min(coalesce(created_us, ?6), coalesce(?6, created_us)),
                deleted_us = min(coalesce(deleted_us, ?7), coalesce(?7, deleted_us)),
                namespace = coalesce(?8, namespace)
             WHERE id = ?1",
        )?;
        for (id, u) in self.updates.drain() {
            stmt.execute(params![
                id,
                u.kind,
                u.api_version,
                u.first_seen_us,
                u.last_seen_us,
                u.created_us,
                u.deleted_us,
                u.namespace
            ])?;
        }
        Ok(())
    }

    fn state(
        &mut self,
        cluster: i64,
        object: i64,
        state: &ObjectState,
        observed_us: Option<i64>,
        source: i64,
        blocks: &[i64],
    ) -> Result<()> {
        let (Some(body), Some(rv)) = (state.body, state.resource_version.as_deref()) else { return Ok(()) };
        let BodyRef { block, offset, len } = body;
        let row = params![object, rv, observed_us, source, blocks[block], offset as i64, len as i64];
        if self.insert_state.execute(row)? == 1 {
            self.summary.object_states_added += 1;
        } else {
            self.merge_state.execute(row)?;
        }
        self.lifetime(object, state.created_us, state.deleted_us);
        let name = &state.object;
        if !name.kind.is_empty() && kinds::by_kind(&name.group, &name.kind).is_none() {
            self.scopes.insert((name.group.to_string(), name.kind.to_string()), !name.namespace.is_empty());
        }
        if name.uid.is_some() {
            // The object's own body says where it lives, whatever an ownerReference guessed.
            self.updates.entry(object).or_default().namespace = Some(name.namespace.to_string());
        }
        if let Some(hash) = &state.mirror_of {
            self.conn
                .prepare_cached("INSERT OR IGNORE INTO uid_aliases (cluster_id, alias, object_id) VALUES (?1, ?2, ?3)")?
                .execute(params![cluster, hash, object])?;
        }
        Ok(())
    }

    fn write_audit(&mut self, audit: &AuditRecord, blocks: &[i64]) -> Result<()> {
        self.summary.audit_events += 1;
        let cluster = self.record_cluster(audit.cluster.as_deref(), audit.cluster_from_label)?;
        let object = match &audit.target {
            Some(target) => {
                self.learn(target)?;
                self.object(cluster, target, Some((audit.received_us, audit.stage_us)))?
            }
            None => None,
        };
        self.store_request(audit, cluster, object, blocks)?;
        let Some(object) = object else { return Ok(()) };
        let succeeded = audit.code.is_some_and(|c| (200..300).contains(&c));
        if &*audit.verb == "delete" && audit.subresource.is_none() && succeeded {
            self.lifetime(object, None, Some(audit.stage_us));
        }
        // Borrowed: most requests have no owners, and their namespace is never read.
        let no_namespace;
        let namespace = match &audit.target {
            Some(target) => &target.namespace,
            None => {
                no_namespace = Shared::from("");
                &no_namespace
            }
        };
        match &audit.state {
            Some(state) => {
                self.state(cluster, object, state, Some(audit.stage_us), 0, blocks)?;
                self.owners(cluster, object, namespace, &state.owners)?;
            }
            None => self.owners(cluster, object, namespace, &audit.request_owners)?,
        }
        Ok(())
    }

    /// The request's row: a new auditID is inserted; a later (or earlier) stage of a stored
    /// request merges into its row; a stage stored before changes nothing unless it is logged
    /// at a higher level.
    fn store_request(&mut self, audit: &AuditRecord, cluster: i64, object: Option<i64>, blocks: &[i64]) -> Result<()> {
        let (resource_id, namespace_id) = match &audit.target {
            Some(t) if !t.resource.is_empty() => {
                (Some(self.resource_id(&t.resource, &t.group)?), self.intern_shared_opt(Some(&t.namespace))?)
            }
            _ => (None, None),
        };
        let verb_id = self.intern_shared(&audit.verb)?;
        let subresource_id = self.intern_shared_opt(audit.subresource.as_ref())?;
        let uri_id = if object.is_none() { self.intern_opt(audit.request_uri.as_deref())? } else { None };
        let user_id = self.intern_shared_opt(Some(&audit.user))?;
        let impersonated_id = self.intern_shared_opt(audit.impersonated_user.as_ref())?;
        let agent_id = self.intern_shared_opt(audit.user_agent.as_ref())?;
        let source_ip_id = self.intern_shared_opt(audit.source_ip.as_ref())?;
        let reason_id = self.intern_shared_opt(audit.status_reason.as_ref())?;
        let groups_id = self.intern_shared_opt(audit.groups.as_ref())?;
        let field_manager_id = self.intern_shared_opt(audit.field_manager.as_ref())?;
        let pod_security_id = self.intern_shared_opt(audit.pod_security_violations.as_ref())?;
        let body = audit.patch.map(|b| (blocks[b.block], b.offset as i64, b.len as i64));
        let audit_key = &audit.audit_key;
        let row = params![
            audit_key,
            cluster,
            audit.stage.bit(),
            audit.level as i64,
            verb_id,
            resource_id,
            subresource_id,
            namespace_id,
            object,
            uri_id,
            user_id,
            impersonated_id,
            agent_id,
            source_ip_id,
            audit.code,
            reason_id,
            audit.status_message,
            audit.received_us,
            audit.stage_us,
            audit.base_rv,
            audit.new_rv,
            body.map(|b| b.0),
            body.map(|b| b.1),
            body.map(|b| b.2),
            groups_id,
            field_manager_id,
            audit.server_side_apply,
            pod_security_id,
        ];
        let unindexed = self.unindexed.requests;
        if let Some(seen) = self.seen.as_mut().filter(|_| unindexed) {
            // No unique index to consult. A stage of a request stored moments ago merges into
            // its row now; any other possibly seen auditID waits for the index.
            match seen.insert(&[audit_key, &cluster.to_le_bytes()]) {
                Seen::No(hash) => {
                    self.insert_request.execute(row)?;
                    seen.remember(hash, self.conn.last_insert_rowid());
                    self.summary.requests_added += 1;
                }
                Seen::Recently(id) => {
                    let mut with_id = row.to_vec();
                    with_id.push(&id);
                    if self.merge_request_by_id.execute(with_id.as_slice())? == 1 {
                        self.summary.stages_merged += 1;
                    } else {
                        // A repeat, or another request reusing the ID: the index will tell.
                        self.insert_pending.execute(row)?;
                    }
                }
                Seen::Maybe => {
                    self.insert_pending.execute(row)?;
                }
            }
        } else if self.insert_request.execute(row)? == 1 {
            self.summary.requests_added += 1;
        } else if self.merge_request.execute(row)? == 1 {
            self.summary.stages_merged += 1;
        } else if self.another_request.query_row(params![audit_key, cluster, verb_id, user_id], |r| r.get(0))? {
            self.store_reused(row, audit_key, audit.received_us)?;
        } else {
            self.summary.duplicates_skipped += 1;
        }
        Ok(())
    }

    /// A request under another request's auditID: stored under a key of its own.
    fn store_reused(&mut self, row: &[&dyn rusqlite::ToSql], audit_key: &[u8], received_us: i64) -> Result<()> {
        let key = reused_key(audit_key, received_us);
        let mut reused = row.to_vec();
        reused[0] = &key;
        if self.insert_request.execute(reused.as_slice())? == 1 {
            self.summary.requests_added += 1;
            self.summary.audit_ids_reused += 1;
        } else if self.merge_request.execute(reused.as_slice())? == 1 {
            self.summary.stages_merged += 1;
        } else {
            self.summary.duplicates_skipped += 1;
        }
        Ok(())
    }

    fn write_event(&mut self, event: &EventRecord) -> Result<()> {
        self.summary.events += 1;
        let cluster = self.record_cluster(event.cluster.as_deref(), event.cluster_from_label)?;
        let time_us = event.time_us().unwrap_or_default();
        let first_us = event.details.first_us.unwrap_or(time_us).min(time_us);
        let object = self.event_object(cluster, event, Some((first_us, time_us)))?;
        let api_id = self.intern(event.api)?;
        let event = &event.details;
        let event_key = event.uid.clone().unwrap_or_else(|| format!("{}/{}", event.namespace, event.name));
        let version_key =
            event.resource_version.clone().unwrap_or_else(|| format!("{}@{}", event.count.unwrap_or(1), time_us));
        // The uid and resourceVersion are stored once, as the keys; these bits say they are.
        let keyed_by = i64::from(event.uid.is_some()) | i64::from(event.resource_version.is_some()) << 1;
        let namespace_id = self.intern(&event.namespace)?;
        let [
            reason_id,
            type_id,
            action_id,
            source_component_id,
            source_host_id,
            reporting_component_id,
            reporting_instance_id,
        ] = [
            &event.reason,
            &event.event_type,
            &event.action,
            &event.source_component,
            &event.source_host,
            &event.reporting_component,
            &event.reporting_instance,
        ]
        .map(|text| text.as_deref().map(|text| self.intern(text)).transpose());
        let row = params![
            cluster,
            api_id,
            event_key,
            version_key,
            keyed_by,
            event.name,
            namespace_id,
            object,
            event.field_path,
            reason_id?,
            type_id?,
            event.message,
            action_id?,
            source_component_id?,
            source_host_id?,
            reporting_component_id?,
            reporting_instance_id?,
            event.count,
            event.series_count,
            event.first_us,
            event.last_us,
            event.event_time_us,
            event.series_last_us,
            time_us,
        ];
        let unindexed = self.unindexed.events;
        if let Some(seen) = self.seen.as_mut().filter(|_| unindexed) {
            let key: [&[u8]; 5] =
                [b"event", &cluster.to_le_bytes(), event_key.as_bytes(), b"\0", version_key.as_bytes()];
            if !matches!(seen.insert(&key), Seen::No(_)) {
                // Perhaps stored already: only the unique index can tell.
                self.insert_pending_event.execute(row)?;
                return Ok(());
            }
        }
        if self.insert_event.execute(row)? == 0 {
            self.summary.duplicates_skipped += 1;
        } else {
            self.summary.events_added += 1;
        }
        Ok(())
    }

    /// The object an Event is about. One about no one object (`bootstrap-finished`, a
    /// `LeaderElection` with only an apiVersion) is kept on its namespace; one in no namespace
    /// on `default`, where Kubernetes keeps cluster-level Events.
    fn event_object(&mut self, cluster: i64, event: &EventRecord, seen: Option<(i64, i64)>) -> Result<i64> {
        if let Some(object) = self.object(cluster, &event.involved, seen)? {
            return Ok(object);
        }
        self.summary.events_without_object += 1;
        let namespace = if event.details.namespace.is_empty() { "default" } else { &event.details.namespace };
        let scope = ObjectName {
            api_version: "v1".into(),
            resource: "namespaces".into(),
            kind: "Namespace".into(),
            name: namespace.to_owned(),
            ..ObjectName::default()
        };
        Ok(self.object(cluster, &scope, seen)?.expect("a namespace has a name"))
    }

    fn write_dump(&mut self, dump: &DumpRecord, blocks: &[i64], dump_time: Option<i64>) -> Result<()> {
        self.summary.objects_dumped += 1;
        let cluster = self.cluster(dump.cluster.as_deref())?;
        let observed_us = dump.observed_us.or(dump_time);
        let seen = observed_us.or(dump.state.created_us).map(|at| (at, at));
        let Some(object) = self.object(cluster, &dump.state.object, seen)? else { return Ok(()) };
        self.state(cluster, object, &dump.state, observed_us, 1, blocks)?;
        self.owners(cluster, object, &dump.state.object.namespace, &dump.state.owners)?;
        Ok(())
    }
}
