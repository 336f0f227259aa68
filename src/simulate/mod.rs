//! A deterministic, parallel event simulation of installations over time, under each
//! platform's rules, producing a ledger of where each data category ended up.
//!
//! Connect: the `installed` callback hands a generated `clientKey` and `sharedSecret` to the
//! vendor, which keeps them; every JWT-authenticated webhook and iframe request carries a real
//! HS256 token with the request's qsh, verified as the model says the receiving component does;
//! four attacks per installation (wrong secret, expired token, tampered query, another tenant's
//! clientKey) are counted accepted or rejected. Forge: installs provision per-installation
//! storage in the realm; egress to hosts the function did not declare is blocked and counted;
//! remote calls carry an invocation token and leave Atlassian. Uninstalls purge or keep data as
//! the model says; realm migrations move what follows the tenant and leave vendor copies.
//!
//! Installations run in parallel; each has its own random stream derived from the seed, and
//! results are summed, so the ledger is the same for any thread count. Memory grows with the
//! model and the number of installations, not with the number of events.

pub mod workload;

pub use workload::Workload;

use crate::analysis::Analysis;
use crate::catalog::Catalog;
use crate::facts::Facts;
use crate::facts::resolve::{Resolved, inside_realm};
use crate::jwt::{self, Checks, Claims};
use crate::model::{Auth, ComponentKind, Model, Platform, Realm, Trigger};
use rayon::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A small, fast, seedable random stream (SplitMix64): the same seed gives the same numbers on
/// every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A stream for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A whole number of events around `mean` (mean-preserving rounding with jitter).
    pub fn count(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        let scaled = mean * (0.5 + self.unit());
        let whole = scaled.floor();
        whole as u64 + u64::from(self.unit() < scaled - whole)
    }
}

/// Kinds of attack on a Connect endpoint.
pub const ATTACKS: [&str; 4] = [
    "wrong-secret",
    "expired-token",
    "tampered-query",
    "other-tenant-client-key",
];

/// One row of the ledger.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct LedgerRow {
    /// Data category.
    pub data: String,
    /// Organisation.
    pub organisation: String,
    /// Country or jurisdiction (`unknown` when the model does not say).
    pub country: String,
    /// `at-rest` or `in-transit`.
    pub state: &'static str,
    /// Records.
    pub records: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Cross-border transfers, with the mechanism the static analysis says they need.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct TransferRow {
    /// The installation realm the data came from.
    pub realm: String,
    /// Who disclosed it (`customer` or an organisation id), as in the analysis's `transfers`.
    pub exporter: String,
    /// Recipient.
    pub organisation: String,
    /// Where it went (or, when the regime binds the recipient, where it is established): the
    /// place the analysis assesses the hop for, the most demanding of `processes_in`.
    pub country: String,
    /// Every place the recipient processes the data or can reach it from in this realm, as the
    /// analysis's inventory lists them (`AU (legal entity)`: reachable from there); empty for a
    /// realm the analysis did not assess.
    pub processes_in: Vec<String>,
    /// The governing law, as in the analysis's `transfers` (`not-assessed` for a realm the
    /// model has no installation in).
    pub regime: String,
    /// The basis and how far it is evidenced (the analysis's `label`).
    pub mechanism: String,
    /// The evidence status (`recorded`, `offered`, `required`, `not-assessed`).
    pub status: String,
    /// Installations whose data took this hop.
    pub installations: u64,
    /// Records transferred.
    pub records: u64,
}

/// One installation's records on one hop: the per-installation view of `transfers`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct InstallationTransfer {
    /// The simulated installation (`tenant-N`, as in `residency.not_kept`).
    pub installation: String,
    /// The realm its data was in when it took the hop.
    pub realm: String,
    /// Who disclosed it, as in `transfers`.
    pub exporter: String,
    /// Recipient.
    pub organisation: String,
    /// The evidence status of the hop, as in `transfers`.
    pub status: String,
    /// Records of this installation on this hop.
    pub records: u64,
}

/// Accepted and rejected attempts of one attack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AttackCount {
    /// Accepted by the app (a vulnerability).
    pub accepted: u64,
    /// Rejected.
    pub rejected: u64,
}

/// Data the app keeps after uninstall.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct KeptRow {
    /// Component.
    pub component: String,
    /// Data category.
    pub data: String,
    /// Installations whose data it kept.
    pub installations: u64,
}

/// One day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DayRow {
    /// Day number, from 0.
    pub day: u32,
    /// Events that day.
    pub events: u64,
    /// Records written that day.
    pub records: u64,
}

/// Totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Totals {
    /// Installations simulated.
    pub installations: u64,
    /// Events (page views, product events, jobs, admin changes, lifecycle callbacks).
    pub events: u64,
    /// Flows executed.
    pub flows: u64,
    /// Ledger records.
    pub records: u64,
    /// Ledger bytes.
    pub bytes: u64,
    /// JWTs signed (Connect requests and attacks).
    pub jwt_signed: u64,
    /// JWTs that receiving components verified and accepted.
    pub jwt_verified: u64,
    /// Forge Remote invocations (each with an invocation token).
    pub remote_invocations: u64,
    /// Per-installation Forge storage provisioned.
    pub storage_provisioned: u64,
    /// Installations that uninstalled.
    pub uninstalls: u64,
    /// Installations whose site moved realm.
    pub realm_migrations: u64,
    /// Egress calls blocked by Forge (undeclared hosts).
    pub blocked_egress: u64,
    /// Installations whose shared secret is kept outside Atlassian.
    pub secrets_outside_atlassian: u64,
    /// Installations holding PHI (the workload's `hipaa_share`).
    pub hipaa_installations: u64,
    /// Records of PHI, from those installations, reaching a vendor or third party without a
    /// BAA recorded (45 CFR 164.502(e)).
    pub phi_records_without_baa: u64,
}

