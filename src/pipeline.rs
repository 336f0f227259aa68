//! Whole runs, as library calls: load several models, apply waivers across them, build each
//! model's facts once, analyse, gate, assemble report sets with their index page, change
//! notices, simulations and imports. The CLI parses arguments, calls these and prints; an
//! example or a test can call them the same way.

use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::dates::{self, Date};
use crate::diagnostic::Diagnostic;
use crate::facts::Facts;
use crate::finding::{Finding, Severity};
use crate::load::{self, LoadedModel};
use crate::render::{self, Artifact, Format, RenderError, templates::Templates};
use crate::waivers::{self, UnusedWaiver, Waiver};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Why a run could not go on: located problems in the input, or a plain message.
#[derive(Debug)]
pub enum Failure {
    /// Problems in input files, each located.
    Diagnostics(Vec<Diagnostic>),
    /// Anything else (I/O, a bad argument, a failed render).
    Message(String),
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(diagnostics: Vec<Diagnostic>) -> Failure {
        Failure::Diagnostics(diagnostics)
    }
}

impl From<RenderError> for Failure {
    fn from(err: RenderError) -> Failure {
        Failure::Message(err.to_string())
    }
}

/// The built-in catalog, with the facts of `path` laid over it.
pub fn load_catalog(path: Option<&Path>) -> Result<Catalog, Failure> {
    let mut catalog = Catalog::builtin();
    if let Some(path) = path {
        let text = read_text(path, "catalog")?;
        let extra = Catalog::parse(&text).map_err(|e| Failure::Message(format!("{}: {e}", path.display())))?;
        catalog.merge(extra);
    }
    Ok(catalog)
}

/// Reads a text file, saying which kind of file could not be read.
pub fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    load::read_input(path).map_err(|err| Failure::Message(format!("cannot read the {what} {}: {err}", path.display())))
}

/// Models that loaded, with the warnings of each.
#[derive(Debug)]
pub struct Models {
    /// The models, in argument order.
    pub loaded: Vec<LoadedModel>,
    /// Problems that do not stop the models being used.
    pub warnings: Vec<Diagnostic>,
}

impl Models {
    /// Frees each model's source text, for an output that points at no line of it (everything
    /// but SARIF): the warnings were printed when the models loaded.
    pub fn release_sources(&mut self) {
        for loaded in &mut self.loaded {
            loaded.source.release_text();
        }
    }
}

/// Keeps only installation `id` of `loaded`: what one customer's annex considers (the other
/// sites of the model are neither its business nor, by their ids, words it knows).
pub fn keep_installation(loaded: &mut crate::load::LoadedModel, id: &str) -> Result<(), Failure> {
    if !loaded.model.installations.iter().any(|i| i.id == id) {
        let known: Vec<&str> = loaded.model.installations.iter().map(|i| i.id.as_str()).collect();
        return Err(Failure::Message(format!(
            "no installation `{id}` in {}: {}",
            loaded.source.name,
            if known.is_empty() {
                "it has none (add the customer's site under `installations`)".to_owned()
            } else {
                format!("it has {}", known.join(", "))
            }
        )));
    }
    loaded.model.installations.retain(|i| i.id == id);
    Ok(())
}

/// Loads every model; fails with the problems of every invalid one.
pub fn load_models(paths: &[PathBuf], catalog: &Catalog) -> Result<Models, Failure> {
    let mut errors = Vec::new();
    let mut models = Models {
        loaded: Vec::new(),
        warnings: Vec::new(),
    };
    for path in paths {
        match load::load_model_file(path, catalog) {
            Ok(mut loaded) => {
                models.warnings.append(&mut loaded.warnings);
                models.loaded.push(loaded);
            }
            Err(mut diagnostics) => errors.append(&mut diagnostics),
        }
    }
    if errors.is_empty() {
        Ok(models)
    } else {
        Err(Failure::Diagnostics(errors))
    }
}

