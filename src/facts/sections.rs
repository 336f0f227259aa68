//! The report sections of an analysis: GDPR inventory, residency, HIPAA, SOC 2, Runs on Atlassian.

use super::Facts;
use super::customers::{self, CustomerLaw};
use super::resolve::{Evidence, OrgFacts, inside_realm};
use super::transfers::{self, Exporter, Importer, Transfer};
use crate::model::{ComponentKind, OrgRole, Platform, Realm};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A data category an organisation receives.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct DataUse {
    /// Data category id.
    pub id: String,
    /// Stored by the organisation (rather than only passing through).
    pub at_rest: bool,
    /// Listed only because the app's permissions allow it (an importer's reading of the
    /// scopes or a declared egress), not confirmed by the vendor: evidence required. Omitted
    /// when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed: bool,
}

/// One row of the GDPR inventory.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Subprocessor {
    /// Organisation id in the model.
    pub organisation: String,
    /// Display name.
    pub name: String,
    /// Contracting legal entity.
    pub legal_entity: Option<String>,
    /// Country of the legal entity.
    pub country: Option<String>,
    /// `processor` (the vendor), `sub-processor` (the vendor's providers, Atlassian for Forge).
    pub role: GdprRole,
    /// What it provides (`hosting`, `email`, `llm`, `platform`, …), when known.
    pub category: Option<String>,
    /// Personal data categories received.
    pub data: Vec<DataUse>,
    /// Purposes, from the flows that bring the data.
    pub purposes: Vec<String>,
    /// The components through which it receives the data.
    pub components: Vec<String>,
    /// Where the data is processed, per installation realm.
    pub locations: BTreeMap<String, Vec<String>>,
    /// `recorded` (a DPA URL in the model), `offered` (the catalog says one is offered) or `unknown`.
    pub dpa: Evidence,
    /// The DPA's URL, when recorded.
    pub dpa_url: Option<String>,
    /// The DPA comes with the platform's terms (the Forge Data Processing Addendum the vendor
    /// accepts with the Forge terms to deploy), not a contract the model records. Omitted
    /// when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dpa_by_platform_terms: bool,
    /// The organisation's web site or trust center.
    pub url: Option<String>,
    /// How long it keeps what it receives, in a reader's words: the model's statement, or the
    /// catalog's default for the provider's standard service marked as such.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// The disclosure to this organisation, per installation realm: an entry of the
    /// analysis's `transfers`, written in JSON as its summary and its place in that list.
    pub transfer_mechanism: BTreeMap<String, Hop>,
}

/// The hop into an inventory row's organisation in one realm: the analysis's `transfers[index]`,
/// shared with that list. In JSON it is that entry's summary ([`HopSummary`]) and `transfer`,
/// its index: the whole entry, with its reasons, countries and per-customer-law parts, is
/// written once, in `transfers` (writing it twice made the copy a sixth of a large analysis's
/// JSON).
#[derive(Clone, Debug)]
pub struct Hop {
    /// The hop.
    pub transfer: std::sync::Arc<Transfer>,
    /// Its index in the analysis's `transfers`.
    pub index: usize,
}

impl std::ops::Deref for Hop {
    type Target = Transfer;

    fn deref(&self) -> &Transfer {
        &self.transfer
    }
}

/// Two hops are the same when their conclusions are: where they stand in the list is not
/// part of what a change notice compares.
impl PartialEq for Hop {
    fn eq(&self, other: &Hop) -> bool {
        self.transfer == other.transfer
    }
}

/// The hop into this organisation in one realm, summarised: the whole hop, with its reasons
/// (`why`), countries and per-customer-law parts, is `transfers[transfer]`.
#[derive(Serialize, schemars::JsonSchema)]
struct HopSummary<'a> {
    /// The index of the whole hop in the analysis's `transfers`.
    transfer: usize,
    /// Organisation id of the exporter, or `customer`.
    exporter: &'a str,
    /// The law that governs the disclosure (`unknown` when customers established under
    /// different laws disagree on it).
    regime: transfers::Regime,
    /// The basis (with `customer_law_parts`: the most demanding part's).
    mechanism: transfers::TransferMechanism,
    /// The SCC module (1–4) when SCCs are the basis.
    module: Option<u8>,
    /// How far the basis is evidenced (with `customer_law_parts`: the most demanding part's).
    status: transfers::TransferStatus,
    /// A short summary for tables; with customer-law parts, each group's outcome.
    label: &'a str,
    /// The SCCs come with the platform's terms (the Forge terms), not a contract the model
    /// records. Omitted when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    by_platform_terms: bool,
    /// A fact the model lacks decides the basis: evidence required.
    evidence_required: bool,
    /// When the realm's customers are established under different laws and this hop depends
    /// on that law: how many groups `transfers[transfer].by_customer_law` concludes for, each
    /// for its own installations. `status`, `mechanism` and `module` are then the most
    /// demanding group's, not every installation's. Omitted when the hop has one conclusion.
    #[serde(default, skip_serializing_if = "is_zero")]
    customer_law_parts: usize,
}

// serde's `skip_serializing_if` hands the field by reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl<'a> From<&'a Hop> for HopSummary<'a> {
    fn from(hop: &'a Hop) -> HopSummary<'a> {
        HopSummary {
            transfer: hop.index,
            exporter: &hop.exporter,
            regime: hop.regime,
            mechanism: hop.mechanism,
            module: hop.module,
            status: hop.status,
            label: &hop.label,
            by_platform_terms: hop.by_platform_terms,
            evidence_required: hop.evidence_required,
            customer_law_parts: hop.by_customer_law.len(),
        }
    }
}

impl Serialize for Hop {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        HopSummary::from(self).serialize(serializer)
    }
}

impl schemars::JsonSchema for Hop {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Hop".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        HopSummary::json_schema(generator)
    }
}

/// Where the inventory's organisations process the data or can reach it from, per realm: for
/// naming every place beside the one a hop is assessed for.
pub struct Places<'a>(foldhash::HashMap<&'a str, &'a BTreeMap<String, Vec<String>>>);

impl<'a> Places<'a> {
    /// Indexes the inventory's rows by organisation.
    pub fn of(rows: &'a [Subprocessor]) -> Places<'a> {
        Places(
            rows.iter()
                .map(|row| (row.organisation.as_str(), &row.locations))
                .collect(),
        )
    }

    /// The places of `organisation` in `realm`; empty when the inventory has none.
    pub fn get(&self, organisation: &str, realm: Realm) -> &'a [String] {
        self.0
            .get(organisation)
            .and_then(|at| at.get(realm.code()))
            .map_or(&[], Vec::as_slice)
    }
}

/// The part an organisation plays in the GDPR inventory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GdprRole {
    /// The app's vendor, processing for the customer (Art. 28).
    Processor,
    /// A processor engaged by the vendor (Art. 28(2), (4)).
    SubProcessor,
    /// An organisation deciding its own purposes (Art. 4(7)): not a sub-processor.
    IndependentController,
    /// A processor engaged by an independent controller for that controller's own purposes
    /// (the vendor's analytics provider): the controller's processor, not the customer's
    /// sub-processor.
    ControllersProcessor,
}

impl std::fmt::Display for GdprRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl GdprRole {
    /// The name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            GdprRole::Processor => "processor",
            GdprRole::SubProcessor => "sub-processor",
            GdprRole::IndependentController => "independent-controller",
            GdprRole::ControllersProcessor => "controllers-processor",
        }
    }

    /// Whether the organisation is one of the vendor's sub-processors of the customer's data
    /// (or the vendor itself): not an independent controller or its processor.
    pub fn serves_customer(self) -> bool {
        matches!(self, GdprRole::Processor | GdprRole::SubProcessor)
    }
}

fn gdpr_role(facts: &OrgFacts) -> Option<GdprRole> {
    match facts.role {
        OrgRole::Customer => None,
        OrgRole::Vendor => Some(GdprRole::Processor),
        OrgRole::Atlassian | OrgRole::ThirdParty => Some(GdprRole::SubProcessor),
        OrgRole::IndependentController => Some(GdprRole::IndependentController),
    }
}

/// Whether a component counts as receiving data for the inventory: the customer's own product
/// and users are where the data comes from.
fn receives(cx: &Facts<'_>, c: usize) -> bool {
    !cx.model.components[c].kind.is_origin()
}

/// What one organisation receives: data id → at rest, component indices, purposes.
type Receipt = (BTreeMap<String, (bool, bool)>, BTreeSet<usize>, BTreeSet<String>);

/// The one independent controller every personal-data flow into `org`'s components comes from,
/// if there is one: `org` then works for that controller's own purposes.
fn controller_upstream(cx: &Facts<'_>, components: &BTreeSet<usize>) -> Option<String> {
    let mut controllers = BTreeSet::new();
    for &c in components {
        for (flow, from) in cx.graph.incoming(c) {
            let personal = cx.graph.carried[flow]
                .iter()
                .any(|&d| cx.personal(d as usize) && cx.propagation.get(d as usize, from).is_some());
            if !personal {
                continue;
            }
            let sources = cx.resolved.responsible(from);
            let controller = sources
                .iter()
                .find(|o| cx.resolved.role(o) == OrgRole::IndependentController);
            match controller {
                Some(o) => {
                    controllers.insert((*o).to_owned());
                }
                None => return None,
            }
        }
    }
    (controllers.len() == 1).then(|| controllers.into_iter().next().unwrap_or_default())
}

/// How a location list marks the country of a recipient's legal entity (which can reach the
/// data) when its services run elsewhere: `AU (legal entity)` in the analysis's lists.
pub const LEGAL_ENTITY_MARK: &str = " (legal entity)";

