//! Renderings of simulations and of the side-by-side comparison of migration options.

use crate::analysis::Analysis;
use crate::load::LoadedModel;
use crate::simulate::Simulation;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::diagram::xml;

/// A simulation summary for terminals.
pub fn text(sim: &Simulation) -> String {
    let t = &sim.totals;
    let mut out = format!(
        "{}: {} installations × {} days (seed {})\n",
        sim.app, t.installations, sim.workload.days, sim.workload.seed
    );
    let _ = writeln!(
        out,
        "events {}  flows {}  records {}  bytes {}\nJWTs signed {}  verified {}  remote invocations {}  Forge storage provisioned {}",
        t.events,
        t.flows,
        t.records,
        t.bytes,
        t.jwt_signed,
        t.jwt_verified,
        t.remote_invocations,
        t.storage_provisioned
    );
    let _ = writeln!(
        out,
        "uninstalls {}  realm migrations {}  blocked egress {}  installations with secrets outside Atlassian {}",
        t.uninstalls, t.realm_migrations, t.blocked_egress, t.secrets_outside_atlassian
    );
    let _ = writeln!(out, "{}", hipaa_line(sim));
    let _ = writeln!(
        out,
        "\nResidency kept, per realm (installations whose in-scope data at rest stayed in it, counted in the realm they ended in; data in transit, e.g. to an LLM, is in the transfers below):"
    );
    for (realm, total) in &sim.residency.total {
        let _ = writeln!(
            out,
            "  {realm}: {} of {total} ({:.1}%)",
            sim.residency.kept.get(realm).copied().unwrap_or(0),
            sim.residency.kept_percent.get(realm).copied().unwrap_or(100.0)
        );
    }
    let _ = writeln!(out, "\nLedger (data × organisation × country):");
    for row in &sim.ledger {
        let _ = writeln!(
            out,
            "  {:<16} {:<12} {:<8} {:<10} {:>10} records",
            row.data, row.organisation, row.country, row.state, row.records
        );
    }
    if !sim.transfers.is_empty() {
        let _ = writeln!(
            out,
            "\nTransfers (realm: exporter → recipient (the country its basis is assessed for; every place it processes in, when more), installations, records — basis as the analysis assesses it):"
        );
        for row in &sim.transfers {
            let _ = writeln!(
                out,
                "  {}: {} → {} ({}), {} installations, {} records — {}",
                row.realm,
                row.exporter,
                row.organisation,
                crate::text::place(&row.country, &row.processes_in),
                row.installations,
                row.records,
                row.mechanism
            );
        }
        let _ = writeln!(
            out,
            "  per installation: {} rows (installation, realm, exporter → recipient, status, records) in `--format json`, field `installation_transfers`",
            sim.installation_transfers.len()
        );
    }
    if !sim.attacks.is_empty() {
        let _ = writeln!(out, "\nAttack experiments (accepted / rejected):");
        for (kind, count) in &sim.attacks {
            let _ = writeln!(out, "  {kind:<24} {} / {}", count.accepted, count.rejected);
        }
    }
    if !sim.kept_after_uninstall.is_empty() {
        let _ = writeln!(out, "\nKept after uninstall:");
        for row in &sim.kept_after_uninstall {
            let _ = writeln!(
                out,
                "  {} keeps {} of {} installations",
                row.component, row.data, row.installations
            );
        }
    }
    out
}