/// Loads a model from a file, or from git when written `REV:PATH` and no such file exists. The
/// argument reaches git only after `--end-of-options`, so it can never be taken as an option.
pub fn load_model_arg(arg: &str, catalog: &Catalog) -> Result<LoadedModel, Failure> {
    let path = Path::new(arg);
    if path.exists() || !arg.contains(':') {
        return Ok(load::load_model_file(path, catalog)?);
    }
    let located = |message: String| {
        let mut d = Diagnostic::error("io", message);
        d.file = arg.to_owned();
        Failure::Diagnostics(vec![d])
    };
    if arg.starts_with('-') {
        return Err(located(format!(
            "`{arg}` is neither a file nor REV:PATH (a revision cannot start with `-`)"
        )));
    }
    let output = std::process::Command::new("git")
        .args(["show", "--end-of-options", arg])
        .output()
        .map_err(|err| located(format!("cannot run git for `{arg}`: {err}")))?;
    if !output.status.success() {
        return Err(located(format!(
            "git cannot show `{arg}`: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(load::load_model_str(
        arg,
        &String::from_utf8_lossy(&output.stdout),
        catalog,
    )?)
}

/// Waivers read from a file, with the date they are checked against.
#[derive(Clone, Debug)]
pub struct WaiverPolicy {
    list: Vec<Waiver>,
    notified: Vec<waivers::Notified>,
    today: Date,
}

impl WaiverPolicy {
    /// Reads the waivers of `path` (none without a path); `today` defaults to
    /// `SOURCE_DATE_EPOCH`, else the clock.
    pub fn read(path: Option<&Path>, today: Option<Date>) -> Result<WaiverPolicy, Failure> {
        let file = match path {
            None => waivers::WaiverFile::default(),
            Some(path) => {
                let text = read_text(path, "waivers file")?;
                waivers::parse(&path.display().to_string(), &text)?
            }
        };
        Ok(WaiverPolicy {
            list: file.waivers,
            notified: file.notified,
            today: today.unwrap_or_else(Date::today),
        })
    }

    /// Marks the changes of `diff` that `notified:` records acknowledge; returns the records
    /// that matched no change.
    pub fn acknowledge(&self, diff: &mut crate::diff::Diff, objection_days: u32) -> Vec<&waivers::Notified> {
        crate::diff::acknowledge(diff, &self.notified, self.today, objection_days)
    }

    /// Applies the waivers to each analysis; returns the waivers that matched nothing in any.
    pub fn apply(&self, analyses: &mut [Analysis]) -> Vec<UnusedWaiver> {
        if self.list.is_empty() {
            return Vec::new();
        }
        let mut unused_everywhere: Option<Vec<UnusedWaiver>> = None;
        for analysis in analyses.iter_mut() {
            let unused = waivers::apply(analysis, &self.list, self.today);
            unused_everywhere = Some(match unused_everywhere {
                None => unused,
                Some(before) => before.into_iter().filter(|w| unused.contains(w)).collect(),
            });
        }
        unused_everywhere.unwrap_or_default()
    }
}

/// Builds each model's facts once, models in parallel.
pub fn facts_of<'m>(models: &'m [LoadedModel], catalog: &'m Catalog) -> Vec<Facts<'m>> {
    models.par_iter().map(|loaded| Facts::new(loaded, catalog)).collect()
}

/// Analyses each model from its facts, in parallel, and applies the waivers.
pub fn analyse(facts: &[Facts<'_>], waivers: &WaiverPolicy) -> (Vec<Analysis>, Vec<UnusedWaiver>) {
    let mut analyses: Vec<Analysis> = facts.par_iter().map(analysis::analyze).collect();
    let unused = waivers.apply(&mut analyses);
    (analyses, unused)
}

/// A finding that reached a `--fail-on` threshold, with the app it belongs to.
#[derive(Debug)]
pub struct GateHit<'a> {
    /// The app's name.
    pub app: &'a str,
    /// The finding.
    pub finding: &'a Finding,
}

/// The findings (not under an active waiver) at or above `threshold`.
pub fn gate(analyses: &[Analysis], threshold: Severity) -> Vec<GateHit<'_>> {
    analyses
        .iter()
        .flat_map(|analysis| {
            analysis
                .findings
                .iter()
                .filter(move |f| f.severity >= threshold && !f.is_waived())
                .map(|finding| GateHit {
                    app: &analysis.app.name,
                    finding,
                })
        })
        .collect()
}

/// A portfolio of analyses as the JSON of `analyze --format json` with several models.
#[derive(Debug, Serialize)]
pub struct Portfolio<'a> {
    /// One analysis per app.
    pub apps: &'a [Analysis],
    /// Every recipient across the apps.
    pub portfolio: Vec<analysis::PortfolioRecipient>,
}

