//! Builds a located [`Node`] tree straight from YAML parser events.
//!
//! Going through the event stream (rather than serde) keeps every key's and value's position
//! and is several times faster on large portfolio models. Scalars are typed by the YAML 1.2
//! core schema, so `NO` stays text. Aliases are expanded with a cap on the nodes they add.

use super::node::{Node, Pos, Value};
use rayon::prelude::*;
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
///
/// A large file whose top level is a plain block mapping is read in pieces on all threads
/// (see [`parse_split`]); any other file, and any file a piece of which fails or uses anchors,
/// is read whole, so errors and aliases behave exactly as in one pass.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    if text.len() >= SPLIT_FROM
        && rayon::current_num_threads() > 1
        && let Some(root) = parse_split(text, PIECE)
    {
        return Ok(Some(root));
    }
    parse_whole(text, 0).map(|(root, _)| root)
}

/// One document parsed in one pass; `line_offset` is added to every line (a piece of a larger
/// file), and the flag says whether the document defines an anchor or uses an alias.
fn parse_whole(text: &str, line_offset: u32) -> Result<(Option<Node>, bool), SyntaxError> {
    // Aliases may add at most this many nodes in all: a generous multiple of the input, so a
    // "billion laughs" document fails fast instead of exhausting memory.
    let alias_budget = text.len().saturating_mul(4).max(100_000);
    let mut alias_nodes = 0usize;
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut anchored = false;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| SyntaxError {
            message: e.info().clone(),
            pos: Pos {
                line: u32::try_from(e.marker().line())
                    .unwrap_or(u32::MAX)
                    .saturating_add(line_offset),
                column: u32::try_from(e.marker().col() + 1).unwrap_or(u32::MAX),
            },
        })?;
        let pos = position(&span, line_offset);
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
                anchored = true;
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
            anchored = true;
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
    Ok((root, anchored))
}

/// Files from this size up are read in pieces on all threads; a smaller one is read in one
/// pass, as splitting it would cost more than it saves.
const SPLIT_FROM: usize = 256 * 1024;

/// About how many bytes of a block sequence's items one piece holds.
const PIECE: usize = 64 * 1024;

/// A stretch of the file parsed as a document of its own.
#[derive(Clone, Copy)]
struct Piece<'t> {
    text: &'t str,
    /// How many lines of the file come before it.
    lines_before: u32,
}

/// Top-level entries of the file: one whose value is a block sequence, as its key (with the
/// blank and comment lines before its first item) and its items in groups, or one or more
/// entries read whole.
struct Entry<'t> {
    head: Piece<'t>,
    groups: Vec<Piece<'t>>,
}

