//! The command line: argument parsing and printing, one file per command. Every command calls
//! library code (mostly [`crate::pipeline`]) and prints what it returns; nothing here decides
//! policy or computes results.

mod analyze;
mod check;
mod compare;
mod diagram;
mod diff;
mod export;
mod import;
mod jwt;
mod report;
mod rules;
mod schema;
mod simulate;
mod upgrade;

use crate::dates::Date;
use crate::diagnostic::{Diagnostic, render_all};
use crate::pipeline::{self, Failure, WaiverPolicy};
use crate::text::terminal_safe;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// How a run ended; the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything fine (0).
    Clean,
    /// Findings at or above the `--fail-on` threshold (1).
    Findings,
    /// Bad input or usage, or output that could not be written (2).
    BadInput,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Clean => ExitCode::SUCCESS,
            ExitStatus::Findings => ExitCode::from(1),
            ExitStatus::BadInput => ExitCode::from(2),
        }
    }
}

/// Data-flow analysis of Atlassian Marketplace apps for GDPR, HIPAA and SOC 2.
#[derive(Debug, Parser)]
#[command(
    name = "trustflow",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 success, 1 findings or changes reached a --fail-on threshold (or a token is invalid), 2 bad input or an unwritable output. Each command's --help gives its own."
)]
pub struct Cli {
    /// A catalog file (YAML, the format of models/catalog/) whose facts override the built-in ones.
    #[arg(long, global = true, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Write the command's output to this file (replaced atomically) instead of standard
    /// output. `report` writes a folder: it takes `--out-dir`.
    #[arg(short, long, global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate models and summarise them.
    Check(check::Args),
    /// Analyse models: GDPR inventory, residency, HIPAA, SOC 2, platform findings.
    Analyze(analyze::Args),
    /// Write reports: HTML, PDF, CSV, JSON and Markdown, with the data-flow diagram and charts.
    Report(report::Args),
    /// Compare two versions of a model: a change notice, and a CI gate on new sub-processors.
    Diff(diff::Args),
    /// Draw the data-flow diagram: SVG, Graphviz DOT or Mermaid.
    Diagram(diagram::Args),
    /// Export what procurement tools read: Marketplace privacy answers, a trust-center sub-processor list.
    Export(export::Args),
    /// Simulate installations over time under the platform's rules: a ledger of where data ends up.
    Simulate(simulate::Args),
    /// Compare migration options side by side (static analysis, plus a simulation with --workload).
    Compare(compare::Args),
    /// Connect JWT tools: the query-string hash of a request, and why a token fails.
    #[command(
        subcommand,
        after_help = "Exit codes: `qsh` 0 printed, 2 bad arguments; `verify` 0 valid, 1 invalid (the reason is printed), 2 bad arguments."
    )]
    Jwt(jwt::JwtCommand),
    /// Turn a Forge manifest or a Connect descriptor into a model.
    Import(import::Args),
    /// What an upgrade (Connect descriptor → Forge manifest, or manifest → manifest) needs each
    /// customer's admin to approve, and what changes in the customer's DPA.
    UpgradeCheck(upgrade::Args),
    /// List the rules, or explain one.
    Rules(rules::Args),
    /// Print the JSON Schema of the model format.
    Schema(schema::Args),
}

/// The models a command reads, and the waivers that apply to them.
#[derive(Debug, Clone, clap::Args)]
pub struct Inputs {
    /// Model files (YAML).
    #[arg(required = true, value_name = "MODEL")]
    models: Vec<PathBuf>,
    #[command(flatten)]
    waivers: WaiverArgs,
}

impl Inputs {
    /// Reads the waivers and loads every model, printing the models' warnings.
    fn load(&self, catalog: &crate::catalog::Catalog) -> Result<(WaiverPolicy, pipeline::Models), Failure> {
        let waivers = self.waivers.policy()?;
        let models = pipeline::load_models(&self.models, catalog)?;
        warn(&models.warnings);
        Ok((waivers, models))
    }
}

/// Options for accepting findings.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WaiverArgs {
    /// A waivers file: findings accepted with a reason, an owner and an expiry date (docs/ci.md).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// The date waivers are checked against (YYYY-MM-DD); default: SOURCE_DATE_EPOCH, else today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,
}

impl WaiverArgs {
    /// Reads the waivers file.
    fn policy(&self) -> Result<WaiverPolicy, Failure> {
        WaiverPolicy::read(self.waivers.as_deref(), self.today)
    }
}