/// File stems for each model's reports, from the file names, made unique and never `index`
/// (the portfolio page) or `analysis.schema` (the JSON Schema).
pub fn report_stems<'a>(sources: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut stems: Vec<String> = Vec::new();
    let mut taken: std::collections::HashSet<String> = ["index".to_owned(), "analysis.schema".to_owned()].into();
    for source in sources {
        let base = Path::new(source)
            .file_stem()
            .map_or_else(|| "model".to_owned(), |s| s.to_string_lossy().into_owned());
        let mut stem = base.clone();
        let mut n = 2;
        while taken.contains(&stem) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(stem.clone());
        stems.push(stem);
    }
    stems
}

/// Renders every requested report of every model, the JSON Schema with JSON, and an index page
/// for several models with HTML. Nothing is returned unless everything rendered.
pub fn report_set(
    facts: &[Facts<'_>],
    analyses: &[Analysis],
    formats: &[Format],
    templates: &Templates,
    date: Option<Date>,
) -> Result<Vec<Artifact>, Failure> {
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let stems = report_stems(facts.iter().map(|f| f.loaded.source.name.as_str()));
    let date = dates::report_date(date);
    let rendered: Vec<Result<Vec<Artifact>, RenderError>> = facts
        .par_iter()
        .zip(analyses.par_iter())
        .zip(stems.par_iter())
        .map(|((facts, analysis), stem)| {
            let data = render::ReportData::new(facts, analysis, date);
            render::render(&data, &formats, stem, templates)
        })
        .collect();
    let mut artifacts = Vec::new();
    for (result, facts) in rendered.into_iter().zip(facts) {
        artifacts.extend(
            result.map_err(|err| {
                Failure::Message(format!("{}: {err}; no report was written", facts.loaded.source.name))
            })?,
        );
    }
    if formats.contains(&Format::Json) {
        artifacts.push((
            "analysis.schema.json".to_owned(),
            render::analysis_schema().into_bytes(),
        ));
    }
    if facts.len() > 1 && formats.contains(&Format::Html) {
        let index = index_page(analyses, &stems, &artifacts, date, templates)?;
        artifacts.push(("index.html".to_owned(), index));
    }
    Ok(artifacts)
}

/// A link to a file beside the page: `./` and the name percent-encoded, so a model named
/// `javascript:alert(1).yaml` links to a file, never to a URL scheme.
fn relative_href(file: &str) -> String {
    let mut href = String::from("./");
    for byte in file.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            href.push(char::from(byte));
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }
    href
}

/// The portfolio index page of several reports.
fn index_page(
    analyses: &[Analysis],
    stems: &[String],
    artifacts: &[Artifact],
    date: Option<Date>,
    templates: &Templates,
) -> Result<Vec<u8>, Failure> {
    #[derive(Serialize)]
    struct IndexApp {
        name: String,
        platform: &'static str,
        roa: bool,
        recipients: usize,
        high: usize,
        medium: usize,
        low: usize,
        files: Vec<IndexFile>,
    }
    #[derive(Serialize)]
    struct IndexFile {
        name: String,
        href: String,
    }
    let apps: Vec<IndexApp> = analyses
        .iter()
        .zip(stems)
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
                .map(|(f, _)| f)
                .filter(|f| f.starts_with(&format!("{stem}.")))
                .map(|f| IndexFile {
                    name: f.clone(),
                    href: relative_href(f),
                })
                .collect(),
        })
        .collect();
    let context = serde_json::json!({
        "generator": format!("trustflow {}", env!("CARGO_PKG_VERSION")),
        "date": date.map(|d| d.to_string()),
        "apps": apps,
        "portfolio": analysis::portfolio(analyses),
    });
    templates
        .render("index.html", &context)
        .map(String::into_bytes)
        .map_err(|err| Failure::Message(format!("{err}; no report was written")))
}

