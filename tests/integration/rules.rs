//! Every rule shown firing and not firing, on small models that differ in one fact.
//! Two base models: a clean Connect app and a clean Forge app; each case edits one of them.

use trustflow::analysis::analyze;
use trustflow::catalog::Catalog;
use trustflow::load::load_model_str;
use trustflow::rules::RULES;

const CONNECT: &str = r#"trustflow: 1
app: { name: T, platform: connect, vendor: v }
organisations:
  - { id: customer, name: C, role: customer }
  - { id: v, name: V, legal_entity: V GmbH, country: DE, dpa: "https://v.example/dpa", hipaa_baa: true }
  - { id: aws, catalog: aws, dpa: "https://aws.example/dpa", sccs: true }
  - { id: llm, catalog: openai, dpa: "https://openai.example/dpa", sccs: true, hipaa_baa: true }
data:
  - { id: content, personal: true }
  - { id: secret, credential: true }
components:
  - { id: jira, kind: atlassian-product, region: tenant }
  - { id: server, kind: service, operator: v, hosted_by: aws, region: "aws:eu-central-1", verifies_jwt: true, validates_qsh: true }
  - { id: db, kind: datastore, operator: v, hosted_by: aws, region: "aws:eu-central-1", stores: [content], keyed_by_tenant: true, purge_on_uninstall: true }
  - { id: ai, kind: external-service, operator: llm, region: US }
flows:
  - { from: jira, to: server, trigger: webhook, auth: jwt-hs256, data: [content], purpose: Sync }
  - { from: server, to: db, trigger: storage, data: [content], purpose: Keep }
  - { from: server, to: ai, trigger: rest, auth: api-key, host: api.openai.com, data: [content], purpose: Summarise }
installations:
  - { id: eu, realm: eu, plan: standard }
"#;

const FORGE: &str = r#"trustflow: 1
app: { name: F, platform: forge, vendor: v }
organisations:
  - { id: v, name: V, country: DE, dpa: "https://v.example/dpa", hipaa_baa: true }
  - { id: atlassian, catalog: atlassian }
data:
  - { id: content, personal: true }
components:
  - { id: jira, kind: atlassian-product }
  - { id: fn, kind: forge-function }
  - { id: kvs, kind: forge-storage, stores: [content] }
flows:
  - { from: jira, to: fn, trigger: event, data: [content], purpose: Sync }
  - { from: fn, to: kvs, trigger: storage, data: [content], purpose: Keep }
installations:
  - { id: eu, realm: eu, plan: standard }
"#;

const SECRET_FLOWS: &str = "  - { from: jira, to: server, trigger: lifecycle-installed, auth: jwt-rs256, data: [secret], purpose: Install }\n  - { from: server, to: db, trigger: storage, data: [secret], purpose: Keep the secret }\ninstallations:";

fn edit(base: &str, edits: &[(&str, &str)]) -> String {
    let mut text = base.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "edit target {from:?} not in base");
        text = text.replacen(from, to, 1);
    }
    text
}

