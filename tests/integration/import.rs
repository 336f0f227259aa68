//! Importing real descriptors: the whole vendored corpus, malformed input, overlays, and the
//! bundled Forge apps' manifests against their hand-written models.

use crate::root;
use std::collections::BTreeSet;
use std::path::PathBuf;
use trustflow::analysis::{Analysis, analyze_loaded};
use trustflow::catalog::Catalog;
use trustflow::import::{self, Kind};
use trustflow::load::{load_model_file, load_model_str};

fn corpus() -> PathBuf {
    // Vendored (tests/corpus/README.md): the suite needs nothing outside the repository.
    root().join("tests/corpus")
}

/// The expected facts of each corpus file (`tests/fixtures/corpus-expected.tsv`): egress
/// addresses, remotes, scopes, lifecycle hooks, products, absolute-URL recipients,
/// non-production destinations and the Runs on Atlassian verdict, read from the files
/// independently of the importer (the last four by `tests/corpus/expected_columns.py`) and
/// checked against each file.
fn expected() -> Vec<[String; 9]> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/corpus-expected.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<String> = line.split('\t').map(str::to_owned).collect();
            cols.try_into()
                .unwrap_or_else(|c: Vec<String>| panic!("{line}: {} columns, 9 expected", c.len()))
        })
        .collect()
}

fn joined(items: &[String]) -> String {
    let set: BTreeSet<&String> = items.iter().collect();
    if set.is_empty() {
        "-".to_owned()
    } else {
        set.into_iter().cloned().collect::<Vec<_>>().join(" ")
    }
}

/// Purposes reach DPA annexes: plain words, no descriptor keys in backticks.
fn plain_purposes(relative: &str, model: &trustflow::model::Model) {
    for flow in &model.flows {
        let purpose = flow.purpose.as_deref().unwrap_or_default();
        assert!(
            !purpose.contains('`') && !purpose.contains("generalPages"),
            "{relative}: flow {:?} has a technical purpose: {purpose}",
            flow.id
        );
    }
}

/// A Connect `baseUrl` that is a tunnel, a local address or a placeholder is said at import,
/// not only analysed: the descriptor is not the one customers install.
#[test]
fn a_connect_base_url_that_is_not_production_is_a_warning() {
    let catalog = Catalog::builtin();
    let mut warned = 0;
    for entry in std::fs::read_dir(corpus().join("connect")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(base_url) = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|d| d.get("baseUrl")?.as_str().map(str::to_owned))
        else {
            continue;
        };
        let imported = import::import(Kind::Connect, &path.display().to_string(), &text, &catalog).unwrap();
        let said = imported
            .warnings
            .iter()
            .any(|w| w.starts_with("baseUrl `") && w.contains("is not a production destination"));
        assert_eq!(
            said,
            trustflow::host::non_production(&base_url).is_some(),
            "{}: baseUrl {base_url}, warnings {:?}",
            path.display(),
            imported.warnings
        );
        warned += usize::from(said);
    }
    assert!(
        warned >= 3,
        "the corpus has tunnels and placeholders as baseUrl: {warned}"
    );
}

