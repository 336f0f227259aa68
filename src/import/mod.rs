//! Turning real descriptors (Forge `manifest.yml`, Connect `atlassian-connect.json`) into models.
//!
//! A descriptor says what an app may do (scopes, egress, remotes, lifecycle hooks, modules) but
//! not where the vendor runs or whom it uses; an overlay in the model's own format adds those
//! facts, merged by id, so the import can be re-run whenever the descriptor changes.
//! Unknown keys and modules are warnings, never errors: descriptors grow every month.

mod builder;
pub mod connect;
pub mod forge;
pub mod gaps;
mod overlay;
pub mod scopes;
mod shape;
mod writer;

pub use builder::Builder;
pub use overlay::apply_overlay;
pub use writer::{to_yaml, write_checked};

use crate::diagnostic::Diagnostic;
use crate::model::Model;
use std::collections::BTreeMap;

/// What an import produced.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The model.
    pub model: Model,
    /// Where each element came from in the descriptor, keyed `section/id`.
    pub provenance: BTreeMap<String, String>,
    /// Things the importer did not understand or had to assume.
    pub warnings: Vec<String>,
    /// The descriptor's facts, as read (for review and tests).
    pub summary: Summary,
}

/// The data-flow facts of a descriptor, as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Egress hosts and addresses (Forge `permissions.external.*`, Connect `baseUrl` host), sorted.
    pub egress: Vec<String>,
    /// Forge remote keys (and the Connect remote of Connect-on-Forge), sorted.
    pub remotes: Vec<String>,
    /// Scopes as written, sorted.
    pub scopes: Vec<String>,
    /// Lifecycle hooks (Connect) or lifecycle triggers (Forge `avi:forge:*`), sorted.
    pub lifecycle: Vec<String>,
    /// Forge remotes that receive app system/user tokens and so call the product APIs
    /// themselves, each with the tokens it gets (`key (appSystemToken, appUserToken)`).
    pub product_tokens: Vec<String>,
    /// The Connect app key: a descriptor's `key`, or a Forge manifest's `app.connect.key`
    /// (Connect on Forge); an upgrade from Connect needs the two to match.
    pub connect_key: Option<String>,
    /// Hosts of absolute webhook URLs on another host than the app's (Connect): recipients
    /// of what the product sends there (atlassian.md I7).
    pub recipients: Vec<String>,
    /// The name the app got from the descriptor's file, when the descriptor names none (a
    /// Forge manifest never does: the name is set in the developer console): every report
    /// shows it until an overlay gives the real one.
    pub name_from_file: Option<String>,
}

/// Which descriptor format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A Forge `manifest.yml`.
    Forge,
    /// A Connect `atlassian-connect.json`.
    Connect,
}

/// Imports a descriptor from text; `name` is used in messages and as the app's fallback name.
pub fn import(
    kind: Kind,
    name: &str,
    text: &str,
    catalog: &crate::catalog::Catalog,
) -> Result<Imported, Vec<Diagnostic>> {
    match kind {
        Kind::Forge => forge::import(name, text, catalog),
        Kind::Connect => connect::import(name, text, catalog),
    }
}

/// The file name of the descriptor the user gave, for the model's description: the folders
/// above it are the user's machine, and the description reaches published reports.
pub(crate) fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// A readable app name from a file path: `…/my-app/manifest.yml` → `my-app`.
pub(crate) fn name_from_path(path: &str) -> String {
    let path = std::path::Path::new(path);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if matches!(stem.as_str(), "manifest" | "atlassian-connect")
        && let Some(parent) = path.parent().and_then(|p| p.file_name())
    {
        return parent.to_string_lossy().into_owned();
    }
    stem
}
