//! The analysis of each bundled model against an inventory worked out by hand from the model
//! files (who receives which personal data, where, and on what transfer basis for the EU realm).

use crate::generated::check_generated;
use crate::root;
use trustflow::analysis::{Analysis, analyze_loaded};
use trustflow::catalog::Catalog;
use trustflow::load::load_model_file;

fn analysis_of(model: &str) -> Analysis {
    let catalog = Catalog::builtin();
    let loaded = load_model_file(&root().join(model), &catalog).unwrap();
    analyze_loaded(&loaded, &catalog)
}

/// One inventory row: organisation, role, entity country, data (`*` = at rest), EU-realm
/// mechanism and status of the disclosure to it.
type Row = (&'static str, &'static str, &'static str, &'static str, &'static str);

fn inventory(analysis: &Analysis) -> Vec<(String, String, String, String, String)> {
    analysis
        .subprocessors
        .iter()
        .map(|row| {
            let data: Vec<String> = row
                .data
                .iter()
                .map(|d| if d.at_rest { format!("{}*", d.id) } else { d.id.clone() })
                .collect();
            let transfer = serde_json::to_value(&row.transfer_mechanism["eu"]).unwrap();
            let basis = format!(
                "{} {}",
                transfer["mechanism"].as_str().unwrap(),
                transfer["status"].as_str().unwrap()
            );
            (
                row.organisation.clone(),
                row.role.to_string(),
                row.country.clone().unwrap_or_default(),
                data.join(" "),
                basis,
            )
        })
        .collect()
}

fn assert_inventory(analysis: &Analysis, expected: &[Row]) {
    let expected: Vec<(String, String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d, e)| ((*a).into(), (*b).into(), (*c).into(), (*d).into(), (*e).into()))
        .collect();
    assert_eq!(inventory(analysis), expected);
}

fn has(analysis: &Analysis, rule: &str, subject: &str, realm: Option<&str>) -> bool {
    analysis
        .findings
        .iter()
        .any(|f| f.rule == rule && f.subject == subject && f.realm.map(trustflow::model::Realm::code) == realm)
}

#[test]
fn connect_on_aws() {
    let analysis = analysis_of("models/connect-aws.yaml");
    assert_inventory(
        &analysis,
        &[
            (
                "acme",
                "processor",
                "DE",
                "digest* issue-content* user-identity*",
                "within-eea not-a-transfer",
            ),
            (
                "aws",
                "sub-processor",
                "US",
                "digest* issue-content* user-identity*",
                "sccs recorded",
            ),
            (
                "openai",
                "sub-processor",
                "US",
                "digest issue-content",
                "eu-us-dpf required",
            ),
            (
                "sendgrid",
                "sub-processor",
                "US",
                "digest user-identity",
                "eu-us-dpf offered",
            ),
        ],
    );
    // EU data at rest in the US, the stored sharedSecret, and the OpenAI transfer basis gap.
    assert!(has(&analysis, "TF-RES-001", "app-db", Some("eu")));
    assert!(!has(&analysis, "TF-RES-001", "app-db", Some("us")));
    assert!(has(&analysis, "TF-PLAT-001", "app-db", None));
    assert!(has(&analysis, "TF-RES-002", "openai", Some("eu")));
    let secret = analysis.findings.iter().find(|f| f.rule == "TF-PLAT-001").unwrap();
    assert_eq!(secret.path[..], ["jira", "app-server", "app-db"]);
    assert!(!analysis.runs_on_atlassian.eligible);
    assert!(!analysis.hipaa.applies);
}

#[test]
fn forge_native_has_no_third_party_and_runs_on_atlassian() {
    let analysis = analysis_of("models/forge-native.yaml");
    assert_inventory(
        &analysis,
        &[
            (
                "acme",
                "processor",
                "DE",
                "digest* issue-content* user-identity*",
                "within-eea not-a-transfer",
            ),
            (
                "atlassian",
                "sub-processor",
                "AU",
                "digest* issue-content* user-identity*",
                "sccs recorded",
            ),
        ],
    );
    assert!(
        analysis.runs_on_atlassian.eligible,
        "{:?}",
        analysis.runs_on_atlassian.reasons
    );
    // The one finding is the open item Atlassian's check needs: Forge SQL's residency support.
    let open: Vec<(&str, bool)> = analysis
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.evidence_required))
        .collect();
    assert_eq!(open, [("TF-PLAT-010", true)], "{:#?}", analysis.findings);
    assert!(
        analysis.findings[0]
            .message
            .starts_with("not confirmed: no reason for ineligibility found")
    );
    assert!(analysis.residency.iter().all(|r| r.kept));
}

