//! What a descriptor cannot tell: the facts a DPA annex needs that an imported model lacks
//! (the vendor's legal entity, each recipient's entity, country and DPA, where the vendor's own
//! components run, the installations), as a list for the import summary and as a commented
//! overlay template to fill in.

use crate::catalog::Catalog;
use crate::model::{ComponentKind, Model, OrgRole};
use std::fmt::Write as _;

/// One missing fact: the element, and what to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The list the element is in (`organisations`, `components`, `installations`).
    pub section: &'static str,
    /// Its id.
    pub id: String,
    /// The keys to add, with an example value each.
    pub keys: Vec<(&'static str, String)>,
    /// Why it matters.
    pub why: &'static str,
}

/// The facts `model` lacks for a complete DPA annex. `name_from_file` is the name the import
/// gave the app after its file, when the descriptor names none.
pub fn gaps(model: &Model, catalog: &Catalog, name_from_file: Option<&str>) -> Vec<Gap> {
    let mut gaps = Vec::new();
    gaps.extend(app_gap(model, name_from_file));
    gaps.extend(organisation_gaps(model, catalog));
    for component in &model.components {
        if component.kind == ComponentKind::ExternalService
            && component.operator.is_none()
            && component.hosted_by.is_none()
            && !component
                .name
                .as_deref()
                .is_some_and(|n| n.ends_with("(not a production destination)"))
        {
            gaps.push(Gap {
                section: "components",
                id: component.id.clone(),
                keys: vec![("operator", "example-co".to_owned())],
                why: "an unidentified recipient: who runs this host (add that organisation under `organisations` with its legal_entity, country and dpa)",
            });
        }
        if component.basis == Some(crate::model::Basis::Permissions) {
            gaps.push(Gap {
                section: "components",
                id: component.id.clone(),
                keys: vec![(
                    "stores",
                    placeholder(&format!("the ids it really stores, a list such as [{}]", component.stores.join(", "))),
                )],
                why: "the import assumes it keeps all the personal data the app's permissions let it read: keep only what it really stores (the annex marks the list \"not confirmed\" until you do)",
            });
        }
        let vendor_run = matches!(component.kind, ComponentKind::Service | ComponentKind::Datastore);
        if component.kind == ComponentKind::ExternalService
            && component.region.is_none()
            && (component.operator.is_some() || component.hosted_by.is_some())
        {
            gaps.push(Gap {
                section: "components",
                id: component.id.clone(),
                keys: vec![("region", placeholder("eu, us or another region where it processes"))],
                why: "where this service processes the data (a regional endpoint, the provider's data residency): the annex's \"where processed\" and its transfers depend on it; if each customer connects its own account there (its own Slack workspace), write `owner: customer` instead: the provider is then the customer's processor, not the vendor's sub-processor",
            });
        }
        if vendor_run && component.region.is_none() {
            // A cloud region names the place; the hosting provider, when it is not already
            // known, is one more organisation the user adds with `hosted_by`.
            let keys = if component.hosted_by.is_some() {
                vec![("region", placeholder("eu, us or another region where it runs"))]
            } else {
                vec![("region", placeholder("its cloud region, such as aws:eu-central-1"))]
            };
            gaps.push(Gap {
                section: "components",
                id: component.id.clone(),
                keys,
                why: "where it runs (and, with `hosted_by`, on whose infrastructure): residency and transfers depend on it",
            });
        }
    }
    // Whether a category is health or other special-category data (Art. 9) no descriptor says.
    for data in model.data.iter().filter(|d| d.is_personal() && !d.special_stated()) {
        gaps.push(Gap {
            section: "data",
            id: data.id.clone(),
            keys: vec![("special", placeholder("none, or the category (health, …)"))],
            why: "whether it is health or other special-category data (GDPR Art. 9; `none`, or the category): the annex and notices say \"not stated\" until you do",
        });
    }
    gaps.extend(flow_gaps(model));
    let customer_managed = model
        .manifest
        .as_ref()
        .is_some_and(crate::model::ManifestFacts::customer_managed);
    if model.installations.is_empty() {
        let mut keys = vec![
            ("realm", placeholder("the site's data residency realm: eu, us, …")),
            (
                "established",
                placeholder("the customer's country, an ISO code such as DE"),
            ),
            ("products", "[jira]".to_owned()),
            ("plan", "standard".to_owned()),
        ];
        if customer_managed {
            keys.push((
                "approved_egress",
                format!("[{}]", placeholder("a host the site's admin approved")),
            ));
        }
        gaps.push(Gap {
            section: "installations",
            id: "example-site".to_owned(),
            keys,
            why: if customer_managed {
                "the customers' sites: without them no realm, transfer or residency is assessed; with customer-managed egress, the destinations each site's admin approved are its recipients"
            } else {
                "the customers' sites: without them no realm, transfer or residency is assessed"
            },
        });
    } else if customer_managed {
        for installation in model.installations.iter().filter(|i| i.approved_egress.is_none()) {
            gaps.push(Gap {
                section: "installations",
                id: installation.id.clone(),
                keys: vec![("approved_egress", "[\"api.example-crm.com\"]".to_owned())],
                why: "customer-managed egress: the destinations this site's admin approved are its recipients",
            });
        }
    }
    gaps
}