#[test]
fn every_corpus_descriptor_imports_checks_and_analyses() {
    let catalog = Catalog::builtin();
    let expected = expected();
    let mut seen = 0;
    for kind_dir in ["connect", "forge"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(corpus().join(kind_dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let relative = format!("{kind_dir}/{}", path.file_name().unwrap().to_string_lossy());
            let kind = if kind_dir == "forge" {
                Kind::Forge
            } else {
                Kind::Connect
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let imported = import::import(kind, &relative, &text, &catalog)
                .unwrap_or_else(|d| panic!("{relative} does not import:\n{}", trustflow::diagnostic::render_all(&d)));
            // Written and read back as exactly the imported model.
            let (_, loaded) = import::write_checked(&imported.model, &imported.provenance, "test", &relative, &catalog)
                .unwrap_or_else(|d| {
                    panic!(
                        "{relative}: imported model invalid:\n{}",
                        trustflow::diagnostic::render_all(&d)
                    )
                });
            plain_purposes(&relative, &loaded.model);
            for component in &loaded.model.components {
                let mut stores = component.stores.clone();
                stores.sort();
                stores.dedup();
                assert_eq!(
                    stores.len(),
                    component.stores.len(),
                    "{relative}: {} stores a category twice",
                    component.id
                );
            }
            let analysis = analyze_loaded(&loaded, &catalog);
            assert!(!analysis.app.name.is_empty());
            // JWT and qsh checks are for requests the app receives, never for the answers to
            // its own REST calls (signed by the app, verified by the product).
            for finding in analysis
                .findings
                .iter()
                .filter(|f| matches!(f.rule.as_str(), "TF-PLAT-002" | "TF-PLAT-003" | "TF-PLAT-004"))
            {
                let outbound = loaded.model.flows.iter().any(|flow| {
                    flow.trigger == Some(trustflow::model::Trigger::Rest)
                        && finding.message.contains(&format!("`{}`", flow.label()))
                });
                assert!(
                    !outbound,
                    "{relative}: {finding:?} is about the app's own outbound call"
                );
            }
            let row = expected
                .iter()
                .find(|r| r[0] == relative)
                .unwrap_or_else(|| panic!("{relative} not in the table"));
            let summary = &imported.summary;
            assert_eq!(joined(&summary.egress), row[1], "{relative}: egress");
            assert_eq!(joined(&summary.remotes), row[2], "{relative}: remotes");
            assert_eq!(joined(&summary.scopes), row[3], "{relative}: scopes");
            assert_eq!(joined(&summary.lifecycle), row[4], "{relative}: lifecycle");
            let products: Vec<String> = loaded
                .model
                .components
                .iter()
                .filter(|c| c.kind == trustflow::model::ComponentKind::AtlassianProduct)
                .map(|c| c.id.clone())
                .collect();
            assert_eq!(joined(&products), row[5], "{relative}: products");
            assert_eq!(
                joined(&summary.recipients),
                row[6],
                "{relative}: absolute-URL recipients"
            );
            let destinations: Vec<String> = summary
                .egress
                .iter()
                .chain(&summary.recipients)
                .cloned()
                .chain(
                    loaded
                        .model
                        .manifest
                        .iter()
                        .flat_map(|m| &m.remotes)
                        .filter_map(|r| r.host.clone()),
                )
                .map(|h| trustflow::host::host_of(&h).to_ascii_lowercase())
                .filter(|h| trustflow::host::non_production(h).is_some())
                .collect();
            assert_eq!(joined(&destinations), row[7], "{relative}: non-production destinations");
            let roa = if analysis.runs_on_atlassian.eligible {
                "eligible"
            } else {
                "not-eligible"
            };
            assert_eq!(roa, row[8], "{relative}: Runs on Atlassian");
            // Product data only on its own product's flows (Confluence pages never on Jira's).
            for flow in &loaded.model.flows {
                let Some(from) = products.iter().find(|p| **p == flow.from) else {
                    continue;
                };
                for data in &flow.data {
                    if let Some(own) = import::scopes::product_of(data) {
                        assert!(
                            own == from || !products.iter().any(|p| p == own),
                            "{relative}: `{data}` ({own}) on {from}'s flow `{}`",
                            flow.label()
                        );
                    }
                }
            }
            seen += 1;
        }
    }
    assert_eq!(seen, expected.len(), "every row of the table has a file");
}

#[test]
fn wildcards_unknown_hosts_and_placeholders_reach_the_analysis() {
    let catalog = Catalog::builtin();
    let import_file = |relative: &str| {
        let text = std::fs::read_to_string(corpus().join(relative)).unwrap();
        let imported = import::import(Kind::Forge, relative, &text, &catalog).unwrap();
        let yaml = import::to_yaml(&imported.model, &imported.provenance, "test");
        analyze_loaded(&load_model_str(relative, &yaml, &catalog).unwrap(), &catalog)
    };
    let allow_all = import_file("forge/022-phos-dev--AgileMood-Backend.yml");
    assert!(
        allow_all.findings.iter().any(|f| f.rule == "TF-PLAT-008"),
        "`*` egress is unbounded"
    );
    let tunnel = import_file("forge/019-katyayanisahu--KlokView.yml");
    assert!(
        tunnel
            .findings
            .iter()
            .any(|f| f.rule == "TF-PLAT-011" && f.subject.contains("trycloudflare.com"))
    );
    let openai = import_file("forge/016-inumidun--MeetingMind.yml");
    assert!(openai.subprocessors.iter().any(|s| s.organisation == "openai"));
    let remote = import_file("forge/002-aleksandrfedorov97--onlyoffice-jira-cloud.yml");
    assert!(!remote.runs_on_atlassian.eligible);
    assert!(
        remote
            .runs_on_atlassian
            .reasons
            .iter()
            .any(|r| r.starts_with("remotes are not allowed") && r.contains("onlyoffice-backend"))
    );
    let llm = import_file("forge/030-Xeno828--delivery-value-dashboard.yml");
    assert!(
        !llm.subprocessors.iter().any(|s| s.organisation == "anthropic"),
        "Forge LLMs are Atlassian-hosted"
    );
}

#[test]
fn malformed_descriptors_get_located_errors_not_panics() {
    let catalog = Catalog::builtin();
    let err = &import::import(Kind::Forge, "bad.yml", "app:\n  id: x\n modules: [\n", &catalog).unwrap_err()[0];
    assert_eq!(err.code, "yaml-syntax");
    assert!(err.line > 0, "{err}");
    let err = &import::import(
        Kind::Connect,
        "bad.json",
        "{\n  \"key\": \"x\",\n  \"baseUrl\": \n}",
        &catalog,
    )
    .unwrap_err()[0];
    assert_eq!((err.code, err.line), ("json-syntax", 4), "{err}");
    let err = &import::import(Kind::Forge, "list.yml", "- a\n- b\n", &catalog).unwrap_err()[0];
    assert_eq!(err.code, "wrong-type");
    for garbage in [
        "",
        "~",
        "[]",
        "{}",
        "app: 5\nmodules: 7\npermissions: [1]\nremotes: {}\n",
    ] {
        let _ = import::import(Kind::Forge, "g.yml", garbage, &catalog);
        let _ = import::import(Kind::Connect, "g.json", garbage, &catalog);
    }
}

/// The errors an import gives, as `(code, line)` pairs.
fn import_errors(kind: Kind, text: &str) -> Vec<(&'static str, u32)> {
    match import::import(kind, "d", text, &Catalog::builtin()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(|e| (e.code, e.line)).collect(),
    }
}

#[test]
fn duplicate_keys_and_wrong_shapes_in_descriptors_are_located_errors_never_silent() {
    let panel = "modules:\n  jira:issuePanel:\n    - key: p\n      title: x\n";
    // A second `permissions:` would hide the first one's scopes.
    let twice = format!("{panel}permissions:\n  scopes: [read:jira-work]\npermissions:\n  external: {{}}\n");
    assert_eq!(import_errors(Kind::Forge, &twice), [("duplicate-key", 7)]);
    // Egress written as text instead of a list would import as no egress at all.
    let text = format!("{panel}permissions:\n  external:\n    fetch:\n      backend: api.evil.com\n");
    assert_eq!(import_errors(Kind::Forge, &text), [("wrong-type", 8)]);
    let scopes = format!("{panel}permissions:\n  scopes: read:jira-work\n");
    assert_eq!(import_errors(Kind::Forge, &scopes), [("wrong-type", 6)]);
    let remotes = format!("{panel}remotes:\n  key: r\n  baseUrl: https://r.example\n");
    assert_eq!(import_errors(Kind::Forge, &remotes), [("wrong-type", 6)]);
    let modules = "modules:\n  jira:issuePanel:\n    key: p\n";
    assert_eq!(import_errors(Kind::Forge, modules), [("wrong-type", 3)]);
    // Connect: a duplicate `baseUrl` (JSON readers keep the last one silently) and webhooks
    // that are not a list.
    let connect =
        "{\n  \"key\": \"k\",\n  \"baseUrl\": \"https://a.example\",\n  \"baseUrl\": \"https://b.example\"\n}";
    assert_eq!(import_errors(Kind::Connect, connect), [("duplicate-key", 4)]);
    let hooks = "{\n  \"key\": \"k\",\n  \"baseUrl\": \"https://a.example\",\n  \"scopes\": \"READ\",\n  \"modules\": {\"webhooks\": {\"event\": \"jira:issue_created\", \"url\": \"/h\"}}\n}";
    assert_eq!(
        import_errors(Kind::Connect, hooks),
        [("wrong-type", 4), ("wrong-type", 5)]
    );
    // Two documents, or text after the end marker, are not one descriptor.
    let second = format!("{panel}---\npermissions:\n  scopes: [read:jira-work]\n");
    assert_eq!(import_errors(Kind::Forge, &second), [("yaml-syntax", 6)]);
    let after_end = format!("{panel}...\npermissions: {{}}\n");
    assert_eq!(import_errors(Kind::Forge, &after_end), [("yaml-syntax", 6)]);
    // The same descriptors, well formed, import.
    assert_eq!(import_errors(Kind::Forge, panel), []);
}

#[test]
fn a_line_break_in_a_descriptor_key_stays_inside_its_provenance_comment() {
    // The key of a `fetch` list becomes part of the provenance comment above the egress
    // component; its line breaks once ended the comment and the rest became a flow.
    let manifest = "modules:\n  jira:issuePanel:\n    - key: p\n      title: x\npermissions:\n  external:\n    fetch:\n      \"backend\\nflows:\\n  - { from: jira, to: egress-api-example-com, data: [issue-content] }\\r# \": [api.example.com]\n";
    let catalog = Catalog::builtin();
    let imported = import::import(Kind::Forge, "m.yml", manifest, &catalog).unwrap();
    let (yaml, loaded) = import::write_checked(
        &imported.model,
        &imported.provenance,
        "m.yml\rflows: []",
        "m.yaml",
        &catalog,
    )
    .unwrap_or_else(|d| panic!("{}", trustflow::diagnostic::render_all(&d)));
    assert!(
        yaml.contains("# from permissions.external.fetch.backend\\u{a}flows:"),
        "{yaml}"
    );
    assert!(yaml.contains("# m.yml\\u{d}flows: []"), "{yaml}");
    assert_eq!(loaded.model.flows, imported.model.flows);
    assert!(
        !loaded
            .model
            .flows
            .iter()
            .any(|f| f.from == "jira" && f.to == "egress-api-example-com"),
        "the descriptor's text became a flow"
    );
}

#[test]
fn a_jwt_app_without_an_installed_callback_imports_without_a_secret_flow() {
    // Found by fuzzing: the installation store's flow carried the shared secret from a server
    // that never receives it (no `installed` callback), and the imported model was invalid.
    let descriptor = r#"{"key": "k", "baseUrl": "https://app.example.com", "authentication": {"type": "jwt"},
        "lifecycle": {"uninstalled": "/uninstalled"}, "scopes": ["READ"],
        "modules": {"webhooks": [{"event": "jira:issue_created", "url": "/created"}]}}"#;
    let catalog = Catalog::builtin();
    let imported = import::import(Kind::Connect, "d.json", descriptor, &catalog).unwrap();
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("without a lifecycle `installed` URL")),
        "{:?}",
        imported.warnings
    );
    assert!(
        !imported
            .model
            .flows
            .iter()
            .any(|f| f.id.as_deref() == Some("server-to-store"))
    );
    // Nor is there a store said to keep a secret nobody sends it: nothing reaches it, so it is
    // not drawn at all.
    assert!(
        !imported.model.components.iter().any(|c| c.id == "app-store"),
        "{:?}",
        imported.model.components
    );
    assert!(!imported.model.data.iter().any(|d| d.id == "install-secret"));
    import::write_checked(&imported.model, &imported.provenance, "d", "d.yaml", &catalog)
        .unwrap_or_else(|d| panic!("{}", trustflow::diagnostic::render_all(&d)));
}

