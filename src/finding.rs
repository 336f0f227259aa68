//! What the rules produce: findings with their severity and stable rule code, and the waiver
//! state a finding can carry. This module sits below the rules so that everything above them
//! (analysis, waivers, diff, renderers) can speak of findings without reaching into the rules.

use schemars::JsonSchema;
use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum, JsonSchema)]
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

    /// One step lower (a finding raised because evidence is missing).
    #[must_use]
    pub fn lowered(self) -> Severity {
        match self {
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            other => other,
        }
    }
}

/// Declares [`RuleCode`]: one variant per rule, in code order, with its written code.
macro_rules! rule_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// The stable code of a rule. Codes are never reused or renamed; the variants are in
        /// code order, so findings sort by code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleCode {
            $(
                #[doc = concat!("`", $code, "`")]
                $variant,
            )*
        }

        impl RuleCode {
            /// Every code, in order.
            pub const ALL: &'static [RuleCode] = &[$(RuleCode::$variant),*];

            /// The code as written, e.g. `TF-RES-001`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleCode::$variant => $code,)*
                }
            }
        }
    };
}

rule_codes! {
    Gdpr001 => "TF-GDPR-001",
    Gdpr002 => "TF-GDPR-002",
    Gdpr003 => "TF-GDPR-003",
    Gdpr004 => "TF-GDPR-004",
    Hipaa001 => "TF-HIPAA-001",
    Hipaa002 => "TF-HIPAA-002",
    Hipaa003 => "TF-HIPAA-003",
    Plat001 => "TF-PLAT-001",
    Plat002 => "TF-PLAT-002",
    Plat003 => "TF-PLAT-003",
    Plat004 => "TF-PLAT-004",
    Plat005 => "TF-PLAT-005",
    Plat006 => "TF-PLAT-006",
    Plat007 => "TF-PLAT-007",
    Plat008 => "TF-PLAT-008",
    Plat009 => "TF-PLAT-009",
    Plat010 => "TF-PLAT-010",
    Plat011 => "TF-PLAT-011",
    Plat012 => "TF-PLAT-012",
    Plat013 => "TF-PLAT-013",
    Plat014 => "TF-PLAT-014",
    Res001 => "TF-RES-001",
    Res002 => "TF-RES-002",
    Res003 => "TF-RES-003",
    Res004 => "TF-RES-004",
    Soc2001 => "TF-SOC2-001",
}

impl RuleCode {
    /// The code written `code`, in any letter case.
    pub fn parse(code: &str) -> Option<RuleCode> {
        RuleCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(code))
    }
}

impl PartialEq<&str> for RuleCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` honours width and alignment, so codes line up in columns like strings do.
        f.pad(self.as_str())
    }
}

impl Serialize for RuleCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl JsonSchema for RuleCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleCode".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = RuleCode::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({
            "description": "A rule code, e.g. `TF-RES-001` (see `trustflow rules`).",
            "type": "string",
            "enum": codes,
        })
    }
}

/// Component ids along a finding's path, origin first; shared by findings on one path.
pub type Path = std::sync::Arc<[String]>;

/// One conclusion of the analysis, traceable to the rule and model elements behind it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Finding {
    /// The rule's code, e.g. `TF-RES-001`.
    pub rule: RuleCode,
    /// Severity.
    pub severity: Severity,
    /// The model element the finding is about (a component, organisation or flow id).
    pub subject: String,
    /// The installation realm the finding concerns, when it depends on one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<crate::model::Realm>,
    /// Component ids along the data's path, origin first.
    // Shared: the findings of one inventory row (one per realm and regime) have one path.
    pub path: Path,
    /// What was found, in one sentence.
    // Shared with the open item that repeats it: a tenth of the analysis at 1,000 units.
    pub message: std::sync::Arc<str>,
    /// The rule's title.
    pub title: &'static str,
    /// Legal or framework references.
    pub references: &'static [&'static str],
    /// What to do about it.
    pub remediation: &'static str,
    /// The model lacks a fact the rule needs: evidence is required, this is not a pass.
    pub evidence_required: bool,
    /// The waiver covering this finding, if any.
    // Boxed: few findings are waived, and a finding's size counts (16,000 at 1,000 units).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Box<WaiverState>>,
}

impl Finding {
    /// Whether an active waiver covers the finding (it then counts for nothing).
    pub fn is_waived(&self) -> bool {
        self.waiver.as_ref().is_some_and(|w| w.status == WaiverStatus::Active)
    }
}

/// Whether a waiver still holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WaiverStatus {
    /// Holds: the finding does not count.
    Active,
    /// Past its expiry: the finding counts again.
    Expired,
}

/// A waiver as applied to a finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
pub struct WaiverState {
    /// Active or expired.
    pub status: WaiverStatus,
    /// The reason given.
    pub reason: String,
    /// The owner.
    pub owner: String,
    /// The expiry date.
    pub expires: String,
}

/// A kind of change; the names are what `--fail-on` takes.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// An organisation newly receives personal data (GDPR Art. 28(2) notice).
    NewSubprocessor,
    /// An organisation no longer receives personal data.
    RemovedSubprocessor,
    /// A recipient's country or processing location changed.
    ChangedLocation,
    /// A recipient newly receives a data category.
    NewData,
    /// A recipient no longer receives a data category.
    RemovedData,
    /// Personal data newly leaves a realm for a recipient, or the basis of a transfer changed.
    NewTransfer,
    /// A finding appears.
    NewFinding,
    /// A finding is resolved.
    ResolvedFinding,
    /// The app becomes eligible for Runs on Atlassian.
    RoaGained,
    /// The app loses Runs on Atlassian eligibility.
    RoaLost,
}

impl ChangeKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::NewSubprocessor => "new-subprocessor",
            ChangeKind::RemovedSubprocessor => "removed-subprocessor",
            ChangeKind::ChangedLocation => "changed-location",
            ChangeKind::NewData => "new-data",
            ChangeKind::RemovedData => "removed-data",
            ChangeKind::NewTransfer => "new-transfer",
            ChangeKind::NewFinding => "new-finding",
            ChangeKind::ResolvedFinding => "resolved-finding",
            ChangeKind::RoaGained => "roa-gained",
            ChangeKind::RoaLost => "roa-lost",
        }
    }
}
