//! SOC 2 vendor-management rules.

use super::Finding;
use crate::facts::Facts;

rule! {
    /// A subservice organisation or CC9.2 vendor with no SOC 2 report known.
    SubserviceWithoutReport {
        code: Soc2001, name: "subservice-without-report", severity: Medium,
        title: "A provider that receives data has no known SOC 2 report",
        references: ["SOC 2 CC9.2", "AICPA DC 200 (subservice organisations, carve-out method)"],
        why: "Under the carve-out method the vendor's SOC 2 report relies on each subservice organisation's own \
    controls (CSOCs); without that organisation's report, those controls are untested. Other providers that receive \
    data are vendors the service organisation must assess under CC9.2; a report is the usual evidence.",
        example: "SendGrid hosts a component that receives data, and no SOC 2 attestation is known for it.",
        remediation: "Obtain the organisation's SOC 2 Type 2 report (or equivalent) and record it under `attestations`, \
    or assess its controls directly.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        let soc2 = &cx.soc2;
        let all = soc2.subservice_organisations.iter().chain(&soc2.vendors);
        for org in all.filter(|o| o.attestation.is_none()) {
            let kind = if org.method == "vendor (CC9.2)" {
                "a vendor under CC9.2"
            } else {
                "a subservice organisation"
            };
            out.push(self.evidence_finding(
                &org.organisation,
                org.services.clone().into(),
                format!("no SOC 2 report of {} ({}, {kind}) is known", org.name, org.category),
            ));
        }
    }
}
