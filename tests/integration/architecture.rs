//! The crate's layering, checked from the source: every `crate::` path in a module may only
//! name a module of a lower layer, so the module graph has no cycle and every arrow points
//! down (docs/architecture.md). Also: each model's facts are built once per run.

use crate::root;
use std::collections::BTreeSet;

/// The top-level modules of `src/`, lowest layer first.
const LAYERS: &[&str] = &[
    "model",
    "suggest",
    "dates",
    "host",
    "diagnostic",
    "output",
    "json",
    "jwt",
    "catalog",
    "finding",
    "graph",
    "validate",
    "load",
    "synth",
    "import",
    "facts",
    "rules",
    "analysis",
    "waivers",
    "diff",
    "upgrade",
    "simulate",
    "text",
    "render",
    "pipeline",
    "cli",
];

/// The top-level module a source file belongs to (`src/render/csv.rs` → `render`).
fn module_of(relative: &std::path::Path) -> Option<String> {
    let mut parts = relative.components().skip(1); // `src`
    let first = parts.next()?.as_os_str().to_string_lossy().into_owned();
    Some(first.trim_end_matches(".rs").to_owned())
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules a file names through `crate::` (comments left out).
fn imports(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            names.insert(name);
        }
        // `use crate::{a, b::c}` groups.
        if let Some(at) = code.find("crate::{") {
            for item in code[at + "crate::{".len()..].split([',', '}']) {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        }
    }
    names
}

#[test]
fn every_module_imports_only_lower_layers() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    let mut seen = BTreeSet::new();
    let mut violations = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(root()).unwrap();
        let Some(module) = module_of(relative) else { continue };
        if module == "main" || module == "lib" {
            continue; // the binary and the crate root sit above every layer
        }
        let Some(rank) = LAYERS.iter().position(|m| *m == module) else {
            panic!("src/{module} is in no layer: add it to LAYERS here and to docs/architecture.md");
        };
        seen.insert(module.clone());
        let text = std::fs::read_to_string(path).unwrap();
        for name in imports(&text) {
            let Some(target) = LAYERS.iter().position(|m| *m == name) else {
                continue; // a macro (`crate::path!`) or an item of the crate root
            };
            if target > rank {
                violations.push(format!(
                    "{} (layer {module}) uses crate::{name}, a higher layer",
                    relative.display()
                ));
            }
        }
    }
    assert!(violations.is_empty(), "layering violations:\n{}", violations.join("\n"));
    let missing: Vec<&&str> = LAYERS.iter().filter(|m| !seen.contains(**m)).collect();
    assert!(
        missing.is_empty(),
        "LAYERS names modules that do not exist: {missing:?}"
    );
}

#[test]
fn the_layer_list_matches_docs_architecture() {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).unwrap();
    for module in LAYERS {
        assert!(
            doc.contains(&format!("`{module}`")),
            "docs/architecture.md does not mention `{module}`"
        );
    }
}

#[test]
fn a_report_run_builds_each_models_facts_once() {
    use trustflow::pipeline;
    let catalog = trustflow::catalog::Catalog::builtin();
    let paths = [root().join("models/connect-aws.yaml")];
    let models = pipeline::load_models(&paths, &catalog).unwrap();
    let before = trustflow::facts::built_on_this_thread();
    // One model, built on this thread: rayon runs a one-item parallel map on the caller.
    let facts: Vec<_> = models
        .loaded
        .iter()
        .map(|m| trustflow::facts::Facts::new(m, &catalog))
        .collect();
    let (analyses, _) = pipeline::analyse(&facts, &pipeline::WaiverPolicy::read(None, None).unwrap());
    let templates = trustflow::render::templates::Templates::load(None).unwrap();
    let formats = [
        trustflow::render::Format::Html,
        trustflow::render::Format::Csv,
        trustflow::render::Format::Json,
    ];
    let artifacts = pipeline::report_set(&facts, &analyses, &formats, &templates, None).unwrap();
    assert!(artifacts.iter().any(|(name, _)| name == "connect-aws.html"));
    let diff = trustflow::diff::diff(&analyses[0], &analyses[0]);
    assert!(diff.changes.is_empty());
    assert_eq!(
        trustflow::facts::built_on_this_thread() - before,
        1,
        "analysis, report and diff must reuse the facts built once"
    );
}
