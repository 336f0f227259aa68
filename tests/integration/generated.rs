//! Generated files in the repository stay in step with the code.
//! Run `TRUSTFLOW_UPDATE=1 cargo test` to rewrite them.

use crate::root;

/// Compares `actual` with the committed file, or rewrites it when `TRUSTFLOW_UPDATE` is set.
pub fn check_generated(relative: &str, actual: &str) {
    let path = root().join(relative);
    if std::env::var_os("TRUSTFLOW_UPDATE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == actual,
        "{relative} is out of date: run `TRUSTFLOW_UPDATE=1 cargo test` and commit the result"
    );
}

#[test]
fn error_code_table_in_docs_is_current() {
    let text = std::fs::read_to_string(root().join("docs/model.md")).unwrap();
    let begin = text
        .find("<!-- codes:")
        .expect("docs/model.md has a <!-- codes: --> marker");
    let begin = begin + text[begin..].find("-->\n").unwrap() + 4;
    let end = text
        .find("<!-- codes:end -->")
        .expect("docs/model.md has a <!-- codes:end --> marker");
    let updated = format!(
        "{}{}{}",
        &text[..begin],
        trustflow::diagnostic::codes_markdown(),
        &text[end..]
    );
    check_generated("docs/model.md", &updated);
}

#[test]
fn model_schema_in_docs_is_current() {
    let mut schema = serde_json::to_string_pretty(trustflow::load::model_schema()).unwrap();
    schema.push('\n');
    check_generated("docs/model.schema.json", &schema);
}

/// Replaces the output shown after `$ {command}` in a console block of `text`.
fn replace_console_output(text: &str, command: &str, output: &str) -> String {
    let head = format!("$ {command}\n");
    let Some(start) = text.find(&head).map(|i| i + head.len()) else {
        return text.to_owned();
    };
    let end = text[start..].find("```").map_or(text.len(), |i| start + i);
    format!("{}{}\n{}", &text[..start], output.trim_end(), &text[end..])
}

#[test]
fn readme_tour_shows_current_output() {
    let path = root().join("README.md");
    let mut readme = std::fs::read_to_string(&path).unwrap();
    let catalog = trustflow::catalog::Catalog::builtin();
    let mut shown: Vec<(String, String)> = Vec::new();
    for model in ["models/connect-aws.yaml", "models/forge-native.yaml"] {
        let loaded = trustflow::load::load_model_file(&root().join(model), &catalog).unwrap();
        let text = trustflow::text::analysis_text(&trustflow::analysis::analyze_loaded(&loaded, &catalog));
        shown.push((format!("trustflow analyze {model}"), text));
    }
    let bad = std::path::Path::new("tests/fixtures/input-errors/four-errors.yaml");
    let errors = trustflow::diagnostic::render_all(&trustflow::load::load_model_file(bad, &catalog).unwrap_err());
    shown.push((
        "trustflow check tests/fixtures/input-errors/four-errors.yaml".to_owned(),
        errors,
    ));
    if std::env::var_os("TRUSTFLOW_UPDATE").is_some() {
        for (command, output) in &shown {
            readme = replace_console_output(&readme, command, output);
        }
        std::fs::write(&path, &readme).unwrap();
        return;
    }
    for (command, output) in shown {
        assert!(
            readme.contains(&format!("$ {command}\n{}\n```", output.trim_end())),
            "README.md shows stale output for `{command}`: run `TRUSTFLOW_UPDATE=1 cargo test`"
        );
    }
}

/// The console blocks of docs/import.md are what the binary prints: each `$ trustflow …`
/// command is run in order in a scratch folder that sees the repository's `tests/` and
/// `models/`, plus the MeetingMind manifest and the overlay the page shows.
#[test]
fn import_guide_console_output_is_current() {
    let text = std::fs::read_to_string(root().join("docs/import.md")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    for dir in ["tests", "models"] {
        std::os::unix::fs::symlink(root().join(dir), scratch.path().join(dir)).unwrap();
    }
    std::fs::copy(
        root().join("tests/corpus/forge/016-inumidun--MeetingMind.yml"),
        scratch.path().join("manifest.yml"),
    )
    .unwrap();
    let overlay_at = text.find("An overlay with what the manifest cannot say:").unwrap();
    let overlay_start = overlay_at + text[overlay_at..].find("```yaml\n").unwrap() + 8;
    let overlay_end = overlay_start + text[overlay_start..].find("```").unwrap();
    std::fs::write(scratch.path().join("overlay.yaml"), &text[overlay_start..overlay_end]).unwrap();
    let mut updated = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("```console\n$ trustflow ") {
        let command_start = at + "```console\n$ ".len();
        let command_end = command_start + rest[command_start..].find('\n').unwrap();
        let block_end = command_end + rest[command_end..].find("```").unwrap();
        let command = &rest[command_start..command_end];
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let out = assert_cmd::Command::cargo_bin("trustflow")
            .unwrap()
            .current_dir(scratch.path())
            .args(&args)
            .output()
            .unwrap();
        updated.push_str(&rest[..=command_end]);
        updated.push_str(&String::from_utf8_lossy(&out.stdout));
        updated.push_str(&String::from_utf8_lossy(&out.stderr));
        rest = &rest[block_end..];
    }
    updated.push_str(rest);
    check_generated("docs/import.md", &updated);
}
