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
    /// The descriptor file (`-`: standard input).
    descriptor: PathBuf,
    /// Facts to merge into the imported model (YAML in the model format).
    #[arg(long, value_name = "FILE")]
    overlay: Option<PathBuf>,
    /// Also write a commented overlay listing exactly the facts the model still lacks for a
    /// DPA annex (vendor and recipient entities, regions, installations), to fill in.
    #[arg(long, value_name = "FILE")]
    overlay_template: Option<PathBuf>,
}

/// Imports the descriptor and writes the model.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let output = super::output_path();
    let target = output
        .as_ref()
        .map_or_else(|| "the imported model".to_owned(), |o| o.display().to_string());
    let outcome = pipeline::import_descriptor(args.kind, &args.descriptor, args.overlay.as_deref(), &target, catalog)?;
    for warning in &outcome.warnings {
        eprintln!("warning: {}", crate::text::terminal_safe(warning));
    }
    eprintln!("read from {}:", args.descriptor.display());
    for line in &outcome.read {
        eprintln!("  {}", crate::text::terminal_safe(line));
    }
    let gaps = crate::import::gaps::gap_lines(&outcome.gaps);
    if gaps.is_empty() {
        eprintln!(
            "nothing missing for a DPA annex that a descriptor leaves out; the annex still marks as evidence required what only documents show (signed agreements, transfer mechanisms, certifications)"
        );
    } else {
        eprintln!("missing for a DPA annex (the descriptor cannot tell; add them in an overlay):");
        for line in &gaps {
            eprintln!("  {}", crate::text::terminal_safe(line));
        }
    }
    let status = super::emit(outcome.yaml.as_bytes())?;
    if let Some(path) = &output {
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.overlay_template {
        let app = args.descriptor.display().to_string();
        let regenerate = outcome.regenerate.replace("OVERLAY.yaml", &path.display().to_string());
        let template = crate::import::gaps::overlay_template(&app, &regenerate, &outcome.gaps);
        super::emit_to(Some(path), template.as_bytes())?;
        eprintln!("wrote {} (the overlay to fill in)", path.display());
    }
    Ok(status)
}
