//! The analysis of a validated model: who receives which data, where it rests and travels,
//! and what that means under GDPR, HIPAA and SOC 2 for each installation realm.

mod portfolio;

pub use crate::facts::customers::{AtlassianBaa, CustomerLaw, InRealm, InstallationProfile};
pub use crate::facts::european_realm;
pub use crate::facts::{
    AtlassianForCustomer, BaaLink, CustomerIntegration, DataUse, Evidence, GdprRole, Hipaa, RealmResidency, Regime,
    Relationship, ResidencyEntry, RunsOnAtlassian, Soc2, Subprocessor, SubserviceOrganisation, Transfer,
    TransferMechanism, TransferStatus,
};
pub use portfolio::{PortfolioRecipient, portfolio};

use crate::facts::Facts;
use crate::finding::{Finding, RuleCode, Severity};
use crate::rules;
use serde::Serialize;

/// The result of analysing one model.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Analysis {
    /// The app.
    pub app: AppSummary,
    /// GDPR Art. 28/30 inventory: every organisation other than the customer receiving personal data.
    #[serde(serialize_with = "crate::json::list")]
    pub subprocessors: std::sync::Arc<Vec<Subprocessor>>,
    /// Every disclosure of personal data, per installation realm, exporter and importer: the
    /// regime, the mechanism and how far it is evidenced.
    #[serde(serialize_with = "crate::json::list")]
    pub transfers: std::sync::Arc<Vec<std::sync::Arc<Transfer>>>,
    /// Customer-enabled integrations: the customer's own accounts the app sends data to at its
    /// instruction (not the vendor's sub-processors).
    pub customer_integrations: Vec<CustomerIntegration>,
    /// Atlassian as the customer's own processor for the product data (under the customer's
    /// agreement with Atlassian; not one of the vendor's sub-processors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub atlassian_as_customer_processor: Option<AtlassianForCustomer>,
    /// Customer-managed egress: the destinations each installation's admin approved (they
    /// differ per installation and no manifest lists them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_managed_egress: Option<crate::facts::sections::CustomerManagedEgress>,
    /// Every finding, sorted by rule, severity and subject.
    #[serde(serialize_with = "crate::json::list")]
    pub findings: Vec<Finding>,
    /// Findings counted by severity (findings under an active waiver are counted apart).
    pub finding_counts: FindingCounts,
    /// Evidence required: facts the model lacks that rules need.
    #[serde(serialize_with = "crate::json::list")]
    pub open_items: Vec<OpenItem>,
    /// Where data rests and travels, per installation realm.
    pub residency: Vec<RealmResidency>,
    /// The installations grouped by every fact their conclusions depend on (realm, where the
    /// customer is established, plan, HIPAA, products), each group's conclusions computed once:
    /// every installation is in exactly one profile.
    pub profiles: Vec<InstallationProfile>,
    /// The HIPAA business-associate chain.
    pub hipaa: Hipaa,
    /// SOC 2 subservice organisations and complementary controls.
    pub soc2: std::sync::Arc<Soc2>,
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
    pub rule: RuleCode,
    /// The model element.
    pub subject: String,
    /// The realm, when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<crate::model::Realm>,
    /// What is missing.
    pub message: std::sync::Arc<str>,
}

/// Analyses a model from its checked facts: runs every rule and assembles the sections.
pub fn analyze(facts: &Facts<'_>) -> Analysis {
    let model = facts.model;
    let (findings, residency) = rayon::join(|| rules::run_all(facts), || crate::facts::sections::residency(facts));
    let (subprocessors, hipaa, soc2, runs_on_atlassian) = facts.sections();
    let mut analysis = Analysis {
        app: AppSummary {
            name: model.app.name.clone(),
            platform: model.app.platform.as_str(),
            vendor: model.app.vendor.clone(),
            version: model.app.version.clone(),
            components: model.components.len(),
            flows: model.flows.len(),
            boundary_crossings: facts.graph.boundary_crossing_count(),
            realms: facts.realms.iter().map(|r| r.code().to_owned()).collect(),
        },
        profiles: Vec::new(),
        residency,
        hipaa,
        soc2,
        runs_on_atlassian,
        subprocessors,
        // Shared with the facts, not copied: at 1,000 units they are a third of the memory.
        transfers: std::sync::Arc::clone(&facts.transfers),
        customer_integrations: facts.customer_integrations.clone(),
        atlassian_as_customer_processor: facts.atlassian_for_customer.clone(),
        customer_managed_egress: facts.customer_managed_egress.clone(),
        findings,
        finding_counts: FindingCounts::default(),
        open_items: Vec::new(),
    };
    // Whether any category is PHI, as the HIPAA section already derived it.
    let phi = analysis.hipaa.applies;
    let residency = &analysis.residency;
    analysis.profiles = crate::facts::customers::profiles(
        model,
        facts.catalog,
        &facts.customer_laws,
        |realm| {
            use crate::facts::customers::InRealm;
            match residency.iter().find(|r| r.realm == realm.code()) {
                Some(r) if r.kept && r.evidence_required.is_empty() => InRealm::Kept,
                Some(r) if r.kept => InRealm::KeptNotConfirmed,
                _ => InRealm::Leaves,
            }
        },
        phi,
    );
    analysis.recount();
    analysis
}

/// Builds the facts of an already loaded model (once) and analyses them: for callers that need
/// only the analysis.
pub fn analyze_loaded(loaded: &crate::load::LoadedModel, catalog: &crate::catalog::Catalog) -> Analysis {
    analyze(&Facts::new(loaded, catalog))
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
                    realm: finding.realm,
                    message: std::sync::Arc::clone(&finding.message),
                });
            }
        }
        self.finding_counts = counts;
        self.open_items = open_items;
    }
}
