//! `trustflow report`.

use super::{ExitStatus, Inputs};
use crate::catalog::Catalog;
use crate::dates::Date;
use crate::pipeline::{self, Failure};
use crate::render::{self, Format};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  trustflow report models/connect-aws.yaml\n  \
trustflow report models/*.yaml --format html,csv --out-dir build/reports\n  \
SOURCE_DATE_EPOCH=1764000000 trustflow report models/forge-native.yaml --templates my-branding/\n\n\
Files are named after each model (connect-aws.html, connect-aws.pdf, connect-aws.subprocessors.csv, \
connect-aws.findings.csv, connect-aws.json, connect-aws.md); several models add index.html. Output is \
byte-identical for the same input; a date appears only with --date or SOURCE_DATE_EPOCH. Nothing is \
written unless every report rendered.\n\
Exit codes: 0 written, 2 bad input or a report that could not be rendered or written.")]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// Formats, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "html,pdf,csv,json,md")]
    format: Vec<Format>,
    /// The folder the report set is written to (created when missing; each file replaced
    /// atomically, the set as a whole). The default is not the repository's committed
    /// `reports/`, so a report run never overwrites it by accident.
    #[arg(
        long = "out-dir",
        visible_alias = "out",
        default_value = "trustflow-reports",
        value_name = "DIR"
    )]
    out: PathBuf,
    /// A directory whose report.html.tera / report.md.tera / index.html.tera replace the built-in templates.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// The date printed on the reports (YYYY-MM-DD); default: SOURCE_DATE_EPOCH, else none.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    date: Option<Date>,
}

/// Renders every report, then writes them all.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let (waivers, models) = args.inputs.load(catalog)?;
    let templates =
        render::templates::Templates::load(args.templates.as_deref()).map_err(|e| Failure::Message(e.to_string()))?;
    let facts = pipeline::facts_of(&models.loaded, catalog);
    let (analyses, unused) = pipeline::analyse(&facts, &waivers);
    super::warn_unused(&unused);
    let artifacts = pipeline::report_set(&facts, &analyses, &args.format, &templates, args.date)?;
    render::write_all(&args.out, &artifacts)?;
    let mut listing = String::new();
    for (name, _) in &artifacts {
        let _ = writeln!(listing, "{}", args.out.join(name).display());
    }
    super::emit_text(&listing)
}