/// The gaps as lines for the import summary.
pub fn gap_lines(gaps: &[Gap]) -> Vec<String> {
    gaps.iter()
        .map(|g| {
            let keys: Vec<&str> = g.keys.iter().map(|(k, _)| *k).collect();
            format!("{} `{}`: add {} ({})", g.section, g.id, keys.join(", "), g.why)
        })
        .collect()
}

/// What the app section lacks: its name when the import took it from the file, its version.
fn app_gap(model: &Model, name_from_file: Option<&str>) -> Option<Gap> {
    // The app's name when the descriptor gives none, and its version (a descriptor rarely says
    // which release it is): an annex says which version it describes.
    let mut app_keys = Vec::new();
    if name_from_file == Some(model.app.name.as_str()) {
        app_keys.push(("name", placeholder("the app's name on the Marketplace")));
    }
    if model.app.version.is_none() {
        app_keys.push(("version", placeholder("the release the annex describes, such as 2.4.0")));
    }
    if app_keys.is_empty() {
        None
    } else {
        Some(Gap {
            section: "app",
            id: model.app.name.clone(),
            why: if name_from_file == Some(model.app.name.as_str()) {
                "the descriptor names no app, so it is called after its file: every report, notice and trust page shows this name; and the release the annex and notices describe"
            } else {
                "the release the annex and notices describe"
            },
            keys: app_keys,
        })
    }
}

/// What each organisation other than the customer and Atlassian lacks: who it is, where it is
/// established, its DPA and how long it keeps the data.
fn organisation_gaps(model: &Model, catalog: &Catalog) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for org in &model.organisations {
        let role = org.role.unwrap_or(OrgRole::ThirdParty);
        if matches!(role, OrgRole::Customer | OrgRole::Atlassian) || org.id == crate::model::IMPLICIT_ATLASSIAN {
            continue;
        }
        let from_catalog = org.catalog.as_deref().and_then(|c| catalog.organisations.get(c));
        let mut keys = Vec::new();
        if org.legal_entity.is_none() && from_catalog.is_none_or(|c| c.legal_entity.is_none()) {
            keys.push(("legal_entity", placeholder("the legal entity that contracts")));
        }
        if org.country.is_none() && from_catalog.is_none_or(|c| c.country.is_none()) {
            keys.push((
                "country",
                placeholder("where it is established, an ISO code such as DE"),
            ));
        }
        // The customer's own account (every component it runs is `owner: customer`) is under
        // the customer's own agreement: no DPA of the vendor's to ask for, nor its retention.
        let mut run = model
            .components
            .iter()
            .filter(|c| c.operator.as_deref() == Some(org.id.as_str()))
            .peekable();
        let customers_own = run.peek().is_some() && run.all(|c| c.owner == Some(crate::model::Owner::Customer));
        if role == OrgRole::Vendor && org.contact.is_none() {
            keys.push(("contact", placeholder("the e-mail or page for data protection matters")));
        }
        if org.dpa.is_none() && !customers_own {
            keys.push(("dpa", placeholder("the signed DPA: its URL or reference")));
        }
        // A catalog default is the provider's standard terms, not what this app's account keeps.
        if org.retention.is_none() && !customers_own {
            keys.push((
                "retention",
                placeholder("how long it keeps the data, such as 30 days after uninstall"),
            ));
        }
        if !keys.is_empty() {
            gaps.push(Gap {
                section: "organisations",
                id: org.id.clone(),
                keys,
                why: if role == OrgRole::Vendor {
                    "the vendor: its legal entity, establishment (it decides the transfer law), its contact for data protection, the DPA it signs and how long it keeps the data (SCC Annex I.B, Art. 30(1)(f))"
                } else {
                    "a recipient: who it is, where it is established, the DPA that covers it and how long it keeps the data (GDPR Art. 28, 30(1)(f))"
                },
            });
        }
    }
    gaps
}