#[test]
fn forge_with_remote() {
    let analysis = analysis_of("models/forge-remote.yaml");
    assert_inventory(
        &analysis,
        &[
            (
                "acme",
                "processor",
                "DE",
                "digest* issue-content* user-identity*",
                "within-eea not-a-transfer",
            ),
            (
                "atlassian",
                "sub-processor",
                "AU",
                "issue-content user-identity",
                "sccs recorded",
            ),
            (
                "aws",
                "sub-processor",
                "US",
                "digest* issue-content* user-identity*",
                "sccs recorded",
            ),
            (
                "openai",
                "sub-processor",
                "US",
                "digest issue-content",
                "eu-us-dpf required",
            ),
            (
                "sendgrid",
                "sub-processor",
                "US",
                "digest user-identity",
                "eu-us-dpf offered",
            ),
        ],
    );
    // The EU-hosted remote keeps EU data in the EU but US data leaves the US realm.
    assert!(!has(&analysis, "TF-RES-001", "remote-db", Some("eu")));
    assert!(has(&analysis, "TF-RES-001", "remote-db", Some("us")));
    assert!(has(&analysis, "TF-RES-003", "remote-db", None));
    assert!(!analysis.runs_on_atlassian.eligible);
    assert!(analysis.runs_on_atlassian.reasons.iter().any(|r| r.contains("remote")));
}

#[test]
fn forge_with_egress_and_phi() {
    let analysis = analysis_of("models/forge-egress.yaml");
    assert_inventory(
        &analysis,
        &[
            (
                "anthropic",
                "sub-processor",
                "US",
                "issue-content patient-refs standup-notes user-identity",
                "idta required",
            ),
            (
                "atlassian",
                "sub-processor",
                "AU",
                "issue-content patient-refs standup-notes* user-identity",
                "uk-addendum required",
            ),
            (
                "buddy",
                "processor",
                "GB",
                "issue-content patient-refs standup-notes* user-identity",
                "adequacy recorded",
            ),
        ],
    );
    // A catalog's BAA offer is not a signed BAA; Atlassian signs none with app vendors that is known.
    let chain: Vec<(&str, &str, &str)> = analysis
        .hipaa
        .chain
        .iter()
        .map(|l| (l.organisation.as_str(), l.relationship.as_str(), l.baa.as_str()))
        .collect();
    assert_eq!(
        chain,
        [
            ("buddy", "business-associate", "unknown"),
            ("anthropic", "subcontractor", "offered"),
            ("atlassian", "atlassian", "unknown")
        ]
    );
    assert_eq!(analysis.hipaa.missing_baa, ["buddy", "anthropic", "atlassian"]);
    // The customer's own Slack workspace (its token) is a customer-enabled integration, not the
    // vendor's sub-processor; the stand-up notes it receives are PHI, derived from patient refs.
    let slack: Vec<(&str, &[String])> = analysis
        .customer_integrations
        .iter()
        .map(|i| (i.component.as_str(), i.data.as_slice()))
        .collect();
    assert_eq!(slack, [("slack-api", &["standup-notes".to_owned()][..])]);
    assert!(analysis.hipaa.phi.contains(&"standup-notes".to_owned()));
    assert!(has(&analysis, "TF-HIPAA-001", "buddy", None));
    assert!(!analysis.runs_on_atlassian.eligible);
}