/// Reads a large file in pieces on all threads: each top-level `key:` entry, and each group
/// of items of a top-level block sequence (about `piece` bytes), is parsed as a document of
/// its own and the pieces are joined into the tree one pass would build. `None` when the file
/// does not have that shape or a piece fails or uses anchors: the caller then reads the file
/// whole.
///
/// Why the joined tree is the same: every byte of the file is in exactly one piece (the lines
/// before the first key go with it). A piece starts only at a line that begins a top-level key
/// (a plain key at column 0) or an item of a top-level block sequence (`-` at the sequence's
/// indentation). Such a line can be inside a construct of the piece before it only if that
/// construct is a quoted scalar or a flow collection left open — then that piece fails on its
/// own — because block and plain scalars end at a line indented this little. Every piece
/// begins at the start of a line (columns are unchanged; lines are shifted back) and is read
/// in the context it has in the whole file: a block mapping at column 0, or a block sequence
/// at its own indentation. Anchors may be used across pieces, and an alias's expansion is
/// bounded per file, so any anchor or alias sends the file back to one pass.
fn parse_split(text: &str, piece: usize) -> Option<Node> {
    if text.contains('\r') || text.starts_with('\u{feff}') {
        return None;
    }
    let entries = split(text, piece)?;
    let jobs: Vec<Piece<'_>> = entries
        .iter()
        .flat_map(|e| std::iter::once(e.head).chain(e.groups.iter().copied()))
        .collect();
    if jobs.len() < 2 {
        return None;
    }
    let parsed = jobs
        .par_iter()
        .map(|piece| match parse_whole(piece.text, piece.lines_before) {
            Ok((Some(node), false)) => Some(node),
            _ => None,
        })
        .collect::<Option<Vec<Node>>>()?;
    let mut parsed = parsed.into_iter();
    let mut root_pos = None;
    let mut pairs = Vec::with_capacity(entries.len());
    for entry in &entries {
        let head = parsed.next()?;
        let Value::Map(mut head_pairs) = head.value else {
            return None;
        };
        root_pos.get_or_insert(head.pos);
        if entry.groups.is_empty() {
            pairs.append(&mut head_pairs);
        } else {
            let (key, value) = head_pairs.pop()?;
            if !head_pairs.is_empty() || value.value != Value::Null {
                return None;
            }
            let groups: Vec<Node> = parsed.by_ref().take(entry.groups.len()).collect();
            let mut items = Vec::with_capacity(
                groups
                    .iter()
                    .map(|g| match &g.value {
                        Value::Seq(part) => part.len(),
                        _ => 0,
                    })
                    .sum(),
            );
            let pos = groups.first()?.pos;
            for group in groups {
                let Value::Seq(part) = group.value else { return None };
                items.extend(part);
            }
            pairs.push((
                key,
                Node {
                    pos,
                    value: Value::Seq(items),
                },
            ));
        }
    }
    Some(Node {
        pos: root_pos?,
        value: Value::Map(pairs),
    })
}

/// The top-level entries of `text` and their pieces, or `None` when a line at column 0 is
/// anything but a plain `key:`, a comment, or an item of a sequence at column 0.
fn split(text: &str, piece: usize) -> Option<Vec<Entry<'_>>> {
    // Where each top-level entry starts: its byte offset and line index.
    let mut starts: Vec<(usize, u32)> = Vec::new();
    let (mut offset, mut line) = (0usize, 0u32);
    for l in text.split_inclusive('\n') {
        match l.as_bytes()[0] {
            b' ' | b'\n' | b'#' => {}
            // An item of a sequence at column 0 (`key:` then `- a`): checked with its entry.
            b'-' if is_item(l) && !starts.is_empty() => {}
            _ if key_line(l).is_some() => starts.push((offset, line)),
            _ => return None,
        }
        offset += l.len();
        line = line.checked_add(1)?;
    }
    let mut entries: Vec<Entry<'_>> = Vec::with_capacity(starts.len());
    // Where the entry being grown into a piece of several whole entries starts.
    let mut open: Option<usize> = None;
    for (i, &(key_start, key_line_index)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |&(next, _)| next);
        // The lines before the first key (comments, blank or not) belong to its piece: every
        // byte of the file is parsed, as in one pass.
        let (start, first_line) = if i == 0 { (0, 0) } else { (key_start, key_line_index) };
        let next = entry(&text[start..end], first_line, key_start - start, piece);
        // Consecutive entries read whole share a piece until it holds `piece` bytes: a file
        // of many small keys is not parsed key by key.
        if next.groups.is_empty()
            && let Some(from) = open
            && let Some(last) = entries.last_mut()
            && start - from < piece
        {
            last.head.text = &text[from..end];
            continue;
        }
        open = next.groups.is_empty().then_some(start);
        entries.push(next);
    }
    Some(entries)
}

