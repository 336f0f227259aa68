//! Diff categories, waivers, evidence required, SARIF and exports.

use crate::edit;
use crate::{root, trustflow};
use predicates::prelude::*;
use trustflow::analysis::{Analysis, analyze_loaded};
use trustflow::catalog::Catalog;
use trustflow::dates::Date;
use trustflow::diff::{ChangeKind, diff};
use trustflow::load::{load_model_file, load_model_str};

const BASE: &str = r#"trustflow: 1
app: { name: Diff base, platform: connect, vendor: v }
organisations:
  - { id: customer, name: C, role: customer }
  - { id: v, name: Vendor, legal_entity: V GmbH, country: DE, dpa: "https://v.example/dpa" }
  - { id: aws, catalog: aws, dpa: "https://aws.example/dpa", sccs: true }
  - { id: mail, catalog: sendgrid, dpa: "https://mail.example/dpa" }
data:
  - { id: content, personal: true }
  - { id: identity, personal: true }
components:
  - { id: jira, kind: atlassian-product, region: tenant }
  - { id: server, kind: service, operator: v, hosted_by: aws, region: "aws:eu-central-1", verifies_jwt: true, validates_qsh: true }
  - { id: email, kind: external-service, operator: mail, region: US }
flows:
  - { from: jira, to: server, trigger: webhook, auth: jwt-hs256, data: [content, identity], purpose: Sync }
  - { from: server, to: email, trigger: rest, auth: api-key, host: api.sendgrid.com, data: [identity], purpose: Notify }
installations:
  - { id: eu, realm: eu, plan: standard }
"#;

const LLM: &str = "  - { id: openai, catalog: openai, dpa: \"https://openai.example/dpa\", sccs: true }\ndata:";
const LLM_PARTS: &str = "  - { id: llm, kind: external-service, operator: openai, region: US }\nflows:";
const LLM_FLOW: &str = "  - { from: server, to: llm, trigger: rest, auth: api-key, host: api.openai.com, data: [content], purpose: Summarise }\ninstallations:";

fn analysis(yaml: &str) -> Analysis {
    let catalog = Catalog::builtin();
    analyze_loaded(&load_model_str("m.yaml", yaml, &catalog).unwrap(), &catalog)
}

fn kinds(old: &str, new: &str) -> Vec<ChangeKind> {
    let mut kinds: Vec<ChangeKind> = diff(&analysis(old), &analysis(new))
        .changes
        .iter()
        .map(|c| c.kind)
        .collect();
    kinds.dedup();
    kinds
}

#[test]
fn each_diff_category_on_fixture_pairs() {
    let with_llm = edit(
        BASE,
        &[("data:", LLM), ("flows:", LLM_PARTS), ("installations:", LLM_FLOW)],
    );
    let new = kinds(BASE, &with_llm);
    assert!(
        new.contains(&ChangeKind::NewSubprocessor) && new.contains(&ChangeKind::NewTransfer),
        "{new:?}"
    );
    assert!(kinds(&with_llm, BASE).contains(&ChangeKind::RemovedSubprocessor));
    let moved = edit(BASE, &[("region: \"aws:eu-central-1\"", "region: \"aws:us-east-1\"")]);
    let k = kinds(BASE, &moved);
    assert!(
        k.contains(&ChangeKind::ChangedLocation) && k.contains(&ChangeKind::NewTransfer),
        "{k:?}"
    );
    let more_data = edit(
        BASE,
        &[(
            "data: [identity], purpose: Notify",
            "data: [identity, content], purpose: Notify",
        )],
    );
    assert!(kinds(BASE, &more_data).contains(&ChangeKind::NewData));
    assert!(kinds(&more_data, BASE).contains(&ChangeKind::RemovedData));
    // SendGrid is DPF-certified in the catalog; recording it as not certified changes the basis.
    let no_dpf = edit(
        BASE,
        &[(
            "{ id: mail, catalog: sendgrid,",
            "{ id: mail, catalog: sendgrid, dpf: false,",
        )],
    );
    assert!(kinds(BASE, &no_dpf).contains(&ChangeKind::NewTransfer));
    let no_qsh = edit(BASE, &[("validates_qsh: true", "validates_qsh: false")]);
    assert_eq!(kinds(BASE, &no_qsh), [ChangeKind::NewFinding]);
    assert_eq!(kinds(&no_qsh, BASE), [ChangeKind::ResolvedFinding]);
    let forge = "trustflow: 1\napp: { name: F, platform: forge, vendor: v }\norganisations: [{ id: v, name: V, country: DE, dpa: \"https://v.example\" }, { id: atlassian, catalog: atlassian }]\ndata: [{ id: content, personal: true }]\ncomponents:\n  - { id: jira, kind: atlassian-product }\n  - { id: fn, kind: forge-function }\nflows: [{ from: jira, to: fn, trigger: event, data: [content], purpose: Sync }]\ninstallations: [{ id: eu, realm: eu }]\n";
    assert!(kinds(BASE, forge).contains(&ChangeKind::RoaGained));
    assert!(kinds(forge, BASE).contains(&ChangeKind::RoaLost));
    assert!(kinds(BASE, BASE).is_empty());
}

