//! The analysis of a validated model: who receives which data, where it rests and travels,
//! and what that means under GDPR, HIPAA and SOC 2 for each installation realm.

pub mod propagation;
pub mod resolve;
mod sections;

pub use sections::european_realm;
pub use sections::{
    BaaLink, DataUse, Hipaa, Mechanism, PortfolioRecipient, RealmResidency, ResidencyEntry, RunsOnAtlassian, Soc2,
    Subprocessor, SubserviceOrganisation, portfolio,
};

use crate::catalog::Catalog;
use crate::graph::FlowGraph;
use crate::model::{Model, Realm};
use crate::rules::{self, Finding, Severity};
use propagation::Propagation;
use resolve::Resolved;
use serde::Serialize;

/// Everything an analysis needs, computed once and shared by the rules.
pub struct Context<'m> {
    /// The model.
    pub model: &'m Model,
    /// The catalog.
    pub catalog: &'m Catalog,
    /// Merged organisation facts, operators, hosts, regions.
    pub resolved: Resolved<'m>,
    /// Where each data category goes.
    pub propagation: Propagation,
    /// The graph with boundary crossings.
    pub graph: FlowGraph<'m>,
    /// The distinct realms of the model's installations, sorted.
    pub realms: Vec<Realm>,
    /// The GDPR inventory (rules read it).
    pub subprocessors: Vec<Subprocessor>,
    /// The HIPAA chain (rules read it).
    pub hipaa: Hipaa,
    /// The SOC 2 section (rules read it).
    pub soc2: Soc2,
    /// Runs on Atlassian eligibility (rules read it).
    pub runs_on_atlassian: RunsOnAtlassian,
}

impl<'m> Context<'m> {
    /// Resolves, propagates and builds the inventory.
    pub fn new(model: &'m Model, catalog: &'m Catalog) -> Context<'m> {
        let resolved = Resolved::new(model, catalog);
        let propagation = Propagation::compute(model);
        let graph = FlowGraph::build(model);
        let mut realms: Vec<Realm> = model
            .installations
            .iter()
            .filter_map(|i| Realm::parse(&i.realm))
            .collect();
        realms.sort();
        realms.dedup();
        let mut cx = Context {
            model,
            catalog,
            resolved,
            propagation,
            graph,
            realms,
            subprocessors: Vec::new(),
            hipaa: Hipaa::default(),
            soc2: Soc2::default(),
            runs_on_atlassian: RunsOnAtlassian::default(),
        };
        // Each section is computed once: the rules and the analysis both read it.
        cx.subprocessors = sections::subprocessors(&cx);
        cx.hipaa = sections::hipaa(&cx);
        cx.soc2 = sections::soc2(&cx);
        cx.runs_on_atlassian = sections::runs_on_atlassian(&cx);
        cx
    }

    /// The index of a data category.
    pub fn data_index(&self, id: &str) -> Option<usize> {
        self.model.data.iter().position(|d| d.id == id)
    }

    /// For category `d`: every component that receives it (not the customer's own products and
    /// users) with each organisation other than the customer responsible for that component.
    pub fn recipients(&self, d: usize) -> impl Iterator<Item = (&propagation::Reach, &str)> {
        self.propagation.reach[d]
            .iter()
            .filter(|reach| {
                !matches!(
                    self.model.components[reach.component].kind,
                    crate::model::ComponentKind::AtlassianProduct | crate::model::ComponentKind::User
                )
            })
            .flat_map(move |reach| {
                self.resolved
                    .responsible(reach.component)
                    .into_iter()
                    .map(move |org| (reach, org))
            })
            .filter(|(_, org)| self.resolved.role(org) != crate::model::OrgRole::Customer)
    }

    /// The component ids along the path that brings category `d` to component `c`.
    pub fn path_to(&self, d: usize, c: usize) -> Vec<String> {
        propagation::component_path(self.model, &self.propagation.flow_chain(d, c), c)
    }
}