#[test]
fn a_remote_on_a_malformed_host_of_a_known_platform_names_no_host() {
    // Found by fuzzing: `produc<ion.example.workers.dev` matched the platform's catalog entry
    // but is no production host, and the remote was "hosted by" an organisation with no id.
    let manifest = "modules:\n  jira:issuePanel:\n    - key: p\n      title: x\nremotes:\n  - key: r\n    baseUrl: https://produc<ion.example.workers.dev\n";
    let catalog = Catalog::builtin();
    let imported = import::import(Kind::Forge, "m.yml", manifest, &catalog).unwrap();
    import::write_checked(&imported.model, &imported.provenance, "m", "m.yaml", &catalog)
        .unwrap_or_else(|d| panic!("{}", trustflow::diagnostic::render_all(&d)));
    assert!(
        imported
            .model
            .components
            .iter()
            .all(|c| c.hosted_by.as_deref() != Some(""))
    );
}

#[test]
fn overlays_merge_by_id_and_report_typos() {
    let catalog = Catalog::builtin();
    let text = std::fs::read_to_string(corpus().join("connect/004-atlassian--github-for-jira.json")).unwrap();
    let imported = import::import(Kind::Connect, "github.json", &text, &catalog).unwrap();
    let overlay = "components:\n  - { id: app-server, region: \"aws:us-east-1\" }\n  - { id: app-db, kind: datastore, operator: vendor }\n";
    let merged = import::apply_overlay(&imported.model, "overlay.yaml", overlay).unwrap();
    let server = merged.components.iter().find(|c| c.id == "app-server").unwrap();
    assert_eq!(server.region.as_deref(), Some("aws:us-east-1"));
    assert_eq!(server.hosted_by.as_deref(), Some("heroku"), "imported facts survive");
    assert!(merged.components.iter().any(|c| c.id == "app-db"));
    let errors = import::apply_overlay(
        &imported.model,
        "overlay.yaml",
        "components:\n  - { id: app-server, regoin: US }\n",
    )
    .unwrap_err();
    assert_eq!(
        (errors[0].code, errors[0].line, errors[0].column),
        ("unknown-key", 2, 23)
    );
    assert!(errors[0].help.iter().any(|h| h.contains("region")));
}

