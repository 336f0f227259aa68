//! The workload a simulation runs: how many installations, where, doing what, for how long.

use crate::diagnostic::Diagnostic;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A workload (YAML; see `docs/simulate.md` and `models/workload.yaml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// How many installations to simulate.
    pub installations: u32,
    /// Share of installations per data-residency realm (`eu: 0.5`); normalised.
    pub realms: BTreeMap<String, f64>,
    /// Share of installations using each product (`jira: 0.8`); flows from a product an
    /// installation does not use do not happen. Products not listed are used by all.
    #[serde(default)]
    pub products: BTreeMap<String, f64>,
    /// Share of installations that hold PHI (HIPAA).
    #[serde(default)]
    pub hipaa_share: f64,
    /// Simulated days.
    pub days: u32,
    /// Mean events per installation per day.
    pub per_installation_per_day: Rates,
    /// Share of installations that uninstall the app during the run.
    #[serde(default)]
    pub uninstall_share: f64,
    /// Share of installations whose site moves to another realm during the run.
    #[serde(default)]
    pub realm_migration_share: f64,
    /// Bytes of one record of one data category.
    #[serde(default = "default_bytes")]
    pub bytes_per_record: u64,
    /// Run the JWT attack experiments on every Connect installation.
    #[serde(default = "default_true")]
    pub attacks: bool,
    /// The random seed: the same seed gives the same ledger.
    #[serde(default)]
    pub seed: u64,
}

/// Mean events per installation per day.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rates {
    /// Pages and panels people open (Connect iframes, Forge UI invocations).
    #[serde(default)]
    pub page_views: f64,
    /// Product events that fire webhooks (Connect) or triggers (Forge).
    #[serde(default)]
    pub product_events: f64,
    /// Scheduled jobs.
    #[serde(default)]
    pub scheduled_jobs: f64,
    /// Admin configuration changes.
    #[serde(default)]
    pub admin_changes: f64,
}

fn default_bytes() -> u64 {
    2_048
}

fn default_true() -> bool {
    true
}

/// Reads and checks a workload file, every problem with its line and column.
pub fn parse(name: &str, text: &str) -> Result<Workload, Vec<Diagnostic>> {
    let (workload, source) = crate::load::parse_checked::<Workload>(name, text)?;
    let Some(workload) = workload else {
        return Err(vec![source.diagnostic(
            Diagnostic::error("missing-key", "the workload file is empty"),
            crate::load::node::Pos::default(),
        )]);
    };
    let mut diagnostics = Vec::new();
    let at = |key: &str| source.locate(&[crate::diagnostic::Seg::from(key)], true);
    for realm in workload.realms.keys() {
        if crate::model::Realm::parse(realm).is_none_or(|r| r.code() != realm) {
            diagnostics.push(source.diagnostic(
                Diagnostic::error("unknown-region", format!("`{realm}` is not a data-residency realm")),
                at("realms"),
            ));
        }
    }
    if workload.realms.values().sum::<f64>() <= 0.0 {
        diagnostics.push(source.diagnostic(
            Diagnostic::error("invalid-value", "realm shares must add up to more than 0"),
            at("realms"),
        ));
    }
    for (key, share) in [
        ("hipaa_share", workload.hipaa_share),
        ("uninstall_share", workload.uninstall_share),
        ("realm_migration_share", workload.realm_migration_share),
    ] {
        if !(0.0..=1.0).contains(&share) {
            diagnostics.push(source.diagnostic(
                Diagnostic::error("invalid-value", format!("`{key}` must be between 0 and 1")),
                at(key),
            ));
        }
    }
    if workload.installations == 0 || workload.days == 0 {
        diagnostics.push(source.diagnostic(
            Diagnostic::error(
                "invalid-value",
                "a workload needs at least one installation and one day",
            ),
            at("installations"),
        ));
    }
    if diagnostics.is_empty() {
        Ok(workload)
    } else {
        Err(diagnostics)
    }
}
