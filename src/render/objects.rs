//! `objects` for a person: one row an object. Times read as kubectl's AGE, counted back
//! from the newest record in the store (archived data has no "now"); `-o wide` adds the uid
//! and the exact times.

use std::io::{self, Write};

use super::Terminal;
use super::table::{self, Fit, View};
use crate::model::time::human_duration;
use crate::store::read::{Activity, ObjectRow};

/// `newest_us`: the store's newest record, which ages count back from.
pub fn write(
    out: &mut dyn Write,
    listed: &[(ObjectRow, Activity)],
    newest_us: Option<i64>,
    terminal: &Terminal,
    view: View,
) -> io::Result<()> {
    let age = |t: Option<i64>| match (t, newest_us) {
        (Some(t), Some(newest)) => human_duration(newest - t),
        _ => "unknown".to_owned(),
    };
    let exact = |t: Option<i64>| t.map_or_else(|| "unknown".to_owned(), |t| terminal.zone.short(t));
    let headers = [
        "kind",
        "namespace",
        "name",
        "controller",
        "age",
        "last seen",
        "deleted",
        "requests",
        "events",
        "uid",
        "created",
        "first seen",
        "last seen at",
        "deleted at",
    ];
    let mut t = table::new(terminal, &headers)
        .fit(2, Fit::Shorten)
        .fit(3, Fit::Optional(3))
        .fit(5, Fit::Optional(1))
        .fit(6, Fit::Optional(2))
        .view(view);
    for column in 9..headers.len() {
        t = t.fit(column, Fit::Wide);
    }
    for (o, activity) in listed {
        let deleted = o.deleted_us.map(|d| age(Some(d))).unwrap_or_default();
        t.add_row(vec![
            if o.kind.is_empty() { o.resource.clone() } else { o.kind.clone() },
            o.namespace.clone(),
            o.name.clone(),
            activity.controller.clone().unwrap_or_default(),
            age(o.created_us.or(o.first_seen_us)),
            age(o.last_seen_us),
            deleted,
            activity.requests.to_string(),
            activity.events.to_string(),
            o.uid.clone().unwrap_or_else(|| "unknown".to_owned()),
            exact(o.created_us),
            exact(o.first_seen_us),
            exact(o.last_seen_us),
            o.deleted_us.map(|t| terminal.zone.short(t)).unwrap_or_default(),
        ]);
    }
    table::align_right(&mut t, &[4, 5, 6, 7, 8]);
    writeln!(out, "{t}")
}
