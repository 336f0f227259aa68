//! Facts derived from the model and the catalog that every analysis needs: each
//! organisation's merged facts, who operates and hosts each component, and where it sits.

use crate::catalog::{Catalog, CatalogOrganisation};
use crate::graph::FlowGraph;
use crate::model::{ComponentKind, Model, OrgRole, Realm, Region};
use foldhash::HashMap;
use serde::Serialize;

/// An organisation with the model's facts laid over the catalog's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrgFacts {
    /// Model id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Contracting legal entity, if known.
    pub legal_entity: Option<String>,
    /// Country of the legal entity, if known.
    pub country: Option<String>,
    /// Role in the app's processing.
    pub role: OrgRole,
    /// What it provides (`hosting`, `email`, `llm`, …), from the catalog.
    pub category: Option<String>,
    /// URL of the DPA recorded in the model.
    pub dpa: Option<String>,
    /// The DPA: recorded (a URL in the model), offered (catalog) or unknown.
    pub dpa_status: Evidence,
    /// Attestations (model, else catalog).
    pub attestations: Option<Vec<String>>,
    /// Whether the model (rather than the catalog) lists the attestations.
    pub attestations_recorded: bool,
    /// A HIPAA BAA with this organisation.
    pub baa: Evidence,
    /// What the organisation's BAA offer covers (catalog).
    pub baa_scope: Option<String>,
    /// EU–U.S. DPF certification.
    pub dpf_eu: Evidence,
    /// UK Extension to the DPF.
    pub dpf_uk: Evidence,
    /// Swiss–U.S. DPF.
    pub dpf_ch: Evidence,
    /// The catalog reports it as not certified under the EU–U.S. DPF (and the model records
    /// no certification): the UK Extension, which builds on it, is then not open to it either.
    #[serde(skip)]
    pub dpf_listed_absent: bool,
    /// EU SCCs.
    pub sccs: Evidence,
    /// UK IDTA or UK Addendum.
    pub uk_idta: Evidence,
    /// The vendor's SOC 2 report includes this organisation's controls (inclusive method).
    pub soc2_inclusive: bool,
    /// Domains served.
    pub domains: Vec<String>,
    /// Web site or trust-center URL.
    pub url: Option<String>,
    /// Where the catalog facts come from.
    pub sources: Vec<String>,
    /// How long it keeps the personal data it receives: the model's statement, else the
    /// catalog's published default for the provider.
    pub retention: Option<Retention>,
    /// The date it started (or starts) receiving personal data for the app (`since:`).
    pub since: Option<String>,
}

/// How long a recipient keeps personal data, and how far that is evidenced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum Retention {
    /// The model states it (`retention:`), in the vendor's words.
    Recorded {
        /// The statement.
        text: String,
    },
    /// The provider's published default for its standard service, from the catalog: what it
    /// says it keeps, not confirmed for this app's account or configuration.
    CatalogDefault {
        /// The default.
        text: String,
        /// Where it was read, with the date.
        source: String,
    },
}

/// An organisation's display name: the model's `name`, else the name of the catalog entry it
/// refers to (`catalog: atlassian` → "Atlassian"), else its id.
pub fn organisation_name<'m>(org: &'m crate::model::Organisation, catalog: &'m Catalog) -> &'m str {
    org.name
        .as_deref()
        .or_else(|| {
            org.catalog
                .as_deref()
                .and_then(|c| catalog.organisations.get(c))
                .map(|e| e.name.as_str())
        })
        .unwrap_or(&org.id)
}

impl Retention {
    /// In a reader's words: the model's statement, or the catalog default marked as such.
    pub fn said(&self) -> String {
        match self {
            Retention::Recorded { text } => text.clone(),
            Retention::CatalogDefault { text, .. } => {
                format!("{text}, by its standard terms (not confirmed for this app)")
            }
        }
    }
}

