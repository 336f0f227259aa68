//! The PDF report, compiled in-process with typst from `templates/report.typ`.
//!
//! The report data reaches the template as a virtual JSON file, so model strings are never
//! spliced into typst markup; the diagram and charts are virtual SVG files drawn as vectors.
//! Fonts are the bundled DejaVu Sans plus typst's embedded fonts: nothing is read from the
//! system, and the same input gives the same bytes.

use super::{RenderError, ReportData};
use std::collections::HashMap;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

const TEMPLATE: &str = include_str!("../../templates/report.typ");

struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: FileId,
    source: Source,
    files: HashMap<FileId, Bytes>,
}

fn file_id(path: &str) -> FileId {
    // Paths here are fixed, valid literals.
    FileId::new(RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("valid virtual path"),
    ))
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }
    fn today(&self, _: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Reports carry only the date they are given; "today" would break reproducibility.
        None
    }
}

fn fonts() -> Vec<Font> {
    let mut fonts: Vec<Font> = [super::FONT_REGULAR, super::FONT_BOLD]
        .into_iter()
        .flat_map(|bytes| Font::iter(Bytes::new(bytes)))
        .collect();
    fonts.extend(typst_kit::fonts::embedded().map(|(font, _)| font));
    fonts
}

fn describe(diagnostics: &[SourceDiagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Compiles the PDF of one report.
pub fn render(data: &ReportData<'_>) -> Result<Vec<u8>, RenderError> {
    let mut json = serde_json::to_value(data).map_err(|e| RenderError::Pdf(e.to_string()))?;
    if let Some(object) = json.as_object_mut() {
        for key in ["diagram_svg", "severity_chart_svg", "recipients_chart_svg"] {
            object.remove(key);
        }
        object.insert("words".to_owned(), super::templates::transfer_words());
    }
    say_places(&mut json);
    shorten_for_print(&mut json);
    // The Runs on Atlassian verdict names every element; in print, the first of each clause.
    let roa = &data.analysis.runs_on_atlassian;
    let short = roa.summary_within(PRINTED_LIST_ITEMS);
    if short != roa.summary()
        && let Some(summary) = json.pointer_mut("/analysis/runs_on_atlassian/summary")
    {
        *summary = serde_json::Value::from(format!(
            "{short} (every one of them in the HTML and JSON reports of this model)"
        ));
    }
    let fonts = fonts();
    let book = FontBook::from_fonts(&fonts);
    let main = file_id("/report.typ");
    let files = HashMap::from([
        (
            file_id("/data.json"),
            Bytes::new(serde_json::to_vec(&json).unwrap_or_default()),
        ),
        (
            file_id("/diagram.svg"),
            Bytes::new(data.diagram_svg.clone().into_bytes()),
        ),
        (
            file_id("/severity.svg"),
            Bytes::new(data.severity_chart_svg.clone().into_bytes()),
        ),
        (
            file_id("/recipients.svg"),
            Bytes::new(data.recipients_chart_svg.clone().into_bytes()),
        ),
    ]);
    let world = ReportWorld {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(book),
        fonts,
        main,
        source: Source::new(main, TEMPLATE.to_owned()),
        files,
    };
    let warned = typst::compile::<PagedDocument>(&world);
    // Without its fonts typst still "succeeds" with textless pages: font warnings are errors.
    let font_warnings: Vec<SourceDiagnostic> = warned
        .warnings
        .iter()
        .filter(|w| w.message.contains("font"))
        .cloned()
        .collect();
    if !font_warnings.is_empty() {
        return Err(RenderError::Pdf(describe(&font_warnings)));
    }
    let document = warned
        .output
        .map_err(|errors| RenderError::Pdf(describe(errors.as_slice())))?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!("trustflow-{}", data.app.name)),
        timestamp: data
            .date
            .as_deref()
            .and_then(parse_date)
            .map(typst_pdf::Timestamp::new_utc),
        ..typst_pdf::PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| RenderError::Pdf(describe(errors.as_slice())))
}

/// Rows a PDF table shows before it refers to the files that hold them all.
pub const PRINTED_ROWS: usize = 60;

/// Findings of one rule and severity printed before the rest are counted.
pub const PRINTED_PER_RULE: usize = 3;

