//! Parquet files of the store's tables, for DuckDB, ClickHouse and anything else that reads
//! Parquet: columns named as the JSON contract names them (camelCase), times as UTC
//! microsecond timestamps, zstd-compressed (level 1: the export keeps pace with ingest); the partition (`cluster=`, `date=`, `hour=`)
//! is in the path, as Hive lays it out.
//!
//! One generic writer serves every table: a table is a list of [`Column`]s, a row a list
//! of [`Cell`]s in the same order.

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use arrow_array::builder::{BooleanBuilder, Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    Int,
    /// Microseconds since the epoch, UTC.
    Time,
    Bool,
    /// A list of text (`groups`).
    TextList,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Type,
    pub nullable: bool,
}

const fn column(name: &'static str, kind: Type, nullable: bool) -> Column {
    Column { name, kind, nullable }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
    Time(Option<i64>),
    Bool(bool),
    TextList(Vec<&'a str>),
}

impl Cell<'_> {
    /// The bytes of text it holds.
    fn text_len(&self) -> usize {
        match self {
            Cell::Text(text) => text.map_or(0, str::len),
            Cell::TextList(texts) => texts.iter().map(|t| t.len()).sum(),
            Cell::Int(_) | Cell::Time(_) | Cell::Bool(_) => 0,
        }
    }
}

use Type::{Bool, Int, Text, TextList, Time};

pub const REQUESTS: &[Column] = &[
    column("auditId", Text, false),
    column("requestReceived", Time, false),
    column("stageTimestamp", Time, true),
    column("latencyUs", Int, true),
    column("user", Text, true),
    column("groups", TextList, true),
    column("impersonatedUser", Text, true),
    column("userAgent", Text, true),
    column("sourceIp", Text, true),
    column("verb", Text, false),
    column("apiGroup", Text, true),
    column("apiVersion", Text, true),
    column("resource", Text, true),
    column("subresource", Text, true),
    column("namespace", Text, true),
    column("name", Text, true),
    column("kind", Text, true),
    column("objectUid", Text, true),
    column("requestUri", Text, true),
    column("code", Int, true),
    column("reason", Text, true),
    column("message", Text, true),
    column("baseRv", Text, true),
    column("newRv", Text, true),
    column("fieldManager", Text, true),
    column("level", Text, false),
    column("rawJson", Text, false),
];

pub const EVENTS: &[Column] = &[
    column("time", Time, false),
    column("api", Text, false),
    column("uid", Text, true),
    column("name", Text, false),
    column("namespace", Text, false),
    column("resourceVersion", Text, true),
    column("objectApiGroup", Text, false),
    column("objectResource", Text, false),
    column("objectKind", Text, false),
    column("objectNamespace", Text, false),
    column("objectName", Text, false),
    column("objectUid", Text, true),
    column("fieldPath", Text, true),
    column("reason", Text, true),
    column("type", Text, true),
    column("message", Text, true),
    column("action", Text, true),
    column("sourceComponent", Text, true),
    column("sourceHost", Text, true),
    column("reportingComponent", Text, true),
    column("reportingInstance", Text, true),
    column("count", Int, true),
    column("seriesCount", Int, true),
    column("firstTimestamp", Time, true),
    column("lastTimestamp", Time, true),
    column("eventTime", Time, true),
    column("seriesLastObserved", Time, true),
    column("rawJson", Text, false),
];

pub const OBJECTS: &[Column] = &[
    column("uid", Text, true),
    column("apiGroup", Text, false),
    column("apiVersion", Text, false),
    column("resource", Text, false),
    column("kind", Text, false),
    column("namespace", Text, false),
    column("name", Text, false),
    column("firstSeen", Time, true),
    column("lastSeen", Time, true),
    column("created", Time, true),
    column("deleted", Time, true),
];

pub const STATES: &[Column] = &[
    column("objectUid", Text, true),
    column("apiGroup", Text, false),
    column("resource", Text, false),
    column("kind", Text, false),
    column("namespace", Text, false),
    column("name", Text, false),
    column("resourceVersion", Text, false),
    column("observed", Time, true),
    column("source", Text, false),
    column("body", Text, true),
];

pub const OWNERS: &[Column] = &[
    column("objectUid", Text, true),
    column("objectResource", Text, false),
    column("objectNamespace", Text, false),
    column("objectName", Text, false),
    column("ownerUid", Text, true),
    column("ownerResource", Text, false),
    column("ownerKind", Text, false),
    column("ownerName", Text, false),
    column("controller", Bool, false),
    column("parentLink", Bool, false),
];

