//! Data-residency and cross-border transfer rules.

use super::{Finding, Rule, Severity};
use crate::analysis::Context;
use crate::analysis::resolve::inside_realm;

/// In-scope data at rest outside an installation's realm.
pub struct DataAtRestOutsideRealm;

impl Rule for DataAtRestOutsideRealm {
    fn code(&self) -> &'static str {
        "TF-RES-001"
    }
    fn name(&self) -> &'static str {
        "data-at-rest-outside-realm"
    }
    fn title(&self) -> &'static str {
        "In-scope data stored outside the installation's data-residency realm"
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn references(&self) -> &'static [&'static str] {
        &[
            "Atlassian data residency (in-scope End-User Data)",
            "GDPR Art. 44",
            "SOC 2 C1.1",
        ]
    }
    fn explanation(&self) -> &'static str {
        "A customer who pins a site to a realm expects its in-scope data to be stored there. Data an app copies to \
its own storage elsewhere is not covered by Atlassian's pinning (Connect and Forge Remote data move only if the \
vendor pins them)."
    }
    fn remediation(&self) -> &'static str {
        "Store the data in Forge hosted storage, or run a regional copy of the store per realm (Connect \
`regionBaseUrls`, Forge Remote `baseUrl` per region), or tell customers of that realm that the app keeps the data \
elsewhere."
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for &realm in &cx.realms {
            if realm.jurisdiction().is_none() {
                continue;
            }
            for (d, category) in cx.model.data.iter().enumerate() {
                if !category.residency_in_scope() {
                    continue;
                }
                for reach in cx.propagation.reach[d].iter().filter(|r| r.at_rest) {
                    let Some(location) = cx
                        .resolved
                        .location(reach.component, realm, cx.catalog)
                        .code()
                        .map(str::to_owned)
                    else {
                        continue; // TF-RES-004 covers unknown locations
                    };
                    if inside_realm(&location, realm, cx.catalog) {
                        continue;
                    }
                    let component = &cx.model.components[reach.component];
                    let mut finding = self.finding(
                        &component.id,
                        cx.path_to(d, reach.component),
                        format!(
                            "`{}` of installations in realm `{realm}` is stored in {location} by `{}`",
                            category.id, component.id
                        ),
                    );
                    finding.realm = Some(realm.code().to_owned());
                    out.push(finding);
                }
            }
        }
    }
}

/// Personal data leaving the EEA/UK/CH without a recorded transfer mechanism.
pub struct TransferWithoutMechanism;

impl Rule for TransferWithoutMechanism {
    fn code(&self) -> &'static str {
        "TF-RES-002"
    }
    fn name(&self) -> &'static str {
        "transfer-without-mechanism"
    }
    fn title(&self) -> &'static str {
        "Personal data transferred out of the EEA without a recorded mechanism"
    }
    fn severity(&self) -> Severity {
        Severity::High
    }
    fn references(&self) -> &'static [&'static str] {
        &[
            "GDPR Art. 44",
            "GDPR Art. 45",
            "GDPR Art. 46(2)(c)",
            "Decision (EU) 2021/914 (SCCs)",
            "Decision (EU) 2023/1795 (DPF)",
        ]
    }
    fn explanation(&self) -> &'static str {
        "Every transfer of personal data to a country without an adequacy decision needs a Chapter V mechanism: for \
U.S. recipients the specific legal entity's DPF certification, otherwise Standard Contractual Clauses (Module 2 \
customer→vendor, Module 3 vendor→sub-processor). A mechanism the model does not record is evidence required."
    }
    fn remediation(&self) -> &'static str {
        "Record the mechanism in the model (`dpf: true` after checking the DPF list, or `sccs: true` once signed), or \
keep the data in the EEA (regional endpoint, EU region)."
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for row in &cx.subprocessors {
            for (realm, mechanism) in &row.transfer_mechanism {
                if !mechanism.is_gap() {
                    continue;
                }
                let message = format!(
                    "{} ({}) receives personal data of realm `{realm}` in {}: {}",
                    row.name,
                    row.organisation,
                    row.locations.get(realm).map(|l| l.join(", ")).unwrap_or_default(),
                    mechanism.label()
                );
                let path = first_path(cx, &row.components, &row.data);
                let mut finding = if matches!(mechanism, crate::analysis::Mechanism::EvidenceRequired { .. }) {
                    self.evidence_finding(&row.organisation, path, message)
                } else {
                    self.finding(&row.organisation, path, message)
                };
                finding.realm = Some(realm.clone());
                out.push(finding);
            }
        }
    }
}

