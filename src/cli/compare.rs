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
trustflow compare models/*.yaml --format html > comparison.html\n\n\
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
    let rows = simulation::comparison(&models.loaded, &analyses, &simulations);
    match args.format {
        Format::Md => super::emit(simulation::comparison_md(&rows).as_bytes()),
        Format::Csv => super::emit(&simulation::comparison_csv(&rows)),
        Format::Json => super::emit_json("the comparison", &rows),
        Format::Html => super::emit(simulation::comparison_html(&rows).as_bytes()),
    }
}
