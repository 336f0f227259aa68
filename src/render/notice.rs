//! The context of a change notice (GDPR Art. 28(2)): each change in the customer's words, with
//! who the recipient is, which of its data is special-category or PHI, and the safeguard each
//! transfer rests on, for the `notice.md` and `notice.html` templates.

use crate::analysis::Analysis;
use crate::dates::Date;
use crate::load::LoadedModel;

/// How a notice is dated.
#[derive(Clone, Copy, Debug)]
pub struct Dates {
    /// The notice date.
    pub notice: Date,
    /// When the changes take effect.
    pub effective: Date,
    /// Whether the user stated the effective date (else it is the notice date plus the window).
    pub effective_stated: bool,
    /// The objection window in days.
    pub objection_days: u32,
}

/// The template context of a notice from the `[old, new]` versions, their analyses and the
/// changes between them.
pub fn context(
    [old, new]: [&LoadedModel; 2],
    analyses: &[Analysis; 2],
    changes: &crate::diff::Diff,
    dates: &Dates,
) -> Result<serde_json::Value, serde_json::Error> {
    let vendor_org = new.model.organisations.iter().find(|o| o.id == new.model.app.vendor);
    let vendor = analyses[1]
        .subprocessors
        .iter()
        .find(|s| s.role == crate::analysis::GdprRole::Processor)
        .map_or_else(
            || new.model.app.vendor.clone(),
            |s| s.legal_entity.clone().unwrap_or_else(|| s.name.clone()),
        );
    // Data by name, and which data is special-category or PHI, from either version.
    let mut data_names = serde_json::Map::new();
    let mut special = Vec::new();
    // Personal data whose model does not say whether it is special-category data: never "no".
    let mut unstated = Vec::new();
    for model in [&old.model, &new.model] {
        for d in &model.data {
            data_names.insert(
                d.id.clone(),
                serde_json::Value::from(d.name.clone().unwrap_or_else(|| d.id.clone())),
            );
            if d.special_category().is_some() && !special.contains(&d.id) {
                special.push(d.id.clone());
            }
            if d.is_personal() && !d.special_stated() && !unstated.contains(&d.id) {
                unstated.push(d.id.clone());
            }
        }
    }
    // Who each recipient is: its legal entity and where it is established.
    let entities: std::collections::BTreeMap<&str, String> = analyses
        .iter()
        .flat_map(|a| a.subprocessors.iter())
        .map(|s| (s.organisation.as_str(), s.entity()))
        .collect();
    // PHI as the analysis derived it (data made from PHI stays PHI unless de-identified).
    for phi in analyses.iter().flat_map(|a| &a.hipaa.phi) {
        if !special.contains(phi) {
            special.push(phi.clone());
        }
    }
    // Each transfer's recorded safeguard in a customer's words (never the tool's evidence notes).
    // And who sends the data: the customer itself, or the vendor (or another processor) onward.
    let mut safeguards = serde_json::Map::new();
    let mut senders = serde_json::Map::new();
    let named: std::collections::BTreeMap<&str, &str> = analyses[1]
        .subprocessors
        .iter()
        .map(|s| (s.organisation.as_str(), s.legal_entity.as_deref().unwrap_or(&s.name)))
        .collect();
    for row in analyses[1].subprocessors.iter() {
        for (realm, transfer) in &row.transfer_mechanism {
            let key = format!("{}|{realm}", row.organisation);
            safeguards.insert(
                key.clone(),
                serde_json::Value::from(super::exports::safeguard(transfer)),
            );
            let sender = if transfer.exporter == "customer" {
                "you (the customer)"
            } else {
                named
                    .get(transfer.exporter.as_str())
                    .copied()
                    .unwrap_or(&transfer.exporter)
            };
            senders.insert(key, serde_json::Value::from(sender));
        }
    }
    // Each change with the special-category or PHI data among its data.
    let mut diff = serde_json::to_value(changes)?;
    for change in diff["changes"].as_array_mut().into_iter().flatten() {
        let sensitive: Vec<serde_json::Value> = change["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d.as_str().is_some_and(|d| special.iter().any(|s| s == d)))
            .cloned()
            .collect();
        let not_stated: Vec<serde_json::Value> = change["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| {
                d.as_str()
                    .is_some_and(|d| unstated.iter().any(|s| s == d) && !special.iter().any(|s| s == d))
            })
            .cloned()
            .collect();
        change["special"] = serde_json::Value::from(sensitive);
        change["special_not_stated"] = serde_json::Value::from(not_stated);
        if let Some(entity) = change["subject"].as_str().and_then(|s| entities.get(s)) {
            change["entity"] = serde_json::Value::from(entity.as_str());
        }
        // A location that rests on storage without documented residency is not settled.
        let components = change["subject"]
            .as_str()
            .and_then(|s| analyses[1].subprocessors.iter().find(|row| row.organisation == s))
            .map(|row| row.components.as_slice())
            .unwrap_or_default();
        if let Some(locations) = change["locations"].as_array_mut() {
            for module in super::exports::undocumented_residency(&new.model, &new.graph, components) {
                locations.push(serde_json::Value::from(format!(
                    "{module}: Atlassian does not document where it keeps data"
                )));
            }
        }
        // The vendor itself is the customer's processor, never one of its own sub-processors.
        change["vendor"] = serde_json::Value::from(change["subject"].as_str() == Some(new.model.app.vendor.as_str()));
    }
    let context = serde_json::json!({
        // Customers know the app by the name they installed: the old version's.
        "app": old.model.app.name,
        "vendor": vendor,
        "contact": vendor_org.and_then(|o| o.contact.clone()),
        "diff": diff,
        "objection_days": dates.objection_days,
        "notice_date": dates.notice.to_string(),
        "effective_date": dates.effective.to_string(),
        "effective_stated": dates.effective_stated,
        "data_names": data_names,
        "special": special,
        "safeguards": safeguards,
        "senders": senders,
    });
    Ok(context)
}
