//! GDPR processor and records-of-processing rules.

use super::Finding;
use super::residency::first_path;
use crate::facts::{Evidence, Facts, GdprRole};

rule! {
    /// A recipient of personal data with no DPA recorded.
    NoDpaRecorded {
        code: Gdpr001, name: "no-dpa-recorded", severity: Medium,
        title: "A recipient of personal data has no data processing agreement recorded",
        references: ["GDPR Art. 28(3)", "GDPR Art. 28(4)", "SOC 2 CC9.2"],
        why: "Processing by a processor must be governed by a contract (Art. 28(3)), and the same obligations must \
    flow down to each sub-processor (Art. 28(4)). A catalog entry saying a DPA is offered is not proof that one is signed.",
        example: "An OpenAI organisation receives `issue-content`; the catalog says OpenAI offers a DPA, but the model has no `dpa:` for it.",
        remediation: "Sign the DPA and record its URL as the organisation's `dpa` in the model.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for row in cx.subprocessors.iter() {
            // An independent controller decides its own purposes: Art. 28 does not apply to it.
            if row.dpa == Evidence::Recorded
                || row.role == GdprRole::IndependentController
                || row.role == GdprRole::SubProcessor && cx.resolved.atlassian.as_deref() == Some(&row.organisation)
            {
                continue;
            }
            let path = first_path(cx, &row.components, &row.data);
            let message = match row.dpa {
                Evidence::Offered => format!(
                    "{} offers a DPA, but the model records none for {}",
                    row.name, row.organisation
                ),
                _ => format!(
                    "no DPA is recorded for {} ({}), which {} personal data",
                    row.name,
                    row.organisation,
                    // Declared egress without a modelled flow: the data may go there.
                    if row.organisation.starts_with("declared:") { "may receive" } else { "receives" }
                ),
            };
            out.push(self.evidence_finding(&row.organisation, path.into(), message));
        }
    }
}

rule! {
    /// Personal data flows to another organisation with no stated purpose.
    PurposeMissing {
        code: Gdpr002, name: "purpose-missing", severity: Low,
        title: "Personal data goes to another organisation for no stated purpose",
        references: ["GDPR Art. 30(1)(b)", "GDPR Art. 30(2)(b)", "GDPR Art. 5(1)(b)"],
        why: "Records of processing list the purposes of each processing; the inventory takes them from the flows, \
    so a flow without `purpose` leaves a gap in the record.",
        example: "A flow `app-server → llm` carries `issue-content` (personal) to OpenAI with no `purpose:`.",
        remediation: "Give the flow a `purpose`.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for (f, flow) in cx.model.flows.iter().enumerate() {
            if flow.purpose.is_some() {
                continue;
            }
            let Some((from, to)) = cx.graph.ends[f] else {
                continue;
            };
            let personal = cx.graph.carried[f]
                .iter()
                .any(|&d| cx.personal(d as usize));
            if personal && cx.resolved.operator[from] != cx.resolved.operator[to] {
                out.push(self.finding(
                    &flow.label(),
                    vec![flow.from.clone(), flow.to.clone()].into(),
                    format!("flow `{}` carries personal data without a purpose", flow.label()),
                ));
            }
        }
    }
}

rule! {
    /// Personal data reaches a recipient no organisation of the model or catalog serves.
    UnidentifiedRecipient {
        code: Gdpr003, name: "unidentified-recipient", severity: High,
        title: "Personal data reaches a recipient nobody can identify",
        references: ["GDPR Art. 28(2)", "GDPR Art. 28(4)", "GDPR Art. 30(1)(d)", "GDPR Art. 44"],
        why: "A processor may engage another processor only with the controller's authorisation and under a contract \
    (Art. 28(2), (4)), and records of processing name every recipient (Art. 30(1)(d)). A destination that no organisation \
    of the model or the catalog serves cannot be under contract, and no transfer mechanism can cover it: it is listed as \
    an unidentified recipient rather than left out.",
        example: "A Forge function sends `issue-content` to `api.widgetly.io`, and no organisation in the model or catalog serves that host.",
        remediation: "Name the organisation behind the host in the model (`organisations` with its `domains`, and the \
    component's `operator`), with its DPA and transfer mechanism, or stop sending personal data there.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        // Unidentified recipients, and declared egress to a host no organisation serves (the
        // data may go there).
        let unknown = |row: &&crate::facts::Subprocessor| {
            row.organisation.starts_with("unidentified:")
                || (row.organisation.starts_with("declared:") && row.country.is_none())
        };
        for row in cx.subprocessors.iter().filter(unknown) {
            let path = first_path(cx, &row.components, &row.data);
            let data: Vec<&str> = row.data.iter().map(|d| d.id.as_str()).collect();
            let verb = if row.organisation.starts_with("declared:") { "may reach" } else { "reaches" };
            out.push(self.finding(
                &row.organisation,
                path.into(),
                format!(
                    "personal data ({}) {verb} {}, which no organisation of the model or catalog serves",
                    data.join(", "),
                    row.name
                ),
            ));
        }
    }
}