fn inventory(analysis: &Analysis) -> BTreeSet<(String, &'static str, String, String)> {
    analysis
        .subprocessors
        .iter()
        .map(|row| {
            let basis = |realm: &str| row.transfer_mechanism[realm].label.clone();
            (
                row.legal_entity.clone().unwrap_or_else(|| row.name.clone()),
                row.role.as_str(),
                basis("eu"),
                basis("us"),
            )
        })
        .collect()
}

#[test]
fn bundled_manifests_import_to_the_hand_written_analysis() {
    let catalog = Catalog::builtin();
    for app in ["forge-native", "forge-remote", "forge-egress"] {
        let manifest = root().join(format!("models/descriptors/{app}.manifest.yml"));
        let overlay = root().join(format!("models/descriptors/{app}.overlay.yaml"));
        let text = std::fs::read_to_string(&manifest).unwrap();
        let imported = import::import(Kind::Forge, &manifest.display().to_string(), &text, &catalog).unwrap();
        let merged =
            import::apply_overlay(&imported.model, "overlay", &std::fs::read_to_string(overlay).unwrap()).unwrap();
        let yaml = import::to_yaml(&merged, &imported.provenance, "test");
        let from_manifest = analyze_loaded(&load_model_str(app, &yaml, &catalog).unwrap(), &catalog);
        let by_hand = analyze_loaded(
            &load_model_file(&root().join(format!("models/{app}.yaml")), &catalog).unwrap(),
            &catalog,
        );
        assert_eq!(
            inventory(&from_manifest),
            inventory(&by_hand),
            "{app}: recipients, roles and transfer bases"
        );
        assert_eq!(
            from_manifest.runs_on_atlassian.eligible, by_hand.runs_on_atlassian.eligible,
            "{app}: RoA"
        );
        let kept = |a: &Analysis| {
            a.residency
                .iter()
                .map(|r| (r.realm.clone(), r.kept))
                .collect::<Vec<_>>()
        };
        assert_eq!(kept(&from_manifest), kept(&by_hand), "{app}: residency kept per realm");
    }
}

