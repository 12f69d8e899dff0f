//! Bulk loads against row-by-row loads, in process: the writer fed piece by piece, and a
//! bulk load killed before its end finished by the next ingest.

use super::{BulkLoad, Location, Store, WriteSummary, Writer};
use crate::input::{Format, Piece, decode_piece};
use crate::testing::{ingest, testdata};

/// Rows of every request, with objects by name, not row id: what two loads must agree on.
fn request_rows(store: &Store) -> Vec<String> {
    store.rows(
        "SELECT hex(r.audit_id), r.stages, r.level, r.code, coalesce(r.base_rv, ''), coalesce(r.new_rv, ''),
                r.received_us, r.completed_us, coalesce(o.kind || ' ' || o.namespace || '/' || o.name, ''),
                coalesce(o.uid, ''), coalesce(r.body_len, 0)
         FROM requests r LEFT JOIN objects o ON o.id = r.object_id ORDER BY r.audit_id",
    )
}

fn event_rows(store: &Store) -> Vec<String> {
    store.rows("SELECT id, event_key, version_key, object_id, reason, count, time_us FROM events ORDER BY id")
}

/// Writes the given JSON Lines texts through the library's writer, one piece each, in
/// order: row by row, or as a bulk load into empty tables left unfinished (its unique
/// indexes not built, its pending rows not drained).
fn write_texts(store: &Store, texts: &[&[u8]], bulk: bool) -> WriteSummary {
    let bulk = bulk.then_some(BulkLoad { requests: true, events: true, expected_keys: 1 });
    if let Some(bulk) = &bulk {
        store.start_bulk_load(bulk).unwrap();
    }
    let mut writer = Writer::new(&store.conn, "default", false, true, bulk).unwrap();
    for text in texts {
        let decoded = decode_piece(&Piece { file: 0, first_line: 1, format: Format::JsonLines, data: text.to_vec() });
        writer.write(&decoded.records, &decoded.bodies.finish(), None).unwrap();
    }
    writer.finish().unwrap()
}

/// [`write_texts`] into a store in memory, a bulk load ending as `ingest` ends it.
fn load(texts: &[&[u8]], bulk: bool) -> (Store, WriteSummary) {
    let store = Store::open_for_write(&Location::Memory).unwrap();
    let mut summary = write_texts(&store, texts, bulk);
    if bulk {
        assert!(store.bulk_load_unfinished().unwrap());
        let drained = store.finish_bulk_load().unwrap();
        summary.requests_added += drained.added;
        summary.stages_merged += drained.merged;
        summary.events_added += drained.events_added;
        summary.duplicates_skipped += drained.duplicates;
        assert!(!store.bulk_load_unfinished().unwrap(), "the unique indexes are back");
    }
    store.resolve_unnamed_objects().unwrap();
    (store, summary)
}

#[test]
fn bulk_loads_store_what_row_by_row_loads_store() {
    let audit = std::fs::read(testdata("sample/audit.log")).unwrap();
    let events = std::fs::read(testdata("rollout/events.jsonl")).unwrap();
    // The same file twice, as when rotated logs overlap.
    let texts: [&[u8]; 4] = [&audit, &audit, &events, &events];
    let (normal, normal_summary) = load(&texts, false);
    let (bulk, bulk_summary) = load(&texts, true);
    assert_eq!(request_rows(&bulk), request_rows(&normal));
    assert_eq!(request_rows(&bulk).len(), 14);
    assert_eq!(event_rows(&bulk), event_rows(&normal));
    assert_eq!(event_rows(&bulk).len(), 39);
    for summary in [&normal_summary, &bulk_summary] {
        assert_eq!(
            (summary.requests_added, summary.stages_merged, summary.events_added, summary.duplicates_skipped),
            (14, 1, 39, 15 + 39)
        );
    }
}

#[test]
fn a_request_logged_at_two_levels_keeps_the_fuller_copy_whatever_the_order() {
    // Two audit backends with different policies log the same 48 requests, one at
    // RequestResponse and one at Metadata level.
    let full = std::fs::read(testdata("rollout/audit.log")).unwrap();
    let metadata = std::fs::read(testdata("rollout-metadata/audit.log")).unwrap();
    let states = |store: &Store| {
        store.rows(
            "SELECT o.kind, o.name, s.resource_version FROM object_states s JOIN objects o ON o.id = s.object_id
             ORDER BY 1, 2, 3",
        )
    };
    let (expected_store, _) = load(&[&full], false);
    let expected = request_rows(&expected_store);
    let expected_states = states(&expected_store);
    assert_eq!((expected.len(), expected_states.len()), (48, 40));
    for bulk in [false, true] {
        for texts in [[&full, &metadata], [&metadata, &full]] {
            let texts = texts.map(Vec::as_slice);
            let (store, summary) = load(&texts, bulk);
            assert_eq!(request_rows(&store), expected, "bulk {bulk}, Metadata first: {}", texts[0] == metadata);
            assert_eq!(states(&store), expected_states);
            assert_eq!(
                (summary.requests_added, summary.stages_merged + summary.duplicates_skipped),
                (48, 48),
                "bulk {bulk}"
            );
        }
    }
}

