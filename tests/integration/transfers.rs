//! Transfers per hop, one fixture model per regime case (`tests/fixtures/transfers/`, each citing
//! its source): who exports, under which law, on what basis, and how far it is evidenced.

use crate::root;
use trustflow::analysis::{Analysis, analyze_loaded};
use trustflow::catalog::Catalog;
use trustflow::load::load_model_file;

fn analysis(name: &str) -> Analysis {
    let catalog = Catalog::builtin();
    let loaded = load_model_file(&root().join("tests/fixtures/transfers").join(name), &catalog)
        .unwrap_or_else(|d| panic!("{name}: {}", trustflow::diagnostic::render_all(&d)));
    analyze_loaded(&loaded, &catalog)
}

/// Every hop as `realm exporter → importer (importer country): regime mechanism status`.
fn hops(name: &str) -> Vec<String> {
    let analysis = analysis(name);
    let mut hops: Vec<String> = analysis
        .transfers
        .iter()
        .map(|t| {
            let value = serde_json::to_value(t).unwrap();
            format!(
                "{} {} → {} ({}): {} {}{} {}",
                value["realm"].as_str().unwrap(),
                t.exporter,
                t.importer,
                t.importer_country.as_deref().unwrap_or("?"),
                value["regime"].as_str().unwrap(),
                value["mechanism"].as_str().unwrap(),
                t.module.map(|m| format!(" {m}")).unwrap_or_default(),
                value["status"].as_str().unwrap(),
            )
        })
        .collect();
    hops.sort();
    for t in analysis.transfers.iter() {
        assert!(!t.why.is_empty() && !t.label.contains("none needed"), "{name}: {t:?}");
    }
    hops
}

#[test]
fn eu_to_us_dpf_counts_only_when_recorded() {
    assert_eq!(
        hops("eu-us-dpf.yaml"),
        [
            "eu customer → v (DE): eu-gdpr within-eea not-a-transfer",
            "eu v → certified (US): eu-gdpr eu-us-dpf recorded",
            "eu v → unchecked (US): eu-gdpr eu-us-dpf required",
        ]
    );
}

#[test]
fn an_importer_of_unknown_establishment_is_never_simply_not_a_transfer() {
    assert_eq!(
        hops("importer-establishment-unknown.yaml"),
        [
            "eu customer → v (DE): eu-gdpr within-eea not-a-transfer",
            "eu v → far (GB): eu-gdpr adequacy not-assessed",
            "eu v → here (DE): eu-gdpr not-a-transfer not-assessed",
            "eu v → near (FR): eu-gdpr within-eea not-assessed",
        ]
    );
    let analysis = analysis("importer-establishment-unknown.yaml");
    for importer in ["here", "near", "far"] {
        let hop = analysis.transfers.iter().find(|t| t.importer == importer).unwrap();
        assert!(hop.evidence_required, "{hop:?}");
        assert!(hop.label.contains("establishment is not recorded"), "{hop:?}");
        assert!(hop.why.contains("EDPB Guidelines 05/2021"), "{hop:?}");
        // The open item is reported, not only written in the inventory.
        assert!(
            analysis.findings.iter().any(|f| f.rule == "TF-RES-002"
                && f.subject == importer
                && f.evidence_required
                && f.references.contains(&"EDPB Guidelines 05/2021")),
            "{importer}: {:#?}",
            analysis.findings
        );
    }
    // With the establishment recorded, the same hops are not transfers and nothing is open.
    let catalog = Catalog::builtin();
    let text = std::fs::read_to_string(root().join("tests/fixtures/transfers/importer-establishment-unknown.yaml"))
        .unwrap()
        .replace("name: Here AI,", "name: Here AI, country: DE,")
        .replace("name: Near Mail,", "name: Near Mail, country: FR,")
        .replace("name: Far Search,", "name: Far Search, country: GB,");
    let loaded = trustflow::load::load_model_str("known.yaml", &text, &catalog).unwrap();
    let known = analyze_loaded(&loaded, &catalog);
    for t in known.transfers.iter() {
        let status = serde_json::to_value(t.status).unwrap();
        let expected = if t.importer == "far" {
            "recorded"
        } else {
            "not-a-transfer"
        };
        assert_eq!(status, expected, "{t:?}");
    }
    assert!(
        !known.findings.iter().any(|f| f.rule == "TF-RES-002"),
        "{:#?}",
        known.findings
    );
}

