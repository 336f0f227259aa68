//! Waivers: a user accepts a finding (rule + subject, optionally realm) with a written reason,
//! an owner and an expiry date. Waived findings stay visible in every report, marked waived;
//! once the waiver expires the finding counts again. Waivers that match no finding are reported
//! so stale ones get cleaned up.

use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A waivers file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverFile {
    /// The waivers.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule code, e.g. `TF-RES-002`.
    pub rule: String,
    /// The finding's subject (component, organisation, flow or installation id).
    pub subject: String,
    /// Only the finding for this installation realm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it (a person or role and contact).
    pub owner: String,
    /// Last day the waiver holds (YYYY-MM-DD).
    pub expires: String,
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

/// A waiver no finding matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct UnusedWaiver {
    /// Rule code.
    pub rule: String,
    /// Subject.
    pub subject: String,
    /// Realm, if given.
    pub realm: Option<String>,
}

/// Reads and checks a waivers file: every problem with its line and column.
pub fn parse(name: &str, text: &str) -> Result<WaiverFile, Vec<Diagnostic>> {
    let (file, source) = crate::load::parse_checked::<WaiverFile>(name, text)?;
    let file = file.unwrap_or_default();
    let mut diagnostics = Vec::new();
    for (i, waiver) in file.waivers.iter().enumerate() {
        let at = |key: &str| {
            let path = [
                crate::diagnostic::Seg::from("waivers"),
                crate::diagnostic::Seg::from(i),
                crate::diagnostic::Seg::from(key),
            ];
            source.locate(&path, false)
        };
        if crate::rules::find(&waiver.rule).is_none() {
            let suggestion = crate::suggest::closest(&waiver.rule, crate::rules::RULES.iter().map(|r| r.code()));
            diagnostics.push(
                source
                    .diagnostic(
                        Diagnostic::error("unknown-rule", format!("no rule `{}`", waiver.rule)),
                        at("rule"),
                    )
                    .with_suggestion(suggestion),
            );
        }
        if !is_date(&waiver.expires) {
            diagnostics.push(
                source.diagnostic(
                    Diagnostic::error("invalid-value", format!("`{}` is not a date", waiver.expires))
                        .with_help("write the last day the waiver holds as YYYY-MM-DD"),
                    at("expires"),
                ),
            );
        }
        if waiver.reason.trim().is_empty() || waiver.owner.trim().is_empty() {
            diagnostics.push(source.diagnostic(
                Diagnostic::error("invalid-value", "a waiver needs a reason and an owner"),
                at("reason"),
            ));
        }
    }
    if diagnostics.is_empty() {
        Ok(file)
    } else {
        Err(diagnostics)
    }
}

/// Whether `text` is a `YYYY-MM-DD` date.
pub fn is_date(text: &str) -> bool {
    crate::render::is_date(text)
}

/// Marks the findings of `analysis` that the waivers cover, as of `today` (YYYY-MM-DD), and
/// recounts. Returns the waivers no finding matched.
pub fn apply(analysis: &mut Analysis, waivers: &[Waiver], today: &str) -> Vec<UnusedWaiver> {
    let mut used = vec![false; waivers.len()];
    for finding in &mut analysis.findings {
        let matching = waivers.iter().enumerate().find(|(_, w)| {
            w.rule.eq_ignore_ascii_case(finding.rule)
                && w.subject == finding.subject
                && (w.realm.is_none() || w.realm == finding.realm)
        });
        if let Some((i, waiver)) = matching {
            used[i] = true;
            // ISO dates compare correctly as text; the waiver holds through its expiry day.
            let status = if today <= waiver.expires.as_str() {
                WaiverStatus::Active
            } else {
                WaiverStatus::Expired
            };
            finding.waiver = Some(WaiverState {
                status,
                reason: waiver.reason.clone(),
                owner: waiver.owner.clone(),
                expires: waiver.expires.clone(),
            });
        }
    }
    analysis.recount();
    waivers
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(w, _)| UnusedWaiver {
            rule: w.rule.clone(),
            subject: w.subject.clone(),
            realm: w.realm.clone(),
        })
        .collect()
}

/// Today's date for waiver expiry: SOURCE_DATE_EPOCH if set (reproducible runs), else the clock.
pub fn today() -> String {
    crate::render::report_date(None).unwrap_or_else(|| {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        crate::render::civil_date(seconds.div_euclid(86_400))
    })
}
