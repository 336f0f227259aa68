//! Problems found in input files, located and explained for people.

use std::fmt::{self, Write as _};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The file cannot be used.
    Error,
    /// The file can be used, but something looks wrong.
    Warning,
}

/// One step of a path into a document: a mapping key or a list index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// A key of a mapping.
    Key(String),
    /// An index into a list.
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Seg {
        Seg::Key(key.to_owned())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Seg {
        Seg::Index(index)
    }
}

/// Builds a path from keys and indices: `path!["components", 3, "boundary"]`.
#[macro_export]
macro_rules! path {
    ($($seg:expr),* $(,)?) => { vec![$($crate::diagnostic::Seg::from($seg)),*] };
}

/// Renders a path as `components[3].boundary`.
pub fn path_to_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) if out.is_empty() => out.push_str(key),
            Seg::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Seg::Index(index) => {
                let _ = write!(out, "[{index}]");
            }
        }
    }
    out
}

/// A problem in an input file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// A stable kebab-case code naming the kind of problem (e.g. `unknown-key`).
    pub code: &'static str,
    /// What is wrong, in one line.
    pub message: String,
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column, 0 when the problem concerns the whole file.
    pub column: u32,
    /// The offending line of the file, for display (a window around the column when the
    /// line is long).
    #[serde(skip)]
    pub source_line: Option<String>,
    /// The 1-based column of the problem within `source_line` (differs from `column` when the
    /// line was cut); 0 means `column`.
    #[serde(skip)]
    pub source_column: u32,
    /// What to do about it: suggestions, what was expected.
    pub help: Vec<String>,
}

/// Every input-error and warning code, with what it means: the one list that docs/model.md's
/// table and the codes snapshot are made from. A diagnostic with a code not listed here fails
/// in debug builds (every test run), so the list cannot fall behind.
pub const CODES: &[(&str, &str)] = &[
    (
        "yaml-syntax",
        "The file is not valid YAML (or holds more than one document).",
    ),
    ("json-syntax", "The descriptor is not valid JSON."),
    ("unknown-key", "A key the format does not have."),
    ("duplicate-key", "A key appears twice in one mapping."),
    (
        "wrong-type",
        "A value of the wrong type (text where true/false is expected, …).",
    ),
    (
        "invalid-value",
        "A value outside its list (`kind: servce`), or a malformed date.",
    ),
    ("missing-key", "A required key is absent."),
    (
        "text-too-long",
        "A key or value of more than 10,000 characters (names, ids and descriptions are printed in every report).",
    ),
    (
        "duplicate-id",
        "Two elements of one list share an id (or a component and a boundary).",
    ),
    ("dangling-reference", "An id that names nothing."),
    ("data-not-available", "A flow carries data its source never has."),
    ("boundary-cycle", "Boundaries contain each other."),
    ("unknown-catalog-entry", "`catalog:` names no catalog organisation."),
    (
        "unknown-region",
        "A region, realm or country the catalog does not know.",
    ),
    ("unsupported-version", "`trustflow:` is not `1`."),
    (
        "placeholder",
        "An overlay value still holds the template's `REPLACE: …` placeholder.",
    ),
    ("unknown-rule", "A waiver names no rule code."),
    (
        "key-mismatch",
        "`upgrade-check`: the Forge manifest's `app.connect.key` is missing or is not the Connect descriptor's key.",
    ),
    (
        "invalid-import",
        "A descriptor and overlay that together do not make a valid model.",
    ),
    ("io", "A file cannot be read or written."),
    ("isolated-component", "Warning: a component in no flow."),
    ("self-flow", "Warning: a flow from a component to itself."),
    (
        "incomplete-organisation",
        "Warning: an organisation with neither `name` nor `catalog`.",
    ),
];

/// The table of [`CODES`] in docs/model.md.
pub fn codes_markdown() -> String {
    let mut out = String::from("| code | meaning |\n|---|---|\n");
    for (code, meaning) in CODES {
        out.push_str(&format!("| `{code}` | {meaning} |\n"));
    }
    out
}