#[test]
fn eu_to_gb_rests_on_adequacy() {
    assert_eq!(
        hops("eu-gb-adequacy.yaml"),
        [
            "eu customer → v (DE): eu-gdpr within-eea not-a-transfer",
            "eu v → uk (GB): eu-gdpr adequacy recorded",
        ]
    );
}

#[test]
fn uk_exporters_use_uk_instruments_never_eu_ones() {
    assert_eq!(
        hops("gb-domestic-and-us.yaml"),
        [
            "gb customer → v (GB): uk-gdpr not-a-transfer not-a-transfer",
            "gb v → bridged (US): uk-gdpr uk-extension recorded",
            // EU SCCs alone are not valid for UK transfers.
            "gb v → eu-only (US): uk-gdpr idta required",
            "gb v → idta (US): uk-gdpr idta recorded",
        ]
    );
}

#[test]
fn swiss_exporters_need_the_swiss_dpf_not_the_eu_one() {
    assert_eq!(
        hops("ch-us-swiss-dpf.yaml"),
        [
            "ch customer → v (CH): ch-fadp not-a-transfer not-a-transfer",
            "ch v → eu-dpf (US): ch-fadp swiss-us-dpf required",
            "ch v → swiss (US): ch-fadp swiss-us-dpf recorded",
        ]
    );
}

#[test]
fn an_eu_processor_brings_the_gdpr_to_any_realm() {
    assert_eq!(
        hops("de-processor-in-realm.yaml"),
        [
            "in customer → v (DE): in-dpdp none-found not-assessed",
            "in v → indian (IN): eu-gdpr sccs 3 required",
        ]
    );
}

#[test]
fn a_us_vendor_on_forge_gets_the_same_answer_with_or_without_an_operator() {
    let expected = [
        "eu customer → v (US): eu-gdpr eu-us-dpf required",
        "eu v → atlassian (AU): eu-gdpr sccs 3 recorded",
    ];
    assert_eq!(hops("us-vendor-forge-native.yaml"), expected);
    assert_eq!(hops("us-vendor-forge-native-operator.yaml"), expected);
}

#[test]
fn a_realm_without_the_customers_establishment_concludes_nothing() {
    let analysis = analysis("us-realm-unknown-establishment.yaml");
    let hop = &analysis.transfers[0];
    assert_eq!(serde_json::to_value(hop.status).unwrap(), "not-assessed", "{hop:?}");
    assert!(
        hop.why.contains("depends on where the customer is established"),
        "{}",
        hop.why
    );
    assert!(hop.label.contains("depends on where the customer is established"));
}

#[test]
fn no_bundled_model_or_fixture_says_none_needed_or_in_place() {
    let catalog = Catalog::builtin();
    let mut files = crate::yaml_files("models");
    files.extend(crate::yaml_files("tests/fixtures/transfers"));
    for dir in std::fs::read_dir(root().join("tests/fixtures/rules")).unwrap() {
        let dir = dir.unwrap().path();
        files.push(dir.join("fires.yaml"));
        files.push(dir.join("quiet.yaml"));
    }
    for path in files {
        let loaded = load_model_file(&path, &catalog).unwrap();
        let analysis = analyze_loaded(&loaded, &catalog);
        let text = trustflow::text::analysis_text(&analysis);
        let json = serde_json::to_string(&analysis).unwrap();
        for output in [&text, &json] {
            assert!(!output.contains("none needed"), "{}", path.display());
            assert!(!output.contains("in place"), "{}", path.display());
        }
    }
}

#[test]
fn phi_summarised_by_an_llm_and_emailed_stays_phi() {
    let analysis = analysis("phi-summary-emailed.yaml");
    assert!(
        analysis.hipaa.phi.contains(&"summary".to_owned()),
        "{:?}",
        analysis.hipaa.phi
    );
    assert!(
        !analysis.hipaa.phi.contains(&"stats".to_owned()),
        "de-identified data is not PHI"
    );
    let mail = analysis
        .findings
        .iter()
        .find(|f| f.rule == "TF-HIPAA-001" && f.subject == "mail")
        .expect("the e-mail provider receives PHI without a BAA");
    assert!(!mail.evidence_required, "the model says there is no BAA: {mail:?}");
    assert!(mail.message.contains("summary"), "{}", mail.message);
}

