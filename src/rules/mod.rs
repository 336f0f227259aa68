//! The rule registry: every check that produces a finding, with its stable code, severity,
//! framework references, explanation and remediation. Codes are never reused or renamed.
//!
//! Adding a rule: write a unit struct implementing [`Rule`] in the file of its area, add it to
//! [`RULES`], add `tests/fixtures/rules/<code>/{fires,quiet}.yaml`, and regenerate
//! `docs/rules.md` with `TRUSTFLOW_UPDATE=1 cargo test`.

/// The metadata methods of a [`Rule`] implementation, in declaration order.
macro_rules! rule_meta {
    (code: $code:literal, name: $name:literal, severity: $sev:ident, title: $title:literal,
     references: [$($reference:literal),* $(,)?], explanation: $explanation:literal, remediation: $remediation:literal $(,)?) => {
        fn code(&self) -> &'static str { $code }
        fn name(&self) -> &'static str { $name }
        fn title(&self) -> &'static str { $title }
        fn severity(&self) -> $crate::rules::Severity { $crate::rules::Severity::$sev }
        fn references(&self) -> &'static [&'static str] { &[$($reference),*] }
        fn explanation(&self) -> &'static str { $explanation }
        fn remediation(&self) -> &'static str { $remediation }
    };
}

mod gdpr;
mod hipaa;
mod platform;
mod residency;
mod soc2;

use crate::analysis::Context;
use serde::Serialize;
use std::fmt::Write as _;

/// How serious a finding is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; no action needed.
    Info,
    /// Minor.
    Low,
    /// Should be addressed.
    Medium,
    /// Must be addressed before the data flow is acceptable.
    High,
}

impl Severity {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One conclusion of the analysis, traceable to the rule and model elements behind it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// The rule's code, e.g. `TF-RES-001`.
    pub rule: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The model element the finding is about (a component, organisation or flow id).
    pub subject: String,
    /// The installation realm the finding concerns, when it depends on one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Component ids along the data's path, origin first.
    pub path: Vec<String>,
    /// What was found, in one sentence.
    pub message: String,
    /// The rule's title.
    pub title: &'static str,
    /// Legal or framework references.
    pub references: Vec<&'static str>,
    /// What to do about it.
    pub remediation: &'static str,
    /// The model lacks a fact the rule needs: evidence is required, this is not a pass.
    pub evidence_required: bool,
    /// The waiver covering this finding, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<crate::waivers::WaiverState>,
}

impl Finding {
    /// Whether an active waiver covers the finding (it then counts for nothing).
    pub fn is_waived(&self) -> bool {
        self.waiver
            .as_ref()
            .is_some_and(|w| w.status == crate::waivers::WaiverStatus::Active)
    }
}

/// A check over an analysed model.
pub trait Rule: Sync {
    /// Stable code, `TF-<AREA>-<NNN>`.
    fn code(&self) -> &'static str;
    /// Short kebab-case name.
    fn name(&self) -> &'static str;
    /// One-line title.
    fn title(&self) -> &'static str;
    /// Severity when the rule fires on known facts.
    fn severity(&self) -> Severity;
    /// Legal and framework references.
    fn references(&self) -> &'static [&'static str];
    /// Why the rule matters.
    fn explanation(&self) -> &'static str;
    /// How to resolve a finding.
    fn remediation(&self) -> &'static str;
    /// Pushes this rule's findings.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);

    /// A finding of this rule.
    fn finding(&self, subject: &str, path: Vec<String>, message: String) -> Finding {
        Finding {
            rule: self.code(),
            severity: self.severity(),
            subject: subject.to_owned(),
            realm: None,
            path,
            message,
            title: self.title(),
            references: self.references().to_vec(),
            remediation: self.remediation(),
            evidence_required: false,
            waiver: None,
        }
    }

    /// A finding raised because a fact is missing: one severity step lower, marked as
    /// evidence required.
    fn evidence_finding(&self, subject: &str, path: Vec<String>, message: String) -> Finding {
        let mut finding = self.finding(subject, path, message);
        finding.severity = match finding.severity {
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            other => other,
        };
        finding.evidence_required = true;
        finding
    }
}

/// Every rule, in code order.
pub const RULES: &[&dyn Rule] = &[
    &gdpr::NoDpaRecorded,
    &gdpr::PurposeMissing,
    &hipaa::PhiWithoutBaa,
    &hipaa::PhiOutsideAtlassianBaa,
    &hipaa::PhiOnPlanWithoutBaa,
    &platform::SecretStoredOutsideAtlassian,
    &platform::UnauthenticatedInbound,
    &platform::JwtNotVerified,
    &platform::QshNotValidated,
    &platform::PublicEndpoint,
    &platform::NoPurgeOnUninstall,
    &platform::NotKeyedByTenant,
    &platform::UnboundedEgress,
    &platform::UnknownEgressRecipient,
    &platform::NotRunsOnAtlassian,
    &residency::DataAtRestOutsideRealm,
    &residency::TransferWithoutMechanism,
    &residency::LeftBehindOnMigration,
    &residency::LocationUnknown,
    &soc2::SubserviceWithoutReport,
];

/// Looks a rule up by code or name.
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code().eq_ignore_ascii_case(code_or_name) || r.name() == code_or_name)
}

/// Runs every rule and returns the findings, sorted.
pub fn run_all(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in RULES {
        rule.check(cx, &mut findings);
    }
    findings.sort();
    findings.dedup();
    findings
}

/// The rule reference as Markdown (`docs/rules.md`).
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated from the rule registry (`src/rules/`) by `TRUSTFLOW_UPDATE=1 cargo test`; do not edit.\n\n\
Each finding names its rule code, the model element it is about and the path of component ids that produced it. \
Where the model lacks a fact a rule needs, the finding is marked *evidence required* and its severity is one step lower: \
unknown is never a pass.\n\n| code | name | severity | title |\n|---|---|---|---|\n",
    );
    for rule in RULES {
        let _ = writeln!(
            out,
            "| [{code}](#{anchor}) | `{}` | {} | {} |",
            rule.name(),
            rule.severity().as_str(),
            rule.title(),
            code = rule.code(),
            anchor = rule.code().to_ascii_lowercase()
        );
    }
    for rule in RULES {
        let _ = write!(
            out,
            "\n## {}\n\n**{}** (`{}`, {})\n\n{}\n\n**How to resolve:** {}\n\n**References:** {}\n",
            rule.code(),
            rule.title(),
            rule.name(),
            rule.severity().as_str(),
            rule.explanation(),
            rule.remediation(),
            rule.references().join("; ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for rule in RULES {
            assert!(codes.insert(rule.code()), "duplicate code {}", rule.code());
            assert!(names.insert(rule.name()), "duplicate name {}", rule.name());
            let parts: Vec<&str> = rule.code().split('-').collect();
            assert!(
                parts.len() == 3 && parts[0] == "TF" && parts[2].len() == 3,
                "{}",
                rule.code()
            );
            assert!(
                rule.name().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                rule.name()
            );
            assert!(!rule.references().is_empty(), "{} has no references", rule.code());
            assert!(!rule.title().ends_with('.'), "{} title ends with a period", rule.code());
        }
        let mut sorted: Vec<&str> = RULES.iter().map(|r| r.code()).collect();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            RULES.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "RULES is in code order"
        );
    }
}