#[test]
fn a_host_serving_the_vendors_remote_and_an_egress_entry_is_the_vendor() {
    let manifest = "app:\n  id: ari:cloud:ecosystem::app/x\nmodules:\n  function:\n    - key: f\n      handler: i.h\nremotes:\n  - key: sync\n    baseUrl: https://forgesync.vendor-co.io\npermissions:\n  scopes: [read:jira-work]\n  external:\n    fetch:\n      backend: [forgesync.vendor-co.io, api.other-co.io]\n";
    let catalog = Catalog::builtin();
    let imported = import::import(Kind::Forge, "one-host.yml", manifest, &catalog).unwrap();
    let ids: Vec<&str> = imported.model.organisations.iter().map(|o| o.id.as_str()).collect();
    assert!(!ids.iter().any(|id| id.contains("forgesync")), "{ids:?}");
    assert!(
        !ids.iter().any(|id| id.contains("other-co")),
        "no organisation is invented from a host name: {ids:?}"
    );
    let egress = imported
        .model
        .components
        .iter()
        .find(|c| c.id == "egress-forgesync-vendor-co-io")
        .unwrap();
    assert_eq!(egress.operator.as_deref(), Some("vendor"));
}

#[test]
fn absolute_urls_on_other_hosts_are_recipients_or_links() {
    let descriptor = r#"{
  "key": "sn-connector", "name": "ServiceNow Connector", "baseUrl": "https://connector.vendor-co.io",
  "authentication": { "type": "jwt" }, "lifecycle": { "installed": "/installed" }, "scopes": ["READ"],
  "modules": {
    "webhooks": [
      { "event": "jira:issue_created", "url": "https://dev225544.service-now.com/api/jira/hook" },
      { "event": "jira:issue_updated", "url": "/hook" }
    ],
    "webItems": [ { "key": "ext", "url": "https://chrome.google.com/webstore/detail/x", "location": "system.top.navigation.bar", "name": { "value": "Get it" } } ]
  }
}"#;
    let catalog = Catalog::builtin();
    let imported = import::import(Kind::Connect, "sn.json", descriptor, &catalog).unwrap();
    let hook = imported
        .model
        .flows
        .iter()
        .find(|f| f.id.as_deref() == Some("webhook-jira-issue-created"))
        .unwrap();
    assert_eq!(hook.to, "url-dev225544-service-now-com");
    assert_eq!(hook.host.as_deref(), Some("dev225544.service-now.com"));
    let relative = imported
        .model
        .flows
        .iter()
        .find(|f| f.id.as_deref() == Some("webhook-jira-issue-updated"))
        .unwrap();
    assert_eq!(relative.to, "app-server");
    // A web-item linking to another site is a link, not a page the app serves.
    assert!(
        !imported
            .model
            .flows
            .iter()
            .any(|f| f.trigger == Some(trustflow::model::Trigger::Iframe)),
        "{:?}",
        imported.model.flows
    );
    let yaml = import::to_yaml(&imported.model, &imported.provenance, "t");
    let loaded = load_model_str("sn.yaml", &yaml, &catalog).unwrap();
    let analysis = analyze_loaded(&loaded, &catalog);
    assert!(
        analysis
            .subprocessors
            .iter()
            .any(|s| s.organisation == "unidentified:dev225544.service-now.com"
                && s.purposes == ["Act on the product's events (jira:issue_created)"]),
        "the webhook's host receives the issue: {:?}",
        analysis.subprocessors
    );
}