/// Residency per realm: installations whose in-scope data at rest stayed in their realm.
#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
pub struct ResidencyKept {
    /// Installations kept, by final realm.
    pub kept: BTreeMap<String, u64>,
    /// Installations, by final realm.
    pub total: BTreeMap<String, u64>,
    /// Share of each realm's installations kept, in percent (never one figure across realms:
    /// realms differ in what keeping means).
    pub kept_percent: BTreeMap<String, f64>,
    /// The installations (by `clientKey`/site id) whose in-scope data at rest left their realm.
    pub not_kept: Vec<String>,
    /// Per realm, what its figure cannot vouch for (storage without documented residency, a
    /// provider keeping what it receives outside the realm): the figure holds only with this
    /// evidence.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence_required: BTreeMap<String, Vec<String>>,
}

/// The result of a simulation.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Simulation {
    /// The app.
    pub app: String,
    /// The workload.
    pub workload: Workload,
    /// Totals.
    pub totals: Totals,
    /// The categories that are PHI (declared or derived): without any, the PHI count says
    /// nothing about BAAs.
    pub phi_categories: Vec<String>,
    /// Where each data category ended up: category × organisation × country × state.
    pub ledger: Vec<LedgerRow>,
    /// Residency kept.
    pub residency: ResidencyKept,
    /// The hops personal data took (exporter → recipient per realm), with the static analysis's
    /// regime, basis and evidence, the installations whose data took each, and the records.
    pub transfers: Vec<TransferRow>,
    /// The same hops per installation: which installation's data took which hop, and how many
    /// records (installations in order, then hops as in `transfers`).
    pub installation_transfers: Vec<InstallationTransfer>,
    /// Egress blocked by Forge, per host.
    pub blocked_egress: BTreeMap<String, u64>,
    /// Data kept after uninstall.
    pub kept_after_uninstall: Vec<KeptRow>,
    /// Attack experiments.
    pub attacks: BTreeMap<String, AttackCount>,
    /// The daily time series.
    pub daily: Vec<DayRow>,
}

/// Kinds of events that start flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EventKind {
    PageView,
    ProductEvent,
    Scheduled,
    Admin,
    Install,
    Uninstall,
}

impl EventKind {
    /// Every kind, in declaration order (`kind as usize` indexes it).
    const ALL: [EventKind; 6] = [
        EventKind::PageView,
        EventKind::ProductEvent,
        EventKind::Scheduled,
        EventKind::Admin,
        EventKind::Install,
        EventKind::Uninstall,
    ];
}

// `kind as usize` indexes `EventKind::ALL`: checked when the crate compiles.
const _: () = {
    let mut i = 0;
    while i < EventKind::ALL.len() {
        assert!(EventKind::ALL[i] as usize == i);
        i += 1;
    }
};

/// A flow as executed for one realm: the ledger slots it adds to.
#[derive(Clone, Debug, Default)]
struct Step {
    flow: usize,
    /// Slots per realm index.
    slots: Vec<Vec<usize>>,
    /// (component, data) holdings written at rest.
    holdings: Vec<usize>,
    jwt: Option<JwtCheck>,
    remote: bool,
    blocked: Option<String>,
    product: Option<String>,
}

#[derive(Clone, Copy, Debug)]
struct JwtCheck {
    checks: Checks,
}

/// Everything precomputed from the model for the hot loop.
struct Plan {
    realms: Vec<Realm>,
    realm_weights: Vec<f64>,
    slots: Vec<(usize, usize, String, String, bool)>, // realm, data, org, country, at_rest
    slot_index: HashMap<(usize, usize, String, String, bool), usize>,
    /// Per slot: PHI reaching a vendor or third party with no BAA recorded.
    phi_gap: Vec<bool>,
    holdings: Vec<(usize, usize)>, // component, data
    holding_index: HashMap<(usize, usize), usize>,
    entries: Vec<(EventKind, Vec<Step>)>,
    attack_target: Option<(String, Checks)>,
    connect: bool,
    forge_storage: bool,
    /// The static analysis's hops per realm that the simulation counts, and for each ledger
    /// slot the hop it belongs to (personal data in transit only).
    hops: Vec<TransferRow>,
    slot_hop: Vec<Option<usize>>,
    /// Per data category: personal (derived data included) and in residency scope.
    personal: Vec<bool>,
    in_scope: Vec<bool>,
}

impl Plan {
    fn slot(&mut self, key: (usize, usize, String, String, bool)) -> usize {
        if let Some(&i) = self.slot_index.get(&key) {
            return i;
        }
        self.slots.push(key.clone());
        self.slot_index.insert(key, self.slots.len() - 1);
        self.slots.len() - 1
    }

    fn holding(&mut self, key: (usize, usize)) -> usize {
        if let Some(&i) = self.holding_index.get(&key) {
            return i;
        }
        self.holdings.push(key);
        self.holding_index.insert(key, self.holdings.len() - 1);
        self.holdings.len() - 1
    }