/// One top-level entry (its key line `lead` bytes into `block`, after the lines before the
/// first key): split into groups of items when its value is a block sequence, each group at
/// least `piece` bytes but the last. The head piece keeps every line before the first item.
fn entry(block: &str, first_line: u32, lead: usize, piece: usize) -> Entry<'_> {
    let whole = Entry {
        head: Piece {
            text: block,
            lines_before: first_line,
        },
        groups: Vec::new(),
    };
    let mut lines = block[lead..].split_inclusive('\n');
    let Some(key) = lines.next() else { return whole };
    // Blank and comment as YAML means them: spaces and tabs only (not Unicode whitespace,
    // which YAML reads as content or refuses).
    let blank = |text: &str| text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n'));
    let comment = |text: &str| text.trim_start_matches([' ', '\t']).starts_with('#');
    if !key_line(key).is_some_and(|rest| blank(rest) || comment(rest)) {
        return whole;
    }
    let mut offset = lead + key.len();
    let key_line_index = first_line + u32::try_from(block[..lead].matches('\n').count()).unwrap_or(u32::MAX);
    let mut indent = None;
    // (byte offset, line) of each group's first item.
    let mut group_starts: Vec<(usize, u32)> = Vec::new();
    for (line, l) in (key_line_index.saturating_add(1)..).zip(lines) {
        let spaces = l.len() - l.trim_start_matches(' ').len();
        let content = &l[spaces..];
        match indent {
            None if blank(content) || comment(content) => {}
            // A sequence at column 0 (`key:` then `- a`) is an "indentless" one, which the
            // parser places differently from a sequence that is a document of its own.
            None if is_item(content) && spaces == 0 => return whole,
            None if is_item(content) => {
                indent = Some(spaces);
                group_starts.push((offset, line));
            }
            None => return whole,
            Some(indent) => {
                if spaces == indent
                    && is_item(content)
                    && group_starts.last().is_some_and(|&(start, _)| offset - start >= piece)
                {
                    group_starts.push((offset, line));
                }
            }
        }
        offset += l.len();
    }
    if group_starts.is_empty() {
        return whole;
    }
    let groups = group_starts
        .iter()
        .enumerate()
        .map(|(i, &(start, lines_before))| Piece {
            text: &block[start..group_starts.get(i + 1).map_or(block.len(), |&(next, _)| next)],
            lines_before,
        })
        .collect();
    Entry {
        head: Piece {
            text: &block[..group_starts[0].0],
            lines_before: first_line,
        },
        groups,
    }
}

/// Whether `line` (from its first non-space character) starts a block sequence item.
fn is_item(line: &str) -> bool {
    line.strip_prefix('-')
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\n']))
}

/// What follows `key:` when `line` is a plain top-level key (`[A-Za-z_][A-Za-z0-9_-]*`)
/// followed by `:` and a space or the line's end.
fn key_line(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() && bytes[0] != b'_' {
        return None;
    }
    let colon = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))?;
    let rest = line[colon..].strip_prefix(':')?;
    (rest.is_empty() || rest.starts_with([' ', '\n'])).then_some(rest)
}