#[test]
fn a_bitbucket_connect_app_is_read_as_bitbucket_with_its_scopes_and_events() {
    let descriptor = r#"{
  "key": "bito-bb", "name": "Bito for Bitbucket", "baseUrl": "https://staging.bito.ai/bitbucket",
  "authentication": { "type": "jwt" }, "lifecycle": { "installed": "/installed" },
  "scopes": ["account", "repository", "pullrequest:write", "webhook"], "contexts": ["account"],
  "modules": { "webhooks": [ { "event": "pullrequest:created", "url": "/webhook" } ] }
}"#;
    let catalog = Catalog::builtin();
    let imported = import::import(Kind::Connect, "bb.json", descriptor, &catalog).unwrap();
    let products: Vec<&str> = imported
        .model
        .components
        .iter()
        .filter(|c| c.kind == trustflow::model::ComponentKind::AtlassianProduct)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(products, ["bitbucket"]);
    assert!(
        imported.warnings.iter().all(|w| !w.contains("scope")),
        "{:?}",
        imported.warnings
    );
    let hook = imported
        .model
        .flows
        .iter()
        .find(|f| f.id.as_deref() == Some("webhook-pullrequest-created"))
        .unwrap();
    assert_eq!(hook.from, "bitbucket");
    assert!(hook.data.contains(&"repository-content".to_owned()), "{hook:?}");
    let yaml = import::to_yaml(&imported.model, &imported.provenance, "t");
    let loaded = load_model_str("bb.yaml", &yaml, &catalog).unwrap();
    let analysis = analyze_loaded(&loaded, &catalog);
    assert!(
        analysis
            .subprocessors
            .iter()
            .any(|s| s.data.iter().any(|d| d.id == "repository-content")),
        "pull requests reach the vendor: {:?}",
        analysis.subprocessors
    );
}

#[test]
fn the_model_is_named_after_the_manifests_own_title() {
    let catalog = Catalog::builtin();
    let text = std::fs::read_to_string(corpus().join("forge/011-chrispace03--standup-bot.yml")).unwrap();
    let imported = import::import(Kind::Forge, "forge/011.yml", &text, &catalog).unwrap();
    assert_eq!(imported.model.app.name, "Standup Bot for Jira");
    let text =
        std::fs::read_to_string(corpus().join("forge/024-spetriedish-ops--account-team-hub-shipit62.yml")).unwrap();
    let imported = import::import(Kind::Forge, "forge/024.yml", &text, &catalog).unwrap();
    assert_eq!(imported.model.app.name, "Account Team Hub", "`title` before `name`");
}

#[test]
fn an_unknown_forge_module_is_a_warning_naming_it() {
    let manifest = "app:\n  id: ari:cloud:ecosystem::app/x\nmodules:\n  frobnicator:\n    - key: f\n  function:\n    - key: g\n      handler: i.h\npermissions:\n  scopes: [read:jira-work]\n";
    let imported = import::import(Kind::Forge, "m.yml", manifest, &Catalog::builtin()).unwrap();
    assert!(
        imported.warnings.iter().any(|w| w.contains("module `frobnicator`")),
        "{:?}",
        imported.warnings
    );
    assert!(!imported.warnings.iter().any(|w| w.contains("module `function`")));
}