#[test]
fn every_finding_names_its_rule_and_a_path_of_model_components() {
    for model in [
        "models/connect-aws.yaml",
        "models/forge-remote.yaml",
        "models/forge-egress.yaml",
    ] {
        let catalog = Catalog::builtin();
        let loaded = load_model_file(&root().join(model), &catalog).unwrap();
        let analysis = analyze_loaded(&loaded, &catalog);
        for finding in &analysis.findings {
            assert!(trustflow::rules::find(finding.rule.as_str()).is_some());
            for id in finding.path.iter() {
                assert!(
                    loaded.model.components.iter().any(|c| &c.id == id),
                    "{model}: {id} in {finding:?}"
                );
            }
            assert!(!finding.path.is_empty(), "{model}: no path in {finding:?}");
        }
    }
}

#[test]
fn analysis_json_is_identical_for_any_thread_count() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| serde_json::to_string(&analysis_of("models/connect-aws.yaml")).unwrap())
    };
    assert_eq!(run(1), run(2));
}

/// A model large enough to be parsed in pieces and to have its JSON lists rendered on the
/// pool: the same bytes for one, two and three threads, and the bytes `to_writer_pretty`
/// writes.
#[test]
fn a_large_analysis_is_the_same_for_any_thread_count() {
    let yaml = trustflow::synth::twin_model(200);
    assert!(yaml.len() > 256 * 1024, "{} bytes: too small to be split", yaml.len());
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let catalog = Catalog::builtin();
            let loaded = trustflow::load::load_model_str("twin.yaml", &yaml, &catalog).unwrap();
            let analysis = analyze_loaded(&loaded, &catalog);
            let mut written = Vec::new();
            trustflow::json::write_pretty(&mut written, &analysis).unwrap();
            assert_eq!(
                written,
                serde_json::to_vec_pretty(&analysis).unwrap(),
                "{threads} threads"
            );
            written
        })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    // In a portfolio the same lists stand deeper (each app is an element of `apps`).
    let catalog = Catalog::builtin();
    let loaded = trustflow::load::load_model_str("twin.yaml", &yaml, &catalog).unwrap();
    let apps = [
        analyze_loaded(&loaded, &catalog),
        analysis_of("models/connect-aws.yaml"),
    ];
    let portfolio = trustflow::pipeline::Portfolio {
        apps: &apps,
        portfolio: trustflow::analysis::portfolio(&apps),
    };
    let mut written = Vec::new();
    trustflow::json::write_pretty(&mut written, &portfolio).unwrap();
    assert_eq!(written, serde_json::to_vec_pretty(&portfolio).unwrap());
}

#[test]
fn rules_doc_is_current() {
    check_generated("docs/rules.md", &trustflow::rules::rules_markdown());
}

#[test]
fn a_forge_remote_is_named_under_atlassians_remotes_rule_however_it_is_called() {
    let text = std::fs::read_to_string(root().join("models/forge-remote.yaml")).unwrap();
    // As bundled (a `trigger: remote` flow), and reached by an event with a Forge Invocation
    // Token.
    let by_event = text.replace("trigger: remote, auth: fit", "trigger: event, auth: fit");
    assert_ne!(by_event, text, "the edit applies");
    for yaml in [&text, &by_event] {
        let catalog = Catalog::builtin();
        let loaded = trustflow::load::load_model_str("remote.yaml", yaml, &catalog).unwrap();
        let roa = analyze_loaded(&loaded, &catalog).runs_on_atlassian;
        let said = "remotes are not allowed: `remote` is a Forge Remote";
        assert!(roa.reasons.iter().any(|r| r == said), "{:?}", roa.reasons);
        assert!(roa.summary().contains(said), "{}", roa.summary());
    }
}

