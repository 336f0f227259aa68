//! Exports procurement tools read: the Atlassian Marketplace "privacy and security" answers the
//! model can support, and a sub-processor list in the fields trust-center products use.

use crate::analysis::Analysis;
use crate::facts::Facts;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
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
    /// The answer; never `true` while `not_confirmed`.
    pub answer: bool,
    /// Nothing in the model says no, but what a yes rests on is not documented: evidence
    /// required before the answer is given. Omitted when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_confirmed: bool,
    /// Why: component ids, locations, reasons, and what a yes would need.
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

/// Where a recipient processes data, for a reader outside the company: the places its services
/// run, then the country of its legal entity (which can reach the data) when that is
/// elsewhere, said as such rather than listed as a processing location.
fn public_places(row: &crate::analysis::Subprocessor) -> Vec<String> {
    crate::facts::sections::said_places(&places(row))
}

/// The Forge storage modules without documented data-residency support that a recipient's
/// components keep data in (Forge SQL at the time of writing): where they store it per realm
/// is not known, so a location must not read as settled. By name ("Forge SQL").
pub fn undocumented_residency(
    model: &crate::model::Model,
    graph: &crate::graph::FlowGraph,
    components: &[String],
) -> Vec<String> {
    let hosts_storage = components.iter().any(|id| {
        graph
            .component(id)
            .is_some_and(|c| model.components[c].kind == crate::model::ComponentKind::ForgeStorage)
    });
    if !hosts_storage {
        return Vec::new();
    }
    model
        .manifest
        .iter()
        .flat_map(|m| &m.storage)
        .filter(|s| s.residency == crate::model::StorageResidency::Unknown)
        .map(crate::model::StorageEntry::name)
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
    let mut residency_details: Vec<String> = analysis
        .residency
        .iter()
        .map(|r| {
            let moves = r.entries.iter().filter(|e| e.at_rest).all(|e| e.moves_on_migration);
            format!(
                "realm {}: {}; {}",
                r.realm,
                match (r.kept, r.evidence_required.is_empty()) {
                    (true, true) => "in-scope data at rest stays in the realm",
                    (true, false) => "in-scope data at rest is not confirmed to stay in the realm",
                    (false, _) => "in-scope data at rest leaves the realm",
                },
                match (moves, r.evidence_required.is_empty()) {
                    (true, true) => "it moves with a realm migration",
                    // Where the data is kept is open: so is whether it follows the site.
                    (true, false) => "whether it moves with a realm migration is not confirmed",
                    (false, _) => "some of it stays behind on a realm migration",
                }
            )
        })
        .collect();
    let residency_ok = analysis
        .residency
        .iter()
        .all(|r| r.kept && r.entries.iter().filter(|e| e.at_rest).all(|e| e.moves_on_migration));
    // A yes that rests on what the model cannot show is not given: the open items are listed.
    let residency_open: std::collections::BTreeSet<&String> =
        analysis.residency.iter().flat_map(|r| &r.evidence_required).collect();
    let residency_unconfirmed = residency_ok && !residency_open.is_empty();
    residency_details.extend(
        residency_open
            .into_iter()
            .map(|item| format!("evidence required: {item}")),
    );
    let roa = &analysis.runs_on_atlassian;
    let roa_unconfirmed = roa.verdict == crate::facts::RoaVerdict::NotConfirmed;
    MarketplaceAnswers {
        app: analysis.app.name.clone(),
        stores_end_user_data_outside_atlassian: Answer {
            answer: !stored.is_empty(),
            not_confirmed: false,
            details: stored.into_iter().collect(),
        },
        processes_end_user_data_outside_atlassian: Answer {
            answer: !processed.is_empty(),
            not_confirmed: false,
            details: processed.into_iter().collect(),
        },
        third_parties,
        data_residency: Answer {
            answer: residency_ok && !residency_unconfirmed && !analysis.residency.is_empty(),
            not_confirmed: residency_unconfirmed,
            details: residency_details,
        },
        runs_on_atlassian: Answer {
            answer: roa.verdict == crate::facts::RoaVerdict::Eligible,
            not_confirmed: roa_unconfirmed,
            details: if roa_unconfirmed {
                roa.evidence_required
                    .iter()
                    .map(|item| format!("evidence required: {item}"))
                    .collect()
            } else {
                roa.reasons.clone()
            },
        },
    }
}

/// The answers as Markdown, ready to paste into the Marketplace listing form.
pub fn marketplace_markdown(answers: &MarketplaceAnswers) -> String {
    use super::templates::markdown_text as md;
    let yes = |a: &Answer| match (a.answer, a.not_confirmed) {
        (_, true) => "Not confirmed (evidence required)",
        (true, false) => "Yes",
        (false, false) => "No",
    };
    let mut out = format!("# Privacy and security answers: {}\n\n", md(&answers.app));
    let mut q = |question: &str, answer: &Answer| {
        let _ = writeln!(out, "**{question}** {}", yes(answer));
        for detail in &answer.details {
            let _ = writeln!(out, "- {}", md(detail));
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
            md(&t.name),
            t.legal_entity
                .as_deref()
                .map(|e| format!(" ({})", md(e)))
                .unwrap_or_default(),
            md(&t.purposes.join("; ")),
            md(&t.countries.join(", ")),
            md(&t.data.join(", "))
        );
    }
    out
}

/// One entry of the public sub-processor list: what a customer reads on a trust page, with no
/// findings and no internal ids.
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
    /// Personal data categories, by name.
    pub data: String,
    /// The transfer safeguard the model records, per realm where they differ (`not stated`
    /// when none is recorded; `no transfer` when none is needed).
    pub transfer_mechanism: String,
    /// Special-category (GDPR Art. 9) or PHI data among `data`, by name.
    pub special_categories: String,
    /// The date it was added (`since:` of the organisation), when recorded.
    pub date_added: String,
    /// Its fragment on the published page (`#anthropic`), from its name: the Atom feed links
    /// each entry there.
    pub anchor: String,
}

/// A page fragment from a display name: lower-case ASCII letters and digits, every other
/// character `-` (`Twilio SendGrid` → `twilio-sendgrid`). The feed's entry ids have always
/// ended in this slug, so a subscriber's ids stay the same.
fn anchor(name: &str) -> String {
    name.to_ascii_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
}

/// An integration the customer turns on with its own account (not a sub-processor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TrustIntegration {
    /// What it is.
    pub name: String,
    /// The provider, when known.
    pub provider: String,
    /// What the app sends there for, from the flows into it.
    pub purpose: String,
    /// Personal data sent there at the customer's instruction, by name.
    pub data: String,
    /// Of that data, what is health (PHI) or special-category data, by name (empty: none).
    pub special_categories: String,
}