#[test]
fn product_tokens_give_the_remote_its_own_product_api_flows() {
    let catalog = Catalog::builtin();
    // Tokens on `remotes[].auth` (a corpus manifest) and on the `endpoint` module (atlassian.md
    // I3): either way the remote calls Jira itself with the tokens.
    let corpus_text =
        std::fs::read_to_string(corpus().join("forge/015-ibuchanan--explore-jira-agent-assignment.yml")).unwrap();
    let endpoint_only = "app: { id: x }\nmodules:\n  endpoint:\n    - key: ep\n      remote: be\n      auth:\n        appUserToken: { enabled: true }\n  jira:issuePanel: [ { key: p, title: P } ]\npermissions:\n  scopes: [read:jira-work, write:jira-work, read:app-user-token]\nremotes:\n  - { key: be, baseUrl: 'https://be.vendor.example', operations: [compute] }\n";
    let none = "app: { id: x }\nmodules:\n  endpoint:\n    - { key: ep, remote: be }\n  jira:issuePanel: [ { key: p, title: P } ]\npermissions:\n  scopes: [read:jira-work]\nremotes:\n  - { key: be, baseUrl: 'https://be.vendor.example', operations: [compute] }\n";
    for (name, text, remote, writes) in [
        ("015.yml", corpus_text.as_str(), "remote-backend-service", false),
        ("endpoint.yml", endpoint_only, "remote-be", true),
    ] {
        let imported = import::import(Kind::Forge, name, text, &catalog).unwrap();
        let flows = &imported.model.flows;
        let read = flows
            .iter()
            .find(|f| f.from == "jira" && f.to == remote)
            .unwrap_or_else(|| panic!("{name}: no Jira → remote flow"));
        assert_eq!(read.trigger, Some(trustflow::model::Trigger::Rest));
        assert!(read.data.iter().any(|d| d == "issue-content"), "{name}");
        assert_eq!(
            flows.iter().any(|f| f.from == remote && f.to == "jira"),
            writes,
            "{name}"
        );
        assert!(!imported.summary.product_tokens.is_empty(), "{name}");
        // The remote now holds Jira data in its own right: the analysis lists the vendor.
        let yaml = import::to_yaml(&imported.model, &imported.provenance, "test");
        let loaded = load_model_str(name, &yaml, &catalog).unwrap();
        let analysis = analyze_loaded(&loaded, &catalog);
        assert!(
            !analysis.findings.iter().any(
                |f| matches!(f.rule.as_str(), "TF-PLAT-002" | "TF-PLAT-003" | "TF-PLAT-004")
                    && f.message.contains("jira-to-remote")
            ),
            "{name}: the remote's own REST calls are outbound"
        );
    }
    let imported = import::import(Kind::Forge, "none.yml", none, &catalog).unwrap();
    assert!(
        !imported
            .model
            .flows
            .iter()
            .any(|f| f.from == "jira" && f.to == "remote-be"),
        "without tokens the remote gets only what the functions send"
    );
    assert!(imported.summary.product_tokens.is_empty());
}

#[test]
fn customer_managed_egress_asks_for_and_lists_each_installations_destinations() {
    let catalog = Catalog::builtin();
    let text = std::fs::read_to_string(root().join("tests/fixtures/roa/ineligible-customer-managed.yml")).unwrap();
    let imported = import::import(Kind::Forge, "cm.yml", &text, &catalog).unwrap();
    let gaps = import::gaps::gaps(&imported.model, &catalog, imported.summary.name_from_file.as_deref());
    assert!(
        gaps.iter()
            .any(|g| g.section == "installations" && g.keys.iter().any(|(k, _)| *k == "approved_egress")),
        "the overlay template asks for the approved destinations: {gaps:?}"
    );
    let overlay = "installations:\n  - { id: acme, realm: eu, established: DE, plan: standard, approved_egress: [\"https://api.openai.com\"] }\n  - { id: globex, realm: us, established: US, plan: standard, approved_egress: [\"hooks.example-crm.io\"] }\n  - { id: initech, realm: eu, established: FR, plan: standard }\n";
    let merged = import::apply_overlay(&imported.model, "overlay.yaml", overlay).unwrap();
    let yaml = import::to_yaml(&merged, &imported.provenance, "test");
    let loaded = load_model_str("cm.yaml", &yaml, &catalog).unwrap();
    let analysis = analyze_loaded(&loaded, &catalog);
    let section = analysis.customer_managed_egress.as_ref().expect("section");
    let by_id = |id: &str| section.installations.iter().find(|i| i.installation == id).unwrap();
    assert_eq!(by_id("acme").destinations[0].organisation, "openai");
    assert_eq!(
        by_id("globex").destinations[0].organisation,
        "unidentified:hooks.example-crm.io"
    );
    assert!(!by_id("initech").recorded);
    // Each installation has its own recipients: OpenAI is acme's, not globex's.
    assert!(!by_id("globex").destinations.iter().any(|d| d.organisation == "openai"));
    let mut plat013: Vec<&str> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "TF-PLAT-013")
        .map(|f| f.subject.as_str())
        .collect();
    plat013.sort_unstable();
    assert_eq!(plat013, ["installation `globex`", "installation `initech`"]);
    assert!(!analysis.runs_on_atlassian.eligible);
    assert!(
        analysis.residency.iter().all(|r| r
            .evidence_required
            .iter()
            .any(|e| e.contains("customer-managed egress"))),
        "residency is not concluded without the approved destinations"
    );
}

