//! `trustflow import`.

use super::ExitStatus;
use crate::catalog::Catalog;
use crate::pipeline::{self, Failure};
use std::path::PathBuf;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow import forge manifest.yml -o models/my-app.yaml\n  \
trustflow import connect atlassian-connect.json --overlay facts.yaml -o models/my-app.yaml\n\n\
The overlay is YAML in the model's own format; its entries are merged into the imported model by id \
(e.g. give `app-server` its region and host, name the vendor). Unknown descriptor keys are warnings.\n\
Exit codes: 0 imported, 2 unreadable or malformed descriptor or overlay, or an invalid merged model."
)]
pub struct Args {
    /// The descriptor's format.
    #[arg(value_enum)]
    kind: crate::import::Kind,
    /// The descriptor file.
    descriptor: PathBuf,
    /// Facts to merge into the imported model (YAML in the model format).
    #[arg(long, value_name = "FILE")]
    overlay: Option<PathBuf>,
    /// Write the model here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Imports the descriptor and writes the model.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let target = args
        .output
        .as_ref()
        .map_or_else(|| "the imported model".to_owned(), |o| o.display().to_string());
    let (yaml, warnings) =
        pipeline::import_descriptor(args.kind, &args.descriptor, args.overlay.as_deref(), &target, catalog)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let status = super::emit_to(args.output.as_deref(), yaml.as_bytes())?;
    if let Some(path) = &args.output {
        eprintln!("wrote {}", path.display());
    }
    Ok(status)
}
