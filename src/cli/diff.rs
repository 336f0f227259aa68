//! `trustflow diff`.

use super::{ExitStatus, WaiverArgs};
use crate::catalog::Catalog;
use crate::dates::Date;
use crate::diff::ChangeKind;
use crate::facts::Facts;
use crate::pipeline::{self, Failure, NoticeOptions};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A list of changes for people.
    Text,
    /// A customer change notice in Markdown.
    Md,
    /// A customer change notice as a web page.
    Html,
    /// The changes as JSON.
    Json,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow diff models/connect-aws.yaml models/forge-native.yaml\n  \
trustflow diff main:models/app.yaml models/app.yaml --fail-on new-subprocessor,new-transfer\n  \
trustflow diff old.yaml new.yaml --format md --objection-days 30 --date 2026-12-01 > notice.md\n\n\
A model argument of the form REV:PATH is read from git (`git show REV:PATH`).\n\
Exit codes: 0 no change named by --fail-on, 1 such a change, 2 bad input."
)]
pub struct Args {
    /// The old version (a file, or REV:PATH from git).
    old: String,
    /// The new version.
    new: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with 1 when a change of these kinds appears (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS")]
    fail_on: Vec<ChangeKind>,
    /// The objection window of the change notice, in days.
    #[arg(long, default_value_t = 30, value_name = "DAYS")]
    objection_days: u32,
    /// The date of the notice (YYYY-MM-DD); default: SOURCE_DATE_EPOCH, else today.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    date: Option<Date>,
    /// When the changes take effect (YYYY-MM-DD); default: the notice date plus the objection
    /// window.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    effective: Option<Date>,
    /// A directory whose notice.md.tera / notice.html.tera replace the built-in templates.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    #[command(flatten)]
    waivers: WaiverArgs,
}

/// Prints the changes between two versions, or a change notice, and gates on `--fail-on`.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let waivers = args.waivers.policy()?;
    let (old, new) = match (
        pipeline::load_model_arg(&args.old, catalog),
        pipeline::load_model_arg(&args.new, catalog),
    ) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            let mut all = Vec::new();
            for failure in [old.err(), new.err()].into_iter().flatten() {
                match failure {
                    Failure::Diagnostics(mut d) => all.append(&mut d),
                    message @ Failure::Message(_) => return Err(message),
                }
            }
            return Err(Failure::Diagnostics(all));
        }
    };
    let facts = [Facts::new(&old, catalog), Facts::new(&new, catalog)];
    let (analyses, unused) = pipeline::analyse(&facts, &waivers);
    super::warn_unused(&unused);
    let analyses: [crate::analysis::Analysis; 2] = analyses
        .try_into()
        .map_err(|_| Failure::Message("two analyses expected".to_owned()))?;
    let mut changes = crate::diff::diff(&analyses[0], &analyses[1]);
    for record in waivers.acknowledge(&mut changes, args.objection_days) {
        eprintln!(
            "warning: notified {} `{}` ({}) matches no change",
            record.change.as_str(),
            crate::text::terminal_safe(&record.subject),
            record.notice
        );
    }
    match args.format {
        Format::Json => super::emit_json("the changes", &changes)?,
        Format::Text => {
            let mut text = String::new();
            if changes.changes.is_empty() {
                text.push_str("no changes\n");
            }
            for change in &changes.changes {
                let _ = write!(text, "{:<21} {}", change.kind.as_str(), change.description);
                if let Some(date) = &change.notified {
                    let _ = write!(text, " (customers notified {date})");
                }
                if let Some(date) = &change.objection_until {
                    let _ = write!(
                        text,
                        " (customers notified; they may object before it takes effect on {date})"
                    );
                }
                text.push('\n');
            }
            super::emit_text(&text)?
        }
        Format::Md | Format::Html => {
            // A customer cannot object to a recipient nobody has named.
            let unnamed: std::collections::BTreeSet<&str> = changes
                .changes
                .iter()
                .map(|c| c.subject.as_str())
                .filter(|s| s.starts_with("declared:") || s.starts_with("unidentified:"))
                .collect();
            for subject in unnamed {
                eprintln!(
                    "warning: the notice lists `{}`, a recipient no organisation is named for: name it (organisation, purpose, location) in the model before sending the notice",
                    crate::text::terminal_safe(subject)
                );
            }
            let templates = crate::render::templates::Templates::load(args.templates.as_deref())
                .map_err(|e| Failure::Message(e.to_string()))?;
            let options = NoticeOptions {
                objection_days: args.objection_days,
                date: args.date,
                effective: args.effective,
            };
            let name = if args.format == Format::Md {
                "notice.md"
            } else {
                "notice.html"
            };
            let notice = pipeline::change_notice(&old, &new, &analyses, &changes, &options, &templates, name)?;
            super::emit(notice.as_bytes())?
        }
    };
    let hits: Vec<_> = changes
        .changes
        .iter()
        .filter(|c| args.fail_on.contains(&c.kind) && c.notified.is_none())
        .collect();
    for change in &hits {
        let pending = change
            .objection_until
            .as_ref()
            .map(|date| format!(" (announced; customers may object before it takes effect on {date})"))
            .unwrap_or_default();
        eprintln!(
            "fail-on {}: {}{pending}",
            change.kind.as_str(),
            crate::text::terminal_safe(&change.description)
        );
    }
    let not_ready: Vec<_> = changes
        .notified_but_not_ready(&analyses[1])
        .into_iter()
        .filter(|(_, gate, _)| args.fail_on.contains(gate))
        .collect();
    for (change, gate, why) in &not_ready {
        eprintln!(
            "fail-on {}: {}: {}",
            gate.as_str(),
            crate::text::terminal_safe(&change.name),
            crate::text::terminal_safe(why)
        );
    }
    Ok(if hits.is_empty() && not_ready.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    })
}
