//! Tera templates: embedded in the binary, each overridable by a file of the same name in a
//! directory given at run time (a vendor's branding).

use super::RenderError;
use std::path::Path;

/// The built-in templates: (name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("report.html", include_str!("../../templates/report.html.tera")),
    ("report.md", include_str!("../../templates/report.md.tera")),
    ("index.html", include_str!("../../templates/index.html.tera")),
    ("notice.md", include_str!("../../templates/notice.md.tera")),
    ("notice.html", include_str!("../../templates/notice.html.tera")),
    ("trust.md", include_str!("../../templates/trust.md.tera")),
    ("trust.html", include_str!("../../templates/trust.html.tera")),
    ("annex.md", include_str!("../../templates/annex.md.tera")),
    ("annex.html", include_str!("../../templates/annex.html.tera")),
];

/// A loaded template set.
pub struct Templates {
    tera: tera::Tera,
}

impl Templates {
    /// The built-in templates, with files from `dir` (named `report.html.tera`,
    /// `report.md.tera`, `index.html.tera`, `notice.md.tera`, `notice.html.tera`, `trust.md.tera`,
    /// `trust.html.tera`, `annex.md.tera`, `annex.html.tera`) replacing them.
    pub fn load(dir: Option<&Path>) -> Result<Templates, RenderError> {
        let mut tera = tera::Tera::default();
        // Autoescape HTML only: the Markdown page escapes what it needs itself.
        tera.autoescape_on(vec![".html"]);
        for (name, builtin) in BUILTIN {
            let text = match dir.map(|d| d.join(format!("{name}.tera"))) {
                Some(path) if path.exists() => std::fs::read_to_string(&path).map_err(|e| RenderError::Template {
                    name: path.display().to_string(),
                    message: e.to_string(),
                })?,
                _ => (*builtin).to_owned(),
            };
            tera.add_raw_template(name, &text).map_err(|e| RenderError::Template {
                name: (*name).to_owned(),
                message: chain(&e),
            })?;
        }
        // Every `{{ x }}` of an HTML template goes through this one escaping function.
        tera.set_escape_fn(html_text);
        tera.register_filter("md", markdown_escape);
        tera.register_filter("ticks", ticks_to_code);
        // Locations as readers read them: the legal entity's country said as such.
        tera.register_filter(
            "places",
            |value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>| {
                let places: Vec<String> = tera::from_value(value.clone()).unwrap_or_default();
                Ok(tera::to_value(crate::facts::sections::said_places(&places))?)
            },
        );
        let words = transfer_words();
        tera.register_filter(
            "words",
            move |value: &tera::Value, args: &std::collections::HashMap<String, tera::Value>| {
                let of = args.get("of").and_then(tera::Value::as_str).unwrap_or_default();
                Ok(words
                    .get(of)
                    .and_then(|names| value.as_str().and_then(|code| names.get(code)))
                    .cloned()
                    .unwrap_or_else(|| value.clone()))
            },
        );
        Ok(Templates { tera })
    }

    /// Renders template `name` with `data`.
    pub fn render(&self, name: &str, data: &impl serde::Serialize) -> Result<String, RenderError> {
        let context = tera::Context::from_serialize(data).map_err(|e| RenderError::Template {
            name: name.to_owned(),
            message: chain(&e),
        })?;
        self.tera.render(name, &context).map_err(|e| RenderError::Template {
            name: name.to_owned(),
            message: chain(&e),
        })
    }
}

/// The reader's words for the codes of a transfer's `regime`, `mechanism` and `status` and a
/// HIPAA `relationship` and an installation profile's `atlassian-baa` (JSON keeps the codes): `{"regime": {"eu-gdpr": "EU GDPR Chapter V", …}, …}`. Used by the
/// templates' `words` filter and passed to the PDF, so every format names them alike.
pub fn transfer_words() -> serde_json::Value {
    use crate::facts::sections::Relationship;
    use crate::facts::transfers::{Regime, TransferMechanism, TransferStatus};
    fn table<T: serde::Serialize + Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> serde_json::Value {
        all.iter()
            .filter_map(|&v| match serde_json::to_value(v) {
                Ok(serde_json::Value::String(code)) => Some((code, serde_json::Value::from(name(v)))),
                _ => None,
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
    serde_json::json!({
        "regime": table(&Regime::ALL, Regime::rule_name),
        "mechanism": table(&TransferMechanism::ALL, TransferMechanism::name),
        "status": table(&TransferStatus::ALL, TransferStatus::name),
        "relationship": table(&Relationship::ALL, Relationship::name),
        "atlassian-baa": table(&crate::facts::customers::AtlassianBaa::ALL, crate::facts::customers::AtlassianBaa::name),
    })
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The `ticks` filter: [`html_with_code`] for templates, which write `{{ x | ticks | safe }}`.
#[allow(clippy::unnecessary_wraps, reason = "tera filters return tera::Result")]
fn ticks_to_code(value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => s.clone(),
        tera::Value::Null => String::new(),
        other => other.to_string(),
    };
    Ok(tera::Value::String(html_with_code(&text)))
}

/// HTML-escapes text and shows `quoted` names as code, so no raw backtick reaches a page. Its
/// output is HTML.
pub fn html_with_code(text: &str) -> String {
    let escaped = html_text(text);
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut parts = escaped.split('`').peekable();
    let mut inside = false;
    while let Some(part) = parts.next() {
        // An unpaired last backtick stays a plain character.
        if inside && parts.peek().is_none() {
            out.push('`');
            out.push_str(part);
            break;
        }
        if inside {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
        inside = !inside;
    }
    out
}

/// Text as HTML: markup characters as entities, and control characters and bidirectional
/// overrides (which have no business in a page and can reorder what a reader sees) as visible
/// `\u{…}` escapes, as on the terminal. The one HTML escaping function of every template.
pub fn html_text(text: &str) -> String {
    tera::escape_html(&crate::text::terminal_safe(text))
}

/// Escapes text for a Markdown table cell or paragraph (no raw HTML, no table breaks).
#[allow(clippy::unnecessary_wraps, reason = "tera filters return tera::Result")]
fn markdown_escape(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => s.clone(),
        tera::Value::Null => String::new(),
        other => other.to_string(),
    };
    Ok(tera::Value::String(markdown_text(&text)))
}

/// Text for a Markdown table cell or paragraph: no raw HTML, no table break, no emphasis,
/// code or link the text did not mean, control characters as visible `\u{…}` escapes. The one
/// Markdown escaping function of every template and writer.
pub fn markdown_text(text: &str) -> String {
    let text = crate::text::terminal_safe(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
