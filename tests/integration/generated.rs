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

/// `text` with the output of each console block (```` ```console ```` starting with
/// `$ trustflow …`) replaced by what the binary prints for that command, run in `cwd`
/// (standard output, then standard error). Arguments with `*` are expanded as the shell would
/// in the same folder.
fn rerun_console_blocks(text: &str, cwd: &std::path::Path) -> String {
    let mut updated = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("```console\n$ trustflow ") {
        let command_start = at + "```console\n$ ".len();
        let command_end = command_start + rest[command_start..].find('\n').unwrap();
        let block_end = command_end + rest[command_end..].find("```").unwrap();
        let command = &rest[command_start..command_end];
        let args: Vec<String> = command.split_whitespace().skip(1).flat_map(|a| glob(cwd, a)).collect();
        let out = assert_cmd::Command::cargo_bin("trustflow")
            .unwrap()
            .current_dir(cwd)
            .args(&args)
            .output()
            .unwrap();
        updated.push_str(&rest[..=command_end]);
        updated.push_str(&String::from_utf8_lossy(&out.stdout));
        updated.push_str(&String::from_utf8_lossy(&out.stderr));
        rest = &rest[block_end..];
    }
    updated.push_str(rest);
    updated
}

/// `arg`, or the sorted files it matches when it is `dir/prefix*suffix`.
fn glob(cwd: &std::path::Path, arg: &str) -> Vec<String> {
    let Some((dir, pattern)) = arg.rsplit_once('/').filter(|(_, p)| p.contains('*')) else {
        return vec![arg.to_owned()];
    };
    let (prefix, suffix) = pattern.split_once('*').unwrap();
    let mut names: Vec<String> = std::fs::read_dir(cwd.join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix) && n.len() >= prefix.len() + suffix.len())
        .map(|n| format!("{dir}/{n}"))
        .collect();
    names.sort();
    names
}

/// Every console block of the README's tour shows what the binary prints now.
#[test]
fn readme_tour_shows_current_output() {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        text.matches("```console\n$ trustflow ").count() >= 5,
        "the tour has its console blocks"
    );
    check_generated("README.md", &rerun_console_blocks(&text, root()));
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
    let mut updated = rerun_console_blocks(&text, scratch.path());
    // The page then shows each file an import wrote, in order: the same bytes, not a hand copy.
    let shown = "```yaml\n# Imported by trustflow from ";
    let mut from = 0;
    for file in ["imported.yaml", "meetingmind.yaml"] {
        let at = from
            + updated[from..]
                .find(shown)
                .unwrap_or_else(|| panic!("no block showing {file}"));
        let start = at + "```yaml\n".len();
        let end = start + updated[start..].find("```").unwrap();
        let written = std::fs::read_to_string(scratch.path().join(file)).unwrap();
        updated.replace_range(start..end, &written);
        from = start + written.len();
    }
    check_generated("docs/import.md", &updated);
}

/// The compare table of docs/simulate.md is what the binary prints.
#[test]
fn simulate_guide_console_output_is_current() {
    let text = std::fs::read_to_string(root().join("docs/simulate.md")).unwrap();
    assert!(
        text.contains("```console\n$ trustflow compare "),
        "the guide shows a comparison"
    );
    check_generated("docs/simulate.md", &rerun_console_blocks(&text, root()));
}
