//! `trustflow compare`.

use super::ExitStatus;
use crate::catalog::Catalog;
use crate::pipeline::{self, Failure, WaiverPolicy};
use crate::render::simulation;
use std::path::PathBuf;

/// Output formats of `compare`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Markdown table.
    Md,
    /// A web page with charts.
    Html,
    /// CSV, one row per option.
    Csv,
    /// JSON.
    Json,
}

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow compare models/connect-aws.yaml models/forge-remote.yaml models/forge-native.yaml \\\n      \
--workload models/workloads/default.yaml --format md\n  \
trustflow compare models/*.yaml --format html > comparison.html\n  \
trustflow compare today.yaml option-a.yaml option-b.yaml --label Today --label \"Forge + Remote\" --label \"Forge native\"\n\n\
Exit codes: 0 compared, 2 bad input."
)]
pub struct Args {
    /// Model files, one per option.
    #[arg(required = true, num_args = 2.., value_name = "MODEL")]
    models: Vec<PathBuf>,
    /// A workload to simulate each option under.
    #[arg(long, value_name = "FILE")]
    workload: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// The name of each option, in model order (repeat it once per model); default: each
    /// model's app name, with its file name added when two are the same.
    #[arg(long, value_name = "NAME")]
    label: Vec<String>,
}

/// Prints the options side by side.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let workload = args
        .workload
        .as_deref()
        .map(super::simulate::load_workload)
        .transpose()?;
    let models = pipeline::load_models(&args.models, catalog)?;
    super::warn(&models.warnings);
    let facts = pipeline::facts_of(&models.loaded, catalog);
    let (analyses, _) = pipeline::analyse(&facts, &WaiverPolicy::read(None, None)?);
    let simulations: Vec<_> = facts
        .iter()
        .zip(&analyses)
        .map(|(facts, analysis)| {
            workload
                .as_ref()
                .map(|w| super::simulate::with_progress(facts, analysis, w))
        })
        .collect();
    if !args.label.is_empty() && args.label.len() != args.models.len() {
        return Err(Failure::Message(format!(
            "{} --label given for {} models: give one per model, in the same order",
            args.label.len(),
            args.models.len()
        )));
    }
    let mut rows = simulation::comparison(&models.loaded, &analyses, &simulations);
    let names: Vec<String> = rows.iter().map(|r| r.option.clone()).collect();
    for (i, row) in rows.iter_mut().enumerate() {
        if let Some(label) = args.label.get(i) {
            row.option.clone_from(label);
        } else if names.iter().filter(|n| **n == row.option).count() > 1 {
            // Two options with one app name: say which file each column is.
            let stem = args.models[i]
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            row.option = format!("{} ({stem})", row.option);
        }
    }
    match args.format {
        Format::Md => super::emit(simulation::comparison_md(&rows).as_bytes()),
        Format::Csv => super::emit(&simulation::comparison_csv(&rows)),
        Format::Json => super::emit_json("the comparison", &rows),
        Format::Html => {
            super::emit(simulation::comparison_html(&rows, &simulation::comparison_basis(workload.as_ref())).as_bytes())
        }
    }
}
