//! Exports procurement tools read: the Atlassian Marketplace "privacy and security" answers the
//! model can support, and a sub-processor list in the fields trust-center products use.

use crate::analysis::Analysis;
use crate::facts::Facts;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Answers to the Marketplace privacy and security questions that the model determines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MarketplaceAnswers {
    /// The app.
    pub app: String,
    /// Whether End-User Data is stored outside Atlassian, and where.
    pub stores_end_user_data_outside_atlassian: Answer,
    /// Whether End-User Data is processed outside Atlassian, and by which components.
    pub processes_end_user_data_outside_atlassian: Answer,
    /// Third parties receiving End-User Data: name, purposes, countries.
    pub third_parties: Vec<ThirdParty>,
    /// Whether in-scope data stays in the customer's realm and moves with it.
    pub data_residency: Answer,
    /// Runs on Atlassian eligibility.
    pub runs_on_atlassian: Answer,
}

/// A yes/no answer with the model elements behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Answer {
    /// The answer.
    pub answer: bool,
    /// Why: component ids, locations, reasons.
    pub details: Vec<String>,
}

/// A third party.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ThirdParty {
    /// Name.
    pub name: String,
    /// Legal entity.
    pub legal_entity: Option<String>,
    /// Purposes.
    pub purposes: Vec<String>,
    /// Countries where it processes the data.
    pub countries: Vec<String>,
    /// Data categories.
    pub data: Vec<String>,
}

/// Every place a recipient processes data, over all realms, sorted.
fn places(row: &crate::analysis::Subprocessor) -> Vec<String> {
    row.locations
        .values()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Derives the Marketplace answers.
pub fn marketplace(facts: &Facts<'_>, analysis: &Analysis) -> MarketplaceAnswers {
    let on_atlassian = |id: &str| {
        facts
            .graph
            .component(id)
            .is_some_and(|c| facts.resolved.on_atlassian(c))
    };
    let mut stored = BTreeSet::new();
    let mut processed = BTreeSet::new();
    for realm in &analysis.residency {
        for entry in &realm.entries {
            if on_atlassian(&entry.component) {
                continue;
            }
            if entry.at_rest {
                stored.insert(format!("{} ({})", entry.component, entry.location));
            }
            processed.insert(entry.component.clone());
        }
    }
    let third_parties = analysis
        .subprocessors
        .iter()
        .filter(|s| s.role == crate::analysis::GdprRole::SubProcessor && s.category.as_deref() != Some("platform"))
        .map(|s| ThirdParty {
            name: s.name.clone(),
            legal_entity: s.legal_entity.clone(),
            purposes: s.purposes.clone(),
            countries: places(s),
            data: s.data.iter().map(|d| d.id.clone()).collect(),
        })
        .collect();
    let residency_details: Vec<String> = analysis
        .residency
        .iter()
        .map(|r| {
            let moves = r.entries.iter().filter(|e| e.at_rest).all(|e| e.moves_on_migration);
            format!(
                "realm {}: {}; {}",
                r.realm,
                if r.kept {
                    "in-scope data at rest stays in the realm"
                } else {
                    "in-scope data at rest leaves the realm"
                },
                if moves {
                    "it moves with a realm migration"
                } else {
                    "some of it stays behind on a realm migration"
                }
            )
        })
        .collect();
    let residency_ok = analysis
        .residency
        .iter()
        .all(|r| r.kept && r.entries.iter().filter(|e| e.at_rest).all(|e| e.moves_on_migration));
    MarketplaceAnswers {
        app: analysis.app.name.clone(),
        stores_end_user_data_outside_atlassian: Answer {
            answer: !stored.is_empty(),
            details: stored.into_iter().collect(),
        },
        processes_end_user_data_outside_atlassian: Answer {
            answer: !processed.is_empty(),
            details: processed.into_iter().collect(),
        },
        third_parties,
        data_residency: Answer {
            answer: residency_ok && !analysis.residency.is_empty(),
            details: residency_details,
        },
        runs_on_atlassian: Answer {
            answer: analysis.runs_on_atlassian.eligible,
            details: analysis.runs_on_atlassian.reasons.clone(),
        },
    }
}

/// The answers as Markdown, ready to paste into the Marketplace listing form.
pub fn marketplace_markdown(answers: &MarketplaceAnswers) -> String {
    let yes = |a: bool| if a { "Yes" } else { "No" };
    let mut out = format!("# Privacy and security answers: {}\n\n", answers.app);
    let mut q = |question: &str, answer: &Answer| {
        let _ = writeln!(out, "**{question}** {}", yes(answer.answer));
        for detail in &answer.details {
            let _ = writeln!(out, "- {detail}");
        }
        out.push('\n');
    };
    q(
        "Does the app store End-User Data outside Atlassian?",
        &answers.stores_end_user_data_outside_atlassian,
    );
    q(
        "Does the app process End-User Data outside Atlassian?",
        &answers.processes_end_user_data_outside_atlassian,
    );
    q(
        "Does in-scope data stay in, and move with, the customer's data-residency realm?",
        &answers.data_residency,
    );
    q("Is the app eligible for Runs on Atlassian?", &answers.runs_on_atlassian);
    let _ = writeln!(
        out,
        "**Third parties that receive End-User Data:** {}\n",
        if answers.third_parties.is_empty() { "none" } else { "" }
    );
    for t in &answers.third_parties {
        let _ = writeln!(
            out,
            "- {}{}: {} ({}); data: {}",
            t.name,
            t.legal_entity.as_deref().map(|e| format!(" ({e})")).unwrap_or_default(),
            t.purposes.join("; "),
            t.countries.join(", "),
            t.data.join(", ")
        );
    }
    out
}

/// One entry of a trust-center sub-processor list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TrustCenterEntry {
    /// Display name.
    pub name: String,
    /// Web site or trust center.
    pub url: String,
    /// What it does for the app.
    pub purpose: String,
    /// Where it processes the data.
    pub location: String,
    /// Contracting entity.
    pub legal_entity: String,
    /// Personal data categories.
    pub data: String,
}

/// The sub-processor list in trust-center fields.
pub fn trust_center(analysis: &Analysis) -> Vec<TrustCenterEntry> {
    analysis
        .subprocessors
        .iter()
        .filter(|s| s.role == crate::analysis::GdprRole::SubProcessor)
        .map(|s| TrustCenterEntry {
            name: s.name.clone(),
            url: s.url.clone().unwrap_or_default(),
            purpose: s.purposes.join("; "),
            location: places(s).join(", "),
            legal_entity: s.legal_entity.clone().unwrap_or_default(),
            data: s.data.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", "),
        })
        .collect()
}

/// The trust-center list as CSV.
pub fn trust_center_csv(entries: &[TrustCenterEntry]) -> Vec<u8> {
    super::csv::write_rows(
        &["name", "url", "purpose", "location", "legal_entity", "data"],
        entries.iter().map(|e| {
            [
                e.name.as_str(),
                e.url.as_str(),
                e.purpose.as_str(),
                e.location.as_str(),
                e.legal_entity.as_str(),
                e.data.as_str(),
            ]
        }),
    )
}