/// Locations as a reader outside the company reads them: the places of processing, then the
/// legal entity's country said as "reachable from … (its legal entity)" rather than listed as a
/// place of processing: the entity can reach the data from there (remote access is a transfer).
pub fn said_places(places: &[String]) -> Vec<String> {
    let (entity, run): (Vec<&String>, Vec<&String>) = places.iter().partition(|p| p.ends_with(LEGAL_ENTITY_MARK));
    let entity: Vec<&str> = entity.iter().map(|e| e.trim_end_matches(LEGAL_ENTITY_MARK)).collect();
    let mut out: Vec<String> = run.into_iter().cloned().collect();
    if !entity.is_empty() {
        out.push(format!("reachable from {} (its legal entity)", entity.join(", ")));
    }
    out
}

impl Subprocessor {
    /// Who it is, in one phrase: its legal entity and where it is established, or what is not
    /// stated.
    pub fn entity(&self) -> String {
        match (&self.legal_entity, &self.country) {
            (Some(e), Some(c)) => format!("{e}, established in {c}"),
            (Some(e), None) => format!("{e}, establishment not stated"),
            (None, Some(c)) => format!("legal entity not stated, established in {c}"),
            (None, None) => "legal entity not stated".to_owned(),
        }
    }

    /// Where it processes, per realm, as a customer reads it ("EU sites: EU, reachable from AU
    /// (its legal entity)").
    pub fn said_locations(&self) -> Vec<String> {
        self.locations
            .iter()
            .map(|(realm, places)| format!("{}: {}", realm_sites(realm), said_places(places).join(", ")))
            .collect()
    }
}

/// The sites of one data-residency realm, as a customer reads it (`eu` → "EU sites"): a realm is
/// where a site's data is pinned, not a law or a country.
pub fn realm_sites(realm: &str) -> String {
    format!("{} sites", realm.to_uppercase())
}

/// What `org` does with data reaching component `c` on a flow for `purpose`: the flow's
/// purpose when it runs the component, hosting (of code or of data) when it only hosts it (a hosting
/// provider does not "summarise issues"; the vendor does, on its infrastructure).
fn purpose_of(cx: &Facts<'_>, org: &str, c: usize, purpose: &str) -> String {
    let component = &cx.model.components[c];
    // Atlassian runs a Forge app's functions and storage for the vendor: it hosts them; the
    // purposes are the vendor's.
    let forge_host = cx.resolved.role(org) == OrgRole::Atlassian
        && matches!(
            component.kind,
            ComponentKind::ForgeFunction | ComponentKind::ForgeStorage
        );
    let hosts_only =
        forge_host || (cx.resolved.host[c].as_deref() == Some(org) && cx.resolved.operator[c].as_deref() != Some(org));
    if hosts_only {
        // Said by what is hosted, not by the component's (often technical) name: a DPA states
        // the processing, and the components are listed beside it.
        match component.kind {
            ComponentKind::ForgeStorage | ComponentKind::Datastore => "Storage of the app's data",
            ComponentKind::ExternalService => "Hosting of a service the app uses",
            _ => "Hosting of the app's code",
        }
        .to_owned()
    } else {
        purpose.to_owned()
    }
}

/// What each organisation receives: the personal data, the components, the purposes.
fn receipts(cx: &Facts<'_>) -> BTreeMap<String, Receipt> {
    let model = cx.model;
    let mut rows: BTreeMap<String, Receipt> = BTreeMap::new();
    for (d, category) in model.data.iter().enumerate() {
        if !cx.personal(d) {
            continue;
        }
        for (reach, org) in cx.recipients(d) {
            let row = rows.entry(org.to_owned()).or_default();
            // Stored anywhere it is received; assumed only when every way it arrives is.
            let (at_rest, assumed) = row.0.entry(category.id.clone()).or_insert((false, true));
            *at_rest |= reach.at_rest;
            *assumed &= reach.assumed;
            row.1.insert(reach.component);
            if let Some(purpose) = reach.via.and_then(|f| model.flows[f].purpose.as_deref()) {
                row.2.insert(purpose_of(cx, org, reach.component, purpose));
            }
        }
    }
    // Purposes of every personal-data flow into the organisation's components, not only the first.
    for (f, flow) in model.flows.iter().enumerate() {
        let Some(purpose) = &flow.purpose else { continue };
        let Some((_, to)) = cx.graph.ends[f] else {
            continue;
        };
        let personal = cx.graph.carried[f].iter().any(|&d| cx.personal(d as usize));
        if !personal || !receives(cx, to) {
            continue;
        }
        for org in cx.resolved.responsible(to) {
            if let Some(row) = rows.get_mut(org) {
                row.2.insert(purpose_of(cx, org, to, purpose));
            }
        }
    }
    rows
}

/// A hop's reason and label with what the customer's law rests on: recorded, or presumed from
/// the realm (said as a presumption: the customer's establishment decides).
fn with_customer_law(mut transfer: Transfer, role: GdprRole, exporter_unplaced: bool, law: &CustomerLaw) -> Transfer {
    if role == GdprRole::Processor || exporter_unplaced {
        transfer.why = format!("{}; which law applies: {}", transfer.why, law.why);
    }
    let mut transfer = transfer.labelled();
    if role == GdprRole::Processor && law.presumed && law.regime.is_some() {
        transfer.label.push_str(" — regime presumed from the realm");
        transfer.evidence_required = true;
    }
    transfer
}

/// The GDPR inventory, and every transfer of personal data per realm, exporter and importer.
pub fn subprocessors(cx: &Facts<'_>) -> (Vec<Subprocessor>, Vec<std::sync::Arc<Transfer>>) {
    let model = cx.model;
    let rows = receipts(cx);
    let vendor = cx.resolved.orgs.get(model.app.vendor.as_str());
    // Each recipient is assessed on its own, on all threads; the rows keep the inventory's
    // order (by organisation id).
    let rows: Vec<(String, Receipt)> = rows.into_iter().collect();
    let assessed: Vec<(Subprocessor, Vec<std::sync::Arc<Transfer>>)> = rows
        .into_par_iter()
        .filter_map(|(org, receipt)| recipient_row(cx, vendor, &org, receipt))
        .collect();
    let mut all = Vec::with_capacity(assessed.iter().map(|(_, t)| t.len()).sum());
    let mut out = Vec::with_capacity(assessed.len() + 1);
    for (mut row, transfers) in assessed {
        for hop in row.transfer_mechanism.values_mut() {
            hop.index += all.len();
        }
        out.push(row);
        all.extend(transfers);
    }
    out.extend(unidentified(cx, &mut all));
    (out, all)
}

/// One recipient's inventory row and the transfers to it (one per realm), or `None` when it
/// is not a recipient under the GDPR's roles.
fn recipient_row(
    cx: &Facts<'_>,
    vendor: Option<&OrgFacts>,
    org: &str,
    (data, components, purposes): Receipt,
) -> Option<(Subprocessor, Vec<std::sync::Arc<Transfer>>)> {
    let model = cx.model;
    let mut all = Vec::with_capacity(cx.realms.len());
    let facts = cx.resolved.orgs.get(org)?;
    let mut role = gdpr_role(facts)?;
    let controller = (role == GdprRole::SubProcessor)
        .then(|| controller_upstream(cx, &components))
        .flatten();
    let controller_facts = controller.as_deref().and_then(|c| cx.resolved.orgs.get(c));
    if controller_facts.is_some() {
        role = GdprRole::ControllersProcessor;
    }
    let mut locations = BTreeMap::new();
    let mut transfer_mechanism = BTreeMap::new();
    for &realm in &cx.realms {
        let places = processing_places(cx, facts, &components, realm);
        // Shown apart: where its components run, and where its legal entity (which can reach
        // the data) is established, when that is elsewhere.
        let hosted: BTreeSet<String> = components
            .iter()
            .map(|&c| {
                cx.resolved
                    .location(c, realm, cx.catalog)
                    .code()
                    .map_or_else(|| "unknown".to_owned(), str::to_owned)
            })
            .collect();
        let mut shown: Vec<String> = hosted.iter().cloned().collect();
        if let Some(entity) = facts.country.as_deref().filter(|c| !hosted.contains(*c)) {
            shown.push(format!("{entity}{LEGAL_ENTITY_MARK}"));
        }
        locations.insert(realm.code().to_owned(), shown);
        let importer = Importer {
            id: org,
            facts: Some(facts),
            locations: places,
            platform_sccs: facts.role == OrgRole::Atlassian && model.app.platform != Platform::Connect,
        };
        let hop = |law: &CustomerLaw| {
            let exporter = if role == GdprRole::Processor {
                Exporter {
                    id: "customer",
                    country: law.established.as_deref(),
                    upstream: law.regime,
                    module: 2,
                }
            } else if let (Some(id), Some(c)) = (controller.as_deref(), controller_facts) {
                // The controller discloses to its own processor: controller → processor.
                Exporter {
                    id,
                    country: c.country.as_deref(),
                    upstream: law.regime,
                    module: 2,
                }
            } else {
                Exporter {
                    id: model.app.vendor.as_str(),
                    country: vendor.and_then(|v| v.country.as_deref()),
                    upstream: law.regime,
                    // Disclosing to a controller for its own purposes is controller → controller.
                    module: if role == GdprRole::IndependentController { 1 } else { 3 },
                }
            };
            with_customer_law(
                transfers::assess(realm, &exporter, &importer, cx.catalog),
                role,
                exporter.country.is_none(),
                law,
            )
        };
        let transfer = customers::by_customer_law(&cx.customer_laws[&realm], hop);
        let transfer = std::sync::Arc::new(transfer); // listed twice: shared, not copied
        // The row's own index for now: `subprocessors` adds where the row's hops start.
        let index = all.len();
        all.push(std::sync::Arc::clone(&transfer));
        transfer_mechanism.insert(realm.code().to_owned(), Hop { transfer, index });
    }
    let forge_hosting = facts.role == OrgRole::Atlassian && model.app.platform != Platform::Connect;
    let row = Subprocessor {
        organisation: org.to_owned(),
        name: facts.name.clone(),
        legal_entity: facts.legal_entity.clone(),
        country: facts.country.clone(),
        role,
        category: facts
            .category
            .clone()
            .or_else(|| (facts.role == OrgRole::Vendor).then(|| "app vendor".to_owned())),
        data: data
            .into_iter()
            .map(|(id, (at_rest, assumed))| DataUse { id, at_rest, assumed })
            .collect(),
        purposes: purposes.into_iter().collect(),
        components: components.iter().map(|&c| model.components[c].id.clone()).collect(),
        locations,
        dpa: if forge_hosting {
            // Forge hosting: the developer accepts the Forge DPA with the Forge terms.
            Evidence::Recorded
        } else {
            facts.dpa_status
        },
        dpa_url: facts
            .dpa
            .clone()
            .or_else(|| forge_hosting.then(|| FORGE_TERMS.to_owned())),
        dpa_by_platform_terms: forge_hosting && facts.dpa.is_none(),
        url: facts.url.clone(),
        retention: facts.retention.as_ref().map(crate::facts::resolve::Retention::said),
        transfer_mechanism,
    };
    Some((row, all))
}