/// The path of the first personal-data category to the first of an organisation's components.
pub(crate) fn first_path(cx: &Context<'_>, components: &[String], data: &[crate::analysis::DataUse]) -> Vec<String> {
    // Model order puts the primary categories first; stored copies make the clearest path.
    let wanted: Vec<usize> = cx
        .model
        .data
        .iter()
        .enumerate()
        .filter(|(_, c)| data.iter().any(|u| u.id == c.id))
        .map(|(d, _)| d)
        .collect();
    for d in wanted {
        let mut ordered: Vec<&String> = components.iter().collect();
        ordered.sort_by_key(|id| {
            let stored = cx
                .resolved
                .component_index
                .get(id.as_str())
                .and_then(|&c| cx.propagation.get(d, c))
                .is_some_and(|r| r.at_rest);
            !stored
        });
        for id in ordered {
            if let Some(&c) = cx.resolved.component_index.get(id.as_str())
                && cx.propagation.get(d, c).is_some()
            {
                return cx.path_to(d, c);
            }
        }
    }
    components.to_vec()
}

/// In-scope data kept where a realm migration cannot move it.
pub struct LeftBehindOnMigration;

impl Rule for LeftBehindOnMigration {
    fn code(&self) -> &'static str {
        "TF-RES-003"
    }
    fn name(&self) -> &'static str {
        "left-behind-on-migration"
    }
    fn title(&self) -> &'static str {
        "In-scope data would stay behind when the site moves realm"
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn references(&self) -> &'static [&'static str] {
        &[
            "Atlassian data residency: realm migration",
            "Forge data residency (hosted storage moves with the site)",
        ]
    }
    fn explanation(&self) -> &'static str {
        "When an admin moves a site to another realm, Atlassian moves the product data and Forge hosted storage; copies \
held in vendor-hosted or third-party stores stay where they are unless the vendor migrates them \
(`migration:dataResidency` for Forge Remote, app-side hooks for Connect)."
    }
    fn remediation(&self) -> &'static str {
        "Move the data to Forge hosted storage, or implement realm migration for the store and record its region as `tenant`."
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (d, category) in cx.model.data.iter().enumerate() {
            if !category.residency_in_scope() {
                continue;
            }
            for reach in cx.propagation.reach[d].iter().filter(|r| r.at_rest) {
                if cx.resolved.follows_tenant(reach.component) {
                    continue;
                }
                let component = &cx.model.components[reach.component];
                out.push(self.finding(
                    &component.id,
                    cx.path_to(d, reach.component),
                    format!(
                        "`{}` stored by `{}` ({}) does not move when a site changes realm",
                        category.id,
                        component.id,
                        component.region.as_deref().unwrap_or("region unknown")
                    ),
                ));
            }
        }
    }
}

/// Personal data at a component whose location the model does not give.
pub struct LocationUnknown;

impl Rule for LocationUnknown {
    fn code(&self) -> &'static str {
        "TF-RES-004"
    }
    fn name(&self) -> &'static str {
        "location-unknown"
    }
    fn title(&self) -> &'static str {
        "Personal data reaches a component whose location is unknown"
    }
    fn severity(&self) -> Severity {
        Severity::Medium
    }
    fn references(&self) -> &'static [&'static str] {
        &["GDPR Art. 30(2)(c)", "GDPR Art. 44"]
    }
    fn explanation(&self) -> &'static str {
        "Records of processing must name third-country transfers; without a location the transfer cannot be assessed."
    }
    fn remediation(&self) -> &'static str {
        "Give the component a `region` (a realm, `tenant`, a cloud region or a country code)."
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (c, component) in cx.model.components.iter().enumerate() {
            if cx.resolved.region[c].is_some() || component.kind == crate::model::ComponentKind::User {
                continue;
            }
            let personal = cx
                .model
                .data
                .iter()
                .enumerate()
                .find(|(d, category)| (category.personal || category.phi) && cx.propagation.get(*d, c).is_some());
            if let Some((d, category)) = personal {
                out.push(self.evidence_finding(
                    &component.id,
                    cx.path_to(d, c),
                    format!(
                        "`{}` receives `{}` but the model gives no region for it",
                        component.id, category.id
                    ),
                ));
            }
        }
    }
}
