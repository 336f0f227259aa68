//! The plain-text rendering of an analysis, for terminals.

use crate::analysis::{Analysis, PortfolioRecipient};
use crate::facts::RoaVerdict;
use std::fmt::Write as _;

/// Each installation's approved destinations under customer-managed egress.
fn customer_managed_egress(egress: &crate::facts::sections::CustomerManagedEgress, out: &mut String) {
    let _ = writeln!(
        out,
        "\nCustomer-managed egress (each installation's admin approves destinations; {}):",
        egress.basis
    );
    let _ = writeln!(
        out,
        "  personal data the app's functions hold, which may be sent there: {}",
        if egress.data.is_empty() {
            "none".to_owned()
        } else {
            egress.data.join(", ")
        }
    );
    for installation in &egress.installations {
        let list = if !installation.recorded {
            "not recorded: its recipients are unknown (evidence required)".to_owned()
        } else if installation.destinations.is_empty() {
            "none approved".to_owned()
        } else {
            installation
                .destinations
                .iter()
                .map(|d| {
                    if d.identified {
                        format!("{} ({})", d.name, d.host)
                    } else {
                        d.name.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(out, "  {} ({}): {list}", installation.installation, installation.realm);
    }
    if egress.installations.is_empty() {
        let _ = writeln!(out, "  no installations in the model: nothing approved is recorded");
    }
    let _ = writeln!(out, "  {}", crate::facts::sections::CUSTOMER_MANAGED_ROLE);
}

/// The transfers table and the HIPAA chain.
fn transfers_and_hipaa(analysis: &Analysis, out: &mut String) {
    if let Some(atlassian) = &analysis.atlassian_as_customer_processor {
        let _ = writeln!(
            out,
            "\nAtlassian as the customer's processor (product data; not the vendor's sub-processor):\n  {}: {} — under {}",
            atlassian.products.join(", "),
            atlassian.data.join(", "),
            atlassian.basis
        );
    }
    if !analysis.customer_integrations.is_empty() {
        let _ = writeln!(
            out,
            "\nCustomer-enabled integrations (the customer's own accounts; not the vendor's sub-processors):"
        );
        for i in &analysis.customer_integrations {
            let _ = writeln!(
                out,
                "  {} ({}){}: {}",
                i.name,
                i.component,
                i.organisation
                    .as_deref()
                    .map(|o| format!(", run by {o}"))
                    .unwrap_or_default(),
                i.data.join(", ")
            );
        }
    }
    if let Some(egress) = &analysis.customer_managed_egress {
        customer_managed_egress(egress, out);
    }
    if !analysis.transfers.is_empty() {
        let _ = writeln!(
            out,
            "\nTransfers (realm: exporter → importer (where it processes the data, or its establishment when the regime binds it; every place it processes in, when more), regime: basis):"
        );
        // Every place each importer processes in, said beside the one its hop is assessed for.
        let places = crate::facts::sections::Places::of(&analysis.subprocessors);
        for (t, part) in analysis.transfers.iter().flat_map(|t| t.conclusions()) {
            let country = t.importer_country.as_deref().unwrap_or("?");
            let all = places.get(&t.importer, t.realm);
            let regime = match (t.regime, t.exporter_country.as_deref()) {
                (crate::analysis::Regime::None | crate::analysis::Regime::Unknown, None) => "regime unknown".to_owned(),
                (crate::analysis::Regime::None, Some(c)) => format!("no general transfer law ({c})"),
                (regime, _) => regime.code().to_owned(),
            };
            let _ = writeln!(
                out,
                "  {}{}: {} (established in {}) → {} ({}), {regime}: {}",
                t.realm,
                part.map(|p| format!(" [{}]", p.installations.join(", ")))
                    .unwrap_or_default(),
                t.exporter,
                t.exporter_country.as_deref().unwrap_or("?"),
                t.importer,
                place(country, all),
                t.label
            );
        }
    }
    residency(analysis, out);
    if analysis.hipaa.applies {
        let _ = writeln!(out, "\nHIPAA chain (PHI: {}):", analysis.hipaa.phi.join(", "));
        for link in &analysis.hipaa.chain {
            let baa = &link.baa_label;
            let _ = writeln!(
                out,
                "  {:<22} {:<29} {baa} (with {})",
                link.name,
                link.relationship.name(),
                link.baa_with
            );
        }
        for integration in analysis.customer_integrations.iter().filter(|i| !i.phi.is_empty()) {
            let _ = writeln!(
                out,
                "  PHI also goes to the customer's own {} ({}): the customer's own BAA with its provider is needed (not assessed)",
                integration.name, integration.component
            );
        }
    }
}

/// Where each realm's in-scope data rests, with what that conclusion rests on that the model
/// cannot show.
fn residency(analysis: &Analysis, out: &mut String) {
    if analysis.residency.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nResidency of in-scope data at rest (per realm):");
    // The realms TF-RES-001 names, and whether TF-RES-004 (which names no realm: a place
    // nobody gave) fired, found in one pass over the findings.
    let mut outside = std::collections::BTreeSet::new();
    let mut place_unknown = false;
    for finding in &analysis.findings {
        match (finding.rule, finding.realm) {
            (crate::finding::RuleCode::Res001, Some(realm)) => {
                outside.insert(realm.code());
            }
            (crate::finding::RuleCode::Res004, _) => place_unknown = true,
            _ => {}
        }
    }
    for realm in &analysis.residency {
        let installations = match realm.installations.len() {
            1 => "1 installation".to_owned(),
            n => format!("{n} installations"),
        };
        let verdict = match (realm.kept, realm.evidence_required.is_empty()) {
            (true, true) => "stays in the realm",
            (true, false) => "not confirmed to stay in the realm (evidence required):",
            (false, _) => match (outside.contains(realm.realm.as_str()), place_unknown) {
                (true, false) => "leaves the realm (TF-RES-001 below names each store outside it)",
                (true, true) => {
                    "leaves the realm (TF-RES-001 below names each store outside it, TF-RES-004 each store whose place is not known)"
                }
                (false, true) => {
                    "not confirmed to stay in the realm: where some of it rests is not known (TF-RES-004 below)"
                }
                (false, false) => "does not stay in the realm",
            },
        };
        let _ = writeln!(out, "  {} ({installations}): {verdict}", realm.realm);
        for item in &realm.evidence_required {
            let _ = writeln!(out, "      {item}");
        }
    }
}

/// What "no installations" means for `what` (this annex, this report), and how to fix it: said
/// at the top of every artifact of a model without installations.
pub fn no_installations(what: &str) -> String {
    format!(
        "The model has no installations, so no realm is analysed: where data is processed and the transfer basis are not assessed in this {what}. For the vendor: add the customers' installations (realm, establishment, products and plan) to the model's installations list or its import overlay."
    )
}

/// Where a hop goes: the place its basis is assessed for and, when the recipient processes in
/// or reaches the data from more places (`places`, as the inventory lists them), all of them:
/// one country alone would read as the only destination.
pub fn place(country: &str, places: &[String]) -> String {
    if places.iter().any(|p| p != country) {
        format!("{country}; processes in {}", places.join(", "))
    } else {
        country.to_owned()
    }
}

/// A terminal summary of one analysis.
pub fn analysis_text(analysis: &Analysis) -> String {
    let mut out = String::new();
    let app = &analysis.app;
    if app.realms.is_empty() {
        let _ = writeln!(out, "{} ({})\n{}", app.name, app.platform, no_installations("summary"));
    } else {
        let _ = writeln!(
            out,
            "{} ({}), realms: {}",
            app.name,
            app.platform,
            app.realms.join(", ")
        );
    }
    let roa = &analysis.runs_on_atlassian;
    let _ = writeln!(
        out,
        "Runs on Atlassian: {}",
        match roa.verdict {
            RoaVerdict::Eligible => "eligible".to_owned(),
            RoaVerdict::NotConfirmed =>
                "not confirmed (no reason for ineligibility found; evidence required):".to_owned(),
            RoaVerdict::NotEligible => format!("not eligible ({})", roa.summary()),
        }
    );
    for item in &roa.evidence_required {
        let _ = writeln!(out, "  {item}");
    }
    let _ = writeln!(out, "\nRecipients of personal data (GDPR Art. 28/30):");
    if analysis.subprocessors.is_empty() {
        let _ = writeln!(out, "  none outside the customer");
    }
    if analysis.subprocessors.iter().any(|s| s.data.iter().any(|d| d.assumed)) {
        let _ = writeln!(
            out,
            "  (unconfirmed: listed per the app's permissions, which the vendor has not confirmed; evidence required)"
        );
    }
    for row in analysis.subprocessors.iter() {
        let data: Vec<String> = row
            .data
            .iter()
            .map(|d| match (d.at_rest, d.assumed) {
                (false, false) => d.id.clone(),
                (true, false) => format!("{} (at rest)", d.id),
                (false, true) => format!("{} (unconfirmed)", d.id),
                (true, true) => format!("{} (at rest, unconfirmed)", d.id),
            })
            .collect();
        let _ = writeln!(
            out,
            "  {:<22} {:<13} {:<3} {}",
            row.name,
            row.role,
            row.country.as_deref().unwrap_or("?"),
            data.join(", ")
        );
        for (realm, mechanism) in &row.transfer_mechanism {
            let _ = writeln!(
                out,
                "      {realm}: in {} — {}",
                row.locations.get(realm).map(|l| l.join(", ")).unwrap_or_default(),
                mechanism.label
            );
        }
    }
    transfers_and_hipaa(analysis, &mut out);
    let counts = &analysis.finding_counts;
    let _ = writeln!(
        out,
        "\nFindings: {} high, {} medium, {} low, {} info ({} need evidence{})",
        counts.high,
        counts.medium,
        counts.low,
        counts.info,
        counts.evidence_required,
        if counts.waived > 0 {
            format!(", {} waived", counts.waived)
        } else {
            String::new()
        }
    );
    for finding in &analysis.findings {
        let realm = finding.realm.map(|r| format!(" [{r}]")).unwrap_or_default();
        let evidence = if finding.evidence_required {
            " (evidence required)"
        } else {
            ""
        };
        let waiver = finding
            .waiver
            .as_ref()
            .map(|w| {
                let status = if finding.is_waived() {
                    "waived"
                } else {
                    "waiver expired"
                };
                format!(" ({status} until {}: {})", w.expires, w.reason)
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<12} {:<6} {}{realm}{evidence}{waiver}",
            finding.rule,
            finding.severity.as_str(),
            finding.message
        );
        if finding.path.len() > 1 {
            let _ = writeln!(out, "  {:<12} {:<6} path: {}", "", "", finding.path.join(" → "));
        }
        // The legal source of every line, as a reader of this text alone needs it.
        if !finding.references.is_empty() {
            let _ = writeln!(out, "  {:<12} {:<6} sources: {}", "", "", finding.references.join("; "));
        }
    }
    out.push('\n');
    out
}

/// A terminal summary of the recipients across several apps.
pub fn portfolio_text(recipients: &[PortfolioRecipient]) -> String {
    let mut out = String::from("Recipients across all apps:\n");
    for recipient in recipients {
        let apps: Vec<String> = recipient
            .apps
            .iter()
            .map(|(app, data)| format!("{app} ({})", data.join(", ")))
            .collect();
        let _ = writeln!(
            out,
            "  {:<32} {:<3} {}",
            recipient.recipient,
            recipient.country.as_deref().unwrap_or("?"),
            apps.join("; ")
        );
    }
    out
}

/// `text` safe to print on a terminal: control characters other than newline and tab, C1
/// controls and bidirectional overrides (which can rewrite or hide what a terminal shows)
/// are written as `\u{…}` escapes, so a hostile id prints as text, never as a command.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let hostile = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    };
    if !text.chars().any(hostile) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hostile(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The text of an upgrade check: what needs each customer's admin approval, then what changes
/// in the customer's DPA.
pub fn upgrade_check(check: &crate::upgrade::UpgradeCheck) -> String {
    let mut out = String::new();
    let direction = match check.direction {
        crate::upgrade::Direction::ConnectToForge => "Connect → Forge",
        crate::upgrade::Direction::ForgeToForge => "Forge → Forge",
        crate::upgrade::Direction::Other => "descriptor → descriptor",
    };
    let _ = writeln!(out, "Upgrade {} → {} ({direction})", check.old_app, check.new_app);
    if check.admin_approval.is_empty() {
        let _ = writeln!(out, "\nNeeds each customer's admin approval: nothing found");
    } else {
        let _ = writeln!(
            out,
            "\nNeeds each customer's admin approval ({}):",
            check.admin_approval.len()
        );
        for approval in &check.admin_approval {
            let _ = writeln!(
                out,
                "  {:<13} {}: {}",
                approval.kind.as_str(),
                approval.subject,
                approval.why
            );
        }
        let sources: std::collections::BTreeSet<&str> = check.admin_approval.iter().map(|a| a.source).collect();
        for source in sources {
            let _ = writeln!(out, "  rule: {source}");
        }
    }
    if !check.dropped.is_empty() {
        let _ = writeln!(out, "\nDropped (no approval needed): {}", check.dropped.join(", "));
    }
    let _ = writeln!(out, "\nChanges in the customer's DPA:");
    if check.dpa.changes.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for change in &check.dpa.changes {
        let _ = writeln!(out, "  {:<21} {}", change.kind.as_str(), change.description);
    }
    let verdict = |eligible: bool| if eligible { "eligible" } else { "not eligible" };
    let _ = writeln!(
        out,
        "  Runs on Atlassian: {} → {}",
        verdict(check.runs_on_atlassian.0),
        verdict(check.runs_on_atlassian.1)
    );
    if !check.realms_newly_pinned.is_empty() {
        let _ = writeln!(
            out,
            "  realms whose in-scope data at rest now stays in the realm: {}",
            check.realms_newly_pinned.join(", ")
        );
    }
    if !check.notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for note in &check.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    out
}

#[cfg(test)]
mod terminal_tests {
    use super::terminal_safe;

    #[test]
    fn escape_sequences_and_bidi_overrides_print_as_text() {
        assert_eq!(terminal_safe("plain\nline\ttab"), "plain\nline\ttab");
        assert_eq!(terminal_safe("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(terminal_safe("x\u{7}\u{9b}y"), "x\\u{7}\\u{9b}y");
        assert_eq!(terminal_safe("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
    }
}
