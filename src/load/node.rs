//! A YAML document as a tree of nodes that remember where they stand in the file.
//!
//! The model loader validates this tree against the model's JSON Schema before any typed
//! deserialisation, so that every structural error of a file can be reported at once with
//! its line and column (serde stops at the first error).

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// One node of a YAML document with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What the node holds.
    pub value: Value,
}

/// The value held by a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `~`, `null` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number, with its text as written: where text is expected
    /// (`version: 1.10`) the text is what was meant, not the number's shortest spelling.
    Float(f64, ecow::EcoString),
    /// Any other scalar (inline up to 15 bytes: keys and ids of a large model need no
    /// allocation each).
    Str(ecow::EcoString),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in document order.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// A short name of the kind of value, for messages ("a string", "a list").
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(..) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}