/// (rule, model where it fires, model where it does not).
fn cases() -> Vec<(&'static str, String, String)> {
    let phi = (
        "{ id: content, personal: true }",
        "{ id: content, personal: true, phi: true }",
    );
    let hipaa_install = ("plan: standard }", "plan: standard, hipaa: true }");
    vec![
        (
            "TF-GDPR-001",
            edit(CONNECT, &[("dpa: \"https://openai.example/dpa\", ", "")]),
            CONNECT.into(),
        ),
        (
            "TF-GDPR-002",
            edit(CONNECT, &[(", purpose: Summarise", "")]),
            CONNECT.into(),
        ),
        (
            "TF-HIPAA-001",
            edit(
                CONNECT,
                &[phi, ("sccs: true, hipaa_baa: true }", "sccs: true, hipaa_baa: false }")],
            ),
            edit(CONNECT, &[phi]),
        ),
        ("TF-HIPAA-002", edit(FORGE, &[phi]), FORGE.into()),
        (
            "TF-HIPAA-003",
            edit(FORGE, &[phi, ("plan: standard }", "plan: free, hipaa: true }")]),
            edit(FORGE, &[phi, hipaa_install]),
        ),
        (
            "TF-PLAT-001",
            edit(
                CONNECT,
                &[
                    ("installations:", SECRET_FLOWS),
                    ("stores: [content]", "stores: [content, secret]"),
                ],
            ),
            CONNECT.into(),
        ),
        (
            "TF-PLAT-002",
            edit(CONNECT, &[("auth: jwt-hs256", "auth: none")]),
            CONNECT.into(),
        ),
        (
            "TF-PLAT-003",
            edit(CONNECT, &[("verifies_jwt: true", "verifies_jwt: false")]),
            CONNECT.into(),
        ),
        (
            "TF-PLAT-004",
            edit(CONNECT, &[("validates_qsh: true", "validates_qsh: false")]),
            CONNECT.into(),
        ),
        (
            "TF-PLAT-005",
            edit(
                CONNECT,
                &[("validates_qsh: true", "validates_qsh: true, public_endpoint: true")],
            ),
            CONNECT.into(),
        ),
        (
            "TF-PLAT-006",
            edit(CONNECT, &[("purge_on_uninstall: true", "purge_on_uninstall: false")]),
            CONNECT.into(),
        ),
        (
            "TF-PLAT-007",
            edit(CONNECT, &[("keyed_by_tenant: true", "keyed_by_tenant: false")]),
            CONNECT.into(),
        ),
        (
            "TF-PLAT-008",
            edit(CONNECT, &[("host: api.openai.com", "host: \"*\"")]),
            CONNECT.into(),
        ),
        (
            "TF-PLAT-009",
            edit(CONNECT, &[("host: api.openai.com", "host: api.llm.example")]),
            CONNECT.into(),
        ),
        ("TF-PLAT-010", CONNECT.into(), FORGE.into()),
        (
            "TF-RES-001",
            edit(
                CONNECT,
                &[(
                    "region: \"aws:eu-central-1\", stores",
                    "region: \"aws:us-east-1\", stores",
                )],
            ),
            CONNECT.into(),
        ),
        (
            "TF-RES-002",
            edit(
                CONNECT,
                &[("sccs: true, hipaa_baa: true }", "dpf: false, hipaa_baa: true }")],
            ),
            CONNECT.into(),
        ),
        ("TF-RES-003", CONNECT.into(), FORGE.into()),
        (
            "TF-RES-004",
            edit(CONNECT, &[("operator: llm, region: US", "operator: llm")]),
            CONNECT.into(),
        ),
        (
            "TF-SOC2-001",
            edit(
                CONNECT,
                &[(
                    "sccs: true, hipaa_baa: true }",
                    "sccs: true, hipaa_baa: true, attestations: [] }",
                )],
            ),
            CONNECT.into(),
        ),
    ]
}

fn codes(yaml: &str) -> Vec<&'static str> {
    let catalog = Catalog::builtin();
    let loaded = load_model_str("case.yaml", yaml, &catalog)
        .unwrap_or_else(|d| panic!("case does not load:\n{}\n{yaml}", trustflow::diagnostic::render_all(&d)));
    analyze(&loaded.model, &catalog)
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn every_rule_fires_and_stays_quiet() {
    let cases = cases();
    for rule in RULES {
        assert!(
            cases.iter().any(|(code, _, _)| *code == rule.code()),
            "{} has no fixture case",
            rule.code()
        );
    }
    for (code, fires, quiet) in cases {
        assert!(codes(&fires).contains(&code), "{code} should fire on:\n{fires}");
        assert!(!codes(&quiet).contains(&code), "{code} should stay quiet on:\n{quiet}");
    }
}

#[test]
fn the_clean_bases_fire_only_what_their_platform_implies() {
    let mut connect = codes(CONNECT);
    connect.dedup();
    assert_eq!(connect, ["TF-PLAT-010", "TF-RES-003"]);
    assert_eq!(codes(FORGE), Vec::<&str>::new());
}

#[test]
fn unknown_facts_are_evidence_required_not_passes() {
    let yaml = edit(
        CONNECT,
        &[
            ("verifies_jwt: true, ", ""),
            ("sccs: true, hipaa_baa: true }", "hipaa_baa: true }"),
        ],
    );
    let catalog = Catalog::builtin();
    let loaded = load_model_str("e.yaml", &yaml, &catalog).unwrap();
    let analysis = analyze(&loaded.model, &catalog);
    for code in ["TF-PLAT-003", "TF-RES-002"] {
        let finding = analysis
            .findings
            .iter()
            .find(|f| f.rule == code)
            .unwrap_or_else(|| panic!("{code} missing"));
        assert!(finding.evidence_required, "{code}");
    }
}
