//! Merging an overlay (a partial model in the model's own format) into an imported model.
//!
//! Elements are matched by `id` (flows too, by the ids the importer gives them); an overlay
//! element's keys replace the imported element's, and elements with new ids are added.

use crate::diagnostic::Diagnostic;
use crate::load::node::{Node, Value};
use crate::load::{SourceFile, model_schema};
use crate::model::{LISTS, Model};
use serde_json::Value as Json;

/// Merges the overlay text into `model`. The overlay's keys are checked (with line and
/// column); the merged model is validated by the caller as any model is.
pub fn apply_overlay(model: &Model, name: &str, text: &str) -> Result<Model, Vec<Diagnostic>> {
    let source = SourceFile::parse(name, text).map_err(|d| vec![*d])?;
    let mut merged = serde_json::to_value(model).map_err(|e| vec![Diagnostic::error("io", e.to_string())])?;
    let Some(root) = source.root() else {
        return Ok(model.clone());
    };
    let Value::Map(entries) = &root.value else {
        return Err(vec![source.diagnostic(
            Diagnostic::error("wrong-type", "an overlay is a mapping, like a model"),
            root.pos,
        )]);
    };
    let mut problems = Vec::new();
    placeholders(&source, root, &mut problems);
    for (key, value) in entries {
        let Value::Str(key_text) = &key.value else { continue };
        match key_text.as_str() {
            "trustflow" => {}
            "app" => {
                check_keys(&source, value, "/$defs/App", "`app`", &mut problems);
                merge_object(&mut merged["app"], &crate::load::schema::to_json(value));
            }
            "manifest" => {
                check_keys(&source, value, "/$defs/ManifestFacts", "`manifest`", &mut problems);
                if merged["manifest"].is_null() {
                    merged["manifest"] = Json::Object(serde_json::Map::new());
                }
                merge_object(&mut merged["manifest"], &crate::load::schema::to_json(value));
            }
            list if LISTS.contains(&list) => {
                let Value::Seq(items) = &value.value else {
                    problems.push(source.diagnostic(
                        Diagnostic::error("wrong-type", format!("`{list}` must be a list")),
                        value.pos,
                    ));
                    continue;
                };
                let target = merged[list].as_array_mut().map(std::mem::take).unwrap_or_default();
                let mut target = target;
                for item in items {
                    check_keys(&source, item, &item_schema(list), list, &mut problems);
                    let json = crate::load::schema::to_json(item);
                    let id = json.get("id").and_then(Json::as_str).map(str::to_owned);
                    match id.and_then(|id| {
                        target
                            .iter_mut()
                            .find(|t| t.get("id").and_then(Json::as_str) == Some(id.as_str()))
                    }) {
                        Some(existing) => {
                            confirm_basis(list, existing, &json);
                            merge_object(existing, &json);
                        }
                        None => target.push(json),
                    }
                }
                merged[list] = Json::Array(target);
            }
            other => {
                let suggestion = crate::suggest::closest(other, LISTS.iter().copied().chain(["app", "manifest"]));
                problems.push(
                    source
                        .diagnostic(
                            Diagnostic::error("unknown-key", format!("unknown key `{other}` in the overlay")),
                            key.pos,
                        )
                        .with_suggestion(suggestion),
                );
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    serde_json::from_value(merged).map_err(|e| {
        vec![source.diagnostic(
            Diagnostic::error("wrong-type", format!("the overlay does not fit the model: {e}")),
            root.pos,
        )]
    })
}

fn item_schema(list: &str) -> String {
    let schema = model_schema();
    let items = schema
        .pointer(&format!("/properties/{list}/items"))
        .and_then(|i| i.get("$ref"))
        .and_then(Json::as_str);
    items.and_then(|r| r.strip_prefix('#')).unwrap_or("").to_owned()
}

fn check_keys(source: &SourceFile, node: &Node, pointer: &str, what: &str, problems: &mut Vec<Diagnostic>) {
    let Some(properties) = model_schema()
        .pointer(pointer)
        .and_then(|s| s.get("properties"))
        .and_then(Json::as_object)
    else {
        return;
    };
    let Value::Map(entries) = &node.value else {
        problems.push(source.diagnostic(
            Diagnostic::error("wrong-type", format!("an entry of {what} must be a mapping")),
            node.pos,
        ));
        return;
    };
    for (key, _) in entries {
        if let Value::Str(k) = &key.value
            && !properties.contains_key(k.as_str())
        {
            let suggestion = crate::suggest::closest(k, properties.keys().map(String::as_str));
            problems.push(
                source
                    .diagnostic(
                        Diagnostic::error("unknown-key", format!("unknown key `{k}` in {what}")),
                        key.pos,
                    )
                    .with_suggestion(suggestion),
            );
        }
    }
}

fn merge_object(target: &mut Json, overlay: &Json) {
    match (target, overlay) {
        (Json::Object(target), Json::Object(overlay)) => {
            for (key, value) in overlay {
                target.insert(key.clone(), value.clone());
            }
        }
        (target, overlay) => *target = overlay.clone(),
    }
}

/// An overlay that states a flow's `data` (or a component's `stores`) states what the vendor
/// confirms: the importer's "taken from the permissions" basis no longer applies, unless the
/// overlay sets `basis` itself.
fn confirm_basis(list: &str, existing: &mut Json, overlay: &Json) {
    let stated = match list {
        "flows" => "data",
        "components" => "stores",
        _ => return,
    };
    if overlay.get(stated).is_some()
        && overlay.get("basis").is_none()
        && let Some(object) = existing.as_object_mut()
    {
        object.remove("basis");
    }
}

/// Values the overlay template left for the user to write (`REPLACE: …`): an example taken for
/// a fact would reach the annex, so each one is an error at its place.
fn placeholders(source: &SourceFile, node: &Node, problems: &mut Vec<Diagnostic>) {
    match &node.value {
        Value::Str(text) if text.starts_with(crate::import::gaps::PLACEHOLDER) => problems.push(
            source.diagnostic(
                Diagnostic::error(
                    "placeholder",
                    format!("the overlay still holds the template's placeholder `{text}`"),
                )
                .with_help("write the real value, or delete the line if the vendor has not answered yet"),
                node.pos,
            ),
        ),
        Value::Seq(items) => items.iter().for_each(|item| placeholders(source, item, problems)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|(_, value)| placeholders(source, value, problems)),
        _ => {}
    }
}