fn position(span: &Span, line_offset: u32) -> Pos {
    Pos {
        line: u32::try_from(span.start.line())
            .unwrap_or(u32::MAX)
            .saturating_add(line_offset),
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

    /// The split reading of `text`, items one per piece, declines or builds what one pass
    /// builds; whether it was used.
    fn split_agrees(text: &str) -> bool {
        let whole = parse_whole(text, 0).ok().and_then(|(root, _)| root);
        match parse_split(text, 1) {
            Some(split) => {
                let whole = whole.expect("one pass fails where the split reading succeeds");
                if let Some(difference) = first_difference(&split, &whole) {
                    panic!("split reading differs at {difference} on:\n{text}");
                }
                true
            }
            None => false,
        }
    }

    /// Where two trees first differ, as a short description (`None` when equal).
    fn first_difference(a: &Node, b: &Node) -> Option<String> {
        let here = || {
            Some(format!(
                "{:?} / {:?}: {} / {}",
                a.pos,
                b.pos,
                a.value.kind_name(),
                b.value.kind_name()
            ))
        };
        if a.pos != b.pos {
            return here();
        }
        match (&a.value, &b.value) {
            (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => {
                x.iter().zip(y).find_map(|(p, q)| first_difference(p, q))
            }
            (Value::Map(x), Value::Map(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .find_map(|((k, v), (l, w))| first_difference(k, l).or_else(|| first_difference(v, w))),
            (Value::Seq(_) | Value::Map(_), _) => here(),
            (x, y) if x == y => None,
            _ => here(),
        }
    }

    #[test]
    fn split_reading_is_one_pass_reading() {
        let mut model =
            String::from("# a model\ntrustflow: 1\napp: { name: x,\n  vendor: v }\n\ncomponents:\n  # first\n");
        for i in 0..50 {
            model.push_str(&format!("  - id: c{i}\n    name: 'C {i}'\n    tags: [a, b]\n\n"));
        }
        model.push_str("flows:\n- { from: a, to: b }\n-\n  from: c\n- |\n  text\n   more\n\nempty:\ndata: []\n");
        assert!(split_agrees(&model));
        // Every model, fixture and descriptor in the repository.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("models"), root.join("tests"), root.join("examples")];
        let mut split_files = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    split_files += usize::from(split_agrees(&text));
                }
            }
        }
        assert!(split_files > 20, "only {split_files} files were read in pieces");
    }

    /// Texts where a piece boundary falls inside a construct of the piece before, or the file
    /// is not a plain top-level mapping: the split reading declines or agrees, never differs.
    #[test]
    fn split_reading_declines_what_it_cannot_join() {
        let cases = [
            "a:\n  - \"one\n  - two\"\n  - three\n",
            "a:\n  - 'one\n  - two'\n",
            "a:\n  - [one,\n  - two]\n",
            "a:\n  - { b: 1,\n  - c }\n",
            "a: \"x\nb: y\"\nc: 1\n",
            "a: [1,\nb: 2]\n",
            "a: { x: 1,\nb: 2 }\n",
            "a:\n  - &x { b: 1 }\n  - *x\n",
            "a: &x 1\nb: *x\n",
            "a:\n  - 1\n---\nb: 2\n",
            "a:\n  - 1\n...\n",
            "%YAML 1.2\n---\na: 1\nb: 2\n",
            "\"a\": 1\nb: 2\n",
            "? a\n: 1\nb: 2\n",
            "- 1\n- 2\n",
            "a:\n  - 1\n - 2\n  - 3\n",
            "a:\n  - 1\n\t- 2\n",
            "a:\n  - 1\nb:\n- 2\n  - 3\n",
            "a:\n  - |\n    x\n  - y\nb: 1\n",
            "a:\n  - x\n    y\n  - z\n",
            "a:\n  - b: 1\n  c: 2\n  - d\n",
            "a: 1\na: 2\n",
            "a:\n  -\n  - 1\n",
            "a: b: c\nd: 1\n",
            "a:#x\n  - 1\nb: 2\n",
            "a: # c\n  - 1\n  # c\n  - 2\nb: !!str 3\n",
            "a:\n  !!seq\n  - 1\nb: 2\n",
            "a:\n  - 1\n# top comment\n  - 2\n",
            "a:\n  - \"x\n\n  y\"\n  - 2\n",
            "a:\r\n  - 1\r\n  - 2\r\n",
            "\u{feff}a:\n  - 1\n  - 2\n",
            // Found by review: lines before the first key, and Unicode whitespace between a
            // key and its first item, were left out of every piece.
            " oops\na:\n  - 1\n  - 2\n",
            " {x: 1,\na:\n  - 1\n",
            " '\na:\n  - 1\n  - x'\n",
            "a:\n  \u{2028}\n  - 1\n  - 2\n",
            "a:\n  \u{a0}\n  - 1\n",
            "a:\n  \u{85}\n  - {\"id\":1}\n  - {\"id\":2}\n",
            "a:\n  \u{b}\n  - 1\n",
            "a:\n  \u{3000}\n  - 1\n",
            "a:\t# c\n  - 1\n",
            "# lead\n\n  # indented comment\n\t\na:\n  # c\n\t\n  - 1\n  - 2\nb: 1\n",
        ];
        for text in cases {
            split_agrees(text);
        }
        assert!(split_agrees("a:\n  - 1\n  - 2\nb: 2\n"));
        assert!(split_agrees("# lead\n  # indented\na:\n  # c\n\n  - 1\n  - 2\nb: 2\n"));
        assert!(!split_agrees("a:\n  - &x 1\n  - *x\n"));
        assert!(!split_agrees("a:\n  - \"one\n  - two\"\n"));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: { b: 1\nc: 2\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
    }
}
