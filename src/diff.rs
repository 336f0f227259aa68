//! A semantic diff of two analysed versions of a model: what changes for the customer.
//!
//! Recipients added or removed, a recipient's country or processing location changed, data
//! newly sent to a recipient (or no longer), new or changed transfers out of a realm with the
//! mechanism they need, findings added and resolved, and Runs on Atlassian gained or lost.

use crate::analysis::{Analysis, Subprocessor, Transfer, TransferStatus};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::finding::ChangeKind;

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// The organisation, finding rule or app it concerns.
    pub subject: String,
    /// Display name of the subject.
    pub name: String,
    /// What changes, in one sentence.
    pub description: String,
    /// Data categories concerned.
    pub data: Vec<String>,
    /// Purposes (for recipients).
    pub purposes: Vec<String>,
    /// Where (for recipients).
    pub locations: Vec<String>,
    /// Realm concerned, for transfers and realm-specific findings.
    pub realm: Option<String>,
    /// The date customers were told of this change, when a `notified:` record acknowledges it:
    /// it no longer fails a `--fail-on` gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notified: Option<String>,
    /// When customers were told but the objection period the notice gave has not ended: the
    /// date the change takes effect. The change still fails a `--fail-on` gate until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objection_until: Option<String>,
    /// For a recipient no longer used: the categories it kept at rest, which stay with it until
    /// deleted (the notice says so).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stored: Vec<String>,
    /// For a recipient no longer used: how long it keeps what it received by its own terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retained: Option<String>,
}

/// The diff of two analyses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Diff {
    /// The old app name.
    pub old_app: String,
    /// The new app name.
    pub new_app: String,
    /// Changes, grouped by kind, then by subject.
    pub changes: Vec<Change>,
}

impl Diff {
    /// New sub-processors whose notice is acknowledged (`notified`) but which `new` does not
    /// yet let receive data, each with why: telling customers is Art. 28(2); the contract is
    /// Art. 28(4) (a DPA recorded, or one that comes with the platform's terms, as Forge's);
    /// a transfer needs its Chapter V safeguard recorded; PHI needs a business associate
    /// agreement at every hop (45 CFR 164.502(e)). An acknowledged notice stands in for none
    /// of them.
    /// Each reason comes with the gate it belongs to (`new-transfer` for a missing safeguard).
    pub fn notified_but_not_ready<'d>(&'d self, new: &Analysis) -> Vec<(&'d Change, ChangeKind, String)> {
        let mut out = Vec::new();
        for change in self
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::NewSubprocessor && c.notified.is_some())
        {
            // Forge hosting's DPA, part of the Forge terms, is already `recorded`.
            let row = new.subprocessors.iter().find(|s| s.organisation == change.subject);
            if !row.is_some_and(|s| s.dpa.is_recorded()) {
                out.push((
                    change,
                    ChangeKind::NewSubprocessor,
                    "customers were notified, but no data processing agreement with it is recorded (GDPR Art. 28(4)); record `dpa:` on the organisation behind it in the model before it receives data".to_owned(),
                ));
            }
            let unsafe_transfers: BTreeSet<&str> = new
                .transfers
                .iter()
                .filter(|t| t.importer == change.subject)
                .flat_map(|t| t.conclusions().map(|(t, _)| t))
                .filter(|t| t.needs_evidence())
                .map(|t| t.label.as_str())
                .collect();
            if !unsafe_transfers.is_empty() {
                out.push((
                    change,
                    ChangeKind::NewTransfer,
                    format!(
                        "customers were notified, but the transfer to it has no recorded safeguard (GDPR Chapter V: a notice is not one): {}",
                        unsafe_transfers.into_iter().collect::<Vec<_>>().join("; ")
                    ),
                ));
            }
            if new.hipaa.missing_baa.contains(&change.subject) {
                out.push((
                    change,
                    ChangeKind::NewSubprocessor,
                    "customers were notified, but it receives PHI of HIPAA-covered sites and no business associate agreement with it is recorded (45 CFR 164.502(e)); record `baa: true` once it is signed".to_owned(),
                ));
            }
        }
        out
    }

    /// Changes of a kind.
    pub fn of(&self, kind: ChangeKind) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.kind == kind)
    }
}

/// A change about one recipient.
fn recipient_change(
    kind: ChangeKind,
    row: &Subprocessor,
    description: String,
    data: Vec<String>,
    realm: Option<String>,
) -> Change {
    Change {
        kind,
        subject: row.organisation.clone(),
        name: row.name.clone(),
        description,
        data,
        purposes: row.purposes.clone(),
        locations: row.said_locations(),
        realm,
        notified: None,
        objection_until: None,
        stored: Vec::new(),
        retained: None,
    }
}

fn restricted(t: &Transfer) -> bool {
    !matches!(t.status, TransferStatus::NotATransfer)
}

