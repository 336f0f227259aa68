//! Reading model files: YAML → located node tree → schema check → typed model → cross-checks.
//!
//! Every problem of a file is collected before the file is rejected, each with its file, line
//! and column, so a user fixes a model in one round instead of one error at a time.

pub mod de;
pub mod node;
pub mod schema;
pub mod yaml;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Seg};
use crate::graph::FlowGraph;
use crate::model::{LISTS, Model};
use crate::validate::{self, Issue};
use node::{Node, Pos, Value};
use rayon::prelude::*;

use serde::Deserialize;
use serde_json::Value as Json;
use std::path::Path;
use std::sync::OnceLock;

/// The JSON Schema of the model format, generated from the model's types.
pub fn model_schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(Model).to_value())
}

/// The model schema compiled for checking, with each top-level list and its items compiled
/// for checking item by item.
pub fn compiled_model_schema() -> &'static schema::Schema {
    static COMPILED: OnceLock<schema::Schema> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let pointers: Vec<String> = LISTS
            .iter()
            .flat_map(|key| [format!("/properties/{key}"), format!("/properties/{key}/items")])
            .collect();
        schema::Schema::compile(model_schema().clone()).with_pointers(&pointers)
    })
}

/// A source file kept for locating elements in it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name the user gave the file.
    pub name: String,
    /// Its text.
    pub text: String,
    /// The parsed tree: kept while the file is checked, released once the model is built
    /// (it is the largest structure of a loaded model) and parsed again only when a finding
    /// is located in the file (SARIF).
    root: OnceLock<Option<Node>>,
    line_starts: std::sync::OnceLock<Vec<usize>>,
    shown: ShownLines,
}

/// How many diagnostics of a file were given a window of a long source line. Only the first
/// [`crate::diagnostic::SHOWN`] are printed in full, and finding a column's window in a long
/// line costs the line's length: thousands of diagnostics on one megabyte-long line would
/// otherwise take seconds for text nobody sees. Short lines are always attached.
#[derive(Debug, Default)]
struct ShownLines(std::sync::atomic::AtomicUsize);

impl Clone for ShownLines {
    fn clone(&self) -> Self {
        ShownLines(std::sync::atomic::AtomicUsize::new(
            self.0.load(std::sync::atomic::Ordering::Relaxed),
        ))
    }
}

/// Diagnostics per file given a window of a long line when they are made; a caller that
/// reorders its diagnostics fills in the ones it prints with [`SourceFile::fill_lines`].
const LINES_PER_FILE: usize = 2 * crate::diagnostic::SHOWN;

/// The longest source line shown whole; a longer one is cut to a window around the column.
const LINE_SHOWN: usize = 160;

/// `line` as shown under a diagnostic, with the column of the problem within it: the whole
/// line when short, else about [`LINE_SHOWN`] characters around `column` with `…` marks.
fn window(line: &str, column: u32) -> (Option<String>, u32) {
    let count = line.chars().count();
    if count <= LINE_SHOWN {
        return (Some(line.to_owned()), 0);
    }
    let col = (column.max(1) - 1) as usize;
    let start = col.saturating_sub(LINE_SHOWN / 2).min(count.saturating_sub(LINE_SHOWN));
    let text: String = line.chars().skip(start).take(LINE_SHOWN).collect();
    let (lead, trail) = (
        if start > 0 { "…" } else { "" },
        if start + LINE_SHOWN < count { "…" } else { "" },
    );
    let shown = u32::try_from(col - start + 1 + usize::from(start > 0)).unwrap_or(1);
    (Some(format!("{lead}{text}{trail}")), shown)
}

impl SourceFile {
    /// Parses `text` as YAML; the tree is kept for locating elements.
    pub fn parse(name: impl Into<String>, text: impl Into<String>) -> Result<SourceFile, Box<Diagnostic>> {
        let name = name.into();
        let text = text.into();
        let root = match yaml::parse(&text) {
            Ok(root) => root,
            Err(err) => {
                let source = SourceFile {
                    name,
                    text,
                    root: OnceLock::from(None),
                    line_starts: std::sync::OnceLock::new(),
                    shown: ShownLines::default(),
                };
                return Err(Box::new(
                    source.diagnostic(Diagnostic::error("yaml-syntax", err.message), err.pos),
                ));
            }
        };
        Ok(SourceFile {
            name,
            text,
            root: OnceLock::from(root),
            line_starts: std::sync::OnceLock::new(),
            shown: ShownLines::default(),
        })
    }

    /// A file kept only for rendering diagnostics (not parsed as a model).
    pub fn detached(name: &str, text: &str) -> SourceFile {
        SourceFile {
            name: name.to_owned(),
            text: text.to_owned(),
            root: OnceLock::from(None),
            line_starts: std::sync::OnceLock::new(),
            shown: ShownLines::default(),
        }
    }

