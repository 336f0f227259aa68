//! One integration test binary (see Cargo.toml `autotests = false`): one module per area.

mod analysis;
mod architecture;
mod changes;
mod cli;
mod generated;
mod hostile;
mod import;
mod journeys;
mod limits;
mod models;
mod reports;
mod roa;
mod rules;
mod simulation;
mod transfers;
mod trust;
mod upgrade;
mod validation;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `trustflow` binary, run from the repository root as a user in a clone would.
pub fn trustflow() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("trustflow").unwrap();
    cmd.current_dir(root());
    cmd
}

/// A file of the repository (`file`, relative to the root) with `from` replaced by `to` once,
/// written as `dir/name`; its path. Fails when `from` is not in the file, so a test never runs
/// on the unchanged model and passes for the wrong reason.
pub fn variant(dir: &Path, name: &str, file: &str, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    let path = dir.join(name);
    std::fs::write(&path, edit(&text, &[(from, to)])).unwrap();
    path
}

/// `base` with each `(from, to)` replaced once, in order; fails when a `from` is not there, so
/// an edit that no longer applies cannot leave a test running on the unchanged text.
pub fn edit(base: &str, edits: &[(&str, &str)]) -> String {
    let mut text = base.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "edit target {from:?} not in the text");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Every `*.yaml` file directly in `dir` (relative to the root), sorted.
pub fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}