/// Compares two analyses.
pub fn diff(old: &Analysis, new: &Analysis) -> Diff {
    let mut changes = Vec::new();
    let old_rows: BTreeMap<&str, &Subprocessor> =
        old.subprocessors.iter().map(|s| (s.organisation.as_str(), s)).collect();
    let new_rows: BTreeMap<&str, &Subprocessor> =
        new.subprocessors.iter().map(|s| (s.organisation.as_str(), s)).collect();
    let change = recipient_change;
    for (id, row) in &new_rows {
        let Some(before) = old_rows.get(id) else {
            let data: Vec<String> = row.data.iter().map(|d| d.id.clone()).collect();
            changes.push(change(
                ChangeKind::NewSubprocessor,
                row,
                format!(
                    "{} ({}, {}) becomes a {} receiving {}",
                    row.name,
                    row.legal_entity.as_deref().unwrap_or("legal entity unknown"),
                    row.country.as_deref().unwrap_or("country unknown"),
                    row.role,
                    data.join(", ")
                ),
                data,
                None,
            ));
            for (realm, mechanism) in &row.transfer_mechanism {
                if restricted(mechanism) {
                    changes.push(change(
                        ChangeKind::NewTransfer,
                        row,
                        format!(
                            "personal data of realm `{realm}` goes to {}: {}",
                            row.name, mechanism.label
                        ),
                        row.data.iter().map(|d| d.id.clone()).collect(),
                        Some(realm.clone()),
                    ));
                }
            }
            continue;
        };
        if before.country != row.country || before.locations != row.locations {
            changes.push(change(
                ChangeKind::ChangedLocation,
                row,
                format!(
                    "{} moves from {} to {}",
                    row.name,
                    before.said_locations().join("; "),
                    row.said_locations().join("; ")
                ),
                Vec::new(),
                None,
            ));
        }
        let before_data: BTreeSet<&str> = before.data.iter().map(|d| d.id.as_str()).collect();
        let after_data: BTreeSet<&str> = row.data.iter().map(|d| d.id.as_str()).collect();
        let added: Vec<String> = after_data.difference(&before_data).map(|s| (*s).to_owned()).collect();
        let removed: Vec<String> = before_data.difference(&after_data).map(|s| (*s).to_owned()).collect();
        if !added.is_empty() {
            changes.push(change(
                ChangeKind::NewData,
                row,
                format!("{} newly receives {}", row.name, added.join(", ")),
                added,
                None,
            ));
        }
        if !removed.is_empty() {
            changes.push(change(
                ChangeKind::RemovedData,
                row,
                format!("{} no longer receives {}", row.name, removed.join(", ")),
                removed,
                None,
            ));
        }
        for (realm, mechanism) in &row.transfer_mechanism {
            let was = before.transfer_mechanism.get(realm);
            if restricted(mechanism) && was != Some(mechanism) {
                let from = was.map_or_else(|| "no transfer".to_owned(), |t| t.label.clone());
                changes.push(change(
                    ChangeKind::NewTransfer,
                    row,
                    format!(
                        "transfer of realm `{realm}` to {}: {} (was: {from})",
                        row.name, mechanism.label
                    ),
                    row.data.iter().map(|d| d.id.clone()).collect(),
                    Some(realm.clone()),
                ));
            }
        }
    }
    changes.extend(
        old_rows
            .iter()
            .filter(|(id, _)| !new_rows.contains_key(*id))
            .map(|(_, row)| {
                let data = row.data.iter().map(|d| d.id.clone()).collect();
                let description = format!("{} no longer receives personal data", row.name);
                Change {
                    // What it keeps stays with it until deleted: the notice says so.
                    stored: row.data.iter().filter(|d| d.at_rest).map(|d| d.id.clone()).collect(),
                    retained: row.retention.clone(),
                    ..change(ChangeKind::RemovedSubprocessor, row, description, data, None)
                }
            }),
    );
    finding_changes(old, new, &mut changes);
    roa_changes(old, new, &mut changes);
    changes.sort();
    Diff {
        old_app: old.app.name.clone(),
        new_app: new.app.name.clone(),
        changes,
    }
}

/// A finding's rule, subject and realm: what stays when only its message changes.
type FindingKey = (crate::finding::RuleCode, String, Option<crate::model::Realm>);

/// The findings not under a waiver, by key and message.
fn open_findings(a: &Analysis) -> BTreeMap<(FindingKey, std::sync::Arc<str>), &crate::rules::Finding> {
    a.findings
        .iter()
        .filter(|f| !f.is_waived())
        .map(|f| {
            (
                ((f.rule, f.subject.clone(), f.realm), std::sync::Arc::clone(&f.message)),
                f,
            )
        })
        .collect()
}

