//! `trustflow check`.

use super::{ExitStatus, Inputs};
use crate::catalog::Catalog;
use crate::finding::Severity;
use crate::pipeline::{self, Failure};
use std::fmt::Write as _;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow check models/connect-aws.yaml\n  trustflow check models/*.yaml\n\n\
Exit codes: 0 all models valid, 1 a finding reached --fail-on, 2 a model is invalid (every problem is listed with file:line:col)."
)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// Also analyse, and exit with 1 when a finding reaches this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
}

/// Validates and summarises each model; with `--fail-on`, also gates on findings.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let (waivers, models) = args.inputs.load(catalog)?;
    let mut text = String::new();
    for loaded in &models.loaded {
        let model = &loaded.model;
        let _ = writeln!(
            text,
            "{}: ok: {} ({}): {} components, {} flows, {} organisations, {} boundary crossings",
            loaded.source.name,
            model.app.name,
            model.app.platform.as_str(),
            model.components.len(),
            model.flows.len(),
            model.organisations.len(),
            loaded.graph.boundary_crossing_count(),
        );
    }
    super::emit_text(&text)?;
    let Some(threshold) = args.fail_on else {
        return Ok(ExitStatus::Clean);
    };
    let facts = pipeline::facts_of(&models.loaded, catalog);
    let (analyses, unused) = pipeline::analyse(&facts, &waivers);
    super::warn_unused(&unused);
    Ok(super::report_gate(&pipeline::gate(&analyses, threshold), threshold))
}