/// The purposes of the flows into component `id`, in plain words.
fn purposes_into(model: &crate::model::Model, id: &str) -> String {
    let purposes: BTreeSet<String> = model
        .flows
        .iter()
        .filter(|f| f.to == id)
        .filter_map(|f| f.purpose.as_deref().map(plain))
        .collect();
    purposes.into_iter().collect::<Vec<_>>().join("; ")
}

/// The public sub-processor page (`export subprocessors`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TrustPage {
    /// The app.
    pub app: String,
    /// The vendor publishing the page.
    pub vendor: String,
    /// The sub-processors.
    pub subprocessors: Vec<TrustCenterEntry>,
    /// Integrations each customer enables with its own account.
    pub customer_enabled_integrations: Vec<TrustIntegration>,
    /// Whether each customer's admin also approves destinations of its own (customer-managed
    /// egress): those are not listed here.
    pub customer_managed_egress: bool,
    /// The date the page speaks for (YYYY-MM-DD), when one is set.
    pub as_of: Option<String>,
    /// Where customers ask about the list or object to a change: the vendor's `contact`.
    pub contact: Option<String>,
    /// Sub-processors announced but not yet engaged on that date (date added after it).
    pub upcoming: Vec<TrustCenterEntry>,
}

impl TrustPage {
    /// The page as of `date`: sub-processors added after it are announced, not current.
    #[must_use]
    pub fn as_of(mut self, date: crate::dates::Date) -> TrustPage {
        let day = date.to_string();
        let (upcoming, current): (Vec<_>, Vec<_>) = std::mem::take(&mut self.subprocessors)
            .into_iter()
            .partition(|e| !e.date_added.is_empty() && e.date_added > day);
        self.subprocessors = current;
        self.upcoming = upcoming;
        self.as_of = Some(day);
        self
    }
}

/// The name of a data category (its id only when the model gives no name).
fn data_name(facts: &Facts<'_>, id: &str) -> String {
    facts
        .data_index(id)
        .and_then(|d| facts.model.data[d].name.clone())
        .unwrap_or_else(|| id.to_owned())
}

/// What the app's permissions allow, as opposed to what the vendor states it sends.
pub const ASSUMED: &str = "Per the app's permissions, not confirmed by the vendor (evidence required)";