/// Where the Forge terms (with the Forge DPA and the SCCs) are published.
pub const FORGE_TERMS: &str = "https://developer.atlassian.com/platform/forge/developer-terms/";

/// A destination that is the customer's own account: data goes there at the customer's
/// instruction, to the customer's own processor (transfers.md H7).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CustomerIntegration {
    /// Component id.
    pub component: String,
    /// Component name.
    pub name: String,
    /// The organisation running it, when known (the customer's provider), by name.
    pub organisation: Option<String>,
    /// That organisation's legal entity, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<String>,
    /// Personal data sent there.
    pub data: Vec<String>,
    /// All of it is listed only because the app's permissions allow it (see
    /// [`DataUse::assumed`]). Omitted when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub assumed: bool,
    /// Of that, the PHI: the customer needs its own BAA with the provider.
    pub phi: Vec<String>,
}

/// The customer-enabled integrations: components marked `owner: customer`, or reached only by
/// flows marked `owner: customer`, that receive personal data.
pub fn customer_integrations(cx: &Facts<'_>) -> Vec<CustomerIntegration> {
    let model = cx.model;
    model
        .components
        .iter()
        .enumerate()
        .filter(|(_, component)| !component.kind.is_origin())
        .filter_map(|(c, component)| {
            let data: Vec<String> = cx
                .propagation
                .categories_at(c)
                .filter(|&d| {
                    cx.personal(d)
                        && cx
                            .propagation
                            .get(d, c)
                            .is_some_and(|reach| cx.customer_destination(reach))
                })
                .map(|d| model.data[d].id.clone())
                .collect();
            let phi: Vec<String> = data
                .iter()
                .filter(|id| cx.data_index(id).is_some_and(|d| cx.phi(d)))
                .cloned()
                .collect();
            let provider = cx.resolved.operator[c].as_deref().or(cx.resolved.host[c].as_deref());
            let provider_facts = provider.and_then(|o| cx.resolved.orgs.get(o));
            let assumed = data.iter().all(|id| {
                cx.data_index(id)
                    .and_then(|d| cx.propagation.get(d, c))
                    .is_some_and(|reach| reach.assumed)
            });
            (!data.is_empty()).then(|| CustomerIntegration {
                component: component.id.clone(),
                name: component.name.clone().unwrap_or_else(|| component.id.clone()),
                organisation: provider.map(|o| provider_facts.map_or(o, |f| f.name.as_str()).to_owned()),
                legal_entity: provider_facts.and_then(|f| f.legal_entity.clone()),
                data,
                assumed,
                phi,
            })
        })
        .collect()
}

/// Atlassian as the customer's own processor: the product data it holds in the customer's
/// Jira, Confluence or other products under the customer's agreement and DPA with Atlassian
/// (transfers.md H6). Stated on its own, apart from the vendor's sub-processors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AtlassianForCustomer {
    /// The product components (names).
    pub products: Vec<String>,
    /// Personal data held or handled there.
    pub data: Vec<String>,
    /// The contract that covers it.
    pub basis: String,
}

/// Atlassian's processing of product data for the customer, when personal data is at any of
/// the model's Atlassian products.
pub fn atlassian_for_customer(cx: &Facts<'_>) -> Option<AtlassianForCustomer> {
    let model = cx.model;
    let products: Vec<usize> = model
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == crate::model::ComponentKind::AtlassianProduct)
        .map(|(c, _)| c)
        .collect();
    let at_products: BTreeSet<usize> = products
        .iter()
        .flat_map(|&c| cx.propagation.categories_at(c))
        .filter(|&d| cx.personal(d))
        .collect();
    let data: Vec<String> = at_products.into_iter().map(|d| model.data[d].id.clone()).collect();
    (!data.is_empty()).then(|| AtlassianForCustomer {
        products: products
            .iter()
            .map(|&c| {
                let component = &model.components[c];
                component.name.clone().unwrap_or_else(|| component.id.clone())
            })
            .collect(),
        data,
        basis: "the customer's own agreement and Data Processing Addendum with Atlassian: for product \
                data Atlassian is the customer's processor, not the vendor's sub-processor (GDPR Art. 28; \
                Atlassian DPA, https://www.atlassian.com/legal/data-processing-addendum)"
            .to_owned(),
    })
}

/// Where an organisation processes a realm's data: where its components run, and its legal
/// entity's country, from which it can reach the data (EDPB Guidelines 05/2021, remote access).
fn processing_places(
    cx: &Facts<'_>,
    facts: &OrgFacts,
    components: &BTreeSet<usize>,
    realm: Realm,
) -> Vec<Option<String>> {
    let mut places: BTreeSet<Option<String>> = components
        .iter()
        .map(|&c| cx.resolved.location(c, realm, cx.catalog).code().map(str::to_owned))
        .collect();
    if let Some(country) = &facts.country {
        places.insert(Some(country.clone()));
    }
    places.into_iter().collect()
}

/// Components that receive personal data but that no organisation of the model or catalog
/// operates or hosts: each is a recipient nobody can identify, listed rather than left out.
fn unidentified(cx: &Facts<'_>, all: &mut Vec<std::sync::Arc<Transfer>>) -> Vec<Subprocessor> {
    let model = cx.model;
    let mut rows = Vec::new();
    for (c, component) in model.components.iter().enumerate() {
        if component.kind.is_origin() || !cx.resolved.responsible(c).is_empty() {
            continue;
        }
        let data: Vec<DataUse> = cx
            .propagation
            .categories_at(c)
            .filter(|&d| cx.personal(d))
            .filter_map(|d| {
                cx.propagation
                    .get(d, c)
                    .filter(|reach| !cx.customer_destination(reach))
                    .map(|reach| DataUse {
                        id: model.data[d].id.clone(),
                        at_rest: reach.at_rest,
                        assumed: reach.assumed,
                    })
            })
            .collect();
        if data.is_empty() {
            continue;
        }
        let host = unidentified_host(cx, c).unwrap_or_else(|| component.id.clone());
        let name = match crate::host::non_production(&host) {
            Some(why) => format!("not a production destination ({host}): {why}"),
            None => format!("unidentified recipient ({host})"),
        };
        let why = format!(
            "nobody can identify the recipient at `{host}`: no organisation of the model or catalog serves it, so no contract or transfer mechanism can cover it (GDPR Art. 28(2), Art. 30(1)(d), Art. 44)"
        );
        let row = Unassessed {
            id: format!("unidentified:{host}"),
            name,
            data,
            component: c,
            located: true,
            country: None,
            why,
        };
        rows.push(row.build(cx, all));
    }
    // Egress a component may use but no flow of the model goes to: the recipient is still
    // listed (the declaration lets the data go there), its data and basis not assessed.
    for (c, component) in model.components.iter().enumerate() {
        for declared in &component.egress {
            let used = cx.graph.outgoing(c).any(|(flow, _)| {
                model.flows[flow]
                    .host
                    .as_deref()
                    .is_some_and(|h| crate::host::egress_allows(declared, h))
            });
            let data: Vec<DataUse> = cx
                .propagation
                .categories_at(c)
                .filter(|&d| cx.personal(d))
                .map(|d| DataUse {
                    id: model.data[d].id.clone(),
                    at_rest: false,
                    // What the component holds could go to the declared host: not assessed.
                    assumed: true,
                })
                .collect();
            if used || data.is_empty() || crate::host::is_atlassian(declared) {
                continue;
            }
            let host = crate::host::host_of(declared);
            let known = cx
                .catalog
                .organisation_for_host(host.trim_start_matches("*."))
                .map(|(_, e)| e);
            let row = Unassessed {
                id: format!("declared:{host}"),
                name: match known {
                    Some(org) => format!("{} (declared egress `{host}`, no flow modelled)", org.name),
                    None => format!("{host} (declared egress; recipient not identified, no flow modelled)"),
                },
                country: known.and_then(|o| o.country.clone()),
                data,
                component: c,
                located: false,
                why: format!(
                    "`{}` may send the personal data it holds to `{host}` (declared egress), but the model has no flow there: what is sent, to whom and on what basis is not assessed (GDPR Art. 30(1)(d), Art. 44; evidence required)",
                    component.id
                ),
            };
            rows.push(row.build(cx, all));
        }
    }
    rows
}

/// An inventory row for a recipient the analysis cannot assess: unidentified, or declared
/// without a flow. Its hops are `required` with no mechanism found.
struct Unassessed {
    id: String,
    name: String,
    data: Vec<DataUse>,
    component: usize,
    /// Whether the component's region says where the recipient processes.
    located: bool,
    /// The establishment of the organisation behind it, when the catalog knows it.
    country: Option<String>,
    why: String,
}

