//! Completion of values from the store, for the shells' dynamic completion
//! (`COMPLETE=bash kelemetry-cli`): `trace deploy/<Tab>` offers the Deployments the store
//! holds, `-n <Tab>` its namespaces, as kubectl's completion does from a cluster.
//!
//! A completer sees only the word being completed, not the rest of the command line: the
//! store is `KELEMETRY_DB`'s, else `kelemetry.db` (a `--db` on the line is not seen).

use std::ffi::OsStr;

use clap_complete::engine::CompletionCandidate;

use crate::model::selector::KindQuery;
use crate::store::{Location, Store};

fn store() -> Option<Store> {
    let path = std::env::var("KELEMETRY_DB").unwrap_or_else(|_| "kelemetry.db".to_owned());
    Store::open_for_read(&Location::parse(&path)).ok()
}

/// `KIND/NAME`: before a `/`, the kinds the store holds (`deployment/`); after it, the
/// names of that kind's objects.
pub fn objects(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(store) = store() else { return Vec::new() };
    let current = current.to_string_lossy();
    let Ok(kinds) = store.object_kinds() else { return Vec::new() };
    match current.split_once('/') {
        None => {
            let mut words: Vec<String> = kinds
                .iter()
                .map(|(kind, resource, _)| {
                    format!("{}/", if kind.is_empty() { resource } else { kind }.to_ascii_lowercase())
                })
                .collect();
            words.sort();
            words.dedup();
            words.into_iter().filter(|w| w.starts_with(&*current)).map(CompletionCandidate::new).collect()
        }
        Some((word, prefix)) => {
            let kind = KindQuery::parse(word);
            let Ok(mut names) = store.object_names_of(&|k, resource, group| kind.matches(k, resource, group)) else {
                return Vec::new();
            };
            names.sort();
            names.dedup();
            names
                .into_iter()
                .filter(|name| name.starts_with(prefix))
                .map(|name| CompletionCandidate::new(format!("{word}/{name}")))
                .collect()
        }
    }
}

/// `-n`: the namespaces the store holds.
pub fn namespaces(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(store) = store() else { return Vec::new() };
    let current = current.to_string_lossy();
    store
        .namespaces()
        .unwrap_or_default()
        .into_iter()
        .filter(|ns| !ns.is_empty() && ns.starts_with(&*current))
        .map(CompletionCandidate::new)
        .collect()
}
