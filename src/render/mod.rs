//! Reports: HTML, PDF, CSV, JSON and Markdown artifacts of an analysis, with the data-flow
//! diagram and charts. Renderers take a [`ReportData`] (the analysis plus the model facts the
//! reports show) and return bytes; nothing is written until every requested format rendered,
//! and each file is written atomically.

pub mod charts;
pub mod csv;
pub mod diagram;
pub mod exports;
pub mod notice;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod sarif;
pub mod simulation;
pub mod templates;

use crate::analysis::Analysis;
use crate::dates::Date;
use crate::facts::Facts;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The bundled sans-serif font (DejaVu Sans), used by charts and the PDF.
pub const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The bundled bold sans-serif font.
pub const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A report format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Format {
    /// One self-contained HTML file.
    Html,
    /// A4 PDF (needs the `pdf` cargo feature, on by default).
    Pdf,
    /// The sub-processor inventory and the findings as CSV.
    Csv,
    /// The full analysis as JSON, with its JSON Schema.
    Json,
    /// A Markdown trust-center page.
    Md,
}

/// Everything a report shows, prepared for templates.
#[derive(Debug, Serialize)]
pub struct ReportData<'a> {
    /// `trustflow <version>`.
    pub generator: String,
    /// The report date (from `--date` or SOURCE_DATE_EPOCH), if any.
    pub date: Option<String>,
    /// The model file.
    pub source: String,
    /// The model's own app facts.
    pub app: &'a crate::model::App,
    /// The analysis.
    pub analysis: &'a Analysis,
    /// The DPA annex (SCC Annex I.B columns per recipient).
    pub annex: exports::Annex,
    /// Organisations with their merged facts, for the parties table.
    pub organisations: Vec<OrgRow>,
    /// Data categories.
    pub data: Vec<DataRow>,
    /// Components.
    pub components: Vec<ComponentRow>,
    /// Flows, numbered as in the diagram.
    pub flows: Vec<FlowRow>,
    /// Residency matrix per realm.
    pub residency: Vec<ResidencyTable>,
    /// Installations.
    pub installations: &'a [crate::model::Installation],
    /// Said at the top of the report when the model has no installations (nothing is assessed
    /// per realm), with how to add them.
    pub no_installations: Option<String>,
    /// The data-flow diagram (SVG).
    pub diagram_svg: String,
    /// Said above the diagram when it is the summary of a large model (one box per boundary
    /// or operator).
    pub diagram_note: Option<String>,
    /// Findings by severity (SVG).
    pub severity_chart_svg: String,
    /// Data categories per recipient (SVG).
    pub recipients_chart_svg: String,
}

/// An organisation row.
#[derive(Debug, Serialize)]
pub struct OrgRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Legal entity.
    pub legal_entity: String,
    /// Country.
    pub country: String,
    /// Role.
    pub role: &'static str,
}

/// A data category row.
#[derive(Debug, Serialize)]
pub struct DataRow {
    /// Id.
    pub id: String,
    /// Description.
    pub name: String,
    /// `personal`, `PHI`, `credential`, `in scope of residency`.
    pub tags: Vec<String>,
}

/// A component row.
#[derive(Debug, Serialize)]
pub struct ComponentRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: &'static str,
    /// Operator id.
    pub operator: String,
    /// Host id.
    pub host: String,
    /// Region as written.
    pub region: String,
    /// Boundary id.
    pub boundary: String,
}

/// A flow row.
#[derive(Debug, Serialize)]
pub struct FlowRow {
    /// Number in the diagram.
    pub n: usize,
    /// Label (`id` or `from->to`).
    pub label: String,
    /// Source.
    pub from: String,
    /// Target.
    pub to: String,
    /// Trigger.
    pub trigger: String,
    /// Auth.
    pub auth: String,
    /// Data ids.
    pub data: Vec<String>,
    /// Purpose.
    pub purpose: String,
    /// Boundaries left and entered.
    pub crossing: String,
}

/// The residency matrix of one realm: data categories × locations.
#[derive(Debug, Serialize)]
pub struct ResidencyTable {
    /// Realm code.
    pub realm: String,
    /// Installations.
    pub installations: Vec<String>,
    /// In-scope data at rest stays inside the realm.
    pub kept: bool,
    /// What that rests on without documentation (evidence required).
    pub evidence_required: Vec<String>,
    /// Locations (columns).
    pub locations: Vec<String>,
    /// Rows.
    pub rows: Vec<ResidencyRow>,
    /// "data in location" for each in-scope category at rest outside the realm.
    pub left: Vec<String>,
}