/// Two units of a portfolio, each with its own product, app and category: a category
/// originates where a product first sends it, so one unit's issue is never at another unit's
/// product or app (and three installations of one realm share one set of conclusions).
#[test]
fn a_category_of_one_unit_never_appears_at_another_units_product() {
    let yaml = r#"
trustflow: 1
app: { name: Two units, platform: connect, vendor: v }
organisations:
  - { id: v, name: V, legal_entity: V GmbH, country: DE, dpa: "https://v.example/dpa" }
data:
  - { id: issue-0, personal: true }
  - { id: issue-1, personal: true }
components:
  - { id: jira-0, kind: atlassian-product, region: tenant }
  - { id: app-0, kind: service, operator: v, region: "aws:eu-central-1" }
  - { id: jira-1, kind: atlassian-product, region: tenant }
  - { id: app-1, kind: service, operator: v, region: "aws:eu-central-1" }
flows:
  - { from: jira-0, to: app-0, data: [issue-0], purpose: Sync }
  - { from: jira-1, to: app-1, data: [issue-1], purpose: Sync }
installations:
  - { id: a, realm: eu, established: DE }
  - { id: b, realm: eu, established: DE }
  - { id: c, realm: eu, established: FR }
  - { id: d, realm: us, established: US }
"#;
    let catalog = Catalog::builtin();
    let loaded = trustflow::load::load_model_str("two-units.yaml", yaml, &catalog).unwrap();
    let analysis = analyze_loaded(&loaded, &catalog);
    for realm in &analysis.residency {
        for entry in &realm.entries {
            let unit = entry.data.trim_start_matches("issue-");
            assert!(
                entry.component.ends_with(&format!("-{unit}")),
                "{} is reported at {}",
                entry.data,
                entry.component
            );
        }
    }
    // Installations of one realm are listed once, and every one of them is named.
    let eu = analysis.residency.iter().find(|r| r.realm == "eu").unwrap();
    assert_eq!(eu.installations, ["a", "b", "c"]);
    assert_eq!(eu.entries.len(), 4, "{:?}", eu.entries);
    // The shared conclusion keeps what each installation says: the customer's hop in realm
    // `eu` rests on all three establishments (DE, DE, FR: one law), the `us` one on its own.
    let customer_hop = |realm: &str| {
        analysis
            .transfers
            .iter()
            .find(|t| t.exporter == "customer" && t.realm.code() == realm)
            .unwrap_or_else(|| panic!("no customer hop in {realm}"))
    };
    let eu_hop = customer_hop("eu");
    assert!(
        eu_hop.why.contains("established in DE, FR") && !eu_hop.label.contains("presumed"),
        "{eu_hop:?}"
    );
    assert!(
        customer_hop("us").why.contains("established in US"),
        "{:?}",
        customer_hop("us")
    );
}

/// The model of [`grouped_output_keeps_every_installations_conclusions`], without installations:
/// a US vendor (so the customer's law decides the customer's hop), PHI, an EU store, an LLM in
/// the US and a recipient nobody can identify.
const PROFILED: &str = r#"
trustflow: 1
app: { name: Profiled, platform: connect, vendor: v }
organisations:
  - { id: v, name: V, legal_entity: V Inc., country: US, dpa: "https://v.example/dpa", hipaa_baa: true }
  - { id: aws, catalog: aws }
  - { id: openai, catalog: openai }
data:
  - { id: issue, personal: true }
  - { id: patient, personal: true, phi: true }
components:
  - { id: jira, kind: atlassian-product, region: tenant }
  - { id: app, kind: service, operator: v, hosted_by: aws, region: "aws:us-east-1" }
  - { id: db, kind: datastore, operator: v, hosted_by: aws, region: "aws:eu-central-1" }
  - { id: llm, kind: external-service, operator: openai, region: "us" }
  - { id: hook, kind: external-service, region: "us" }
flows:
  - { from: jira, to: app, data: [issue, patient], purpose: Sync }
  - { from: app, to: db, data: [issue, patient], purpose: Store }
  - { from: app, to: llm, data: [issue], purpose: Summarise }
  - { from: app, to: hook, data: [issue], purpose: Notify, host: hooks.unknown.example }
"#;

/// One line per installation, in every shape the conclusions depend on: the same profile
/// twice, one law from two countries, an unrecorded establishment beside recorded ones,
/// different laws in one realm, HIPAA on every kind of plan and product.
const PROFILED_INSTALLATIONS: [&str; 11] = [
    "{ id: a, realm: eu, established: DE, plan: standard, hipaa: true, products: [jira] }",
    "{ id: b, realm: eu, established: DE, plan: standard, hipaa: true, products: [jira] }",
    "{ id: c, realm: eu, established: FR, plan: premium, products: [jira, confluence] }",
    "{ id: e, realm: eu }",
    "{ id: f, realm: gb, established: GB }",
    "{ id: g, realm: gb, established: DE }",
    "{ id: h, realm: us, established: US, plan: free, hipaa: true, products: [jira] }",
    "{ id: i, realm: us, hipaa: true, products: [bitbucket] }",
    "{ id: j, realm: us, established: CH, plan: enterprise, hipaa: true, products: [jsm] }",
    "{ id: k, realm: ch, established: CH, plan: standard, hipaa: true }",
    "{ id: l, realm: au, established: AU }",
];

