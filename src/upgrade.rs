//! `upgrade-check`: what an upgrade from one descriptor to another asks of each customer.
//!
//! Two sides, as a customer's admin and a customer's lawyer see them: the changes that need
//! the admin's approval before the new version runs (Atlassian's own rules, as its
//! `connect-to-forge check-upgrade` and `adoption-status` tools apply them: atlassian.md A9,
//! B4, I5), and what changes in the customer's DPA (recipients, data, transfers, residency,
//! Runs on Atlassian), from the analyses of the two imported models.

use crate::analysis::Analysis;
use crate::diff::{ChangeKind, Diff, diff};
use crate::host::host_of;
use crate::import::{Imported, Summary};
use crate::model::{ManifestFacts, Platform};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeSet;

/// Why a change needs an admin's approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalKind {
    /// A scope the old version did not have.
    NewScope,
    /// An egress address the old version did not reach.
    NewEgress,
    /// A remote the old version did not have.
    NewRemote,
    /// A remote's `baseUrl` moved to another host.
    RemoteMoved,
    /// The `sql` module (Forge SQL) is added: a major version.
    SqlModule,
}

impl ApprovalKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalKind::NewScope => "new-scope",
            ApprovalKind::NewEgress => "new-egress",
            ApprovalKind::NewRemote => "new-remote",
            ApprovalKind::RemoteMoved => "remote-moved",
            ApprovalKind::SqlModule => "sql-module",
        }
    }
}

/// One change that needs each customer's admin to approve the new version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Approval {
    /// What kind.
    pub kind: ApprovalKind,
    /// The scope, address, remote or module.
    pub subject: String,
    /// Why it needs approval.
    pub why: String,
    /// Atlassian's rule it follows.
    pub source: &'static str,
}

/// Which way the upgrade goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// A Connect descriptor to a Forge manifest (Connect on Forge).
    ConnectToForge,
    /// One Forge manifest to another.
    ForgeToForge,
    /// Anything else (compared as descriptors; the approval rules are Forge's).
    Other,
}

/// The upgrade check of two descriptors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct UpgradeCheck {
    /// Which way.
    pub direction: Direction,
    /// The old app's name.
    pub old_app: String,
    /// The new app's name.
    pub new_app: String,
    /// Changes that need each customer's admin approval, sorted.
    pub admin_approval: Vec<Approval>,
    /// What the old version had that the new one drops (no approval needed, but the customer
    /// may want to know).
    pub dropped: Vec<String>,
    /// What changes in the customer's DPA: recipients, their data and locations, transfers and
    /// Runs on Atlassian (the findings' own changes are `diff`'s business).
    pub dpa: Diff,
    /// Runs on Atlassian before and after.
    pub runs_on_atlassian: (bool, bool),
    /// Realms whose in-scope data at rest newly stays in the realm.
    pub realms_newly_pinned: Vec<String>,
    /// What the check assumes or cannot tell.
    pub notes: Vec<String>,
}

/// A descriptor that cannot be upgraded to the other (Atlassian's `check-upgrade` exits 2
/// on these too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMismatch(pub String);

/// Atlassian's rule for scope, egress and remote changes (atlassian.md A9, B4, I5).
pub const VERSIONING: &str = "Forge versioning: a new scope, new egress, a new remote or a remote moved to another URL is a major version that each site's admin approves (removals are minor) (developer.atlassian.com/platform/adopting-forge-from-connect/versioning-in-connect-vs-forge)";
/// Atlassian's rule for the `sql` module (atlassian.md I5).
pub const SQL: &str = "Forge versioning: adding the `sql` module is a major version that each site's admin approves (developer.atlassian.com/platform/adopting-forge-from-connect/migration-permission-tool)";

/// The Connect scopes of a Connect descriptor as the Forge manifest names them
/// (`read:connect-jira`: Atlassian's converter; atlassian.md A9, unverified as an official
/// rule, said in the notes).
fn connect_scopes_on_forge(summary: &Summary, products: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for scope in &summary.scopes {
        let lower = scope.to_ascii_lowercase().replace('_', "-");
        for product in products {
            out.insert(format!("{lower}:connect-{product}"));
        }
    }
    out
}

fn products(imported: &Imported) -> Vec<String> {
    imported
        .model
        .components
        .iter()
        .filter(|c| c.kind == crate::model::ComponentKind::AtlassianProduct)
        .map(|c| c.id.clone())
        .collect()
}