impl Unassessed {
    fn build(self, cx: &Facts<'_>, all: &mut Vec<std::sync::Arc<Transfer>>) -> Subprocessor {
        let model = cx.model;
        let vendor = cx.resolved.orgs.get(model.app.vendor.as_str());
        let mut locations = BTreeMap::new();
        let mut transfer_mechanism = BTreeMap::new();
        for &realm in &cx.realms {
            let place = if self.located {
                cx.resolved
                    .location(self.component, realm, cx.catalog)
                    .code()
                    .map(str::to_owned)
            } else {
                self.country.clone()
            };
            locations.insert(
                realm.code().to_owned(),
                vec![place.clone().unwrap_or_else(|| "unknown".to_owned())],
            );
            let hop = |law: &CustomerLaw| {
                Transfer {
                    realm,
                    exporter: model.app.vendor.clone(),
                    exporter_country: vendor.and_then(|v| v.country.clone()),
                    importer: self.id.clone(),
                    importer_country: place.clone(),
                    importer_country_is: transfers::ImporterCountry::Processing,
                    // The exporter's own law when it has transfer rules (as for any hop), else the
                    // regime the data came under.
                    regime: vendor
                        .and_then(|v| v.country.as_deref())
                        .map(|c| transfers::Regime::of_country(c, cx.catalog))
                        .filter(|r| *r != transfers::Regime::None)
                        .or(law.regime)
                        .unwrap_or(transfers::Regime::Unknown),
                    mechanism: transfers::TransferMechanism::NoneFound,
                    module: None,
                    status: transfers::TransferStatus::Required,
                    why: self.why.clone(),
                    label: String::new(),
                    by_platform_terms: false,
                    evidence_required: false,
                    by_customer_law: Vec::new(),
                }
                .labelled()
            };
            let transfer = customers::by_customer_law(&cx.customer_laws[&realm], hop);
            let transfer = std::sync::Arc::new(transfer); // listed twice: shared, not copied
            let index = all.len();
            all.push(std::sync::Arc::clone(&transfer));
            transfer_mechanism.insert(realm.code().to_owned(), Hop { transfer, index });
        }
        Subprocessor {
            organisation: self.id,
            name: self.name,
            legal_entity: None,
            country: self.country,
            role: GdprRole::SubProcessor,
            category: None,
            data: self.data,
            // What the flows into it are for (a recipient without a name still has a purpose).
            purposes: if self.located {
                let mut purposes: Vec<String> = cx
                    .graph
                    .graph
                    .edges_directed(
                        petgraph::graph::NodeIndex::new(self.component),
                        petgraph::Direction::Incoming,
                    )
                    .filter_map(|e| model.flows[*e.weight()].purpose.clone())
                    .collect();
                purposes.sort();
                purposes.dedup();
                purposes
            } else {
                Vec::new()
            },
            components: vec![model.components[self.component].id.clone()],
            locations,
            dpa: Evidence::Unknown,
            dpa_url: None,
            dpa_by_platform_terms: false,
            url: None,
            retention: None,
            transfer_mechanism,
        }
    }
}

/// The host a component is reached at, from the flows into it.
fn unidentified_host(cx: &Facts<'_>, c: usize) -> Option<String> {
    // The graph's incoming edges, not a scan of every flow per component.
    let mut flows: Vec<usize> = cx
        .graph
        .graph
        .edges_directed(petgraph::graph::NodeIndex::new(c), petgraph::Direction::Incoming)
        .map(|e| *e.weight())
        .collect();
    flows.sort_unstable();
    flows
        .into_iter()
        .find_map(|f| cx.model.flows[f].host.as_deref().map(crate::host::host_of))
}

/// Whether GDPR's transfer rules apply to data from this realm (EEA, UK and Swiss realms; the
/// global realm is treated as possibly European).
pub fn european_realm(realm: Realm) -> bool {
    matches!(realm, Realm::Eu | Realm::De | Realm::Gb | Realm::Ch | Realm::Global)
}

/// One data category at one component, for one realm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ResidencyEntry {
    /// Data category id.
    pub data: String,
    /// Component id.
    pub component: String,
    /// Where the component sits for this realm (`unknown` when the model does not say).
    pub location: String,
    /// Stored there, or only in transit.
    pub at_rest: bool,
    /// Inside the realm's jurisdiction.
    pub inside_realm: bool,
    /// Moves with the site on a realm migration (Forge hosted storage, the product itself).
    pub moves_on_migration: bool,
}

/// Where the in-scope data of installations in one realm goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RealmResidency {
    /// Realm code.
    pub realm: String,
    /// Installations in the realm.
    pub installations: Vec<String>,
    /// Every in-scope data category at every component it reaches.
    #[serde(serialize_with = "crate::json::list")]
    pub entries: Vec<ResidencyEntry>,
    /// Whether all in-scope data at rest stays inside the realm.
    pub kept: bool,
    /// What "kept" rests on that is not documented (storage without documented data-residency
    /// support): evidence required, said next to the conclusion. Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_required: Vec<String>,
}

/// The residency matrix per realm.
pub fn residency(cx: &Facts<'_>) -> Vec<RealmResidency> {
    cx.realms.iter().map(|&realm| realm_residency(cx, realm)).collect()
}

/// The egress addresses that keep a Forge app from `PINNED` status: `fetch.backend` and
/// `fetch.client` entries that may carry in-scope End-User Data (`inScopeEUD` true or not
/// declared, which Forge reads as true) and do not go to one of the app's remotes
/// (atlassian.md B5, B6, I3). Without the manifest's declarations, every egress host a
/// component declares counts. Forge hosted storage follows a site's realm when the app is
/// pinned; with any of these it is not, so where that storage is kept is not confirmed.
pub fn pinned_blockers(model: &crate::model::Model, graph: &crate::graph::FlowGraph) -> Vec<String> {
    use crate::model::EgressKind;
    let mut blockers: Vec<String> = if let Some(m) = &model.manifest {
        m.egress
            .iter()
            .filter(|e| matches!(e.kind, EgressKind::Backend | EgressKind::Client))
            .filter(|e| e.in_scope_eud != Some(false))
            .filter(|e| {
                let host = crate::host::host_of(&e.address);
                !m.remotes.iter().any(|r| r.host.as_deref() == Some(host.as_str()))
            })
            .map(|e| e.address.clone())
            .collect()
    } else {
        // Without the manifest: every declared egress host, and every external service a Forge
        // function sends data to (its host, else its id).
        let kind = |id: &str| graph.component(id).map(|c| model.components[c].kind);
        model
            .components
            .iter()
            .flat_map(|c| c.egress.iter().cloned())
            .chain(
                model
                    .flows
                    .iter()
                    .filter(|f| !f.data.is_empty())
                    .filter(|f| kind(&f.from) == Some(ComponentKind::ForgeFunction))
                    .filter(|f| kind(&f.to) == Some(ComponentKind::ExternalService))
                    .map(|f| f.host.clone().unwrap_or_else(|| f.to.clone())),
            )
            .collect()
    };
    blockers.sort();
    blockers.dedup();
    blockers
}

/// Why Forge hosted storage is not confirmed to follow the site's realm, when the app sends
/// in-scope data to `blockers` (see [`pinned_blockers`]).
pub fn unpinned_storage(blockers: &[String]) -> Option<String> {
    (!blockers.is_empty()).then(|| {
        format!(
            "Forge hosted storage stays in the site's region only when Atlassian pins the app to it, and this app may send the site's data to {}, which prevents that: where Atlassian keeps the app's stored data is not confirmed",
            blockers.join(", ")
        )
    })
}

/// Residency for one realm, whether or not the model has an installation there (a simulation
/// asks for the realms of its workload).
pub fn realm_residency(cx: &Facts<'_>, realm: Realm) -> RealmResidency {
    let mut entries = Vec::new();
    for (d, category) in cx.model.data.iter().enumerate() {
        if !cx.in_scope(d) {
            continue;
        }
        for reach in &cx.propagation.reach[d] {
            if cx.model.components[reach.component].kind == ComponentKind::User {
                continue;
            }
            let location = cx.resolved.location(reach.component, realm, cx.catalog);
            entries.push(ResidencyEntry {
                data: category.id.clone(),
                component: cx.model.components[reach.component].id.clone(),
                inside_realm: location
                    .code()
                    .is_some_and(|code| inside_realm(code, realm, cx.catalog)),
                location: location.code().unwrap_or("unknown").to_owned(),
                at_rest: reach.at_rest,
                moves_on_migration: cx.resolved.follows_tenant(reach.component),
            });
        }
    }
    let kept = entries.iter().filter(|e| e.at_rest).all(|e| e.inside_realm);
    // Forge hosted storage follows the site only where Atlassian documents residency
    // support for the module the app uses (atlassian.md B6, I1).
    let hosted_at_rest = entries.iter().any(|e| {
        e.at_rest
            && cx
                .graph
                .component(&e.component)
                .is_some_and(|c| cx.model.components[c].kind == ComponentKind::ForgeStorage)
    });
    // What "kept" rests on: nothing to say when the data already leaves the realm (and no
    // scan of the entries for it).
    let evidence_required: Vec<String> = if kept {
        cx
                .model
                .manifest
                .iter()
                .flat_map(|m| &m.storage)
                .filter(|s| hosted_at_rest && s.residency == crate::model::StorageResidency::Unknown)
                .map(|s| {
                    format!(
                        "{}: data residency not confirmed by Atlassian's documentation, so where it keeps data is not known",
                        s.name()
                    )
                })
                .chain(unpinned_storage(&cx.pinned_blockers).filter(|_| hosted_at_rest))
                .chain(retained_outside(cx, &entries))
                .chain(
                    cx.model
                        .manifest
                        .iter()
                        .filter(|m| m.customer_managed())
                        .map(|_| {
                            "customer-managed egress: what destinations a site's admin approves keep of the data, and where, is outside the model".to_owned()
                        }),
                )
                .collect()
    } else {
        Vec::new()
    };
    RealmResidency {
        realm: realm.code().to_owned(),
        installations: cx
            .model
            .installations
            .iter()
            .filter(|i| i.realm == realm)
            .map(|i| i.id.clone())
            .collect(),
        entries,
        kept,
        evidence_required,
    }
}

