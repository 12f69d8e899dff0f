//! Options several commands share.

use crate::model::selector::Selector;
use crate::window::{Bound, Window, parse_bound};

/// `OBJECT` with `-n`, `--cluster` and `--uid`.
#[derive(Debug, Clone, clap::Args)]
pub struct ObjectArgs {
    /// The object: KIND/NAME, with kubectl's kind forms (deploy/web, deployment.apps/web, rs/web-7d4b9c8f6d).
    #[arg(value_name = "KIND/NAME", value_parser = parse_selector, required_unless_present = "uid")]
    pub object: Option<Selector>,

    /// Namespace of the object.
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,

    /// Cluster of the object, where the store holds several.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The object's uid, instead of or besides KIND/NAME.
    #[arg(long, value_name = "UID")]
    pub uid: Option<String>,
}

/// The clap value parser for `KIND/NAME`.
pub fn parse_selector(text: &str) -> Result<Selector, String> {
    Selector::parse(text).map_err(|e| e.to_string())
}

/// `--since` / `--until`.
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// Start: an RFC 3339 time, or a duration (30m, 1h, 2d) before the newest record in the store.
    #[arg(long, value_name = "WHEN", value_parser = parse_bound)]
    pub since: Option<Bound>,

    /// End: an RFC 3339 time, or a duration before the newest record in the store.
    #[arg(long, value_name = "WHEN", value_parser = parse_bound)]
    pub until: Option<Bound>,
}

impl WindowArgs {
    pub fn window(&self, newest_us: Option<i64>) -> Window {
        Window::new(self.since.as_ref(), self.until.as_ref(), newest_us)
    }
}

/// `-i/--input`: files to ingest before the query, so that a one-off look is one command.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Ingest these files or directories first (with `--db :memory:` nothing is written to
    /// disk). They take every argument up to the next option: give KIND/NAME before them.
    #[arg(short, long = "input", value_name = "PATH", num_args = 1..)]
    pub inputs: Vec<std::path::PathBuf>,
}