#[test]
fn connect_to_forge_notice_lists_exactly_the_recipients_that_disappear() {
    let catalog = Catalog::builtin();
    let old = analyze_loaded(
        &load_model_file(&root().join("models/connect-aws.yaml"), &catalog).unwrap(),
        &catalog,
    );
    let new = analyze_loaded(
        &load_model_file(&root().join("models/forge-native.yaml"), &catalog).unwrap(),
        &catalog,
    );
    let changes = diff(&old, &new);
    let removed: Vec<&str> = changes
        .of(ChangeKind::RemovedSubprocessor)
        .map(|c| c.subject.as_str())
        .collect();
    assert_eq!(removed, ["aws", "openai", "sendgrid"]);
    let added: Vec<&str> = changes
        .of(ChangeKind::NewSubprocessor)
        .map(|c| c.subject.as_str())
        .collect();
    assert_eq!(
        added,
        ["atlassian"],
        "Forge hosting makes Atlassian the app's sub-processor"
    );
    let output = trustflow()
        .args([
            "diff",
            "models/connect-aws.yaml",
            "models/forge-native.yaml",
            "--format",
            "md",
            "--date",
            "2026-12-01",
        ])
        .assert()
        .success();
    let notice = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    let no_longer = notice
        .split("## Sub-processors no longer used")
        .nth(1)
        .unwrap()
        .split("##")
        .next()
        .unwrap();
    for name in ["Amazon Web Services", "OpenAI", "Twilio SendGrid"] {
        assert!(no_longer.contains(name), "{name} missing from:\n{notice}");
    }
    assert_eq!(no_longer.matches("\n- ").count(), 3, "exactly three:\n{no_longer}");
    assert!(
        notice.contains("take effect on **2026-12-31**"),
        "30-day window from the notice date"
    );
}

#[test]
fn adding_an_llm_provider_fails_the_gate_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    std::fs::write(&old, BASE).unwrap();
    std::fs::write(
        &new,
        edit(
            BASE,
            &[("data:", LLM), ("flows:", LLM_PARTS), ("installations:", LLM_FLOW)],
        ),
    )
    .unwrap();
    trustflow()
        .args(["diff", "--fail-on", "new-subprocessor"])
        .arg(&old)
        .arg(&new)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("new-subprocessor      OpenAI"))
        .stderr(predicate::str::contains("fail-on new-subprocessor: OpenAI"));
    trustflow()
        .args(["diff", "--fail-on", "new-subprocessor"])
        .arg(&old)
        .arg(&old)
        .assert()
        .success();
}

const WAIVERS: &str = r"waivers:
  - rule: TF-RES-002
    subject: openai
    realm: eu
    reason: SCCs signed with OpenAI on 2026-03-01 (contract 42)
    owner: privacy@acme.example
    expires: 2027-03-01
  - rule: TF-PLAT-001
    subject: app-db
    reason: Secrets encrypted with KMS; rotation quarterly
    owner: security@acme.example
    expires: 2026-01-31
  - rule: TF-PLAT-002
    subject: nothing-here
    reason: stale
    owner: someone
    expires: 2030-01-01
";