#[test]
fn the_next_ingest_finishes_a_bulk_load_that_was_killed() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::File(dir.path().join("test.db"));
    {
        // What a kill leaves behind after the last commit of a bulk load: rows appended
        // without the unique indexes, and repeats waiting in the pending tables (the
        // audit log's repeats merged at once, by row id).
        let partial = Store::open_for_write(&location).unwrap();
        let audit = std::fs::read(testdata("sample/audit.log")).unwrap();
        let events = std::fs::read(testdata("rollout/events.jsonl")).unwrap();
        write_texts(&partial, &[&audit, &audit, &events, &events], true);
    }
    let store = Store::open_for_write(&location).unwrap();
    let count = |sql: &str| store.rows(sql)[0].parse::<i64>().unwrap();
    assert_eq!(count("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_version' OR name LIKE '%_audit_id'"), 0);
    assert_eq!(count("SELECT count(*) FROM pending_event_versions"), 39);

    let report = ingest(&store, &[testdata("sample/objects.json")]);
    assert_eq!((report.bad_records, report.files_ingested()), (0, 1));
    // Both unique indexes and every query index a load drops were missing, and are back.
    let dropped = super::QUERY_INDEXES.len() - super::bulk::KEPT_DURING_LOADS.len();
    assert_eq!(report.repaired_indexes.len(), dropped + 2, "{:?}", report.repaired_indexes);
    assert!(store.missing_indexes().unwrap().is_empty());
    assert_eq!(
        count("SELECT count(*) FROM pending_requests") + count("SELECT count(*) FROM pending_event_versions"),
        0
    );
    assert_eq!(count("SELECT count(*) FROM requests"), 14);
    assert_eq!(count("SELECT count(*) FROM events"), 39);
    assert_eq!(
        store.rows(
            "SELECT name FROM sqlite_master WHERE name IN ('requests_audit_id', 'events_version', 'events_object') ORDER BY name"
        ),
        ["events_object", "events_version", "requests_audit_id"]
    );
}

#[test]
fn docs_schema_names_every_index_the_store_has() {
    let store = Store::open_for_write(&Location::Memory).unwrap();
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.md")).unwrap();
    let section = doc.split("## Indexes").nth(1).expect("an Indexes section").split("\n## ").next().unwrap();
    let indexes = store.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
    assert!(indexes.len() >= super::QUERY_INDEXES.len());
    for (name, _) in super::QUERY_INDEXES {
        assert!(indexes.iter().any(|i| i == name), "{name} is a query index the store lacks");
    }
    let undocumented: Vec<&String> = indexes.iter().filter(|name| !section.contains(&format!("`{name}"))).collect();
    assert!(undocumented.is_empty(), "docs/schema.md does not name {undocumented:?}");
}

/// What a store holds, row ids aside: two stores that hold the same evidence agree on it.
fn contents(store: &Store) -> Vec<String> {
    let object = |alias: &str| {
        format!(
            "coalesce({alias}.kind || ' ' || {alias}.namespace || '/' || {alias}.name || ' ' || coalesce({alias}.uid, ''), '-')"
        )
    };
    let queries = [
        "SELECT c.name, o.uid, o.api_group, o.api_version, o.resource, o.kind, o.namespace, o.name, o.first_seen_us,
                o.last_seen_us, o.created_us, o.deleted_us FROM objects o JOIN clusters c ON c.id = o.cluster_id"
            .to_owned(),
        format!(
            "SELECT {}, {}, r.controller FROM owner_refs r JOIN objects a ON a.id = r.object_id
             JOIN objects b ON b.id = r.owner_id",
            object("a"),
            object("b")
        ),
        format!(
            "SELECT hex(r.audit_id), r.stages, r.level, r.code, r.base_rv, r.new_rv, r.received_us, r.completed_us,
                    r.body_len, {} FROM requests r LEFT JOIN objects o ON o.id = r.object_id",
            object("o")
        ),
        format!(
            "SELECT e.event_key, e.version_key, e.reason, e.count, e.time_us, e.message, {}
             FROM events e LEFT JOIN objects o ON o.id = e.object_id",
            object("o")
        ),
        format!(
            "SELECT {}, s.resource_version, s.observed_us, s.source, s.body_len FROM object_states s
             JOIN objects o ON o.id = s.object_id",
            object("o")
        ),
        "SELECT path, fingerprint FROM files".to_owned(),
    ];
    let mut rows: Vec<String> = queries.iter().flat_map(|sql| store.rows(sql)).collect();
    rows.sort();
    rows
}

