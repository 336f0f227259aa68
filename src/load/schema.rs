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

/// A JSON Schema compiled for walking: `$ref`s followed once, every subschema an index, and
/// each object's properties in a hash map. Walking the generic JSON form instead looked up
/// `$ref`, `anyOf`, `enum`, `type` … by name at every node of the document, which was a third
/// of loading a large model.
#[derive(Debug)]
pub struct Schema {
    shapes: Vec<Shape>,
    /// The shape of a whole document.
    root: usize,
    /// The schema as given, for compiling subschemas named by pointer.
    source: Json,
    /// Subschemas compiled by [`Schema::with_pointers`].
    by_pointer: foldhash::HashMap<String, usize>,
}

#[derive(Debug)]
enum Shape {
    /// No constraint: the value is taken as it is.
    Any,
    /// `enum` or `const`.
    Enum(Vec<Json>),
    /// `anyOf` / `oneOf`.
    Alternatives {
        options: Vec<usize>,
        /// Every alternative a `const` or `enum`: the values, checked as one enum.
        values: Option<Vec<Json>>,
        /// Some alternative is `type: null`.
        nullable: bool,
    },
    Typed {
        /// The first non-null type (`Null` when the schema allows only null).
        primary: Kind,
        nullable: bool,
        items: usize,
        minimum: Option<i64>,
        object: Option<Box<Object>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
    Null,
    Other,
}

impl Kind {
    fn parse(name: &str) -> Kind {
        match name {
            "object" => Kind::Object,
            "array" => Kind::Array,
            "string" => Kind::String,
            "integer" => Kind::Integer,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "null" => Kind::Null,
            _ => Kind::Other,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Object => "a mapping",
            Kind::Array => "a list",
            Kind::String => "text",
            Kind::Integer => "a whole number",
            Kind::Number => "a number",
            Kind::Boolean => "true or false",
            Kind::Null | Kind::Other => "empty",
        }
    }
}

#[derive(Debug)]
struct Object {
    /// Property name → subschema.
    properties: Option<foldhash::HashMap<String, usize>>,
    /// Property names in the schema's order, for help text.
    names: Vec<String>,
    /// `additionalProperties` when it is a schema.
    additional: Option<usize>,
    /// `additionalProperties` absent or `true`: other keys are taken as they are when the
    /// schema lists no properties at all.
    open: bool,
    required: Vec<String>,
}

const ANY: usize = 0;

/// How many keys of a mapping are checked for repeats by scanning before they are hashed.
const SCAN_KEYS: usize = 32;

impl Schema {
    /// Compiles `source` (kept for [`Schema::at`]).
    pub fn compile(source: Json) -> Schema {
        let mut schema = Schema {
            shapes: vec![Shape::Any],
            root: ANY,
            source: Json::Null,
            by_pointer: foldhash::HashMap::default(),
        };
        let mut memo = foldhash::HashMap::default();
        schema.root = schema.compile_node(&source, &source, &mut memo);
        schema.source = source;
        schema
    }

    /// The subschema at JSON pointer `pointer`, when [`Schema::with_pointers`] compiled it.
    fn at(&self, pointer: &str) -> Option<usize> {
        self.by_pointer.get(pointer).copied()
    }

    /// Compiles the subschemas at `pointers` up front, so walking needs no mutation.
    #[must_use]
    pub fn with_pointers(mut self, pointers: &[String]) -> Schema {
        let source = std::mem::take(&mut self.source);
        let mut memo = foldhash::HashMap::default();
        for pointer in pointers {
            if let Some(node) = source.pointer(pointer) {
                let index = self.compile_node(node, &source, &mut memo);
                self.by_pointer.insert(pointer.clone(), index);
            }
        }
        self.source = source;
        self
    }

    fn resolve<'j>(mut node: &'j Json, root: &'j Json) -> &'j Json {
        while let Some(reference) = node.get("$ref").and_then(Json::as_str) {
            let Some(target) = reference
                .strip_prefix("#/")
                .and_then(|p| p.split('/').try_fold(root, |s, seg| s.get(seg)))
            else {
                break;
            };
            node = target;
        }
        node
    }

