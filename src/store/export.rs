//! What `export parquet` reads: each table's rows a slice at a time, in the order the files
//! keep them (by object, then time), so that memory stays bounded at any store size.

use anyhow::Result;
use rusqlite::params;

use rusqlite::params_from_iter;

use super::Store;
use super::read::{
    BodyLocation, EventRow, OBJECT_COLUMNS, ObjectRow, event_row, object_row, object_row_at, request_select,
};
use super::requests::{LINE_COLUMNS, LINE_JOINS, RequestFilter, RequestLine, request_line};

/// An hour, as microseconds since the epoch divided by this.
pub const HOUR_US: i64 = 3_600_000_000;

/// A request as the export writes it: its line, its object's apiVersion, and where the
/// state its write produced is stored.
pub struct ExportedRequest {
    pub line: RequestLine,
    pub api_version: Option<String>,
    pub response: Option<BodyLocation>,
}

/// One stored state of an object, with the object it belongs to.
pub struct ExportedState {
    pub object_id: i64,
    pub resource_version: String,
    pub observed_us: Option<i64>,
    pub from_dump: bool,
    pub body: BodyLocation,
}

impl Store {
    /// The clusters (id, name), by name.
    pub fn clusters(&self) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn.prepare("SELECT id, name FROM clusters ORDER BY name")?;
        Ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?)
    }

    /// The hours of one cluster that hold requests (`received_us / HOUR_US`) with rows past
    /// `after_id`, oldest first.
    pub fn request_hours(&self, cluster: i64, after_id: i64) -> Result<Vec<i64>> {
        self.hours("requests", "received_us", cluster, after_id)
    }

    /// The hours of one cluster that hold Event versions past `after_id`, oldest first.
    pub fn event_hours(&self, cluster: i64, after_id: i64) -> Result<Vec<i64>> {
        self.hours("event_versions", "time_us", cluster, after_id)
    }

    fn hours(&self, table: &str, time_column: &str, cluster: i64, after_id: i64) -> Result<Vec<i64>> {
        // `+cluster_id`: through the Event versions' unique index, which leads with the
        // cluster, each row is a seek to wherever it lies (42 s at 6.4M versions); the rows
        // past `after_id` in table order take 4 s.
        let mut stmt = self.conn.prepare(&format!(
            "SELECT DISTINCT {time_column} / ?3 FROM {table} WHERE +cluster_id = ?1 AND id > ?2 ORDER BY 1"
        ))?;
        Ok(stmt.query_map(params![cluster, after_id, HOUR_US], |r| r.get(0))?.collect::<Result<_, _>>()?)
    }

    /// The largest id of each table export counts from: requests, Event versions, objects,
    /// state blocks (states are written block by block).
    pub fn export_marks(&self) -> Result<[i64; 4]> {
        let max = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        Ok([
            max("SELECT coalesce(max(id), 0) FROM requests")?,
            max("SELECT coalesce(max(id), 0) FROM event_versions")?,
            max("SELECT coalesce(max(id), 0) FROM objects")?,
            max("SELECT coalesce(max(id), 0) FROM state_blocks")?,
        ])
    }

    /// The requests of one cluster and hour with ids past `after_id`, by object (resource,
    /// namespace, name), then time; each with the state it produced, in one query.
    pub fn each_request_in_hour(
        &self,
        cluster: i64,
        hour: i64,
        after_id: i64,
        visit: &mut dyn FnMut(ExportedRequest) -> Result<()>,
    ) -> Result<()> {
        let filter = RequestFilter {
            clusters: Some(vec![cluster]),
            since_us: Some(hour * HOUR_US),
            until_us: Some((hour + 1) * HOUR_US - 1),
            ..RequestFilter::default()
        };
        let (clause, values) = filter.sql();
        let width = super::read::REQUEST_ROW_WIDTH + LINE_COLUMNS.split(',').count();
        let sql = format!(
            "{} {LINE_JOINS}
             LEFT JOIN object_states s ON s.object_id = r.object_id AND s.resource_version = r.new_rv
             {clause} AND r.id > {after_id}
             ORDER BY res.value, ns.value, o.name, r.received_us, r.id",
            request_select(&format!("{LINE_COLUMNS}, o.api_version, s.block_id, s.block_offset, s.body_len"))
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            let block: Option<i64> = row.get(width + 1)?;
            visit(ExportedRequest {
                line: request_line(row)?,
                api_version: row.get::<_, Option<String>>(width)?.filter(|v| !v.is_empty()),
                response: match block {
                    Some(block) => Some(BodyLocation { block, offset: row.get(width + 2)?, len: row.get(width + 3)? }),
                    None => None,
                },
            })?;
        }
        Ok(())
    }

    /// The Event versions of one cluster and hour past `after_id`, by involved object, then time.
    pub fn each_event_in_hour(
        &self,
        cluster: i64,
        hour: i64,
        after_id: i64,
        visit: &mut dyn FnMut(ObjectRow, EventRow) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT e.object_id, e.id, e.api, e.uid, e.name, e.namespace, e.resource_version, e.field_path, e.reason,
                    e.type, e.message, e.action, e.source_component, e.source_host, e.reporting_component,
                    e.reporting_instance, e.count, e.series_count, e.first_us, e.last_us, e.event_time_us,
                    e.series_last_us, e.time_us, {OBJECT_COLUMNS}
             FROM events e JOIN objects o ON o.id = e.object_id JOIN clusters c ON c.id = o.cluster_id
             WHERE +e.cluster_id = ?1 AND e.time_us >= ?2 AND e.time_us < ?3 AND e.id > ?4
             ORDER BY o.resource, o.namespace, o.name, e.time_us, e.id"
        ))?;
        let mut rows = stmt.query(params![cluster, hour * HOUR_US, (hour + 1) * HOUR_US, after_id])?;
        while let Some(row) = rows.next()? {
            visit(object_row_at(row, 23)?, event_row(row)?)?;
        }
        Ok(())
    }

    /// The objects of one cluster with ids past `after_id`, by resource, namespace, name.
    pub fn each_object_of_cluster(
        &self,
        cluster: i64,
        after_id: i64,
        visit: &mut dyn FnMut(ObjectRow) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {OBJECT_COLUMNS} FROM objects o JOIN clusters c ON c.id = o.cluster_id
             WHERE o.cluster_id = ?1 AND o.id > ?2 ORDER BY o.resource, o.namespace, o.name, o.id"
        ))?;
        let mut rows = stmt.query(params![cluster, after_id])?;
        while let Some(row) = rows.next()? {
            visit(object_row(row)?)?;
        }
        Ok(())
    }

    /// The stored states of one cluster's objects in blocks past `after_block`, in the order
    /// they are stored: each block of bodies is inflated once.
    pub fn each_state_of_cluster(
        &self,
        cluster: i64,
        after_block: i64,
        visit: &mut dyn FnMut(ObjectRow, ExportedState) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.object_id, s.resource_version, s.observed_us, s.source, s.block_id, s.block_offset, s.body_len,
                    {OBJECT_COLUMNS}
             FROM object_states s JOIN objects o ON o.id = s.object_id JOIN clusters c ON c.id = o.cluster_id
             WHERE o.cluster_id = ?1 AND s.block_id > ?2
             ORDER BY s.block_id, s.block_offset"
        ))?;
        let mut rows = stmt.query(params![cluster, after_block])?;
        while let Some(r) = rows.next()? {
            visit(
                object_row_at(r, 7)?,
                ExportedState {
                    object_id: r.get(0)?,
                    resource_version: r.get(1)?,
                    observed_us: r.get(2)?,
                    from_dump: r.get::<_, i64>(3)? == 1,
                    body: BodyLocation { block: r.get(4)?, offset: r.get(5)?, len: r.get(6)? },
                },
            )?;
        }
        Ok(())
    }

    /// Where the state an object had at a resourceVersion is stored.
    pub fn state_at(&self, object: i64, resource_version: &str) -> Result<Option<BodyLocation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT block_id, block_offset, body_len FROM object_states WHERE object_id = ?1 AND resource_version = ?2",
        )?;
        let mut rows = stmt.query(params![object, resource_version])?;
        Ok(match rows.next()? {
            Some(r) => Some(BodyLocation { block: r.get(0)?, offset: r.get(1)?, len: r.get(2)? }),
            None => None,
        })
    }

    /// The ownerReferences links of one cluster's objects with ids past `after_object`: the
    /// object and its owner.
    pub fn each_owner_of_cluster(
        &self,
        cluster: i64,
        after_object: i64,
        visit: &mut dyn FnMut(ObjectRow, ObjectRow, i64) -> Result<()>,
    ) -> Result<()> {
        let owner_columns = OBJECT_COLUMNS.replace("o.", "w.");
        let mut stmt = self.conn.prepare(&format!(
            "SELECT r.controller, {OBJECT_COLUMNS}, {owner_columns}
             FROM owner_refs r JOIN objects o ON o.id = r.object_id JOIN objects w ON w.id = r.owner_id
             JOIN clusters c ON c.id = o.cluster_id
             WHERE o.cluster_id = ?1 AND r.object_id > ?2 ORDER BY r.object_id, r.owner_id"
        ))?;
        let width = OBJECT_COLUMNS.split(',').count();
        let mut rows = stmt.query(params![cluster, after_object])?;
        while let Some(r) = rows.next()? {
            visit(object_row_at(r, 1)?, object_row_at(r, 1 + width)?, r.get(0)?)?;
        }
        Ok(())
    }
}
