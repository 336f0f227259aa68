//! The shape a descriptor must have where it decides data flows: duplicate keys and values of
//! the wrong kind are located errors, never silently read as "nothing declared".
//!
//! Only the parts the importers read are checked (app identity, scopes, egress, remotes,
//! modules, Connect's `baseUrl`, lifecycle and webhooks); everything else is left to
//! Atlassian's own validation and the importers' warnings about unknown keys. A manifest with
//! `backend: api.example.com` (text where a list belongs) would otherwise import as an app
//! without egress, and a second `permissions:` key would hide the first one's scopes: Forge
//! rejects both manifests, and so does trustflow (exit 2).

use crate::diagnostic::Diagnostic;
use crate::load::SourceFile;
use crate::load::node::{Node, Value};

/// What a part of a descriptor must be.
#[derive(Clone, Copy)]
enum Shape {
    /// Text.
    Str,
    /// `true` or `false`.
    Bool,
    /// A mapping; the listed keys must have their shapes, other keys may be anything.
    Map(&'static [(&'static str, Shape)]),
    /// A mapping whose every value has this shape.
    MapOf(&'static Shape),
    /// A list whose every item has this shape.
    List(&'static Shape),
    /// One of these shapes.
    Either(&'static [Shape]),
    /// Anything (read by no importer, or checked by it with a warning).
    Any,
}

/// The most errors reported for one descriptor; the rest are counted.
const MAX_ERRORS: usize = 20;

/// A Forge egress entry: a host or URL, or a mapping with its `address` or `remote`.
const EGRESS_ENTRY: Shape = Shape::Either(&[
    Shape::Str,
    Shape::Map(&[
        ("address", Shape::Str),
        ("remote", Shape::Str),
        ("category", Shape::Str),
        ("inScopeEUD", Shape::Bool),
    ]),
]);
const EGRESS_LIST: Shape = Shape::List(&EGRESS_ENTRY);

/// A module list: every module is a mapping with a text `key`.
const MODULES: Shape = Shape::MapOf(&Shape::List(&Shape::Map(&[("key", Shape::Str)])));

/// The parts of a Forge manifest the importer reads.
const FORGE: Shape = Shape::Map(&[
    (
        "app",
        Shape::Map(&[
            ("id", Shape::Str),
            ("title", Shape::Str),
            ("name", Shape::Str),
            ("connect", Shape::Map(&[("key", Shape::Str), ("remote", Shape::Str)])),
            ("runtime", Shape::Map(&[("name", Shape::Str)])),
        ]),
    ),
    (
        "permissions",
        Shape::Map(&[
            // A list of scopes, or the old mapping form whose keys are the scopes.
            (
                "scopes",
                Shape::Either(&[Shape::List(&Shape::Str), Shape::MapOf(&Shape::Any)]),
            ),
            (
                "external",
                Shape::Map(&[
                    // `fetch: { backend: [...], client: [...] }`, or a bare list (read as
                    // backend, with a warning).
                    (
                        "fetch",
                        Shape::Either(&[
                            Shape::Map(&[("backend", EGRESS_LIST), ("client", EGRESS_LIST)]),
                            EGRESS_LIST,
                        ]),
                    ),
                    ("images", EGRESS_LIST),
                    ("media", EGRESS_LIST),
                    ("scripts", EGRESS_LIST),
                    ("styles", EGRESS_LIST),
                    ("fonts", EGRESS_LIST),
                    ("frames", EGRESS_LIST),
                    ("navigation", EGRESS_LIST),
                ]),
            ),
        ]),
    ),
    (
        "remotes",
        Shape::List(&Shape::Map(&[
            ("key", Shape::Str),
            ("baseUrl", Shape::Either(&[Shape::Str, Shape::MapOf(&Shape::Str)])),
        ])),
    ),
    ("modules", MODULES),
    ("connectModules", MODULES),
]);

/// The parts of a Connect descriptor the importer reads.
const CONNECT: Shape = Shape::Map(&[
    ("key", Shape::Str),
    ("name", Shape::Str),
    ("baseUrl", Shape::Str),
    ("scopes", Shape::List(&Shape::Str)),
    ("lifecycle", Shape::MapOf(&Shape::Str)),
    ("vendor", Shape::Map(&[("name", Shape::Str), ("url", Shape::Str)])),
    (
        "modules",
        Shape::Map(&[(
            "webhooks",
            Shape::List(&Shape::Map(&[("event", Shape::Str), ("url", Shape::Str)])),
        )]),
    ),
]);

/// Which descriptor is checked.
#[derive(Clone, Copy)]
pub(crate) enum Descriptor {
    /// A Forge manifest.
    Forge,
    /// A Connect descriptor.
    Connect,
}

/// Every duplicate key and every value of the wrong kind in `root`, located in `source`
/// (at most [`MAX_ERRORS`], then a count).
pub(crate) fn check(descriptor: Descriptor, root: &Node, source: &SourceFile) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut more = 0usize;
    let shape = match descriptor {
        Descriptor::Forge => FORGE,
        Descriptor::Connect => CONNECT,
    };
    walk(root, shape, &mut String::new(), source, &mut errors, &mut more);
    if more > 0 {
        let mut last = Diagnostic::error(
            "wrong-type",
            format!("… and {more} more problems of this kind in the descriptor"),
        );
        last.file.clone_from(&source.name);
        errors.push(last);
    }
    errors
}

fn push(errors: &mut Vec<Diagnostic>, more: &mut usize, error: Diagnostic) {
    if errors.len() < MAX_ERRORS {
        errors.push(error);
    } else {
        *more += 1;
    }
}

/// What a shape is, in words, for messages.
fn expected(shape: Shape) -> String {
    match shape {
        Shape::Str => "text".to_owned(),
        Shape::Bool => "`true` or `false`".to_owned(),
        Shape::Map(_) | Shape::MapOf(_) => "a mapping".to_owned(),
        Shape::List(item) => match item {
            Shape::Str => "a list of text items".to_owned(),
            _ => "a list".to_owned(),
        },
        Shape::Either(options) => {
            let words: Vec<String> = options.iter().map(|o| expected(*o)).collect();
            words.join(" or ")
        }
        Shape::Any => "anything".to_owned(),
    }
}

fn fits(node: &Node, shape: Shape) -> bool {
    match (shape, &node.value) {
        (Shape::Any, _)
        | (Shape::Str, Value::Str(_))
        | (Shape::Bool, Value::Bool(_))
        | (Shape::Map(_) | Shape::MapOf(_), Value::Map(_))
        | (Shape::List(_), Value::Seq(_)) => true,
        (Shape::Either(options), _) => options.iter().any(|o| fits(node, *o)),
        _ => false,
    }
}

fn walk(
    node: &Node,
    shape: Shape,
    path: &mut String,
    source: &SourceFile,
    errors: &mut Vec<Diagnostic>,
    more: &mut usize,
) {
    // Duplicate keys are errors at every depth, whatever the shape: which of the two a
    // reader keeps differs between parsers.
    if let Value::Map(entries) = &node.value {
        let mut seen: std::collections::HashMap<&str, &Node> = std::collections::HashMap::new();
        for (key, _) in entries {
            let Value::Str(name) = &key.value else { continue };
            if let Some(first) = seen.insert(name, key) {
                let at = if path.is_empty() {
                    "the top level".to_owned()
                } else {
                    format!("`{path}`")
                };
                let mut error = Diagnostic::error(
                    "duplicate-key",
                    format!("`{name}` appears twice in {at} (first on line {})", first.pos.line),
                );
                error.help.push(format!(
                    "keys must be unique; which `{name}` a reader keeps differs between parsers, so merge the two into one"
                ));
                push(errors, more, source.diagnostic(error, key.pos));
            }
        }
    }
    let shape = match shape {
        Shape::Either(options) => match options.iter().find(|o| fits(node, **o)) {
            Some(fitting) => *fitting,
            None => return mismatch(node, shape, path, source, errors, more),
        },
        other if !fits(node, other) => return mismatch(node, other, path, source, errors, more),
        other => other,
    };
    let len = path.len();
    match (shape, &node.value) {
        (Shape::Map(keys), Value::Map(entries)) => {
            for (key, value) in entries {
                let Value::Str(name) = &key.value else { continue };
                if let Some((_, inner)) = keys.iter().find(|(k, _)| k == name) {
                    extend(path, name);
                    walk(value, *inner, path, source, errors, more);
                    path.truncate(len);
                }
            }
        }
        (Shape::MapOf(inner), Value::Map(entries)) => {
            for (key, value) in entries {
                let name = match &key.value {
                    Value::Str(name) => name.to_string(),
                    other => format!("{other:?}"),
                };
                extend(path, &name);
                walk(value, *inner, path, source, errors, more);
                path.truncate(len);
            }
        }
        (Shape::List(inner), Value::Seq(items)) => {
            for (index, item) in items.iter().enumerate() {
                path.push_str(&format!("[{index}]"));
                walk(item, *inner, path, source, errors, more);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn extend(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn mismatch(
    node: &Node,
    shape: Shape,
    path: &str,
    source: &SourceFile,
    errors: &mut Vec<Diagnostic>,
    more: &mut usize,
) {
    let mut error = Diagnostic::error(
        "wrong-type",
        format!("`{path}` must be {}, not {}", expected(shape), node.value.kind_name()),
    );
    error.help.push(match (shape, &node.value) {
        (Shape::List(_), Value::Str(one)) => format!(
            "a single item is still a list: write it as `- {one}` on the next line, or `[{one}]`; read as written, nothing here would be declared"
        ),
        _ => "read as written, this part of the descriptor would be ignored; Atlassian's validation rejects it too".to_owned(),
    });
    push(errors, more, source.diagnostic(error, node.pos));
}
