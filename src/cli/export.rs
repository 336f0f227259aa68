//! `trustflow export`.

use super::ExitStatus;
use crate::catalog::Catalog;
use crate::pipeline::{self, Failure};
use crate::render::exports;
use std::path::PathBuf;

/// What `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// The Atlassian Marketplace privacy and security answers the model supports.
    Marketplace,
    /// The sub-processor list in trust-center fields (name, URL, purpose, location).
    Subprocessors,
}

/// Formats of `export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON.
    Json,
    /// Markdown (marketplace).
    Md,
    /// CSV (subprocessors).
    Csv,
}

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow export marketplace models/connect-aws.yaml --format md\n  \
trustflow export subprocessors models/connect-aws.yaml --format csv -o subprocessors.csv\n\n\
Exit codes: 0 written, 2 bad input or an unwritable output."
)]
pub struct Args {
    /// What to export.
    #[arg(value_enum)]
    what: Kind,
    /// The model file.
    model: PathBuf,
    /// Output format (marketplace: json or md; subprocessors: csv or json).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Writes the export.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let models = pipeline::load_models(std::slice::from_ref(&args.model), catalog)?;
    super::warn(&models.warnings);
    let loaded = &models.loaded[0];
    let facts = crate::facts::Facts::new(loaded, catalog);
    let analysis = crate::analysis::analyze(&facts);
    let bytes = match (args.what, args.format) {
        (Kind::Marketplace, Format::Json) => {
            super::json("the Marketplace answers", &exports::marketplace(&facts, &analysis))?
        }
        (Kind::Marketplace, Format::Md) => {
            exports::marketplace_markdown(&exports::marketplace(&facts, &analysis)).into_bytes()
        }
        (Kind::Subprocessors, Format::Json) => {
            super::json("the sub-processor list", &exports::trust_center(&analysis))?
        }
        (Kind::Subprocessors, Format::Csv) => exports::trust_center_csv(&exports::trust_center(&analysis)),
        (what, format) => {
            return Err(Failure::Message(format!(
                "{what:?} cannot be exported as {format:?}: marketplace takes json or md, subprocessors csv or json"
            )));
        }
    };
    super::emit_to(args.output.as_deref(), &bytes)
}