/// How a change notice is dated and written.
#[derive(Clone, Debug)]
pub struct NoticeOptions {
    /// The objection window in days.
    pub objection_days: u32,
    /// The notice date (default: `SOURCE_DATE_EPOCH`, else today).
    pub date: Option<Date>,
    /// When the changes take effect (default: the notice date plus the objection window).
    pub effective: Option<Date>,
}

/// A change notice between two versions of a model, rendered with template `name`
/// (`notice.md` or `notice.html`).
pub fn change_notice(
    old: &LoadedModel,
    new: &LoadedModel,
    analyses: &[Analysis; 2],
    changes: &crate::diff::Diff,
    options: &NoticeOptions,
    templates: &Templates,
    name: &str,
) -> Result<String, Failure> {
    // A notice always carries its date: SOURCE_DATE_EPOCH keeps it reproducible.
    let notice_date = dates::report_date(options.date).unwrap_or_else(Date::today);
    let effective_date = options
        .effective
        .unwrap_or_else(|| notice_date.plus_days(i64::from(options.objection_days)));
    let context = render::notice::context(
        [old, new],
        analyses,
        changes,
        &render::notice::Dates {
            notice: notice_date,
            effective: effective_date,
            effective_stated: options.effective.is_some(),
            objection_days: options.objection_days,
        },
    )
    .map_err(|e| Failure::Message(e.to_string()))?;
    templates
        .render(name, &context)
        .map_err(|err| Failure::Message(err.to_string()))
}

/// Imports a descriptor, merges an overlay, and returns the model's YAML (checked to load) with
/// the importer's warnings.
/// What `import` produced: the model's YAML, warnings, what was read, and what is missing.
pub struct ImportOutcome {
    /// The model as YAML.
    pub yaml: String,
    /// Things the importer did not understand or had to assume.
    pub warnings: Vec<String>,
    /// What the descriptor said, one line per kind of fact.
    pub read: Vec<String>,
    /// The facts a DPA annex needs that the model still lacks.
    pub gaps: Vec<crate::import::gaps::Gap>,
    /// The command that regenerates the model (for the overlay template).
    pub regenerate: String,
}