/// Idempotence, as a property: however the fixtures are split into runs and ordered, and
/// whatever is ingested again, the store ends holding what one run of all of them stores.
#[test]
fn ingesting_in_any_runs_and_order_stores_what_one_run_stores() {
    let fixtures = [
        "sample",
        "rollout",
        "races",
        "recreated",
        "audit-events",
        "event-quirks",
        "owner-scope",
        "parent-link",
        "reused-audit-id",
        "rollout-metadata",
        "dump-only",
    ];
    let all: Vec<_> = fixtures.iter().map(|f| testdata(f)).collect();
    let once = Store::open_for_write(&Location::Memory).unwrap();
    ingest(&once, &all);
    let expected = contents(&once);
    // A small deterministic generator: the same splits every run, different for each seed.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    for round in 0..6 {
        let mut order = all.clone();
        for i in (1..order.len()).rev() {
            order.swap(i, next(i + 1));
        }
        let store = Store::open_for_write(&Location::Memory).unwrap();
        let mut rest = &order[..];
        while !rest.is_empty() {
            let (run, after) = rest.split_at(1 + next(rest.len()));
            ingest(&store, run);
            rest = after;
        }
        // Again, some of it: nothing changes.
        ingest(&store, &order[..next(order.len()) + 1]);
        let order: Vec<_> = order.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(contents(&store), expected, "round {round}: {order:?}");
    }
}

#[test]
fn shared_out_jobs_come_back_in_job_order_and_an_error_stops_them() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::File(dir.path().join("s.db"));
    let store = Store::open_for_write(&location).unwrap();
    // Each job reads through its thread's own connection: the store's schema version.
    let results =
        store.share_out(7, |store, job| Ok((job * 10, store.rows("SELECT count(*) FROM clusters").len()))).unwrap();
    assert_eq!(results, (0..7).map(|job| (job * 10, 1)).collect::<Vec<_>>());
    let failed = store.share_out(7, |_, job| if job == 3 { anyhow::bail!("job 3") } else { Ok(job) });
    assert_eq!(failed.unwrap_err().to_string(), "job 3");
}

#[test]
fn filters_matched_in_memory_match_what_their_sql_matches() {
    use super::requests::{Column, RequestFilter};
    let store = crate::testing::store_of(&["requests", "analyze", "rollout"]);
    let ids = |values: &[&str]| -> Option<Vec<i64>> {
        Some(
            values
                .iter()
                .flat_map(|v| store.string_ids(&super::requests::TextMatch::Exact((*v).to_owned())).unwrap())
                .collect(),
        )
    };
    let filters = [
        RequestFilter::default(),
        RequestFilter { verbs: ids(&["update", "patch"]), codes: vec![(200, 299)], ..RequestFilter::default() },
        RequestFilter { excluded_resources: ids(&["leases.coordination.k8s.io"]).unwrap(), ..RequestFilter::default() },
        RequestFilter { excluded_subresources: ids(&["status", "log"]).unwrap(), ..RequestFilter::default() },
        RequestFilter { subresources: ids(&["status"]), ..RequestFilter::default() },
        RequestFilter { no_subresource: true, min_level: Some(3), ..RequestFilter::default() },
        RequestFilter { codes: vec![(409, 409), (500, 599)], reasons: None, ..RequestFilter::default() },
        RequestFilter { reasons: ids(&["Conflict"]), ..RequestFilter::default() },
        RequestFilter { users: ids(&["alice", "carol"]), impersonated: true, ..RequestFilter::default() },
        RequestFilter { users: ids(&["alice"]), ..RequestFilter::default() },
        RequestFilter { namespaces: ids(&["shop"]), since_us: Some(1_719_824_700_000_000), ..RequestFilter::default() },
        RequestFilter { min_latency_us: Some(1_000_000), ..RequestFilter::default() },
        RequestFilter { applies: true, ..RequestFilter::default() },
        RequestFilter { pod_security: true, ..RequestFilter::default() },
        RequestFilter { verbs: Some(Vec::new()), ..RequestFilter::default() },
    ];
    let mut all_columns = Vec::new();
    for filter in &filters {
        all_columns.extend(filter.matcher().columns());
    }
    all_columns.push(Column::Id);
    let rows = store
        .fold_requests(&RequestFilter::default(), &all_columns, Vec::new, |rows, row| rows.push(row.clone()))
        .unwrap();
    let rows: Vec<_> = rows.into_iter().flatten().collect();
    assert!(rows.len() > 50, "{}", rows.len());
    let mut nothing = 0;
    for filter in &filters {
        let matcher = filter.matcher();
        let in_memory = rows.iter().filter(|row| matcher.matches(row)).count() as u64;
        assert_eq!(in_memory, store.count_requests(filter).unwrap(), "{filter:?}");
        nothing += usize::from(in_memory == 0);
    }
    // Each filter matches some requests of the fixtures, bar the one with an empty set.
    assert_eq!(nothing, 1);
}