/// One data category's row of the matrix.
#[derive(Debug, Serialize)]
pub struct ResidencyRow {
    /// Data category id.
    pub data: String,
    /// Per location (same order as the columns): components there, `*` marking at rest.
    pub cells: Vec<String>,
    /// Per location: whether it lies outside the realm and holds the data at rest.
    pub outside: Vec<bool>,
}

impl<'a> ReportData<'a> {
    /// Prepares a report of a model from its facts and its `analysis`.
    pub fn new(facts: &'a Facts<'a>, analysis: &'a Analysis, date: Option<Date>) -> ReportData<'a> {
        let model = facts.model;
        let graph = facts.graph;
        let resolved = &facts.resolved;
        let source = facts.loaded.source.name.as_str();
        let date_given = date;
        let date = date.map(|d| d.to_string());
        let mut organisations: Vec<OrgRow> = model
            .organisations
            .iter()
            .filter_map(|o| resolved.orgs.get(o.id.as_str()))
            .map(|o| OrgRow {
                id: o.id.clone(),
                name: o.name.clone(),
                legal_entity: o.legal_entity.clone().unwrap_or_default(),
                country: o.country.clone().unwrap_or_default(),
                role: o.role.as_str(),
            })
            .collect();
        organisations.sort_by(|a, b| a.id.cmp(&b.id));
        let data = data_rows(facts);
        let components = model
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| ComponentRow {
                id: c.id.clone(),
                name: c.name.clone().unwrap_or_else(|| c.id.clone()),
                kind: c.kind.as_str(),
                operator: resolved.operator[i].clone().unwrap_or_default(),
                host: resolved.host[i].clone().unwrap_or_default(),
                region: c.region.clone().unwrap_or_default(),
                boundary: c.boundary.clone().unwrap_or_default(),
            })
            .collect();
        let names = |ids: &[usize]| {
            ids.iter()
                .map(|&b| model.boundaries[b].id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let flows = model
            .flows
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let crossing = &graph.crossings[i];
                let mut text = Vec::new();
                if !crossing.exits.is_empty() {
                    text.push(format!("leaves {}", names(&crossing.exits)));
                }
                if !crossing.enters.is_empty() {
                    text.push(format!("enters {}", names(&crossing.enters)));
                }
                FlowRow {
                    n: i + 1,
                    label: f.label(),
                    from: f.from.clone(),
                    to: f.to.clone(),
                    trigger: f.trigger.map(|t| t.as_str().to_owned()).unwrap_or_default(),
                    auth: f.auth.map(|a| a.as_str().to_owned()).unwrap_or_default(),
                    data: f.data.clone(),
                    purpose: f.purpose.clone().unwrap_or_default(),
                    crossing: text.join("; "),
                }
            })
            .collect();
        let residency = residency_tables(analysis);
        let annex = exports::annex(facts, analysis);
        let annex = match date_given {
            Some(day) => annex.as_of(day),
            None => annex,
        };
        let (diagram_svg, diagram_note) = diagram::report_svg(model, graph, facts.catalog);
        ReportData {
            generator: format!("trustflow {}", env!("CARGO_PKG_VERSION")),
            date,
            source: source.to_owned(),
            app: &model.app,
            analysis,
            organisations,
            data,
            components,
            flows,
            residency,
            installations: &model.installations,
            no_installations: model
                .installations
                .is_empty()
                .then(|| crate::text::no_installations("report")),
            diagram_svg,
            diagram_note,
            annex,
            severity_chart_svg: charts::severity_chart(analysis),
            recipients_chart_svg: charts::recipients_chart(analysis),
        }
    }
}

