//! Data-residency and cross-border transfer rules.

use super::Finding;
use crate::facts::Facts;
use crate::facts::resolve::inside_realm;

rule! {
    /// In-scope data at rest outside an installation's realm.
    DataAtRestOutsideRealm {
        code: Res001, name: "data-at-rest-outside-realm", severity: High,
        title: "In-scope data stored outside the installation's data-residency realm",
        references: ["Atlassian data residency (in-scope End-User Data)", "GDPR Art. 44", "SOC 2 C1.1"],
        why: "A customer who pins a site to a realm expects its in-scope data to be stored there. Data an app copies to \
its own storage elsewhere is not covered by Atlassian's pinning (Connect and Forge Remote data move only if the \
vendor pins them).",
        example: "An `eu` installation's `issue-content` is stored by `app-db` in `aws:us-east-1`.",
        remediation: "Store the data in Forge hosted storage, or run a regional copy of the store per realm (Connect \
`regionBaseUrls`, Forge Remote `baseUrl` per region), or tell customers of that realm that the app keeps the data \
elsewhere.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for &realm in &cx.realms {
            if realm.jurisdiction().is_none() {
                continue;
            }
            for (d, category) in cx.model.data.iter().enumerate() {
                if !cx.in_scope(d) {
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
                        cx.path_to(d, reach.component).into(),
                        format!(
                            "`{}` of installations in realm `{realm}` is stored in {location} by `{}`",
                            category.id, component.id
                        ),
                    );
                    finding.realm = Some(realm);
                    // Chapter V is a source only where the data leaves the EEA, and then only
                    // for customers under the EU GDPR, which the realm does not decide.
                    finding.references = if cx.catalog.is_eea(&location) {
                        &["Atlassian data residency (in-scope End-User Data)", "SOC 2 C1.1"]
                    } else {
                        &[
                            "Atlassian data residency (in-scope End-User Data)",
                            "GDPR Art. 44 (for customers under the EU GDPR)",
                            "SOC 2 C1.1",
                        ]
                    };
                    out.push(finding);
                }
            }
        }
    }
}

rule! {
    /// Personal data leaving the EEA/UK/CH without a recorded transfer mechanism.
    TransferWithoutMechanism {
        code: Res002, name: "transfer-without-mechanism", severity: High,
        title: "Personal data transferred abroad without a recorded mechanism",
        references: ["GDPR Art. 44", "GDPR Art. 45", "GDPR Art. 46(2)(c)", "Decision (EU) 2021/914 (SCCs)", "Decision (EU) 2023/1795 (DPF)", "UK GDPR Art. 46 (IDTA, UK Addendum)", "Swiss FADP Art. 16"],
        why: "Every transfer of personal data under the EU GDPR, the UK GDPR or the Swiss FADP to a country without an \
adequacy decision needs a mechanism: for U.S. recipients the specific legal entity's DPF participation (EU, UK Extension \
or Swiss-U.S., each its own fact), otherwise SCCs (Module 2 customer→vendor, Module 3 vendor→sub-processor), for UK \
exports the IDTA or the UK Addendum. The law follows the exporter's establishment, not the realm. A catalog listing or \
offer is not a recorded mechanism: it is evidence required.",
        example: "OpenAI (US) receives personal data of an `eu` installation and the model records neither `dpf` nor `sccs`.",
        remediation: "Record the mechanism in the model (`dpf: true` after checking the DPF list, or `sccs: true` once signed), or \
keep the data in the EEA (regional endpoint, EU region).",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        use rayon::prelude::*;
        // The recipients on all threads (this rule's findings are the most numerous), each
        // row's findings in the row's order.
        let found: Vec<Vec<Finding>> = cx
            .subprocessors
            .par_iter()
            .filter(|r| !r.organisation.starts_with("unidentified:"))
            .map(|row| {
                let mut found = Vec::new();
                self.check_row(cx, row, &mut found);
                found
            })
            .collect();
        out.reserve(found.iter().map(Vec::len).sum());
        out.extend(found.into_iter().flatten());
    }
}

