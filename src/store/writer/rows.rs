//! The SQL of the rows the writer stores, with their columns in binding order.

/// A request row's columns, and the parameters that bind them in that order.
macro_rules! request_row {
    (columns) => {
        "audit_id, cluster_id, stages, level, verb_id, resource_id, subresource_id, namespace_id,
         object_id, uri_id, user_id, impersonated_id, agent_id, source_ip_id, code, reason_id, message,
         received_us, completed_us, base_rv, new_rv, body_block, body_offset, body_len, groups_id,
         field_manager_id, server_side_apply, pod_security_id"
    };
    (values) => {
        "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
         ?25, ?26, ?27, ?28"
    };
}

/// How many columns [`request_row`] names.
pub const REQUEST_COLUMNS: usize = 28;

/// An Event version's columns, and the parameters that bind them in that order.
macro_rules! event_row {
    (columns) => {
        "cluster_id, api_id, event_key, version_key, keyed_by, name, namespace_id, object_id, field_path,
         reason_id, type_id, message, action_id, source_component_id, source_host_id, reporting_component_id,
         reporting_instance_id, count, series_count, first_us, last_us, event_time_us, series_last_us, time_us"
    };
    (values) => {
        "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24"
    };
}

/// `INSERT ... INTO table (columns) VALUES (parameters)` for a `row` macro as above.
macro_rules! insert_row {
    ($insert:literal, $table:literal, $row:ident) => {
        concat!($insert, " INTO ", $table, " (", $row!(columns), ") VALUES (", $row!(values), ")")
    };
}

pub const INSERT_PENDING: &str = insert_row!("INSERT", "pending_requests", request_row);

pub const INSERT_REQUEST: &str = insert_row!("INSERT OR IGNORE", "requests", request_row);

/// How a stage merges into the row of its request. Stages of one request arrive as
/// separate audit events, maybe in different files: the row keeps the union of stages, a
/// later stage's outcome wins, a stage seen before changes nothing, unless it was logged at
/// a higher level (two audit backends with different policies): then what its bodies tell
/// (object, resourceVersions, patch) wins, so the row is the same whichever copy came
/// first. Parameters as in [`INSERT_REQUEST`].
macro_rules! merge_request {
    ($where_also:literal) => {
        concat!(
            "UPDATE requests SET
                 stages = stages | ?3,
                 level = max(level, ?4),
                 resource_id = coalesce(resource_id, ?6),
                 subresource_id = coalesce(subresource_id, ?7),
                 namespace_id = coalesce(namespace_id, ?8),
                 object_id = CASE WHEN ?4 > level THEN coalesce(?9, object_id) ELSE coalesce(object_id, ?9) END,
                 uri_id = coalesce(uri_id, ?10),
                 agent_id = coalesce(agent_id, ?13),
                 source_ip_id = coalesce(source_ip_id, ?14),
                 code = CASE WHEN ?3 > stages THEN coalesce(?15, code) ELSE coalesce(code, ?15) END,
                 reason_id = CASE WHEN ?3 > stages THEN coalesce(?16, reason_id) ELSE coalesce(reason_id, ?16) END,
                 message = CASE WHEN ?3 > stages THEN coalesce(?17, message) ELSE coalesce(message, ?17) END,
                 received_us = min(received_us, ?18),
                 completed_us = max(completed_us, ?19),
                 base_rv = CASE WHEN ?4 > level THEN coalesce(?20, base_rv) ELSE coalesce(base_rv, ?20) END,
                 new_rv = CASE WHEN ?4 > level THEN coalesce(?21, new_rv) ELSE coalesce(new_rv, ?21) END,
                 body_block = CASE WHEN ?4 > level AND ?22 IS NOT NULL THEN ?22 ELSE coalesce(body_block, ?22) END,
                 body_offset = CASE WHEN ?4 > level AND ?22 IS NOT NULL THEN ?23 ELSE coalesce(body_offset, ?23) END,
                 body_len = CASE WHEN ?4 > level AND ?22 IS NOT NULL THEN ?24 ELSE coalesce(body_len, ?24) END,
                 groups_id = coalesce(groups_id, ?25),
                 field_manager_id = coalesce(field_manager_id, ?26),
                 server_side_apply = max(server_side_apply, ?27),
                 pod_security_id = coalesce(pod_security_id, ?28)
             WHERE ",
            $where_also,
            "audit_id = ?1 AND cluster_id = ?2 AND ((stages & ?3) = 0 OR level < ?4)
             AND verb_id = ?5 AND user_id IS ?11"
        )
    };
}

pub const MERGE_REQUEST: &str = merge_request!("");

/// Whether the row under an auditID is another request than this one (another verb or
/// user): a client that sets the Audit-ID header may give two requests one ID. (Objects are
/// no test: a Metadata-level copy names by name the object a fuller copy names by uid.)
/// Parameters: audit_id, cluster_id, verb_id, user_id.
pub const ANOTHER_REQUEST: &str = "
SELECT EXISTS (SELECT 1 FROM requests WHERE audit_id = ?1 AND cluster_id = ?2 AND (verb_id != ?3 OR user_id IS NOT ?4))";

/// The key a request that reuses another's auditID is stored under: the ID, a byte no
/// UTF-8 text holds, and when it was received (its stages share that time).
pub fn reused_key(key: &[u8], received_us: i64) -> Vec<u8> {
    let mut reused = key.to_vec();
    reused.push(crate::model::audit_id::REUSED);
    reused.extend_from_slice(&received_us.to_be_bytes());
    reused
}

/// [`MERGE_REQUEST`] into the row whose id is `?29`, for a bulk load without the auditID index.
pub const MERGE_REQUEST_BY_ID: &str = merge_request!("id = ?29 AND ");

pub const INSERT_STATE: &str = "
INSERT OR IGNORE INTO object_states (object_id, resource_version, observed_us, source, block_id, block_offset, body_len)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// A state seen in an audit response and in a dump is one state; the audit side wins.
pub const MERGE_STATE: &str = "
UPDATE object_states SET
    observed_us = coalesce(observed_us, ?3),
    source = min(source, ?4),
    block_id = CASE WHEN ?4 < source THEN ?5 ELSE block_id END,
    block_offset = CASE WHEN ?4 < source THEN ?6 ELSE block_offset END,
    body_len = CASE WHEN ?4 < source THEN ?7 ELSE body_len END
WHERE object_id = ?1 AND resource_version = ?2";

pub const INSERT_EVENT: &str = insert_row!("INSERT OR IGNORE", "event_versions", event_row);

pub const INSERT_PENDING_EVENT: &str = insert_row!("INSERT", "pending_event_versions", event_row);

pub(crate) use {event_row, request_row};
