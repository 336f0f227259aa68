//! `trustflow rules`.

use super::ExitStatus;
use crate::pipeline::Failure;
use crate::rules::{self, Style};

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  trustflow rules\n  trustflow rules TF-RES-002\n\n\
Exit codes: 0 listed, 2 no such rule.")]
pub struct Args {
    /// A rule code or name to explain.
    rule: Option<String>,
}

/// Lists the rules, or explains one.
pub fn run(args: &Args) -> Result<ExitStatus, Failure> {
    let Some(code) = &args.rule else {
        let list: String = rules::RULES.iter().map(|r| rules::summary(r.meta()) + "\n").collect();
        return super::emit(list.as_bytes());
    };
    if let Some(rule) = rules::find(code) {
        return super::emit(rules::describe(rule.meta(), Style::Text).as_bytes());
    }
    let codes = rules::RULES.iter().map(|r| r.code().as_str());
    let hint = crate::suggest::closest(code, codes)
        .map(|s| format!(" (did you mean {s}?)"))
        .unwrap_or_default();
    Err(Failure::Message(format!(
        "no rule `{code}`{hint}; `trustflow rules` lists them"
    )))
}