impl OrgFacts {
    fn merge(org: &crate::model::Organisation, entry: Option<&CatalogOrganisation>, is_vendor: bool) -> OrgFacts {
        let role = org.role.unwrap_or(if is_vendor {
            OrgRole::Vendor
        } else {
            entry.and_then(|e| e.role).unwrap_or(OrgRole::ThirdParty)
        });
        OrgFacts {
            id: org.id.clone(),
            name: org
                .name
                .clone()
                .or_else(|| entry.map(|e| e.name.clone()))
                .unwrap_or_else(|| org.id.clone()),
            legal_entity: org
                .legal_entity
                .clone()
                .or_else(|| entry.and_then(|e| e.legal_entity.clone())),
            country: org.country.clone().or_else(|| entry.and_then(|e| e.country.clone())),
            role,
            category: entry.and_then(|e| e.category.clone()),
            dpa: org.dpa.clone(),
            dpa_status: if org.dpa.is_some() {
                Evidence::Recorded
            } else {
                Evidence::from_catalog(entry.and_then(|e| e.dpa_offered))
            },
            attestations_recorded: org.attestations.is_some(),
            attestations: org
                .attestations
                .clone()
                .or_else(|| entry.map(|e| e.attestations.clone()).filter(|a| !a.is_empty())),
            baa: Evidence::of(org.hipaa_baa, entry.and_then(|e| e.hipaa_baa)),
            baa_scope: entry.and_then(|e| e.baa_scope.clone()),
            dpf_eu: Evidence::of(org.dpf, entry.and_then(|e| e.dpf)),
            dpf_uk: Evidence::of(org.dpf_uk, entry.and_then(|e| e.dpf_uk)),
            dpf_ch: Evidence::of(org.dpf_ch, entry.and_then(|e| e.dpf_ch)),
            dpf_listed_absent: org.dpf.is_none() && org.dpf_uk.is_none() && entry.and_then(|e| e.dpf) == Some(false),
            sccs: Evidence::of(org.sccs, entry.and_then(|e| e.sccs)),
            uk_idta: Evidence::of(org.uk_idta, None),
            soc2_inclusive: org.soc2_inclusive,
            domains: org
                .domains
                .clone()
                .unwrap_or_else(|| entry.map(|e| e.domains.clone()).unwrap_or_default()),
            url: org.url.clone().or_else(|| entry.and_then(|e| e.url.clone())),
            since: org.since.clone(),
            sources: entry
                .map(|e| e.sources.iter().map(|s| format!("{} ({})", s.url, s.as_of)).collect())
                .unwrap_or_default(),
            retention: match (&org.retention, entry) {
                (Some(text), _) => Some(Retention::Recorded { text: text.clone() }),
                (None, Some(e)) => e.retention.as_ref().map(|text| Retention::CatalogDefault {
                    text: text.clone(),
                    source: e
                        .retention_source
                        .as_ref()
                        .map_or_else(|| "source not given".to_owned(), |s| format!("{}, {}", s.url, s.as_of)),
                }),
                (None, None) => None,
            },
        }
    }

    /// Whether a SOC 2 report is known.
    pub fn soc2(&self) -> Option<&str> {
        self.attestations
            .as_ref()?
            .iter()
            .find(|a| a.starts_with("soc2"))
            .map(String::as_str)
    }
}

/// How far the model evidences a contractual fact (a DPA, SCCs, a BAA, DPF participation).
/// Only `Recorded` satisfies a rule: a catalog offer is not a signed contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// The model records it (`true`, or a document URL).
    Recorded,
    /// The catalog says the organisation offers it (or is listed for it); the model does not
    /// record it for this app.
    Offered,
    /// The model says there is none (`false`).
    None,
    /// Nothing is known.
    Unknown,
}

impl Evidence {
    /// From the model's yes/no (which wins) and the catalog's offer.
    pub fn of(model: Option<bool>, catalog: Option<bool>) -> Evidence {
        match model {
            Some(true) => Evidence::Recorded,
            Some(false) => Evidence::None,
            None => Evidence::from_catalog(catalog),
        }
    }

    /// From the catalog alone: offered, or unknown (the catalog never makes a fact "none").
    pub fn from_catalog(catalog: Option<bool>) -> Evidence {
        if catalog == Some(true) {
            Evidence::Offered
        } else {
            Evidence::Unknown
        }
    }

    /// The name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Recorded => "recorded",
            Evidence::Offered => "offered",
            Evidence::None => "none",
            Evidence::Unknown => "unknown",
        }
    }

    /// Whether it satisfies a rule (only a recorded fact does).
    pub fn is_recorded(self) -> bool {
        self == Evidence::Recorded
    }
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where a component sits, for one installation realm.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "code")]
pub enum Location {
    /// A jurisdiction code: ISO country or `EU`.
    Known(String),
    /// The model does not say, or the realm is `global`.
    Unknown,
}

impl Location {
    /// The code, if known.
    pub fn code(&self) -> Option<&str> {
        match self {
            Location::Known(code) => Some(code),
            Location::Unknown => None,
        }
    }
}

/// Resolved facts about the model's elements.
#[derive(Debug)]
pub struct Resolved<'m> {
    /// The model.
    pub model: &'m Model,
    /// Organisation facts by model id.
    pub orgs: HashMap<&'m str, OrgFacts>,
    /// For each component: operating organisation id, if any.
    pub operator: Vec<Option<String>>,
    /// For each component: hosting organisation id (the operator when not hosted elsewhere).
    pub host: Vec<Option<String>>,
    /// For each component: its region as read, if any.
    pub region: Vec<Option<Region>>,
    /// The id of the organisation playing Atlassian, if the model has one.
    pub atlassian: Option<String>,
    /// The id of the customer organisation, if the model has one.
    pub customer: Option<String>,
}