#[test]
fn a_flow_the_customer_directs_is_its_own_integration_not_a_sub_processor() {
    let analysis = analysis("customer-owned-flow.yaml");
    let integrations: Vec<&str> = analysis
        .customer_integrations
        .iter()
        .map(|i| i.component.as_str())
        .collect();
    assert_eq!(integrations, ["slack"]);
    let recipients: Vec<&str> = analysis.subprocessors.iter().map(|s| s.organisation.as_str()).collect();
    assert!(!recipients.contains(&"slack"), "{recipients:?}");
    assert!(
        recipients.contains(&"index"),
        "a vendor flow also reaches it: {recipients:?}"
    );
    assert!(
        analysis.transfers.iter().all(|t| t.importer != "slack"),
        "{:?}",
        analysis.transfers
    );
    let atlassian = analysis
        .atlassian_as_customer_processor
        .as_ref()
        .expect("product data is stated as Atlassian's processing for the customer");
    assert_eq!(atlassian.data, ["content"]);
}

#[test]
fn an_independent_controller_and_its_processor_are_not_sub_processors() {
    let analysis = analysis("independent-controller.yaml");
    let role = |org: &str| {
        let row = analysis
            .subprocessors
            .iter()
            .find(|s| s.organisation == org)
            .unwrap_or_else(|| panic!("{org} is listed"));
        serde_json::to_value(row.role).unwrap()
    };
    assert_eq!(role("vanalytics"), "independent-controller");
    assert_eq!(role("mixpanel"), "controllers-processor");
    let hop = analysis.transfers.iter().find(|t| t.importer == "mixpanel").unwrap();
    assert_eq!(
        hop.exporter, "vanalytics",
        "the controller exports to its own processor"
    );
    assert_eq!(hop.module, None, "{hop:?}");
    assert!(
        !analysis
            .findings
            .iter()
            .any(|f| f.rule == "TF-GDPR-001" && f.subject == "vanalytics"),
        "Art. 28 does not apply to an independent controller"
    );
}

#[test]
fn uk_transfer_findings_cite_uk_instruments_only() {
    let catalog = Catalog::builtin();
    let loaded = load_model_file(&root().join("models/forge-egress.yaml"), &catalog).unwrap();
    let analysis = analyze_loaded(&loaded, &catalog);
    let uk: Vec<_> = analysis
        .findings
        .iter()
        .filter(|f| f.rule == "TF-RES-002" && f.message.contains("uk-gdpr"))
        .collect();
    assert!(!uk.is_empty());
    for finding in uk {
        let text = format!("{:?} {}", finding.references, finding.remediation);
        assert!(text.contains("IDTA") && text.contains("dpf_uk"), "{text}");
        assert!(!text.contains("2021/914") && !text.contains("`dpf: true`"), "{text}");
    }
}

#[test]
fn a_regime_named_but_not_assessed_names_its_rule() {
    let analysis = analysis("de-processor-in-realm.yaml");
    let hop = analysis.transfers.iter().find(|t| t.exporter == "customer").unwrap();
    assert_eq!(hop.label, "not assessed: India's DPDP Act 2023 s 16 applies");
}

#[test]
fn declared_egress_without_a_flow_is_still_a_listed_recipient() {
    let analysis = analysis("declared-egress-no-flow.yaml");
    let names: Vec<&str> = analysis.subprocessors.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"hooks.zapier.com (declared egress; recipient not identified, no flow modelled)"),
        "{names:?}"
    );
    assert!(
        names.contains(&"OpenAI (declared egress `api.openai.com`, no flow modelled)"),
        "{names:?}"
    );
    let hop = analysis
        .transfers
        .iter()
        .find(|t| t.importer == "declared:hooks.zapier.com")
        .unwrap();
    assert_eq!(serde_json::to_value(hop.status).unwrap(), "required");
    assert!(hop.evidence_required && hop.why.contains("not assessed"), "{hop:?}");
}

#[test]
fn an_unidentified_recipient_of_phi_is_a_chain_link_with_no_baa_possible() {
    let analysis = analysis("phi-unidentified.yaml");
    let link = analysis
        .hipaa
        .chain
        .iter()
        .find(|l| l.organisation == "unidentified:api.widgetly.io")
        .expect("the unidentified recipient is in the chain");
    assert!(link.baa_label.contains("nobody can identify"), "{link:?}");
    assert!(
        analysis
            .findings
            .iter()
            .any(|f| f.rule == "TF-HIPAA-001" && f.subject == link.organisation && f.severity.as_str() == "high")
    );
    let hop = analysis
        .transfers
        .iter()
        .find(|t| t.importer == "unidentified:api.widgetly.io")
        .unwrap();
    assert_eq!(hop.regime.code(), "uk-gdpr", "the UK vendor's own law: {hop:?}");
}

