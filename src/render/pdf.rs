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

fn parse_date(text: &str) -> Option<Datetime> {
    let (year, month, day) = crate::dates::Date::parse(text)?.ymd();
    Datetime::from_ymd_hms(i32::try_from(year).ok()?, month, day, 0, 0, 0)
}