/// Parses a `YYYY-MM-DD` argument.
fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date: write YYYY-MM-DD"))
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let catalog = match pipeline::load_catalog(cli.catalog.as_deref()) {
        Ok(catalog) => catalog,
        Err(failure) => return fail(&failure),
    };
    if cli.output.is_some() && matches!(cli.command, Command::Report(_)) {
        return fail(&Failure::Message(
            "`report` writes a set of files into a folder: give it with --out-dir DIR, not -o".to_owned(),
        ));
    }
    OUTPUT.with(|o| o.replace(cli.output.clone()));
    let result = match cli.command {
        Command::Check(args) => check::run(&args, &catalog),
        Command::Analyze(args) => analyze::run(&args, &catalog),
        Command::Report(args) => report::run(&args, &catalog),
        Command::Diff(args) => diff::run(&args, &catalog),
        Command::UpgradeCheck(args) => upgrade::run(&args, &catalog),
        Command::Export(args) => export::run(&args, &catalog),
        Command::Diagram(args) => diagram::run(&args, &catalog),
        Command::Simulate(args) => simulate::run(&args, &catalog),
        Command::Compare(args) => compare::run(&args, &catalog),
        Command::Jwt(command) => jwt::run(command),
        Command::Import(args) => import::run(&args, &catalog),
        Command::Rules(args) => rules::run(&args),
        Command::Schema(args) => schema::run(&args),
    };
    result.unwrap_or_else(|failure| fail(&failure))
}

/// Prints why a run failed; exit code 2.
fn fail(failure: &Failure) -> ExitStatus {
    match failure {
        Failure::Diagnostics(diagnostics) => eprint!("{}", terminal_safe(&render_all(diagnostics))),
        Failure::Message(message) => eprintln!("error: {}", terminal_safe(message)),
    }
    ExitStatus::BadInput
}

/// Prints warnings (problems that do not stop the run).
fn warn(warnings: &[Diagnostic]) {
    if !warnings.is_empty() {
        eprint!("{}", terminal_safe(&render_all(warnings)));
    }
}

/// Tells about waivers that matched no finding.
fn warn_unused(unused: &[crate::waivers::UnusedWaiver]) {
    for waiver in unused {
        eprintln!(
            "warning: the waiver for {} on `{}`{} matches no finding; remove it",
            waiver.rule,
            waiver.subject,
            waiver
                .realm
                .as_ref()
                .map(|r| format!(" (realm {r})"))
                .unwrap_or_default()
        );
    }
}

thread_local! {
    /// The `-o/--output` file of this run, when one was given.
    static OUTPUT: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// The `-o/--output` file of this run.
fn output_path() -> Option<PathBuf> {
    OUTPUT.with(|o| o.borrow().clone())
}

/// Writes bytes to the `-o` file (atomically), else to standard output. A reader that closed
/// the pipe early (`| head`) is not an error; any other write failure is (exit 2), so output
/// is never silently lost.
fn emit(bytes: &[u8]) -> Result<ExitStatus, Failure> {
    if let Some(path) = output_path() {
        return emit_to(Some(&path), bytes);
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(ExitStatus::Clean),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitStatus::Clean),
        Err(err) => Err(Failure::Message(format!("cannot write to standard output: {err}"))),
    }
}

/// Writes text meant for a terminal to standard output, with control characters escaped.
fn emit_text(text: &str) -> Result<ExitStatus, Failure> {
    emit(terminal_safe(text).as_bytes())
}

/// Writes bytes to `path` (atomically) or to standard output.
fn emit_to(output: Option<&Path>, bytes: &[u8]) -> Result<ExitStatus, Failure> {
    match output {
        Some(path) => crate::output::write_atomic(path, bytes)
            .map(|()| ExitStatus::Clean)
            .map_err(|err| Failure::Message(format!("cannot write {}: {err}", path.display()))),
        None => emit(bytes),
    }
}

/// Streams pretty JSON with a final newline to the `-o` file (atomically) or standard output
/// (a portfolio's JSON can be far larger than its models: it is never held in memory whole).
fn emit_json(what: &'static str, value: &(impl serde::Serialize + Sync)) -> Result<ExitStatus, Failure> {
    if let Some(path) = output_path() {
        return crate::output::write_atomic_with(&path, |file| {
            crate::json::write_pretty(&mut *file, value).map_err(std::io::Error::from)?;
            file.write_all(b"\n")
        })
        .map(|()| ExitStatus::Clean)
        .map_err(|err| Failure::Message(format!("cannot write {what} to {}: {err}", path.display())));
    }
    let stdout = std::io::stdout().lock();
    let mut out = std::io::BufWriter::with_capacity(crate::output::WRITE_BUFFER, stdout);
    let written = crate::json::write_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(ExitStatus::Clean),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitStatus::Clean),
        Err(err) => Err(Failure::Message(format!("cannot write {what}: {err}"))),
    }
}

/// Pretty JSON with a final newline.
fn json(what: &'static str, value: &impl serde::Serialize) -> Result<Vec<u8>, Failure> {
    Ok(crate::render::to_json(what, value)?)
}

/// Prints the gate's hits on standard error; exit 1 when there are any.
fn report_gate(hits: &[pipeline::GateHit<'_>], threshold: crate::finding::Severity) -> ExitStatus {
    if hits.is_empty() {
        return ExitStatus::Clean;
    }
    for hit in hits {
        eprintln!(
            "{}: {} [{}] {}: {}",
            hit.app,
            hit.finding.rule,
            hit.finding.severity.as_str(),
            hit.finding.subject,
            hit.finding.message
        );
    }
    eprintln!("findings reached --fail-on {}", threshold.as_str());
    ExitStatus::Findings
}
