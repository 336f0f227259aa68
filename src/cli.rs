//! The command line: argument parsing and printing. Everything else is library code.

use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, render_all};
use crate::graph::FlowGraph;
use crate::load::{self, LoadedModel};
use crate::output::write_atomic;
use crate::rules::{self, Severity};
use clap::{Parser, Subcommand};
use rayon::prelude::*;
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
    /// Bad input or usage (2).
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
#[command(name = "trustflow", version, about, long_about = None)]
pub struct Cli {
    /// A catalog file (YAML, the format of models/catalog/) whose facts override the built-in ones.
    #[arg(long, global = true, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate models and summarise them.
    #[command(
        after_help = "Examples:\n  trustflow check models/connect-aws.yaml\n  trustflow check models/*.yaml\n\n\
Exit codes: 0 all models valid, 2 a model is invalid (every problem is listed with file:line:col)."
    )]
    Check {
        /// Model files (YAML).
        #[arg(required = true, value_name = "MODEL")]
        models: Vec<PathBuf>,
        /// Also analyse, and exit with 1 when a finding reaches this severity.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<Severity>,
        #[command(flatten)]
        waivers: WaiverArgs,
    },
    /// Analyse models: GDPR inventory, residency, HIPAA, SOC 2, platform findings.
    #[command(
        after_help = "Examples:\n  trustflow analyze models/connect-aws.yaml\n  trustflow analyze models/*.yaml --format json > analysis.json\n\n\
With several models the JSON holds `apps` (one analysis each) and `portfolio` (every recipient across apps).\n\
Exit codes: 0 analysed (findings do not fail the run unless --fail-on is given), 1 a finding reached --fail-on, 2 bad input."
    )]
    Analyze {
        /// Model files (YAML).
        #[arg(required = true, value_name = "MODEL")]
        models: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
        format: AnalyzeFormat,
        /// Exit with 1 when a finding reaches this severity.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        fail_on: Option<Severity>,
        #[command(flatten)]
        waivers: WaiverArgs,
    },
    /// Write reports: HTML, PDF, CSV, JSON and Markdown, with the data-flow diagram and charts.
    #[command(after_help = "Examples:\n  trustflow report models/connect-aws.yaml\n  \
