//! Runs on Atlassian against Atlassian's own published examples (`tests/fixtures/roa/`): each
//! manifest gets Atlassian's verdict, and a refusal names Atlassian's rule.

use crate::root;
use trustflow::analysis::analyze_loaded;
use trustflow::catalog::Catalog;
use trustflow::facts::sections::roa_rules;
use trustflow::import::{self, Kind};

fn verdict(file: &str) -> trustflow::analysis::RunsOnAtlassian {
    let catalog = Catalog::builtin();
    let path = root().join("tests/fixtures/roa").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let imported = import::import(Kind::Forge, file, &text, &catalog).unwrap();
    let yaml = trustflow::import::to_yaml(&imported.model, &imported.provenance, "roa");
    let loaded = trustflow::load::load_model_str(file, &yaml, &catalog)
        .unwrap_or_else(|d| panic!("{file}: {}\n{yaml}", trustflow::diagnostic::render_all(&d)));
    analyze_loaded(&loaded, &catalog).runs_on_atlassian
}

fn refused_for(file: &str, rule: &str) {
    let roa = verdict(file);
    assert!(!roa.eligible, "{file}: Atlassian says not eligible");
    assert!(
        roa.reasons.iter().any(|r| r.starts_with(rule)),
        "{file}: the reason names Atlassian's rule `{rule}`: {:?}",
        roa.reasons
    );
}

#[test]
fn analytics_egress_declared_out_of_scope_is_eligible() {
    let roa = verdict("eligible-analytics-out-of-scope.yml");
    assert!(roa.eligible, "{:?}", roa.reasons);
}

#[test]
fn content_egress_is_non_analytics_egress() {
    refused_for("ineligible-content-egress.yml", roa_rules::NON_ANALYTICS);
    let roa = verdict("ineligible-content-egress.yml");
    assert!(
        roa.reasons
            .iter()
            .any(|r| r.contains("content egress") && r.ends_with("`*.atlassian.com`")),
        "images count even for Atlassian's own domain: {:?}",
        roa.reasons
    );
}

#[test]
fn analytics_egress_in_scope_or_omitted_is_not_eligible() {
    refused_for("ineligible-analytics-in-scope.yml", roa_rules::IN_SCOPE_ANALYTICS);
    refused_for("ineligible-analytics-omitted.yml", roa_rules::IN_SCOPE_ANALYTICS);
}

#[test]
fn any_remote_is_not_eligible() {
    refused_for("ineligible-remote.yml", roa_rules::REMOTES);
}

#[test]
fn only_static_web_triggers_are_eligible() {
    refused_for("ineligible-dynamic-webtrigger.yml", roa_rules::DYNAMIC_WEBTRIGGER);
    refused_for("ineligible-untyped-webtrigger.yml", roa_rules::DYNAMIC_WEBTRIGGER);
    let roa = verdict("eligible-static-webtrigger.yml");
    assert!(roa.eligible, "{:?}", roa.reasons);
}

#[test]
fn customer_managed_egress_is_not_eligible() {
    refused_for("ineligible-customer-managed.yml", roa_rules::CUSTOMER_MANAGED);
}

#[test]
fn storage_without_documented_residency_needs_evidence() {
    let roa = verdict("evidence-sql-storage.yml");
    assert!(roa.eligible, "{:?}", roa.reasons);
    assert!(
        roa.evidence_required.iter().any(|e| e.contains("Forge SQL")),
        "{:?}",
        roa.evidence_required
    );
}

#[test]
fn residency_on_storage_without_documented_support_says_evidence_required() {
    let catalog = Catalog::builtin();
    let file = "evidence-sql-storage.yml";
    let text = std::fs::read_to_string(root().join("tests/fixtures/roa").join(file)).unwrap();
    let mut imported = import::import(Kind::Forge, file, &text, &catalog).unwrap();
    imported.model.installations.push(trustflow::model::Installation {
        id: "site".to_owned(),
        realm: trustflow::model::Realm::Eu,
        established: Some("DE".to_owned()),
        ..Default::default()
    });
    let yaml = trustflow::import::to_yaml(&imported.model, &imported.provenance, "roa");
    let loaded = trustflow::load::load_model_str(file, &yaml, &catalog).unwrap();
    let analysis = analyze_loaded(&loaded, &catalog);
    let eu = &analysis.residency[0];
    assert!(eu.kept, "{eu:?}");
    assert!(
        eu.evidence_required.iter().any(|e| e.contains("Forge SQL")),
        "a conclusion resting on undocumented storage says so: {eu:?}"
    );
}