/// The hosts of some addresses (egress entries, base URLs), without empties.
fn hosts<'a>(addresses: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    addresses.into_iter().map(host_of).filter(|h| !h.is_empty()).collect()
}

fn manifest(imported: &Imported) -> std::borrow::Cow<'_, ManifestFacts> {
    // A descriptor without a manifest block (Connect) declares nothing: no copy is made otherwise.
    imported.model.manifest.as_ref().map_or_else(
        || std::borrow::Cow::Owned(ManifestFacts::default()),
        std::borrow::Cow::Borrowed,
    )
}

/// A Connect-to-Forge upgrade keeps the app: the manifest's `app.connect.key` must be the
/// descriptor's `key` (Atlassian's `check-upgrade` exits 2 otherwise).
fn check_key(old: &Imported, new: &Imported, notes: &mut Vec<String>) -> Result<(), KeyMismatch> {
    match (&old.summary.connect_key, &new.summary.connect_key) {
        (Some(a), Some(b)) if a == b => Ok(()),
        (Some(a), Some(b)) => Err(KeyMismatch(format!(
            "the manifest's app.connect.key `{b}` is not the descriptor's key `{a}`: Forge would install it as another app"
        ))),
        (Some(a), None) => Err(KeyMismatch(format!(
            "the manifest has no app.connect.key: set it to the descriptor's key `{a}` to upgrade the Connect app in place"
        ))),
        (None, _) => {
            notes.push("the Connect descriptor has no `key`: the app key is not checked".to_owned());
            Ok(())
        }
    }
}

/// New egress and remotes (and what is dropped). From Connect, the Connect baseUrl served as a
/// remote (the manifest's `app.connect.remote`) is the allowance; anything else is new.
fn destinations(
    old: &Imported,
    new: &Imported,
    direction: Direction,
    approvals: &mut BTreeSet<Approval>,
    dropped: &mut BTreeSet<String>,
    notes: &mut Vec<String>,
) {
    // Egress and remotes. From Connect, the Connect baseUrl served as a remote is the
    // allowance (the manifest's `app.connect.remote`); anything else is new.
    let old_manifest = manifest(old);
    let new_manifest = manifest(new);
    let mut reached = hosts(old.summary.egress.iter().map(String::as_str));
    for remote in &old_manifest.remotes {
        reached.extend(remote.host.iter().cloned());
    }
    let egress_hosts = |m: &ManifestFacts| hosts(m.egress.iter().map(|e| e.address.as_str()));
    let new_egress = egress_hosts(&new_manifest);
    for host in new_egress.difference(&reached) {
        approvals.insert(Approval {
            kind: ApprovalKind::NewEgress,
            subject: host.clone(),
            why: "an egress address the old version did not reach".to_owned(),
            source: VERSIONING,
        });
    }
    if direction == Direction::ForgeToForge {
        for host in egress_hosts(&old_manifest).difference(&new_egress) {
            dropped.insert(format!("egress `{host}`"));
        }
    }
    for remote in &new_manifest.remotes {
        let before = old_manifest.remotes.iter().find(|r| r.key == remote.key);
        match before {
            Some(before) if before.host != remote.host => {
                approvals.insert(Approval {
                    kind: ApprovalKind::RemoteMoved,
                    subject: format!(
                        "{} ({} → {})",
                        remote.key,
                        before.host.as_deref().unwrap_or("no baseUrl"),
                        remote.host.as_deref().unwrap_or("no baseUrl")
                    ),
                    why: "the remote's baseUrl moves to another host".to_owned(),
                    source: VERSIONING,
                });
            }
            Some(_) => {}
            None if direction == Direction::ConnectToForge
                && remote.host.as_ref().is_some_and(|h| reached.contains(h)) =>
            {
                notes.push(format!(
                    "remote `{}` serves the Connect baseUrl ({}): the Connect-to-Forge allowance, no approval",
                    remote.key,
                    remote.host.as_deref().unwrap_or_default()
                ));
            }
            None => {
                approvals.insert(Approval {
                    kind: ApprovalKind::NewRemote,
                    subject: format!("{} ({})", remote.key, remote.host.as_deref().unwrap_or("no baseUrl")),
                    why: "a remote the old version did not have".to_owned(),
                    source: VERSIONING,
                });
            }
        }
    }
    for remote in old_manifest
        .remotes
        .iter()
        .filter(|r| !new_manifest.remotes.iter().any(|n| n.key == r.key))
    {
        dropped.insert(format!("remote `{}`", remote.key));
    }
}