/// Providers outside the realm that receive in-scope data in passing (an API call) but keep it
/// for a time by their own terms (a retention the model records, or the catalog's default for
/// the provider's standard service), or whose retention nobody states: the data may be at rest
/// outside the realm, which the model's stores alone do not show.
fn retained_outside(cx: &Facts<'_>, entries: &[ResidencyEntry]) -> Vec<String> {
    let mut said = BTreeSet::new();
    let mut out = unlisted_stores_outside(cx, entries);
    for entry in entries.iter().filter(|e| !e.at_rest && !e.inside_realm) {
        let Some(c) = cx.graph.component(&entry.component) else {
            continue;
        };
        let Some(org) = cx.resolved.operator[c].as_deref().and_then(|o| cx.resolved.orgs.get(o)) else {
            continue;
        };
        // The vendor's and Atlassian's storage is modelled by their stores; a third party's API
        // is a black box, so its retention, when nobody states it, is an open question.
        if org.retention.is_none() && matches!(org.role, OrgRole::Vendor | OrgRole::Atlassian) {
            continue;
        }
        if !said.insert(org.id.as_str()) {
            continue;
        }
        // A provider whose retention nobody states may keep the data too: said as unknown, not
        // left out.
        let kept = match &org.retention {
            Some(crate::facts::resolve::Retention::Recorded { text }) => format!("keeps what it receives ({text})"),
            Some(crate::facts::resolve::Retention::CatalogDefault { text, .. }) => {
                format!("may keep what it receives by its standard terms ({text}; catalog default)")
            }
            None => String::new(),
        };
        out.push(if kept.is_empty() {
            format!(
                "{} receives in-scope data in {}, outside the realm, and how long it keeps it is not stated: whether in-scope data is at rest there is not known",
                org.name, entry.location
            )
        } else {
            format!(
                "{} {kept} in {}, outside the realm: whether in-scope data is at rest there is not shown by the model",
                org.name, entry.location
            )
        });
    }
    out
}

/// Stores outside the realm that receive in-scope data but list nothing under `stores`: a
/// datastore is there to keep data, so what it keeps is an open question, never "nothing".
fn unlisted_stores_outside(cx: &Facts<'_>, entries: &[ResidencyEntry]) -> Vec<String> {
    let mut received: BTreeMap<&str, (&str, Vec<&str>)> = BTreeMap::new();
    for entry in entries.iter().filter(|e| !e.at_rest && !e.inside_realm) {
        let Some(c) = cx.graph.component(&entry.component) else {
            continue;
        };
        let component = &cx.model.components[c];
        if matches!(component.kind, ComponentKind::Datastore | ComponentKind::ForgeStorage)
            && component.stores.is_empty()
        {
            received
                .entry(entry.component.as_str())
                .or_insert((entry.location.as_str(), Vec::new()))
                .1
                .push(entry.data.as_str());
        }
    }
    received
        .into_iter()
        .map(|(component, (location, data))| {
            format!(
                "`{component}`, a store in {location}, outside the realm, receives {} and the model does not say what it keeps (its `stores` list is empty): whether in-scope data is at rest there is not known",
                data.join(", ")
            )
        })
        .collect()
}

/// One link of the HIPAA business-associate chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BaaLink {
    /// Organisation id.
    pub organisation: String,
    /// Display name.
    pub name: String,
    /// `business-associate` (the vendor, contracting with the customer), `subcontractor` (its
    /// providers), `atlassian` (covered only by the customer's own Atlassian BAA, if at all).
    pub relationship: Relationship,
    /// Who must sign the BAA with this organisation.
    pub baa_with: String,
    /// The BAA with this organisation: `recorded` (the model records it), `offered` (the
    /// catalog says it offers one, within `baa_scope`), `none` or `unknown`.
    pub baa: Evidence,
    /// What the organisation's BAA offer covers, when the catalog says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baa_scope: Option<String>,
    /// The BAA's status in words, the same in every output.
    pub baa_label: String,
    /// PHI categories it creates, receives, maintains or transmits.
    pub phi: Vec<String>,
    /// Components involved.
    pub components: Vec<String>,
}

impl BaaLink {
    /// The one wording of a link's BAA status.
    fn label(&self) -> String {
        match (self.baa, self.relationship) {
            (Evidence::Recorded, _) => "BAA recorded".to_owned(),
            (Evidence::None, _) => "no BAA (the model says there is none)".to_owned(),
            (Evidence::Offered, _) => match &self.baa_scope {
                Some(scope) => format!("BAA offered ({scope}), not recorded: evidence required"),
                None => "BAA offered, not recorded: evidence required".to_owned(),
            },
            (Evidence::Unknown, Relationship::Atlassian) => {
                "BAA not recorded; none between Atlassian and app vendors for Forge hosting is known to exist: evidence required"
                    .to_owned()
            }
            (Evidence::Unknown, _) => "BAA not recorded: evidence required".to_owned(),
        }
    }
}

/// A link's place in the HIPAA business-associate chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// The vendor, a business associate of the customer (45 CFR 160.103).
    BusinessAssociate,
    /// A provider of the vendor: a subcontractor business associate (45 CFR 164.502(e)(1)(ii)).
    Subcontractor,
    /// Atlassian.
    Atlassian,
}

impl Relationship {
    /// Every relationship, for tables of names.
    pub const ALL: [Relationship; 3] = [
        Relationship::BusinessAssociate,
        Relationship::Subcontractor,
        Relationship::Atlassian,
    ];

    /// Its name for readers.
    pub fn name(self) -> &'static str {
        match self {
            Relationship::BusinessAssociate => "business associate",
            Relationship::Subcontractor => "subcontractor",
            Relationship::Atlassian => "subcontractor (Forge hosting)",
        }
    }

    /// The name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::BusinessAssociate => "business-associate",
            Relationship::Subcontractor => "subcontractor",
            Relationship::Atlassian => "atlassian",
        }
    }
}

impl std::fmt::Display for Relationship {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// How far the model lets the HIPAA chain be assessed. Every output that speaks of business
/// associate agreements says the same thing for the same scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HipaaScope {
    /// The model has no installations: whether any is HIPAA-covered is not known.
    #[default]
    NoInstallations,
    /// No installation is marked `hipaa: true`: the chain does not apply.
    NotCovered,
    /// Installations are HIPAA-covered but no data category is marked PHI: which recipients
    /// receive PHI, and so which BAAs are needed, is not assessed (evidence required).
    PhiNotMarked,
    /// Installations are HIPAA-covered and PHI is marked: the chain is assessed.
    Assessed,
}

impl HipaaScope {
    /// The scope of `installations` of which `covered` are HIPAA-covered, with or without a
    /// category marked PHI (a simulation's sites as much as a model's installations).
    pub fn of(installations: usize, covered: usize, phi_marked: bool) -> HipaaScope {
        match (installations, covered, phi_marked) {
            (0, ..) => HipaaScope::NoInstallations,
            (_, 0, _) => HipaaScope::NotCovered,
            (.., false) => HipaaScope::PhiNotMarked,
            (.., true) => HipaaScope::Assessed,
        }
    }
}

/// The HIPAA section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Hipaa {
    /// How far the chain can be assessed from the model.
    pub scope: HipaaScope,
    /// Whether any category is PHI.
    pub applies: bool,
    /// PHI categories.
    pub phi: Vec<String>,
    /// Installations marked `hipaa: true`.
    pub hipaa_installations: Vec<String>,
    /// The chain, vendor first.
    pub chain: Vec<BaaLink>,
    /// Organisations whose BAA is missing (`false`) or unknown.
    pub missing_baa: Vec<String>,
    /// What Atlassian's own BAA can cover.
    pub atlassian_baa: String,
}

