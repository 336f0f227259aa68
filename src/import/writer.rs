//! Writes a model as YAML a person can read and edit: one element per line in flow style,
//! each preceded by a comment saying where in the descriptor it came from.

use crate::model::Model;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The model as YAML with provenance comments (`provenance` keys are `section/id`).
pub fn to_yaml(model: &Model, provenance: &BTreeMap<String, String>, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {}", comment(line));
    }
    let json = serde_json::to_value(model).unwrap_or(Json::Null);
    let _ = writeln!(out, "trustflow: {}", model.trustflow);
    let _ = writeln!(out, "app: {}", inline(&json["app"]));
    for section in crate::model::LISTS {
        let Some(items) = json.get(section).and_then(Json::as_array) else {
            continue;
        };
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{section}:");
        for item in items {
            if let Some(from) = item
                .get("id")
                .and_then(Json::as_str)
                .and_then(|id| provenance.get(&format!("{section}/{id}")))
            {
                let _ = writeln!(out, "  # {}", comment(from));
            }
            let _ = writeln!(out, "  - {}", inline(item));
        }
    }
    if let Some(manifest) = json.get("manifest").and_then(Json::as_object) {
        let _ = writeln!(out, "# What the manifest declares that Runs on Atlassian reads.");
        if manifest.is_empty() {
            // Declares nothing, which differs from no manifest block at all.
            let _ = writeln!(out, "manifest: {{}}");
        } else {
            let _ = writeln!(out, "manifest:");
        }
        for (key, value) in manifest {
            match value {
                Json::Array(items) => {
                    let _ = writeln!(out, "  {}:", scalar(key));
                    for item in items {
                        let _ = writeln!(out, "    - {}", inline(item));
                    }
                }
                other => {
                    let _ = writeln!(out, "  {}: {}", scalar(key), inline(other));
                }
            }
        }
    }
    out
}

/// `text` safe inside a `#` comment: descriptor keys and file names are anyone's text, and a
/// line break in them (`\n`, `\r`, or NEL/LS/PS, which YAML 1.1 readers also break on) would
/// end the comment and turn the rest into model content. Such characters, and every other
/// control character, are written as `\u{…}` escapes.
fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `model` as YAML (see [`to_yaml`]) and reads it back as a user's tool would: the
/// result must load, and must be exactly `model`, so nothing in a descriptor can become model
/// content other than what the importer built. `target` names the file in diagnostics.
pub fn write_checked(
    model: &Model,
    provenance: &BTreeMap<String, String>,
    header: &str,
    target: &str,
    catalog: &crate::catalog::Catalog,
) -> Result<(String, crate::load::LoadedModel), Vec<crate::diagnostic::Diagnostic>> {
    let yaml = to_yaml(model, provenance, header);
    let loaded = crate::load::load_model_str(target, &yaml, catalog)?;
    if loaded.model != *model {
        let mut error = crate::diagnostic::Diagnostic::error(
            "invalid-import",
            "the written model does not read back as the imported one (a trustflow bug: please report it with the descriptor)",
        );
        error.file = target.to_owned();
        return Err(vec![error]);
    }
    Ok((yaml, loaded))
}

/// One value in YAML flow style.
pub fn inline(value: &Json) -> String {
    match value {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => scalar(s),
        Json::Array(items) => format!("[{}]", items.iter().map(inline).collect::<Vec<_>>().join(", ")),
        Json::Object(map) => {
            if map.is_empty() {
                return "{}".to_owned();
            }
            format!(
                "{{ {} }}",
                map.iter()
                    .map(|(k, v)| format!("{}: {}", scalar(k), inline(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// A string as a YAML scalar: plain when that reads back as the same string, else double-quoted.
pub fn scalar(text: &str) -> String {
    let plain_ok = !text.is_empty()
        && !text.starts_with([' ', '-', '?', ':', '.'])
        && !text.ends_with([' ', ':'])
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '.' | '/' | '-' | '(' | ')' | '+' | '='))
        && matches!(crate::load::yaml::plain_scalar(text), crate::load::node::Value::Str(_));
    if plain_ok { text.to_owned() } else { double_quoted(text) }
}

/// A YAML double-quoted scalar: every character outside YAML's printable set (C0 and C1
/// controls, DEL, U+FFFE/U+FFFF) as an escape, which JSON's quoting alone leaves raw (found
/// by fuzzing: a DEL in a Connect key made the written model unreadable).
fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{fffd}' | '\u{10000}'.. => out.push(c),
            c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        for text in [
            "plain",
            "with space",
            "a: b",
            "# not a comment",
            "true",
            "NO",
            "42",
            "1.5",
            "x, y",
            "${VAR}",
            "",
            "- dash",
            "{{localBaseUrl}}",
            "é",
            "del\u{7f}and\u{85}nel\u{9b}csi\u{ffff}\u{1b}",
            "quote\" back\\slash\ttab",
        ] {
            let yaml = format!("v: {}\n", scalar(text));
            let node = crate::load::yaml::parse(&yaml).unwrap().unwrap();
            let crate::load::node::Value::Map(entries) = node.value else {
                panic!()
            };
            assert_eq!(entries[0].1.value, crate::load::node::Value::Str(text.into()), "{yaml}");
        }
    }
}