/// The start of every value the template leaves for the user to write: an overlay that still
/// holds one is refused, so an example never reaches an annex as if it were a fact.
pub const PLACEHOLDER: &str = "REPLACE:";

/// A template value to replace, saying what goes there.
fn placeholder(what: &str) -> String {
    format!("\"{PLACEHOLDER} {what}\"")
}

/// A commented overlay with exactly the gaps to fill: uncomment each line, put in the real
/// value, and pass the file to `trustflow import … --overlay`.
pub fn overlay_template(app: &str, regenerate: &str, gaps: &[Gap]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Overlay for {}: the facts the descriptor cannot tell.",
        app.replace('\n', " ")
    );
    let _ = writeln!(
        out,
        "# Uncomment each line, replace the example values with the real ones, then run:"
    );
    let _ = writeln!(out, "#   {regenerate}");
    let mut section = "";
    for gap in gaps {
        if gap.section != section && gap.section != "app" {
            section = gap.section;
            let _ = writeln!(out, "#\n# {section}:");
        }
        let keys: Vec<String> = gap.keys.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        if gap.section == "app" {
            // The app is a mapping, not a list of entries with ids.
            let _ = writeln!(out, "#\n# {}", gap.why);
            let _ = writeln!(out, "# app: {{ {} }}", keys.join(", "));
            section = "";
            continue;
        }
        let _ = writeln!(out, "#   # {}", gap.why);
        let _ = writeln!(out, "#   - {{ id: {}, {} }}", gap.id, keys.join(", "));
    }
    if gaps.is_empty() {
        let _ = writeln!(out, "# Nothing is missing for a DPA annex.");
    }
    out
}

/// Flows whose purpose the descriptor cannot tell, or whose data an import took from the app's
/// permissions on the way out of Atlassian.
fn flow_gaps(model: &Model) -> Vec<Gap> {
    let mut gaps = Vec::new();
    let atlassian: Vec<&str> = model
        .organisations
        .iter()
        .filter(|o| o.role == Some(OrgRole::Atlassian) || o.catalog.as_deref() == Some("atlassian"))
        .map(|o| o.id.as_str())
        .collect();
    for flow in model.flows.iter().filter(|f| !f.data.is_empty()) {
        let Some(id) = &flow.id else { continue };
        let mut keys = Vec::new();
        if flow.purpose.is_none() {
            keys.push(("purpose", placeholder("what the app sends it for, in plain words")));
        }
        // The scopes say what the app may read, not what it does: data that reaches the
        // vendor's own code (a Forge function, its server) or a service outside Atlassian is
        // what the annex says the vendor processes or discloses, so its list is the vendor's to
        // confirm. Atlassian-run storage is confirmed by its `stores` list instead.
        let leaves = model.components.iter().find(|c| c.id == flow.to).is_some_and(|c| {
            !matches!(c.kind, ComponentKind::AtlassianProduct | ComponentKind::User)
                && !c.operator.as_deref().is_some_and(|o| atlassian.contains(&o))
        });
        if leaves && flow.basis == Some(crate::model::Basis::Permissions) {
            keys.push((
                "data",
                placeholder(&format!(
                    "the ids it really sends, a list such as [{}]",
                    flow.data.join(", ")
                )),
            ));
        }
        if keys.is_empty() {
            continue;
        }
        gaps.push(Gap {
            section: "flows",
            id: id.clone(),
            why: match (flow.purpose.is_none(), keys.len()) {
                (true, 1) => "the descriptor shows that personal data goes there, not why: the purpose the DPA annex states (GDPR Art. 28(3)(a), 30(1)(b))",
                (true, _) => "the descriptor shows that personal data may go there, not why or which: the purpose the DPA annex states (GDPR Art. 28(3)(a), 30(1)(b)), and the data the app really sends (the import lists all its permissions allow; keep only what it sends)",
                (false, _) => "the import lists all the personal data the app's permissions allow it to send there: keep only what it really sends (the annex marks the list \"not confirmed\" until you do)",
            },
            keys,
        });
    }
    gaps
}