    fn new(facts: &Facts<'_>, workload: &Workload) -> Plan {
        let (model, resolved) = (facts.model, &facts.resolved);
        let mut realms: Vec<Realm> = workload.realms.keys().filter_map(|r| Realm::parse(r)).collect();
        realms.sort();
        realms.dedup();
        let realm_weights = realms
            .iter()
            .map(|r| workload.realms.get(r.code()).copied().unwrap_or(0.0))
            .collect();
        let mut plan = Plan {
            realms,
            realm_weights,
            slots: Vec::new(),
            slot_index: HashMap::new(),
            phi_gap: Vec::new(),
            holdings: Vec::new(),
            holding_index: HashMap::new(),
            entries: Vec::new(),
            attack_target: None,
            connect: model.app.platform != Platform::Forge,
            forge_storage: model.components.iter().any(|c| c.kind == ComponentKind::ForgeStorage),
            hops: Vec::new(),
            slot_hop: Vec::new(),
            personal: facts.traits.iter().map(|t| t.personal).collect(),
            in_scope: facts.traits.iter().map(|t| t.in_scope).collect(),
        };
        for f in 0..model.flows.len() {
            let Some(kind) = entry_kind(facts, f) else { continue };
            let steps = plan.cascade(facts, f);
            plan.entries.push((kind, steps));
        }
        plan.map_hops(facts);
        plan.phi_gap = plan
            .slots
            .iter()
            .map(|(_, d, org, _, _)| {
                facts.phi(*d)
                    && matches!(
                        resolved.role(org),
                        crate::model::OrgRole::Vendor | crate::model::OrgRole::ThirdParty
                    )
                    && !resolved.orgs.get(org.as_str()).is_some_and(|o| o.baa.is_recorded())
            })
            .collect();
        plan
    }

    /// Ties each ledger slot of personal data in transit to the static analysis's hop into its
    /// organisation for its realm: the simulation counts the same transfers the analysis
    /// assesses, with the same regime and evidence.
    fn map_hops(&mut self, facts: &Facts<'_>) {
        let mut index: HashMap<(usize, String), usize> = HashMap::new();
        // The analysis's transfers by importer, in its order: looked up once per ledger slot.
        let mut into: HashMap<&str, Vec<&crate::facts::Transfer>> = HashMap::new();
        for t in facts.transfers.iter() {
            into.entry(t.importer.as_str()).or_default().push(t);
        }
        // Every place each recipient processes in, said beside the one its hop is assessed for.
        let places = crate::facts::sections::Places::of(&facts.subprocessors);
        let mut slot_hop = Vec::with_capacity(self.slots.len());
        for (ri, d, org, country, at_rest) in &self.slots {
            if *at_rest || !self.personal[*d] {
                slot_hop.push(None);
                continue;
            }
            let realm = self.realms[*ri];
            let assessed = facts.realms.contains(&realm);
            // Whether the analysis lists a disclosure to the organisation does not depend on the
            // realm: a realm it did not assess is judged by the realms it did, when there are any.
            let to_org = into.get(org.as_str()).map_or(&[][..], Vec::as_slice);
            if !facts.transfers.is_empty() && !to_org.iter().any(|t| !assessed || t.realm == realm) {
                // Not a disclosure the analysis lists (data written back to the customer's own
                // product, or to its own account): no hop to count.
                slot_hop.push(None);
                continue;
            }
            let key = (*ri, org.clone());
            let hop = *index.entry(key).or_insert_with(|| {
                let row = to_org.iter().find(|t| t.realm == realm).map_or_else(
                    || TransferRow {
                        realm: realm.code().to_owned(),
                        // Who discloses to the organisation does not depend on the realm
                        // (the customer to the vendor, the vendor to its sub-processors):
                        // named from another realm's hop; only the law is not assessed.
                        exporter: to_org
                            .first()
                            .map_or_else(|| "not assessed".to_owned(), |t| t.exporter.clone()),
                        organisation: org.clone(),
                        country: country.clone(),
                        processes_in: Vec::new(),
                        regime: "not-assessed".to_owned(),
                        mechanism: format!("not assessed: the model has no installation in realm `{realm}`"),
                        status: "not-assessed".to_owned(),
                        installations: 0,
                        records: 0,
                    },
                    |t| TransferRow {
                        realm: realm.code().to_owned(),
                        exporter: t.exporter.clone(),
                        organisation: org.clone(),
                        country: t.importer_country.clone().unwrap_or_else(|| "unknown".to_owned()),
                        processes_in: places.get(org, realm).to_vec(),
                        regime: t.regime.code().to_owned(),
                        mechanism: t.label.clone(),
                        status: json_code(&t.status),
                        installations: 0,
                        records: 0,
                    },
                );
                self.hops.push(row);
                self.hops.len() - 1
            });
            slot_hop.push(Some(hop));
        }
        self.slot_hop = slot_hop;
    }