#[test]
fn a_listing_read_on_many_threads_is_the_listing_read_on_one() {
    use super::requests::{RequestFilter, RequestOrder, TextMatch};
    // Enough requests for many chunks and a full window of them, some sharing a second.
    let lines: String = (0..6_000)
        .map(|i| {
            let (user, verb) = (["alice", "bob", "carol"][i % 3], ["get", "update", "delete"][i % 7 % 3]);
            format!(
                r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"00000000-0000-4000-8000-{i:012}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ns/pods/p{p}","verb":"{verb}","user":{{"username":"{user}"}},"sourceIPs":["10.0.0.1"],"objectRef":{{"resource":"pods","namespace":"ns","name":"p{p}","apiVersion":"v1"}},"responseStatus":{{"code":200}},"requestReceivedTimestamp":"2024-07-01T10:{m:02}:{s:02}.000000Z","stageTimestamp":"2024-07-01T10:{m:02}:{s:02}.002000Z"}}"#,
                p = i % 500,
                m = i / 2 / 60 % 60,
                s = i / 2 % 60,
            ) + "\n"
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let on_file = Store::open_for_write(&Location::File(dir.path().join("l.db"))).unwrap();
    if on_file.readers() < 2 {
        // Rows are read on other threads only where there are cores to spare.
        assert!(std::env::var_os("CI").is_none(), "CI machines have 2 cores");
        eprintln!("SKIPPED: one core, so listings are read on one thread");
        return;
    }
    write_texts(&on_file, &[lines.as_bytes()], false);
    let (in_memory, _) = load(&[lines.as_bytes()], false);
    let ids = |store: &Store, text: &str| Some(store.string_ids(&TextMatch::Exact(text.to_owned())).unwrap());
    // (filter on each store, order, limit, stop after): every kind of listing's end.
    let listings = |store: &Store| {
        [
            (RequestFilter::default(), RequestOrder::Oldest, None, None),
            (RequestFilter::default(), RequestOrder::Newest, Some(1_000), None),
            (RequestFilter::default(), RequestOrder::Oldest, None, Some(3_000)),
            (
                RequestFilter { users: ids(store, "alice"), verbs: ids(store, "delete"), ..RequestFilter::default() },
                RequestOrder::Oldest,
                None,
                None,
            ),
            (
                RequestFilter { users: ids(store, "bob"), ..RequestFilter::default() },
                RequestOrder::Newest,
                None,
                Some(70),
            ),
        ]
    };
    let list =
        |store: &Store, (filter, order, limit, stop): (RequestFilter, RequestOrder, Option<u64>, Option<usize>)| {
            let mut lines = Vec::new();
            let seen = store
                .each_request(&filter, order, limit, &mut |line| {
                    lines.push(format!("{} {} {}", line.request.audit_id, line.request.user, line.request.verb));
                    Ok(stop.is_none_or(|stop| lines.len() < stop))
                })
                .unwrap();
            assert_eq!(seen as usize, lines.len());
            lines
        };
    let expected: Vec<_> = listings(&in_memory).into_iter().map(|listing| list(&in_memory, listing)).collect();
    assert_eq!(expected.iter().map(Vec::len).collect::<Vec<_>>(), [6_000, 1_000, 3_000, 572, 70]);
    for (listing, expected) in listings(&on_file).into_iter().zip(expected) {
        assert_eq!(list(&on_file, listing), expected);
    }
}