/// The HIPAA section.
pub fn hipaa(cx: &Facts<'_>) -> Hipaa {
    let phi: Vec<usize> = cx
        .model
        .data
        .iter()
        .enumerate()
        .filter(|(d, _)| cx.phi(*d))
        .map(|(i, _)| i)
        .collect();
    let vendor_name = cx
        .resolved
        .orgs
        .get(cx.model.app.vendor.as_str())
        .map_or(cx.model.app.vendor.clone(), |o| o.name.clone());
    let mut links: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for &d in &phi {
        for (reach, org) in cx.recipients(d) {
            let entry = links.entry(org.to_owned()).or_default();
            entry.0.insert(cx.model.data[d].id.clone());
            entry.1.insert(cx.model.components[reach.component].id.clone());
        }
    }
    let mut chain: Vec<BaaLink> = links
        .into_iter()
        .filter_map(|(org, (phi, components))| {
            let facts = cx.resolved.orgs.get(org.as_str())?;
            let (relationship, baa_with) = match facts.role {
                OrgRole::Vendor => (Relationship::BusinessAssociate, "the customer".to_owned()),
                OrgRole::Atlassian => (
                    Relationship::Atlassian,
                    format!("{vendor_name} (Forge hosting of the app; Atlassian's BAA with the customer covers its products only)"),
                ),
                _ => (Relationship::Subcontractor, vendor_name.clone()),
            };
            Some(BaaLink {
                organisation: org.clone(),
                name: facts.name.clone(),
                relationship,
                baa_with,
                // Atlassian's BAA offer is scoped to its products on Standard and above: nothing
                // public shows it signing BAAs with app vendors for Forge hosting.
                baa: if facts.role == OrgRole::Atlassian {
                    Evidence::of(
                        cx.model.organisations.iter().find(|o| o.id == org).and_then(|o| o.hipaa_baa),
                        None,
                    )
                } else {
                    facts.baa
                },
                baa_scope: facts.baa_scope.clone(),
                baa_label: String::new(),
                phi: phi.into_iter().collect(),
                components: components.into_iter().collect(),
            })
        })
        .collect();
    for link in &mut chain {
        link.baa_label = link.label();
    }
    // A recipient nobody can identify receives PHI: nobody can sign a BAA with it.
    for row in cx
        .subprocessors
        .iter()
        .filter(|r| r.organisation.starts_with("unidentified:"))
    {
        let phi_here: Vec<String> = row
            .data
            .iter()
            .filter(|u| cx.data_index(&u.id).is_some_and(|d| cx.phi(d)))
            .map(|u| u.id.clone())
            .collect();
        if phi_here.is_empty() {
            continue;
        }
        chain.push(BaaLink {
            organisation: row.organisation.clone(),
            name: row.name.clone(),
            relationship: Relationship::Subcontractor,
            baa_with: vendor_name.clone(),
            baa: Evidence::None,
            baa_scope: None,
            baa_label: "no BAA possible: nobody can identify the recipient".to_owned(),
            phi: phi_here,
            components: row.components.clone(),
        });
    }
    chain.sort_by_key(|l| {
        (
            l.relationship != Relationship::BusinessAssociate,
            l.relationship == Relationship::Atlassian,
            l.organisation.clone(),
        )
    });
    let missing_baa = chain
        .iter()
        .filter(|l| !l.baa.is_recorded())
        .map(|l| l.organisation.clone())
        .collect();
    let hipaa_installations: Vec<String> = cx
        .model
        .installations
        .iter()
        .filter(|i| i.hipaa)
        .map(|i| i.id.clone())
        .collect();
    Hipaa {
        scope: HipaaScope::of(cx.model.installations.len(), hipaa_installations.len(), !phi.is_empty()),
        applies: !phi.is_empty(),
        phi: phi.iter().map(|&d| cx.model.data[d].id.clone()).collect(),
        hipaa_installations,
        chain,
        missing_baa,
        atlassian_baa:
            "Atlassian signs BAAs for Standard, Premium and Enterprise plans of Jira, Jira Service Management and \
Confluence; Marketplace apps are outside it, and no BAA between Atlassian and app vendors for Forge hosting is known to \
exist: treat app data as needing the vendor's BAA and evidence of Atlassian's."
                .to_owned(),
    }
}

/// A SOC 2 subservice organisation of the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SubserviceOrganisation {
    /// Organisation id.
    pub organisation: String,
    /// Display name.
    pub name: String,
    /// What it provides.
    pub category: String,
    /// The components it operates or hosts for the app.
    pub services: Vec<String>,
    /// SOC 2 attestation known (`soc2-type2`, …), or `null` when none is known.
    pub attestation: Option<String>,
    /// `recorded` (the model lists the report), `offered` (the catalog says one is published:
    /// obtain it), or `unknown`.
    pub attestation_status: Evidence,
    /// `carve-out` or `inclusive`.
    pub method: &'static str,
    /// Why that method.
    pub method_reason: String,
    /// Complementary subservice-organisation controls to ask for.
    pub csocs: Vec<&'static str>,
}

/// The SOC 2 section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Soc2 {
    /// The vendor's subservice organisations: hosting, infrastructure and platform providers
    /// whose controls the service commitments rely on (carve-out unless the model says
    /// `soc2_inclusive: true`).
    pub subservice_organisations: Vec<SubserviceOrganisation>,
    /// Other providers that receive data: vendors managed under CC9.2, not subservice
    /// organisations of the report.
    pub vendors: Vec<SubserviceOrganisation>,
    /// Complementary user-entity controls the customer must run.
    pub cuecs: Vec<&'static str>,
}

fn csocs(category: &str) -> Vec<&'static str> {
    match category {
        "hosting" => vec![
            "physical and environmental security of data centres",
            "infrastructure availability and redundancy",
            "encryption of storage volumes and backups at rest",
            "logical access to the hypervisor and management plane",
        ],
        "platform" => vec![
            "isolation of Forge invocations and per-installation storage",
            "enforcement of declared egress (permissions.external)",
            "encryption and data-residency pinning of Forge hosted storage",
            "deletion of hosted storage after uninstall (28 days)",
        ],
        "email" => vec![
            "TLS for message delivery",
            "restricted staff access to message content",
            "retention and deletion of message logs",
        ],
        "llm" => vec![
            "no training on API inputs and outputs",
            "retention limits on prompts and completions",
            "access control and logging of stored prompts",
        ],
        "monitoring" | "analytics" => vec![
            "scrubbing of personal data from events",
            "retention limits on telemetry",
        ],
        _ => vec!["access control to customer data", "incident notification to the vendor"],
    }
}

/// The SOC 2 section.
pub fn soc2(cx: &Facts<'_>) -> Soc2 {
    let mut services: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in 0..cx.model.data.len() {
        for (reach, org) in cx.recipients(d) {
            if matches!(cx.resolved.role(org), OrgRole::ThirdParty | OrgRole::Atlassian) {
                services
                    .entry(org.to_owned())
                    .or_default()
                    .insert(cx.model.components[reach.component].id.clone());
            }
        }
    }
    let (subservice_organisations, vendors): (Vec<_>, Vec<_>) = services
        .into_iter()
        .filter_map(|(org, services)| {
            let facts = cx.resolved.orgs.get(org.as_str())?;
            let category = facts.category.clone().unwrap_or_else(|| "service provider".to_owned());
            let attestation = facts.soc2().map(str::to_owned);
            let infrastructure = matches!(
                category.as_str(),
                "hosting" | "platform" | "cdn" | "database" | "infrastructure"
            );
            let (method, method_reason) = if !infrastructure {
                (
                    "vendor (CC9.2)",
                    format!(
                        "{} provides {category}, not infrastructure the service commitments rest on: a vendor to assess under CC9.2, not a subservice organisation of the report",
                        facts.name
                    ),
                )
            } else if facts.soc2_inclusive {
                (
                    "inclusive",
                    format!("the model says {}'s controls are included in the vendor's report (inclusive method)", facts.name),
                )
            } else {
                (
                    "carve-out",
                    match &attestation {
                        Some(report) => format!(
                            "assumed, to be confirmed in the vendor's system description: {} publishes its own SOC 2 report ({report})",
                            facts.name
                        ),
                        None => format!(
                            "assumed, to be confirmed in the vendor's system description: no SOC 2 report of {} is known; obtain it, or assess its controls directly",
                            facts.name
                        ),
                    },
                )
            };
            Some(SubserviceOrganisation {
                organisation: org,
                name: facts.name.clone(),
                csocs: csocs(&category),
                category,
                services: services.into_iter().collect(),
                attestation_status: match (&attestation, facts.attestations_recorded) {
                    (Some(_), true) => Evidence::Recorded,
                    (Some(_), false) => Evidence::Offered,
                    (None, _) => Evidence::Unknown,
                },
                attestation,
                method,
                method_reason,
            })
        })
        .partition(|s| s.method != "vendor (CC9.2)");
    let mut cuecs = vec![
        "manage user access and permissions in the Atlassian products the app can read",
        "review the app's scopes and data flows before install and on every upgrade that asks for consent",
        "keep the app's data-residency realm in line with the site's and request vendor data deletion after uninstall",
    ];
    if matches!(cx.model.app.platform, Platform::Forge | Platform::Hybrid) {
        cuecs.push("review the egress domains and remotes the app declares at install, and disable analytics egress if not wanted");
    }
    if cx.model.app.platform == Platform::Connect {
        cuecs.push("uninstall the app promptly when it is no longer used, so the vendor stops receiving webhooks");
    }
    if cx.traits.iter().any(|t| t.phi) {
        cuecs.push("sign Atlassian's BAA and the vendor's BAA before putting PHI in issues the app reads");
    }
    Soc2 {
        subservice_organisations,
        vendors,
        cuecs,
    }
}

/// Runs on Atlassian eligibility.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RunsOnAtlassian {
    /// Whether no reason for ineligibility is found (see `verdict` for whether that is
    /// confirmed).
    pub eligible: bool,
    /// The conclusion: `eligible`, `not-confirmed` (no reason found, but Atlassian's check
    /// needs what the model cannot show: `evidence_required`) or `not-eligible`.
    pub verdict: RoaVerdict,
    /// Why not: each names Atlassian's rule, then the manifest entry or model element.
    pub reasons: Vec<String>,
    /// The same reasons in one sentence, each rule named once with every element that breaks
    /// it ("compute and storage must be hosted by Atlassian: `app-db` and `app-server` run
    /// outside Atlassian"); empty when eligible.
    // Written from the grouped reasons, kept for `summary_within` (print).
    #[serde(rename = "summary", serialize_with = "serialize_summary")]
    #[schemars(rename = "summary", with = "String")]
    grouped: Reasons,
    /// What the model cannot show and Atlassian's check needs (storage without documented
    /// residency support): evidence required, not a pass.
    pub evidence_required: Vec<String>,
    /// The components that make it ineligible.
    pub components: Vec<String>,
}

/// The Runs on Atlassian conclusion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RoaVerdict {
    /// No reason for ineligibility, and nothing left to confirm.
    #[default]
    Eligible,
    /// No reason for ineligibility found, but Atlassian's check needs what the model cannot
    /// show: evidence required, not a pass.
    NotConfirmed,
    /// At least one of Atlassian's rules is broken.
    NotEligible,
}