rule! {
    /// Special-category data (GDPR Art. 9) under the EU GDPR, UK GDPR or Swiss FADP.
    SpecialCategory {
        code: Gdpr004, name: "special-category-data", severity: Medium,
        title: "The app processes special-category personal data under the EU GDPR, UK GDPR or Swiss FADP",
        references: ["GDPR Art. 9(1)", "GDPR Art. 9(2)", "GDPR Art. 35(3)(b)", "UK GDPR Art. 9", "Swiss FADP Art. 5(c), Art. 22"],
        why: "Health data and the other special categories of Art. 9(1) may be processed only under an Art. 9(2) \
    condition, and large-scale processing of them requires a data protection impact assessment (Art. 35(3)(b)). PHI is \
    health data; data derived from it (a summary of a patient ticket) stays health data unless de-identified. HIPAA and \
    Art. 9 are separate tests: an EU clinic's notes are Art. 9 data though HIPAA does not apply.",
        example: "An `eu` installation's `patient-refs` (`phi: true`) reach the app's Forge function and an LLM.",
        remediation: "Record the Art. 9(2) condition relied on, carry out and keep a DPIA, and tell customers in the DPA; or \
    keep special-category data out of the app (`deidentified: true` only when it truly is).",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        use crate::facts::Regime;
        let european = |r: Option<Regime>| r.filter(|r| matches!(r, Regime::EuGdpr | Regime::UkGdpr | Regime::ChFadp));
        // The vendor's own law binds its processing whoever the customer is (GDPR Art. 3(1)).
        let vendor = cx
            .resolved
            .orgs
            .get(cx.model.app.vendor.as_str())
            .and_then(|v| v.country.as_deref())
            .map(|c| Regime::of_country(c, cx.catalog));
        let mut each: Vec<(crate::model::Realm, Regime)> = Vec::new();
        for &realm in &cx.realms {
            // The customer's law and the vendor's own both apply when they differ (an EU
            // customer of a UK vendor: the EU GDPR and the UK GDPR).
            // Customers of one realm may be established under several laws: each applies.
            let customers = cx
                .customer_laws
                .get(&realm)
                .map(crate::facts::customers::regimes_in)
                .unwrap_or_default();
            for regime in customers
                .into_iter()
                .map(Some)
                .chain([vendor])
                .filter_map(european)
            {
                if !each.contains(&(realm, regime)) {
                    each.push((realm, regime));
                }
            }
        }
        for (realm, regime) in each {
            let (article, dpia, references) = match regime {
                Regime::UkGdpr => (
                    "UK GDPR Art. 9",
                    "UK GDPR Art. 35(3)(b)",
                    &["UK GDPR Art. 9", "Data Protection Act 2018 Sch. 1", "UK GDPR Art. 35(3)(b)"],
                ),
                Regime::ChFadp => (
                    "sensitive personal data, Swiss FADP Art. 5(c)",
                    "FADP Art. 22",
                    &["Swiss FADP Art. 5(c)", "Swiss FADP Art. 6(7)", "Swiss FADP Art. 22"],
                ),
                _ => (
                    "GDPR Art. 9",
                    "GDPR Art. 35(3)(b)",
                    &["GDPR Art. 9(1)", "GDPR Art. 9(2)", "GDPR Art. 35(3)(b)"],
                ),
            };
            for (d, traits) in cx.traits.iter().enumerate() {
                let Some(special) = traits.special else { continue };
                let Some(reach) = cx.propagation.reach[d]
                    .iter()
                    .find(|r| !cx.model.components[r.component].kind.is_origin())
                else {
                    continue;
                };
                let id = &cx.model.data[d].id;
                let condition = match regime {
                    Regime::ChFadp => "express consent or another justification is needed where required (FADP Art. 6(7), Art. 31)",
                    // The condition and the DPIA are the controller's: the customer's, when the
                    // vendor processes for it.
                    Regime::UkGdpr => {
                        "the controller (the customer, when the vendor processes for it) needs a condition of UK GDPR Art. 9(2) (with Data Protection Act 2018 Sch. 1) if it does"
                    }
                    _ => "the controller (the customer, when the vendor processes for it) needs a condition of GDPR Art. 9(2) if it does",
                };
                let mut finding = self.finding(
                    id,
                    cx.path_to(d, reach.component).into(),
                    format!(
                        "`{id}` may hold {} data ({article}) of realm `{realm}` under {} and reaches the app: {condition}, and a DPIA if the processing is large-scale ({dpia})",
                        special.as_str(),
                        regime.code()
                    ),
                );
                finding.references = references;
                finding.realm = Some(realm);
                out.push(finding);
            }
        }
    }
}