impl TransferWithoutMechanism {
    /// The findings of one recipient's row.
    fn check_row(&self, cx: &Facts<'_>, row: &crate::facts::Subprocessor, out: &mut Vec<Finding>) {
        use crate::rules::Rule as _;
        // The same path for every finding of the row: found once.
        let path = std::cell::OnceCell::<crate::finding::Path>::new();
        let path = || -> crate::finding::Path {
            path.get_or_init(|| first_path(cx, &row.components, &row.data).into())
                .clone()
        };
        // A hop nobody assessed is an open point, never a clean result: evidence required,
        // low, naming what it depends on.
        for (transfer, part) in row
            .transfer_mechanism
            .values()
            .flat_map(|t| t.conclusions())
            .filter(|(t, _)| t.status == crate::facts::TransferStatus::NotAssessed)
            // A known exporter under no general transfer law has nothing to assess.
            .filter(|(t, _)| !(t.regime == crate::facts::Regime::None && t.exporter_country.is_some()))
        {
            let mut finding = self.evidence_finding(
                &row.organisation,
                path(),
                format!(
                    "the disclosure of realm `{}` personal data{} from {} to {} ({}) is {}",
                    transfer.realm,
                    of_installations(part),
                    transfer.exporter,
                    row.name,
                    row.organisation,
                    transfer.label
                ),
            );
            finding.severity = crate::finding::Severity::Low;
            finding.realm = Some(transfer.realm);
            // Open only because the importer's establishment is unknown: the sources are those
            // of when a disclosure is a transfer, under the hop's own regime.
            if transfer.importer_country_is == crate::facts::transfers::ImporterCountry::EstablishmentUnknown {
                finding.references = crate::facts::transfers::when_a_transfer(transfer.regime);
            }
            out.push(finding);
        }
        for (transfer, part) in row
            .transfer_mechanism
            .values()
            .flat_map(|t| t.conclusions())
            .filter(|(t, _)| t.needs_evidence())
        {
            let message = format!(
                "{} ({}) receives personal data of realm `{}`{} from {} (established in {}) and processes it in, or can reach it from, {}, under {}: {}",
                row.name,
                row.organisation,
                transfer.realm,
                of_installations(part),
                transfer.exporter,
                established(transfer, part),
                transfer.importer_country.as_deref().unwrap_or("an unknown country"),
                transfer.regime.code(),
                transfer.label
            );
            let path = path();
            // A mechanism that is merely offered, or a fact nobody recorded (a DPF listing, a
            // location, the scope of platform terms), is evidence required; a transfer with no
            // mechanism at all is a gap.
            let mut finding = if transfer.evidence_required {
                self.evidence_finding(&row.organisation, path, message)
            } else {
                self.finding(&row.organisation, path, message)
            };
            (finding.references, finding.remediation) = regime_guidance(transfer.regime);
            finding.realm = Some(transfer.realm);
            out.push(finding);
        }
    }
}

/// The installations a conclusion holds for, when it holds for only some of a realm's (their
/// customers are established under one of several laws).
fn of_installations(part: Option<&crate::facts::transfers::CustomerLawPart>) -> String {
    part.map_or_else(String::new, |part| {
        let ids = &part.installations;
        let noun = if ids.len() == 1 {
            "installation"
        } else {
            "installations"
        };
        format!(" ({noun} {})", ids.join(", "))
    })
}

/// Where the exporter is established: its country, or the countries of the customers a
/// customer-law part holds for.
fn established<'t>(
    transfer: &'t crate::facts::Transfer,
    part: Option<&'t crate::facts::transfers::CustomerLawPart>,
) -> String {
    match (transfer.exporter_country.as_deref(), part) {
        (Some(country), _) => country.to_owned(),
        (None, Some(part)) if transfer.exporter == "customer" && !part.established.is_empty() => {
            part.established.join(", ")
        }
        _ => "a country not recorded".to_owned(),
    }
}

