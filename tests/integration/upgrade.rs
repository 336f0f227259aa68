//! `trustflow upgrade-check`: what an upgrade needs each site admin to approve (Atlassian's
//! versioning rules), what changes in the DPA, and the exit codes of the gate.

use crate::trustflow;

const CONNECT: &str = "tests/fixtures/upgrade/atlassian-connect.json";
const FORGE: &str = "tests/fixtures/upgrade/manifest.yml";

fn json(args: &[&str]) -> serde_json::Value {
    let out = trustflow()
        .arg("upgrade-check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.ends_with(b"\n"), "JSON ends with a newline");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn connect_to_forge_lists_what_needs_approval_beyond_the_allowances() {
    let check = json(&[CONNECT, FORGE]);
    assert_eq!(check["direction"], "connect-to-forge");
    let approvals: Vec<String> = check["admin_approval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{} {}", a["kind"].as_str().unwrap(), a["subject"].as_str().unwrap()))
        .collect();
    // The Connect scopes in their Connect-on-Forge form and the remote serving the Connect
    // baseUrl are the allowances; the rest needs approval.
    assert_eq!(
        approvals,
        [
            "new-scope read:jira-user",
            "new-scope storage:app",
            "new-egress api.openai.com",
            "sql-module sql"
        ]
    );
    let dpa: Vec<String> = check["dpa"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["kind"].as_str().unwrap(), c["subject"].as_str().unwrap()))
        .collect();
    assert!(dpa.contains(&"new-subprocessor openai".to_owned()), "{dpa:?}");
    assert!(
        !dpa.iter()
            .any(|c| c.starts_with("new-finding") || c.starts_with("resolved-finding")),
        "the DPA side lists recipients, data, transfers and RoA, not findings: {dpa:?}"
    );
}

#[test]
fn the_gate_fails_on_approval_and_on_dpa_changes_and_passes_otherwise() {
    trustflow()
        .args(["upgrade-check", CONNECT, FORGE, "--fail-on", "admin-approval"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "fail-on admin-approval: new-egress `api.openai.com`",
        ));
    trustflow()
        .args(["upgrade-check", CONNECT, FORGE, "--fail-on", "new-subprocessor"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("new-subprocessor: OpenAI"));
    // The same manifest against itself: nothing to approve, nothing changes.
    trustflow()
        .args([
            "upgrade-check",
            FORGE,
            FORGE,
            "--fail-on",
            "admin-approval,new-subprocessor",
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "Needs each customer's admin approval: nothing found",
        ));
    trustflow()
        .args(["upgrade-check", CONNECT, FORGE, "--fail-on", "everything"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("use admin-approval or one of"));
}

#[test]
fn a_manifest_for_another_connect_key_is_refused() {
    trustflow()
        .args([
            "upgrade-check",
            CONNECT,
            "tests/fixtures/upgrade/manifest-key-mismatch.yml",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("error[key-mismatch]"))
        .stderr(predicates::str::contains(
            "`com.acme.sync-forge` is not the descriptor's key `com.acme.sync`",
        ));
}

#[test]
fn forge_to_forge_names_new_remotes_egress_and_what_is_dropped() {
    let check = json(&[
        "models/descriptors/forge-egress.manifest.yml",
        "models/descriptors/forge-remote.manifest.yml",
    ]);
    assert_eq!(check["direction"], "forge-to-forge");
    let kinds: Vec<&str> = check["admin_approval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"new-remote"), "{kinds:?}");
    assert!(!check["dropped"].as_array().unwrap().is_empty());
}