impl Diagnostic {
    /// A new error with no location yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        debug_assert!(
            CODES.iter().any(|(c, _)| *c == code),
            "diagnostic code `{code}` is not in diagnostic::CODES"
        );
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            file: String::new(),
            line: 0,
            column: 0,
            source_line: None,
            source_column: 0,
            help: Vec::new(),
        }
    }

    /// A new warning with no location yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds a line of help.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    /// Adds "did you mean `x`?" when there is a suggestion.
    #[must_use]
    pub fn with_suggestion(self, suggestion: Option<&str>) -> Diagnostic {
        match suggestion {
            Some(s) => self.with_help(format!("did you mean `{s}`?")),
            None => self,
        }
    }

    /// Whether this is an error (rather than a warning).
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    /// Renders like a compiler: header, `--> file:line:col`, the line with a caret, help lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        writeln!(f, "{level}[{}]: {}", self.code, self.message)?;
        if self.line == 0 {
            writeln!(f, "  --> {}", self.file)?;
        } else {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            writeln!(f, "{pad}--> {}:{}:{}", self.file, self.line, self.column)?;
            if let Some(text) = &self.source_line {
                let shown = if self.source_column > 0 {
                    self.source_column
                } else {
                    self.column
                };
                let col = shown.saturating_sub(1) as usize;
                let prefix: String = text
                    .chars()
                    .take(col)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let width = token_width(text, col).max(1);
                writeln!(f, "{pad} |")?;
                writeln!(f, "{number} | {text}")?;
                writeln!(f, "{pad} | {prefix}{}", "^".repeat(width))?;
            }
        }
        for help in &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

/// How many characters the token starting at `col` spans: a quoted string to its closing
/// quote, otherwise up to the next YAML delimiter.
fn token_width(line: &str, col: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(col).collect();
    match rest.first() {
        Some(&quote @ ('"' | '\'')) => rest
            .iter()
            .skip(1)
            .position(|&c| c == quote)
            .map_or(rest.len(), |end| end + 2),
        Some(_) => {
            let mut width = 0;
            while width < rest.len() {
                let c = rest[width];
                if matches!(c, ',' | '}' | ']' | '#')
                    || (c == ':' && rest.get(width + 1).is_none_or(|n| n.is_whitespace()))
                {
                    break;
                }
                width += 1;
            }
            rest[..width].iter().rev().skip_while(|c| c.is_whitespace()).count()
        }
        None => 1,
    }
}

/// How many diagnostics are shown in full; the rest are counted. A file with thousands of
/// the same mistake gets the first ones and the total, not megabytes of repetition.
pub const SHOWN: usize = 50;

/// Several diagnostics, rendered one after another with a closing count: the first
/// [`SHOWN`] in full, then how many more there are.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics.iter().take(SHOWN) {
        let _ = writeln!(out, "{diagnostic}");
    }
    if diagnostics.len() > SHOWN {
        let _ = writeln!(
            out,
            "… {} more not shown (the first {SHOWN} are above; fix them and run again)\n",
            diagnostics.len() - SHOWN
        );
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match (errors, warnings) {
        (0, 0) => {}
        (0, w) => {
            let _ = writeln!(out, "{w} warning{}", plural(w));
        }
        (e, 0) => {
            let _ = writeln!(out, "{e} error{}", plural(e));
        }
        (e, w) => {
            let _ = writeln!(out, "{e} error{}, {w} warning{}", plural(e), plural(w));
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_widths() {
        assert_eq!(token_width("  boundry: vendor", 2), 7);
        assert_eq!(token_width("- { id: a, kind: servce }", 17), 6);
        assert_eq!(token_width("  name: \"a, b\" # c", 8), 6);
        assert_eq!(token_width("  region: aws:us-east-1", 10), 13);
    }

    #[test]
    fn paths_render_like_code() {
        assert_eq!(
            path_to_string(&[Seg::from("components"), Seg::from(3), Seg::from("boundary")]),
            "components[3].boundary"
        );
    }
}