    /// The root node of the document (parsed again if it was released).
    pub fn root(&self) -> Option<&Node> {
        self.root
            .get_or_init(|| yaml::parse(&self.text).ok().flatten())
            .as_ref()
    }

    /// Frees the text and the parsed tree, for a run that will not locate anything in the
    /// file again: [`SourceFile::locate`] then answers the file's start, and no source line is
    /// shown under a diagnostic. At 1,000 units the text is a twentieth of the peak memory.
    pub fn release_text(&mut self) {
        self.text = String::new();
        self.root = OnceLock::from(None);
        self.line_starts = std::sync::OnceLock::new();
    }

    /// Frees the parsed tree; [`SourceFile::root`] parses the text again when asked.
    fn release_tree(&mut self) {
        if self.root.get().is_some_and(Option::is_some) {
            self.root = OnceLock::new();
        }
    }

    /// Gives `diagnostic` this file's name and the position `pos` with its source line.
    pub fn diagnostic(&self, mut diagnostic: Diagnostic, pos: Pos) -> Diagnostic {
        diagnostic.file.clone_from(&self.name);
        diagnostic.line = pos.line;
        diagnostic.column = pos.column;
        if pos.line > 0
            && let Some(line) = self.line(pos.line as usize)
            && (line.len() <= LINE_SHOWN
                || self.shown.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < LINES_PER_FILE)
        {
            (diagnostic.source_line, diagnostic.source_column) = window(line, pos.column);
        }
        diagnostic
    }

    /// Gives the first [`crate::diagnostic::SHOWN`] of `diagnostics` (this file's, in the
    /// order they will be printed) the source lines [`SourceFile::diagnostic`] left out.
    pub fn fill_lines(&self, diagnostics: &mut [Diagnostic]) {
        for diagnostic in diagnostics.iter_mut().take(crate::diagnostic::SHOWN) {
            if diagnostic.source_line.is_none()
                && diagnostic.line > 0
                && diagnostic.file == self.name
                && let Some(line) = self.line(diagnostic.line as usize)
            {
                (diagnostic.source_line, diagnostic.source_column) = window(line, diagnostic.column);
            }
        }
    }

    /// The text of 1-based line `n`, through an index of line starts built once per file (so
    /// thousands of diagnostics do not each scan the file).
    fn line(&self, n: usize) -> Option<&str> {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let start = *starts.get(n - 1)?;
        let end = starts.get(n).map_or(self.text.len(), |&next| next - 1);
        Some(self.text[start..end].trim_end_matches('\r'))
    }

    /// The position of the value at `path`, or of its key when `at_key` is set. Falls back to
    /// the nearest enclosing element that exists.
    pub fn locate(&self, path: &[Seg], at_key: bool) -> Pos {
        let Some(mut node) = self.root() else {
            return Pos::default();
        };
        let mut pos = node.pos;
        for (i, seg) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            match (&node.value, seg) {
                (Value::Map(entries), Seg::Key(key)) => {
                    let Some((k, v)) = entries
                        .iter()
                        .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
                    else {
                        return pos;
                    };
                    pos = if last && at_key { k.pos } else { v.pos };
                    node = v;
                }
                (Value::Seq(items), Seg::Index(index)) => {
                    let Some(item) = items.get(*index) else { return pos };
                    pos = item.pos;
                    node = item;
                }
                _ => return pos,
            }
        }
        pos
    }
}

/// Reads a small YAML document (waivers, workloads) into `T`, checking it against `T`'s JSON
/// Schema first so that every problem comes with its line and column. `Ok(None)` for an
/// empty document; the source is returned for locating further checks.
pub fn parse_checked<T>(name: &str, text: &str) -> Result<(Option<T>, SourceFile), Vec<Diagnostic>>
where
    T: schemars::JsonSchema + for<'de> Deserialize<'de>,
{
    let source = SourceFile::parse(name, text).map_err(|d| vec![*d])?;
    let Some(root) = source.root() else {
        return Ok((None, source));
    };
    let schema = schema::Schema::compile(schemars::schema_for!(T).to_value());
    let (json, problems) = schema::Checker::new(&schema).check(root);
    if !problems.is_empty() {
        return Err(problems.into_iter().map(|p| p.located(&source)).collect());
    }
    let value = T::deserialize(&json)
        .map_err(|e| vec![source.diagnostic(Diagnostic::error("wrong-type", e.to_string()), root.pos)])?;
    Ok((Some(value), source))
}