/// Findings that appear or disappear (waived findings count for neither). A finding of the
/// same rule, subject and realm whose message changed is one change, said as new with
/// "(changed)", not a new and a resolved finding side by side.
fn finding_changes(old: &Analysis, new: &Analysis, changes: &mut Vec<Change>) {
    let (old_findings, new_findings) = (open_findings(old), open_findings(new));
    // The findings that disappear, by key: a new finding of the same key takes one of them
    // as its earlier wording ("changed"); those left are resolved.
    let mut gone: BTreeMap<&FindingKey, Vec<&crate::rules::Finding>> = BTreeMap::new();
    for ((key, _), f) in old_findings.iter().filter(|(k, _)| !new_findings.contains_key(*k)) {
        gone.entry(key).or_default().push(f);
    }
    let change = |kind: ChangeKind, f: &crate::rules::Finding, description: String| Change {
        kind,
        subject: f.rule.to_string(),
        name: f.title.to_owned(),
        description,
        data: Vec::new(),
        purposes: Vec::new(),
        locations: Vec::new(),
        realm: f.realm.map(|r| r.code().to_owned()),
        notified: None,
        objection_until: None,
        stored: Vec::new(),
        retained: None,
    };
    for ((key, _), f) in new_findings.iter().filter(|(k, _)| !old_findings.contains_key(*k)) {
        let changed = gone.get_mut(key).and_then(Vec::pop).is_some();
        changes.push(change(
            ChangeKind::NewFinding,
            f,
            format!(
                "{} [{}]{}: {}",
                f.rule,
                f.severity.as_str(),
                if changed { " (changed)" } else { "" },
                f.message
            ),
        ));
    }
    for f in gone.into_values().flatten() {
        changes.push(change(
            ChangeKind::ResolvedFinding,
            f,
            format!("{} resolved: {}", f.rule, f.message),
        ));
    }
}

/// Runs on Atlassian gained or lost.
fn roa_changes(old: &Analysis, new: &Analysis, changes: &mut Vec<Change>) {
    match (old.runs_on_atlassian.eligible, new.runs_on_atlassian.eligible) {
        (false, true) => changes.push(Change {
            kind: ChangeKind::RoaGained,
            subject: new.app.name.clone(),
            name: new.app.name.clone(),
            description: "the app becomes eligible for Runs on Atlassian".to_owned(),
            data: Vec::new(),
            purposes: Vec::new(),
            locations: Vec::new(),
            realm: None,
            notified: None,
            objection_until: None,
            stored: Vec::new(),
            retained: None,
        }),
        (true, false) => changes.push(Change {
            kind: ChangeKind::RoaLost,
            subject: new.app.name.clone(),
            name: new.app.name.clone(),
            description: format!(
                "the app is no longer eligible for Runs on Atlassian: {}",
                new.runs_on_atlassian.summary()
            ),
            data: Vec::new(),
            purposes: Vec::new(),
            locations: Vec::new(),
            realm: None,
            notified: None,
            objection_until: None,
            stored: Vec::new(),
            retained: None,
        }),
        _ => {}
    }
}

/// Marks the changes that `notified:` records acknowledge (same kind and subject; a new
/// sub-processor's record also covers the transfers to it): from the day
/// the change takes effect as announced (the record's `effective`, else the notice date plus
/// `objection_days`) it no longer fails a gate; between the notice and that day customers may
/// still object, so it is marked as notified but pending. Returns the records that matched no
/// change.
pub fn acknowledge<'n>(
    diff: &mut Diff,
    notified: &'n [crate::waivers::Notified],
    today: crate::dates::Date,
    objection_days: u32,
) -> Vec<&'n crate::waivers::Notified> {
    let mut used = vec![false; notified.len()];
    // A notice of a new sub-processor announces the transfers to it as well (it lists each with
    // its safeguard): its record covers them. A changed basis for a recipient customers already
    // knew is a change of its own, with a record of its own.
    let new_recipients: BTreeSet<String> = diff
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::NewSubprocessor)
        .map(|c| c.subject.clone())
        .collect();
    for change in &mut diff.changes {
        let covers = |n: &crate::waivers::Notified| {
            n.subject == change.subject
                && (n.change == change.kind
                    || (n.change == ChangeKind::NewSubprocessor
                        && change.kind == ChangeKind::NewTransfer
                        && new_recipients.contains(&change.subject)))
        };
        if let Some((i, record)) = notified.iter().enumerate().find(|(_, n)| covers(n)) {
            used[i] = true;
            // A notice dated after today has not gone out yet: the change still counts.
            let Some(notice) = crate::dates::Date::parse(&record.notice).filter(|d| *d <= today) else {
                continue;
            };
            let effective = record
                .effective
                .as_deref()
                .and_then(crate::dates::Date::parse)
                .unwrap_or_else(|| notice.plus_days(i64::from(objection_days)));
            if effective <= today {
                change.notified = Some(record.notice.clone());
            } else {
                change.objection_until = Some(effective.to_string());
            }
        }
    }
    notified.iter().zip(used).filter(|(_, u)| !u).map(|(n, _)| n).collect()
}
