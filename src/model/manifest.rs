//! What a Forge manifest declares that Atlassian's own checks read: egress entries with their
//! category and `inScopeEUD`, remotes, web triggers, customer-managed egress, Connect modules
//! and storage. The importer fills it from `manifest.yml`; a hand-written model may give it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The manifest facts behind Runs on Atlassian (Atlassian's "Runs on Atlassian" page and
/// `forge eligibility`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestFacts {
    /// Every egress entry: `permissions.external.fetch.backend`/`client` and the content
    /// permissions (`images`, `media`, `scripts`, `styles`, `fonts`, `frames`, `navigation`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<EgressEntry>,
    /// `remotes` (Forge Remote).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remotes: Vec<RemoteEntry>,
    /// `modules.webtrigger`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webtriggers: Vec<WebtriggerEntry>,
    /// `permissions.external.configurable.enabled: true`: each customer's admin approves
    /// egress at run time (customer-managed egress).
    #[serde(default, skip_serializing_if = "is_false")]
    pub customer_managed_egress: bool,
    /// The manifest declares Connect modules (`connectModules`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub connect_modules: bool,
    /// Storage modules and whether they support data residency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<StorageEntry>,
}

impl ManifestFacts {
    /// Whether each installation's admin chooses destinations (configurable egress or a
    /// `configured` remote, atlassian.md I2).
    pub fn customer_managed(&self) -> bool {
        self.customer_managed_egress || self.remotes.iter().any(|r| r.configured)
    }
}

/// One egress permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EgressEntry {
    /// The address as declared (`api.example.com`, `*.example.com`, `https://x.example.com`).
    pub address: String,
    /// Which permission it is under.
    pub kind: EgressKind,
    /// The declared `category` (`analytics` is the only one Runs on Atlassian allows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The declared `inScopeEUD`; Forge treats an omitted value as `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_scope_eud: Option<bool>,
}

impl EgressEntry {
    /// Whether Atlassian counts it as analytics egress that carries no in-scope End-User Data.
    pub fn analytics_out_of_scope(&self) -> bool {
        matches!(self.kind, EgressKind::Backend | EgressKind::Client)
            && self.category.as_deref() == Some("analytics")
            && self.in_scope_eud == Some(false)
    }
}

/// The permission an egress entry is declared under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EgressKind {
    /// `fetch.backend`: calls from Forge functions.
    Backend,
    /// `fetch.client`: calls from the app's UI in the browser.
    Client,
    /// Content egress: `images`, `media`, `scripts`, `styles`, `fonts`, `frames`, `navigation`.
    Content,
}

/// One remote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteEntry {
    /// The remote's `key`.
    pub key: String,
    /// The host of its `baseUrl`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `configured`: the customer's admin sets the remote's URL per installation.
    #[serde(default, skip_serializing_if = "is_false")]
    pub configured: bool,
}

/// One web trigger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebtriggerEntry {
    /// The module key.
    pub key: String,
    /// Its `response.type`.
    pub response: WebtriggerResponse,
}

/// A web trigger's `response.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WebtriggerResponse {
    /// `static`: the only kind Runs on Atlassian allows.
    Static,
    /// `dynamic`.
    Dynamic,
    /// No `response.type` declared.
    Untyped,
}

/// One storage module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StorageEntry {
    /// The module or API (`kvs`, `custom-entities`, `sql`, …).
    pub module: String,
    /// Whether Atlassian documents data-residency support for it.
    pub residency: StorageResidency,
}

impl StorageEntry {
    /// The module's product name, for readers (`sql` → "Forge SQL").
    pub fn name(&self) -> String {
        match self.module.as_str() {
            "sql" => "Forge SQL".to_owned(),
            "kvs" => "the Forge Key-Value Store".to_owned(),
            "custom-entities" => "Forge custom entities".to_owned(),
            "object-store" => "the Forge Object Store".to_owned(),
            other => format!("Forge storage ({other})"),
        }
    }
}

/// Data-residency support of a storage module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StorageResidency {
    /// Pinned and migrated with the host product (Forge KVS, Custom Entity Store).
    Supported,
    /// Not documented (EAP/Preview storage such as Forge SQL at the time of writing): evidence
    /// required.
    Unknown,
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_false(value: &bool) -> bool {
    !*value
}
