//! Waivers: a user accepts a finding (rule + subject, optionally realm) with a written reason,
//! an owner and an expiry date. Waived findings stay visible in every report, marked waived;
//! once the waiver expires the finding counts again. Waivers that match no finding are reported
//! so stale ones get cleaned up.

use crate::analysis::Analysis;
use crate::dates::Date;
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
    /// Changes already announced to customers (a change notice went out): `diff --fail-on`
    /// no longer fails on them.
    #[serde(default)]
    pub notified: Vec<Notified>,
}

/// A change customers were told of, with the notice's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notified {
    /// The kind of change (`new-subprocessor`, `new-transfer`, …: the `diff` kinds).
    pub change: crate::finding::ChangeKind,
    /// What it concerns: the organisation id (`openai`, `declared:api.mistral.ai`) or rule.
    pub subject: String,
    /// The date the notice went out (YYYY-MM-DD).
    pub notice: String,
    /// The date the notice said the change takes effect (YYYY-MM-DD); customers may object
    /// until then, so the gate lets the change through only from that day. Default: the
    /// notice date plus `diff --objection-days` (30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    /// Where the notice is (a URL, a ticket, the mailing), for the auditor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
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
    pub realm: Option<crate::model::Realm>,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it (a person or role and contact).
    pub owner: String,
    /// Last day the waiver holds (YYYY-MM-DD).
    pub expires: String,
}

pub use crate::finding::{WaiverState, WaiverStatus};

/// A waiver no finding matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct UnusedWaiver {
    /// Rule code.
    pub rule: String,
    /// Subject.
    pub subject: String,
    /// Realm, if given.
    pub realm: Option<crate::model::Realm>,
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
            let suggestion =
                crate::suggest::closest(&waiver.rule, crate::rules::RULES.iter().map(|r| r.code().as_str()));
            diagnostics.push(
                source
                    .diagnostic(
                        Diagnostic::error("unknown-rule", format!("no rule `{}`", waiver.rule)),
                        at("rule"),
                    )
                    .with_suggestion(suggestion),
            );
        }
        if Date::parse(&waiver.expires).is_none() {
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
    for (i, record) in file.notified.iter().enumerate() {
        let dates = [
            ("notice", Some(record.notice.as_str()), "the date the notice went out"),
            (
                "effective",
                record.effective.as_deref(),
                "the date the change takes effect, as the notice says",
            ),
        ];
        for (key, value, what) in dates {
            let Some(value) = value.filter(|v| Date::parse(v).is_none()) else {
                continue;
            };
            let path = [
                crate::diagnostic::Seg::from("notified"),
                crate::diagnostic::Seg::from(i),
                crate::diagnostic::Seg::from(key),
            ];
            diagnostics.push(
                source.diagnostic(
                    Diagnostic::error("invalid-value", format!("`{value}` is not a date"))
                        .with_help(format!("write {what} as YYYY-MM-DD")),
                    source.locate(&path, false),
                ),
            );
        }
    }
    if diagnostics.is_empty() {
        Ok(file)
    } else {
        Err(diagnostics)
    }
}

/// Marks the findings of `analysis` that the waivers cover, as of `today` (YYYY-MM-DD), and
/// recounts. Returns the waivers no finding matched.
pub fn apply(analysis: &mut Analysis, waivers: &[Waiver], today: Date) -> Vec<UnusedWaiver> {
    let mut used = vec![false; waivers.len()];
    for finding in &mut analysis.findings {
        let matching = waivers.iter().enumerate().find(|(_, w)| {
            w.rule.eq_ignore_ascii_case(finding.rule.as_str())
                && w.subject == finding.subject
                && (w.realm.is_none() || w.realm == finding.realm)
        });
        if let Some((i, waiver)) = matching {
            used[i] = true;
            // The waiver holds through its expiry day (checked to be a date when read).
            let status = if Date::parse(&waiver.expires).is_some_and(|expires| today <= expires) {
                WaiverStatus::Active
            } else {
                WaiverStatus::Expired
            };
            finding.waiver = Some(Box::new(WaiverState {
                status,
                reason: waiver.reason.clone(),
                owner: waiver.owner.clone(),
                expires: waiver.expires.clone(),
            }));
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
            realm: w.realm,
        })
        .collect()
}