/// Personal data by name; what is listed only because the app's permissions allow it (an
/// import's reading of the scopes) is said to be unconfirmed, so no reader takes it as the
/// vendor's statement.
fn said_data(facts: &Facts<'_>, data: &[crate::analysis::DataUse]) -> String {
    let (assumed, stated): (Vec<_>, Vec<_>) = data.iter().partition(|d| d.assumed);
    let names = |list: &[&crate::analysis::DataUse]| {
        list.iter()
            .map(|d| {
                // Not declared personal, but made from personal data the component receives:
                // listed, and said to be a conclusion of the analysis rather than a declaration.
                let derived = facts
                    .data_index(&d.id)
                    .is_some_and(|i| !facts.model.data[i].is_personal() && !facts.traits[i].derived_from.is_empty());
                if derived {
                    format!(
                        "{} (treated as personal: derived from personal data)",
                        data_name(facts, &d.id)
                    )
                } else {
                    data_name(facts, &d.id)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    match (stated.is_empty(), assumed.is_empty()) {
        (_, true) => names(&stated),
        (true, false) => format!("{ASSUMED}: {}", names(&assumed)),
        (false, false) => format!("{}. {ASSUMED}: {}", names(&stated), names(&assumed)),
    }
}

/// A recorded safeguard in a customer's words; anything not recorded is "not stated".
pub fn safeguard(t: &crate::analysis::Transfer) -> String {
    use crate::analysis::{TransferMechanism, TransferStatus};
    match t.status {
        TransferStatus::NotATransfer => "no transfer".to_owned(),
        TransferStatus::Recorded => match (t.mechanism, t.module) {
            (TransferMechanism::Sccs, Some(m)) if t.by_platform_terms => {
                format!("SCCs Module {m} (Atlassian's Forge terms)")
            }
            (TransferMechanism::Sccs, Some(m)) => format!("SCCs Module {m}"),
            (TransferMechanism::Adequacy, _) => crate::facts::transfers::adequacy_label(t),
            (m, _) => m.name().to_owned(),
        },
        _ => "not stated".to_owned(),
    }
}

/// The public sub-processor page.
pub fn trust_page(facts: &Facts<'_>, analysis: &Analysis) -> TrustPage {
    let model = facts.model;
    let names = |ids: &mut dyn Iterator<Item = &str>| ids.map(|id| data_name(facts, id)).collect::<Vec<_>>().join(", ");
    let special = |id: &str| {
        facts
            .data_index(id)
            .is_some_and(|d| facts.phi(d) || model.data[d].special_category().is_some())
    };
    let subprocessors = analysis
        .subprocessors
        .iter()
        .filter(|s| s.role == crate::analysis::GdprRole::SubProcessor)
        .map(|s| {
            let mut by_value: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for (realm, t) in &s.transfer_mechanism {
                by_value.entry(safeguard(t)).or_default().push(realm);
            }
            let transfer_mechanism = match by_value.len() {
                0 => "not stated".to_owned(),
                1 => by_value.into_keys().next().unwrap_or_default(),
                _ => by_value
                    .iter()
                    .map(|(value, realms)| format!("{value} (data of realms {})", realms.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            TrustCenterEntry {
                name: s.name.clone(),
                url: s.url.clone().unwrap_or_default(),
                purpose: s.purposes.join("; "),
                // Never a blank cell: without installations no place is assessed, and the
                // customer reads "not stated" (the vendor is warned when exporting).
                location: Some(
                    public_places(s)
                        .into_iter()
                        .chain(
                            undocumented_residency(facts.model, facts.graph, &s.components)
                                .iter()
                                .map(|module| format!("{module}: Atlassian does not document where it keeps data")),
                        )
                        .chain(
                            (stores_in_forge(facts, &s.components) && !facts.pinned_blockers.is_empty()).then(|| {
                                "the app's stored data: not guaranteed to stay in your site's region".to_owned()
                            }),
                        )
                        .collect::<Vec<_>>()
                        .join(", "),
                )
                .filter(|places| !places.is_empty())
                .unwrap_or_else(|| "not stated".to_owned()),
                legal_entity: s.legal_entity.clone().unwrap_or_default(),
                data: names(&mut s.data.iter().map(|d| d.id.as_str())),
                transfer_mechanism,
                special_categories: names(&mut s.data.iter().map(|d| d.id.as_str()).filter(|id| special(id))),
                date_added: facts
                    .resolved
                    .orgs
                    .get(s.organisation.as_str())
                    .and_then(|o| o.since.clone())
                    .unwrap_or_default(),
                anchor: anchor(&s.name),
            }
        })
        .collect();
    TrustPage {
        app: analysis.app.name.clone(),
        vendor: facts.resolved.orgs.get(model.app.vendor.as_str()).map_or_else(
            || model.app.vendor.clone(),
            |v| v.legal_entity.clone().unwrap_or_else(|| v.name.clone()),
        ),
        subprocessors,
        customer_enabled_integrations: analysis
            .customer_integrations
            .iter()
            .map(|i| TrustIntegration {
                name: i.name.clone(),
                provider: i.organisation.clone().unwrap_or_default(),
                purpose: purposes_into(model, &i.component),
                data: names(&mut i.data.iter().map(String::as_str)),
                special_categories: names(&mut i.data.iter().map(String::as_str).filter(|id| special(id))),
            })
            .collect(),
        customer_managed_egress: analysis.customer_managed_egress.is_some(),
        as_of: None,
        contact: model
            .organisations
            .iter()
            .find(|o| o.id == model.app.vendor)
            .and_then(|o| o.contact.clone()),
        upcoming: Vec::new(),
    }
}

/// What a vendor should know before publishing `page`: sub-processors shown without a recorded
/// transfer safeguard or, receiving PHI, without a business associate agreement; a model with
/// no installations (nothing placed); and, for the feed (`feed`), organisations without a date
/// added, whose entries can only carry the feed's date and churn in feed readers.
pub fn page_warnings(analysis: &Analysis, page: &TrustPage, no_installations: bool, feed: bool) -> Vec<String> {
    let listed = analysis
        .subprocessors
        .iter()
        .filter(|s| s.role == crate::analysis::GdprRole::SubProcessor);
    let mut warnings = Vec::new();
    for s in listed.clone() {
        let open: BTreeSet<&str> = s
            .transfer_mechanism
            .values()
            .filter(|t| t.needs_evidence())
            .map(|t| t.label.as_str())
            .collect();
        if !open.is_empty() {
            warnings.push(format!(
                "the page shows no recorded transfer safeguard for {}: the analysis says {}",
                s.name,
                open.into_iter().collect::<Vec<_>>().join("; ")
            ));
        }
    }
    for s in listed.filter(|s| analysis.hipaa.missing_baa.contains(&s.organisation)) {
        warnings.push(format!(
            "the page lists {} receiving PHI of HIPAA-covered sites, and no business associate agreement with it is recorded (45 CFR 164.502(e))",
            s.name
        ));
    }
    if no_installations {
        warnings.push(format!(
            "the page says \"not stated\" for where each sub-processor processes data and its transfer safeguard: {}",
            crate::text::no_installations("page")
        ));
    }
    let undated: Vec<&str> = page
        .subprocessors
        .iter()
        .filter(|e| e.date_added.is_empty())
        .map(|e| e.name.as_str())
        .collect();
    if feed && !undated.is_empty() {
        warnings.push(format!(
            "no date added is recorded for {}: the feed gives such an entry the feed's date ({}), so it shows as updated whenever the feed is rebuilt on another day; add `since: YYYY-MM-DD` to the organisation",
            undated.join(", "),
            page.as_of.as_deref().unwrap_or("today")
        ));
    }
    warnings
}

/// An Atom feed (RFC 4287) of the sub-processors, newest first: one entry per addition (an
/// announced one on the feed's date), and the sub-processors without a recorded date added on
/// the feed's date, for customers who follow changes (GDPR Art. 28(2)). `page_url` is
/// where the page is published; `updated` the feed's date.
pub fn trust_atom(page: &TrustPage, page_url: &str, updated: &str) -> String {
    let esc = super::diagram::xml;
    let mut added: Vec<&TrustCenterEntry> = page.subprocessors.iter().filter(|e| !e.date_added.is_empty()).collect();
    added.sort_by(|a, b| b.date_added.cmp(&a.date_added).then(a.name.cmp(&b.name)));
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("  <title>{} sub-processors</title>\n", esc(&page.app)));
    out.push_str(&format!("  <id>{}</id>\n", esc(page_url)));
    out.push_str(&format!("  <link href=\"{}\"/>\n", esc(page_url)));
    out.push_str(&format!("  <updated>{updated}T00:00:00Z</updated>\n"));
    out.push_str(&format!("  <author><name>{}</name></author>\n", esc(&page.vendor)));
    // Announced additions are news on the day of the feed, with the date they take effect;
    // sub-processors without a recorded date added are listed on the feed's date too, so a
    // subscriber sees every sub-processor, never only the dated ones.
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Upcoming,
        Undated,
        Added,
    }
    let announced = page.upcoming.iter().map(|e| (e, Kind::Upcoming));
    let undated = page
        .subprocessors
        .iter()
        .filter(|e| e.date_added.is_empty())
        .map(|e| (e, Kind::Undated));
    for (entry, kind) in announced
        .chain(undated)
        .chain(added.into_iter().map(|e| (e, Kind::Added)))
    {
        let upcoming = kind != Kind::Added;
        let summary = format!(
            "{} ({}) processes {} for: {}. Where: {}. Transfer safeguard: {}.{}",
            entry.name,
            if entry.legal_entity.is_empty() {
                "legal entity not stated"
            } else {
                &entry.legal_entity
            },
            entry.data,
            entry.purpose,
            entry.location,
            entry.transfer_mechanism,
            if entry.special_categories.is_empty() {
                String::new()
            } else {
                format!(
                    " Includes health (PHI) or special-category data: {}.",
                    entry.special_categories
                )
            }
        );
        out.push_str("  <entry>\n");
        if kind == Kind::Undated {
            out.push_str(&format!(
                "    <title>Sub-processor (date added not stated): {}</title>\n",
                esc(&entry.name)
            ));
        } else if upcoming {
            out.push_str(&format!(
                "    <title>Sub-processor to be added on {}: {}</title>\n",
                esc(&entry.date_added),
                esc(&entry.name)
            ));
        } else {
            out.push_str(&format!(
                "    <title>Sub-processor added: {}</title>\n",
                esc(&entry.name)
            ));
        }
        out.push_str(&format!(
            "    <id>{}#{}-{}</id>\n",
            esc(page_url),
            if kind == Kind::Undated {
                "listed".to_owned()
            } else {
                esc(&entry.date_added)
            },
            esc(&entry.anchor)
        ));
        // RFC 4287 §4.1.1: an entry without content links to where it is said in full.
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}#{}\"/>\n",
            esc(page_url),
            esc(&entry.anchor)
        ));
        out.push_str(&format!(
            "    <updated>{}T00:00:00Z</updated>\n",
            if upcoming { esc(updated) } else { esc(&entry.date_added) }
        ));
        out.push_str(&format!("    <summary>{}</summary>\n", esc(&summary)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// The trust-center list as CSV.
pub fn trust_center_csv(entries: &[TrustCenterEntry]) -> Vec<u8> {
    super::csv::write_rows(
        &[
            "name",
            "url",
            "purpose",
            "location",
            "legal_entity",
            "data",
            "transfer_mechanism",
            "special_categories",
            "date_added",
        ],
        entries.iter().map(|e| {
            [
                e.name.as_str(),
                e.url.as_str(),
                e.purpose.as_str(),
                e.location.as_str(),
                e.legal_entity.as_str(),
                e.data.as_str(),
                e.transfer_mechanism.as_str(),
                e.special_categories.as_str(),
                e.date_added.as_str(),
            ]
        }),
    )
}

/// One recipient in the DPA annex: the columns of SCC Annex I.B (categories of data subjects
/// and of personal data, sensitive data, frequency, nature and purpose, retention), where it
/// processes, the transfer basis per realm with its evidence status, and the safeguards of
/// Annex II that the model records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AnnexRow {
    /// Recipient.
    pub recipient: String,
    /// Contracting legal entity (`not stated` when unknown).
    pub legal_entity: String,
    /// Country of establishment (`not stated` when unknown).
    pub country: String,
    /// Role (processor, sub-processor, …); an announced sub-processor says from when.
    pub role: String,
    /// The date it starts receiving data (`since:` of its organisation), when recorded.
    pub date_added: Option<String>,
    /// Categories of data subjects (the categories' `subjects`).
    pub data_subjects: String,
    /// Categories of personal data, by name.
    pub personal_data: String,
    /// Special categories (Art. 9) and PHI among them, by name; `none` otherwise.
    pub special_categories: String,
    /// Nature and purpose of the processing, in plain words.
    pub purpose: String,
    /// How often data is sent (from the flows' triggers).
    pub frequency: String,
    /// How long it processes (SCC Annex I.B, duration of the processing).
    pub duration: String,
    /// Retention, as the model records it.
    pub retention: String,
    /// Where it processes the data, per realm.
    pub location: String,
    /// The transfer basis per realm, with its evidence status.
    pub transfer: String,
    /// Recorded security attestations (Annex II measures the model can point to).
    pub safeguards: String,
    /// The data processing agreement with it (Art. 28(3), (4)) and its evidence status.
    pub dpa: String,
    /// Who it is, in one phrase: legal entity and establishment, or what is not stated.
    pub entity: String,
    /// The HIPAA business associate agreement it needs, with its evidence status, when any
    /// installation is HIPAA-covered (45 CFR 164.502(e), 164.504(e)).
    pub baa: String,
}

/// A recipient's data processing agreement in an annex's words, with its evidence status: a
/// provider's published terms are an offer, not a signed agreement.
fn dpa_said(row: &crate::analysis::Subprocessor) -> String {
    use crate::facts::resolve::Evidence;
    let url = row.dpa_url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default();
    match row.dpa {
        // Set by the platform, not recorded in the model: said as what it is.
        Evidence::Recorded if row.dpa_by_platform_terms => {
            format!("the Forge Data Processing Addendum, part of the Forge terms the vendor accepts to deploy{url}")
        }
        Evidence::Recorded => format!("recorded{url}"),
        Evidence::Offered => {
            format!(
                "the provider offers a standard DPA{url}; its acceptance for this app is not recorded (evidence required)"
            )
        }
        Evidence::None => "none: the model records that there is none".to_owned(),
        Evidence::Unknown => "not recorded (evidence required)".to_owned(),
    }
}

/// The DPA annex of a model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Annex {
    /// The app.
    pub app: String,
    /// The app's version, when the model records it.
    pub version: Option<String>,
    /// The date the annex speaks for (YYYY-MM-DD), when one is set.
    pub as_of: Option<String>,
    /// The controller: the customer, named by the agreement the annex belongs to.
    pub controller: String,
    /// Said at the top when the model has no installations (locations and transfers are then
    /// empty, and why).
    pub warning: Option<String>,
    /// The processor (the vendor) and its contact for data protection, as the model records
    /// them (GDPR Art. 30(2)(a)).
    pub processor: String,
    /// Said when no sub-processor of the vendor is in the model: that is not a statement that
    /// there are none (a descriptor does not name the vendor's hosting or other providers).
    pub no_subprocessors: Option<String>,
    /// One row per recipient of personal data.
    pub rows: Vec<AnnexRow>,
    /// Services the customer itself enables and owns (its own Slack, its own CRM): they receive
    /// personal data through the app, but as the customer's processors, not the vendor's
    /// sub-processors. Listed so that no recipient is left out.
    pub integrations: Vec<AnnexIntegration>,
    /// HIPAA, when an installation is HIPAA-covered: which sites, the PHI, and what the
    /// business associate agreements rest on (or that they are not assessed, and why).
    pub hipaa: Option<String>,
}

impl Annex {
    /// The annex as of `date`.
    #[must_use]
    pub fn as_of(mut self, date: crate::dates::Date) -> Annex {
        let day = date.to_string();
        // A sub-processor added after the annex's date is announced, not engaged: said in its
        // role, as the trust page lists it apart.
        for row in &mut self.rows {
            if let Some(since) = row.date_added.as_deref().filter(|since| *since > day.as_str()) {
                row.role = format!("{} from {since} (announced; not engaged on {day})", row.role);
            }
        }
        self.as_of = Some(day);
        self
    }
}

/// A customer-enabled integration in the annex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AnnexIntegration {
    /// Its name.
    pub name: String,
    /// The personal data the app sends there, by name.
    pub personal_data: String,
    /// The provider, by name (or the service's name and that its provider is not stated).
    pub provider: String,
    /// The provider's legal entity as the model or the catalog knows it, and that the
    /// customer's own agreement decides; empty when not known.
    pub legal_entity: String,
    /// What the app sends there for, from the flows into it.
    pub purpose: String,
    /// Its role, in a few words: the customer's processor.
    pub role: String,
    /// Why it is not a sub-processor, and which agreement applies.
    pub agreement: String,
}

/// Backticks and other Markdown marks from imported purposes, so a lawyer reads plain words.
fn plain(text: &str) -> String {
    text.replace('`', "")
}

/// An attestation id as auditors write it (`soc2-type2` → `SOC 2 Type II`).
fn attestation_name(id: &str) -> String {
    match id {
        "soc1" => "SOC 1".to_owned(),
        "soc2" => "SOC 2".to_owned(),
        "soc2-type1" => "SOC 2 Type I".to_owned(),
        "soc2-type2" => "SOC 2 Type II".to_owned(),
        "soc3" => "SOC 3".to_owned(),
        other => match other.strip_prefix("iso") {
            Some(number) if number.chars().all(|c| c.is_ascii_digit()) => format!("ISO/IEC {number}"),
            _ => other.to_owned(),
        },
    }
}

/// How often data reaches a recipient, from the triggers of the flows into its components.
fn frequency(model: &crate::model::Model, graph: &crate::graph::FlowGraph, components: &[String]) -> String {
    use crate::model::Trigger;
    // How often a trigger fires, when it says so by itself.
    let said = |trigger: Option<Trigger>| -> Option<&'static str> {
        match trigger? {
            Trigger::Scheduled => Some("on a schedule"),
            Trigger::Storage => Some("continuously (stored)"),
            Trigger::Webhook
            | Trigger::Event
            | Trigger::LifecycleInstalled
            | Trigger::LifecycleUninstalled
            | Trigger::LifecycleEnabled
            | Trigger::LifecycleDisabled => Some("each time the product event occurs"),
            Trigger::Iframe | Trigger::User | Trigger::Invoke => Some("each time a user uses the app"),
            Trigger::Rest | Trigger::Fetch | Trigger::Remote | Trigger::Webtrigger | Trigger::Email => None,
        }
    };
    let mut frequency = BTreeSet::new();
    let into = components
        .iter()
        .filter_map(|c| graph.component(c))
        .flat_map(|c| graph.incoming(c).map(|(flow, _)| &model.flows[flow]));
    for flow in into {
        // A call the app makes (a fetch, a REST call) is as frequent as whatever runs the
        // calling code, which a model does not always show (an import does not see scheduled
        // triggers): said as such, not guessed from the flows that happen to be modelled.
        frequency.insert(said(flow.trigger).unwrap_or("each time the app calls it"));
    }
    if frequency.is_empty() {
        "not stated".to_owned()
    } else {
        frequency.into_iter().collect::<Vec<_>>().join("; ")
    }
}

/// How long a recipient processes: the flows of the model run while the customer has the app
/// installed; what is kept after that is the retention (SCC Annex I.B asks for the duration of
/// processing by (sub-)processors).
const DURATION: &str =
    "while the customer has the app installed and the agreement is in force; what is kept after that: see retention";

/// A recipient's retention for the annex: what the model states for the organisation (which
/// replaces the catalog's default) and for each of its components that keeps data, and the
/// retention default the catalog gives for the provider, marked as not confirmed for this app;
/// "not stated" when none is known (evidence required when it stores the data).
fn retention(facts: &Facts<'_>, organisation: &str, components: &[String], at_rest: bool) -> String {
    use crate::facts::resolve::Retention;
    let mut stated = Vec::new();
    let org = facts.resolved.orgs.get(organisation);
    if let Some(Retention::Recorded { text }) = org.and_then(|o| o.retention.as_ref()) {
        stated.push(text.clone());
    }
    for id in components {
        let Some(c) = facts.loaded.graph.component(id) else {
            continue;
        };
        let component = &facts.model.components[c];
        let name = component.name.as_deref().unwrap_or(&component.id);
        if let Some(text) = &component.retention {
            stated.push(format!("{name}: {text}"));
        }
        // What happens at uninstall is part of the period (and Art. 28(3)(g) asks for deletion
        // or return at the end of the service).
        // Forge hosted storage is Atlassian's to keep (28 days after uninstall, the catalog's
        // default on Atlassian's row), whatever the app does.
        if !component.stores.is_empty() && component.kind != crate::model::ComponentKind::ForgeStorage {
            match component.purge_on_uninstall {
                Some(true) => stated.push(format!("{name}: deleted when the app is uninstalled")),
                Some(false) => stated.push(format!(
                    "{name}: kept after the app is uninstalled (no purge on uninstall): GDPR Art. 28(3)(g) asks for deletion or return at the end of the service (evidence required: how and when it is deleted)"
                )),
                None => {}
            }
        }
    }
    // The provider's default stands beside what the vendor states for its own stores (a
    // platform keeps data its own way too), but an organisation-wide statement replaces it.
    if let Some(Retention::CatalogDefault { text, source }) = org.and_then(|o| o.retention.as_ref()) {
        stated.push(format!(
            "the provider's published default for its standard service: {text} (source: {source}); not confirmed for this app's account (evidence required)"
        ));
    }
    if !stated.is_empty() {
        stated.join("; ")
    } else if at_rest {
        "not stated: it stores the data (evidence required)".to_owned()
    } else {
        // Annex I.B asks for the period also where data only passes through.
        "not stated (evidence required)".to_owned()
    }
}

/// The nature and purpose of a recipient's processing, in plain words.
fn annex_purpose(facts: &Facts<'_>, s: &crate::analysis::Subprocessor) -> String {
    let (model, graph) = (facts.model, &facts.loaded.graph);
    // The vendor processes for every purpose its code serves: what it sends on (to its
    // providers, back to the product) as much as what it receives.
    let mut purposes: BTreeSet<String> = s.purposes.iter().map(|p| plain(p)).collect();
    if s.role == crate::analysis::GdprRole::Processor {
        purposes.extend(
            s.components
                .iter()
                .filter_map(|id| graph.component(id))
                .flat_map(|c| graph.outgoing(c).map(|(flow, _)| &model.flows[flow]))
                .filter(|f| !f.data.is_empty())
                .filter_map(|f| f.purpose.as_deref().map(plain)),
        );
    }
    let stated = if purposes.is_empty() {
        "not stated (evidence required)".to_owned()
    } else {
        purposes.into_iter().collect::<Vec<_>>().join("; ")
    };
    // Impersonation widens what the vendor can do with the site's data: said beside
    // its purposes, as the scope grants it whatever the purposes say.
    match &facts.impersonation {
        Some(scope) if s.role == crate::analysis::GdprRole::Processor => format!(
            "{stated}; the app's permissions let it act as any user of the site, also when the user is not present ({scope})"
        ),
        _ => stated,
    }
}

/// One recipient's row of the DPA annex.
fn annex_row(facts: &Facts<'_>, hipaa: &crate::analysis::Hipaa, s: &crate::analysis::Subprocessor) -> AnnexRow {
    let model = facts.model;
    let not_stated = |s: Option<String>| s.filter(|s| !s.is_empty()).unwrap_or_else(|| "not stated".to_owned());
    let graph = &facts.loaded.graph;
    let ids: Vec<&str> = s.data.iter().map(|d| d.id.as_str()).collect();
    let mut subjects = BTreeSet::new();
    for id in &ids {
        if let Some(d) = facts.data_index(id) {
            subjects.extend(model.data[d].subjects.iter().cloned());
        }
    }
    let special: Vec<String> = ids
        .iter()
        .filter(|id| {
            facts
                .data_index(id)
                .is_some_and(|d| facts.phi(d) || model.data[d].special_category().is_some())
        })
        .map(|id| {
            // PHI is health data under GDPR Art. 9 too; said as the model's mark, not as a
            // second finding of the vendor's.
            let name = data_name(facts, id);
            match facts.data_index(id) {
                Some(d) if facts.phi(d) && !model.data[d].special.is_some_and(crate::model::Special::is_special) => {
                    format!("{name} (marked PHI: health data)")
                }
                _ => name,
            }
        })
        .collect();
    // "none" only when the model says so for every category: a descriptor cannot.
    let unstated: Vec<String> = ids
        .iter()
        .filter(|id| {
            facts.data_index(id).is_some_and(|d| {
                !model.data[d].special_stated() && !facts.phi(d) && model.data[d].special_category().is_none()
            })
        })
        .map(|id| data_name(facts, id))
        .collect();
    let frequency = frequency(model, graph, &s.components);
    let at_rest = s.data.iter().any(|d| d.at_rest);
    let retention = retention(facts, &s.organisation, &s.components, at_rest);
    let attestations = facts.resolved.orgs.get(s.organisation.as_str()).and_then(|o| {
        o.attestations.as_ref().map(|a| {
            format!(
                "{}{}",
                a.iter().map(|id| attestation_name(id)).collect::<Vec<_>>().join(", "),
                if o.attestations_recorded {
                    ""
                } else {
                    " (published by the provider; the reports themselves are not on file: evidence required)"
                }
            )
        })
    });
    AnnexRow {
        recipient: s.name.clone(),
        date_added: facts
            .resolved
            .orgs
            .get(s.organisation.as_str())
            .and_then(|o| o.since.clone()),
        legal_entity: not_stated(s.legal_entity.clone()),
        country: not_stated(s.country.clone()),
        role: serde_json::to_value(s.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        data_subjects: if subjects.is_empty() {
            "not stated (evidence required)".to_owned()
        } else {
            subjects.into_iter().collect::<Vec<_>>().join("; ")
        },
        personal_data: said_data(facts, &s.data),
        special_categories: {
            let mut said = special;
            // SCC Annex I.B asks for the restrictions or safeguards applied to sensitive data;
            // the model has no field for them, and Art. 9 asks for a condition of its own.
            if !said.is_empty() {
                said.push("restrictions or safeguards applied to them (SCC Annex I.B): not stated (evidence required); their processing needs a GDPR Art. 9(2) condition, and at large scale a DPIA (Art. 35(3)(b))".to_owned());
            }
            if !unstated.is_empty() {
                said.push(format!("not stated for {} (evidence required)", unstated.join("; ")));
            }
            if said.is_empty() {
                "none".to_owned()
            } else {
                said.join("; ")
            }
        },
        purpose: annex_purpose(facts, s),
        frequency,
        duration: DURATION.to_owned(),
        retention,
        location: location_cell(facts, s),
        transfer: transfer_cell(facts, s),
        safeguards: not_stated(attestations),
        dpa: if s.role == crate::analysis::GdprRole::Processor {
            // The customer's own agreement with the vendor, which this annex belongs to.
            match (&s.dpa, &s.dpa_url) {
                (crate::facts::resolve::Evidence::Recorded, Some(url)) => {
                    format!("the vendor's DPA with the customer ({url})")
                }
                (crate::facts::resolve::Evidence::Recorded, None) => "the vendor's DPA with the customer".to_owned(),
                _ => "the vendor's DPA with the customer is not recorded (evidence required)".to_owned(),
            }
        } else {
            dpa_said(s)
        },
        entity: if s.legal_entity.is_some() && s.country.is_some() {
            s.entity()
        } else {
            format!("{} (evidence required)", s.entity())
        },
        baa: baa_said(hipaa, s),
    }
}

/// Whether any of `components` is of `kind`.
fn any_of_kind(facts: &Facts<'_>, components: &[String], kind: crate::model::ComponentKind) -> bool {
    components.iter().any(|id| {
        facts
            .graph
            .component(id)
            .is_some_and(|c| facts.model.components[c].kind == kind)
    })
}

/// Whether any of `components` is Forge hosted storage.
fn stores_in_forge(facts: &Facts<'_>, components: &[String]) -> bool {
    any_of_kind(facts, components, crate::model::ComponentKind::ForgeStorage)
}

/// Whether any of `components` is a Forge function.
fn runs_in_forge(facts: &Facts<'_>, components: &[String]) -> bool {
    any_of_kind(facts, components, crate::model::ComponentKind::ForgeFunction)
}

/// Where a recipient processes, per realm, with what the model cannot place: modules whose
/// residency Atlassian does not document, and hosts that are not production destinations.
fn location_cell(facts: &Facts<'_>, s: &crate::analysis::Subprocessor) -> String {
    let notes: Vec<String> = undocumented_residency(facts.model, facts.graph, &s.components)
        .iter()
        .map(|module| {
            format!("{module}: data residency not confirmed by Atlassian's documentation, so where it keeps data is not known (evidence required)")
        })
        .chain(
            crate::facts::sections::unpinned_storage(&facts.pinned_blockers)
                .filter(|_| stores_in_forge(facts, &s.components))
                .map(|why| format!("{why} (evidence required)")),
        )
        // Atlassian "aims" to run Forge invocations where the host product is (atlassian.md
        // B1): the place of the app's functions is the aim, not a guarantee.
        .chain(runs_in_forge(facts, &s.components).then(|| {
            "Forge functions: Atlassian aims to run them where the site's product is, without a guarantee".to_owned()
        }))
        .chain(non_production_hosts(facts, &s.components).into_iter().map(|(host, why)| {
            format!("reached at {host}, which is not a production destination ({why}): where the deployed service runs is not known (evidence required)")
        }))
        .collect();
    // Without installations there are no realms to place it in: the cell says so first, and
    // the notes about the recipient follow.
    let unknown = facts
        .model
        .installations
        .is_empty()
        .then(|| CELL_NO_INSTALLATIONS.to_owned());
    let places = unknown
        .into_iter()
        .chain(s.said_locations())
        .collect::<Vec<_>>()
        .join("; ");
    // The places are the model's; what keeps them from being settled follows them at once, so
    // no reader takes the first words for a fact.
    if notes.is_empty() {
        places
    } else {
        format!("{places} — as modelled, not confirmed: {}", notes.join("; "))
    }
}

/// A recipient's transfer basis per realm, and the transfers it makes itself: said once for
/// all sites when they are the same in every realm (a vendor with many providers would
/// otherwise repeat the whole list per realm), else per realm.
fn transfer_cell(facts: &Facts<'_>, s: &crate::analysis::Subprocessor) -> String {
    if facts.model.installations.is_empty() {
        return CELL_NO_INSTALLATIONS.to_owned();
    }
    let mine: Vec<&crate::analysis::Transfer> = facts
        .transfers
        .iter()
        .filter(|t| t.exporter == s.organisation && t.importer != s.organisation)
        .map(std::convert::AsRef::as_ref)
        .collect();
    // Every basis still to be evidenced says so in the words a reader looks for.
    let per_realm: Vec<(String, String, Option<String>)> = s
        .transfer_mechanism
        .iter()
        .map(|(realm, t)| {
            let sites = crate::facts::sections::realm_sites(realm);
            let label = if t.needs_evidence() && !t.label.contains("evidence required") {
                format!("{} (evidence required)", t.label)
            } else {
                t.label.clone()
            };
            (sites, label, onward_transfers(facts, &mine, t))
        })
        .collect();
    let shared = per_realm.len() > 1 && per_realm.windows(2).all(|w| w[0].2 == w[1].2);
    let mut said: Vec<String> = per_realm
        .iter()
        .map(|(sites, label, onward)| match onward {
            Some(onward) if !shared => format!("{sites}: {label}; {onward}"),
            _ => format!("{sites}: {label}"),
        })
        .collect();
    if shared && let Some((_, _, Some(onward))) = per_realm.first() {
        said.push(format!("all sites: {onward}"));
    }
    said.join("; ")
}

/// The transfers a recipient makes as exporter in the realm of `to_it` (the vendor to its
/// hosting and API providers), in an annex's words. A vendor established in the customer's
/// country is "not a transfer" itself while the data still leaves the country on the next hop:
/// the reader of one entry must not take the first hop for the whole story. That next hop is
/// the vendor's own transfer (SCCs Module 3, the vendor as exporter) when the first was none
/// (or is not assessed), and an onward transfer (SCC clause 8.7/8.8) only when the first was a
/// transfer too.
fn onward_transfers(
    facts: &Facts<'_>,
    mine: &[&crate::analysis::Transfer],
    to_it: &crate::analysis::Transfer,
) -> Option<String> {
    // Each importer by its legal entity, with where it processes for this realm's customers
    // and the country its entity reaches the data from when that is elsewhere: the hop's
    // country alone would read as a place of processing (Atlassian keeps EU sites' data in the
    // EU, reachable from AU).
    let row_of = |id: &str| facts.subprocessors.iter().find(|s| s.organisation == id);
    let entity_of = |row: Option<&crate::analysis::Subprocessor>, id: &str| {
        row.map_or_else(
            || id.to_owned(),
            |s| s.legal_entity.clone().unwrap_or_else(|| s.name.clone()),
        )
    };
    let said = |t: &crate::analysis::Transfer| -> String {
        let row = row_of(&t.importer);
        let name = entity_of(row, &t.importer);
        let mark = crate::facts::sections::LEGAL_ENTITY_MARK;
        let (run, entity): (Vec<&str>, Vec<&str>) = row
            .and_then(|s| s.locations.get(t.realm.code()))
            .into_iter()
            .flatten()
            .map(String::as_str)
            .partition(|p| !p.ends_with(mark));
        let entity: Vec<&str> = entity.iter().map(|e| e.trim_end_matches(mark)).collect();
        let place = match (run.is_empty(), entity.is_empty(), &t.importer_country) {
            (true, true, Some(country)) => country.clone(),
            (true, true, None) => "where it processes: not known".to_owned(),
            (false, true, _) => run.join(", "),
            (true, false, _) => format!("reached from its entity in {}", entity.join(", ")),
            (false, false, _) => format!("{}, reachable from its entity in {}", run.join(", "), entity.join(", ")),
        };
        format!("{name} ({place})")
    };
    let mut importers: Vec<String> = mine
        .iter()
        .filter(|t| t.realm == to_it.realm)
        .map(|t| said(t))
        .collect();
    importers.sort();
    importers.dedup();
    if importers.is_empty() {
        return None;
    }
    let exporter = entity_of(row_of(&to_it.importer), &to_it.importer);
    // "Onward" only after a first hop that is itself a transfer; after none, or one under a
    // law trustflow does not assess, the vendor's transfer is the first.
    use crate::analysis::TransferStatus;
    let what = match to_it.status {
        TransferStatus::Recorded | TransferStatus::Offered | TransferStatus::Required => {
            format!("onward transfers by {exporter} to")
        }
        TransferStatus::NotATransfer | TransferStatus::NotAssessed => {
            format!("transfers by {exporter} as exporter (processor to sub-processor) to")
        }
    };
    Some(format!("{what} {}; see their entries", importers.join(", ")))
}

/// The hosts of the flows into `components` that are not production destinations (a Connect
/// `baseUrl` that is a tunnel or a placeholder), with why: the annex names them, as the
/// recipient's location cannot be known from such a descriptor.
fn non_production_hosts(facts: &Facts<'_>, components: &[String]) -> Vec<(String, &'static str)> {
    let mut hosts: Vec<(String, &'static str)> = components
        .iter()
        .filter_map(|id| facts.graph.component(id))
        .flat_map(|c| facts.graph.incoming(c))
        .filter_map(|(flow, _)| {
            let host = facts.model.flows[flow].host.as_deref()?;
            Some((crate::host::host_of(host), crate::host::non_production(host)?))
        })
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    hosts
}

/// A recipient's business associate agreement in an annex's words.
fn baa_said(hipaa: &crate::analysis::Hipaa, s: &crate::analysis::Subprocessor) -> String {
    use crate::facts::sections::HipaaScope;
    match hipaa.scope {
        HipaaScope::NoInstallations => "not assessed: no customer site is recorded".to_owned(),
        HipaaScope::NotCovered => {
            "none required by what the vendor states: no customer site is marked as covered by HIPAA".to_owned()
        }
        HipaaScope::PhiNotMarked => {
            "not assessed: no data category is marked PHI, so whether PHI reaches it is not shown (evidence required)"
                .to_owned()
        }
        HipaaScope::Assessed => match hipaa.chain.iter().find(|l| l.organisation == s.organisation) {
            Some(link) => format!(
                "needed with {} for the HIPAA-covered installations only: {}",
                link.baa_with, link.baa_label
            ),
            None => "none needed by this model: it receives no data marked PHI (unmarked content of a covered customer can still hold PHI)".to_owned(),
        },
    }
}

/// The annex's HIPAA paragraph: the covered sites, the PHI, and the chain's state.
fn hipaa_said(facts: &Facts<'_>, hipaa: &crate::analysis::Hipaa) -> Option<String> {
    use crate::facts::sections::HipaaScope;
    if matches!(hipaa.scope, HipaaScope::NoInstallations | HipaaScope::NotCovered) {
        return None;
    }
    // By realm, not by installation id: an annex goes to one customer, and the ids of the
    // model's other sites are neither its business nor words it would understand.
    let sites = hipaa.hipaa_installations.len();
    let realms: BTreeSet<String> = facts
        .model
        .installations
        .iter()
        .filter(|i| i.hipaa)
        .map(|i| crate::facts::sections::realm_sites(i.realm.code()))
        .collect();
    let covered = match facts.model.installations.len() {
        1 => "The customer's site this annex considers is HIPAA-covered".to_owned(),
        all => format!(
            "{sites} of the {all} customer sites this annex considers {} HIPAA-covered ({})",
            if sites == 1 { "is" } else { "are" },
            realms.into_iter().collect::<Vec<_>>().join(", ")
        ),
    };
    Some(if hipaa.scope == HipaaScope::Assessed {
        let phi: Vec<String> = hipaa.phi.iter().map(|id| data_name(facts, id)).collect();
        format!(
            "{covered}. PHI: {}. Each recipient of PHI needs a business associate agreement: the vendor with the customer, each of the vendor's providers with the vendor (45 CFR 164.502(e)); Atlassian's BAA with the customer covers its own products, not apps. The row of each recipient says what is recorded.",
            phi.join("; ")
        )
    } else {
        format!(
            "{covered}, but the vendor has not said which of the data is PHI: whether PHI reaches each recipient, and so which business associate agreements are needed, is not assessed (evidence required). Issue and page content of a covered entity can hold PHI."
        )
    })
}

/// Said at the top of an annex without customer sites, in a lawyer's words (the vendor is told
/// how to add them where it imports or checks the model).
const NO_SITES: &str = "No customer site is recorded, so where data is processed and the transfer basis are not assessed in this annex: they depend on each customer's data-residency region and country of establishment, which the vendor has to state.";

/// An annex cell whose answer depends on the installations, in a model without any.
const CELL_NO_INSTALLATIONS: &str = "not assessed: no customer site is recorded (where each customer's site is, and where the customer is established, decide it)";

/// The DPA annex.
pub fn annex(facts: &Facts<'_>, analysis: &Analysis) -> Annex {
    let model = facts.model;
    let rows: Vec<AnnexRow> = analysis
        .subprocessors
        .iter()
        .map(|s| annex_row(facts, &analysis.hipaa, s))
        .collect();
    Annex {
        app: analysis.app.name.clone(),
        version: model.app.version.clone(),
        as_of: None,
        controller: "the customer that installs the app, as named in the agreement this annex belongs to".to_owned(),
        warning: model.installations.is_empty().then(|| NO_SITES.to_owned()),
        processor: {
            let vendor = facts.resolved.orgs.get(model.app.vendor.as_str());
            let unstated = |name: &str| {
                // A name is not a legal entity, even one that reads like one ("… LLC"): the
                // model does not say it is the contracting entity.
                format!("the vendor known as \u{201c}{name}\u{201d} (the legal entity that contracts, and where it is established, are not stated: evidence required)")
            };
            let entity = vendor.map_or_else(
                || unstated(&model.app.vendor),
                |v| v.legal_entity.clone().unwrap_or_else(|| unstated(&v.name)),
            );
            let contact = model
                .organisations
                .iter()
                .find(|o| o.id == model.app.vendor)
                .and_then(|o| o.contact.clone())
                .unwrap_or_else(|| "not stated (evidence required)".to_owned());
            format!("{entity}; contact for data protection: {contact}")
        },
        no_subprocessors: (!rows.iter().any(|r: &AnnexRow| r.role != "processor")).then(|| {
            "No sub-processor of the vendor is recorded: whether it uses any (hosting, e-mail, AI or other services) is not stated (evidence required).".to_owned()
        }),
        rows,
        hipaa: hipaa_said(facts, &analysis.hipaa),
        integrations: analysis
            .customer_integrations
            .iter()
            .map(|i| AnnexIntegration {
                // The provider by name where the model knows it, else the service and that its
                // provider is not stated. The entity is the model's or the catalog's; the
                // customer's own agreement decides which one it contracts with, so the annex
                // does not assert it.
                name: match (&i.organisation, &i.legal_entity) {
                    (Some(o), Some(e)) if o != e => {
                        format!("{o} ({e}, unless the customer's own agreement names another entity)")
                    }
                    (Some(o), _) => o.clone(),
                    (None, _) => format!("{} (provider not stated)", i.name),
                },
                provider: i
                    .organisation
                    .clone()
                    .unwrap_or_else(|| format!("{} (provider not stated)", i.name)),
                legal_entity: i.legal_entity.as_ref().map_or_else(String::new, |e| {
                    format!("{e}, unless the customer's own agreement names another entity")
                }),
                personal_data: {
                    let names = i.data.iter().map(|id| data_name(facts, id)).collect::<Vec<_>>().join("; ");
                    if i.assumed { format!("{ASSUMED}: {names}") } else { names }
                },
                purpose: purposes_into(model, &i.component),
                role: "the customer's processor (an integration the customer enables with its own account)".to_owned(),
                agreement: {
                    let phi: Vec<String> = i
                        .data
                        .iter()
                        .filter(|id| facts.data_index(id).is_some_and(|d| facts.phi(d)))
                        .map(|id| data_name(facts, id))
                        .collect();
                    let mut said = "the customer's own agreement with the provider applies; not a sub-processor of the vendor".to_owned();
                    if !phi.is_empty() && !analysis.hipaa.hipaa_installations.is_empty() {
                        said.push_str(&format!(
                            "; it receives PHI ({}): a HIPAA-covered customer needs its own business associate agreement with the provider",
                            phi.join("; ")
                        ));
                    }
                    said
                },
            })
            .collect(),
    }
}

/// The annex as CSV, one recipient per row, then the customer's integrations.
pub fn annex_csv(annex: &Annex) -> Vec<u8> {
    const HEADER: [&str; 19] = [
        "recipient",
        "legal_entity",
        "country",
        "role",
        "data_subjects",
        "personal_data",
        "special_categories",
        "purpose",
        "frequency",
        "duration",
        "retention",
        "location",
        "transfer",
        "certifications",
        "dpa",
        "baa",
        "app",
        "app_version",
        "as_of",
    ];
    // Each row says which app and date it belongs to, so the file stands alone when it is
    // attached without the HTML; without installations the cells themselves say why they are
    // not assessed (a note row would be read as a recipient by a spreadsheet).
    let (app, version, as_of) = (
        annex.app.as_str(),
        annex.version.as_deref().unwrap_or(""),
        annex.as_of.as_deref().unwrap_or(""),
    );
    super::csv::write_rows(
        &HEADER,
        annex
            .rows
            .iter()
            .map(|r| {
                [
                    r.recipient.as_str(),
                    r.legal_entity.as_str(),
                    r.country.as_str(),
                    r.role.as_str(),
                    r.data_subjects.as_str(),
                    r.personal_data.as_str(),
                    r.special_categories.as_str(),
                    r.purpose.as_str(),
                    r.frequency.as_str(),
                    r.duration.as_str(),
                    r.retention.as_str(),
                    r.location.as_str(),
                    r.transfer.as_str(),
                    r.safeguards.as_str(),
                    r.dpa.as_str(),
                    r.baa.as_str(),
                    app,
                    version,
                    as_of,
                ]
            })
            .chain(annex.integrations.iter().map(|i| {
                let mut row = [""; 19];
                row[0] = i.provider.as_str();
                row[1] = i.legal_entity.as_str();
                row[3] = i.role.as_str();
                row[5] = i.personal_data.as_str();
                row[7] = i.purpose.as_str();
                row[14] = i.agreement.as_str();
                row[16] = app;
                row[17] = version;
                row[18] = as_of;
                row
            })),
    )
}
