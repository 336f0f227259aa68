//! The checked facts of one model: everything derived from a validated model and the catalog,
//! computed once and read by the rules, the analysis, the simulation and every renderer.
//!
//! [`Facts::new`] is the only way to build resolution, propagation and the sections the rules
//! read; the data-flow graph comes with the loaded model. Nothing downstream rebuilds them.

pub mod customers;
pub mod propagation;
pub mod resolve;
pub mod sections;
pub mod traits;
pub mod transfers;

pub use resolve::Evidence;
pub use sections::european_realm;
pub use sections::{
    AtlassianForCustomer, BaaLink, CustomerIntegration, DataUse, GdprRole, Hipaa, Hop, RealmResidency, Relationship,
    ResidencyEntry, RoaVerdict, RunsOnAtlassian, Soc2, Subprocessor, SubserviceOrganisation,
};
pub use transfers::{Regime, Transfer, TransferMechanism, TransferStatus};

use crate::catalog::Catalog;
use crate::graph::FlowGraph;
use crate::load::LoadedModel;
use crate::model::{Model, OrgRole, Realm};
use propagation::Propagation;
use resolve::Resolved;
use std::cell::Cell;

thread_local! {
    static BUILT: Cell<usize> = const { Cell::new(0) };
}

/// How many [`Facts`] this thread has built: a counting hook for tests that check each model
/// is resolved and propagated once per run.
pub fn built_on_this_thread() -> usize {
    BUILT.with(Cell::get)
}

/// Everything derived from one validated model, computed once.
pub struct Facts<'m> {
    /// The loaded model (with its source file, for locating findings).
    pub loaded: &'m LoadedModel,
    /// The model.
    pub model: &'m Model,
    /// The catalog.
    pub catalog: &'m Catalog,
    /// The data-flow graph with boundary crossings (built once, at validation).
    pub graph: &'m FlowGraph,
    /// Merged organisation facts, operators, hosts, regions.
    pub resolved: Resolved<'m>,
    /// Where each data category goes.
    pub propagation: Propagation,
    /// What each data category is, derived data included.
    pub traits: Vec<traits::DataTraits>,
    /// The distinct realms of the model's installations, sorted.
    pub realms: Vec<Realm>,
    /// The customers' law in each realm: shared, or per law group when they differ.
    pub customer_laws: std::collections::BTreeMap<Realm, customers::RealmLaw<'m>>,
    /// The GDPR inventory.
    pub subprocessors: std::sync::Arc<Vec<Subprocessor>>,
    /// Every disclosure of personal data per realm, exporter and importer.
    pub transfers: std::sync::Arc<Vec<std::sync::Arc<Transfer>>>,
    /// Destinations that are the customer's own accounts.
    pub customer_integrations: Vec<CustomerIntegration>,
    /// Atlassian as the customer's processor for product data.
    pub atlassian_for_customer: Option<AtlassianForCustomer>,
    /// Customer-managed egress: each installation's approved destinations.
    pub customer_managed_egress: Option<sections::CustomerManagedEgress>,
    /// The HIPAA chain.
    pub hipaa: Hipaa,
    /// The SOC 2 section.
    pub soc2: std::sync::Arc<Soc2>,
    /// Runs on Atlassian eligibility.
    pub runs_on_atlassian: RunsOnAtlassian,
    /// The egress addresses that keep a Forge app from pinned data residency
    /// ([`sections::pinned_blockers`]).
    pub pinned_blockers: Vec<String>,
    /// The scope, as the model writes it, that lets the app act as any user of the site:
    /// Connect's `ACT_AS_USER` or its Connect-on-Forge form `act-as-user:connect-<product>`.
    /// The user-impersonation rule reports it and the DPA annex says it beside the vendor's
    /// purposes, so both read this one answer.
    pub impersonation: Option<String>,
}

