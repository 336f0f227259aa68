//! `trustflow analyze`.

use super::{ExitStatus, Inputs};
use crate::catalog::Catalog;
use crate::finding::Severity;
use crate::pipeline::{self, Failure};

/// Output formats of `analyze`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary for people.
    Text,
    /// The full analysis (fields documented in docs/analysis.md).
    Json,
    /// SARIF 2.1.0, for code-scanning uploads; results point at the model file's lines.
    Sarif,
}

/// Arguments of `analyze`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow analyze models/connect-aws.yaml\n  trustflow analyze models/*.yaml --format json > analysis.json\n\n\
With several models the JSON holds `apps` (one analysis each) and `portfolio` (every recipient across apps).\n\
Exit codes: 0 analysed (findings do not fail the run unless --fail-on is given), 1 a finding reached --fail-on, 2 bad input."
)]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with 1 when a finding reaches this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
}

/// Analyses the models and prints the result.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let (waivers, mut models) = args.inputs.load(catalog)?;
    if args.format != Format::Sarif {
        models.release_sources();
    }
    let facts = pipeline::facts_of(&models.loaded, catalog);
    let (analyses, unused) = pipeline::analyse(&facts, &waivers);
    super::warn_unused(&unused);
    match args.format {
        Format::Sarif => {
            let pairs: Vec<_> = models.loaded.iter().zip(&analyses).collect();
            super::emit_json("the SARIF log", &crate::render::sarif::sarif(&pairs))?
        }
        Format::Json if analyses.len() == 1 => super::emit_json("the analysis", &analyses[0])?,
        Format::Json => super::emit_json(
            "the portfolio",
            &pipeline::Portfolio {
                apps: &analyses,
                portfolio: crate::analysis::portfolio(&analyses),
            },
        )?,
        Format::Text => {
            let mut text: String = analyses.iter().map(crate::text::analysis_text).collect();
            if analyses.len() > 1 {
                text.push_str(&crate::text::portfolio_text(&crate::analysis::portfolio(&analyses)));
            }
            super::emit_text(&text)?
        }
    };
    let status = match args.fail_on {
        Some(threshold) => super::report_gate(&pipeline::gate(&analyses, threshold), threshold),
        None => ExitStatus::Clean,
    };
    // The process ends next: freeing a large portfolio's millions of allocations one by one
    // would only delay the exit (measured: a tenth of the run at 10,000 units).
    std::mem::forget(analyses);
    std::mem::forget(facts);
    std::mem::forget(models);
    Ok(status)
}
