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