/// An HTML table from a header and rows of already-escaped cells (numbers right-aligned).
fn html_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", xml(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let numeric = !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'%');
            if numeric {
                let _ = write!(out, "<td class=\"n\">{cell}</td>");
            } else {
                let _ = write!(out, "<td>{cell}</td>");
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The simulation's totals as a table.
fn figures_table(sim: &Simulation) -> String {
    let t = &sim.totals;
    html_table(
        &["figure", "value"],
        &[
            ("installations", t.installations),
            ("days", u64::from(sim.workload.days)),
            ("events", t.events),
            ("flows", t.flows),
            ("records", t.records),
            ("bytes", t.bytes),
            ("JWTs signed", t.jwt_signed),
            ("JWTs verified", t.jwt_verified),
            ("Forge Remote invocations", t.remote_invocations),
            ("Forge storage provisioned", t.storage_provisioned),
            ("uninstalls", t.uninstalls),
            ("realm migrations", t.realm_migrations),
            ("egress calls Forge blocked", t.blocked_egress),
            (
                "installations with secrets outside Atlassian",
                t.secrets_outside_atlassian,
            ),
            ("HIPAA installations", t.hipaa_installations),
        ]
        .iter()
        .map(|(k, v)| vec![xml(k), v.to_string()])
        .collect::<Vec<_>>(),
    )
}

/// A simulation as a self-contained web page: the figures, residency, transfers, attacks and
/// the ledger as tables, and the daily activity as a chart.
pub fn html(sim: &Simulation) -> String {
    let t = &sim.totals;
    let figures = figures_table(sim);
    let residency = html_table(
        &["realm", "installations kept", "installations", "kept %"],
        &sim.residency
            .total
            .iter()
            .map(|(realm, total)| {
                vec![
                    xml(realm),
                    sim.residency.kept.get(realm).copied().unwrap_or(0).to_string(),
                    total.to_string(),
                    format!("{:.1}", sim.residency.kept_percent.get(realm).copied().unwrap_or(100.0)),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let transfers = html_table(
        &[
            "realm",
            "exporter",
            "recipient",
            "where (assessed; every place)",
            "installations",
            "records",
            "basis",
        ],
        &sim.transfers
            .iter()
            .map(|r| {
                vec![
                    xml(&r.realm),
                    xml(&r.exporter),
                    xml(&r.organisation),
                    xml(&crate::text::place(&r.country, &r.processes_in)),
                    r.installations.to_string(),
                    r.records.to_string(),
                    xml(&r.mechanism),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let attacks = html_table(
        &["attack", "accepted", "rejected"],
        &sim.attacks
            .iter()
            .map(|(kind, c)| vec![xml(kind), c.accepted.to_string(), c.rejected.to_string()])
            .collect::<Vec<_>>(),
    );
    let kept = html_table(
        &["component", "data", "installations"],
        &sim.kept_after_uninstall
            .iter()
            .map(|r| vec![xml(&r.component), xml(&r.data), r.installations.to_string()])
            .collect::<Vec<_>>(),
    );
    let ledger = html_table(
        &["data", "organisation", "country", "state", "records", "bytes"],
        &sim.ledger
            .iter()
            .map(|r| {
                vec![
                    xml(&r.data),
                    xml(&r.organisation),
                    xml(&r.country),
                    r.state.to_string(),
                    r.records.to_string(),
                    r.bytes.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let daily = daily_chart(sim);
    let mut body = format!(
        "<h1>Simulation: {app}</h1><p>{installations} installations over {days} days (seed {seed}). {hipaa}</p><h2>Figures</h2>{figures}<h2>Residency kept per realm</h2><p>Installations whose in-scope data at rest stayed in their realm, counted in the realm they ended in; data in transit is in the transfers.</p>{residency}<h2>Daily activity</h2><div class=\"figure\">{daily}</div>",
        app = xml(&sim.app),
        installations = t.installations,
        days = sim.workload.days,
        seed = sim.workload.seed,
        hipaa = xml(&hipaa_line(sim)),
    );
    if !sim.transfers.is_empty() {
        let _ = write!(
            body,
            "<h2>Transfers</h2><p>Per realm and recipient, with the basis as the analysis assesses it; one row per installation is in the JSON (<code>installation_transfers</code>).</p>{transfers}"
        );
    }
    if !sim.attacks.is_empty() {
        let _ = write!(body, "<h2>Attack experiments</h2>{attacks}");
    }
    if !sim.kept_after_uninstall.is_empty() {
        let _ = write!(body, "<h2>Kept after uninstall</h2>{kept}");
    }
    let _ = write!(body, "<h2>Ledger</h2><p>Data × organisation × country.</p>{ledger}");
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Simulation: {app}</title><style>body{{font-family:\"DejaVu Sans\",Helvetica,Arial,sans-serif;color:#172b4d;margin:30px auto;max-width:1100px;padding:0 16px}}table{{border-collapse:collapse;font-size:13px;margin:6px 0 14px}}th,td{{border:1px solid #dfe1e6;padding:4px 8px;text-align:left;vertical-align:top}}th{{background:#f4f5f7}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}.figure svg{{max-width:100%;height:auto}}@media (max-width:720px){{table{{display:block;overflow-x:auto;max-width:100%}}}}</style></head><body>{body}</body></html>\n",
        app = xml(&sim.app),
    )
}

fn daily_chart(sim: &Simulation) -> String {
    use plotters::prelude::*;
    super::charts::register();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 260)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let max = sim.daily.iter().map(|d| d.records).max().unwrap_or(1).max(1);
        let days = sim.daily.len().max(1) as u32;
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .caption("Records written per day", ("sans-serif", 14))
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(70)
            .build_cartesian_2d(0u32..days, 0u64..max + max / 10 + 1)
        {
            let _ = chart.configure_mesh().label_style(("sans-serif", 11)).draw();
            let _ = chart.draw_series(LineSeries::new(
                sim.daily.iter().map(|d| (d.day, d.records)),
                &RGBColor(0x00, 0x52, 0xcc),
            ));
        }
        let _ = root.present();
    }
    svg
}

/// The HIPAA line of a simulation: a count of PHI records only means something when a category
/// is PHI.
fn hipaa_line(sim: &Simulation) -> String {
    let t = &sim.totals;
    if sim.phi_categories.is_empty() {
        format!(
            "HIPAA installations {}, but no data category is marked PHI: the model cannot show PHI reaching organisations without a BAA",
            t.hipaa_installations
        )
    } else {
        format!(
            "HIPAA installations {}  PHI records ({}) reaching an organisation with no BAA recorded {}",
            t.hipaa_installations,
            sim.phi_categories.join(", "),
            t.phi_records_without_baa
        )
    }
}

/// One option in a comparison.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct ComparisonRow {
    /// The app (option) name.
    pub option: String,
    /// Platform.
    pub platform: String,
    /// Organisations receiving personal data (other than the customer).
    pub recipients: Vec<String>,
    /// Sub-processors (the vendor's providers; Atlassian for Forge parts).
    pub subprocessors: usize,
    /// Per realm: the share (in percent) of installations (simulated) whose in-scope data at
    /// rest stays in the realm, or 100/0 from the static analysis. Never one mixed figure.
    pub residency_kept_percent: BTreeMap<String, f64>,
    /// Whether the residency figure comes from a simulation.
    pub residency_simulated: bool,
    /// What the residency figures cannot vouch for (a Forge storage module without documented
    /// residency support, a provider keeping data outside a realm, customer-managed egress), all
    /// realms together; `residency_evidence_by_realm` says which realm each concerns.
    pub residency_evidence_required: Vec<String>,
    /// The same, per realm of the figure (simulated realms included).
    pub residency_evidence_by_realm: BTreeMap<String, Vec<String>>,
    /// Recipient × realm transfers without a recorded mechanism (offered or required).
    pub transfers_without_recorded_mechanism: usize,
    /// Hops whose law or realm trustflow does not assess (no installation in the model for a
    /// simulated realm, the customer's establishment unknown, a regime named but not assessed):
    /// not a pass.
    pub transfers_not_assessed: usize,
    /// Components keeping a credential outside Atlassian (static), or installations (simulated).
    pub secrets_outside_atlassian: u64,
    /// Components reachable from the internet.
    pub public_endpoints: usize,
    /// Runs on Atlassian eligibility: no reason for ineligibility found.
    pub runs_on_atlassian: bool,
    /// The Runs on Atlassian conclusion, as the analysis says it (`not-confirmed` while
    /// `runs_on_atlassian_evidence_required` is open).
    pub runs_on_atlassian_verdict: crate::facts::RoaVerdict,
    /// What eligibility still needs evidence for.
    pub runs_on_atlassian_evidence_required: Vec<String>,
    /// Organisations receiving PHI with no BAA recorded; `null` when not assessed (HIPAA sites
    /// but no category marked PHI: see `hipaa_installations_phi_not_assessed`).
    pub baas_needed: Option<usize>,
    /// HIPAA-covered installations whose PHI is not assessed because no category is marked PHI
    /// (the BAA figure then says nothing).
    pub hipaa_installations_phi_not_assessed: Option<usize>,
    /// Egress calls Forge blocked (simulation).
    pub blocked_egress: Option<u64>,
    /// Attack attempts the app accepted (simulation; none when there is no Connect endpoint).
    pub attacks_accepted: Option<u64>,
    /// Findings high / medium / low.
    pub findings: [usize; 3],
    /// Of all findings (info included), how many need evidence the model lacks: open items,
    /// not confirmed gaps.
    pub findings_evidence_required: usize,
}

/// The comparison rows, one per option; figures from the simulation where one ran.
pub fn comparison(
    models: &[LoadedModel],
    analyses: &[Analysis],
    simulations: &[Option<Simulation>],
) -> Vec<ComparisonRow> {
    models
        .iter()
        .zip(analyses)
        .zip(simulations)
        .map(|((loaded, a), sim)| {
            let static_kept: BTreeMap<String, f64> = a
                .residency
                .iter()
                .map(|r| (r.realm.clone(), if r.kept { 100.0 } else { 0.0 }))
                .collect();
            let transfers = a
                .subprocessors
                .iter()
                .flat_map(|s| s.transfer_mechanism.values())
                .filter(|t| t.needs_evidence())
                .count();
            // Per realm of the figure: the simulated realms when a simulation ran.
            let evidence_by_realm: BTreeMap<String, Vec<String>> = sim.as_ref().map_or_else(
                || {
                    a.residency
                        .iter()
                        .filter(|r| !r.evidence_required.is_empty())
                        .map(|r| (r.realm.clone(), r.evidence_required.clone()))
                        .collect()
                },
                |s| s.residency.evidence_required.clone(),
            );
            // The simulated HIPAA sites when a simulation ran, else the model's.
            let hipaa_sites = sim.as_ref().map_or(a.hipaa.hipaa_installations.len(), |s| {
                usize::try_from(s.totals.hipaa_installations).unwrap_or(usize::MAX)
            });
            // HIPAA-covered sites of an app with no category marked PHI: which recipients need
            // a BAA is not assessed for them (`HipaaScope::PhiNotMarked`).
            let hipaa_installations_phi_not_assessed = (hipaa_sites > 0 && !a.hipaa.applies).then_some(hipaa_sites);
            let static_secrets = a
                .findings
                .iter()
                .filter(|f| f.rule == crate::finding::RuleCode::Plat001)
                .count() as u64;
            ComparisonRow {
                option: a.app.name.clone(),
                platform: a.app.platform.to_owned(),
                recipients: a.subprocessors.iter().map(|s| s.name.clone()).collect(),
                subprocessors: a
                    .subprocessors
                    .iter()
                    .filter(|s| s.role == crate::analysis::GdprRole::SubProcessor)
                    .count(),
                residency_kept_percent: sim.as_ref().map_or(static_kept, |s| s.residency.kept_percent.clone()),
                residency_simulated: sim.is_some(),
                transfers_without_recorded_mechanism: transfers,
                transfers_not_assessed: sim.as_ref().map_or_else(
                    || {
                        a.transfers
                            .iter()
                            .filter(|t| t.status == crate::analysis::TransferStatus::NotAssessed)
                            .count()
                    },
                    |s| s.transfers.iter().filter(|t| t.status == "not-assessed").count(),
                ),
                secrets_outside_atlassian: sim
                    .as_ref()
                    .map_or(static_secrets, |s| s.totals.secrets_outside_atlassian),
                public_endpoints: loaded.model.components.iter().filter(|c| c.public_endpoint).count(),
                runs_on_atlassian: a.runs_on_atlassian.eligible,
                runs_on_atlassian_verdict: a.runs_on_atlassian.verdict,
                runs_on_atlassian_evidence_required: a.runs_on_atlassian.evidence_required.clone(),
                residency_evidence_required: evidence_by_realm
                    .values()
                    .flatten()
                    .cloned()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                residency_evidence_by_realm: evidence_by_realm,
                baas_needed: hipaa_installations_phi_not_assessed
                    .is_none()
                    .then_some(a.hipaa.missing_baa.len()),
                hipaa_installations_phi_not_assessed,
                blocked_egress: sim.as_ref().map(|s| s.totals.blocked_egress),
                attacks_accepted: sim
                    .as_ref()
                    .filter(|s| !s.attacks.is_empty())
                    .map(|s| s.attacks.values().map(|c| c.accepted).sum()),
                findings: [a.finding_counts.high, a.finding_counts.medium, a.finding_counts.low],
                findings_evidence_required: a.finding_counts.evidence_required,
            }
        })
        .collect()
}

const HEADERS: [&str; 14] = [
    "option",
    "platform",
    "recipients of personal data",
    "sub-processors",
    "residency kept % per realm (data at rest)",
    "transfers without a recorded mechanism",
    "transfers not assessed (under a law trustflow names but does not assess, or a customer's law not recorded: evidence required)",
    "secrets outside Atlassian",
    "public endpoints",
    "Runs on Atlassian",
    "PHI recipients without a BAA recorded",
    "egress calls Forge blocked (simulated)",
    "simulated attacks accepted (forged, expired, tampered or other-tenant JWTs, against the model's checks, not the deployed app)",
    "findings by severity (high/medium/low)",
];

fn cells(row: &ComparisonRow) -> [String; HEADERS.len()] {
    let not_simulated = "not simulated (give --workload)";
    [
        row.option.clone(),
        crate::model::Platform::from_code(&row.platform).map_or_else(|| row.platform.clone(), |p| p.name().to_owned()),
        format!("{} ({})", row.recipients.len(), row.recipients.join(", ")),
        row.subprocessors.to_string(),
        residency_cell(row),
        row.transfers_without_recorded_mechanism.to_string(),
        row.transfers_not_assessed.to_string(),
        match (row.secrets_outside_atlassian, secrets_unit(row)) {
            (1, unit) => format!("1 {}", unit.trim_end_matches('s')),
            (n, unit) => format!("{n} {unit}"),
        },
        row.public_endpoints.to_string(),
        match row.runs_on_atlassian_verdict {
            crate::facts::RoaVerdict::Eligible => "eligible".to_owned(),
            crate::facts::RoaVerdict::NotConfirmed => format!(
                "not confirmed (evidence required: {})",
                row.runs_on_atlassian_evidence_required.join("; ")
            ),
            crate::facts::RoaVerdict::NotEligible => {
                "not eligible".to_owned() + &evidence_note(&row.runs_on_atlassian_evidence_required)
            }
        },
        row.hipaa_installations_phi_not_assessed.map_or_else(
            || row.baas_needed.unwrap_or_default().to_string(),
            |n| format!("not assessed: no data category is marked PHI although {n} installations are HIPAA-covered (evidence required)"),
        ),
        match row.blocked_egress {
            _ if crate::model::Platform::from_code(&row.platform) == Some(crate::model::Platform::Connect) => {
                "not applicable: Connect has no Forge egress control".to_owned()
            }
            Some(v) => v.to_string(),
            None => not_simulated.to_owned(),
        },
        match row.attacks_accepted {
            Some(v) => v.to_string(),
            None if row.residency_simulated => "none attempted: no Connect endpoint to attack".to_owned(),
            None => not_simulated.to_owned(),
        },
        match row.findings_evidence_required {
            // No finding is not no gap: the rows above may still hold evidence-required items
            // that no rule reports (a residency caveat, a law not assessed).
            0 if row.findings == [0, 0, 0] && open_elsewhere(row) => {
                "0/0/0: no rule fired, but the evidence-required items in the rows above stay open".to_owned()
            }
            0 => format!("{}/{}/{}", row.findings[0], row.findings[1], row.findings[2]),
            1 => format!(
                "{}/{}/{}; 1 finding (of any severity) needs evidence the model lacks (open, not a confirmed gap)",
                row.findings[0], row.findings[1], row.findings[2]
            ),
            open => format!(
                "{}/{}/{}; {open} of all findings need evidence the model lacks (open, not confirmed gaps)",
                row.findings[0], row.findings[1], row.findings[2]
            ),
        },
    ]
}

/// Whether a row says "evidence required" outside its findings: residency or Runs on Atlassian
/// caveats, transfers not assessed, HIPAA sites whose PHI is not marked.
fn open_elsewhere(row: &ComparisonRow) -> bool {
    !row.residency_evidence_required.is_empty()
        || !row.runs_on_atlassian_evidence_required.is_empty()
        || row.transfers_not_assessed > 0
        || row.hipaa_installations_phi_not_assessed.is_some()
}

/// Recipients and transfers without a recorded mechanism per option: a pair of bars per option
/// with a gap between options, each bar with its value, every option labelled in full.
fn comparison_chart(rows: &[ComparisonRow]) -> String {
    use plotters::prelude::*;
    super::charts::register();
    let (width, height) = (760_u32, 320_u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let max = rows
            .iter()
            .map(|r| r.recipients.len().max(r.transfers_without_recorded_mechanism))
            .max()
            .unwrap_or(1)
            .max(1);
        let max = u32::try_from(max).unwrap_or(u32::MAX);
        let last = rows.len().saturating_sub(1);
        if let Ok(mut chart) = ChartBuilder::on(&root)
            .caption(
                "Recipients and transfers without a recorded mechanism per option",
                ("sans-serif", 14),
            )
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d((0..last).into_segmented(), 0u32..max + max.div_ceil(5).max(1))
        {
            // Labels of at most as many characters as a segment holds at 11 px.
            let segment = (width - 64) / u32::try_from(rows.len().max(1)).unwrap_or(1);
            let fits = (segment / 7).max(8) as usize;
            let names: Vec<String> = rows
                .iter()
                .map(|r| {
                    if r.option.chars().count() <= fits {
                        r.option.clone()
                    } else {
                        r.option.chars().take(fits - 1).chain(['…']).collect()
                    }
                })
                .collect();
            let _ = chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(rows.len())
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
                    _ => String::new(),
                })
                .label_style(("sans-serif", 11))
                .draw();
            let quarter = i32::try_from(segment / 4).unwrap_or(0);
            for (i, row) in rows.iter().enumerate() {
                let pair = [
                    (row.recipients.len(), RGBColor(0x00, 0x52, 0xcc), -quarter),
                    (
                        row.transfers_without_recorded_mechanism,
                        RGBColor(0xbf, 0x26, 0x00),
                        quarter,
                    ),
                ];
                for (k, (value, colour, offset)) in pair.into_iter().enumerate() {
                    let value = u32::try_from(value).unwrap_or(u32::MAX);
                    let (from, to) = if k == 0 {
                        (SegmentValue::Exact(i), SegmentValue::CenterOf(i))
                    } else {
                        (SegmentValue::CenterOf(i), SegmentValue::Exact(i + 1))
                    };
                    let mut bar = Rectangle::new([(from, 0), (to, value)], colour.filled());
                    // A wide gap between options, a narrow one inside each pair.
                    bar.set_margin(0, 0, if k == 0 { 14 } else { 2 }, if k == 0 { 2 } else { 14 });
                    let _ = chart.draw_series(std::iter::once(bar));
                    let _ = chart.draw_series(std::iter::once(
                        EmptyElement::at((SegmentValue::CenterOf(i), value))
                            + Text::new(
                                value.to_string(),
                                (offset + if k == 0 { 4 } else { -4 } - 3, -16),
                                ("sans-serif", 12).into_font(),
                            ),
                    ));
                }
            }
        }
        let _ = root.present();
    }
    svg
}

/// Residency per realm in words ("EU sites 100 %"), each figure above zero followed by what it
/// cannot vouch for in that realm (a zero cannot be less).
fn residency_cell(row: &ComparisonRow) -> String {
    let open = |realm: &String, kept: f64| {
        row.residency_evidence_by_realm
            .get(realm)
            .filter(|_| kept > 0.0)
            .map_or(&[][..], Vec::as_slice)
    };
    // One caveat shared by every figure above zero is said once, after them all.
    let mut lists = row
        .residency_kept_percent
        .iter()
        .filter(|(_, kept)| **kept > 0.0)
        .map(|(realm, kept)| open(realm, *kept));
    let shared = lists
        .next()
        .filter(|first| !first.is_empty() && row.residency_kept_percent.len() > 1)
        .filter(|first| lists.all(|l| l == *first));
    let said: Vec<String> = row
        .residency_kept_percent
        .iter()
        .map(|(realm, kept)| {
            format!(
                "{} {}{}",
                crate::facts::sections::realm_sites(realm),
                percent_said(*kept),
                if shared.is_some() {
                    String::new()
                } else {
                    evidence_note(open(realm, *kept))
                }
            )
        })
        .collect();
    let said = match shared {
        Some(open) => vec![format!(
            "{}; {} (evidence required: {})",
            said.join("; "),
            if row.residency_kept_percent.values().all(|kept| *kept > 0.0) {
                "none of these figures is confirmed"
            } else {
                "the figures above 0 % are not confirmed"
            },
            open.join("; ")
        )],
        None => said,
    };
    let how = if row.residency_simulated {
        ""
    } else {
        "from the model's installations (no simulation): "
    };
    if said.is_empty() {
        "no installations to assess".to_owned()
    } else {
        format!("{how}{}", said.join("; "))
    }
}

/// A percentage as a reader writes it: whole numbers without decimals ("100 %"), else one
/// decimal ("97.5 %").
fn percent_said(value: f64) -> String {
    if (value - value.round()).abs() < 0.05 {
        format!("{:.0} %", value.round())
    } else {
        format!("{value:.1} %")
    }
}

/// `, not confirmed (evidence required: …)` after a figure that holds only with evidence still
/// missing, or nothing.
fn evidence_note(open: &[String]) -> String {
    if open.is_empty() {
        String::new()
    } else {
        format!(", not confirmed (evidence required: {})", open.join("; "))
    }
}

/// The comparison as a Markdown table (options as columns).
pub fn comparison_md(rows: &[ComparisonRow]) -> String {
    let mut out = String::from("| | ");
    out.push_str(
        &rows
            .iter()
            .map(|r| super::templates::markdown_text(&r.option))
            .collect::<Vec<_>>()
            .join(" | "),
    );
    out.push_str(" |\n|---|");
    out.push_str(&"---|".repeat(rows.len()));
    out.push('\n');
    let all: Vec<[String; HEADERS.len()]> = rows.iter().map(cells).collect();
    for (i, header) in HEADERS.iter().enumerate().skip(1) {
        let _ = writeln!(
            out,
            "| {header} | {} |",
            all.iter()
                .map(|c| super::templates::markdown_text(&c[i]))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    out
}

/// The comparison as CSV, one row per option: one figure per cell (numbers only; lists and
/// units in columns of their own), so a spreadsheet can sum and chart it.
pub fn comparison_csv(rows: &[ComparisonRow]) -> Vec<u8> {
    let realms: std::collections::BTreeSet<&String> =
        rows.iter().flat_map(|r| r.residency_kept_percent.keys()).collect();
    let mut header: Vec<String> = ["option", "platform", "recipients", "subprocessors"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    header.extend(realms.iter().map(|r| format!("residency_kept_percent_{r}")));
    // Each realm's caveat beside its figure's column group: one mixed column would hide which
    // figure it qualifies.
    header.extend(realms.iter().map(|r| format!("residency_evidence_required_{r}")));
    header.extend(
        [
            "residency_source",
            "transfers_without_recorded_mechanism",
            "transfers_not_assessed",
            "secrets_outside_atlassian",
            "secrets_unit",
            "public_endpoints",
            "runs_on_atlassian",
            "runs_on_atlassian_evidence_required",
            "phi_recipients_without_baa",
            "hipaa_installations_phi_not_assessed",
            "blocked_egress",
            "attacks_accepted",
            "findings_high",
            "findings_medium",
            "findings_low",
            "findings_evidence_required",
            "recipient_names",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.option.clone(),
                row.platform.clone(),
                row.recipients.len().to_string(),
                row.subprocessors.to_string(),
            ];
            cells.extend(realms.iter().map(|r| {
                row.residency_kept_percent
                    .get(*r)
                    .map(|v| format!("{v:.1}"))
                    .unwrap_or_default()
            }));
            cells.extend(realms.iter().map(|r| {
                row.residency_evidence_by_realm
                    .get(*r)
                    .filter(|_| row.residency_kept_percent.get(*r).is_some_and(|kept| *kept > 0.0))
                    .map(|open| open.join("; "))
                    .unwrap_or_default()
            }));
            cells.extend([
                if row.residency_simulated { "simulated" } else { "static" }.to_owned(),
                row.transfers_without_recorded_mechanism.to_string(),
                row.transfers_not_assessed.to_string(),
                row.secrets_outside_atlassian.to_string(),
                secrets_unit(row).to_owned(),
                row.public_endpoints.to_string(),
                u8::from(row.runs_on_atlassian).to_string(),
                row.runs_on_atlassian_evidence_required.join("; "),
                // Empty when not assessed; the next column says for how many HIPAA sites.
                row.baas_needed.map(|n| n.to_string()).unwrap_or_default(),
                row.hipaa_installations_phi_not_assessed.unwrap_or(0).to_string(),
                opt(row.blocked_egress),
                opt(row.attacks_accepted),
                row.findings[0].to_string(),
                row.findings[1].to_string(),
                row.findings[2].to_string(),
                row.findings_evidence_required.to_string(),
                row.recipients.join("; "),
            ]);
            cells
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    super::csv::write_rows(&header, body.iter().map(|c| c.iter().map(String::as_str)))
}

/// What the secrets figure counts: installations in a simulation, components otherwise.
fn secrets_unit(row: &ComparisonRow) -> &'static str {
    if row.residency_simulated {
        "installations"
    } else {
        "components"
    }
}

/// Where a comparison's figures come from, in a reader's words: the models' installations,
/// and the simulated workload when one ran.
pub fn comparison_basis(workload: Option<&crate::simulate::workload::Workload>) -> String {
    match workload {
        Some(w) => format!(
            "Simulated figures (residency kept, secrets, blocked egress, attacks, HIPAA sites) come from one simulated workload run against each option: {} installations over {} days (seed {}), not from real sites; the other figures come from each model as written. Each option's figures come from its own model: a difference can come from what the models record, not only from the architecture.",
            w.installations, w.days, w.seed
        ),
        None => "Every figure comes from each model as written and its installations (no simulation). Each option's figures come from its own model: a difference can come from what the models record, not only from the architecture.".to_owned(),
    }
}

/// The comparison as a web page with a chart, under `basis` (see [`comparison_basis`]).
pub fn comparison_html(rows: &[ComparisonRow], basis: &str) -> String {
    let mut table = String::from("<table><thead><tr><th></th>");
    for row in rows {
        let _ = write!(table, "<th>{}</th>", xml(&row.option));
    }
    table.push_str("</tr></thead><tbody>");
    let all: Vec<[String; HEADERS.len()]> = rows.iter().map(cells).collect();
    for (i, header) in HEADERS.iter().enumerate().skip(1) {
        let _ = write!(table, "<tr><th>{}</th>", xml(header));
        for c in &all {
            let _ = write!(table, "<td>{}</td>", super::templates::html_with_code(&c[i]));
        }
        table.push_str("</tr>");
    }
    table.push_str("</tbody></table>");
    let svg = comparison_chart(rows);
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Migration options</title><style>body{{font-family:\"DejaVu Sans\",Helvetica,Arial,sans-serif;color:#172b4d;margin:30px}}.scroll{{overflow-x:auto}}svg{{max-width:100%;height:auto}}@media (max-width:600px){{body{{margin:12px}}}}table{{border-collapse:collapse;font-size:13px}}th,td{{border:1px solid #dfe1e6;padding:5px 8px;text-align:left;vertical-align:top}}thead th{{background:#f4f5f7}}tbody th{{background:#fafbfc;font-weight:600}}</style></head><body><h1>Migration options side by side</h1><p>{}</p><div class=\"scroll\">{table}</div><p style=\"color:#5e6c84\">Blue: organisations receiving personal data; red: recipient × realm transfers without a recorded mechanism.</p>{svg}</body></html>\n",
        xml(basis)
    )
}