    /// The cascade of one entry flow: from it, every flow out of a component that carries data
    /// the component has received, breadth-first, each flow once per category.
    fn cascade(&mut self, facts: &Facts<'_>, f: usize) -> Vec<Step> {
        let (model, graph) = (facts.model, facts.graph);
        let mut steps = Vec::new();
        let mut arrived: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        let carried_by = |g: usize| {
            graph.carried[g]
                .iter()
                .map(|&d| d as usize)
                .collect::<BTreeSet<usize>>()
        };
        let mut queue = std::collections::VecDeque::from([(f, carried_by(f))]);
        // A flow runs again only for categories it has not carried yet in this cascade.
        let mut done: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
        while let Some((g, carried)) = queue.pop_front() {
            let first_visit = !done.contains_key(&g);
            let already = done.entry(g).or_default();
            let carried: BTreeSet<usize> = carried.difference(already).copied().collect();
            // Entry flows and flows without data run once; others when they carry something new.
            let runs = if carried.is_empty() {
                first_visit && (g == f || model.flows[g].data.is_empty())
            } else {
                true
            };
            if !runs {
                continue;
            }
            already.extend(carried.iter().copied());
            let Some((_, to)) = graph.ends[g] else {
                continue;
            };
            let step = self.step(facts, g, &carried);
            if step.blocked.is_none() {
                let target = &model.components[to];
                let have = arrived.entry(to).or_default();
                have.extend(carried.iter().copied());
                let have = have.clone();
                let own = |d: usize| {
                    let id = model.data[d].id.as_str();
                    target.produces.iter().any(|p| p == id) || target.stores.iter().any(|p| p == id)
                };
                for (h, _) in graph.outgoing(to) {
                    if entry_kind(facts, h).is_some() {
                        continue;
                    }
                    let next_carried: BTreeSet<usize> = if model.flows[h].data.is_empty() {
                        BTreeSet::new()
                    } else {
                        carried_by(h)
                            .into_iter()
                            .filter(|&d| have.contains(&d) || own(d))
                            .collect()
                    };
                    queue.push_back((h, next_carried));
                }
            }
            steps.push(step);
        }
        steps
    }

    /// Flow `g` run with the categories `carried`: its ledger slots, holdings, JWT checks and
    /// whether Forge egress rules block it.
    fn step(&mut self, facts: &Facts<'_>, g: usize, carried: &BTreeSet<usize>) -> Step {
        let (model, catalog, resolved) = (facts.model, facts.catalog, &facts.resolved);
        let flow_g = &model.flows[g];
        let (from, to) = facts.graph.ends[g].unwrap_or_default();
        let source = &model.components[from];
        let target = &model.components[to];
        let blocked = (flow_g.trigger == Some(Trigger::Fetch)
            && source.kind == ComponentKind::ForgeFunction
            && flow_g
                .host
                .as_deref()
                .is_some_and(|h| !source.egress.iter().any(|e| crate::host::egress_allows(e, h))))
        .then(|| flow_g.host.clone().unwrap_or_default());
        let mut step = Step {
            flow: g,
            slots: vec![Vec::new(); self.realms.len()],
            holdings: Vec::new(),
            jwt: None,
            remote: flow_g.trigger == Some(Trigger::Remote) || flow_g.auth == Some(Auth::Fit),
            blocked: blocked.clone(),
            product: (source.kind == ComponentKind::AtlassianProduct).then(|| source.id.clone()),
        };
        if flow_g.auth == Some(Auth::JwtHs256) && !resolved.on_atlassian(to) {
            step.jwt = Some(JwtCheck {
                checks: Checks {
                    signature: target.verifies_jwt == Some(true),
                    expiry: target.verifies_jwt == Some(true),
                    qsh: target.validates_qsh == Some(true),
                    allow_context_qsh: false,
                },
            });
            if self.attack_target.is_none() && matches!(flow_g.trigger, Some(Trigger::Webhook | Trigger::Iframe)) {
                self.attack_target = Some((flow_g.label(), step.jwt.map_or(Checks::ALL, |j| j.checks)));
            }
        }
        if blocked.is_some() {
            return step;
        }
        for &d in carried {
            let at_rest = target.stores.iter().any(|s| *s == model.data[d].id);
            for (ri, realm) in self.realms.clone().iter().enumerate() {
                let country = resolved
                    .location(to, *realm, catalog)
                    .code()
                    .unwrap_or("unknown")
                    .to_owned();
                for org in resolved.responsible(to) {
                    let slot = self.slot((ri, d, org.to_owned(), country.clone(), false));
                    step.slots[ri].push(slot);
                    if at_rest {
                        let slot = self.slot((ri, d, org.to_owned(), country.clone(), true));
                        step.slots[ri].push(slot);
                    }
                }
            }
            if at_rest {
                let h = self.holding((to, d));
                step.holdings.push(h);
            }
        }
        step
    }
}

/// What one or many installations produced; summed across installations.
#[derive(Clone, Debug, Default)]
struct Tally {
    slots: Vec<u64>,
    /// Per hop of the plan: installations whose data took it.
    hop_installations: Vec<u64>,
    /// (installation, hop, records) for every hop an installation's data took.
    installation_hops: Vec<(u64, usize, u64)>,
    totals: Totals,
    kept: BTreeMap<String, u64>,
    total: BTreeMap<String, u64>,
    blocked: BTreeMap<String, u64>,
    kept_after: BTreeMap<usize, u64>,
    not_kept: Vec<u64>,
    attacks: [AttackCount; 4],
    daily: Vec<(u64, u64)>,
}

