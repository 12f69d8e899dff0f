//! `trace -o html` and `analyze -o html` in a real browser: headless Chromium renders every
//! object, folds and unfolds on a click, shows a request's diff, arranges the trace in the
//! four ways, filters, and never logs an error or touches the network.

use std::path::{Path, PathBuf};

use crate::browser::{Browser, chromium};
use crate::common::{Store, stdout, testdata};

fn page(store: &Store, args: &[&str], dir: &Path, name: &str) -> PathBuf {
    let out = store.run(args);
    assert!(out.status.success(), "{args:?}: {}", crate::common::stderr(&out));
    let path = dir.join(name);
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// The labels of the rows the page drew, `kind name` for objects.
fn labels(browser: &mut Browser) -> Vec<String> {
    let labels = browser.eval("[...document.querySelectorAll('.row .label')].map(e => e.textContent.trim())");
    labels.as_array().unwrap().iter().map(|l| l.as_str().unwrap().trim_start_matches(['▾', '▸']).to_owned()).collect()
}

fn row_count(browser: &mut Browser) -> i64 {
    browser.eval("window.kelemetry.viewer.rows.length").as_i64().unwrap()
}

/// Committed under docs/ for the README when `UPDATE_SCREENSHOTS=1`.
fn keep_screenshot(browser: &mut Browser, name: &str) {
    if std::env::var("UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(name);
        std::fs::write(path, browser.screenshot()).unwrap();
    }
}

#[test]
fn a_trace_page_renders_folds_filters_and_shows_diffs_offline() {
    let Some(chromium) = chromium("a_trace_page_renders_folds_filters_and_shows_diffs_offline") else { return };
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = page(&store, &["trace", "deploy/web", "-n", "demo", "-o", "html"], dir.path(), "trace.html");
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "the page names no address to fetch");

    let mut browser = Browser::launch(chromium, 1400, 800);
    browser.open(&path);
    browser.wait_until("window.kelemetry !== undefined");
    // The default arrangement (tracing): one row per object, all nine, in tree order.
    assert_eq!(
        labels(&mut browser),
        [
            "deploymentweb",
            "replicasetweb-5d9c7b8f4",
            "podweb-5d9c7b8f4-x2kqz",
            "podweb-5d9c7b8f4-q8wzn",
            "podweb-5d9c7b8f4-r7tvm",
            "replicasetweb-6c8f9d7b5",
            "podweb-6c8f9d7b5-k4hbn",
            "podweb-6c8f9d7b5-p9cxd",
            "podweb-6c8f9d7b5-m5wzs",
        ]
    );
    let header = browser.eval("document.querySelector('header').textContent").as_str().unwrap().to_owned();
    assert!(header.contains("trace deploy/web -n demo -o html"), "{header}");
    assert!(header.contains("2024-06-03T09:00:00.000000Z → 2024-06-03T09:04:00.414000Z"), "{header}");
    // Every Pod bar carries its phase as coloured segments.
    let pods_with_phases = browser.eval(
        "[...document.querySelectorAll('.row')].filter(r => r.textContent.startsWith('pod') && \
         [...r.querySelectorAll('.seg')].some(s => s.title.startsWith('phase: Running'))).length",
    );
    assert_eq!(pods_with_phases, 6);

    // A click on the root's ▾ folds everything under it; another unfolds it.
    browser.click(".row[data-index='0'] .twisty");
    assert_eq!(row_count(&mut browser), 1);
    browser.click(".row[data-index='0'] .twisty");
    assert_eq!(row_count(&mut browser), 9);

    // The tree arrangement: every request and Event a row of its own under its object.
    browser.click("button[data-pipeline='tree']");
    assert_eq!(row_count(&mut browser), 9 + 47 + 39);
    // Filtered to alice's patches, those three are the only entries; a click on the one that
    // changed the image shows its diff.
    browser.click("#filter");
    browser.call("Input.insertText", serde_json::json!({"text": "user:alice verb:patch"}));
    assert_eq!(row_count(&mut browser), 9 + 3);
    let count = browser.eval("document.querySelector('.count').textContent");
    assert_eq!(count, "3 of 86 requests and Events match");
    let rows = labels(&mut browser);
    assert_eq!(rows.iter().filter(|l| l.starts_with("patchalice patch")).count(), 3, "{rows:?}");
    browser.click(".row[data-id='b02a3c5a95be42a0'] .label");
    let details = browser.eval("document.querySelector('#details').textContent").as_str().unwrap().to_owned();
    assert!(details.contains("spec.template.spec.containers[name=web].image: nginx:1.25 -> nginx:1.26"), "{details}");
    assert!(details.contains("auditID"), "{details}");

    // In tracing, the same request is a marker on its object's bar; a click shows it too.
    browser.click("button[data-pipeline='tracing']");
    browser.click(".mark[data-id='b02a3c5a95be42a0']");
    let details = browser.eval("document.querySelector('#details h2').textContent");
    assert_eq!(details, "deployment/web: alice patch");

    // Timeline: the root, then every entry kept by the filter; grouping: audit per component.
    browser.click("button[data-pipeline='timeline']");
    assert_eq!(row_count(&mut browser), 1 + 3);
    browser.eval(
        "(() => { const f = document.querySelector('#filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()",
    );
    browser.click("button[data-pipeline='grouping']");
    let groups = browser.eval(
        "window.kelemetry.viewer.rows.filter(r => r.type === 'group' && r.depth === 1).map(r => r.name + ' ' + r.markers.length)",
    );
    assert_eq!(groups, serde_json::json!(["audit 11", "events 5"]), "the Deployment's own");

    // Zoom in and out without errors; nothing logged, nothing fetched but the page itself.
    browser.click("button[data-zoom='+']");
    browser.click("button[data-zoom='fit']");
    browser.click("button[data-pipeline='tracing']");
    assert_eq!(browser.errors(), Vec::<String>::new());
    assert_eq!(browser.requests(), [format!("file://{}", path.display())]);
    keep_screenshot(&mut browser, "trace-html.png");
}

