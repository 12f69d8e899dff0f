//! `analyze` for a person (a line a check, then its findings) and for CI (JUnit XML).

use std::io::{self, Write};

use super::{Terminal, duration_us, markup};
use crate::query::analyze::{CheckResult, Status};
use crate::query::rollout::Rollout;

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
    }
}

fn thresholds(result: &CheckResult) -> String {
    result.thresholds.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join(", ")
}

/// The report: one summary line a check, then the findings of those that did not pass, each
/// a short block (subject; what; when, an auditID and the command that shows it), which
/// reads the same at any width.
pub fn write(out: &mut dyn Write, results: &[CheckResult], terminal: &Terminal) -> io::Result<()> {
    for result in results {
        let found = match result.findings.len() {
            0 => "nothing found".to_owned(),
            1 => "1 finding".to_owned(),
            n => format!("{n} findings"),
        };
        writeln!(out, "{}  {:<14} {found}", mark(result.status), result.name)?;
    }
    for result in results.iter().filter(|r| !r.findings.is_empty()) {
        let heading = format!("{} ({}): {}", result.name, thresholds(result), result.rule);
        writeln!(out)?;
        for line in wrap(&heading, terminal.width.max(40)) {
            writeln!(out, "{line}")?;
        }
        for f in &result.findings {
            writeln!(out, "  {}  {}", mark(f.status), f.subject)?;
            // Details are sentences: wrapped to the terminal under their finding.
            for line in wrap(&f.detail, terminal.width.saturating_sub(8).max(32)) {
                writeln!(out, "        {line}")?;
            }
            let mut about = Vec::new();
            match (f.first_us, f.last_us) {
                (Some(first), Some(last)) => {
                    about.push(format!("{} → {}", terminal.zone.short(first), terminal.zone.short(last)))
                }
                (Some(first), None) => about.push(format!("from {}", terminal.zone.short(first))),
                (None, _) => {}
            }
            if let Some(audit_id) = &f.example {
                about.push(format!("e.g. {audit_id}"));
            }
            // On one line when it fits the terminal, else a line each: an auditID split over
            // two lines cannot be copied.
            let joined = about.join(", ");
            let lines = if 8 + joined.chars().count() <= terminal.width { vec![joined] } else { about };
            for line in lines.iter().filter(|line| !line.is_empty()) {
                writeln!(out, "        {line}")?;
            }
            if let Some(rollout) = &f.rollout {
                write_phases(out, rollout, terminal)?;
            }
            writeln!(out, "        see: {}", f.command)?;
        }
    }
    Ok(())
}

/// A rollout's phases, a line each: when, and how long after the template changed.
fn write_phases(out: &mut dyn Write, rollout: &Rollout, terminal: &Terminal) -> io::Result<()> {
    let width = rollout.phases.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for phase in &rollout.phases {
        let (when, after) = match phase.at_us {
            Some(at) if at == rollout.started_us => (terminal.zone.millis(at), String::new()),
            Some(at) => (terminal.zone.millis(at), format!("+{}", duration_us(at - rollout.started_us))),
            None => ("unknown".to_owned(), String::new()),
        };
        let line = format!("          {:<width$}  {when}  {after}", phase.name);
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `text` in lines of at most `width` columns, broken at spaces (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// JUnit XML: a test case a check; a failed check is a failure, a warning passes with its
/// findings in `system-out`.
pub fn write_junit(out: &mut dyn Write, results: &[CheckResult]) -> io::Result<()> {
    let failures = results.iter().filter(|r| r.status == Status::Fail).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="kelemetry-cli analyze" tests="{}" failures="{failures}">"#, results.len())?;
    writeln!(out, r#"  <testsuite name="kelemetry-cli analyze" tests="{}" failures="{failures}">"#, results.len())?;
    for result in results {
        let findings: Vec<String> = result
            .findings
            .iter()
            .map(|f| format!("{} {}: {} (see: {})", mark(f.status), f.subject, f.detail, f.command))
            .collect();
        let body = markup(&findings.join("\n"));
        write!(out, r#"    <testcase classname="kelemetry-cli.analyze" name="{}""#, markup(result.name))?;
        match result.status {
            Status::Pass => writeln!(out, "/>")?,
            Status::Warn => writeln!(out, ">\n      <system-out>{body}</system-out>\n    </testcase>")?,
            Status::Fail => writeln!(
                out,
                ">\n      <failure message=\"{}\">{body}</failure>\n    </testcase>",
                markup(&format!("{}: {}", result.name, result.rule))
            )?,
        }
    }
    writeln!(out, "  </testsuite>\n</testsuites>")
}
