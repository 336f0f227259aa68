//! The rule registry: every check that produces a finding, each declared once with its stable
//! code, severity, title, why it matters, an example, references and remediation. Codes are
//! never reused or renamed.
//!
//! Adding a rule: add its code to [`RuleCode`], declare it with [`rule!`] in the file of its
//! area, add it to [`RULES`], add `tests/fixtures/rules/<CODE>/{fires,quiet}.yaml`, and
//! regenerate `docs/rules.md` and the snapshots with `TRUSTFLOW_UPDATE=1 cargo test` and
//! `cargo insta accept`.

/// Declares a rule: a unit struct, its metadata and its check, in one place.
macro_rules! rule {
    (
        $(#[$attr:meta])*
        $name:ident {
            code: $code:ident, name: $rname:literal, severity: $sev:ident,
            title: $title:literal,
            references: [$($reference:literal),* $(,)?],
            why: $why:literal,
            example: $example:literal,
            remediation: $remediation:literal $(,)?
        }
        fn check(&$self:ident, $facts:ident: &Facts<'_>, $out:ident: &mut Vec<Finding>) $body:block
    ) => {
        $(#[$attr])*
        pub struct $name;

        impl $crate::rules::Rule for $name {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                    code: $crate::finding::RuleCode::$code,
                    name: $rname,
                    severity: $crate::finding::Severity::$sev,
                    title: $title,
                    why: $why,
                    example: $example,
                    references: &[$($reference),*],
                    remediation: $remediation,
                };
                &META
            }

            fn check(&$self, $facts: &Facts<'_>, $out: &mut Vec<Finding>) $body
        }
    };
}

mod gdpr;
mod hipaa;
mod platform;
mod residency;
mod soc2;

use crate::facts::Facts;
pub use crate::finding::{Finding, RuleCode, Severity};
use std::fmt::Write as _;

/// What a rule is, as shown by `trustflow rules`, docs/rules.md and SARIF.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, `TF-<AREA>-<NNN>`.
    pub code: RuleCode,
    /// Short kebab-case name.
    pub name: &'static str,
    /// Severity when the rule fires on known facts.
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
    /// Why the rule matters.
    pub why: &'static str,
    /// A model situation that makes the rule fire.
    pub example: &'static str,
    /// Legal and framework references.
    pub references: &'static [&'static str],
    /// How to resolve a finding.
    pub remediation: &'static str,
}

/// A check over a model's facts.
pub trait Rule: Sync {
    /// The rule's declaration.
    fn meta(&self) -> &'static RuleMeta;

    /// Pushes this rule's findings.
    fn check(&self, facts: &Facts<'_>, out: &mut Vec<Finding>);

    /// Stable code.
    fn code(&self) -> RuleCode {
        self.meta().code
    }

    /// A finding of this rule.
    fn finding(&self, subject: &str, path: crate::finding::Path, message: String) -> Finding {
        let meta = self.meta();
        Finding {
            rule: meta.code,
            severity: meta.severity,
            subject: subject.to_owned(),
            realm: None,
            path,
            message: message.into(),
            title: meta.title,
            references: meta.references,
            remediation: meta.remediation,
            evidence_required: false,
            waiver: None,
        }
    }

    /// A finding raised because a fact is missing: one severity step lower, marked as
    /// evidence required.
    fn evidence_finding(&self, subject: &str, path: crate::finding::Path, message: String) -> Finding {
        let mut finding = self.finding(subject, path, message);
        finding.severity = finding.severity.lowered();
        finding.evidence_required = true;
        finding
    }
}

/// Every rule, in code order.
pub const RULES: &[&dyn Rule] = &[
    &gdpr::NoDpaRecorded,
    &gdpr::PurposeMissing,
    &gdpr::UnidentifiedRecipient,
    &gdpr::SpecialCategory,
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
    &platform::NonProductionDestination,
    &platform::UserImpersonation,
    &platform::CustomerManagedEgress,
    &platform::ConnectEndOfSupport,
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
        .find(|r| r.code().as_str().eq_ignore_ascii_case(code_or_name) || r.meta().name == code_or_name)
}

/// The rule of a code.
pub fn of(code: RuleCode) -> &'static dyn Rule {
    RULES.iter().copied().find(|r| r.code() == code).unwrap_or(RULES[0])
}

