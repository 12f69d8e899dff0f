//! Self-contained HTML pages to share: a trace as an interactive timeline (`trace -o html`),
//! and an analysis whose findings open their objects' traces (`analyze -o html`).
//!
//! One file, no network: the viewer's CSS and JavaScript (`page.css`, `page.js`, written
//! here and compiled in) and the data are inlined, and a Content-Security-Policy forbids
//! every fetch. The data is the trace JSON of docs/trace-json.md in the `tree` arrangement
//! (every request and Event as a span under its object); the page arranges it in the four
//! ways itself, so one copy of the data serves them all. It is gzipped (as base64 text, for
//! the browser's own DecompressionStream): traces repeat themselves, and 10,000 spans of
//! JSON shrink from about 10 MB to 1 MB.

use std::io::{self, Write};

use base64::Engine as _;
use serde::Serialize;

use super::export;
use super::json::AnalysisView;
use crate::model::time::format_micros;
use crate::trace::{Arrangement, Trace};

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// What the page's header says about where it came from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    /// The command line that made the page.
    pub command: String,
    /// The first and last time the store's requests and Events show.
    pub store_start: Option<String>,
    pub store_end: Option<String>,
}

impl Origin {
    pub fn new(command: String, (start_us, end_us): (Option<i64>, Option<i64>)) -> Origin {
        Origin { command, store_start: start_us.map(format_micros), store_end: end_us.map(format_micros) }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TracePage<'a, D: Serialize> {
    page: &'static str,
    origin: &'a Origin,
    /// The arrangement shown first: the command's `--pipeline`.
    pipeline: Arrangement,
    trace: D,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AnalysisPage<'a, D: Serialize> {
    page: &'static str,
    origin: &'a Origin,
    pipeline: Arrangement,
    analysis: &'a AnalysisView<'a>,
    /// Each linked object's trace, by the object as findings name it.
    traces: Vec<(&'a str, D)>,
}

/// `trace -o html`: `trace` must be built in the `tree` arrangement.
pub fn write_trace(out: &mut dyn Write, trace: &Trace, shown: Arrangement, origin: &Origin) -> io::Result<()> {
    let title = trace.spans.iter().find(|s| s.focus).map_or("trace", |s| s.object.as_str());
    let data = TracePage { page: "trace", origin, pipeline: shown, trace: export::document(trace) };
    write_page(out, &format!("{title} · kelemetry-cli"), &data)
}

/// `analyze -o html`: the report, and the traces (in the `tree` arrangement) of the objects
/// its findings name.
pub fn write_analysis(
    out: &mut dyn Write,
    analysis: &AnalysisView,
    traces: &[(String, Trace)],
    origin: &Origin,
) -> io::Result<()> {
    let data = AnalysisPage {
        page: "analysis",
        origin,
        pipeline: Arrangement::Tracing,
        analysis,
        traces: traces.iter().map(|(object, trace)| (object.as_str(), export::document(trace))).collect(),
    };
    write_page(out, "analysis · kelemetry-cli", &data)
}

fn write_page(out: &mut dyn Write, title: &str, data: &impl Serialize) -> io::Result<()> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    serde_json::to_writer(&mut gzip, data).map_err(io::Error::other)?;
    // Base64 has no `<`: nothing in the data can end the element it sits in.
    let packed = base64::engine::general_purpose::STANDARD.encode(gzip.finish()?);
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <div id=\"app\"><noscript>This page needs JavaScript to draw the trace.</noscript></div>\n\
         <script type=\"application/octet-stream\" id=\"data\" data-encoding=\"gzip+base64\">{packed}</script>\n\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        super::markup(title)
    )
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn the_data_is_gzipped_base64_inside_its_element_and_the_title_escaped() {
        let mut out = Vec::new();
        let data = serde_json::json!({"message": "</script><script>alert(1)</script>"});
        write_page(&mut out, "a <b>", &data).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert_eq!(page.matches("</script>").count(), 2, "only the page's own two script elements end");
        assert!(page.contains("<title>a &lt;b&gt;</title>"));
        let start = page.find("data-encoding=\"gzip+base64\">").unwrap() + 28;
        let packed = &page[start..start + page[start..].find('<').unwrap()];
        let gzip = base64::engine::general_purpose::STANDARD.decode(packed).unwrap();
        let mut json = String::new();
        flate2::read::GzDecoder::new(&gzip[..]).read_to_string(&mut json).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap(), data);
    }
}