/// A model read from a file, with the file kept for locating findings.
#[derive(Clone, Debug)]
pub struct LoadedModel {
    /// The model.
    pub model: Model,
    /// Its data-flow graph, built once while validating: ids resolved to indices.
    pub graph: FlowGraph,
    /// The file it came from.
    pub source: SourceFile,
    /// Problems that do not stop the model being used.
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates a model file.
pub fn load_model_file(path: &Path, catalog: &Catalog) -> Result<LoadedModel, Vec<Diagnostic>> {
    let name = path.display().to_string();
    match read_input(path) {
        Ok(text) => load_model_text(&name, text, catalog),
        Err(err) => {
            let mut diagnostic = Diagnostic::error("io", format!("cannot read the model file: {err}"));
            diagnostic.file = name;
            Err(vec![diagnostic])
        }
    }
}

/// The largest input file read, in bytes: well above a 100,000-unit model (about 180 MB), so
/// that a mistaken path to a disk image or a log fails at once instead of filling memory.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a UTF-8 input file of at most [`MAX_INPUT_BYTES`].
pub fn read_input(path: &Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    // Sized from the file: a text grown by doubling holds up to twice its length for as long
    // as the model lives.
    let size = file.metadata().map_or(0, |m| m.len()).min(MAX_INPUT_BYTES + 1);
    read_limited_into(file, String::with_capacity(usize::try_from(size).unwrap_or(0)))
}

/// Reads UTF-8 text of at most [`MAX_INPUT_BYTES`] from `reader` (a file or standard input).
pub fn read_limited(reader: impl std::io::Read) -> std::io::Result<String> {
    read_limited_into(reader, String::new())
}

/// [`read_limited`] into `text`, whose capacity is a guess of the length.
fn read_limited_into(reader: impl std::io::Read, mut text: String) -> std::io::Result<String> {
    std::io::Read::read_to_string(&mut std::io::Read::take(reader, MAX_INPUT_BYTES + 1), &mut text)?;
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "larger than {} MiB, the most trustflow reads (a 100,000-unit model is about 180 MB)",
                MAX_INPUT_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(text)
}

/// The longest text a model's value or key may hold, in characters. Names, ids and purposes
/// are printed in every report, on every PDF page's footer and in every finding that names
/// them: a megabyte-long app name once took gigabytes to typeset. Real models stay far below
/// (the longest string in the vendored descriptor corpus is under 1,800 characters).
pub const MAX_TEXT: usize = 10_000;

/// Every key and value longer than [`MAX_TEXT`] characters, located.
fn long_texts(root: &Node, source: &SourceFile) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            // Bytes bound characters from above: most strings need no count.
            Value::Str(text) if text.len() > MAX_TEXT && text.chars().count() > MAX_TEXT => {
                let mut error = Diagnostic::error(
                    "text-too-long",
                    format!(
                        "a text of {} characters: a model's names, ids and descriptions hold at most {MAX_TEXT}",
                        text.chars().count()
                    ),
                );
                error
                    .help
                    .push("shorten it; a long description belongs in a document the model links to".to_owned());
                found.push(source.diagnostic(error, node.pos));
            }
            Value::Seq(items) => stack.extend(items.iter().rev()),
            Value::Map(entries) => {
                for (key, value) in entries.iter().rev() {
                    stack.push(value);
                    stack.push(key);
                }
            }
            _ => {}
        }
    }
    found
}

/// Reads and validates a model from text; `name` is used in messages.
pub fn load_model_str(name: &str, text: &str, catalog: &Catalog) -> Result<LoadedModel, Vec<Diagnostic>> {
    load_model_text(name, text.to_owned(), catalog)
}