#[test]
fn waiver_life_cycle_active_expired_and_mismatched() {
    let catalog = Catalog::builtin();
    let mut analysis = analyze_loaded(
        &load_model_file(&root().join("models/connect-aws.yaml"), &catalog).unwrap(),
        &catalog,
    );
    let before = analysis.finding_counts.medium;
    let file = trustflow::waivers::parse("w.yaml", WAIVERS).unwrap();
    let unused = trustflow::waivers::apply(&mut analysis, &file.waivers, Date::parse("2026-11-23").unwrap());
    assert_eq!(unused.len(), 1, "the mismatched waiver is reported");
    assert_eq!(unused[0].subject, "nothing-here");
    let openai = analysis
        .findings
        .iter()
        .find(|f| f.rule == "TF-RES-002" && f.subject == "openai")
        .unwrap();
    assert!(openai.is_waived(), "active waiver");
    let secret = analysis.findings.iter().find(|f| f.rule == "TF-PLAT-001").unwrap();
    assert!(
        secret.waiver.is_some() && !secret.is_waived(),
        "expired waiver: the finding fires again"
    );
    assert_eq!(analysis.finding_counts.waived, 1);
    assert_eq!(analysis.finding_counts.medium, before - 1);
    // Still visible in reports, marked as waived.
    let json = serde_json::to_value(&analysis).unwrap();
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["waiver"]["status"] == "active")
    );
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["waiver"]["status"] == "expired")
    );
    // And after the expiry date, the first one fires again too.
    let mut later = analyze_loaded(
        &load_model_file(&root().join("models/connect-aws.yaml"), &catalog).unwrap(),
        &catalog,
    );
    trustflow::waivers::apply(&mut later, &file.waivers, Date::parse("2027-03-02").unwrap());
    assert_eq!(later.finding_counts.waived, 0);
}

#[test]
fn bad_waiver_files_are_located() {
    let errors = trustflow::waivers::parse(
        "w.yaml",
        "waivers:\n  - rule: TF-RES-02\n    subject: x\n    reason: r\n    owner: o\n    expires: soon\n    note: x\n",
    )
    .unwrap_err();
    let codes: Vec<&str> = errors.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["unknown-key"]);
    let errors = trustflow::waivers::parse(
        "w.yaml",
        "waivers:\n  - rule: TF-RES-02\n    subject: x\n    reason: r\n    owner: o\n    expires: soon\n",
    )
    .unwrap_err();
    let found: Vec<(&str, u32)> = errors.iter().map(|d| (d.code, d.line)).collect();
    assert_eq!(found, [("unknown-rule", 2), ("invalid-value", 6)]);
    assert!(errors[0].help.iter().any(|h| h.contains("TF-RES-002")));
}

#[test]
fn waivers_change_the_gate_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("waivers.yaml");
    let all_high = "waivers:\n  - { rule: TF-RES-001, subject: app-db, reason: EU customers told in the DPA, owner: dpo@acme.example, expires: 2099-12-31 }\n";
    std::fs::write(&waivers, all_high).unwrap();
    trustflow()
        .args([
            "check",
            "models/connect-aws.yaml",
            "--fail-on",
            "high",
            "--today",
            "2026-11-23",
            "--waivers",
        ])
        .arg(&waivers)
        .assert()
        .success();
    trustflow()
        .args([
            "check",
            "models/connect-aws.yaml",
            "--fail-on",
            "high",
            "--today",
            "2100-01-01",
            "--waivers",
        ])
        .arg(&waivers)
        .assert()
        .code(1);
}

#[test]
fn missing_facts_are_open_items() {
    let yaml = edit(
        BASE,
        &[
            ("verifies_jwt: true, ", ""),
            (
                "{ id: mail, catalog: sendgrid, dpa: \"https://mail.example/dpa\" }",
                "{ id: mail, name: Mailer, country: US }",
            ),
        ],
    );
    let analysis = analysis(&yaml);
    let items: Vec<(&str, &str)> = analysis
        .open_items
        .iter()
        .map(|i| (i.rule.as_str(), i.subject.as_str()))
        .collect();
    assert!(items.contains(&("TF-PLAT-003", "server")), "{items:?}");
    assert!(items.contains(&("TF-GDPR-001", "mail")), "{items:?}");
    assert!(items.contains(&("TF-RES-002", "mail")), "{items:?}");
    assert_eq!(analysis.open_items.len(), analysis.finding_counts.evidence_required);
}