    fn compile_node(&mut self, node: &Json, root: &Json, memo: &mut foldhash::HashMap<*const Json, usize>) -> usize {
        let node = Schema::resolve(node, root);
        let key: *const Json = node;
        if let Some(&index) = memo.get(&key) {
            return index;
        }
        // Reserved before the children are compiled, so a recursive schema ends.
        let index = self.shapes.len();
        self.shapes.push(Shape::Any);
        memo.insert(key, index);
        let shape = if let Some(alternatives) = node.get("anyOf").or_else(|| node.get("oneOf")).and_then(Json::as_array)
        {
            let resolved: Vec<&Json> = alternatives.iter().map(|a| Schema::resolve(a, root)).collect();
            let values = resolved
                .iter()
                .all(|a| a.get("const").is_some() || a.get("enum").is_some())
                .then(|| {
                    resolved
                        .iter()
                        .flat_map(|a| match (a.get("const"), a.get("enum").and_then(Json::as_array)) {
                            (Some(c), _) => vec![c.clone()],
                            (None, Some(values)) => values.clone(),
                            (None, None) => vec![],
                        })
                        .collect()
                });
            let is_null = |a: &&Json| a.get("type") == Some(&Json::from("null"));
            let nullable = resolved.iter().any(is_null);
            let options = resolved
                .iter()
                .filter(|a| !is_null(a))
                .map(|a| self.compile_node(a, root, memo))
                .collect();
            Shape::Alternatives {
                options,
                values,
                nullable,
            }
        } else if let Some(allowed) = node.get("enum").and_then(Json::as_array) {
            Shape::Enum(allowed.clone())
        } else if let Some(constant) = node.get("const") {
            Shape::Enum(vec![constant.clone()])
        } else {
            let types: Vec<Kind> = match node.get("type") {
                Some(Json::String(t)) => vec![Kind::parse(t)],
                Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).map(Kind::parse).collect(),
                _ => Vec::new(),
            };
            if types.is_empty() {
                Shape::Any
            } else {
                let primary = types.iter().copied().find(|t| *t != Kind::Null).unwrap_or(Kind::Null);
                let items = node.get("items").map_or(ANY, |i| self.compile_node(i, root, memo));
                let object = (primary == Kind::Object).then(|| {
                    let properties = node.get("properties").and_then(Json::as_object);
                    let names: Vec<String> = properties.map(|p| p.keys().cloned().collect()).unwrap_or_default();
                    let compiled = properties.map(|p| {
                        p.iter()
                            .map(|(name, sub)| (name.clone(), self.compile_node(sub, root, memo)))
                            .collect()
                    });
                    let additional = match node.get("additionalProperties") {
                        Some(sub @ Json::Object(_)) => Some(self.compile_node(sub, root, memo)),
                        _ => None,
                    };
                    let open = matches!(node.get("additionalProperties"), None | Some(Json::Bool(true)));
                    let required = node
                        .get("required")
                        .and_then(Json::as_array)
                        .map(|r| r.iter().filter_map(Json::as_str).map(str::to_owned).collect())
                        .unwrap_or_default();
                    Box::new(Object {
                        properties: compiled,
                        names,
                        additional,
                        open,
                        required,
                    })
                });
                Shape::Typed {
                    primary,
                    nullable: types.contains(&Kind::Null),
                    items,
                    minimum: node.get("minimum").and_then(Json::as_i64),
                    object,
                }
            }
        };
        self.shapes[index] = shape;
        index
    }
}

/// What a node is called in messages, built into text only when a message needs it (most
/// nodes have none).
#[derive(Clone, Copy)]
enum What<'a> {
    /// A name given by the caller ("document", "component").
    Named(&'a str),
    /// The value of key `k`: "`k`".
    Key(&'a str),
    /// An item of the list named by the inner value.
    Item(&'a What<'a>),
}

impl What<'_> {
    /// The name without backticks.
    fn plain(&self) -> String {
        match self {
            What::Named(name) => strip_ticks(name).to_owned(),
            What::Key(key) => (*key).to_owned(),
            What::Item(list) => singular(&list.plain()),
        }
    }
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Named(name) => f.write_str(name),
            What::Key(key) => write!(f, "`{key}`"),
            What::Item(list) => f.write_str(&singular(&list.plain())),
        }
    }
}

/// Walks a document against a schema.
pub struct Checker<'s> {
    schema: &'s Schema,
    problems: Vec<Problem>,
    /// Top-level keys whose values the caller checks itself (in parallel, item by item).
    deferred: &'s [&'s str],
    /// Whether the JSON form is built: a caller that reads the node tree directly (when the
    /// check finds nothing) needs only the problems.
    emit: bool,
}