/// The JSON spelling of an enum value.
fn json_code<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The kind of event a flow starts, if it is an entry point (lifecycle, schedule, product event,
/// page view); other flows run only as part of a cascade.
fn entry_kind(facts: &Facts<'_>, f: usize) -> Option<EventKind> {
    let flow = &facts.model.flows[f];
    let (from, _) = facts.graph.ends[f]?;
    match (flow.trigger, facts.model.components[from].kind) {
        (Some(Trigger::LifecycleInstalled), _) => Some(EventKind::Install),
        (Some(Trigger::LifecycleUninstalled), _) => Some(EventKind::Uninstall),
        (Some(Trigger::Scheduled), _) => Some(EventKind::Scheduled),
        (Some(Trigger::Webhook | Trigger::Event), ComponentKind::AtlassianProduct) => Some(EventKind::ProductEvent),
        (Some(Trigger::Iframe | Trigger::Invoke | Trigger::User) | None, ComponentKind::User) => {
            Some(EventKind::PageView)
        }
        _ => None,
    }
}

impl Tally {
    /// Sizes the counters for a plan (a fresh tally starts empty).
    fn fit(&mut self, plan: &Plan, days: usize) {
        if self.slots.len() < plan.slots.len() {
            self.slots.resize(plan.slots.len(), 0);
        }
        // Apart from the slots: a model whose flows record nothing has no slots, but its
        // days still count events.
        if self.daily.len() < days {
            self.daily.resize(days, (0, 0));
        }
        if self.hop_installations.len() < plan.hops.len() {
            self.hop_installations.resize(plan.hops.len(), 0);
        }
    }

    /// Counts installation `i` on each hop its data took, with its records there.
    fn record_hops(&mut self, i: u64, hop_records: &[u64]) {
        for (hop, &records) in hop_records.iter().enumerate() {
            if records > 0 {
                self.hop_installations[hop] += 1;
                self.installation_hops.push((i, hop, records));
            }
        }
    }

    fn merge(mut self, other: Tally) -> Tally {
        if self.slots.len() < other.slots.len() {
            self.slots.resize(other.slots.len(), 0);
        }
        for (a, b) in self.slots.iter_mut().zip(&other.slots) {
            *a += b;
        }
        if self.hop_installations.len() < other.hop_installations.len() {
            self.hop_installations.resize(other.hop_installations.len(), 0);
        }
        for (a, b) in self.hop_installations.iter_mut().zip(&other.hop_installations) {
            *a += b;
        }
        self.installation_hops.extend(other.installation_hops);
        let t = &mut self.totals;
        let o = &other.totals;
        t.installations += o.installations;
        t.events += o.events;
        t.flows += o.flows;
        t.records += o.records;
        t.bytes += o.bytes;
        t.jwt_signed += o.jwt_signed;
        t.jwt_verified += o.jwt_verified;
        t.remote_invocations += o.remote_invocations;
        t.storage_provisioned += o.storage_provisioned;
        t.uninstalls += o.uninstalls;
        t.realm_migrations += o.realm_migrations;
        t.blocked_egress += o.blocked_egress;
        t.secrets_outside_atlassian += o.secrets_outside_atlassian;
        t.hipaa_installations += o.hipaa_installations;
        t.phi_records_without_baa += o.phi_records_without_baa;
        for (k, v) in other.kept {
            *self.kept.entry(k).or_default() += v;
        }
        for (k, v) in other.total {
            *self.total.entry(k).or_default() += v;
        }
        for (k, v) in other.blocked {
            *self.blocked.entry(k).or_default() += v;
        }
        for (k, v) in other.kept_after {
            *self.kept_after.entry(k).or_default() += v;
        }
        self.not_kept.extend(other.not_kept);
        for (a, b) in self.attacks.iter_mut().zip(other.attacks) {
            a.accepted += b.accepted;
            a.rejected += b.rejected;
        }
        if self.daily.len() < other.daily.len() {
            self.daily.resize(other.daily.len(), (0, 0));
        }
        for (a, b) in self.daily.iter_mut().zip(&other.daily) {
            a.0 += b.0;
            a.1 += b.1;
        }
        self
    }
}

fn installation_secret(seed: u64, i: u64) -> [u8; 32] {
    let mut rng = Rng::new(seed ^ i.wrapping_mul(0xA076_1D64_78BD_642F) ^ 0x005E_C2E7);
    let mut secret = [0u8; 32];
    for chunk in secret.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    secret
}

/// Runs a simulation of `model` under `workload`; `analysis` is the model's static analysis
/// (for transfer mechanisms); `progress` is told how many installations are done.
pub fn simulate(
    facts: &Facts<'_>,
    analysis: &Analysis,
    workload: &Workload,
    progress: &(dyn Fn(u64) + Sync),
) -> Simulation {
    let plan = Plan::new(facts, workload);
    let (model, catalog, resolved) = (facts.model, facts.catalog, &facts.resolved);
    let weight_sum: f64 = plan.realm_weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let days = workload.days as usize;
    let tally = (0..u64::from(workload.installations))
        .into_par_iter()
        .fold(Tally::default, |mut tally, i| {
            run_installation(
                &plan, resolved, model, catalog, workload, weight_sum, days, i, &mut tally,
            );
            progress(1);
            tally
        })
        .reduce(Tally::default, Tally::merge);
    let mut simulation = finish(model, analysis, workload, &plan, tally);
    // Each simulated realm's caveats, also for realms the model has no installation in.
    simulation.residency.evidence_required = plan
        .realms
        .iter()
        .filter(|realm| simulation.residency.total.contains_key(realm.code()))
        .map(|&realm| {
            (
                realm.code().to_owned(),
                crate::facts::sections::realm_residency(facts, realm).evidence_required,
            )
        })
        .filter(|(_, open)| !open.is_empty())
        .collect();
    simulation
}

/// `part` of `whole` in percent, one decimal; 100 when there is nothing to keep.
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

/// The products a site has the app installed in, drawn by the workload's shares.
fn installed_products(rng: &mut Rng, workload: &Workload) -> BTreeSet<String> {
    workload
        .products
        .iter()
        .filter(|(_, share)| rng.unit() < **share)
        .map(|(p, _)| p.clone())
        .collect()
}

/// Where a site is pinned: a realm drawn by the workload's weights.
fn pick_realm(rng: &mut Rng, plan: &Plan, weight_sum: f64) -> usize {
    let mut pick = rng.unit() * weight_sum;
    let mut realm = 0;
    for (r, w) in plan.realm_weights.iter().enumerate() {
        if pick < *w {
            return r;
        }
        pick -= w;
        realm = r;
    }
    realm
}

impl Plan {
    /// The entries an installation runs for each kind of event (indexed by `kind as usize`),
    /// given which products it `uses`: chosen once per installation, as the event loop runs
    /// millions of times.
    fn runs(&self, uses: impl Fn(&Option<String>) -> bool) -> Vec<Vec<&[Step]>> {
        EventKind::ALL
            .iter()
            .map(|&kind| {
                self.entries
                    .iter()
                    .filter(|(entry_kind, steps)| *entry_kind == kind && uses(&steps[0].product))
                    .map(|(_, steps)| steps.as_slice())
                    .collect()
            })
            .collect()
    }
}

#[allow(clippy::too_many_arguments, reason = "the hot loop's context, kept in locals")]
fn run_installation(
    plan: &Plan,
    resolved: &Resolved<'_>,
    model: &Model,
    catalog: &Catalog,
    workload: &Workload,
    weight_sum: f64,
    days: usize,
    i: u64,
    tally: &mut Tally,
) {
    tally.fit(plan, days);
    let mut rng = Rng::new(workload.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let realm = pick_realm(&mut rng, plan, weight_sum);
    let products = installed_products(&mut rng, workload);
    let uses = |product: &Option<String>| {
        product
            .as_ref()
            .is_none_or(|p| !workload.products.contains_key(p) || products.contains(p))
    };
    let hipaa = rng.unit() < workload.hipaa_share;
    let uninstall_day = (rng.unit() < workload.uninstall_share).then_some(days * 3 / 4);
    let migration_day = (rng.unit() < workload.realm_migration_share && plan.realms.len() > 1).then_some(days / 2);
    let client_key = format!("tenant-{i}");
    let secret = installation_secret(workload.seed, i);
    let key = jwt::Key::new(&secret);
    // Per flow, its URL and qsh for this installation (indexed by flow: looked up per event).
    let mut endpoints: Vec<Option<(String, String)>> = vec![None; model.flows.len()];
    let mut held = vec![false; plan.holdings.len()];
    let mut hop_records = vec![0u64; plan.hops.len()];
    // Decoded claims of the installation's tokens, one buffer reused for all of them.
    let mut claims_buffer = Vec::with_capacity(256);
    let bytes = workload.bytes_per_record;
    let runs = plan.runs(uses);
    let mut execute = |kind: EventKind, day: usize, realm: usize, tally: &mut Tally| {
        let mut events = 0;
        for &steps in &runs[kind as usize] {
            events += 1;
            for step in steps {
                if let Some(host) = &step.blocked {
                    tally.totals.blocked_egress += 1;
                    *tally.blocked.entry(host.clone()).or_default() += 1;
                    continue;
                }
                if let Some(check) = step.jwt {
                    // Each endpoint has a fixed URL per installation (as webhook URLs do), so
                    // the sender computes its qsh once; the receiver recomputes it every time.
                    let (url, request_qsh) = endpoints[step.flow].get_or_insert_with(|| {
                        let url = format!("/{}?flow={}&installation={i}", model.flows[step.flow].to, step.flow);
                        let qsh = jwt::qsh("POST", &url, None);
                        (url, qsh)
                    });
                    let url = url.as_str();
                    let now = 1_760_000_000 + (day as i64) * 86_400;
                    let token = jwt::sign_parts(&client_key, now, now + 180, request_qsh, None, &key);
                    tally.totals.jwt_signed += 1;
                    let lookup = |iss: &str| (iss == client_key).then_some(&key);
                    let verified =
                        jwt::check_with(&token, lookup, ("POST", url, now, check.checks), &mut claims_buffer);
                    // Counts only verifications that ran and passed, so a signing or
                    // verification regression shows up in the totals rather than vanishing.
                    let checked = check.checks.signature || check.checks.qsh;
                    tally.totals.jwt_verified += u64::from(checked && verified.is_ok());
                }
                tally.totals.remote_invocations += u64::from(step.remote);
                tally.totals.flows += 1;
                let slots = &step.slots[realm];
                for &slot in slots {
                    tally.slots[slot] += 1;
                    if let Some(hop) = plan.slot_hop[slot] {
                        hop_records[hop] += 1;
                    }
                    if hipaa && plan.phi_gap[slot] {
                        tally.totals.phi_records_without_baa += 1;
                    }
                }
                let records = slots.len() as u64;
                tally.totals.records += records;
                tally.totals.bytes += records * bytes;
                tally.daily[day].1 += records;
                for &h in &step.holdings {
                    held[h] = true;
                }
            }
        }
        tally.daily[day].0 += events;
        tally.totals.events += events;
    };
    tally.totals.installations += 1;
    tally.totals.hipaa_installations += u64::from(hipaa);
    execute(EventKind::Install, 0, realm, tally);
    if plan.forge_storage {
        tally.totals.storage_provisioned += 1;
    }
    let mut realm_now = realm;
    let rates = &workload.per_installation_per_day;
    for day in 0..days {
        if uninstall_day == Some(day) {
            execute(EventKind::Uninstall, day, realm_now, tally);
            tally.totals.uninstalls += 1;
            break;
        }
        if migration_day == Some(day) {
            realm_now = (realm_now + 1) % plan.realms.len();
            tally.totals.realm_migrations += 1;
        }
        for (kind, mean) in [
            (EventKind::PageView, rates.page_views),
            (EventKind::ProductEvent, rates.product_events),
            (EventKind::Scheduled, rates.scheduled_jobs),
            (EventKind::Admin, rates.admin_changes),
        ] {
            let kind = if kind == EventKind::Admin {
                EventKind::PageView
            } else {
                kind
            };
            for _ in 0..rng.count(mean) {
                execute(kind, day, realm_now, tally);
            }
        }
    }
    tally.record_hops(i, &hop_records);
    attack_experiments(plan, workload, model, resolved, i, (&client_key, &secret), tally);
    final_state(
        plan,
        model,
        resolved,
        catalog,
        (i, realm_now, uninstall_day.is_some()),
        &held,
        tally,
    );
}

/// Attack experiments on the first JWT-authenticated endpoint: a wrong secret, an expired token,
/// a tampered URL (qsh) and another installation's issuer.
fn attack_experiments(
    plan: &Plan,
    workload: &Workload,
    model: &Model,
    resolved: &Resolved<'_>,
    i: u64,
    (client_key, secret): (&str, &[u8]),
    tally: &mut Tally,
) {
    if workload.attacks && plan.connect {
        if let Some((target, checks)) = &plan.attack_target {
            let now = 1_760_000_000;
            let url = format!("/{target}?installation={i}");
            let good_qsh = jwt::qsh("POST", &url, None);
            let other_key = format!("tenant-{}", i + 1);
            let other_secret = installation_secret(workload.seed, i + 1);
            let lookup = |iss: &str| {
                if iss == client_key {
                    Some(secret)
                } else if iss == other_key {
                    Some(&other_secret[..])
                } else {
                    None
                }
            };
            let base = Claims {
                iss: client_key.to_owned(),
                iat: now,
                exp: now + 180,
                qsh: good_qsh.clone(),
                sub: None,
            };
            let attempts = [
                (jwt::sign(&base, b"not-the-shared-secret"), url.clone()),
                (
                    jwt::sign(
                        &Claims {
                            iat: now - 3_600,
                            exp: now - 3_000,
                            ..base.clone()
                        },
                        secret,
                    ),
                    url.clone(),
                ),
                (jwt::sign(&base, secret), format!("{url}&admin=true")),
                (
                    jwt::sign(
                        &Claims {
                            iss: other_key.clone(),
                            ..base.clone()
                        },
                        secret,
                    ),
                    url.clone(),
                ),
            ];
            for (k, (token, request_url)) in attempts.iter().enumerate() {
                tally.totals.jwt_signed += 1;
                let accepted = jwt::verify(token, lookup, "POST", request_url, now, *checks).is_ok();
                if accepted {
                    tally.attacks[k].accepted += 1;
                } else {
                    tally.attacks[k].rejected += 1;
                }
            }
        } else if model
            .flows
            .iter()
            .any(|f| f.auth == Some(Auth::None) && !resolved_on(resolved, model, &f.to))
        {
            // Nothing to forge where nothing is checked: every attack gets through.
            for a in &mut tally.attacks {
                a.accepted += 1;
            }
        }
    }
}

/// Where this installation's data rests at the end: realm kept, secrets outside Atlassian, data
/// kept after uninstall.
fn final_state(
    plan: &Plan,
    model: &Model,
    resolved: &Resolved<'_>,
    catalog: &Catalog,
    (i, realm_now, uninstalled): (u64, usize, bool),
    held: &[bool],
    tally: &mut Tally,
) {
    let final_realm = plan.realms[realm_now];
    let mut kept = true;
    let mut secret_outside = false;
    for (h, &(component, d)) in plan.holdings.iter().enumerate() {
        if !held[h] {
            continue;
        }
        let category = &model.data[d];
        let on_atlassian = resolved.on_atlassian(component);
        if category.credential && !on_atlassian {
            secret_outside = true;
        }
        if uninstalled {
            let purged = model.components[component].purge_on_uninstall == Some(true)
                || model.components[component].kind == ComponentKind::ForgeStorage;
            if !purged {
                *tally.kept_after.entry(h).or_default() += 1;
            }
            continue;
        }
        if plan.in_scope[d] {
            let location = resolved.location(component, final_realm, catalog);
            match location.code() {
                Some(code) if inside_realm(code, final_realm, catalog) => {}
                _ => kept = false,
            }
        }
    }
    tally.totals.secrets_outside_atlassian += u64::from(secret_outside);
    if !uninstalled {
        let code = final_realm.code().to_owned();
        *tally.total.entry(code.clone()).or_default() += 1;
        if kept {
            *tally.kept.entry(code).or_default() += 1;
        } else {
            tally.not_kept.push(i);
        }
    }
}

fn resolved_on(resolved: &Resolved<'_>, model: &Model, id: &str) -> bool {
    model
        .components
        .iter()
        .position(|c| c.id == id)
        .is_some_and(|c| resolved.on_atlassian(c))
}

/// The hops personal data took, as the static analysis assesses them (same regime, basis and
/// evidence), with the installations whose data took each and the records moved. Hops that are
/// not transfers are left out.
fn transfer_rows(plan: &Plan, tally: &Tally) -> Vec<TransferRow> {
    let mut rows = plan.hops.clone();
    for (slot, records) in tally.slots.iter().enumerate() {
        if let Some(hop) = plan.slot_hop.get(slot).copied().flatten() {
            rows[hop].records += records;
        }
    }
    for (row, installations) in rows.iter_mut().zip(&tally.hop_installations) {
        row.installations = *installations;
    }
    let mut rows: Vec<TransferRow> = rows
        .into_iter()
        .filter(|r| r.status != "not-a-transfer" && r.records > 0)
        .collect();
    rows.sort_by(|a, b| (&a.realm, &a.organisation, &a.exporter).cmp(&(&b.realm, &b.organisation, &b.exporter)));
    rows
}

/// The hops per installation, for the transfers that [`transfer_rows`] keeps.
fn installation_transfers(plan: &Plan, tally: &Tally) -> Vec<InstallationTransfer> {
    let mut hops = tally.installation_hops.clone();
    hops.sort_unstable();
    hops.into_iter()
        .map(|(i, hop, records)| (i, &plan.hops[hop], records))
        .filter(|(_, row, _)| row.status != "not-a-transfer")
        .map(|(i, row, records)| InstallationTransfer {
            installation: format!("tenant-{i}"),
            realm: row.realm.clone(),
            exporter: row.exporter.clone(),
            organisation: row.organisation.clone(),
            status: row.status.clone(),
            records,
        })
        .collect()
}

fn finish(model: &Model, analysis: &Analysis, workload: &Workload, plan: &Plan, tally: Tally) -> Simulation {
    // The ledger sums every realm's records for each category × organisation × country × state.
    let mut summed: BTreeMap<(usize, &str, &str, bool), u64> = BTreeMap::new();
    for ((_, d, org, country, at_rest), records) in plan.slots.iter().zip(tally.slots.iter()) {
        if *records > 0 {
            *summed
                .entry((*d, org.as_str(), country.as_str(), *at_rest))
                .or_default() += records;
        }
    }
    let mut ledger: Vec<LedgerRow> = summed
        .into_iter()
        .map(|((d, org, country, at_rest), records)| LedgerRow {
            data: model.data[d].id.clone(),
            organisation: org.to_owned(),
            country: country.to_owned(),
            state: if at_rest { "at-rest" } else { "in-transit" },
            records,
            bytes: records * workload.bytes_per_record,
        })
        .collect();
    ledger.sort();
    let transfers = transfer_rows(plan, &tally);
    let installation_transfers = installation_transfers(plan, &tally);
    let kept = tally.kept.clone();
    let kept_percent: BTreeMap<String, f64> = tally
        .total
        .iter()
        .map(|(realm, &total)| (realm.clone(), percent(kept.get(realm).copied().unwrap_or(0), total)))
        .collect();
    let kept_after_uninstall = {
        let mut rows: Vec<KeptRow> = tally
            .kept_after
            .iter()
            .map(|(h, n)| {
                let (c, d) = plan.holdings[*h];
                KeptRow {
                    component: model.components[c].id.clone(),
                    data: model.data[d].id.clone(),
                    installations: *n,
                }
            })
            .collect();
        rows.sort();
        rows
    };
    // Attacks are reported where there is a Connect endpoint to attack.
    let attacks = if tally.attacks.iter().any(|a| a.accepted + a.rejected > 0) {
        ATTACKS
            .iter()
            .zip(tally.attacks)
            .map(|(k, v)| ((*k).to_owned(), v))
            .collect()
    } else {
        BTreeMap::new()
    };
    Simulation {
        app: model.app.name.clone(),
        workload: workload.clone(),
        totals: tally.totals,
        phi_categories: analysis.hipaa.phi.clone(),
        ledger,
        residency: ResidencyKept {
            kept,
            total: tally.total,
            kept_percent,
            not_kept: {
                let mut ids = tally.not_kept.clone();
                ids.sort_unstable();
                ids.into_iter().map(|i| format!("tenant-{i}")).collect()
            },
            evidence_required: BTreeMap::new(),
        },
        transfers,
        installation_transfers,
        blocked_egress: tally.blocked,
        kept_after_uninstall,
        attacks,
        daily: tally
            .daily
            .iter()
            .enumerate()
            .map(|(day, (events, records))| DayRow {
                day: day as u32,
                events: *events,
                records: *records,
            })
            .collect(),
    }
}
