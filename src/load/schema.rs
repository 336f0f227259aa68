//! Checks a YAML node tree against a JSON Schema and converts it to JSON in the same pass.
//!
//! Only the part of JSON Schema that `schemars` emits for the model's types is supported:
//! `$ref`, `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
//! `anyOf`/`oneOf` and `minimum`. Every problem is reported, not just the first.

use super::node::{Node, Pos, Value};
use crate::suggest;
use serde_json::{Map, Value as Json};

/// A structural problem, before it is given a file name.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Diagnostic code.
    pub code: &'static str,
    /// Where.
    pub pos: Pos,
    /// What.
    pub message: String,
    /// Help lines.
    pub help: Vec<String>,
}

impl Problem {
    /// The problem as a diagnostic located in `source`.
    pub fn located(self, source: &super::SourceFile) -> crate::diagnostic::Diagnostic {
        let mut diagnostic = crate::diagnostic::Diagnostic::error(self.code, self.message);
        diagnostic.help = self.help;
        source.diagnostic(diagnostic, self.pos)
    }
}

/// Walks a document against a schema.
pub struct Checker<'s> {
    root: &'s Json,
    problems: Vec<Problem>,
    /// Top-level keys whose values the caller checks itself (in parallel, item by item).
    deferred: &'s [&'s str],
}

impl<'s> Checker<'s> {
    /// A checker for documents of `root_schema`.
    pub fn new(root_schema: &'s Json) -> Self {
        Checker {
            root: root_schema,
            problems: Vec::new(),
            deferred: &[],
        }
    }