/// Rows in a Parquet row group, and written at once at most.
const BATCH_ROWS: usize = 8192;

/// Text held before it is handed to the Parquet writer (which keeps it encoded and
/// compressed until its row group is full): 8,192 audit events with their bodies are some
/// 12 MB, and the export writes an hour of requests on each core.
const BATCH_BYTES: usize = 4 << 20;

fn data_type(kind: Type) -> DataType {
    match kind {
        Text => DataType::Utf8,
        Int => DataType::Int64,
        Time => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        Bool => DataType::Boolean,
        TextList => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
    }
}

pub fn schema(columns: &[Column]) -> SchemaRef {
    Arc::new(Schema::new(columns.iter().map(|c| Field::new(c.name, data_type(c.kind), c.nullable)).collect::<Vec<_>>()))
}

enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Time(TimestampMicrosecondBuilder),
    Bool(BooleanBuilder),
    TextList(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(kind: Type) -> Builder {
        match kind {
            Text => Builder::Text(StringBuilder::new()),
            Int => Builder::Int(Int64Builder::new()),
            Time => Builder::Time(TimestampMicrosecondBuilder::new().with_timezone("UTC")),
            Bool => Builder::Bool(BooleanBuilder::new()),
            TextList => Builder::TextList(ListBuilder::new(StringBuilder::new())),
        }
    }

    fn push(&mut self, cell: &Cell) -> bool {
        match (self, cell) {
            (Builder::Text(b), Cell::Text(v)) => b.append_option(*v),
            (Builder::Int(b), Cell::Int(v)) => b.append_option(*v),
            (Builder::Time(b), Cell::Time(v)) => b.append_option(*v),
            (Builder::Bool(b), Cell::Bool(v)) => b.append_value(*v),
            (Builder::TextList(b), Cell::TextList(values)) => {
                for value in values {
                    b.values().append_value(value);
                }
                b.append(true);
            }
            _ => return false,
        }
        true
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Time(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::TextList(b) => Arc::new(b.finish()),
        }
    }
}

/// One Parquet file being written, a batch of rows at a time; created with its first row,
/// so that a partition with nothing new gets no file.
pub struct FileWriter {
    path: PathBuf,
    columns: &'static [Column],
    schema: SchemaRef,
    builders: Vec<Builder>,
    buffered: usize,
    buffered_bytes: usize,
    rows: u64,
    writer: Option<ArrowWriter<File>>,
}

impl FileWriter {
    pub fn new(path: PathBuf, columns: &'static [Column]) -> FileWriter {
        FileWriter {
            path,
            columns,
            schema: schema(columns),
            builders: columns.iter().map(|c| Builder::new(c.kind)).collect(),
            buffered: 0,
            buffered_bytes: 0,
            rows: 0,
            writer: None,
        }
    }

    fn open(&self) -> Result<ArrowWriter<File>> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let file = File::create(&self.path).with_context(|| format!("cannot write {}", self.path.display()))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(1)?))
            .set_max_row_group_size(BATCH_ROWS)
            .build();
        Ok(ArrowWriter::try_new(file, self.schema.clone(), Some(properties))?)
    }

    pub fn push(&mut self, row: &[Cell]) -> Result<()> {
        if row.len() != self.columns.len() {
            bail!("a row of {} values for {} columns", row.len(), self.columns.len());
        }
        for ((builder, cell), column) in self.builders.iter_mut().zip(row).zip(self.columns) {
            if !builder.push(cell) {
                bail!("column {}: {cell:?} is not a {:?}", column.name, column.kind);
            }
        }
        self.buffered += 1;
        self.buffered_bytes += row.iter().map(Cell::text_len).sum::<usize>();
        self.rows += 1;
        if self.buffered == BATCH_ROWS || self.buffered_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.buffered == 0 {
            return Ok(());
        }
        let arrays = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        if self.writer.is_none() {
            self.writer = Some(self.open()?);
        }
        let writer = self.writer.as_mut().expect("opened above");
        writer.write(&batch).with_context(|| format!("cannot write {}", self.path.display()))?;
        self.buffered = 0;
        self.buffered_bytes = 0;
        Ok(())
    }

    /// Writes what is buffered and the footer; returns how many rows the file holds.
    pub fn finish(mut self) -> Result<u64> {
        self.flush()?;
        if let Some(writer) = self.writer.take() {
            writer.close().with_context(|| format!("cannot write {}", self.path.display()))?;
        }
        Ok(self.rows)
    }
}