fn sarif_schema() -> serde_json::Value {
    // The SARIF 2.1.0 schema ships inside the serde-sarif crate (a dev-dependency).
    let metadata = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(root())
        .output()
        .unwrap();
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .unwrap()
        .to_owned();
    let schema = std::path::Path::new(&manifest)
        .parent()
        .unwrap()
        .join("src/schema.json");
    let text = std::fs::read_to_string(schema).unwrap();
    // The published schema's pattern for `language` has a stray `]` that the validator's
    // meta-schema check rejects as a regular expression; trustflow never sets `language`.
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(stray), "the schema changed: review this workaround");
    let schema: serde_json::Value =
        serde_json::from_str(&text.replace(stray, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#)).unwrap();
    schema
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema_and_points_at_lines() {
    let output = trustflow()
        .args([
            "analyze",
            "models/connect-aws.yaml",
            "models/forge-egress.yaml",
            "--format",
            "sarif",
        ])
        .assert()
        .success();
    let sarif: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    let validator = jsonschema::draft7::new(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(sarif.clone()).unwrap();
    assert_eq!(typed.runs.len(), 1);
    // The stored-secret finding points at `id: app-db` in the model file.
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let secret = results.iter().find(|r| r["ruleId"] == "TF-PLAT-001").unwrap();
    let region = &secret["locations"][0]["physicalLocation"]["region"];
    let text = std::fs::read_to_string(root().join("models/connect-aws.yaml")).unwrap();
    let line = text
        .lines()
        .nth(region["startLine"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(line.contains("id: app-db"), "points at {line:?}");
}

#[test]
fn exports_for_procurement_tools() {
    let marketplace = trustflow()
        .args(["export", "marketplace", "models/connect-aws.yaml"])
        .assert()
        .success();
    let answers: serde_json::Value = serde_json::from_slice(&marketplace.get_output().stdout).unwrap();
    assert_eq!(answers["stores_end_user_data_outside_atlassian"]["answer"], true);
    let names: Vec<&str> = answers["third_parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Amazon Web Services", "OpenAI", "Twilio SendGrid"]);
    let native = trustflow()
        .args(["export", "marketplace", "models/forge-native.yaml", "--format", "md"])
        .assert()
        .success();
    let md = String::from_utf8(native.get_output().stdout.clone()).unwrap();
    assert!(
        md.contains("**Does the app store End-User Data outside Atlassian?** No"),
        "{md}"
    );
    // Forge SQL's residency support is not documented: neither answer is a yes to paste.
    for question in [
        "Is the app eligible for Runs on Atlassian?",
        "Does in-scope data stay in, and move with, the customer's data-residency realm?",
    ] {
        assert!(
            md.contains(&format!("**{question}** Not confirmed (evidence required)")),
            "{md}"
        );
    }
    assert!(
        md.contains("- evidence required: Forge SQL: data residency not confirmed"),
        "{md}"
    );
    assert!(
        md.contains(
            "- realm eu: in-scope data at rest is not confirmed to stay in the realm; whether it moves with a realm migration is not confirmed"
        ),
        "{md}"
    );
    let csv = trustflow()
        .args(["export", "subprocessors", "models/connect-aws.yaml", "--format", "csv"])
        .assert()
        .success();
    let csv = String::from_utf8(csv.get_output().stdout.clone()).unwrap();
    assert!(
        csv.starts_with(
            "name,url,purpose,location,legal_entity,data,transfer_mechanism,special_categories,date_added\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("OpenAI,https://trust.openai.com,Summarise issues,US,\"OpenAI OpCo, LLC\""),
        "{csv}"
    );
    trustflow()
        .args(["export", "marketplace", "models/connect-aws.yaml", "--format", "atom"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("marketplace takes json or md"));
}

/// forge-egress.yaml with only an egress host added (no organisation, no flow), written in `dir`.
fn with_only_a_new_host(dir: &std::path::Path) -> String {
    let new = crate::variant(
        dir,
        "new.yaml",
        "models/forge-egress.yaml",
        "egress: [api.anthropic.com, slack.com]",
        "egress: [api.anthropic.com, slack.com, api.mistral.ai]",
    );
    new.to_str().unwrap().to_owned()
}

#[test]
fn the_notice_of_a_new_host_is_dated_and_in_the_vendors_words() {
    let dir = tempfile::tempdir().unwrap();
    let new = &with_only_a_new_host(dir.path());
    // The notice customers receive: dated, with an effective date and how to object, in the
    // vendor's words (no tool wording, no local path).
    let notice = trustflow()
        .args([
            "diff",
            "models/forge-egress.yaml",
            new,
            "--format",
            "md",
            "--date",
            "2026-11-02",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&notice.stderr).contains("a recipient no organisation is named for"),
        "the vendor is told the notice names nobody"
    );
    let notice = String::from_utf8(notice.stdout).unwrap();
    assert!(
        notice.contains(
            "Date of this notice: 2026-11-02. The changes take effect on **2026-12-02** (30 days after this notice)."
        ),
        "{notice}"
    );
    assert!(notice.contains("## How to object"), "{notice}");
    assert!(notice.contains("api.mistral.ai"), "{notice}");
    for tool in ["evidence required", "trustflow", ".yaml", "TF-", "patient-refs"] {
        assert!(!notice.contains(tool), "the notice shows `{tool}`:\n{notice}");
    }
    assert!(
        notice.contains("| yes: ") && notice.contains("Patient references"),
        "PHI is named in the notice:\n{notice}"
    );
    let effective = trustflow()
        .args([
            "diff",
            "models/forge-egress.yaml",
            new,
            "--format",
            "html",
            "--date",
            "2026-11-02",
            "--effective",
            "2027-01-15",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(effective.stdout)
            .unwrap()
            .contains("<strong>2027-01-15</strong>.")
    );
}

#[test]
fn vendor_journey_new_egress_host_fails_the_gate_until_the_notice_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let new = &with_only_a_new_host(dir.path());
    trustflow()
        .args(["diff", "models/forge-egress.yaml", new, "--fail-on", "new-subprocessor"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("fail-on new-subprocessor").and(predicates::str::contains("api.mistral.ai")));
    // Once the notice is recorded, the announced change no longer fails the gate.
    let acks = dir.path().join("waivers.yaml");
    std::fs::write(
        &acks,
        "notified:\n  - { change: new-subprocessor, subject: \"declared:api.mistral.ai\", notice: 2026-11-02, reference: notice of 2026-11-02 }\n",
    )
    .unwrap();
    let acks = acks.to_str().unwrap();
    let gate = |today: &str| {
        let mut cmd = trustflow();
        cmd.args(["diff", "models/forge-egress.yaml", new, "--fail-on", "new-subprocessor"])
            .args(["--waivers", acks, "--today", today]);
        cmd
    };
    // Customers may object until the change takes effect (30 days after the notice unless the
    // record says otherwise): red until then, saying so; green from that day.
    gate("2026-11-03")
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "they may object before it takes effect on 2026-12-02",
        ))
        .stderr(predicates::str::contains(
            "customers may object before it takes effect on 2026-12-02",
        ));
    // From then on the notice no longer holds it back; the contract still does: nobody has a
    // DPA with a recipient the model does not even name (GDPR Art. 28(4)).
    let unsigned = "customers were notified, but no data processing agreement with it is recorded (GDPR Art. 28(4))";
    gate("2026-12-02")
        .assert()
        .code(1)
        .stdout(predicates::str::contains("(customers notified 2026-11-02)"))
        .stderr(predicates::str::contains(unsigned))
        .stderr(predicates::str::contains("may object").not());
    // The notice of the new sub-processor announced the transfers to it: the gate of the CI
    // example (new-subprocessor and new-transfer) goes green on the same record.
    trustflow()
        .args([
            "diff",
            "models/forge-egress.yaml",
            new,
            "--fail-on",
            "new-subprocessor,new-transfer,roa-lost",
        ])
        .args(["--waivers", acks, "--today", "2026-12-02"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(unsigned))
        .stderr(predicates::str::contains(
            "customers were notified, but the transfer to it has no recorded safeguard",
        ));
    trustflow()
        .args(["diff", "models/forge-egress.yaml", new, "--fail-on", "new-transfer"])
        .args(["--today", "2026-12-02"])
        .assert()
        .code(1);
    // Before the notice date it has not gone out: still red.
    gate("2026-11-01").assert().code(1);
    // An `effective:` date in the record is the one the notice gave.
    std::fs::write(
        acks,
        "notified:\n  - { change: new-subprocessor, subject: \"declared:api.mistral.ai\", notice: 2026-11-02, effective: 2026-11-20 }\n",
    )
    .unwrap();
    gate("2026-11-20")
        .assert()
        .code(1)
        .stderr(predicates::str::contains("may object").not());
    gate("2026-11-19").assert().code(1).stderr(predicates::str::contains(
        "may object before it takes effect on 2026-11-20",
    ));
}

#[test]
fn notices_of_the_bundled_migrations_read_as_the_customer_receives_them() {
    for new in ["forge-native", "forge-remote"] {
        let out = trustflow()
            .args([
                "diff",
                "models/connect-aws.yaml",
                &format!("models/{new}.yaml"),
                "--format",
                "md",
                "--date",
                "2026-12-01",
            ])
            .output()
            .unwrap();
        insta::assert_snapshot!(
            format!("notice_connect_aws_to_{new}"),
            String::from_utf8(out.stdout).unwrap()
        );
    }
}

/// The CI example gates with the waivers file, so an acknowledged change can go green (its
/// `notified:` records live there), and publishes the trust page, not the internal report.
#[test]
fn the_ci_example_gates_with_the_waivers_and_publishes_the_trust_page() {
    let workflow = std::fs::read_to_string(crate::root().join("examples/ci/trustflow.yml")).unwrap();
    let joined = workflow.replace("\\\n", " ");
    let gates: Vec<&str> = joined
        .lines()
        .filter(|l| l.contains("trustflow diff") && l.contains("--fail-on"))
        .collect();
    assert!(!gates.is_empty(), "{workflow}");
    for gate in gates {
        assert!(gate.contains("--waivers \"$WAIVERS\""), "{gate}");
    }
    assert!(workflow.contains("trustflow export subprocessors"), "{workflow}");
}

/// A notice is Art. 28(2) only: once it has taken effect, the gate still fails on a new
/// sub-processor whose transfer has no recorded safeguard (Chapter V) or which receives PHI
/// without a business associate agreement (45 CFR 164.502(e)), saying which.
#[test]
fn a_notified_sub_processor_still_needs_its_safeguard_and_its_baa() {
    let dir = tempfile::tempdir().unwrap();
    let gate = |name: &str, from: &str, to: &str| {
        let path = crate::variant(dir.path(), name, "examples/journeys/standup-buddy-2.4.yaml", from, to);
        let out = trustflow()
            .args(["diff", "models/forge-egress.yaml", path.to_str().unwrap()])
            .args(["--fail-on", "new-subprocessor,new-transfer"])
            .args(["--waivers", "examples/journeys/notified.yaml", "--today", "2026-12-02"])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    // Mistral AI established in the US: the UK vendor's transfer needs the IDTA or the UK
    // Addendum, which the model does not record.
    let (code, stderr) = gate(
        "us.yaml",
        "country: FR, since: 2026-12-02",
        "country: US, since: 2026-12-02",
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("fail-on new-transfer: Mistral AI: customers were notified, but the transfer to it has no recorded safeguard"),
        "{stderr}"
    );
    // Mistral AI receiving the patient references of the HIPAA-covered site.
    let (code, stderr) = gate(
        "phi.yaml",
        "data: [issue-content, user-identity], purpose: Translate",
        "data: [issue-content, user-identity, patient-refs], purpose: Translate",
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("receives PHI of HIPAA-covered sites and no business associate agreement with it is recorded"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("no recorded safeguard"),
        "FR is covered by the UK's adequacy regulations: {stderr}"
    );
}

/// A finding whose wording changes between versions (Standup Buddy 2.4 adds an egress host to
/// the Runs on Atlassian reasons) is one change, marked "(changed)", not a new finding beside
/// a resolved one; a finding that goes away is still said resolved.
#[test]
fn a_reworded_finding_is_one_change() {
    let out = trustflow()
        .args([
            "diff",
            "models/forge-egress.yaml",
            "examples/journeys/standup-buddy-2.4.yaml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("new-finding           TF-PLAT-010 [info] (changed): "),
        "{text}"
    );
    assert!(!text.contains("resolved-finding      TF-PLAT-010"), "{text}");
    let back = trustflow()
        .args([
            "diff",
            "examples/journeys/standup-buddy-2.4.yaml",
            "models/forge-egress.yaml",
        ])
        .output()
        .unwrap();
    let back = String::from_utf8(back.stdout).unwrap();
    assert!(back.contains("TF-PLAT-010 [info] (changed): "), "{back}");
    assert!(
        back.contains("resolved-finding      TF-SOC2-001 resolved: no SOC 2 report of Mistral AI"),
        "findings about Mistral AI resolve: {back}"
    );
}