#[test]
fn a_hop_not_assessed_is_an_open_item_not_a_clean_result() {
    let analysis = analysis("us-realm-unknown-establishment.yaml");
    assert!(
        analysis
            .open_items
            .iter()
            .any(|i| i.rule == "TF-RES-002" && i.message.contains("not assessed")),
        "{:?}",
        analysis.open_items
    );
}

#[test]
fn a_disclosure_in_the_vendors_own_third_country_is_an_onward_transfer() {
    let hops = hops("us-vendor-onward-same-country.yaml");
    assert!(
        hops.contains(&"eu v → certified (US): eu-gdpr eu-us-dpf recorded".to_owned()),
        "{hops:?}"
    );
    assert!(
        hops.contains(&"eu v → unchecked (US): eu-gdpr eu-us-dpf required".to_owned()),
        "{hops:?}"
    );
    assert!(
        hops.contains(&"us v → unchecked (US): none not-a-transfer not-a-transfer".to_owned()),
        "{hops:?}"
    );
    let analysis = analysis("us-vendor-onward-same-country.yaml");
    let onward = analysis
        .transfers
        .iter()
        .find(|t| t.importer == "unchecked" && t.realm.code() == "eu")
        .unwrap();
    assert!(
        onward.why.contains("onward transfer (SCCs clause 8.7"),
        "{}",
        onward.why
    );
}