impl<'m> Resolved<'m> {
    /// Resolves a validated model.
    pub fn new(model: &'m Model, graph: &FlowGraph, catalog: &Catalog) -> Resolved<'m> {
        let mut orgs: HashMap<&str, OrgFacts> = model
            .organisations
            .iter()
            .map(|o| {
                let entry = o.catalog.as_deref().and_then(|c| catalog.organisations.get(c));
                (o.id.as_str(), OrgFacts::merge(o, entry, o.id == model.app.vendor))
            })
            .collect();
        // Atlassian is part of every app; a model that does not declare it gets the catalog's.
        if !orgs.contains_key(crate::model::IMPLICIT_ATLASSIAN)
            && let Some(entry) = catalog.organisations.get(crate::model::IMPLICIT_ATLASSIAN)
        {
            let implicit = crate::model::Organisation {
                id: crate::model::IMPLICIT_ATLASSIAN.to_owned(),
                catalog: Some(crate::model::IMPLICIT_ATLASSIAN.to_owned()),
                ..crate::model::Organisation::default()
            };
            orgs.insert(
                crate::model::IMPLICIT_ATLASSIAN,
                OrgFacts::merge(&implicit, Some(entry), false),
            );
        }
        let find_role = |role: OrgRole| {
            let mut ids: Vec<&str> = orgs
                .values()
                .filter(|o| o.role == role)
                .map(|o| o.id.as_str())
                .collect();
            ids.sort_unstable();
            ids.first().map(|s| (*s).to_owned())
        };
        let atlassian = find_role(OrgRole::Atlassian);
        let customer = find_role(OrgRole::Customer);
        // The innermost enclosing boundary that names an operator.
        let boundary_operator = |c: usize| {
            graph.enclosing[c]
                .iter()
                .find_map(|&b| model.boundaries[b].operator.clone())
        };
        let operator: Vec<Option<String>> = model
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.operator.clone().or_else(|| match c.kind {
                    k if k.runs_on_atlassian() => atlassian.clone(),
                    ComponentKind::User => customer.clone(),
                    _ => boundary_operator(i),
                })
            })
            .collect();
        let host = model
            .components
            .iter()
            .zip(&operator)
            .map(|(c, op)| c.hosted_by.clone().or_else(|| op.clone()))
            .collect();
        let region = model
            .components
            .iter()
            .map(|c| match &c.region {
                Some(text) => Region::parse(text).ok(),
                // Atlassian runs products and Forge in the site's own realm.
                None if c.kind.runs_on_atlassian() => Some(Region::Tenant),
                None => None,
            })
            .collect();
        Resolved {
            model,
            orgs,
            operator,
            host,
            region,
            atlassian,
            customer,
        }
    }

    /// Where component `c` sits for an installation in `realm`.
    pub fn location(&self, c: usize, realm: Realm, catalog: &Catalog) -> Location {
        let jurisdiction = match &self.region[c] {
            Some(Region::Tenant) => realm.jurisdiction().map(str::to_owned),
            Some(region) => catalog.jurisdiction_of(region),
            None => None,
        };
        jurisdiction.map_or(Location::Unknown, Location::Known)
    }

    /// Whether component `c` follows the installation's realm (moves on realm migration).
    pub fn follows_tenant(&self, c: usize) -> bool {
        matches!(self.region[c], Some(Region::Tenant))
    }

    /// The organisations responsible for component `c`: operator, host if different, and the
    /// app's vendor for Forge functions and storage (its code processes the data there).
    pub fn responsible(&self, c: usize) -> Vec<&str> {
        let mut orgs: Vec<&str> = Vec::with_capacity(3);
        orgs.extend(self.operator[c].as_deref());
        orgs.extend(self.host[c].as_deref());
        if matches!(
            self.model.components[c].kind,
            ComponentKind::ForgeFunction | ComponentKind::ForgeStorage
        ) && self.orgs.contains_key(self.model.app.vendor.as_str())
        {
            orgs.push(self.model.app.vendor.as_str());
        }
        orgs.dedup();
        orgs.sort_unstable();
        orgs.dedup();
        orgs
    }

    /// The role of an organisation id (third-party when unknown).
    pub fn role(&self, org: &str) -> OrgRole {
        self.orgs.get(org).map_or(OrgRole::ThirdParty, |o| o.role)
    }

    /// Whether component `c` runs on Atlassian (by kind, or operated and hosted by Atlassian).
    pub fn on_atlassian(&self, c: usize) -> bool {
        let component = &self.model.components[c];
        component.kind.runs_on_atlassian()
            || (self.operator[c].is_some()
                && self.operator[c] == self.atlassian
                && (self.host[c].is_none() || self.host[c] == self.atlassian))
    }
}

/// Whether a jurisdiction lies inside a realm's (data in Germany is inside the EU realm).
pub fn inside_realm(location: &str, realm: Realm, catalog: &Catalog) -> bool {
    match realm.jurisdiction() {
        None => true,
        Some("EU") => location == "EU" || (catalog.is_eea(location) && !matches!(location, "NO" | "IS" | "LI")),
        Some(code) => location == code,
    }
}
