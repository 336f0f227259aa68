//! Every rule shown firing and not firing on its fixture pair (`tests/fixtures/rules/<CODE>/`),
//! with a snapshot of what `trustflow analyze` prints for the firing model; and the clean bases
//! the fixtures were made from (a Connect app and a Forge app).

use crate::edit;
use trustflow::analysis::analyze_loaded;
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

fn codes(yaml: &str) -> Vec<&'static str> {
    let catalog = Catalog::builtin();
    let loaded = load_model_str("case.yaml", yaml, &catalog)
        .unwrap_or_else(|d| panic!("case does not load:\n{}\n{yaml}", trustflow::diagnostic::render_all(&d)));
    analyze_loaded(&loaded, &catalog)
        .findings
        .iter()
        .map(|f| f.rule.as_str())
        .collect()
}

/// Reads `tests/fixtures/rules/<CODE>/<which>.yaml`.
fn fixture(code: &str, which: &str) -> (String, String) {
    let relative = format!("tests/fixtures/rules/{code}/{which}.yaml");
    let text = std::fs::read_to_string(crate::root().join(&relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}: every rule needs a fires.yaml and a quiet.yaml"));
    (relative, text)
}

#[test]
fn every_rule_fires_and_stays_quiet_on_its_fixture_pair() {
    let catalog = Catalog::builtin();
    for rule in RULES {
        let code = rule.code().as_str();
        let (fires_name, fires) = fixture(code, "fires");
        let (quiet_name, quiet) = fixture(code, "quiet");
        assert!(codes(&fires).contains(&code), "{code} should fire on {fires_name}");
        assert!(
            !codes(&quiet).contains(&code),
            "{code} should stay quiet on {quiet_name}"
        );
        // What a user sees: `trustflow analyze` of the firing model.
        let loaded = load_model_str(&fires_name, &fires, &catalog).unwrap();
        let text = trustflow::text::analysis_text(&analyze_loaded(&loaded, &catalog));
        insta::assert_snapshot!(format!("rule-{code}"), text);
    }
    // No stray fixture folder for a code that does not exist.
    for entry in std::fs::read_dir(crate::root().join("tests/fixtures/rules")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            trustflow::rules::find(&name).is_some(),
            "tests/fixtures/rules/{name} names no rule"
        );
    }
}

#[test]
fn the_clean_bases_fire_only_what_their_platform_implies() {
    let mut connect = codes(CONNECT);
    connect.dedup();
    assert_eq!(connect, ["TF-PLAT-010", "TF-PLAT-014", "TF-RES-003"]);
    assert_eq!(codes(FORGE), Vec::<&str>::new());
}

#[test]
fn connect_end_of_support_gives_bitbucket_cloud_its_own_date() {
    let message = |yaml: &str| {
        let catalog = Catalog::builtin();
        let loaded = load_model_str("eos.yaml", yaml, &catalog).unwrap();
        analyze_loaded(&loaded, &catalog)
            .findings
            .iter()
            .find(|f| f.rule == "TF-PLAT-014")
            .map(|f| f.message.to_string())
            .expect("TF-PLAT-014 fires on a Connect app")
    };
    assert!(message(CONNECT).ends_with("the end of support of Connect is December 2026 (RFC-129)"));
    let bitbucket = edit(
        CONNECT,
        &[("plan: standard }", "plan: standard, products: [bitbucket] }")],
    );
    assert!(
        message(&bitbucket).ends_with(
            "installed in Bitbucket Cloud only: the end of support of Bitbucket Cloud Connect is 2027-01-31"
        )
    );
    let both = edit(
        CONNECT,
        &[("plan: standard }", "plan: standard, products: [jira, bitbucket] }")],
    );
    assert!(message(&both).ends_with("December 2026 (RFC-129; Bitbucket Cloud: 2027-01-31)"));
    // A Forge app still declaring Connect modules: the end, without the Marketplace freeze.
    let hybrid = format!("{FORGE}manifest: {{ connect_modules: true }}\n");
    let said = message(&hybrid);
    assert!(
        said.starts_with(
            "F still declares Connect modules (`connectModules`): the end of support of Connect is December 2026"
        ),
        "{said}"
    );
    assert!(!said.contains("cannot be updated"), "{said}");
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
    let analysis = analyze_loaded(&loaded, &catalog);
    for code in ["TF-PLAT-003", "TF-RES-002"] {
        let finding = analysis
            .findings
            .iter()
            .find(|f| f.rule == code)
            .unwrap_or_else(|| panic!("{code} missing"));
        assert!(finding.evidence_required, "{code}");
    }
}

#[test]
fn the_codes_are_a_reviewed_list() {
    // Adding, renaming or removing a rule code or an input-error code shows up here in review.
    let mut list = String::from("rule codes:\n");
    for rule in RULES {
        list.push_str(&format!("  {} {}\n", rule.code(), rule.meta().name));
    }
    list.push_str("input-error codes:\n");
    for (code, _) in trustflow::diagnostic::CODES {
        list.push_str(&format!("  {code}\n"));
    }
    insta::assert_snapshot!("codes", list);
}