fn profiled(installations: &[&str]) -> Analysis {
    let lines: Vec<String> = installations.iter().map(|i| format!("  - {i}")).collect();
    let yaml = format!("{PROFILED}installations:\n{}\n", lines.join("\n"));
    let catalog = Catalog::builtin();
    let loaded = trustflow::load::load_model_str("profiled.yaml", &yaml, &catalog).unwrap();
    analyze_loaded(&loaded, &catalog)
}

/// What a transfer concludes, without the wording or the customer's country (a hop shared by
/// customers of one law in several countries names them all in its reason instead).
fn concluded(t: &trustflow::analysis::Transfer) -> String {
    let exporter_country = if t.exporter == "customer" {
        None
    } else {
        t.exporter_country.as_deref()
    };
    format!(
        "{} ({exporter_country:?}) → {} ({:?}): {:?} {:?} {:?} {:?} evidence required {}",
        t.exporter, t.importer, t.importer_country, t.regime, t.mechanism, t.module, t.status, t.evidence_required
    )
}

#[test]
fn grouped_output_keeps_every_installations_conclusions() {
    let grouped = profiled(&PROFILED_INSTALLATIONS);
    // Installations with one profile share one result; every installation is in one profile.
    let mut listed: Vec<&str> = grouped
        .profiles
        .iter()
        .flat_map(|p| &p.installations)
        .map(String::as_str)
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, ["a", "b", "c", "e", "f", "g", "h", "i", "j", "k", "l"]);
    assert_eq!(grouped.profiles.len(), 10, "a and b share one profile");
    for line in PROFILED_INSTALLATIONS {
        let id = line.split(',').next().unwrap().trim_start_matches("{ id: ");
        // The truth for this installation: the model analysed with it alone.
        let alone = profiled(&[line]);
        let profile = grouped
            .profiles
            .iter()
            .find(|p| p.installations.iter().any(|i| i == id))
            .unwrap();
        let own = &alone.profiles[0];
        assert_eq!(
            (
                &profile.customer_law,
                profile.data_at_rest_in_realm,
                profile.hipaa_scope,
                profile.atlassian_baa
            ),
            (
                &own.customer_law,
                own.data_at_rest_in_realm,
                own.hipaa_scope,
                own.atlassian_baa
            ),
            "profile of {id}"
        );
        let realm = profile.realm;
        // Its transfers: the realm's, each hop's part for its customers' law when they differ.
        let conclusions: Vec<&trustflow::analysis::Transfer> = grouped
            .transfers
            .iter()
            .filter(|t| t.realm == realm)
            .flat_map(|t| t.conclusions())
            .filter(|(_, part)| part.is_none_or(|p| p.installations.iter().any(|i| i == id)))
            .map(|(t, _)| t)
            .collect();
        // The customer's own hop names where this customer is established, when it is recorded.
        if let Some(country) = &profile.established {
            let hop = conclusions.iter().find(|t| t.exporter == "customer").unwrap();
            assert!(
                hop.exporter_country.as_ref() == Some(country)
                    || hop.why.contains(&format!("established in {country}"))
                    || hop.why.contains(&format!(", {country}")),
                "{id}: {hop:?}"
            );
        }
        let mut mine: Vec<String> = conclusions.iter().map(|t| concluded(t)).collect();
        let mut truth: Vec<String> = alone.transfers.iter().map(|t| concluded(t)).collect();
        mine.sort();
        truth.sort();
        assert_eq!(mine, truth, "transfers of {id}");
        let residency = |a: &Analysis| {
            let r = a.residency.iter().find(|r| r.realm == realm.code()).unwrap();
            (r.kept, format!("{:?}", r.entries))
        };
        assert_eq!(residency(&grouped), residency(&alone), "residency of {id}");
        // Every finding the installation alone raises is raised for the whole model.
        let key =
            |f: &trustflow::finding::Finding| (f.rule, f.subject.clone(), f.realm, f.severity, f.evidence_required);
        for finding in &alone.findings {
            assert!(
                grouped.findings.iter().any(|g| key(g) == key(finding)),
                "{id}: {} {} is lost in the grouped output",
                finding.rule,
                finding.message
            );
        }
    }
}