#[test]
fn a_wildcard_over_a_public_suffix_is_unbounded_egress() {
    let catalog = Catalog::builtin();
    for (wildcard, unbounded) in [("*.co.uk", true), ("*.com.au", true), ("*.acme-corp.co.uk", false)] {
        let manifest = format!(
            "app: {{ id: x }}\nmodules:\n  function: [ {{ key: f, handler: i.h }} ]\npermissions:\n  scopes: [read:jira-work]\n  external:\n    fetch:\n      backend: ['{wildcard}']\n"
        );
        let imported = import::import(Kind::Forge, "w.yml", &manifest, &catalog).unwrap();
        let yaml = import::to_yaml(&imported.model, &imported.provenance, "test");
        let analysis = analyze_loaded(&load_model_str("w.yaml", &yaml, &catalog).unwrap(), &catalog);
        assert_eq!(
            analysis.findings.iter().any(|f| f.rule == "TF-PLAT-008"),
            unbounded,
            "{wildcard} (Public Suffix List)"
        );
    }
}

/// The model's description names the descriptor by its file name only: the folders above it
/// are the user's machine, and the description is printed in published reports.
#[test]
fn the_description_names_the_descriptor_file_not_its_folders() {
    let catalog = Catalog::builtin();
    for (kind, path) in [
        (
            Kind::Connect,
            "tests/corpus/connect/009-Dynatrace--atlassian-connect-jira.json",
        ),
        (
            Kind::Forge,
            "tests/corpus/forge/001-01Bhaskar-dev--pit-crew-for-jira.yml",
        ),
    ] {
        let text = std::fs::read_to_string(root().join(path)).unwrap();
        let absolute = root().join(path).display().to_string();
        let imported = import::import(kind, &absolute, &text, &catalog).unwrap();
        let description = imported.model.app.description.unwrap();
        let file = path.rsplit('/').next().unwrap();
        assert!(description.contains(file), "{description}");
        assert!(!description.contains("tests/corpus"), "{description}");
    }
}

/// A Forge manifest never names its app (the name is set in the developer console), so the
/// import calls it after its file: the summary and the overlay template ask for the real name,
/// and stop asking once an overlay gives it.
#[test]
fn an_app_named_after_its_file_is_asked_for_its_name() {
    let catalog = Catalog::builtin();
    let manifest = "app: { id: x }\nmodules:\n  function: [ { key: f, handler: i.h } ]\npermissions:\n  scopes: [read:jira-work]\n";
    let imported = import::import(Kind::Forge, "standup-buddy/manifest.yml", manifest, &catalog).unwrap();
    assert_eq!(imported.model.app.name, "standup-buddy");
    assert_eq!(imported.summary.name_from_file.as_deref(), Some("standup-buddy"));
    let from_file = imported.summary.name_from_file.as_deref();
    let gaps = import::gaps::gaps(&imported.model, &catalog, from_file);
    let app = gaps.iter().find(|g| g.section == "app").expect("the name is asked for");
    assert_eq!(app.keys[0].0, "name");
    let template = import::gaps::overlay_template("manifest.yml", "trustflow import …", &gaps);
    assert!(
        template.contains("\n# app: { name: \"REPLACE: the app's name on the Marketplace\", version: \"REPLACE: "),
        "{template}"
    );
    // The template's line, uncommented, is a valid overlay that ends the question.
    let merged = import::apply_overlay(
        &imported.model,
        "o.yaml",
        "app: { name: Standup Buddy, version: \"1.0.0\" }\n",
    )
    .unwrap();
    assert_eq!(merged.app.name, "Standup Buddy");
    assert!(
        !import::gaps::gaps(&merged, &catalog, from_file)
            .iter()
            .any(|g| g.section == "app")
    );
    // A descriptor that names its app is not asked.
    let connect = r#"{"key": "k", "name": "Named", "baseUrl": "https://app.example.com", "authentication": {"type": "jwt"}, "modules": {}}"#;
    let named = import::import(Kind::Connect, "atlassian-connect.json", connect, &catalog).unwrap();
    assert_eq!(named.summary.name_from_file, None);
}