/// Imports a descriptor (and merges an overlay), checks the result is a valid model, and
/// says what was read and what is missing.
pub fn import_descriptor(
    kind: crate::import::Kind,
    descriptor: &Path,
    overlay: Option<&Path>,
    target: &str,
    catalog: &Catalog,
) -> Result<ImportOutcome, Failure> {
    let name = descriptor.display().to_string();
    // `-` is standard input (a descriptor piped from `curl` or `git show`).
    let text = if name == "-" {
        load::read_limited(std::io::stdin().lock())
            .map_err(|e| Failure::Message(format!("cannot read the descriptor from standard input: {e}")))?
    } else {
        read_text(descriptor, "descriptor")?
    };
    let imported = crate::import::import(kind, &name, &text, catalog).map_err(Failure::Diagnostics)?;
    let warnings = imported.warnings.iter().map(|w| format!("{name}: {w}")).collect();
    let mut model = imported.model;
    if let Some(overlay) = overlay {
        let text = read_text(overlay, "overlay")?;
        model = crate::import::apply_overlay(&model, &overlay.display().to_string(), &text)?;
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
    let yaml = match crate::import::write_checked(&model, &imported.provenance, &header, target, catalog) {
        Ok((yaml, _)) => yaml,
        Err(mut diagnostics) => {
            if diagnostics.first().is_none_or(|d| d.code != "invalid-import") {
                let why = if overlay.is_some() {
                    "the imported model is not valid (fix the overlay)"
                } else {
                    "the imported model is not valid: the descriptor holds a value no model can (see below)"
                };
                let mut first = Diagnostic::error("invalid-import", why);
                first.file = target.to_owned();
                diagnostics.insert(0, first);
            }
            return Err(Failure::Diagnostics(diagnostics));
        }
    };
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let summary = &imported.summary;
    let products: Vec<String> = model
        .components
        .iter()
        .filter(|c| c.kind == crate::model::ComponentKind::AtlassianProduct)
        .map(|c| c.id.clone())
        .collect();
    let data: Vec<String> = model.data.iter().map(|d| d.id.clone()).collect();
    let mut read = vec![
        format!("products: {}", list(&products)),
        format!("scopes: {} → data: {}", list(&summary.scopes), list(&data)),
        format!("egress: {}", list(&summary.egress)),
        format!("remotes: {}", list(&summary.remotes)),
    ];
    if !summary.product_tokens.is_empty() {
        read.push(format!(
            "remotes calling the product APIs with tokens: {}",
            list(&summary.product_tokens)
        ));
    }
    read.push(format!("lifecycle: {}", list(&summary.lifecycle)));
    read.push(format!(
        "components {}, flows {}",
        model.components.len(),
        model.flows.len()
    ));
    let target_arg = if target == "the imported model" {
        String::new()
    } else {
        format!(" -o {target}")
    };
    Ok(ImportOutcome {
        gaps: crate::import::gaps::gaps(&model, catalog, summary.name_from_file.as_deref()),
        yaml,
        warnings,
        read,
        regenerate: format!("trustflow import {kind_name} {name} --overlay OVERLAY.yaml{target_arg}"),
    })
}

/// Imports a descriptor for `upgrade-check` (a `.json` file is a Connect descriptor, anything
/// else a Forge manifest), merges its overlay, and loads the result as a checked model.
fn import_for_upgrade(
    descriptor: &Path,
    overlay: Option<&Path>,
    catalog: &Catalog,
) -> Result<(crate::import::Imported, LoadedModel), Failure> {
    let kind = if descriptor.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        crate::import::Kind::Connect
    } else {
        crate::import::Kind::Forge
    };
    let name = descriptor.display().to_string();
    let text = read_text(descriptor, "descriptor")?;
    let mut imported = crate::import::import(kind, &name, &text, catalog).map_err(Failure::Diagnostics)?;
    if let Some(overlay) = overlay {
        let text = read_text(overlay, "overlay")?;
        imported.model = crate::import::apply_overlay(&imported.model, &overlay.display().to_string(), &text)?;
    }
    let (_, loaded) = crate::import::write_checked(&imported.model, &imported.provenance, &name, &name, catalog)
        .map_err(Failure::Diagnostics)?;
    Ok((imported, loaded))
}

/// `upgrade-check`: imports both descriptors (with their overlays), analyses them, and says
/// what needs each customer's admin approval and what changes in the DPA.
pub fn upgrade_check(
    old: (&Path, Option<&Path>),
    new: (&Path, Option<&Path>),
    catalog: &Catalog,
) -> Result<crate::upgrade::UpgradeCheck, Failure> {
    let (old_imported, old_model) = import_for_upgrade(old.0, old.1, catalog)?;
    let (new_imported, new_model) = import_for_upgrade(new.0, new.1, catalog)?;
    let facts = [Facts::new(&old_model, catalog), Facts::new(&new_model, catalog)];
    let (analyses, _) = analyse(&facts, &WaiverPolicy::read(None, None)?);
    crate::upgrade::check(&old_imported, &new_imported, &analyses[0], &analyses[1]).map_err(|e| {
        let mut d = Diagnostic::error("key-mismatch", e.0);
        d.file = new.0.display().to_string();
        d.help = vec!["Atlassian's `connect-to-forge check-upgrade` refuses this too (exit 2)".to_owned()];
        Failure::Diagnostics(vec![d])
    })
}
