//! Recipients merged across the apps of a portfolio.

use serde::Serialize;
use std::collections::BTreeMap;

/// One recipient across a portfolio of apps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PortfolioRecipient {
    /// Legal entity, or name when the entity is unknown (the key that merges across apps).
    pub recipient: String,
    /// Country of the legal entity.
    pub country: Option<String>,
    /// App name → data categories it sends this recipient.
    pub apps: BTreeMap<String, Vec<String>>,
}

/// Merges the inventories of several apps by recipient.
pub fn portfolio(analyses: &[super::Analysis]) -> Vec<PortfolioRecipient> {
    let mut merged: BTreeMap<String, PortfolioRecipient> = BTreeMap::new();
    for analysis in analyses {
        for row in analysis.subprocessors.iter() {
            let key = row.legal_entity.clone().unwrap_or_else(|| row.name.clone());
            let entry = merged.entry(key.clone()).or_insert_with(|| PortfolioRecipient {
                recipient: key,
                country: row.country.clone(),
                apps: BTreeMap::new(),
            });
            let data = entry.apps.entry(analysis.app.name.clone()).or_default();
            data.extend(row.data.iter().map(|d| d.id.clone()));
            data.sort();
            data.dedup();
        }
    }
    merged.into_values().collect()
}
