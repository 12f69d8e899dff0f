//! No placeholder ever reaches a person or a script: every command's text and JSON over
//! every fixture (and the real captures, where present) is scanned for sentinel times, the
//! epoch and absurd durations.

use std::path::PathBuf;

use crate::common::{Store, realdata, stdout, testdata};

/// What a placeholder looks like once printed.
fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = ["9223372036854775807", "-9223372036854775808", "1970-01-01", "292277-"]
        .iter()
        .filter(|s| text.contains(*s))
        .map(|s| (*s).to_owned())
        .collect();
    // A duration of ten thousand days or more (`106751991d4h`), or a negative offset.
    for word in text.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        let (days, hours) = word.split_once('d').unwrap_or(("", "x"));
        let hours_only =
            hours.is_empty() || hours.strip_suffix('h').is_some_and(|h| h.chars().all(|c| c.is_ascii_digit()));
        if days.len() >= 5 && days.chars().all(|c| c.is_ascii_digit()) && hours_only || word.starts_with("+-") {
            found.push(word.to_owned());
        }
    }
    found
}

fn scan(store: &Store, what: &str, args: &[&str], wrong: &mut Vec<String>) {
    let text = stdout(&store.run(args));
    for found in placeholders(&text) {
        wrong.push(format!("{what}: `{}` printed {found}", args.join(" ")));
    }
}

fn scan_store(store: &Store, what: &str, wrong: &mut Vec<String>) {
    for args in [&["stats"][..], &["stats", "-o", "json"], &["objects", "--limit", "0"], &["conflicts"]] {
        scan(store, what, args, wrong);
    }
    scan(store, what, &["conflicts", "-o", "json"], wrong);
    let objects: serde_json::Value =
        serde_json::from_slice(&store.run(&["objects", "--limit", "0", "-o", "json"]).stdout).unwrap();
    for object in objects.as_array().unwrap().iter().take(15) {
        let select: Vec<String> = match object["uid"].as_str() {
            Some(uid) => vec!["--uid".to_owned(), uid.to_owned()],
            None => vec![
                format!("{}/{}", object["resource"].as_str().unwrap(), object["name"].as_str().unwrap()),
                "-n".to_owned(),
                object["namespace"].as_str().unwrap().to_owned(),
            ],
        };
        let select: Vec<&str> = select.iter().map(String::as_str).collect();
        for extra in [&["history"][..], &["history", "-o", "json"], &["trace", "--pipeline", "tree"]] {
            scan(store, what, &[extra, &select].concat(), wrong);
        }
        for extra in [&["trace", "-o", "json"][..], &["trace", "-o", "jaeger"], &["trace", "--pipeline", "grouping"]] {
            scan(store, what, &[extra, &select].concat(), wrong);
        }
    }
}

#[test]
fn no_placeholder_in_any_output() {
    let mut inputs: Vec<(String, PathBuf)> =
        ["sample", "rollout", "races", "recreated", "rollout-metadata", "formats", "dump-only"]
            .iter()
            .map(|f| ((*f).to_owned(), testdata(f)))
            .collect();
    if let Some(dir) = realdata("no_placeholder_in_any_output") {
        for sub in ["kspan", "must-gather-clean/must-gather-metal", "falco", "aks-audit-log"] {
            inputs.push((sub.to_owned(), dir.join(sub)));
        }
    }
    let mut wrong = Vec::new();
    for (what, path) in inputs {
        let store = Store::new();
        store.ingest(&[&path]);
        scan_store(&store, &what, &mut wrong);
    }
    assert!(wrong.is_empty(), "placeholders printed:\n{}", wrong.join("\n"));
}