/// Checks an upgrade from `old` to `new` (both imported, then analysed).
///
/// # Errors
/// A Connect-to-Forge upgrade whose manifest lacks `app.connect.key` or names another key.
pub fn check(
    old: &Imported,
    new: &Imported,
    old_analysis: &Analysis,
    new_analysis: &Analysis,
) -> Result<UpgradeCheck, KeyMismatch> {
    let direction = match (old.model.app.platform, new.model.app.platform) {
        (Platform::Connect, Platform::Forge | Platform::Hybrid) => Direction::ConnectToForge,
        (Platform::Forge | Platform::Hybrid, Platform::Forge | Platform::Hybrid) => Direction::ForgeToForge,
        _ => Direction::Other,
    };
    let mut notes = Vec::new();
    if direction == Direction::ConnectToForge {
        check_key(old, new, &mut notes)?;
    }
    let mut approvals = BTreeSet::new();
    let mut dropped = BTreeSet::new();

    // Scopes. Connect scopes carried over as `<scope>:connect-<product>` are not new.
    let mut granted: BTreeSet<String> = old.summary.scopes.iter().map(|s| s.to_ascii_lowercase()).collect();
    if direction == Direction::ConnectToForge {
        granted.extend(connect_scopes_on_forge(&old.summary, &products(old)));
        notes.push(
            "Connect scopes are taken as carried over in their Connect-on-Forge form (`read:connect-jira`, `act-as-user:connect-confluence`), the form Atlassian's converter writes".to_owned(),
        );
    }
    let new_scopes: BTreeSet<String> = new.summary.scopes.iter().map(|s| s.to_ascii_lowercase()).collect();
    for scope in new_scopes.difference(&granted) {
        approvals.insert(Approval {
            kind: ApprovalKind::NewScope,
            subject: scope.clone(),
            why: "a scope the old version did not have".to_owned(),
            source: VERSIONING,
        });
    }
    if direction == Direction::ForgeToForge {
        for scope in granted.difference(&new_scopes) {
            dropped.insert(format!("scope `{scope}`"));
        }
    }

    destinations(old, new, direction, &mut approvals, &mut dropped, &mut notes);
    let has_sql = |m: &ManifestFacts| m.storage.iter().any(|s| s.module == "sql");
    if has_sql(&manifest(new)) && !has_sql(&manifest(old)) {
        approvals.insert(Approval {
            kind: ApprovalKind::SqlModule,
            subject: "sql".to_owned(),
            why: "the `sql` module (Forge SQL) is added".to_owned(),
            source: SQL,
        });
    }

    let realms_newly_pinned = new_analysis
        .residency
        .iter()
        .filter(|r| r.kept && r.evidence_required.is_empty())
        .filter(|r| {
            !old_analysis
                .residency
                .iter()
                .any(|o| o.realm == r.realm && o.kept && o.evidence_required.is_empty())
        })
        .map(|r| r.realm.clone())
        .collect();
    if old_analysis.residency.is_empty() && new_analysis.residency.is_empty() {
        notes.push(
            "no installations in either model: residency and transfers are not compared (add `installations` with an overlay)".to_owned(),
        );
    }
    notes.push(
        "not checked here: licensing, user-access mode, auth providers and `permissions.content` (CSP) changes, which Atlassian's check-upgrade also reviews".to_owned(),
    );
    Ok(UpgradeCheck {
        direction,
        old_app: old.model.app.name.clone(),
        new_app: new.model.app.name.clone(),
        admin_approval: approvals.into_iter().collect(),
        dropped: dropped.into_iter().collect(),
        dpa: {
            let mut dpa = diff(old_analysis, new_analysis);
            dpa.changes
                .retain(|c| !matches!(c.kind, ChangeKind::NewFinding | ChangeKind::ResolvedFinding));
            dpa
        },
        runs_on_atlassian: (
            old_analysis.runs_on_atlassian.eligible,
            new_analysis.runs_on_atlassian.eligible,
        ),
        realms_newly_pinned,
        notes,
    })
}