impl<'s> Checker<'s> {
    /// A checker for documents of `schema`.
    pub fn new(schema: &'s Schema) -> Self {
        Checker {
            schema,
            problems: Vec::new(),
            deferred: &[],
            emit: true,
        }
    }

    /// A checker that leaves the values of the top-level `keys` unchecked (as `null`).
    #[must_use]
    pub fn deferring(mut self, keys: &'s [&'s str]) -> Self {
        self.deferred = keys;
        self
    }

    /// A checker that only finds problems; the JSON it returns is `null`.
    #[must_use]
    pub fn problems_only(mut self) -> Self {
        self.emit = false;
        self
    }

    /// Checks `node` against the subschema at JSON pointer `pointer`, which must have been
    /// compiled with [`Schema::with_pointers`] (else anything is accepted); `what` names the
    /// node in messages.
    pub fn check_at(mut self, node: &Node, pointer: &str, what: &str) -> (Json, Vec<Problem>) {
        let shape = self.schema.at(pointer).unwrap_or(ANY);
        let json = self.walk(node, shape, What::Named(what));
        (json, self.problems)
    }

    /// Checks `node`, returning its JSON form and every problem found.
    pub fn check(mut self, node: &Node) -> (Json, Vec<Problem>) {
        let json = self.walk(node, self.schema.root, What::Named("document"));
        (json, self.problems)
    }

    fn report(&mut self, code: &'static str, pos: Pos, message: String, help: Vec<String>) {
        self.problems.push(Problem {
            code,
            pos,
            message,
            help,
        });
    }

    fn json(&self, node: &Node) -> Json {
        if self.emit { to_json(node) } else { Json::Null }
    }

    fn walk(&mut self, node: &Node, shape: usize, what: What<'_>) -> Json {
        let schema = self.schema;
        let (primary, nullable, items, minimum, object) = match &schema.shapes[shape] {
            Shape::Any => return self.json(node),
            Shape::Enum(allowed) => return self.walk_enum(node, allowed, what),
            Shape::Alternatives {
                options,
                values,
                nullable,
            } => return self.walk_alternatives(node, options, values.as_deref(), *nullable, what),
            Shape::Typed {
                primary,
                nullable,
                items,
                minimum,
                object,
            } => (*primary, *nullable, *items, *minimum, object),
        };
        if matches!(node.value, Value::Null) && nullable {
            return Json::Null;
        }
        match (&node.value, primary) {
            (Value::Map(entries), Kind::Object) => match object {
                Some(object) => self.walk_object(node.pos, entries, object, what),
                None => self.json(node),
            },
            (Value::Seq(list), Kind::Array) => {
                let item_what = What::Item(&what);
                let out: Vec<Json> = list.iter().map(|item| self.walk(item, items, item_what)).collect();
                if self.emit { Json::Array(out) } else { Json::Null }
            }
            // A plain scalar that YAML reads as a number or boolean is meant as text where text
            // is expected (`version: 1.2`, `name: 2024`).
            (Value::Str(_) | Value::Int(_) | Value::Float(..), Kind::String) => {
                if !self.emit {
                    return Json::Null;
                }
                match &node.value {
                    Value::Str(s) => Json::String(s.to_string()),
                    Value::Int(i) => Json::String(i.to_string()),
                    Value::Float(_, text) => Json::String(text.to_string()),
                    _ => Json::Null,
                }
            }
            (Value::Int(i), Kind::Integer) => {
                if let Some(min) = minimum
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
            (Value::Int(i), Kind::Number) => Json::from(*i),
            (Value::Float(x, _), Kind::Number) => Json::from(*x),
            (Value::Bool(b), Kind::Boolean) => Json::Bool(*b),
            (found, expected) => {
                let mut help = Vec::new();
                if expected == Kind::Boolean
                    && let Value::Str(s) = found
                    && matches!(s.to_ascii_lowercase().as_str(), "yes" | "no" | "on" | "off" | "y" | "n")
                {
                    help.push("write `true` or `false`".to_owned());
                }
                if expected == Kind::Array && !matches!(found, Value::Map(_)) {
                    help.push(format!("write a list, e.g. `[{}]`", scalar_text(found)));
                }
                self.report(
                    "wrong-type",
                    node.pos,
                    format!(
                        "{what} must be {}, found {}",
                        expected.describe(),
                        describe_value(found)
                    ),
                    help,
                );
                Json::Null
            }
        }
    }

    fn walk_object(&mut self, pos: Pos, entries: &[(Node, Node)], object: &Object, what: What<'_>) -> Json {
        let mut out = Map::new();
        let mut seen: Vec<(&str, Pos)> = Vec::with_capacity(entries.len().min(SCAN_KEYS));
        let mut seen_index: foldhash::HashMap<&str, Pos> = foldhash::HashMap::default();
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
            // Mappings of a model have a handful of keys: a linear scan beats hashing, until a
            // hostile mapping of thousands of keys would make the scan quadratic.
            if seen.len() == SCAN_KEYS {
                seen_index = seen.iter().copied().collect();
            }
            let earlier = if seen.len() < SCAN_KEYS {
                seen.iter().find(|(k, _)| *k == key.as_str()).map(|(_, p)| p)
            } else {
                seen_index.get(key.as_str())
            };
            if let Some(first) = earlier {
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
            if seen.len() < SCAN_KEYS {
                seen.push((key.as_str(), key_node.pos));
            } else {
                seen_index.insert(key.as_str(), key_node.pos);
            }
            let found = object.properties.as_ref().and_then(|p| p.get(key.as_str())).copied();
            let value_shape = match (found, object.additional) {
                (Some(s), _) | (None, Some(s)) => s,
                (None, None) if object.properties.is_none() && object.open => ANY,
                (None, None) => {
                    let names: Vec<&str> = object.names.iter().map(String::as_str).collect();
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
            if matches!(what, What::Named("document")) && self.deferred.contains(&key.as_str()) {
                if self.emit {
                    out.insert(key.to_string(), Json::Null);
                }
                continue;
            }
            let json = self.walk(value_node, value_shape, What::Key(key));
            if self.emit {
                out.insert(key.to_string(), json);
            }
        }
        // Keys that were present but wrong were reported already; only report true absences.
        let missing: Vec<&str> = object
            .required
            .iter()
            .map(String::as_str)
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
        if self.emit { Json::Object(out) } else { Json::Null }
    }

    fn walk_enum(&mut self, node: &Node, allowed: &[Json], what: What<'_>) -> Json {
        if allowed.iter().any(|a| scalar_equals(node, a)) {
            return self.json(node);
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
            format!("{found} is not a valid {}", what.plain()),
            help,
        );
        Json::Null
    }

    fn walk_alternatives(
        &mut self,
        node: &Node,
        options: &[usize],
        values: Option<&[Json]>,
        nullable: bool,
        what: What<'_>,
    ) -> Json {
        // An enum of documented variants: every alternative is a `const`.
        if let Some(values) = values {
            return self.walk_enum(node, values, what);
        }
        if matches!(node.value, Value::Null) && nullable {
            return Json::Null;
        }
        let mut best: Option<(Json, Vec<Problem>)> = None;
        for &option in options {
            let mut trial = Checker {
                schema: self.schema,
                problems: Vec::new(),
                deferred: &[],
                emit: self.emit,
            };
            let json = trial.walk(node, option, what);
            if trial.problems.is_empty() {
                return json;
            }
            if best.as_ref().is_none_or(|(_, p)| trial.problems.len() < p.len()) {
                best = Some((json, trial.problems));
            }
        }
        let (json, problems) = best.unwrap_or((Json::Null, Vec::new()));
        self.problems.extend(problems);
        json
    }
}

/// Whether a node equals a JSON value (for `enum` and `const`), without building its JSON.
fn scalar_equals(node: &Node, json: &Json) -> bool {
    match (&node.value, json) {
        (Value::Null, Json::Null) => true,
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Str(a), Json::String(b)) => a.as_str() == b.as_str(),
        (Value::Int(_) | Value::Float(..), Json::Number(_)) => &to_json(node) == json,
        (Value::Seq(_) | Value::Map(_), Json::Array(_) | Json::Object(_)) => &to_json(node) == json,
        _ => false,
    }
}

/// A node tree from JSON, every position unknown (line 0): for input read by another parser.
pub fn from_json(json: &Json) -> Node {
    let value = match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN), n.to_string().into()),
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
        Value::Float(x, _) => Json::from(*x),
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
        Value::Float(_, text) => text.to_string(),
        Value::Str(s) => s.to_string(),
        Value::Seq(_) | Value::Map(_) => "…".to_owned(),
    }
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("the text `{s}`"),
        Value::Int(i) => format!("the number {i}"),
        Value::Float(_, text) => format!("the number {text}"),
        Value::Bool(b) => format!("`{b}`"),
        other => other.kind_name().to_owned(),
    }
}

fn singular(name: &str) -> String {
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