#[test]
fn an_analysis_page_opens_the_trace_of_a_finding() {
    let Some(chromium) = chromium("an_analysis_page_opens_the_trace_of_a_finding") else { return };
    let store = Store::new();
    let input = testdata("analyze");
    assert!(store.ingest(&[&input.join("rollouts.jsonl"), &input.join("rollouts-events.jsonl")]).status.success());
    let dir = tempfile::tempdir().unwrap();
    let out = store.run(&["analyze", "--check", "rollouts", "-o", "html"]);
    assert_eq!(out.status.code(), Some(3), "a stuck rollout fails the check");
    let path = dir.path().join("analysis.html");
    std::fs::write(&path, stdout(&out)).unwrap();

    let mut browser = Browser::launch(chromium, 1400, 900);
    browser.open(&path);
    browser.wait_until("window.kelemetry !== undefined");
    let links = browser.eval("[...document.querySelectorAll('.trace-link')].map(a => a.dataset.object)");
    let linked = [
        "deployments.apps prod/worker",
        "statefulsets.apps prod/db",
        "deployments.apps prod/api",
        "deployments.apps prod/api",
    ];
    assert_eq!(links, serde_json::json!(linked));
    browser.click(".trace-link[data-object='deployments.apps prod/api']");
    let shown = labels(&mut browser);
    assert_eq!(shown[0], "deploymentapi");
    browser.click(".trace-link[data-object='deployments.apps prod/worker']");
    let shown = labels(&mut browser);
    assert_eq!(shown[0], "deploymentworker");
    // The stuck rollout's Progressing=False (ProgressDeadlineExceeded) segment is on its bar.
    let stuck =
        browser.eval("[...document.querySelectorAll('.seg')].some(s => s.title.includes('ProgressDeadlineExceeded'))");
    assert_eq!(stuck, true);
    assert_eq!(browser.errors(), Vec::<String>::new());
    assert_eq!(browser.requests(), [format!("file://{}", path.display())]);
    keep_screenshot(&mut browser, "analyze-html.png");
}

#[test]
fn open_writes_the_page_to_a_temporary_file_and_hands_it_to_the_browser() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    let temp = tempfile::tempdir().unwrap();
    let opened = temp.path().join("opened");
    let browser = temp.path().join("browser.sh");
    // Written aside and moved into place, so that the file appears whole.
    let script = format!("#!/bin/sh\necho \"$1\" > {0}.part && mv {0}.part {0}\n", opened.display());
    std::fs::write(&browser, script).unwrap();
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = store.run_with_env(
        &["trace", "deploy/web", "-n", "demo", "--open"],
        &[("BROWSER", browser.to_str().unwrap()), ("TMPDIR", temp.path().to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", crate::common::stderr(&out));
    assert_eq!(stdout(&out), "", "the page goes to the file, not stdout");
    let page = temp.path().join("kelemetry-trace-ea55b2c4a0983bf4.html");
    assert_eq!(
        crate::common::stderr(&out),
        format!("kelemetry-cli: opened {} with {}\n", page.display(), browser.display())
    );
    assert!(std::fs::read_to_string(&page).unwrap().starts_with("<!DOCTYPE html>"));
    // The browser runs on its own; wait for it to have been handed the file.
    for _ in 0..100 {
        if opened.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&opened).unwrap().trim(), page.display().to_string());

    // Without a browser to run, it says where the page is.
    let out = store.run_with_env(
        &["trace", "deploy/web", "-n", "demo", "--open"],
        &[("BROWSER", "no-such-browser"), ("TMPDIR", temp.path().to_str().unwrap())],
    );
    assert_eq!(
        crate::common::stderr(&out),
        format!("kelemetry-cli: wrote {}: open it in a browser (no no-such-browser here)\n", page.display())
    );
    // --open and -o name two outputs.
    let out = store.run(&["trace", "deploy/web", "-n", "demo", "--open", "-o", "json"]);
    assert_eq!(out.status.code(), Some(2));
}
