//! GDPR processor and records-of-processing rules.

use super::residency::first_path;
use super::{Finding, Rule};
use crate::analysis::Context;

/// A recipient of personal data with no DPA recorded.
pub struct NoDpaRecorded;

impl Rule for NoDpaRecorded {
    rule_meta! {
        code: "TF-GDPR-001", name: "no-dpa-recorded", severity: Medium,
        title: "A recipient of personal data has no data processing agreement recorded",
        references: ["GDPR Art. 28(3)", "GDPR Art. 28(4)", "SOC 2 CC9.2"],
        explanation: "Processing by a processor must be governed by a contract (Art. 28(3)), and the same obligations must \
    flow down to each sub-processor (Art. 28(4)). A catalog entry saying a DPA is offered is not proof that one is signed.",
        remediation: "Sign the DPA and record its URL as the organisation's `dpa` in the model.",
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for row in &cx.subprocessors {
            if row.dpa == "recorded"
                || row.role == "sub-processor" && cx.resolved.atlassian.as_deref() == Some(&row.organisation)
            {
                continue;
            }
            let path = first_path(cx, &row.components, &row.data);
            let message = match row.dpa {
                "offered" => format!(
                    "{} offers a DPA, but the model records none for {}",
                    row.name, row.organisation
                ),
                _ => format!(
                    "no DPA is recorded for {} ({}), which receives personal data",
                    row.name, row.organisation
                ),
            };
            out.push(self.evidence_finding(&row.organisation, path, message));
        }
    }
}

/// Personal data flows to another organisation with no stated purpose.
pub struct PurposeMissing;

impl Rule for PurposeMissing {
    rule_meta! {
        code: "TF-GDPR-002", name: "purpose-missing", severity: Low,
        title: "Personal data goes to another organisation for no stated purpose",
        references: ["GDPR Art. 30(1)(b)", "GDPR Art. 30(2)(b)", "GDPR Art. 5(1)(b)"],
        explanation: "Records of processing list the purposes of each processing; the inventory takes them from the flows, \
    so a flow without `purpose` leaves a gap in the record.",
        remediation: "Give the flow a `purpose`.",
    }
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for flow in &cx.model.flows {
            if flow.purpose.is_some() {
                continue;
            }
            let (Some(&from), Some(&to)) = (
                cx.resolved.component_index.get(flow.from.as_str()),
                cx.resolved.component_index.get(flow.to.as_str()),
            ) else {
                continue;
            };
            let personal = flow
                .data
                .iter()
                .any(|d| cx.model.data.iter().any(|c| &c.id == d && (c.personal || c.phi)));
            if personal && cx.resolved.operator[from] != cx.resolved.operator[to] {
                out.push(self.finding(
                    &flow.label(),
                    vec![flow.from.clone(), flow.to.clone()],
                    format!("flow `{}` carries personal data without a purpose", flow.label()),
                ));
            }
        }
    }
}