impl<'m> Facts<'m> {
    /// Resolves, propagates and builds the inventory of a validated model.
    pub fn new(loaded: &'m LoadedModel, catalog: &'m Catalog) -> Facts<'m> {
        BUILT.with(|n| n.set(n.get() + 1));
        let model = &loaded.model;
        let resolved = Resolved::new(model, &loaded.graph, catalog);
        let propagation = Propagation::compute(model, &loaded.graph);
        let traits = traits::derive(model, &loaded.graph, &propagation);
        let mut realms: Vec<Realm> = model.installations.iter().map(|i| i.realm).collect();
        realms.sort();
        realms.dedup();
        let customer_laws = customers::realm_laws(model, &realms, catalog);
        let mut facts = Facts {
            customer_laws,
            loaded,
            model,
            catalog,
            graph: &loaded.graph,
            resolved,
            propagation,
            traits,
            realms,
            subprocessors: Vec::new().into(),
            transfers: Vec::new().into(),
            customer_integrations: Vec::new(),
            atlassian_for_customer: None,
            customer_managed_egress: None,
            hipaa: Hipaa::default(),
            soc2: std::sync::Arc::default(),
            runs_on_atlassian: RunsOnAtlassian::default(),
            impersonation: impersonation_scope(&model.app.scopes).cloned(),
            pinned_blockers: sections::pinned_blockers(model, &loaded.graph),
        };
        // Each section is computed once: the rules and the analysis both read it.
        let (subprocessors, transfers) = sections::subprocessors(&facts);
        facts.subprocessors = std::sync::Arc::new(subprocessors);
        facts.transfers = std::sync::Arc::new(transfers);
        // The remaining sections read the inventory, not each other: built side by side.
        let cx = &facts;
        let ((integrations, (atlassian, egress)), (hipaa, (soc2, runs_on_atlassian))) = rayon::join(
            || {
                (
                    sections::customer_integrations(cx),
                    (
                        sections::atlassian_for_customer(cx),
                        sections::customer_managed_egress(cx),
                    ),
                )
            },
            || {
                (
                    sections::hipaa(cx),
                    rayon::join(|| sections::soc2(cx), || sections::runs_on_atlassian(cx)),
                )
            },
        );
        facts.customer_integrations = integrations;
        facts.atlassian_for_customer = atlassian;
        facts.customer_managed_egress = egress;
        facts.hipaa = hipaa;
        facts.soc2 = std::sync::Arc::new(soc2);
        facts.runs_on_atlassian = runs_on_atlassian;
        facts
    }

    /// Whether category `d` is personal data (declared, PHI, or derived from personal data).
    pub fn personal(&self, d: usize) -> bool {
        self.traits[d].personal
    }

    /// Whether category `d` is PHI (declared, or derived from PHI).
    pub fn phi(&self, d: usize) -> bool {
        self.traits[d].phi
    }

    /// Whether category `d` is in scope of data residency.
    pub fn in_scope(&self, d: usize) -> bool {
        self.traits[d].in_scope
    }

    /// The index of a data category.
    pub fn data_index(&self, id: &str) -> Option<usize> {
        self.graph.data(id)
    }

    /// For category `d`: every component that receives it (not the customer's own products and
    /// users) with each organisation other than the customer responsible for that component.
    pub fn recipients(&self, d: usize) -> impl Iterator<Item = (&propagation::Reach, &str)> {
        self.propagation.reach[d]
            .iter()
            // The customer's own products and users, and its own accounts (customer-enabled
            // integrations), are not recipients of the vendor's processing.
            .filter(|reach| {
                !self.model.components[reach.component].kind.is_origin() && !self.customer_destination(reach)
            })
            .flat_map(move |reach| {
                self.resolved
                    .responsible(reach.component)
                    .into_iter()
                    .map(move |org| (reach, org))
            })
            .filter(|(_, org)| self.resolved.role(org) != OrgRole::Customer)
    }

    /// Whether data reaching a component this way is the customer's own integration: the
    /// component is marked `owner: customer`, or only flows marked `owner: customer` bring it.
    pub fn customer_destination(&self, reach: &propagation::Reach) -> bool {
        reach.by_customer || self.model.components[reach.component].owner == Some(crate::model::Owner::Customer)
    }

    /// The component ids along the path that brings category `d` to component `c`.
    pub fn path_to(&self, d: usize, c: usize) -> Vec<String> {
        propagation::component_path(self.model, &self.propagation.flow_chain(d, c), c)
    }

    /// The path of data to the first component, in model order, that `wanted` accepts and
    /// some data category reaches; empty when there is none.
    pub fn path_to_first(&self, wanted: impl Fn(usize) -> bool) -> Vec<String> {
        (0..self.model.components.len())
            .filter(|&c| wanted(c))
            .find_map(|c| self.propagation.categories_at(c).next().map(|d| self.path_to(d, c)))
            .unwrap_or_default()
    }

    /// The analysis sections the analysis hands on: the inventory, HIPAA, SOC 2 and Runs on
    /// Atlassian, as computed once here.
    pub fn sections(
        &self,
    ) -> (
        std::sync::Arc<Vec<Subprocessor>>,
        Hipaa,
        std::sync::Arc<Soc2>,
        RunsOnAtlassian,
    ) {
        (
            std::sync::Arc::clone(&self.subprocessors),
            self.hipaa.clone(),
            std::sync::Arc::clone(&self.soc2),
            self.runs_on_atlassian.clone(),
        )
    }
}

/// The first scope that grants user impersonation: `ACT_AS_USER` in any case (descriptors in
/// the wild write `act_as_user`), or `act-as-user:connect-<product>` on Forge.
fn impersonation_scope(scopes: &[String]) -> Option<&String> {
    scopes
        .iter()
        .find(|s| s.eq_ignore_ascii_case("ACT_AS_USER") || s.to_ascii_lowercase().starts_with("act-as-user:connect-"))
}
