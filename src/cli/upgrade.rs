//! `trustflow upgrade-check`.

use super::ExitStatus;
use crate::catalog::Catalog;
use crate::diff::ChangeKind;
use crate::pipeline::{self, Failure};
use std::path::PathBuf;

/// Output formats of `upgrade-check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// The check as JSON.
    Json,
}

/// What `--fail-on` can name: changes needing an admin's approval, or a kind of DPA change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Anything that needs each customer's admin approval.
    AdminApproval,
    /// A change of the customer's DPA of this kind.
    Dpa(ChangeKind),
}

fn parse_gate(text: &str) -> Result<Gate, String> {
    if text == "admin-approval" {
        return Ok(Gate::AdminApproval);
    }
    <ChangeKind as clap::ValueEnum>::from_str(text, false)
        .map(Gate::Dpa)
        .map_err(|_| {
            let kinds: Vec<&str> = <ChangeKind as clap::ValueEnum>::value_variants()
                .iter()
                .map(|k| k.as_str())
                .collect();
            format!(
                "`{text}` is not a gate: use admin-approval or one of {}",
                kinds.join(", ")
            )
        })
}

/// Arguments of `upgrade-check`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow upgrade-check atlassian-connect.json manifest.yml\n  \
trustflow upgrade-check old/manifest.yml manifest.yml --fail-on admin-approval,new-subprocessor\n  \
trustflow upgrade-check atlassian-connect.json manifest.yml --old-overlay facts.yaml --new-overlay facts-forge.yaml\n\n\
A `.json` file is read as a Connect descriptor, anything else as a Forge manifest. The overlays add the facts \
the descriptors cannot tell (installations, the vendor's entity, regions) so that the DPA side compares \
transfers and residency too.\n\
Exit codes: 0 nothing named by --fail-on, 1 such a change, 2 bad input (including a manifest whose \
app.connect.key is missing or is not the Connect descriptor's key)."
)]
pub struct Args {
    /// The version customers run now (a Connect descriptor or a Forge manifest).
    old: PathBuf,
    /// The version to upgrade to (a Forge manifest).
    new: PathBuf,
    /// Facts to merge into the old version's imported model.
    #[arg(long, value_name = "FILE")]
    old_overlay: Option<PathBuf>,
    /// Facts to merge into the new version's imported model.
    #[arg(long, value_name = "FILE")]
    new_overlay: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with 1 when these appear (comma-separated): `admin-approval`, or a DPA change kind
    /// of `diff` (`new-subprocessor`, `new-transfer`, `roa-lost`, …).
    #[arg(long, value_delimiter = ',', value_name = "GATES", value_parser = parse_gate)]
    fail_on: Vec<Gate>,
}

/// Checks the upgrade and prints what it asks of each customer.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let check = pipeline::upgrade_check(
        (&args.old, args.old_overlay.as_deref()),
        (&args.new, args.new_overlay.as_deref()),
        catalog,
    )?;
    match args.format {
        Format::Json => super::emit_json("the upgrade check", &check)?,
        Format::Text => super::emit_text(&crate::text::upgrade_check(&check))?,
    };
    let mut hits = Vec::new();
    for gate in &args.fail_on {
        match gate {
            Gate::AdminApproval => hits.extend(
                check
                    .admin_approval
                    .iter()
                    .map(|a| format!("admin-approval: {} `{}`", a.kind.as_str(), a.subject)),
            ),
            Gate::Dpa(kind) => hits.extend(
                check
                    .dpa
                    .of(*kind)
                    .map(|c| format!("{}: {}", kind.as_str(), c.description)),
            ),
        }
    }
    for hit in &hits {
        eprintln!("fail-on {}", crate::text::terminal_safe(hit));
    }
    Ok(if hits.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    })
}