    /// A checker that leaves the values of the top-level `keys` unchecked (as `null`).
    #[must_use]
    pub fn deferring(mut self, keys: &'s [&'s str]) -> Self {
        self.deferred = keys;
        self
    }

    /// Checks `node` against the subschema at JSON pointer `pointer` (e.g. the item schema of
    /// a top-level list); `what` names the node in messages.
    pub fn check_at(mut self, node: &Node, pointer: &str, what: &str) -> (Json, Vec<Problem>) {
        let schema = self.root.pointer(pointer).unwrap_or(&Json::Bool(true));
        let json = self.walk(node, schema, what);
        (json, self.problems)
    }

    /// Checks `node`, returning its JSON form and every problem found.
    pub fn check(mut self, node: &Node) -> (Json, Vec<Problem>) {
        let json = self.walk(node, self.root, "document");
        (json, self.problems)
    }

    fn resolve(&self, mut schema: &'s Json) -> &'s Json {
        while let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
            let Some(target) = reference
                .strip_prefix("#/")
                .and_then(|p| p.split('/').try_fold(self.root, |s, seg| s.get(seg)))
            else {
                break;
            };
            schema = target;
        }
        schema
    }

    fn report(&mut self, code: &'static str, pos: Pos, message: String, help: Vec<String>) {
        self.problems.push(Problem {
            code,
            pos,
            message,
            help,
        });
    }

    /// `what` names the thing being checked for messages ("component", "`region`").
    fn walk(&mut self, node: &Node, schema: &'s Json, what: &str) -> Json {
        let schema = self.resolve(schema);
        if let Some(alternatives) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Json::as_array)
        {
            return self.walk_alternatives(node, alternatives, what);
        }
        if let Some(allowed) = schema.get("enum").and_then(Json::as_array) {
            return self.walk_enum(node, allowed.iter(), what);
        }
        if let Some(constant) = schema.get("const") {
            return self.walk_enum(node, std::iter::once(constant), what);
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
            _ => return to_json(node),
        };
        if matches!(node.value, Value::Null) && types.contains(&"null") {
            return Json::Null;
        }
        match (
            &node.value,
            types.iter().find(|t| **t != "null").copied().unwrap_or("null"),
        ) {
            (Value::Map(entries), "object") => self.walk_object(node.pos, entries, schema, what),
            (Value::Seq(items), "array") => {
                let item_schema = schema.get("items").unwrap_or(&Json::Bool(true));
                let singular = singular(what);
                Json::Array(
                    items
                        .iter()
                        .map(|item| self.walk(item, item_schema, &singular))
                        .collect(),
                )
            }
            (Value::Str(s), "string") => Json::String(s.to_string()),
            // A plain scalar that YAML reads as a number or boolean is meant as text where text
            // is expected (`version: 1.2`, `name: 2024`).
            (Value::Int(i), "string") => Json::String(i.to_string()),
            (Value::Float(x), "string") => Json::String(x.to_string()),
            (Value::Int(i), "integer") => {
                if let Some(min) = schema.get("minimum").and_then(Json::as_i64)
                    && *i < min
                {
                    self.report(
                        "invalid-value",
                        node.pos,
                        format!("{what} must be at least {min}, found {i}"),
                        vec![],
                    );
                }
                Json::from(*i)
            }
            (Value::Int(i), "number") => Json::from(*i),
            (Value::Float(x), "number") => Json::from(*x),
            (Value::Bool(b), "boolean") => Json::Bool(*b),
            (found, expected) => {
                let mut help = Vec::new();
                if expected == "boolean"
                    && let Value::Str(s) = found
                    && matches!(s.to_ascii_lowercase().as_str(), "yes" | "no" | "on" | "off" | "y" | "n")
                {
                    help.push("write `true` or `false`".to_owned());
                }
                if expected == "array" && !matches!(found, Value::Map(_)) {
                    help.push(format!("write a list, e.g. `[{}]`", scalar_text(found)));
                }
                self.report(
                    "wrong-type",
                    node.pos,
                    format!(
                        "{what} must be {}, found {}",
                        describe_type(expected),
                        describe_value(found)
                    ),
                    help,
                );
                Json::Null
            }
        }
    }

    fn walk_object(&mut self, pos: Pos, entries: &[(Node, Node)], schema: &'s Json, what: &str) -> Json {
        let properties = schema.get("properties").and_then(Json::as_object);
        let additional = schema.get("additionalProperties");
        let mut out = Map::new();
        let mut seen: std::collections::HashMap<&str, Pos> = std::collections::HashMap::with_capacity(entries.len());
        for (key_node, value_node) in entries {
            let Value::Str(key) = &key_node.value else {
                self.report(
                    "wrong-type",
                    key_node.pos,
                    format!("keys of {what} must be text, found {}", describe_value(&key_node.value)),
                    vec![],
                );
                continue;
            };
            if let Some(first) = seen.insert(key.as_str(), key_node.pos) {
                self.report(
                    "duplicate-key",
                    key_node.pos,
                    format!("`{key}` appears twice in {what}"),
                    vec![format!(
                        "the first is at line {}, column {}; keep one",
                        first.line, first.column
                    )],
                );
                continue;
            }
            let value_schema = match (properties.and_then(|p| p.get(key.as_str())), additional) {
                (Some(s), _) => s,
                (None, Some(s @ Json::Object(_))) => s,
                (None, Some(Json::Bool(true)) | None) if properties.is_none() => &Json::Bool(true),
                (None, _) => {
                    let names: Vec<&str> = properties
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let mut help = Vec::new();
                    if let Some(s) = suggest::closest(key, names.iter().copied()) {
                        help.push(format!("did you mean `{s}`?"));
                    }
                    if key.contains(' ') && matches!(value_node.value, Value::Null) {
                        help.push("a comma inside `{ … }` starts a new key: put text with commas in quotes".to_owned());
                    }
                    help.push(format!("{what} takes: {}", names.join(", ")));
                    self.report(
                        "unknown-key",
                        key_node.pos,
                        format!("unknown key `{key}` in {what}"),
                        help,
                    );
                    continue;
                }
            };
            if what == "document" && self.deferred.contains(&key.as_str()) {
                out.insert(key.to_string(), Json::Null);
                continue;
            }
            let child_what = format!("`{key}`");
            let json = self.walk(value_node, value_schema, &child_what);
            out.insert(key.to_string(), json);
        }
        if let Some(required) = schema.get("required").and_then(Json::as_array) {
            let missing: Vec<&str> = required
                .iter()
                .filter_map(Json::as_str)
                .filter(|name| !out.contains_key(*name))
                .collect();
            // Keys that were present but wrong were reported already; only report true absences.
            let missing: Vec<&str> = missing
                .into_iter()
                .filter(|name| {
                    !entries
                        .iter()
                        .any(|(k, _)| matches!(&k.value, Value::Str(s) if s == name))
                })
                .collect();
            if !missing.is_empty() {
                let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
                let noun = if missing.len() == 1 { "key" } else { "keys" };
                self.report(
                    "missing-key",
                    pos,
                    format!("{what} lacks the required {noun} {list}"),
                    vec![],
                );
            }
        }
        Json::Object(out)
    }

    fn walk_enum<'a>(&mut self, node: &Node, allowed: impl Iterator<Item = &'a Json>, what: &str) -> Json {
        let allowed: Vec<&Json> = allowed.collect();
        let json = to_json(node);
        if allowed.contains(&&json) {
            return json;
        }
        let names: Vec<&str> = allowed.iter().filter_map(|v| v.as_str()).collect();
        let found = match &node.value {
            Value::Str(s) => format!("`{s}`"),
            other => describe_value(other),
        };
        let mut help = Vec::new();
        if let Value::Str(s) = &node.value
            && let Some(suggestion) = suggest::closest(s, names.iter().copied())
        {
            help.push(format!("did you mean `{suggestion}`?"));
        }
        help.push(format!("expected one of: {}", names.join(", ")));
        self.report(
            "invalid-value",
            node.pos,
            format!("{found} is not a valid {}", strip_ticks(what)),
            help,
        );
        Json::Null
    }

    fn walk_alternatives(&mut self, node: &Node, alternatives: &'s [Json], what: &str) -> Json {
        let resolved: Vec<&'s Json> = alternatives.iter().map(|a| self.resolve(a)).collect();
        // An enum of documented variants: every alternative is a `const`.
        if resolved
            .iter()
            .all(|a| a.get("const").is_some() || a.get("enum").is_some())
        {
            let values: Vec<&Json> = resolved
                .iter()
                .flat_map(|a| match (a.get("const"), a.get("enum").and_then(Json::as_array)) {
                    (Some(c), _) => vec![c],
                    (None, Some(values)) => values.iter().collect(),
                    (None, None) => vec![],
                })
                .collect();
            return self.walk_enum(node, values.into_iter(), what);
        }
        if matches!(node.value, Value::Null) && resolved.iter().any(|a| a.get("type") == Some(&Json::from("null"))) {
            return Json::Null;
        }
        let mut best: Option<(Json, Vec<Problem>)> = None;
        for alternative in resolved.iter().filter(|a| a.get("type") != Some(&Json::from("null"))) {
            let trial = Checker {
                root: self.root,
                problems: Vec::new(),
                deferred: &[],
            };
            let (json, problems) = {
                let mut trial = trial;
                let json = trial.walk(node, alternative, what);
                (json, trial.problems)
            };
            if problems.is_empty() {
                return json;
            }
            if best.as_ref().is_none_or(|(_, p)| problems.len() < p.len()) {
                best = Some((json, problems));
            }
        }
        let (json, problems) = best.unwrap_or((Json::Null, Vec::new()));
        self.problems.extend(problems);
        json
    }
}