/// A version YAML reads as a number keeps the text it was written as: `1.10` is not `1.1`.
#[test]
fn a_numeric_version_keeps_its_written_text() {
    for (written, read) in [("1.10", "1.10"), ("2.0", "2.0"), ("3", "3"), ("1e3", "1e3")] {
        let yaml = format!(
            "trustflow: 1\napp: {{ name: V, platform: forge, vendor: v, version: {written} }}\norganisations:\n  - {{ id: v, name: V }}\n"
        );
        let catalog = Catalog::builtin();
        let loaded = trustflow::load::load_model_str("v.yaml", &yaml, &catalog).unwrap();
        assert_eq!(loaded.model.app.version.as_deref(), Some(read), "{written}");
    }
}

/// A HIPAA-covered site on Bitbucket: Atlassian's BAA covers Jira, JSM and Confluence only, on
/// every plan, so the product is said before the plan.
#[test]
fn phi_in_a_product_outside_atlassians_baa_is_a_finding_whatever_the_plan() {
    for plan in ["", ", plan: enterprise"] {
        let analysis = profiled(&[&format!(
            "{{ id: bb, realm: us, established: US, hipaa: true, products: [bitbucket]{plan} }}"
        )]);
        assert_eq!(
            analysis.profiles[0].atlassian_baa,
            trustflow::analysis::AtlassianBaa::ProductNotCovered
        );
        let finding = analysis
            .findings
            .iter()
            .find(|f| f.rule == "TF-HIPAA-003")
            .unwrap_or_else(|| panic!("no TF-HIPAA-003 with{plan}"));
        assert!(
            finding.message.contains("`bitbucket`") && !finding.evidence_required,
            "{finding:?}"
        );
    }
    let jira = profiled(&["{ id: j, realm: us, established: US, hipaa: true, products: [jira], plan: standard }"]);
    assert_eq!(
        jira.profiles[0].atlassian_baa,
        trustflow::analysis::AtlassianBaa::Available
    );
    assert!(!jira.findings.iter().any(|f| f.rule == "TF-HIPAA-003"));
}

/// A datastore outside the realm that lists nothing under `stores` still receives the data:
/// what it keeps is open, never "nothing" (residency is not confirmed); once its `stores` list
/// says, the data is at rest outside the realm.
#[test]
fn a_store_without_a_stores_list_leaves_residency_unconfirmed() {
    let analysis = profiled(&["{ id: u, realm: us, established: US }"]);
    let us = analysis.residency.iter().find(|r| r.realm == "us").unwrap();
    assert!(
        us.evidence_required
            .iter()
            .any(|e| e.contains("`db`, a store in DE") && e.contains("its `stores` list is empty")),
        "{us:?}"
    );
    assert_eq!(
        analysis.profiles[0].data_at_rest_in_realm,
        trustflow::analysis::InRealm::KeptNotConfirmed
    );
    let stated = PROFILED.replace(
        "{ id: db, kind: datastore,",
        "{ id: db, kind: datastore, stores: [issue, patient],",
    );
    assert_ne!(stated, PROFILED);
    let yaml = format!("{stated}installations:\n  - {{ id: u, realm: us, established: US }}\n");
    let catalog = Catalog::builtin();
    let loaded = trustflow::load::load_model_str("stated.yaml", &yaml, &catalog).unwrap();
    let analysis = analyze_loaded(&loaded, &catalog);
    assert_eq!(
        analysis.profiles[0].data_at_rest_in_realm,
        trustflow::analysis::InRealm::Leaves
    );
}