/// The result of analysing one model.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Analysis {
    /// The app.
    pub app: AppSummary,
    /// GDPR Art. 28/30 inventory: every organisation other than the customer receiving personal data.
    pub subprocessors: Vec<Subprocessor>,
    /// Every finding, sorted by rule, severity and subject.
    pub findings: Vec<Finding>,
    /// Findings counted by severity (findings under an active waiver are counted apart).
    pub finding_counts: FindingCounts,
    /// Evidence required: facts the model lacks that rules need.
    pub open_items: Vec<OpenItem>,
    /// Where data rests and travels, per installation realm.
    pub residency: Vec<RealmResidency>,
    /// The HIPAA business-associate chain.
    pub hipaa: Hipaa,
    /// SOC 2 subservice organisations and complementary controls.
    pub soc2: Soc2,
    /// Runs on Atlassian eligibility.
    pub runs_on_atlassian: RunsOnAtlassian,
}

/// Identification of the analysed app.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AppSummary {
    /// App name.
    pub name: String,
    /// Platform.
    pub platform: &'static str,
    /// Vendor organisation id.
    pub vendor: String,
    /// App version, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Counts of model elements.
    pub components: usize,
    /// Number of flows.
    pub flows: usize,
    /// Number of flows crossing a trust boundary.
    pub boundary_crossings: usize,
    /// Installation realms considered.
    pub realms: Vec<String>,
}

/// Findings per severity.
#[derive(Debug, Default, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct FindingCounts {
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Info.
    pub info: usize,
    /// Of all the above, how many need evidence the model lacks.
    pub evidence_required: usize,
    /// Findings under an active waiver (not in the counts above).
    pub waived: usize,
}

/// A fact the model lacks that a rule needs: to be supplied, not a pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OpenItem {
    /// The rule that needs the fact.
    pub rule: &'static str,
    /// The model element.
    pub subject: String,
    /// The realm, when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// What is missing.
    pub message: String,
}

/// Analyses a validated model.
pub fn analyze(model: &Model, catalog: &Catalog) -> Analysis {
    let cx = Context::new(model, catalog);
    let findings = rules::run_all(&cx);
    let mut analysis = Analysis {
        app: AppSummary {
            name: model.app.name.clone(),
            platform: model.app.platform.as_str(),
            vendor: model.app.vendor.clone(),
            version: model.app.version.clone(),
            components: model.components.len(),
            flows: model.flows.len(),
            boundary_crossings: cx.graph.boundary_crossing_count(),
            realms: cx.realms.iter().map(|r| r.code().to_owned()).collect(),
        },
        residency: sections::residency(&cx),
        hipaa: cx.hipaa,
        soc2: cx.soc2,
        runs_on_atlassian: cx.runs_on_atlassian,
        subprocessors: cx.subprocessors,
        findings,
        finding_counts: FindingCounts::default(),
        open_items: Vec::new(),
    };
    analysis.recount();
    analysis
}

impl Analysis {
    /// The highest severity among findings that count (not under an active waiver).
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings
            .iter()
            .filter(|f| !f.is_waived())
            .map(|f| f.severity)
            .max()
    }

    /// Recomputes the counts and open items from the findings (after waivers change them).
    pub fn recount(&mut self) {
        let mut counts = FindingCounts::default();
        let mut open_items = Vec::new();
        for finding in &self.findings {
            if finding.is_waived() {
                counts.waived += 1;
                continue;
            }
            match finding.severity {
                Severity::High => counts.high += 1,
                Severity::Medium => counts.medium += 1,
                Severity::Low => counts.low += 1,
                Severity::Info => counts.info += 1,
            }
            if finding.evidence_required {
                counts.evidence_required += 1;
                open_items.push(OpenItem {
                    rule: finding.rule,
                    subject: finding.subject.clone(),
                    realm: finding.realm.clone(),
                    message: finding.message.clone(),
                });
            }
        }
        self.finding_counts = counts;
        self.open_items = open_items;
    }
}
