//! `trustflow simulate`, and the progress bar it shares with `compare`.

use super::ExitStatus;
use crate::analysis::Analysis;
use crate::catalog::Catalog;
use crate::facts::Facts;
use crate::pipeline::{self, Failure};
use crate::simulate::{Simulation, Workload};
use std::path::{Path, PathBuf};

/// Output formats of `simulate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary for people.
    Text,
    /// The full ledger.
    Json,
    /// A web page with the ledger and charts.
    Html,
}

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow simulate models/connect-aws.yaml --workload models/workloads/default.yaml\n  \
trustflow simulate models/forge-native.yaml --workload models/workloads/default.yaml --seed 7 --format json\n\n\
The same model, workload and seed give the same ledger, whatever the number of threads (RAYON_NUM_THREADS).\n\
Exit codes: 0 simulated, 2 bad input."
)]
pub struct Args {
    /// The model file.
    model: PathBuf,
    /// The workload (YAML; see models/workloads/default.yaml).
    #[arg(long, value_name = "FILE")]
    workload: PathBuf,
    /// Replace the workload's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Reads a workload file.
pub(super) fn load_workload(path: &Path) -> Result<Workload, Failure> {
    let text = pipeline::read_text(path, "workload")?;
    Ok(crate::simulate::workload::parse(&path.display().to_string(), &text)?)
}

/// Runs a simulation with a progress bar on a terminal (none when stderr is not one).
pub(super) fn with_progress(facts: &Facts<'_>, analysis: &Analysis, workload: &Workload) -> Simulation {
    let bar = indicatif::ProgressBar::new(u64::from(workload.installations));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} installations ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(facts.model.app.name.clone());
    let result = crate::simulate::simulate(facts, analysis, workload, &|n| bar.inc(n));
    bar.finish_and_clear();
    result
}

/// Simulates one model and prints the ledger.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let mut workload = load_workload(&args.workload)?;
    if let Some(seed) = args.seed {
        workload.seed = seed;
    }
    let models = pipeline::load_models(std::slice::from_ref(&args.model), catalog)?;
    super::warn(&models.warnings);
    let facts = Facts::new(&models.loaded[0], catalog);
    let analysis = crate::analysis::analyze(&facts);
    let result = with_progress(&facts, &analysis, &workload);
    match args.format {
        Format::Json => super::emit_json("the simulation", &result),
        Format::Text => super::emit_text(&crate::render::simulation::text(&result)),
        Format::Html => super::emit(crate::render::simulation::html(&result).as_bytes()),
    }
}
