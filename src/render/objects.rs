//! `objects` for a person: one row an object.

use std::io::{self, Write};

use super::{Terminal, table};
use crate::model::time::format_seconds;
use crate::store::read::{Activity, ObjectRow};

pub fn write(out: &mut dyn Write, listed: &[(ObjectRow, Activity)], terminal: &Terminal) -> io::Result<()> {
    let time = |t: Option<i64>| t.map(format_seconds).unwrap_or_default();
    let mut t = table::new(
        terminal,
        &[
            "kind",
            "namespace",
            "name",
            "uid",
            "controller",
            "first seen",
            "last seen",
            "created",
            "deleted",
            "requests",
            "events",
        ],
    );
    for (o, activity) in listed {
        t.add_row(vec![
            if o.kind.is_empty() { o.resource.clone() } else { o.kind.clone() },
            o.namespace.clone(),
            o.name.clone(),
            o.uid.clone().unwrap_or_default(),
            activity.controller.clone().unwrap_or_default(),
            time(o.first_seen_us),
            time(o.last_seen_us),
            time(o.created_us),
            time(o.deleted_us),
            activity.requests.to_string(),
            activity.events.to_string(),
        ]);
    }
    table::align_right(&mut t, &[9, 10]);
    writeln!(out, "{t}")
}
