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
            for line in command_lines(&f.command, terminal.table_width) {
                writeln!(out, "{line}")?;
            }
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

/// The `see:` line: on a terminal narrower than the command, broken before an option (with
/// its value) into lines a shell reads as one, ending in ` \`; whole for a pipe or a file,
/// where someone may grep it.
fn command_lines(command: &str, width: Option<usize>) -> Vec<String> {
    const SEE: &str = "        see: ";
    const MORE: &str = "               ";
    let Some(width) = width.filter(|width| SEE.len() + command.chars().count() > *width) else {
        return vec![format!("{SEE}{command}")];
    };
    let mut lines: Vec<String> = Vec::new();
    let mut line = SEE.to_owned();
    // Whether `line` holds no word yet: the first word of a line goes on it whatever its width.
    let mut fresh = true;
    for unit in command_units(command) {
        if !fresh && line.chars().count() + 1 + unit.chars().count() + 2 > width {
            line.push_str(" \\");
            lines.push(std::mem::replace(&mut line, MORE.to_owned()));
        } else if !fresh {
            line.push(' ');
        }
        line.push_str(&unit);
        fresh = false;
    }
    lines.push(line);
    lines
}

/// A command's words as [`shell_word`](crate::model::shell_word) wrote them (a quoted word
/// may hold spaces), each option joined to its value.
fn command_units(command: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let (mut word, mut quoted, mut escaped) = (String::new(), false, false);
    for c in command.chars() {
        if escaped {
            escaped = false;
        } else {
            match c {
                '\\' if !quoted => escaped = true,
                '\'' => quoted = !quoted,
                ' ' if !quoted => {
                    words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
                    continue;
                }
                _ => {}
            }
        }
        word.push(c);
    }
    words.extend((!word.is_empty()).then_some(word));
    let mut units: Vec<String> = Vec::new();
    for word in words {
        match units.last_mut() {
            Some(option) if option.starts_with('-') && !option.contains(' ') && !word.starts_with('-') => {
                option.push(' ');
                option.push_str(&word);
            }
            _ => units.push(word),
        }
    }
    units
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_see_line_too_wide_breaks_before_options_into_lines_a_shell_reads_as_one() {
        let command =
            "kelemetry-cli requests --code 409 --reason Conflict --user system:serviceaccount:ops:flaky-operator";
        assert_eq!(
            command_lines(command, Some(80)),
            [
                "        see: kelemetry-cli requests --code 409 --reason Conflict \\",
                "               --user system:serviceaccount:ops:flaky-operator",
            ]
        );
        // A short first word is a word like any other: a space after it, a break before the next.
        assert_eq!(command_lines("ab --x 1", Some(16)), ["        see: ab \\", "               --x 1"]);
        // Whole where it fits, and for a pipe or a file.
        assert_eq!(command_lines(command, Some(120)), [format!("        see: {command}")]);
        assert_eq!(command_lines(command, None), [format!("        see: {command}")]);
        // A quoted word keeps its spaces, and the shell reads the lines back as the words.
        let quoted = "kelemetry-cli history pods/x -n 'my ns' --field 'metadata.labels[it'\\''s a b]'";
        let lines = command_lines(quoted, Some(50));
        assert_eq!(
            lines,
            [
                "        see: kelemetry-cli history pods/x \\",
                "               -n 'my ns' \\",
                "               --field 'metadata.labels[it'\\''s a b]'",
            ]
        );
        let shell = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\n' {}", lines.join("\n").trim_start().trim_start_matches("see: ")))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(shell.stdout).unwrap(),
            "kelemetry-cli\nhistory\npods/x\n-n\nmy ns\n--field\nmetadata.labels[it's a b]\n"
        );
    }
}