impl RoaVerdict {
    /// The verdict when no reason for ineligibility is found (`eligible`) and nothing is left
    /// to confirm (`confirmed`).
    fn of(eligible: bool, confirmed: bool) -> RoaVerdict {
        match (eligible, confirmed) {
            (false, _) => RoaVerdict::NotEligible,
            (true, false) => RoaVerdict::NotConfirmed,
            (true, true) => RoaVerdict::Eligible,
        }
    }
}

impl RunsOnAtlassian {
    /// The reasons in one sentence, each rule named once with every element that breaks it.
    pub fn summary(&self) -> String {
        self.grouped.summary_within(None)
    }

    /// [`RunsOnAtlassian::summary`] with at most `names` elements named per clause, the rest
    /// counted: for print, where a thousand-name sentence helps nobody (every one stays in
    /// `reasons`).
    pub fn summary_within(&self, names: usize) -> String {
        self.grouped.summary_within(Some(names))
    }
}

fn serialize_summary<S: serde::Serializer>(grouped: &Reasons, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&grouped.summary_within(None))
}

/// Atlassian's rules for the Runs on Atlassian badge, as its page states them (atlassian.md B7,
/// I1); each reason starts with the rule it breaks.
pub mod roa_rules {
    /// Connect apps and Connect modules.
    pub const CONNECT: &str = "Connect apps and modules are not eligible";
    /// Remotes.
    pub const REMOTES: &str = "remotes are not allowed";
    /// Egress that is not analytics, including content egress.
    pub const NON_ANALYTICS: &str = "only analytics egress is allowed";
    /// Analytics egress that may carry in-scope End-User Data.
    pub const IN_SCOPE_ANALYTICS: &str = "analytics egress must declare `inScopeEUD: false` (omitted means true)";
    /// Web triggers.
    pub const DYNAMIC_WEBTRIGGER: &str = "only static web triggers are allowed";
    /// Customer-managed egress and configured remotes.
    pub const CUSTOMER_MANAGED: &str = "customer-managed egress and configured remotes are not allowed";
    /// Components outside Atlassian the manifest does not account for.
    pub const OUTSIDE: &str = "compute and storage must be hosted by Atlassian";
}

/// Runs on Atlassian eligibility, by Atlassian's rules: from the manifest's declarations when
/// the model has them (as `forge eligibility` reads the manifest), and from the data-flow graph
/// for anything the manifest does not account for.
pub fn runs_on_atlassian(cx: &Facts<'_>) -> RunsOnAtlassian {
    use crate::model::{EgressKind, StorageResidency, WebtriggerResponse};
    let mut reasons = Reasons::default();
    let mut evidence = BTreeSet::new();
    let mut components = BTreeSet::new();
    if cx.model.app.platform == Platform::Connect {
        reasons.text(
            roa_rules::CONNECT,
            format!(
                "{} is a Connect app, whose code runs on the vendor's servers",
                cx.model.app.name
            ),
        );
    }
    let manifest = cx.model.manifest.as_ref();
    if let Some(m) = manifest {
        if m.connect_modules {
            reasons.text(roa_rules::CONNECT, "the manifest declares `connectModules`".to_owned());
        }
        for remote in &m.remotes {
            reasons.text(roa_rules::REMOTES, format!("remote `{}`", remote.key));
            if remote.configured {
                reasons.text(
                    roa_rules::CUSTOMER_MANAGED,
                    format!("remote `{}` is `configured`", remote.key),
                );
            }
        }
        for entry in &m.egress {
            let is_analytics = entry.category.as_deref() == Some("analytics") && entry.kind != EgressKind::Content;
            if !is_analytics {
                let kind = match entry.kind {
                    EgressKind::Backend => "fetch.backend",
                    EgressKind::Client => "fetch.client",
                    EgressKind::Content => "content egress (images, fonts, frames, media, scripts, styles count too)",
                };
                reasons.text(roa_rules::NON_ANALYTICS, format!("{kind} `{}`", entry.address));
            } else if entry.in_scope_eud != Some(false) {
                reasons.text(roa_rules::IN_SCOPE_ANALYTICS, format!("`{}`", entry.address));
            }
        }
        for trigger in &m.webtriggers {
            match trigger.response {
                WebtriggerResponse::Static => {}
                WebtriggerResponse::Dynamic => {
                    reasons.text(
                        roa_rules::DYNAMIC_WEBTRIGGER,
                        format!("`{}` has `response.type: dynamic`", trigger.key),
                    );
                }
                WebtriggerResponse::Untyped => {
                    reasons.text(
                        roa_rules::DYNAMIC_WEBTRIGGER,
                        format!("`{}` declares no `response.type`", trigger.key),
                    );
                }
            }
        }
        if m.customer_managed_egress {
            reasons.text(
                roa_rules::CUSTOMER_MANAGED,
                "`permissions.external.configurable.enabled: true` lets each customer's admin add destinations"
                    .to_owned(),
            );
        }
        for store in m.storage.iter().filter(|s| s.residency == StorageResidency::Unknown) {
            evidence.insert(format!(
                "{}: data residency not confirmed by Atlassian's documentation (EAP/Preview storage may not count)",
                store.name()
            ));
        }
    }
    for (c, component) in cx.model.components.iter().enumerate() {
        if component.kind.is_origin() || cx.resolved.on_atlassian(c) {
            continue;
        }
        if cx.propagation.categories_at(c).next().is_none() || manifest.is_some_and(|m| declared_in(cx, c, m)) {
            continue;
        }
        // An external service reached only from the vendor's own servers is not Atlassian
        // egress: those servers are the reason (Connect traffic never leaves Forge).
        if component.kind == ComponentKind::ExternalService
            && !cx.graph.incoming(c).any(|(_, from)| cx.resolved.on_atlassian(from))
        {
            continue;
        }
        components.insert(component.id.clone());
        if cx.graph.incoming(c).any(|(flow, from)| {
            // A Forge Remote invocation, or a call carrying a Forge Invocation Token from
            // Atlassian's side (how a remote is reached by an event or a fetch).
            let flow = &cx.model.flows[flow];
            flow.trigger == Some(crate::model::Trigger::Remote)
                || (flow.auth == Some(crate::model::Auth::Fit) && cx.resolved.on_atlassian(from))
        }) {
            reasons.element(roa_rules::REMOTES, Element::Remote, &component.id);
        }
        match component.kind {
            ComponentKind::ExternalService => reasons.element(roa_rules::NON_ANALYTICS, Element::Leaves, &component.id),
            _ => reasons.element(roa_rules::OUTSIDE, Element::RunsOutside, &component.id),
        }
    }
    if manifest.is_none() {
        // Without the manifest's declarations, an egress host's category is not known: Atlassian
        // allows only analytics egress declared out of scope.
        for component in &cx.model.components {
            for host in &component.egress {
                components.insert(component.id.clone());
                reasons.element(
                    roa_rules::NON_ANALYTICS,
                    Element::DeclaresEgress(component.id.clone()),
                    host,
                );
            }
        }
    }
    RunsOnAtlassian {
        eligible: reasons.is_empty(),
        verdict: RoaVerdict::of(reasons.is_empty(), evidence.is_empty()),
        reasons: reasons.list(),
        grouped: reasons,
        evidence_required: evidence.into_iter().collect(),
        components: components.into_iter().collect(),
    }
}

/// `a`, `a and b`, `a, b and c`: items as a sentence lists them.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What a model element does that breaks one of Atlassian's rules, when many elements can do
/// the same: said once for all of them in the summary.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Element {
    /// A component outside Atlassian that the manifest does not account for.
    RunsOutside,
    /// A component Atlassian-hosted parts call as a Forge Remote.
    Remote,
    /// An external service Atlassian-hosted parts send data to.
    Leaves,
    /// Egress this component declares to the hosts listed, with no category known.
    DeclaresEgress(String),
}

impl Element {
    /// The reason for one element, after its rule.
    fn one(&self, id: &str) -> String {
        self.all(&[format!("`{id}`")])
    }

    /// The reason for all of `ids` (ticked, sorted, at least one; the last may count the rest).
    fn all(&self, ids: &[String]) -> String {
        let many = ids.len() > 1;
        let list = and_list(ids);
        match self {
            Element::RunsOutside if many => format!("{list} run outside Atlassian"),
            Element::RunsOutside => format!("{list} runs outside Atlassian"),
            Element::Remote if many => format!("{list} are Forge Remotes"),
            Element::Remote => format!("{list} is a Forge Remote"),
            Element::Leaves => format!("data leaves Atlassian to {list}"),
            Element::DeclaresEgress(component) => {
                format!("`{component}` declares egress to {list} (no category or `inScopeEUD` in the model)")
            }
        }
    }
}

/// The reasons an app is not Runs on Atlassian, by Atlassian's rule: each listed on its own
/// (`reasons`, one per manifest entry or element, so every one stays addressable) and in one
/// sentence that names each rule once (`summary`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Reasons {
    texts: BTreeMap<&'static str, BTreeSet<String>>,
    elements: BTreeMap<&'static str, BTreeMap<Element, BTreeSet<String>>>,
}

impl Reasons {
    /// A reason of its own under `rule`.
    fn text(&mut self, rule: &'static str, what: String) {
        self.texts.entry(rule).or_default().insert(what);
    }

    /// Element `id` breaks `rule` the way `kind` says.
    fn element(&mut self, rule: &'static str, kind: Element, id: &str) {
        self.elements
            .entry(rule)
            .or_default()
            .entry(kind)
            .or_default()
            .insert(id.to_owned());
    }

    fn is_empty(&self) -> bool {
        self.texts.is_empty() && self.elements.is_empty()
    }

    /// Every reason as "rule: what", sorted.
    fn list(&self) -> Vec<String> {
        let mut all = BTreeSet::new();
        for (rule, texts) in &self.texts {
            all.extend(texts.iter().map(|what| format!("{rule}: {what}")));
        }
        for (rule, kinds) in &self.elements {
            for (kind, ids) in kinds {
                all.extend(ids.iter().map(|id| format!("{rule}: {}", kind.one(id))));
            }
        }
        all.into_iter().collect()
    }

