//! Reading model files: YAML → located node tree → schema check → typed model → cross-checks.
//!
//! Every problem of a file is collected before the file is rejected, each with its file, line
//! and column, so a user fixes a model in one round instead of one error at a time.

pub mod node;
pub mod schema;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Seg};
use crate::model::Model;
use crate::validate::{self, Issue};
use node::{Node, Pos, Value};

use serde::Deserialize;
use serde_json::Value as Json;
use std::path::Path;
use std::sync::OnceLock;

/// The JSON Schema of the model format, generated from the model's types.
pub fn model_schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(Model).to_value())
}

/// A source file kept for locating elements in it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name the user gave the file.
    pub name: String,
    /// Its text.
    pub text: String,
    root: Option<Node>,
}

impl SourceFile {
    /// Parses `text` as YAML; the tree is kept for locating elements.
    pub fn parse(name: impl Into<String>, text: impl Into<String>) -> Result<SourceFile, Box<Diagnostic>> {
        let name = name.into();
        let text = text.into();
        let mut options = serde_saphyr::Options::default();
        // YAML 1.1 reads `NO` (Norway) and `off` as booleans; a model is written in YAML 1.2 terms.
        options.strict_booleans = true;
        options.leading_zero_numbers_as_strings = true;
        options.with_snippet = false;
        // The default budget suits configuration files; a portfolio model can be large. Nodes and
        // events cannot outnumber the input's bytes, so scale those caps with the input and keep
        // the alias and depth caps that stop alias bombs.
        if let Some(budget) = options.budget.as_mut() {
            budget.max_nodes = budget.max_nodes.max(text.len());
            budget.max_events = budget.max_events.max(text.len() * 2);
        }
        let root = match serde_saphyr::from_str_with_options::<Node>(&text, options) {
            Ok(root) => root,
            Err(err) => {
                let pos = err
                    .location()
                    .map(|l| Pos {
                        line: u32::try_from(l.line()).unwrap_or(0),
                        column: u32::try_from(l.column()).unwrap_or(0),
                    })
                    .unwrap_or_default();
                let message = first_line(&err.to_string());
                let source = SourceFile { name, text, root: None };
                return Err(Box::new(
                    source.diagnostic(Diagnostic::error("yaml-syntax", message), pos),
                ));
            }
        };
        Ok(SourceFile {
            name,
            text,
            root: Some(root),
        })
    }

    /// The root node of the document.
    pub fn root(&self) -> Option<&Node> {
        self.root.as_ref()
    }

    /// Gives `diagnostic` this file's name and the position `pos` with its source line.
    pub fn diagnostic(&self, mut diagnostic: Diagnostic, pos: Pos) -> Diagnostic {
        diagnostic.file.clone_from(&self.name);
        diagnostic.line = pos.line;
        diagnostic.column = pos.column;
        if pos.line > 0 {
            diagnostic.source_line = self.text.lines().nth(pos.line as usize - 1).map(str::to_owned);
        }
        diagnostic
    }

    /// The position of the value at `path`, or of its key when `at_key` is set. Falls back to
    /// the nearest enclosing element that exists.
    pub fn locate(&self, path: &[Seg], at_key: bool) -> Pos {
        let Some(mut node) = self.root.as_ref() else {
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

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).trim().to_owned()
}

/// A model read from a file, with the file kept for locating findings.
#[derive(Clone, Debug)]
pub struct LoadedModel {
    /// The model.
    pub model: Model,
    /// The file it came from.
    pub source: SourceFile,
    /// Problems that do not stop the model being used.
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates a model file.
pub fn load_model_file(path: &Path, catalog: &Catalog) -> Result<LoadedModel, Vec<Diagnostic>> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => load_model_str(&name, &text, catalog),
        Err(err) => {
            let mut diagnostic = Diagnostic::error("io", format!("cannot read the model file: {err}"));
            diagnostic.file = name;
            Err(vec![diagnostic])
        }
    }
}

/// Reads and validates a model from text; `name` is used in messages.
pub fn load_model_str(name: &str, text: &str, catalog: &Catalog) -> Result<LoadedModel, Vec<Diagnostic>> {
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
    let (json, problems) = schema::Checker::new(model_schema()).check(root);
    let mut diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| {
            let mut d = Diagnostic::error(p.code, p.message);
            d.help = p.help;
            source.diagnostic(d, p.pos)
        })
        .collect();
    let (model, index_map) = lenient_model(&json);
    let issues = validate::validate(&model, catalog);
    diagnostics.extend(issues.into_iter().map(|issue| locate_issue(&source, &index_map, issue)));
    diagnostics.sort_by_key(|d| (d.line, d.column));
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics.into_iter().partition(Diagnostic::is_error);
    if errors.is_empty() {
        Ok(LoadedModel {
            model,
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

/// Builds a model from checked JSON, element by element, so that one bad element does not hide
/// the cross-check problems of the others.
fn lenient_model(json: &Json) -> (Model, IndexMap) {
    let mut index_map = IndexMap::new();
    let mut model = Model {
        trustflow: json
            .get("trustflow")
            .and_then(Json::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
        app: json
            .get("app")
            .and_then(|a| serde_json::from_value(a.clone()).ok())
            .unwrap_or_default(),
        ..Model::default()
    };
    model.organisations = lenient_list(json, "organisations", &mut index_map);
    model.data = lenient_list(json, "data", &mut index_map);
    model.boundaries = lenient_list(json, "boundaries", &mut index_map);
    model.components = lenient_list(json, "components", &mut index_map);
    model.flows = lenient_list(json, "flows", &mut index_map);
    model.installations = lenient_list(json, "installations", &mut index_map);
    (model, index_map)
}

fn lenient_list<T: for<'de> Deserialize<'de>>(json: &Json, key: &'static str, index_map: &mut IndexMap) -> Vec<T> {
    let mut items = Vec::new();
    let mut indices = Vec::new();
    for (index, item) in json.get(key).and_then(Json::as_array).into_iter().flatten().enumerate() {
        if let Ok(value) = T::deserialize(item) {
            items.push(value);
            indices.push(index);
        }
    }
    index_map.push((key, indices));
    items
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