/// [`load_model_str`] of text the model keeps without a copy (a file's text is the model's
/// source for locating findings).
fn load_model_text(name: &str, text: String, catalog: &Catalog) -> Result<LoadedModel, Vec<Diagnostic>> {
    let source = SourceFile::parse(name, text).map_err(|d| vec![*d])?;
    let Some(root) = source.root() else {
        return Err(vec![source.diagnostic(
            Diagnostic::error("yaml-syntax", "the file is empty"),
            Pos::default(),
        )]);
    };
    if matches!(root.value, Value::Null) {
        return Err(vec![source.diagnostic(
            Diagnostic::error(
                "missing-key",
                "the file is empty: a model needs at least `trustflow`, `app` and `components`",
            ),
            root.pos,
        )]);
    }
    let long = long_texts(root, &source);
    if !long.is_empty() {
        return Err(long);
    }
    let (json, mut problems) = schema::Checker::new(compiled_model_schema())
        .deferring(&LISTS)
        .check(root);
    let mut model = Model {
        trustflow: json
            .get("trustflow")
            .and_then(Json::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
        app: json
            .get("app")
            .and_then(|a| crate::model::App::deserialize(a).ok())
            .unwrap_or_default(),
        // Checked against the schema above; a shape the schema let through but serde refuses
        // cannot happen, so `ok()` loses nothing.
        manifest: json
            .get("manifest")
            .and_then(|m| crate::model::ManifestFacts::deserialize(m).ok()),
        ..Model::default()
    };
    drop(json);
    let mut index_map = IndexMap::new();
    let items = |key: &str| match &root.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
            .map(|(_, v)| v),
        _ => None,
    };
    model.organisations = lenient_list(items("organisations"), "organisations", &mut index_map, &mut problems);
    model.data = lenient_list(items("data"), "data", &mut index_map, &mut problems);
    model.boundaries = lenient_list(items("boundaries"), "boundaries", &mut index_map, &mut problems);
    model.components = lenient_list(items("components"), "components", &mut index_map, &mut problems);
    model.flows = lenient_list(items("flows"), "flows", &mut index_map, &mut problems);
    model.installations = lenient_list(items("installations"), "installations", &mut index_map, &mut problems);
    let mut diagnostics: Vec<Diagnostic> = problems.into_iter().map(|p| p.located(&source)).collect();
    let graph = FlowGraph::build(&model);
    let issues = validate::validate(&model, &graph, catalog);
    diagnostics.extend(issues.into_iter().map(|issue| locate_issue(&source, &index_map, issue)));
    diagnostics.sort_by_key(|d| (d.line, d.column));
    let (mut errors, mut warnings): (Vec<_>, Vec<_>) = diagnostics.into_iter().partition(Diagnostic::is_error);
    source.fill_lines(&mut errors);
    source.fill_lines(&mut warnings);
    if errors.is_empty() {
        let mut source = source;
        source.release_tree();
        Ok(LoadedModel {
            model,
            graph,
            source,
            warnings,
        })
    } else {
        // Warnings about a broken model are mostly echoes of its errors (a component seems
        // unconnected because the flow naming it has a typo): show the errors alone.
        Err(errors)
    }
}

/// For each list of the model, the source index of each element that could be read.
type IndexMap = Vec<(&'static str, Vec<usize>)>;

/// Checks and reads one top-level list, items in parallel. A bad item is reported and left
/// out, so that one bad element does not hide the cross-check problems of the others.
fn lenient_list<T: serde::de::DeserializeOwned + Send>(
    node: Option<&Node>,
    key: &'static str,
    index_map: &mut IndexMap,
    problems: &mut Vec<schema::Problem>,
) -> Vec<T> {
    let schema = compiled_model_schema();
    let what = singular(key);
    let Some(node) = node else {
        index_map.push((key, Vec::new()));
        return Vec::new();
    };
    let Value::Seq(list) = &node.value else {
        // Not a list: let the schema say so.
        let (_, found) =
            schema::Checker::new(schema).check_at(node, &format!("/properties/{key}"), &format!("`{key}`"));
        problems.extend(found);
        index_map.push((key, Vec::new()));
        return Vec::new();
    };
    let pointer = format!("/properties/{key}/items");
    let results: Vec<(Option<T>, Vec<schema::Problem>)> = list
        .par_iter()
        .map(|item| {
            // The common case, an item without problems, is read straight from its tree; an
            // item with problems (or one the direct reader refuses) goes through the checked
            // JSON, which drops what the schema rejected.
            let (_, found) = schema::Checker::new(schema)
                .problems_only()
                .check_at(item, &pointer, what);
            if found.is_empty()
                && let Ok(value) = de::from_node::<T>(item)
            {
                return (Some(value), found);
            }
            let (json, found) = schema::Checker::new(schema).check_at(item, &pointer, what);
            (T::deserialize(&json).ok(), found)
        })
        .collect();
    let mut items = Vec::with_capacity(results.len());
    let mut indices = Vec::with_capacity(results.len());
    for (index, (value, found)) in results.into_iter().enumerate() {
        problems.extend(found);
        if let Some(value) = value {
            items.push(value);
            indices.push(index);
        }
    }
    index_map.push((key, indices));
    items
}

fn singular(list: &str) -> &'static str {
    match list {
        "organisations" => "organisation",
        "data" => "data category",
        "boundaries" => "boundary",
        "components" => "component",
        "flows" => "flow",
        _ => "installation",
    }
}

fn locate_issue(source: &SourceFile, index_map: &IndexMap, issue: Issue) -> Diagnostic {
    let mut path = issue.path;
    if let [Seg::Key(list), Seg::Index(index), ..] = path.as_mut_slice()
        && let Some((_, indices)) = index_map.iter().find(|(key, _)| key == list)
        && let Some(original) = indices.get(*index)
    {
        *index = *original;
    }
    let pos = source.locate(&path, issue.at_key);
    source.diagnostic(issue.diagnostic, pos)
}
