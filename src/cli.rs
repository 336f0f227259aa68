//! The command line: argument parsing and printing. Everything else is library code.

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, render_all};
use crate::graph::FlowGraph;
use crate::load::{self, LoadedModel};
use crate::output::write_atomic;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How a run ended; the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything fine (0).
    Clean,
    /// Findings at or above the `--fail-on` threshold (1).
    Findings,
    /// Bad input or usage (2).
    BadInput,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Clean => ExitCode::SUCCESS,
            ExitStatus::Findings => ExitCode::from(1),
            ExitStatus::BadInput => ExitCode::from(2),
        }
    }
}

/// Data-flow analysis of Atlassian Marketplace apps for GDPR, HIPAA and SOC 2.
#[derive(Debug, Parser)]
#[command(name = "trustflow", version, about, long_about = None)]
pub struct Cli {
    /// A catalog file (YAML, the format of models/catalog/) whose facts override the built-in ones.
    #[arg(long, global = true, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate models and summarise them.
    #[command(
        after_help = "Examples:\n  trustflow check models/connect-aws.yaml\n  trustflow check models/*.yaml\n\n\
Exit codes: 0 all models valid, 2 a model is invalid (every problem is listed with file:line:col)."
    )]
    Check {
        /// Model files (YAML).
        #[arg(required = true, value_name = "MODEL")]
        models: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the model format.
    #[command(
        after_help = "Examples:\n  trustflow schema > model.schema.json\n  trustflow schema --out docs/model.schema.json"
    )]
    Schema {
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let catalog = match load_catalog(cli.catalog.as_deref()) {
        Ok(catalog) => catalog,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::BadInput;
        }
    };
    match cli.command {
        Command::Check { models } => check(&models, &catalog),
        Command::Schema { out } => schema(out.as_deref()),
    }
}

fn load_catalog(path: Option<&Path>) -> Result<Catalog, String> {
    let mut catalog = Catalog::builtin();
    if let Some(path) = path {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read catalog {}: {e}", path.display()))?;
        let extra = Catalog::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        catalog.merge(extra);
    }
    Ok(catalog)
}

/// Loads every model, printing all problems; `None` if any model was invalid.
fn load_all(paths: &[PathBuf], catalog: &Catalog) -> Option<Vec<LoadedModel>> {
    let results: Vec<Result<LoadedModel, Vec<Diagnostic>>> =
        paths.iter().map(|path| load::load_model_file(path, catalog)).collect();
    let mut ok = true;
    let mut loaded = Vec::new();
    for result in results {
        match result {
            Ok(model) => {
                if !model.warnings.is_empty() {
                    eprint!("{}", render_all(&model.warnings));
                }
                loaded.push(model);
            }
            Err(diagnostics) => {
                ok = false;
                eprint!("{}", render_all(&diagnostics));
            }
        }
    }
    ok.then_some(loaded)
}

fn check(paths: &[PathBuf], catalog: &Catalog) -> ExitStatus {
    let Some(models) = load_all(paths, catalog) else {
        return ExitStatus::BadInput;
    };
    let mut stdout = std::io::stdout().lock();
    for loaded in &models {
        let model = &loaded.model;
        let graph = FlowGraph::build(model);
        let _ = writeln!(
            stdout,
            "{}: ok: {} ({}): {} components, {} flows, {} organisations, {} boundary crossings",
            loaded.source.name,
            model.app.name,
            model.app.platform.as_str(),
            model.components.len(),
            model.flows.len(),
            model.organisations.len(),
            graph.boundary_crossing_count(),
        );
    }
    ExitStatus::Clean
}

fn schema(out: Option<&Path>) -> ExitStatus {
    let mut text = serde_json::to_string_pretty(load::model_schema()).unwrap_or_default();
    text.push('\n');
    match out {
        Some(path) => match write_atomic(path, text.as_bytes()) {
            Ok(()) => ExitStatus::Clean,
            Err(err) => {
                eprintln!("error: cannot write {}: {err}", path.display());
                ExitStatus::BadInput
            }
        },
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitStatus::Clean
        }
    }
}
