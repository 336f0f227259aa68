//! Builds a located [`Node`] tree straight from YAML parser events.
//!
//! Going through the event stream (rather than serde) keeps every key's and value's position
//! and is several times faster on large portfolio models. Scalars are typed by the YAML 1.2
//! core schema, so `NO` stays text. Aliases are expanded with a cap on the nodes they add.

use super::node::{Node, Pos, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// A YAML syntax error with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What the parser said.
    pub message: String,
    /// Where.
    pub pos: Pos,
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Parses the one document of `text`; `Ok(None)` for an empty stream, an error for a second
/// document.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    // Aliases may add at most this many nodes in all: a generous multiple of the input, so a
    // "billion laughs" document fails fast instead of exhausting memory.
    let alias_budget = text.len().saturating_mul(4).max(100_000);
    let mut alias_nodes = 0usize;
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError {
            message: e.info().clone(),
            pos: Pos {
                line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
                column: u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
            },
        })?;
        let pos = position(&span);
        let complete = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix() == "str");
                let value = if style == ScalarStyle::Plain && !is_str_tag {
                    plain_scalar(&text)
                } else {
                    Value::Str(text.as_ref().into())
                };
                Some((Node { pos, value }, anchor))
            }
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Frame::Seq {
                    pos,
                    anchor,
                    items: Vec::new(),
                });
                None
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Frame::Map {
                    pos,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
                None
            }
            // Lists grow by doubling; the tree lives until the model is built, so each list
            // gives back its spare capacity when it is complete (a fifth of a large tree).
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { pos, anchor, mut items }) => {
                    items.shrink_to_fit();
                    Some((
                        Node {
                            pos,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ))
                }
                Some(Frame::Map {
                    pos,
                    anchor,
                    mut entries,
                    ..
                }) => {
                    entries.shrink_to_fit();
                    Some((
                        Node {
                            pos,
                            value: Value::Map(entries),
                        },
                        anchor,
                    ))
                }
                None => None,
            },
            Event::Alias(id) => {
                let node = anchors.get(&id).cloned().ok_or_else(|| SyntaxError {
                    message: "alias to an unknown anchor".to_owned(),
                    pos,
                })?;
                alias_nodes += node_count(&node);
                if alias_nodes > alias_budget {
                    return Err(SyntaxError {
                        message: "aliases expand to too much data (more than four times the file's size)".to_owned(),
                        pos,
                    });
                }
                // The copy points at the alias, where the user wrote it.
                Some((Node { pos, value: node.value }, 0))
            }
            _ => None,
        };
        let Some((node, anchor)) = complete else { continue };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => {
                // A second document (after `---`, or after `...`) would otherwise be dropped
                // unread: whatever it says — a second model, or text appended to a valid one —
                // must not pass as if the file held only the first.
                if root.is_some() {
                    return Err(SyntaxError {
                        message: "a second YAML document: a file holds one model or descriptor; put each document in a file of its own".to_owned(),
                        pos: node.pos,
                    });
                }
                root = Some(node);
            }
        }
    }
    Ok(root)
}

fn position(span: &Span) -> Pos {
    Pos {
        line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    }
}

/// What a copy of `node` costs: one per node plus the bytes of its strings, so that one long
/// anchored string aliased many times is bounded like many nodes are.
fn node_count(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
        Value::Str(text) => 1 + text.len(),
        _ => 1,
    }
}

/// Types a plain scalar by the YAML 1.2 core schema. Numbers with leading zeros stay text
/// (`0123` is an id, not octal).
pub fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY, text.into()),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY, text.into()),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN, text.into()),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() > 1 && digits.starts_with('0') {
            return Value::Str(text.into());
        }
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Value::Int(i);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return Value::Int(i);
    }
    let looks_float = digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if looks_float && let Ok(x) = text.parse::<f64>() {
        return Value::Float(x, text.into());
    }
    Value::Str(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text).unwrap().unwrap()
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(plain_scalar("NO"), Value::Str("NO".into()));
        assert_eq!(plain_scalar("yes"), Value::Str("yes".into()));
        assert_eq!(plain_scalar("true"), Value::Bool(true));
        assert_eq!(plain_scalar("~"), Value::Null);
        assert_eq!(plain_scalar("42"), Value::Int(42));
        assert_eq!(plain_scalar("-7"), Value::Int(-7));
        assert_eq!(plain_scalar("0123"), Value::Str("0123".into()));
        assert_eq!(plain_scalar("1.5"), Value::Float(1.5, "1.5".into()));
        assert_eq!(plain_scalar("1.10"), Value::Float(1.1, "1.10".into()));
        assert_eq!(plain_scalar("1e3"), Value::Float(1000.0, "1e3".into()));
        assert_eq!(plain_scalar("aws:us-east-1"), Value::Str("aws:us-east-1".into()));
        assert_eq!(plain_scalar("4.2.0"), Value::Str("4.2.0".into()));
        assert_eq!(plain_scalar("e5"), Value::Str("e5".into()));
    }

    #[test]
    fn positions_quotes_and_aliases() {
        let node = root("a: 1\nb:\n  - { c: x, d: 'true' }\n  - &x [1, 2]\n  - *x\n");
        let Value::Map(entries) = &node.value else {
            panic!("{node:?}")
        };
        assert_eq!(
            entries[0].1,
            Node {
                pos: Pos { line: 1, column: 4 },
                value: Value::Int(1)
            }
        );
        let Value::Seq(items) = &entries[1].1.value else {
            panic!()
        };
        let Value::Map(inner) = &items[0].value else { panic!() };
        assert_eq!(inner[1].0.pos, Pos { line: 3, column: 13 });
        assert_eq!(inner[1].1.value, Value::Str("true".into()));
        assert_eq!(items[2].value, items[1].value);
        assert_eq!(items[2].pos, Pos { line: 5, column: 5 });
    }

    #[test]
    fn alias_bombs_fail_fast() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 { "a".to_owned() } else { format!("l{}", i - 1) };
            text.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("too much"), "{err:?}");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: { b: 1\nc: 2\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
    }
}