trustflow report models/*.yaml --format html,csv --out reports/\n  \
SOURCE_DATE_EPOCH=1764000000 trustflow report models/forge-native.yaml --templates my-branding/\n\n\
Files are named after each model (connect-aws.html, connect-aws.pdf, connect-aws.subprocessors.csv, \
connect-aws.findings.csv, connect-aws.json, connect-aws.md); several models add index.html. Output is \
byte-identical for the same input; a date appears only with --date or SOURCE_DATE_EPOCH. Nothing is \
written unless every report rendered.")]
    Report {
        /// Model files (YAML).
        #[arg(required = true, value_name = "MODEL")]
        models: Vec<PathBuf>,
        /// Formats, comma-separated.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "html,pdf,csv,json,md")]
        format: Vec<crate::render::Format>,
        /// Output directory.
        #[arg(long, default_value = "reports", value_name = "DIR")]
        out: PathBuf,
        /// A directory whose report.html.tera / report.md.tera / index.html.tera replace the built-in templates.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// The date printed on the reports (YYYY-MM-DD); default: SOURCE_DATE_EPOCH, else none.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        #[command(flatten)]
        waivers: WaiverArgs,
    },
    /// Compare two versions of a model: a change notice, and a CI gate on new sub-processors.
    #[command(
        after_help = "Examples:\n  trustflow diff models/connect-aws.yaml models/forge-native.yaml\n  \
trustflow diff main:models/app.yaml models/app.yaml --fail-on new-subprocessor,new-transfer\n  \
trustflow diff old.yaml new.yaml --format md --objection-days 30 --date 2026-12-01 > notice.md\n\n\
A model argument of the form REV:PATH is read from git (`git show REV:PATH`).\n\
Exit codes: 0 no change named by --fail-on, 1 such a change, 2 bad input."
    )]
    Diff {
        /// The old version (a file, or REV:PATH from git).
        old: String,
        /// The new version.
        new: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit with 1 when a change of these kinds appears (comma-separated).
        #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS")]
        fail_on: Vec<crate::diff::ChangeKind>,
        /// The objection window of the change notice, in days.
        #[arg(long, default_value_t = 30, value_name = "DAYS")]
        objection_days: u32,
        /// The date of the notice (YYYY-MM-DD); default: SOURCE_DATE_EPOCH, else none.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// A directory whose notice.md.tera / notice.html.tera replace the built-in templates.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        #[command(flatten)]
        waivers: WaiverArgs,
    },
    /// Export what procurement tools read: Marketplace privacy answers, a trust-center sub-processor list.
    #[command(
        after_help = "Examples:\n  trustflow export marketplace models/connect-aws.yaml --format md\n  \
trustflow export subprocessors models/connect-aws.yaml --format csv -o subprocessors.csv"
    )]
    Export {
        /// What to export.
        #[arg(value_enum)]
        what: ExportKind,
        /// The model file.
        model: PathBuf,
        /// Output format (marketplace: json or md; subprocessors: csv or json).
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Simulate installations over time under the platform's rules: a ledger of where data ends up.
    #[command(
        after_help = "Examples:\n  trustflow simulate models/connect-aws.yaml --workload models/workloads/default.yaml\n  \
trustflow simulate models/forge-native.yaml --workload models/workloads/default.yaml --seed 7 --format json\n\n\
The same model, workload and seed give the same ledger, whatever the number of threads (RAYON_NUM_THREADS)."
    )]
    Simulate {
        /// The model file.
        model: PathBuf,
        /// The workload (YAML; see models/workloads/default.yaml).
        #[arg(long, value_name = "FILE")]
        workload: PathBuf,
        /// Replace the workload's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SimFormat::Text)]
        format: SimFormat,
    },
    /// Compare migration options side by side (static analysis, plus a simulation with --workload).
    #[command(
        after_help = "Examples:\n  trustflow compare models/connect-aws.yaml models/forge-remote.yaml models/forge-native.yaml \\\n      \
--workload models/workloads/default.yaml --format md\n  \
trustflow compare models/*.yaml --format html > comparison.html"
    )]
    Compare {
        /// Model files, one per option.
        #[arg(required = true, num_args = 2.., value_name = "MODEL")]
        models: Vec<PathBuf>,
        /// A workload to simulate each option under.
        #[arg(long, value_name = "FILE")]
        workload: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CompareFormat::Md)]
        format: CompareFormat,
    },
    /// Connect JWT tools: the query-string hash of a request, and why a token fails.
    #[command(subcommand)]
    Jwt(JwtCommand),
    /// Turn a Forge manifest or a Connect descriptor into a model.
    #[command(
        after_help = "Examples:\n  trustflow import forge manifest.yml -o models/my-app.yaml\n  \
trustflow import connect atlassian-connect.json --overlay facts.yaml -o models/my-app.yaml\n\n\
The overlay is YAML in the model's own format; its entries are merged into the imported model by id \
(e.g. give `app-server` its region and host, name the vendor). Unknown descriptor keys are warnings.\n\
Exit codes: 0 imported, 2 unreadable or malformed descriptor or overlay, or an invalid merged model."
    )]
    Import {
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
    },
    /// List the rules, or explain one.
    #[command(after_help = "Examples:\n  trustflow rules\n  trustflow rules TF-RES-002")]
    Rules {
        /// A rule code or name to explain.
        rule: Option<String>,
    },
    /// Print the JSON Schema of the model format.
    #[command(
        after_help = "Examples:\n  trustflow schema > model.schema.json\n  trustflow schema --out docs/model.schema.json"
    )]
    Schema {
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Options for accepting findings.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WaiverArgs {
    /// A waivers file: findings accepted with a reason, an owner and an expiry date (docs/ci.md).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// The date waivers are checked against (YYYY-MM-DD); default: SOURCE_DATE_EPOCH, else today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

/// Output formats of `analyze`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AnalyzeFormat {
    /// A summary for people.
    Text,
    /// The full analysis (fields documented in docs/analysis.md).
    Json,
    /// SARIF 2.1.0, for code-scanning uploads; results point at the model file's lines.
    Sarif,
}

/// `jwt` subcommands.
#[derive(Debug, Subcommand)]
pub enum JwtCommand {
    /// Print the qsh (query-string hash) of a request, with its canonical form.
    #[command(after_help = "Example:\n  trustflow jwt qsh --method GET --url '/rest/api/2/issue/ABC-1?expand=names'")]
    Qsh {
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// The request URL (path and query, or a full URL).
        #[arg(long)]
        url: String,
        /// The product's context path to strip (e.g. /jira).
        #[arg(long)]
        base_path: Option<String>,
    },
    /// Verify a token for a request and explain why it fails.
    #[command(
        after_help = "Example:\n  trustflow jwt verify eyJ... --secret s3cret --method POST --url /installed\n\n\
Exit codes: 0 valid, 1 invalid (the reason is printed), 2 bad arguments."
    )]
    Verify {
        /// The token (the value after `JWT ` in the Authorization header, or the jwt= parameter).
        token: String,
        /// The installation's shared secret.
        #[arg(long)]
        secret: String,
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// The request URL.
        #[arg(long)]
        url: String,
        /// The time to check `exp` against (seconds since 1970); default: now.
        #[arg(long)]
        now: Option<i64>,
    },
}

/// Output formats of `simulate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SimFormat {
    /// A summary for people.
    Text,
    /// The full ledger.
    Json,
    /// A web page with the ledger and charts.
    Html,
}

/// Output formats of `compare`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    /// A Markdown table.
    Md,
    /// A web page with charts.
    Html,
    /// CSV, one row per option.
    Csv,
    /// JSON.
    Json,
}

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A list of changes for people.
    Text,
    /// A customer change notice in Markdown.
    Md,
    /// A customer change notice as a web page.
    Html,
    /// The changes as JSON.
    Json,
}

/// What `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportKind {
    /// The Atlassian Marketplace privacy and security answers the model supports.
    Marketplace,
    /// The sub-processor list in trust-center fields (name, URL, purpose, location).
    Subprocessors,
}

/// Formats of `export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// JSON.
    Json,
    /// Markdown (marketplace).
    Md,
    /// CSV (subprocessors).
    Csv,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let catalog = match load_catalog(cli.catalog.as_deref()) {
        Ok(catalog) => catalog,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::BadInput;
        }
    };
    match cli.command {
        Command::Check {
            models,
            fail_on,
            waivers,
        } => with_waivers(&waivers, |w| check(&models, &catalog, fail_on, w)),
        Command::Analyze {
            models,
            format,
            fail_on,
            waivers,
        } => with_waivers(&waivers, |w| analyze(&models, &catalog, format, fail_on, w)),
        Command::Rules { rule } => list_rules(rule.as_deref()),
        Command::Report {
            models,
            format,
            out,
            templates,
            date,
            waivers,
        } => with_waivers(&waivers, |w| {
            report(
                &models,
                &format,
                &out,
                templates.as_deref(),
                date.as_deref(),
                &catalog,
                w,
            )
        }),
        Command::Diff {
            old,
            new,
            format,
            fail_on,
            objection_days,
            date,
            templates,
            waivers,
        } => {
            let options = DiffOptions {
                format,
                fail_on,
                objection_days,
                date,
                templates,
            };
            with_waivers(&waivers, |w| diff(&old, &new, &options, &catalog, w))
        }
        Command::Export {
            what,
            model,
            format,
            output,
        } => export(what, &model, format, output.as_deref(), &catalog),
        Command::Import {
            kind,
            descriptor,
            overlay,
            output,
        } => import(kind, &descriptor, overlay.as_deref(), output.as_deref(), &catalog),
        Command::Schema { out } => schema(out.as_deref()),
        Command::Simulate {
            model,
            workload,
            seed,
            format,
        } => simulate(&model, &workload, seed, format, &catalog),
        Command::Compare {
            models,
            workload,
            format,
        } => compare(&models, workload.as_deref(), format, &catalog),
        Command::Jwt(command) => jwt(command),
    }
}

/// Waivers read from `--waivers`, with the date they are checked against.
pub struct Waivers {
    list: Vec<crate::waivers::Waiver>,
    today: String,
}

impl Waivers {
    /// Applies the waivers to each analysis, warning about waivers that matched nothing.
    fn apply(&self, analyses: &mut [Analysis]) {
        if self.list.is_empty() {
            return;
        }
        let mut unused_everywhere: Option<Vec<crate::waivers::UnusedWaiver>> = None;
        for analysis in analyses.iter_mut() {
            let unused = crate::waivers::apply(analysis, &self.list, &self.today);
            unused_everywhere = Some(match unused_everywhere {
                None => unused,
                Some(before) => before.into_iter().filter(|w| unused.contains(w)).collect(),
            });
        }
        for waiver in unused_everywhere.unwrap_or_default() {
            eprintln!(
                "warning: the waiver for {} on `{}`{} matches no finding; remove it",
                waiver.rule,
                waiver.subject,
                waiver.realm.map(|r| format!(" (realm {r})")).unwrap_or_default()
            );
        }
    }
}

fn with_waivers(args: &WaiverArgs, run: impl FnOnce(&Waivers) -> ExitStatus) -> ExitStatus {
    if let Some(today) = &args.today
        && !crate::waivers::is_date(today)
    {
        eprintln!("error: --today must be YYYY-MM-DD, not `{today}`");
        return ExitStatus::BadInput;
    }
    let today = args.today.clone().unwrap_or_else(crate::waivers::today);
    let list = match &args.waivers {
        None => Vec::new(),
        Some(path) => {
            let Some(text) = read_text(path, "waivers file") else {
                return ExitStatus::BadInput;
            };
            match crate::waivers::parse(&path.display().to_string(), &text) {
                Ok(file) => file.waivers,
                Err(diagnostics) => {
                    eprint!("{}", render_all(&diagnostics));
                    return ExitStatus::BadInput;
                }
            }
        }
    };
    run(&Waivers { list, today })
}

fn load_catalog(path: Option<&Path>) -> Result<Catalog, String> {
    let mut catalog = Catalog::builtin();
    if let Some(path) = path {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read catalog {}: {e}", path.display()))?;
        let extra = Catalog::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        catalog.merge(extra);
    }
    Ok(catalog)
}

/// Loads every model, printing all problems; `None` if any model was invalid.
fn load_all(paths: &[PathBuf], catalog: &Catalog) -> Option<Vec<LoadedModel>> {
    let results: Vec<Result<LoadedModel, Vec<Diagnostic>>> =
        paths.iter().map(|path| load::load_model_file(path, catalog)).collect();
    let mut ok = true;
    let mut loaded = Vec::new();
    for result in results {
        match result {
            Ok(model) => {
                if !model.warnings.is_empty() {
                    eprint!("{}", render_all(&model.warnings));
                }
                loaded.push(model);
            }
            Err(diagnostics) => {
                ok = false;
                eprint!("{}", render_all(&diagnostics));
            }
        }
    }
    ok.then_some(loaded)
}

fn check(paths: &[PathBuf], catalog: &Catalog, fail_on: Option<Severity>, waivers: &Waivers) -> ExitStatus {
    let Some(models) = load_all(paths, catalog) else {
        return ExitStatus::BadInput;
    };
    let mut stdout = std::io::stdout().lock();
    for loaded in &models {
        let model = &loaded.model;
        let graph = FlowGraph::build(model);
        let _ = writeln!(
            stdout,
            "{}: ok: {} ({}): {} components, {} flows, {} organisations, {} boundary crossings",
            loaded.source.name,
            model.app.name,
            model.app.platform.as_str(),
            model.components.len(),
            model.flows.len(),
            model.organisations.len(),
            graph.boundary_crossing_count(),
        );
    }
    let Some(threshold) = fail_on else {
        return ExitStatus::Clean;
    };
    let mut analyses = analyse_all(&models, catalog);
    waivers.apply(&mut analyses);
    gate(&analyses, threshold, &mut stdout)
}

fn analyse_all(models: &[LoadedModel], catalog: &Catalog) -> Vec<Analysis> {
    models
        .par_iter()
        .map(|loaded| analysis::analyze(&loaded.model, catalog))
        .collect()
}

/// Exit status for `--fail-on`, naming the findings that reached it.
fn gate(analyses: &[Analysis], threshold: Severity, out: &mut impl Write) -> ExitStatus {
    let mut failed = false;
    for analysis in analyses {
        for finding in analysis
            .findings
            .iter()
            .filter(|f| f.severity >= threshold && !f.is_waived())
        {
            failed = true;
            let _ = writeln!(
                out,
                "{}: {} [{}] {}: {}",
                analysis.app.name,
                finding.rule,
                finding.severity.as_str(),
                finding.subject,
                finding.message
            );
        }
    }
    if failed {
        let _ = writeln!(out, "findings reached --fail-on {}", threshold.as_str());
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

fn analyze(
    paths: &[PathBuf],
    catalog: &Catalog,
    format: AnalyzeFormat,
    fail_on: Option<Severity>,
    waivers: &Waivers,
) -> ExitStatus {
    let Some(models) = load_all(paths, catalog) else {
        return ExitStatus::BadInput;
    };
    let mut analyses = analyse_all(&models, catalog);
    waivers.apply(&mut analyses);
    let mut stdout = std::io::stdout().lock();
    match format {
        AnalyzeFormat::Sarif => {
            let pairs: Vec<(&LoadedModel, &Analysis)> = models.iter().zip(&analyses).collect();
            let mut out = std::io::BufWriter::new(&mut stdout);
            if serde_json::to_writer_pretty(&mut out, &crate::render::sarif::sarif(&pairs)).is_err()
                || writeln!(out).and_then(|()| out.flush()).is_err()
            {
                return ExitStatus::BadInput;
            }
        }
        AnalyzeFormat::Json => {
            // Streamed: a portfolio's JSON can be far larger than the model.
            let mut out = std::io::BufWriter::new(&mut stdout);
            let written = if analyses.len() == 1 {
                serde_json::to_writer_pretty(&mut out, &analyses[0])
            } else {
                #[derive(serde::Serialize)]
                struct Portfolio<'a> {
                    apps: &'a [Analysis],
                    portfolio: Vec<analysis::PortfolioRecipient>,
                }
                serde_json::to_writer_pretty(
                    &mut out,
                    &Portfolio {
                        apps: &analyses,
                        portfolio: analysis::portfolio(&analyses),
                    },
                )
            };
            if written.is_err() || writeln!(out).and_then(|()| out.flush()).is_err() {
                return ExitStatus::BadInput;
            }
        }
        AnalyzeFormat::Text => {
            for analysis in &analyses {
                let _ = write!(stdout, "{}", crate::text::analysis_text(analysis));
            }
            if analyses.len() > 1 {
                let _ = write!(
                    stdout,
                    "{}",
                    crate::text::portfolio_text(&analysis::portfolio(&analyses))
                );
            }
        }
    }
    let status = match fail_on {
        Some(threshold) => gate(&analyses, threshold, &mut std::io::sink()),
        None => ExitStatus::Clean,
    };
    // The process ends next: freeing a large portfolio's millions of allocations one by one
    // would only delay the exit (measured: a tenth of the run at 10,000 units).
    std::mem::forget(analyses);
    std::mem::forget(models);
    status
}

fn report(
    paths: &[PathBuf],
    formats: &[crate::render::Format],
    out: &Path,
    templates: Option<&Path>,
    date: Option<&str>,
    catalog: &Catalog,
    waivers: &Waivers,
) -> ExitStatus {
    use crate::render::{self, Format};
    if let Some(date) = date
        && !crate::render::is_date(date)
    {
        eprintln!("error: --date must be YYYY-MM-DD, not `{date}`");
        return ExitStatus::BadInput;
    }
    let Some(models) = load_all(paths, catalog) else {
        return ExitStatus::BadInput;
    };
    let templates = match render::templates::Templates::load(templates) {
        Ok(t) => t,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitStatus::BadInput;
        }
    };
    let mut analyses = analyse_all(&models, catalog);
    waivers.apply(&mut analyses);
    let date = render::report_date(date);
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    // File stems from model names, made unique.
    let mut stems: Vec<String> = Vec::new();
    for loaded in &models {
        let base = Path::new(&loaded.source.name)
            .file_stem()
            .map_or_else(|| "model".to_owned(), |s| s.to_string_lossy().into_owned());
        let mut stem = base.clone();
        let mut n = 2;
        while stems.contains(&stem) || stem == "index" {
            stem = format!("{base}-{n}");
            n += 1;
        }
        stems.push(stem);
    }
    let rendered: Vec<Result<Vec<render::Artifact>, render::RenderError>> = models
        .par_iter()
        .zip(analyses.par_iter())
        .zip(stems.par_iter())
        .map(|((loaded, analysis), stem)| {
            let data = render::ReportData::new(&loaded.model, analysis, catalog, &loaded.source.name, date.clone());
            render::render(&data, &formats, stem, &templates)
        })
        .collect();
    let mut artifacts = Vec::new();
    let mut failed = false;
    for (result, loaded) in rendered.into_iter().zip(&models) {
        match result {
            Ok(files) => artifacts.extend(files),
            Err(err) => {
                failed = true;
                eprintln!("error: {}: {err}", loaded.source.name);
            }
        }
    }
    if failed {
        eprintln!("error: no report was written");
        return ExitStatus::BadInput;
    }
    if formats.contains(&Format::Json) {
        artifacts.push((
            "analysis.schema.json".to_owned(),
            render::analysis_schema().into_bytes(),
        ));
    }
    if models.len() > 1 && formats.contains(&Format::Html) {
        #[derive(serde::Serialize)]
        struct IndexApp {
            name: String,
            platform: &'static str,
            roa: bool,
            recipients: usize,
            high: usize,
            medium: usize,
            low: usize,
            files: Vec<String>,
        }
        let apps: Vec<IndexApp> = analyses
            .iter()
            .zip(&stems)
            .map(|(a, stem)| IndexApp {
                name: a.app.name.clone(),
                platform: a.app.platform,
                roa: a.runs_on_atlassian.eligible,
                recipients: a.subprocessors.len(),
                high: a.finding_counts.high,
                medium: a.finding_counts.medium,
                low: a.finding_counts.low,
                files: artifacts
                    .iter()
                    .map(|(f, _)| f.clone())
                    .filter(|f| f.starts_with(&format!("{stem}.")))
                    .collect(),
            })
            .collect();
        let context = serde_json::json!({
            "generator": format!("trustflow {}", env!("CARGO_PKG_VERSION")),
            "date": date,
            "apps": apps,
            "portfolio": analysis::portfolio(&analyses),
        });
        match templates.render("index.html", &context) {
            Ok(html) => artifacts.push(("index.html".to_owned(), html.into_bytes())),
            Err(err) => {
                eprintln!("error: {err}; no report was written");
                return ExitStatus::BadInput;
            }
        }
    }
    if let Err(err) = render::write_all(out, &artifacts) {
        eprintln!("error: {err}");
        return ExitStatus::BadInput;
    }
    let mut stdout = std::io::stdout().lock();
    for (name, _) in &artifacts {
        let _ = writeln!(stdout, "{}", out.join(name).display());
    }
    ExitStatus::Clean
}

/// Options of `diff`.
struct DiffOptions {
    format: DiffFormat,
    fail_on: Vec<crate::diff::ChangeKind>,
    objection_days: u32,
    date: Option<String>,
    templates: Option<PathBuf>,
}

/// Loads a model from a file, or from git when written `REV:PATH` and no such file exists.
fn load_model_arg(arg: &str, catalog: &Catalog) -> Result<LoadedModel, Vec<Diagnostic>> {
    let path = Path::new(arg);
    if path.exists() || !arg.contains(':') {
        return load::load_model_file(path, catalog);
    }
    let output = std::process::Command::new("git").args(["show", arg]).output();
    match output {
        Ok(out) if out.status.success() => load::load_model_str(arg, &String::from_utf8_lossy(&out.stdout), catalog),
        Ok(out) => {
            let mut d = Diagnostic::error(
                "io",
                format!(
                    "git cannot show `{arg}`: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            );
            d.file = arg.to_owned();
            Err(vec![d])
        }
        Err(err) => {
            let mut d = Diagnostic::error("io", format!("cannot run git for `{arg}`: {err}"));
            d.file = arg.to_owned();
            Err(vec![d])
        }
    }
}

fn diff(old: &str, new: &str, options: &DiffOptions, catalog: &Catalog, waivers: &Waivers) -> ExitStatus {
    if let Some(date) = &options.date
        && !crate::render::is_date(date)
    {
        eprintln!("error: --date must be YYYY-MM-DD, not `{date}`");
        return ExitStatus::BadInput;
    }
    let (old_model, new_model) = match (load_model_arg(old, catalog), load_model_arg(new, catalog)) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            for diagnostics in [a.err(), b.err()].into_iter().flatten() {
                eprint!("{}", render_all(&diagnostics));
            }
            return ExitStatus::BadInput;
        }
    };
    let mut analyses = vec![
        analysis::analyze(&old_model.model, catalog),
        analysis::analyze(&new_model.model, catalog),
    ];
    waivers.apply(&mut analyses);
    let changes = crate::diff::diff(&analyses[0], &analyses[1]);
    let notice_date = crate::render::report_date(options.date.as_deref());
    let effective_date = notice_date
        .as_deref()
        .and_then(crate::render::days_from_civil)
        .map(|days| crate::render::civil_date(days + i64::from(options.objection_days)));
    let vendor = analyses[1]
        .subprocessors
        .iter()
        .find(|s| s.role == "processor")
        .map_or_else(
            || new_model.model.app.vendor.clone(),
            |s| s.legal_entity.clone().unwrap_or_else(|| s.name.clone()),
        );
    let mut stdout = std::io::stdout().lock();
    match options.format {
        DiffFormat::Json => {
            let _ = writeln!(stdout, "{}", serde_json::to_string_pretty(&changes).unwrap_or_default());
        }
        DiffFormat::Text => {
            if changes.changes.is_empty() {
                let _ = writeln!(stdout, "no changes");
            }
            for change in &changes.changes {
                let _ = writeln!(stdout, "{:<21} {}", change.kind.as_str(), change.description);
            }
        }
        DiffFormat::Md | DiffFormat::Html => {
            let templates = match crate::render::templates::Templates::load(options.templates.as_deref()) {
                Ok(t) => t,
                Err(err) => {
                    eprintln!("error: {err}");
                    return ExitStatus::BadInput;
                }
            };
            let context = serde_json::json!({
                "app": new_model.model.app.name,
                "vendor": vendor,
                "diff": changes,
                "objection_days": options.objection_days,
                "notice_date": notice_date,
                "effective_date": effective_date,
                "old_source": old_model.source.name,
                "new_source": new_model.source.name,
                "generator": format!("trustflow {}", env!("CARGO_PKG_VERSION")),
            });
            let name = if options.format == DiffFormat::Md {
                "notice.md"
            } else {
                "notice.html"
            };
            match templates.render(name, &context) {
                Ok(text) => {
                    let _ = stdout.write_all(text.as_bytes());
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    return ExitStatus::BadInput;
                }
            }
        }
    }
    let hits: Vec<&crate::diff::Change> = changes
        .changes
        .iter()
        .filter(|c| options.fail_on.contains(&c.kind))
        .collect();
    if hits.is_empty() {
        ExitStatus::Clean
    } else {
        for change in hits {
            eprintln!("fail-on {}: {}", change.kind.as_str(), change.description);
        }
        ExitStatus::Findings
    }
}

fn export(
    what: ExportKind,
    model: &Path,
    format: ExportFormat,
    output: Option<&Path>,
    catalog: &Catalog,
) -> ExitStatus {
    use crate::render::exports;
    let Some(models) = load_all(std::slice::from_ref(&model.to_path_buf()), catalog) else {
        return ExitStatus::BadInput;
    };
    let loaded = &models[0];
    let analysis = analysis::analyze(&loaded.model, catalog);
    let bytes = match (what, format) {
        (ExportKind::Marketplace, ExportFormat::Json) => {
            serde_json::to_vec_pretty(&exports::marketplace(&loaded.model, &analysis)).unwrap_or_default()
        }
        (ExportKind::Marketplace, ExportFormat::Md) => {
            exports::marketplace_markdown(&exports::marketplace(&loaded.model, &analysis)).into_bytes()
        }
        (ExportKind::Subprocessors, ExportFormat::Json) => {
            serde_json::to_vec_pretty(&exports::trust_center(&analysis)).unwrap_or_default()
        }
        (ExportKind::Subprocessors, ExportFormat::Csv) => exports::trust_center_csv(&exports::trust_center(&analysis)),
        (what, format) => {
            eprintln!(
                "error: {what:?} cannot be exported as {format:?}: marketplace takes json or md, subprocessors csv or json"
            );
            return ExitStatus::BadInput;
        }
    };
    match output {
        Some(path) => match write_atomic(path, &bytes) {
            Ok(()) => ExitStatus::Clean,
            Err(err) => {
                eprintln!("error: cannot write {}: {err}", path.display());
                ExitStatus::BadInput
            }
        },
        None => {
            let _ = std::io::stdout().lock().write_all(&bytes);
            ExitStatus::Clean
        }
    }
}

fn load_workload(path: &Path) -> Option<crate::simulate::Workload> {
    let text = read_text(path, "workload")?;
    match crate::simulate::workload::parse(&path.display().to_string(), &text) {
        Ok(w) => Some(w),
        Err(diagnostics) => {
            eprint!("{}", render_all(&diagnostics));
            None
        }
    }
}

/// Runs a simulation with a progress bar on a terminal (none when stderr is not one).
fn run_simulation(
    loaded: &LoadedModel,
    analysis: &Analysis,
    workload: &crate::simulate::Workload,
    catalog: &Catalog,
) -> crate::simulate::Simulation {
    let bar = indicatif::ProgressBar::new(u64::from(workload.installations));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} installations ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(loaded.model.app.name.clone());
    let result = crate::simulate::simulate(&loaded.model, analysis, catalog, workload, &|n| bar.inc(n));
    bar.finish_and_clear();
    result
}

fn simulate(model: &Path, workload: &Path, seed: Option<u64>, format: SimFormat, catalog: &Catalog) -> ExitStatus {
    let Some(mut workload) = load_workload(workload) else {
        return ExitStatus::BadInput;
    };
    if let Some(seed) = seed {
        workload.seed = seed;
    }
    let Some(models) = load_all(std::slice::from_ref(&model.to_path_buf()), catalog) else {
        return ExitStatus::BadInput;
    };
    let loaded = &models[0];
    let analysis = analysis::analyze(&loaded.model, catalog);
    let result = run_simulation(loaded, &analysis, &workload, catalog);
    let mut stdout = std::io::stdout().lock();
    let text = match format {
        SimFormat::Json => serde_json::to_string_pretty(&result).unwrap_or_default() + "\n",
        SimFormat::Text => crate::render::simulation::text(&result),
        SimFormat::Html => crate::render::simulation::html(&result),
    };
    let _ = stdout.write_all(text.as_bytes());
    ExitStatus::Clean
}

fn compare(paths: &[PathBuf], workload: Option<&Path>, format: CompareFormat, catalog: &Catalog) -> ExitStatus {
    let workload = match workload {
        Some(path) => match load_workload(path) {
            Some(w) => Some(w),
            None => return ExitStatus::BadInput,
        },
        None => None,
    };
    let Some(models) = load_all(paths, catalog) else {
        return ExitStatus::BadInput;
    };
    let analyses = analyse_all(&models, catalog);
    let simulations: Vec<Option<crate::simulate::Simulation>> = models
        .iter()
        .zip(&analyses)
        .map(|(loaded, analysis)| workload.as_ref().map(|w| run_simulation(loaded, analysis, w, catalog)))
        .collect();
    let rows = crate::render::simulation::comparison(&models, &analyses, &simulations);
    let text = match format {
        CompareFormat::Md => crate::render::simulation::comparison_md(&rows),
        CompareFormat::Csv => String::from_utf8(crate::render::simulation::comparison_csv(&rows)).unwrap_or_default(),
        CompareFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
        CompareFormat::Html => crate::render::simulation::comparison_html(&rows),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitStatus::Clean
}

fn jwt(command: JwtCommand) -> ExitStatus {
    let mut stdout = std::io::stdout().lock();
    match command {
        JwtCommand::Qsh { method, url, base_path } => {
            let _ = writeln!(stdout, "{}", crate::jwt::qsh(&method, &url, base_path.as_deref()));
            let _ = writeln!(
                stdout,
                "canonical request: {}",
                crate::jwt::canonical_request(&method, &url, base_path.as_deref())
            );
            ExitStatus::Clean
        }
        JwtCommand::Verify {
            token,
            secret,
            method,
            url,
            now,
        } => {
            let now = now.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
            });
            // The secret given is the issuer's, whoever the token names.
            let lookup = |_: &str| Some(secret.as_bytes());
            match crate::jwt::verify(&token, lookup, &method, &url, now, crate::jwt::Checks::ALL) {
                Ok(claims) => {
                    let _ = writeln!(
                        stdout,
                        "valid: iss {} exp {} qsh {}",
                        claims.iss, claims.exp, claims.qsh
                    );
                    ExitStatus::Clean
                }
                Err(err) => {
                    let _ = writeln!(stdout, "invalid: {err}");
                    ExitStatus::Findings
                }
            }
        }
    }
}

fn read_text(path: &Path, what: &str) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) => {
            eprintln!("error: cannot read the {what} {}: {err}", path.display());
            None
        }
    }
}

fn import(
    kind: crate::import::Kind,
    descriptor: &Path,
    overlay: Option<&Path>,
    output: Option<&Path>,
    catalog: &Catalog,
) -> ExitStatus {
    let name = descriptor.display().to_string();
    let Some(text) = read_text(descriptor, "descriptor") else {
        return ExitStatus::BadInput;
    };
    let imported = match crate::import::import(kind, &name, &text, catalog) {
        Ok(imported) => imported,
        Err(diagnostic) => {
            eprint!("{}", render_all(&[*diagnostic]));
            return ExitStatus::BadInput;
        }
    };
    for warning in &imported.warnings {
        eprintln!("warning: {name}: {warning}");
    }
    let mut model = imported.model;
    if let Some(overlay) = overlay {
        let Some(text) = read_text(overlay, "overlay") else {
            return ExitStatus::BadInput;
        };
        model = match crate::import::apply_overlay(&model, &overlay.display().to_string(), &text) {
            Ok(model) => model,
            Err(diagnostics) => {
                eprint!("{}", render_all(&diagnostics));
                return ExitStatus::BadInput;
            }
        };
    }
    let kind_name = match kind {
        crate::import::Kind::Forge => "forge",
        crate::import::Kind::Connect => "connect",
    };
    let overlay_arg = overlay
        .map(|o| format!(" --overlay {}", o.display()))
        .unwrap_or_default();
    let header = format!(
        "Imported by trustflow from {name}.\nRegenerate with `trustflow import {kind_name} {name}{overlay_arg}`; keep your own facts in an overlay.\n\
Comments say where each element came from in the descriptor."
    );
    let yaml = crate::import::to_yaml(&model, &imported.provenance, &header);
    let target = output.map_or_else(|| "the imported model".to_owned(), |o| o.display().to_string());
    if let Err(diagnostics) = load::load_model_str(&target, &yaml, catalog) {
        eprintln!("error: the imported model is not valid (fix the overlay):");
        eprint!("{}", render_all(&diagnostics));
        return ExitStatus::BadInput;
    }
    match output {
        Some(path) => {
            if let Err(err) = write_atomic(path, yaml.as_bytes()) {
                eprintln!("error: cannot write {}: {err}", path.display());
                return ExitStatus::BadInput;
            }
            eprintln!("wrote {}", path.display());
        }
        None => {
            let _ = std::io::stdout().lock().write_all(yaml.as_bytes());
        }
    }
    ExitStatus::Clean
}

fn list_rules(rule: Option<&str>) -> ExitStatus {
    let mut stdout = std::io::stdout().lock();
    match rule {
        None => {
            for rule in rules::RULES {
                let _ = writeln!(
                    stdout,
                    "{:<13} {:<7} {:<34} {}",
                    rule.code(),
                    rule.severity().as_str(),
                    rule.name(),
                    rule.title()
                );
            }
            ExitStatus::Clean
        }
        Some(code) => match rules::find(code) {
            Some(rule) => {
                let _ = writeln!(
                    stdout,
                    "{} {} ({})\n{}\n\n{}\n\nHow to resolve: {}\nReferences: {}",
                    rule.code(),
                    rule.title(),
                    rule.severity().as_str(),
                    rule.name(),
                    rule.explanation(),
                    rule.remediation(),
                    rule.references().join("; ")
                );
                ExitStatus::Clean
            }
            None => {
                let codes = rules::RULES.iter().map(|r| r.code());
                let hint = crate::suggest::closest(code, codes)
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                eprintln!("error: no rule `{code}`{hint}; `trustflow rules` lists them");
                ExitStatus::BadInput
            }
        },
    }
}

fn schema(out: Option<&Path>) -> ExitStatus {
    let mut text = serde_json::to_string_pretty(load::model_schema()).unwrap_or_default();
    text.push('\n');
    match out {
        Some(path) => match write_atomic(path, text.as_bytes()) {
            Ok(()) => ExitStatus::Clean,
            Err(err) => {
                eprintln!("error: cannot write {}: {err}", path.display());
                ExitStatus::BadInput
            }
        },
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitStatus::Clean
        }
    }
}
