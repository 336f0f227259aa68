//! SOC 2 vendor-management rules.

use super::Finding;
use crate::facts::Facts;

rule! {
    /// A subservice organisation with no SOC 2 report known.
    SubserviceWithoutReport {
        code: Soc2001, name: "subservice-without-report", severity: Medium,
        title: "A subservice organisation has no known SOC 2 report",
        references: ["SOC 2 CC9.2", "AICPA DC 200 (subservice organisations, carve-out method)"],
        why: "Under the carve-out method the vendor's SOC 2 report relies on each subservice organisation's own \
    controls (CSOCs); without that organisation's report, those controls are untested.",
        example: "SendGrid hosts a component that receives data, and no SOC 2 attestation is known for it.",
        remediation: "Obtain the organisation's SOC 2 Type 2 report (or equivalent) and record it under `attestations`, \
    or assess its controls directly.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        let soc2 = &cx.soc2;
        for org in soc2.subservice_organisations.iter().filter(|o| o.attestation.is_none()) {
            if cx.resolved.atlassian.as_deref() == Some(org.organisation.as_str()) {
                continue; // Atlassian publishes its own reports; the customer already relies on them.
            }
            out.push(self.evidence_finding(
                &org.organisation,
                org.services.clone(),
                format!("no SOC 2 report of {} ({}) is known", org.name, org.category),
            ));
        }
    }
}