/// Runs every rule and returns the findings, sorted.
pub fn run_all(facts: &Facts<'_>) -> Vec<Finding> {
    use rayon::prelude::*;
    // The rules read the same facts and nothing else: they run on all threads, and the sort
    // below puts their findings in one order whatever the threads did. `Ord` compares every
    // field, so findings that sort equal are equal and an unstable sort (in place, no second
    // buffer) gives the same list.
    // Each rule's findings are moved once into a list of the exact size: rayon's flattening
    // collect would gather them in lists of its own first (0.4 MiB more at the peak of a
    // 1,000-unit run).
    let found: Vec<Vec<Finding>> = RULES
        .par_iter()
        .map(|rule| {
            let mut found = Vec::new();
            rule.check(facts, &mut found);
            found
        })
        .collect();
    let mut findings = Vec::with_capacity(found.iter().map(Vec::len).sum());
    for found in found {
        findings.extend(found);
    }
    findings.par_sort_unstable();
    findings.dedup();
    findings
}

/// How [`describe`] writes a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Plain text for a terminal or SARIF's `help.text`.
    Text,
    /// Markdown for docs/rules.md and SARIF's `help.markdown`.
    Markdown,
}

/// A rule's one-line summary: code, severity, name and title. `trustflow rules` lists these.
pub fn summary(meta: &RuleMeta) -> String {
    format!(
        "{:<13} {:<7} {:<34} {}",
        meta.code.as_str(),
        meta.severity.as_str(),
        meta.name,
        meta.title
    )
}

/// A rule's full description: the one rendering of the registry that the CLI (`trustflow rules
/// CODE`), docs/rules.md and SARIF all show.
pub fn describe(meta: &RuleMeta, style: Style) -> String {
    let references = meta.references.join("; ");
    match style {
        Style::Text => format!(
            "{} {} ({})\n{}\n\n{}\n\nExample: {}\nHow to resolve: {}\nReferences: {}\n",
            meta.code,
            meta.title,
            meta.severity.as_str(),
            meta.name,
            meta.why,
            meta.example,
            meta.remediation,
            references
        ),
        Style::Markdown => format!(
            "## {}\n\n**{}** (`{}`, {})\n\n{}\n\n**Example:** {}\n\n**How to resolve:** {}\n\n**References:** {}\n",
            meta.code,
            meta.title,
            meta.name,
            meta.severity.as_str(),
            meta.why,
            meta.example,
            meta.remediation,
            references
        ),
    }
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
        let meta = rule.meta();
        let _ = writeln!(
            out,
            "| [{code}](#{anchor}) | `{}` | {} | {} |",
            meta.name,
            meta.severity.as_str(),
            meta.title,
            code = meta.code,
            anchor = meta.code.as_str().to_ascii_lowercase()
        );
    }
    for rule in RULES {
        out.push('\n');
        out.push_str(&describe(rule.meta(), Style::Markdown));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut names = HashSet::new();
        for rule in RULES {
            let meta = rule.meta();
            assert!(names.insert(meta.name), "duplicate name {}", meta.name);
            let parts: Vec<&str> = meta.code.as_str().split('-').collect();
            assert!(
                parts.len() == 3 && parts[0] == "TF" && parts[2].len() == 3,
                "{}",
                meta.code
            );
            assert!(
                meta.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                meta.name
            );
            assert!(!meta.references.is_empty(), "{} has no references", meta.code);
            assert!(!meta.title.ends_with('.'), "{} title ends with a period", meta.code);
            assert!(meta.example.ends_with('.'), "{} example is a sentence", meta.code);
        }
        // Every code has exactly one rule, in code order.
        assert_eq!(
            RULES.iter().map(|r| r.code()).collect::<Vec<_>>(),
            RuleCode::ALL,
            "RULES lists every RuleCode once, in order"
        );
        let mut sorted: Vec<&str> = RuleCode::ALL.iter().map(|c| c.as_str()).collect();
        sorted.sort_unstable();
        assert_eq!(sorted, RuleCode::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>());
    }
}