/// Shortens the tables of a large model for print. Typesetting costs a few milliseconds a row,
/// so a 1,000-unit model's 14,000 findings and 7,000 flows made a PDF of thousands of pages
/// that took over a minute; nobody reads those pages, and every row stays in the CSV, JSON,
/// SARIF and HTML outputs, which the notes name (they need not be in the same report set).
/// Each shortened table gets an entry in `omitted`
/// (`{"shown": n, "total": m}`) that the template prints under it; findings keep the first
/// [`PRINTED_PER_RULE`] of each rule and severity, with the rest counted per rule.
/// Each recipient's locations as readers read them (the legal entity's country said as such),
/// said by the one Rust function the HTML's `places` filter and the annex use too.
fn say_places(json: &mut serde_json::Value) {
    let Some(rows) = json
        .pointer_mut("/analysis/subprocessors")
        .and_then(serde_json::Value::as_array_mut)
    else {
        return;
    };
    for row in rows {
        let Some(locations) = row.get_mut("locations").and_then(serde_json::Value::as_object_mut) else {
            continue;
        };
        for places in locations.values_mut() {
            let listed: Vec<String> = serde_json::from_value(places.take()).unwrap_or_default();
            *places = serde_json::Value::from(crate::facts::sections::said_places(&listed));
        }
    }
}

fn shorten_for_print(json: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let mut omitted = serde_json::Map::new();
    let cut = |value: Option<&mut Value>, name: String, omitted: &mut serde_json::Map<String, Value>| {
        if let Some(Value::Array(rows)) = value
            && rows.len() > PRINTED_ROWS
        {
            omitted.insert(name, json!({ "shown": PRINTED_ROWS, "total": rows.len() }));
            rows.truncate(PRINTED_ROWS);
        }
    };
    for key in ["flows", "components", "data"] {
        cut(json.get_mut(key), key.to_owned(), &mut omitted);
    }
    if let Some(tables) = json.get_mut("residency").and_then(Value::as_array_mut) {
        for table in tables {
            let realm = table
                .get("realm")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            cut(table.get_mut("rows"), format!("residency-{realm}"), &mut omitted);
        }
    }
    if let Some(analysis) = json.get_mut("analysis") {
        for (key, pointer) in [
            ("subprocessors", "/subprocessors"),
            ("transfers", "/transfers"),
            ("hipaa", "/hipaa/chain"),
            ("soc2", "/soc2/subservice_organisations"),
            ("cme", "/customer_managed_egress/installations"),
        ] {
            cut(analysis.pointer_mut(pointer), key.to_owned(), &mut omitted);
        }
        if let Some(Value::Array(findings)) = analysis.get_mut("findings")
            && findings.len() > PRINTED_ROWS
        {
            let total = findings.len();
            let mut per_rule: std::collections::BTreeMap<(String, String), usize> = std::collections::BTreeMap::new();
            findings.retain(|f| {
                let key = (
                    f.get("rule").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    f.get("severity").and_then(Value::as_str).unwrap_or_default().to_owned(),
                );
                let seen = per_rule.entry(key).or_default();
                *seen += 1;
                *seen <= PRINTED_PER_RULE
            });
            let more: Vec<Value> = per_rule
                .into_iter()
                .filter(|(_, n)| *n > PRINTED_PER_RULE)
                .map(
                    |((rule, severity), n)| json!({ "rule": rule, "severity": severity, "more": n - PRINTED_PER_RULE }),
                )
                .collect();
            omitted.insert(
                "findings".to_owned(),
                json!({ "shown": findings.len(), "total": total, "per_rule": more }),
            );
        }
    }
    shorten_lists(json, "");
    if let Some(object) = json.as_object_mut() {
        object.insert("omitted".to_owned(), Value::Object(omitted));
    }
}

/// Items of an inline list (names joined in one cell or sentence) printed before the rest are
/// counted; a thousand-name sentence is also the slowest thing to break into lines.
pub const PRINTED_LIST_ITEMS: usize = 20;

/// Cuts every list of names longer than [`PRINTED_LIST_ITEMS`] to its first items and a last
/// one saying how many more there are and where they are. Lists that lay out a table (realm
/// columns, residency places and cells) are kept whole: cutting them would shift columns.
fn shorten_lists(value: &mut serde_json::Value, key: &str) {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            let names = items.iter().all(Value::is_string);
            if names && items.len() > PRINTED_LIST_ITEMS && !matches!(key, "realms" | "locations" | "cells") {
                let more = items.len() - PRINTED_LIST_ITEMS;
                items.truncate(PRINTED_LIST_ITEMS);
                items.push(Value::String(format!(
                    "… and {more} more (all of them in the HTML and JSON reports of this model)"
                )));
            } else {
                for item in items {
                    shorten_lists(item, key);
                }
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                shorten_lists(v, k);
            }
        }
        _ => {}
    }
}

fn parse_date(text: &str) -> Option<Datetime> {
    let (year, month, day) = crate::dates::Date::parse(text)?.ymd();
    Datetime::from_ymd_hms(i32::try_from(year).ok()?, month, day, 0, 0, 0)
}