/// A node tree from JSON, every position unknown (line 0): for input read by another parser.
pub fn from_json(json: &Json) -> Node {
    let value = match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Str(s.as_str().into()),
        Json::Array(items) => Value::Seq(items.iter().map(from_json).collect()),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        Node {
                            pos: Pos::default(),
                            value: Value::Str(k.as_str().into()),
                        },
                        from_json(v),
                    )
                })
                .collect(),
        ),
    };
    Node {
        pos: Pos::default(),
        value,
    }
}

/// Converts a node to JSON without a schema.
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(x) => Json::from(*x),
        Value::Str(s) => Json::String(s.to_string()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match &k.value {
                        Value::Str(s) => s.to_string(),
                        other => scalar_text(other),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Str(s) => s.to_string(),
        Value::Seq(_) | Value::Map(_) => "…".to_owned(),
    }
}

fn describe_type(json_type: &str) -> &'static str {
    match json_type {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "text",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        _ => "empty",
    }
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("the text `{s}`"),
        Value::Int(i) => format!("the number {i}"),
        Value::Float(x) => format!("the number {x}"),
        Value::Bool(b) => format!("`{b}`"),
        other => other.kind_name().to_owned(),
    }
}

fn singular(what: &str) -> String {
    let name = strip_ticks(what);
    let singular = match name {
        "organisations" => "organisation",
        "data" => "data category",
        "boundaries" => "boundary",
        "components" => "component",
        "flows" => "flow",
        "installations" => "installation",
        other => return format!("item of {other}"),
    };
    singular.to_owned()
}

fn strip_ticks(what: &str) -> &str {
    what.trim_matches('`')
}
