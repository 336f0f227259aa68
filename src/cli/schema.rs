//! `trustflow schema`.

use super::ExitStatus;
use crate::pipeline::Failure;
use std::path::PathBuf;

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow schema > model.schema.json\n  trustflow schema -o docs/model.schema.json\n\n\
Exit codes: 0 written, 2 the file could not be written."
)]
pub struct Args {
    /// Write to this file instead of standard output (the older spelling of `-o`).
    #[arg(long, value_name = "FILE", hide = true)]
    out: Option<PathBuf>,
}

/// Prints or writes the model's JSON Schema.
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    let text = super::json("the model schema", crate::load::model_schema())?;
    match &args.out {
        Some(path) => super::emit_to(Some(path), &text),
        None => super::emit(&text),
    }
}