    /// Each rule once, with what breaks it, in the order of the rules' text; at most `names`
    /// elements named per clause when given.
    fn summary_within(&self, names: Option<usize>) -> String {
        let rules: BTreeSet<&str> = self.texts.keys().chain(self.elements.keys()).copied().collect();
        let parts: Vec<String> = rules
            .into_iter()
            .map(|rule| {
                let mut whats: Vec<String> = self.texts.get(rule).into_iter().flatten().cloned().collect();
                if let Some(kinds) = self.elements.get(rule) {
                    whats.extend(kinds.iter().map(|(kind, ids)| {
                        let shown = names.unwrap_or(usize::MAX).max(1);
                        let mut ticked: Vec<String> = ids.iter().take(shown).map(|id| format!("`{id}`")).collect();
                        if ids.len() > shown {
                            ticked.push(format!("{} more", ids.len() - shown));
                        }
                        kind.all(&ticked)
                    }));
                }
                // Within a rule, commas; between rules, semicolons.
                format!("{rule}: {}", whats.join(", "))
            })
            .collect();
        parts.join("; ")
    }
}

/// Whether the manifest declares the way data reaches component `c` (an egress entry or a
/// remote whose host a flow into it names): its verdict then comes from the declaration.
fn declared_in(cx: &Facts<'_>, c: usize, manifest: &crate::model::ManifestFacts) -> bool {
    cx.graph.incoming(c).any(|(flow, _)| {
        cx.model.flows[flow].host.as_deref().is_some_and(|host| {
            manifest
                .egress
                .iter()
                .any(|e| crate::host::egress_allows(&e.address, host))
                || manifest.remotes.iter().any(|r| r.host.as_deref() == Some(host))
        })
    })
}

/// What the analysis cannot decide about approved destinations, said wherever they are listed.
pub const CUSTOMER_MANAGED_ROLE: &str = "Role not assessed: whether the vendor engages an approved destination as its sub-processor or sends data there at the customer's instruction must be stated in the DPA (evidence required); transfers to approved destinations are not assessed.";

/// Customer-managed egress (atlassian.md I2): destinations each customer's admin approves at
/// run time. The recipients differ per installation, so they are listed per installation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CustomerManagedEgress {
    /// What the analysis leaves open (the role and the transfer of each destination).
    pub role: &'static str,
    /// What in the model says destinations are chosen per installation.
    pub basis: String,
    /// Personal data the app's functions hold, which may be sent to an approved destination.
    pub data: Vec<String>,
    /// Each installation's approved destinations.
    pub installations: Vec<InstallationEgress>,
}

/// One installation's approved destinations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct InstallationEgress {
    /// Installation id.
    pub installation: String,
    /// Its realm.
    pub realm: Realm,
    /// Whether the model records what the admin approved (`approved_egress`); when not, the
    /// recipients of this installation are unknown: evidence required.
    pub recorded: bool,
    /// The approved destinations.
    pub destinations: Vec<ApprovedDestination>,
}

/// One destination a customer's admin approved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ApprovedDestination {
    /// The host as approved.
    pub host: String,
    /// The organisation behind it (model or catalog id), `unidentified:<host>` when none is
    /// known.
    pub organisation: String,
    /// Its name, or what the host is when no organisation is known.
    pub name: String,
    /// Whether the organisation is known.
    pub identified: bool,
}

/// The customer-managed egress section, when the manifest declares it (configurable egress or
/// a `configured` remote) or an installation records approved destinations.
pub fn customer_managed_egress(cx: &Facts<'_>) -> Option<CustomerManagedEgress> {
    let model = cx.model;
    let manifest = model.manifest.as_ref();
    let mut basis = Vec::new();
    if manifest.is_some_and(|m| m.customer_managed_egress) {
        basis.push("the manifest declares `permissions.external.configurable.enabled: true`".to_owned());
    }
    for remote in manifest.into_iter().flat_map(|m| &m.remotes).filter(|r| r.configured) {
        basis.push(format!("the remote `{}` is `configured` per installation", remote.key));
    }
    if basis.is_empty() {
        if !model.installations.iter().any(|i| i.approved_egress.is_some()) {
            return None;
        }
        basis.push("installations record `approved_egress`".to_owned());
    }
    let mut data = BTreeSet::new();
    for (c, component) in model.components.iter().enumerate() {
        if component.kind == crate::model::ComponentKind::ForgeFunction {
            data.extend(
                cx.propagation
                    .categories_at(c)
                    .filter(|&d| cx.personal(d))
                    .map(|d| model.data[d].id.clone()),
            );
        }
    }
    let installations = model
        .installations
        .iter()
        .map(|installation| {
            let mut hosts: Vec<String> = installation
                .approved_egress
                .iter()
                .flatten()
                .map(|address| crate::host::host_of(address))
                .filter(|h| !h.is_empty())
                .collect();
            hosts.sort();
            hosts.dedup();
            InstallationEgress {
                installation: installation.id.clone(),
                realm: installation.realm,
                recorded: installation.approved_egress.is_some(),
                destinations: hosts.into_iter().map(|host| approved_destination(cx, host)).collect(),
            }
        })
        .collect();
    Some(CustomerManagedEgress {
        role: CUSTOMER_MANAGED_ROLE,
        basis: basis.join("; "),
        data: data.into_iter().collect(),
        installations,
    })
}

/// Who is behind an approved host: the organisation of a modelled component reached on that
/// host (one host, one party), else a catalog organisation, else unidentified.
fn approved_destination(cx: &Facts<'_>, host: String) -> ApprovedDestination {
    let model = cx.model;
    let modelled = model
        .flows
        .iter()
        .filter(|f| f.host.as_deref().map(crate::host::host_of).as_deref() == Some(host.as_str()))
        .find_map(|f| {
            let c = cx.graph.component(&f.to)?;
            cx.resolved.operator[c].clone()
        });
    let named = modelled
        .map(|id| {
            let name = cx
                .resolved
                .orgs
                .get(id.as_str())
                .map_or_else(|| id.clone(), |o| o.name.clone());
            (id, name)
        })
        .or_else(|| {
            cx.catalog
                .organisation_for_host(&host)
                .map(|(id, org)| (id.to_owned(), org.name.clone()))
        });
    match named {
        Some((id, name)) => ApprovedDestination {
            name,
            organisation: id,
            identified: true,
            host,
        },
        None => ApprovedDestination {
            organisation: format!("unidentified:{host}"),
            name: match crate::host::non_production(&host) {
                Some(why) => format!("not a production destination ({host}): {why}"),
                None => format!("unidentified recipient ({host})"),
            },
            identified: false,
            host,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{Element, HipaaScope, Reasons, roa_rules};

    #[test]
    fn hipaa_scope_needs_installations_a_covered_one_and_phi() {
        assert_eq!(HipaaScope::of(0, 0, true), HipaaScope::NoInstallations);
        assert_eq!(HipaaScope::of(3, 0, true), HipaaScope::NotCovered);
        assert_eq!(HipaaScope::of(3, 1, false), HipaaScope::PhiNotMarked);
        assert_eq!(HipaaScope::of(3, 1, true), HipaaScope::Assessed);
    }

    #[test]
    fn the_verdict_names_each_rule_once_and_lists_every_element() {
        let mut reasons = Reasons::default();
        assert!(reasons.is_empty());
        reasons.text(
            roa_rules::CONNECT,
            "a Connect app's code runs on the vendor's servers".to_owned(),
        );
        reasons.element(roa_rules::REMOTES, Element::Remote, "worker");
        for host in ["b.example.com", "a.example.com"] {
            reasons.element(roa_rules::NON_ANALYTICS, Element::DeclaresEgress("fn".to_owned()), host);
        }
        for id in ["server", "db", "worker"] {
            reasons.element(roa_rules::OUTSIDE, Element::RunsOutside, id);
        }
        reasons.element(roa_rules::NON_ANALYTICS, Element::Leaves, "llm");
        reasons.text(roa_rules::NON_ANALYTICS, "fetch.backend `api.example.com`".to_owned());
        assert_eq!(
            reasons.summary_within(None),
            "Connect apps and modules are not eligible: a Connect app's code runs on the vendor's servers; \
             compute and storage must be hosted by Atlassian: `db`, `server` and `worker` run outside Atlassian; \
             only analytics egress is allowed: fetch.backend `api.example.com`, data leaves Atlassian to `llm`, \
             `fn` declares egress to `a.example.com` and `b.example.com` (no category or `inScopeEUD` in the model); \
             remotes are not allowed: `worker` is a Forge Remote"
        );
        assert!(
            reasons.summary_within(Some(2)).contains(
                "compute and storage must be hosted by Atlassian: `db`, `server` and 1 more run outside Atlassian"
            ),
            "{}",
            reasons.summary_within(Some(2))
        );
        // Each element stays a reason of its own.
        assert_eq!(
            reasons.list(),
            [
                "Connect apps and modules are not eligible: a Connect app's code runs on the vendor's servers",
                "compute and storage must be hosted by Atlassian: `db` runs outside Atlassian",
                "compute and storage must be hosted by Atlassian: `server` runs outside Atlassian",
                "compute and storage must be hosted by Atlassian: `worker` runs outside Atlassian",
                "only analytics egress is allowed: `fn` declares egress to `a.example.com` (no category or \
                 `inScopeEUD` in the model)",
                "only analytics egress is allowed: `fn` declares egress to `b.example.com` (no category or \
                 `inScopeEUD` in the model)",
                "only analytics egress is allowed: data leaves Atlassian to `llm`",
                "only analytics egress is allowed: fetch.backend `api.example.com`",
                "remotes are not allowed: `worker` is a Forge Remote",
            ]
        );
    }
}