/// Customers of one realm established in several countries: under one law they share the
/// conclusion, said as recorded (not "presumed from the realm"); under several laws each law's
/// customers get their own conclusion, and the realm's entry names each outcome.
#[test]
fn customers_of_one_realm_under_one_law_share_a_conclusion_under_several_none() {
    let analysis = analysis("mixed-establishments.yaml");
    let hop = |realm: &str| {
        analysis
            .transfers
            .iter()
            .find(|t| t.exporter == "customer" && t.realm.code() == realm)
            .unwrap()
    };
    let eu = hop("eu");
    assert_eq!(serde_json::to_value(eu.regime).unwrap(), "eu-gdpr", "{eu:?}");
    assert_eq!(serde_json::to_value(eu.status).unwrap(), "not-a-transfer", "{eu:?}");
    assert!(!eu.label.contains("presumed"), "{}", eu.label);
    assert!(eu.why.contains("established in DE, FR"), "{}", eu.why);
    let gb = hop("gb");
    assert!(
        gb.why
            .contains("different laws (DE: EU GDPR Chapter V; GB: UK GDPR Chapter V)"),
        "{}",
        gb.why
    );
    assert!(!gb.why.contains("does not record"), "{}", gb.why);
    let parts: Vec<(Vec<String>, Vec<String>, String)> = gb
        .by_customer_law
        .iter()
        .map(|p| {
            let status = serde_json::to_value(p.transfer.status).unwrap();
            (
                p.established.clone(),
                p.installations.clone(),
                status.as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The vendor is established in DE: no transfer for the DE customer; from GB a disclosure
    // to an EEA entity, which the UK's adequacy regulations cover (transfers.md H2), whatever
    // the vendor then does: its own hop to AWS is listed under the EU GDPR.
    assert_eq!(
        parts,
        [
            (vec!["DE".to_owned()], vec!["d".to_owned()], "not-a-transfer".to_owned()),
            (vec!["GB".to_owned()], vec!["c".to_owned()], "recorded".to_owned()),
        ]
    );
    assert!(!gb.by_customer_law[1].transfer.why.contains("UK Extension"), "{gb:?}");
    // The summary carries the basis a reader must act on and names each group's outcome.
    assert_eq!(serde_json::to_value(gb.status).unwrap(), "recorded", "{gb:?}");
    assert_eq!(
        gb.label,
        "differs by where the customer is established — customers in DE: not a transfer (importer established in DE, as the exporter is); customers in GB: UK adequacy regulations, which cover DE"
    );
    let onward = analysis
        .transfers
        .iter()
        .find(|t| t.exporter == "v" && t.importer == "aws" && t.realm.code() == "gb")
        .unwrap();
    assert_eq!(serde_json::to_value(onward.regime).unwrap(), "eu-gdpr", "{onward:?}");
}

/// A vendor under no transfer law of its own passes on the law the data was first exported
/// under: the customer's. When the model does not record where the customer is established,
/// the vendor's disclosures are not assessed (were the customer European, they would be
/// onward transfers), never "not a transfer".
#[test]
fn a_us_vendors_disclosures_depend_on_the_customers_law() {
    let model = |installation: &str| {
        format!(
            r#"trustflow: 1
app: {{ name: U, platform: connect, vendor: v }}
organisations:
  - {{ id: v, name: V, legal_entity: V Inc., country: US, dpa: "https://v.example/dpa" }}
  - {{ id: openai, catalog: openai }}
data:
  - {{ id: issue, personal: true }}
components:
  - {{ id: jira, kind: atlassian-product, region: tenant }}
  - {{ id: app, kind: service, operator: v, region: "aws:us-east-1" }}
  - {{ id: llm, kind: external-service, operator: openai, region: US }}
flows:
  - {{ from: jira, to: app, data: [issue], purpose: Sync }}
  - {{ from: app, to: llm, data: [issue], purpose: Summarise }}
installations:
  - {installation}
"#
        )
    };
    let catalog = Catalog::builtin();
    let hop = |installation: &str| {
        let loaded = trustflow::load::load_model_str("u.yaml", &model(installation), &catalog).unwrap();
        let analysis = trustflow::analysis::analyze_loaded(&loaded, &catalog);
        analysis
            .transfers
            .iter()
            .find(|t| t.importer == "openai")
            .unwrap()
            .as_ref()
            .clone()
    };
    let unknown = hop("{ id: u, realm: us }");
    assert_eq!(
        serde_json::to_value(unknown.status).unwrap(),
        "not-assessed",
        "{unknown:?}"
    );
    assert!(unknown.evidence_required, "{unknown:?}");
    assert_eq!(
        unknown.label,
        "not assessed: depends on where the customer is established"
    );
    assert!(unknown.why.contains("onward transfer"), "{}", unknown.why);
    let us = hop("{ id: u, realm: us, established: US }");
    assert_eq!(serde_json::to_value(us.status).unwrap(), "not-a-transfer", "{us:?}");
    let swiss = hop("{ id: u, realm: us, established: CH }");
    assert!(swiss.why.contains("onward transfer"), "{}", swiss.why);
    assert_eq!(serde_json::to_value(swiss.regime).unwrap(), "ch-fadp");
}

#[test]
fn each_inventory_hop_points_at_its_whole_entry_in_transfers() {
    // What a reader of the JSON follows: `subprocessors[].transfer_mechanism[realm].transfer`
    // is the index of the same hop in `transfers`, with its reasons, written once; and the
    // JSON is what docs/analysis.schema.json says it is.
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(crate::root().join("docs/analysis.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let (mut hops, mut parted) = (0, 0);
    let models = crate::yaml_files("models")
        .into_iter()
        .chain(crate::yaml_files("tests/fixtures/transfers"));
    for model in models {
        let out = crate::trustflow()
            .args(["analyze", "--format", "json"])
            .arg(&model)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", model.display());
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", model.display());
        let transfers = json["transfers"].as_array().unwrap();
        for row in json["subprocessors"].as_array().unwrap() {
            for (realm, hop) in row["transfer_mechanism"].as_object().unwrap() {
                let whole = &transfers[hop["transfer"].as_u64().unwrap() as usize];
                assert_eq!(whole["realm"], realm.as_str(), "{}", model.display());
                assert_eq!(whole["importer"], row["organisation"]);
                for field in [
                    "exporter",
                    "regime",
                    "mechanism",
                    "module",
                    "status",
                    "label",
                    "by_platform_terms",
                    "evidence_required",
                ] {
                    assert_eq!(hop.get(field), whole.get(field), "{field} in {}", model.display());
                }
                // A hop concluded per customer law says so, and how many conclusions it has.
                let parts = whole
                    .get("by_customer_law")
                    .and_then(|p| p.as_array())
                    .map_or(0, Vec::len);
                assert_eq!(hop["customer_law_parts"].as_u64().unwrap_or(0), parts as u64);
                assert!(hop.get("why").is_none(), "the reasons are written once, in `transfers`");
                hops += 1;
                parted += usize::from(parts > 0);
            }
        }
    }
    assert!(hops > 20, "the bundled models have hops to check ({hops})");
    assert!(parted > 0, "the fixtures have hops concluded per customer law");
}
