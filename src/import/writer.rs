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
        let _ = writeln!(out, "# {line}");
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
                let _ = writeln!(out, "  # {from}");
            }
            let _ = writeln!(out, "  - {}", inline(item));
        }
    }
    if let Some(manifest) = json.get("manifest").and_then(Json::as_object) {
        let _ = writeln!(out, "# What the manifest declares that Runs on Atlassian reads.");
        let _ = writeln!(out, "manifest:");
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
    if plain_ok {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
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
        ] {
            let yaml = format!("v: {}\n", scalar(text));
            let node = crate::load::yaml::parse(&yaml).unwrap().unwrap();
            let crate::load::node::Value::Map(entries) = node.value else {
                panic!()
            };
            assert_eq!(
                entries[0].1.value,
                crate::load::node::Value::Str(text.to_owned()),
                "{yaml}"
            );
        }
    }
}