/// The data categories with their tags (personal, PHI, special, derived …) for the report.
fn data_rows(facts: &Facts<'_>) -> Vec<DataRow> {
    let model = facts.model;
    model
        .data
        .iter()
        .zip(&facts.traits)
        .map(|(d, traits)| DataRow {
            id: d.id.clone(),
            name: d.name.clone().unwrap_or_default(),
            tags: [
                (traits.personal, "personal".to_owned()),
                (traits.phi, "PHI".to_owned()),
                (
                    traits.special.is_some(),
                    format!(
                        "special category ({})",
                        traits.special.map_or("", crate::model::Special::as_str)
                    ),
                ),
                (d.credential, "credential".to_owned()),
                (traits.in_scope, "residency scope".to_owned()),
                (
                    !traits.derived_from.is_empty(),
                    format!(
                        "derived from {}",
                        traits
                            .derived_from
                            .iter()
                            .map(|&s| model.data[s].id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
                (d.deidentified, "de-identified".to_owned()),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, t)| t)
            .collect(),
        })
        .collect()
}

/// The residency section: per realm, a table of data categories by location.
fn residency_tables(analysis: &Analysis) -> Vec<ResidencyTable> {
    analysis
        .residency
        .iter()
        .map(|realm| {
            let locations: Vec<String> = realm
                .entries
                .iter()
                .map(|e| e.location.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut by_data: BTreeMap<&str, Vec<&crate::analysis::ResidencyEntry>> = BTreeMap::new();
            for entry in &realm.entries {
                by_data.entry(entry.data.as_str()).or_default().push(entry);
            }
            let rows = by_data
                .into_iter()
                .map(|(data, entries)| ResidencyRow {
                    data: data.to_owned(),
                    cells: locations
                        .iter()
                        .map(|loc| {
                            entries
                                .iter()
                                .filter(|e| &e.location == loc)
                                .map(|e| {
                                    if e.at_rest {
                                        format!("{}*", e.component)
                                    } else {
                                        e.component.clone()
                                    }
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .collect(),
                    outside: locations
                        .iter()
                        .map(|loc| {
                            entries
                                .iter()
                                .any(|e| &e.location == loc && e.at_rest && !e.inside_realm)
                        })
                        .collect(),
                })
                .collect();
            let left: Vec<String> = realm
                .entries
                .iter()
                .filter(|e| e.at_rest && !e.inside_realm)
                .map(|e| format!("{} in {} ({})", e.data, e.location, e.component))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            ResidencyTable {
                left,
                realm: realm.realm.clone(),
                installations: realm.installations.clone(),
                kept: realm.kept,
                evidence_required: realm.evidence_required.clone(),
                locations,
                rows,
            }
        })
        .collect()
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed.
    #[error("template {name}: {message}")]
    Template {
        /// Template file.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// The PDF engine failed.
    #[error("PDF: {0}")]
    Pdf(String),
    /// The format is not in this build.
    #[error("{0}")]
    Unsupported(String),
    /// A value could not be serialised.
    #[error("cannot serialise {what}: {message}")]
    Serialize {
        /// What was being serialised.
        what: &'static str,
        /// The serialiser's message.
        message: String,
    },
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
}

/// Pretty JSON ending with a newline; a serialisation failure is an error, never empty output.
pub fn to_json(what: &'static str, value: &impl Serialize) -> Result<Vec<u8>, RenderError> {
    let mut json = serde_json::to_vec_pretty(value).map_err(|err| RenderError::Serialize {
        what,
        message: err.to_string(),
    })?;
    json.push(b'\n');
    Ok(json)
}

/// One rendered file: its name (relative to the output directory) and bytes.
pub type Artifact = (String, Vec<u8>);

/// Renders every requested format of one model; `stem` names the files.
pub fn render(
    data: &ReportData<'_>,
    formats: &[Format],
    stem: &str,
    templates: &templates::Templates,
) -> Result<Vec<Artifact>, RenderError> {
    let mut out = Vec::new();
    for format in formats {
        match format {
            Format::Html => out.push((
                format!("{stem}.html"),
                templates.render("report.html", data)?.into_bytes(),
            )),
            Format::Md => out.push((format!("{stem}.md"), templates.render("report.md", data)?.into_bytes())),
            Format::Csv => {
                out.push((format!("{stem}.subprocessors.csv"), csv::subprocessors(data.analysis)));
                out.push((format!("{stem}.findings.csv"), csv::findings(data.analysis)));
                out.push((format!("{stem}.transfers.csv"), csv::transfers(data.analysis)));
                out.push((format!("{stem}.annex.csv"), exports::annex_csv(&data.annex)));
            }
            Format::Json => {
                out.push((format!("{stem}.json"), to_json("the analysis", data.analysis)?));
            }
            Format::Pdf => out.push((format!("{stem}.pdf"), render_pdf(data)?)),
        }
    }
    Ok(out)
}

#[cfg(feature = "pdf")]
fn render_pdf(data: &ReportData<'_>) -> Result<Vec<u8>, RenderError> {
    pdf::render(data)
}

#[cfg(not(feature = "pdf"))]
fn render_pdf(_: &ReportData<'_>) -> Result<Vec<u8>, RenderError> {
    Err(RenderError::Unsupported(
        "this trustflow was built without the `pdf` feature".to_owned(),
    ))
}

/// The JSON Schema of the analysis JSON.
pub fn analysis_schema() -> String {
    let mut text = serde_json::to_string_pretty(&schemars::schema_for!(Analysis)).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes artifacts into `dir` as one set: all to temporary files first, renamed into place
/// only when every one is written (`output::write_set`). Nothing is written if `artifacts` is
/// empty.
pub fn write_all(dir: &Path, artifacts: &[Artifact]) -> Result<(), RenderError> {
    if artifacts.is_empty() {
        return Ok(());
    }
    crate::output::write_set(dir, artifacts).map_err(|(path, source)| RenderError::Io {
        path: path.display().to_string(),
        source,
    })
}