/// The references and remediation of a transfer finding under its own regime: UK and Swiss
/// exporters are never sent to EU instruments.
fn regime_guidance(regime: crate::facts::Regime) -> (&'static [&'static str], &'static str) {
    use crate::facts::Regime;
    match regime {
        Regime::UkGdpr => (
            &[
                "UK GDPR Art. 44–46",
                "UK-US data bridge (UK Extension to the EU-U.S. DPF, 2023-10-12)",
                "ICO International Data Transfer Agreement and UK Addendum (2022)",
            ],
            "Record the mechanism in the model: `uk_idta: true` once the IDTA or the UK Addendum to the SCCs is \
signed (EU SCCs alone are not valid for UK transfers); for a US importer that participates in the UK Extension to the \
EU-U.S. DPF (which needs its DPF certification; check the DPF List), `dpf_uk: true`; or keep the data in the UK, the \
EEA or another country UK adequacy regulations cover.",
        ),
        Regime::ChFadp => (
            &[
                "Swiss FADP Art. 16",
                "Swiss DPO Annex 1 (Swiss-U.S. DPF, since 2024-09-15)",
                "FDPIC guidance on SCCs adapted to Swiss law",
            ],
            "Record the mechanism in the model: `sccs: true` once SCCs adapted to Swiss law are signed; for a US \
importer that participates in the Swiss-U.S. DPF (check the DPF List), `dpf_ch: true`; or keep the data in \
Switzerland, the EEA or another Annex 1 country.",
        ),
        _ => (
            &[
                "GDPR Art. 44",
                "GDPR Art. 45",
                "GDPR Art. 46(2)(c)",
                "Decision (EU) 2021/914 (SCCs)",
                "Decision (EU) 2023/1795 (DPF)",
            ],
            "Record the mechanism in the model (`sccs: true` once the SCCs are signed, or, for a US importer certified \
under the EU-U.S. DPF, `dpf: true` after checking the DPF List), or keep the data in the EEA (regional endpoint, EU \
region).",
        ),
    }
}

/// The path of the first personal-data category to the first of an organisation's components.
pub(crate) fn first_path(cx: &Facts<'_>, components: &[String], data: &[crate::facts::DataUse]) -> Vec<String> {
    // Model order puts the primary categories first; stored copies make the clearest path.
    let mut wanted: Vec<usize> = data.iter().filter_map(|u| cx.data_index(&u.id)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    for d in wanted {
        let mut ordered: Vec<&String> = components.iter().collect();
        ordered.sort_by_key(|id| {
            let stored = cx
                .graph
                .component(id)
                .and_then(|c| cx.propagation.get(d, c))
                .is_some_and(|r| r.at_rest);
            !stored
        });
        for id in ordered {
            if let Some(c) = cx.graph.component(id)
                && cx.propagation.get(d, c).is_some()
            {
                return cx.path_to(d, c);
            }
        }
    }
    components.to_vec()
}

rule! {
    /// In-scope data kept where a realm migration cannot move it.
    LeftBehindOnMigration {
        code: Res003, name: "left-behind-on-migration", severity: Medium,
        title: "In-scope data would stay behind when the site moves realm",
        references: ["Atlassian data residency: realm migration", "Forge data residency (hosted storage moves with the site)"],
        why: "When an admin moves a site to another realm, Atlassian moves the product data and Forge hosted storage; copies \
held in vendor-hosted or third-party stores stay where they are unless the vendor migrates them \
(`migration:dataResidency` for Forge Remote, app-side hooks for Connect).",
        example: "`app-db` in `aws:us-east-1` stores `issue-content`; it stays there when a site moves realm.",
        remediation: "Move the data to Forge hosted storage, or implement realm migration for the store and record its region as `tenant`.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for (d, category) in cx.model.data.iter().enumerate() {
            if !cx.in_scope(d) {
                continue;
            }
            for reach in cx.propagation.reach[d].iter().filter(|r| r.at_rest) {
                if cx.resolved.follows_tenant(reach.component) {
                    continue;
                }
                let component = &cx.model.components[reach.component];
                out.push(self.finding(
                    &component.id,
                    cx.path_to(d, reach.component).into(),
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

rule! {
    /// Personal data at a component whose location the model does not give.
    LocationUnknown {
        code: Res004, name: "location-unknown", severity: Medium,
        title: "Personal data reaches a component whose location is unknown",
        references: ["GDPR Art. 30(2)(c)", "GDPR Art. 44"],
        why: "Records of processing must name third-country transfers; without a location the transfer cannot be assessed.",
        example: "A vendor `app-server` with no `region` receives `user-identity`.",
        remediation: "Give the component a `region` (a realm, `tenant`, a cloud region or a country code).",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for (c, component) in cx.model.components.iter().enumerate() {
            if cx.resolved.region[c].is_some() || component.kind == crate::model::ComponentKind::User {
                continue;
            }
            let personal = cx
                .model
                .data
                .iter()
                .enumerate()
                .find(|(d, _)| cx.personal(*d) && cx.propagation.get(*d, c).is_some());
            if let Some((d, category)) = personal {
                out.push(self.evidence_finding(
                    &component.id,
                    cx.path_to(d, c).into(),
                    format!(
                        "`{}` receives `{}` but the model gives no region for it",
                        component.id, category.id
                    ),
                ));
            }
        }
    }
}
