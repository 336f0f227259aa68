//! The `trustflow` binary run as a user runs it, on real files.

use crate::trustflow;
use predicates::prelude::*;

#[test]
fn check_passes_every_bundled_model() {
    trustflow()
        .args(["check", "models/connect-aws.yaml", "models/forge-native.yaml", "models/forge-remote.yaml", "models/forge-egress.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "models/connect-aws.yaml: ok: Acme Sync for Jira (connect): 6 components, 9 flows, 6 organisations, 8 boundary crossings",
        ))
        .stdout(predicate::str::contains("models/forge-native.yaml: ok"));
}

#[test]
fn check_reports_all_four_errors_with_locations_and_exits_2() {
    let output = trustflow()
        .args(["check", "tests/fixtures/input-errors/four-errors.yaml"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    for expected in [
        "error[unknown-key]: unknown key `boundry` in component",
        "tests/fixtures/input-errors/four-errors.yaml:12:54",
        "did you mean `boundary`?",
        "error[wrong-type]: `public_endpoint` must be true or false",
        "four-errors.yaml:13:69",
        "error[duplicate-id]: `app-server` is defined twice in `components`",
        "four-errors.yaml:14:11",
        "error[dangling-reference]: `app-srver` is not defined in `components`",
        "four-errors.yaml:16:23",
        "4 errors",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    assert!(output.get_output().stdout.is_empty());
}

#[test]
fn a_bad_model_among_good_ones_fails_the_whole_check() {
    trustflow()
        .args([
            "check",
            "models/connect-aws.yaml",
            "tests/fixtures/input-errors/yaml-syntax.yaml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[yaml-syntax]"));
}

#[test]
fn a_missing_file_is_bad_input() {
    trustflow()
        .args(["check", "models/no-such-model.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the model file"));
}

#[test]
fn schema_is_printed_and_written() {
    trustflow()
        .arg("schema")
        .assert()
        .success()
        .stdout(predicate::str::contains("\"title\": \"Model\""));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("schema.json");
    trustflow().args(["schema", "--out"]).arg(&out).assert().success();
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert!(written["properties"]["components"].is_object());
}

#[test]
fn help_shows_examples() {
    trustflow()
        .args(["check", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"));
}

#[test]
fn a_catalog_override_adds_organisations() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("extra.yaml");
    std::fs::write(
        &catalog,
        "organisations:\n  postmark:\n    name: Postmark\n    country: US\n    sources: [{ url: \"https://postmarkapp.com\", as_of: \"2026-11-01\" }]\n",
    )
    .unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "trustflow: 1\napp: { name: A, platform: connect, vendor: v }\norganisations: [{ id: v, name: V }, { id: pm, catalog: postmark }]\n",
    )
    .unwrap();
    trustflow()
        .args(["check"])
        .arg(&model)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no organisation `postmark`"));
    trustflow()
        .arg("--catalog")
        .arg(&catalog)
        .arg("check")
        .arg(&model)
        .assert()
        .success();
}

#[test]
fn a_catalog_override_names_operators_in_the_diagram() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("extra.yaml");
    std::fs::write(
        &catalog,
        "organisations:\n  postmark:\n    name: Postmark by ActiveCampaign\n    country: US\n    sources: [{ url: \"https://postmarkapp.com\", as_of: \"2026-11-01\" }]\n",
    )
    .unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "trustflow: 1\napp: { name: A, platform: connect, vendor: v }\norganisations: [{ id: v, name: V }, { id: pm, catalog: postmark }]\n\
boundaries: [{ id: mail, name: Mail, operator: pm }]\n\
components: [{ id: smtp, kind: external-service, operator: pm, boundary: mail, region: US }]\n",
    )
    .unwrap();
    for format in ["svg", "dot"] {
        trustflow()
            .arg("--catalog")
            .arg(&catalog)
            .args(["diagram", "--format", format])
            .arg(&model)
            .assert()
            .success()
            .stdout(predicate::str::contains("Mail · Postmark by ActiveCampaign"));
    }
}

#[test]
fn check_fail_on_gates_on_findings() {
    // The Connect model has high findings (EU data at rest in the US).
    trustflow()
        .args(["check", "models/connect-aws.yaml", "--fail-on", "high"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("models/connect-aws.yaml: ok"))
        .stderr(predicate::str::contains("TF-RES-001 [high] app-db"))
        .stderr(predicate::str::contains("findings reached --fail-on high"));
    // `analyze` says why the gate failed too, on stderr, after its normal output.
    trustflow()
        .args(["analyze", "models/connect-aws.yaml", "--fail-on", "high"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Recipients of personal data"))
        .stderr(predicate::str::contains("findings reached --fail-on high"));
    // The Forge-native model has none.
    trustflow()
        .args(["check", "models/forge-native.yaml", "--fail-on", "low"])
        .assert()
        .success();
    trustflow()
        .args(["check", "models/forge-native.yaml", "--fail-on", "severe"])
        .assert()
        .code(2);
}

#[test]
fn analyze_prints_text_and_json() {
    trustflow()
        .args(["analyze", "models/connect-aws.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Amazon Web Services"))
        .stdout(predicate::str::contains("SCCs Module 3 (recorded)"))
        .stdout(predicate::str::contains("TF-PLAT-001"));
    let output = trustflow()
        .args(["analyze", "models/connect-aws.yaml", "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    for key in [
        "subprocessors",
        "findings",
        "residency",
        "hipaa",
        "soc2",
        "runs_on_atlassian",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let first = &json["subprocessors"][0];
    for key in [
        "organisation",
        "name",
        "country",
        "role",
        "data",
        "purposes",
        "transfer_mechanism",
    ] {
        assert!(first.get(key).is_some(), "subprocessor lacks {key}");
    }
    let finding = &json["findings"][0];
    for key in ["rule", "severity", "subject", "path", "message"] {
        assert!(finding.get(key).is_some(), "finding lacks {key}");
    }
}

#[test]
fn analyze_merges_a_portfolio() {
    let output = trustflow()
        .args([
            "analyze",
            "models/connect-aws.yaml",
            "models/forge-egress.yaml",
            "--format",
            "json",
        ])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(json["apps"].as_array().unwrap().len(), 2);
    let recipients = json["portfolio"].as_array().unwrap();
    let atlassian = recipients
        .iter()
        .find(|r| r["recipient"] == "Atlassian Pty Ltd")
        .unwrap();
    assert!(atlassian["apps"]["Standup Buddy for Jira"].is_array());
    let openai = recipients
        .iter()
        .find(|r| r["recipient"] == "OpenAI OpCo, LLC")
        .unwrap();
    assert_eq!(openai["apps"].as_object().unwrap().len(), 1);
}

#[test]
fn analyze_output_is_byte_identical_across_runs() {
    let run = || {
        trustflow()
            .args([
                "analyze",
                "models/connect-aws.yaml",
                "models/forge-remote.yaml",
                "--format",
                "json",
            ])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn rules_lists_and_explains() {
    trustflow()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("TF-RES-002"))
        .stdout(predicate::str::contains("transfer-without-mechanism"));
    trustflow()
        .args(["rules", "TF-HIPAA-001"])
        .assert()
        .success()
        .stdout(predicate::str::contains("45 CFR 164.502(e)"));
    trustflow()
        .args(["rules", "TF-RES-02"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean"));
}

#[test]
fn import_writes_a_model_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("egress.yaml");
    trustflow()
        .args([
            "import",
            "forge",
            "models/descriptors/forge-egress.manifest.yml",
            "--overlay",
            "models/descriptors/forge-egress.overlay.yaml",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("# from permissions.external.fetch.backend[0]"), "{text}");
    trustflow().arg("check").arg(&out).assert().success();
    trustflow()
        .arg("analyze")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Anthropic"))
        .stdout(predicate::str::contains("Buddy Apps"));
}

#[test]
fn import_rejects_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("manifest.yml");
    std::fs::write(&bad, "app:\n  id: x\n modules: [\n").unwrap();
    trustflow()
        .args(["import", "forge"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[yaml-syntax]"));
    let overlay = dir.path().join("overlay.yaml");
    std::fs::write(&overlay, "componets: []\n").unwrap();
    trustflow()
        .args([
            "import",
            "forge",
            "models/descriptors/forge-native.manifest.yml",
            "--overlay",
        ])
        .arg(&overlay)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `components`?"));
    trustflow()
        .args(["import", "connect", "no-such-file.json"])
        .assert()
        .code(2);
    // Valid YAML, but egress written as text: Forge rejects it, and so does the import.
    std::fs::write(
        &bad,
        "modules:\n  jira:issuePanel:\n    - key: p\n      title: x\npermissions:\n  external:\n    fetch:\n      backend: api.example.com\n",
    )
    .unwrap();
    trustflow()
        .args(["import", "forge"])
        .arg(&bad)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "error[wrong-type]: `permissions.external.fetch.backend` must be a list, not a string",
        ));
}

#[test]
fn csv_cells_never_start_a_formula() {
    // A model named like a spreadsheet formula: the compare and report CSVs show it, never run it.
    let dir = tempfile::tempdir().unwrap();
    let path = crate::variant(
        dir.path(),
        "formula.yaml",
        "models/forge-native.yaml",
        "name: Acme Sync for Jira (Forge)",
        "name: \"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\"",
    );
    let output = trustflow()
        .arg("compare")
        .arg(&path)
        .arg("models/forge-native.yaml")
        .args(["--format", "csv"])
        .assert()
        .success();
    let csv = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    for field in csv.split([',', '\n']) {
        let field = field.trim_start_matches('"');
        assert!(!field.starts_with(['=', '+', '@']), "{field:?} in {csv}");
    }
}

/// The overlay template with each `REPLACE:` placeholder answered as a vendor would.
fn answered(template: &str) -> String {
    let answers = [
        ("legal_entity", "GitHub Answers Ltd"),
        ("version", "1.0.0"),
        ("country", "DE"),
        ("contact", "privacy@example.com"),
        ("dpa", "https://example.com/dpa"),
        ("retention", "30 days after uninstall"),
        ("purpose", "Link commits to issues"),
        ("realm", "eu"),
        ("established", "DE"),
        ("special", "none"),
        ("data", "[…]"),
        ("stores", "[…]"),
    ];
    template
        .lines()
        .map(|line| {
            let mut line = line.to_owned();
            for (key, answer) in answers {
                let start = format!("{key}: \"REPLACE:");
                while let Some(at) = line.find(&start) {
                    let value = at + key.len() + 2;
                    let end = value + 1 + line[value + 1..].find('"').unwrap();
                    // A list keeps the first id of the template's example (the vendor confirms
                    // what is really sent); lists and `none` are written as YAML, the rest as text.
                    let placeholder = &line[value..=end];
                    let answer = if answer == "[…]" {
                        let example = &placeholder[placeholder.find('[').unwrap() + 1..placeholder.find(']').unwrap()];
                        format!("[{}]", example.split(", ").next().unwrap())
                    } else {
                        answer.to_owned()
                    };
                    let written = if answer.starts_with('[') || answer == "none" {
                        answer
                    } else {
                        format!("\"{answer}\"")
                    };
                    line.replace_range(value..=end, &written);
                }
            }
            // A region answers for where a service or the vendor's cloud runs.
            while let Some(at) = line.find("region: \"REPLACE:") {
                let end = at + 9 + line[at + 9..].find('"').unwrap();
                line.replace_range(at..=end, "region: eu");
            }
            line + "\n"
        })
        .collect()
}

/// A procurement user's path from a bare descriptor: import prints what it read and what is
/// missing, writes the overlay template, and the filled-in template gives a model with every
/// location and an installation (a complete DPA annex).
#[test]
fn import_says_what_is_missing_and_the_filled_template_completes_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let descriptor = crate::root().join("tests/corpus/connect/004-atlassian--github-for-jira.json");
    let model = dir.path().join("gh.yaml");
    let template = dir.path().join("gh-overlay.yaml");
    let out = crate::trustflow()
        .args(["import", "connect"])
        .arg(&descriptor)
        .arg("-o")
        .arg(&model)
        .arg("--overlay-template")
        .arg(&template)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("lifecycle: disabled, enabled, installed, uninstalled"),
        "{stderr}"
    );
    assert!(stderr.contains("missing for a DPA annex"), "{stderr}");
    assert!(
        stderr.contains("organisations `vendor`: add legal_entity, country, contact, dpa"),
        "{stderr}"
    );
    assert!(stderr.contains("installations `example-site`"), "{stderr}");
    // Fill the template in as a user would: uncomment it, keep the example values.
    let text = std::fs::read_to_string(&template).unwrap();
    assert!(
        text.contains(&template.display().to_string()),
        "the template says how to use it"
    );
    let mut filled = String::new();
    for line in text.lines() {
        let entry = line.starts_with("#   - ")
            || line.starts_with("# app: ")
            || [
                "# organisations:",
                "# data:",
                "# components:",
                "# flows:",
                "# installations:",
            ]
            .contains(&line);
        if entry {
            filled.push_str(&line[2..]);
            filled.push('\n');
        }
    }
    let filled_path = dir.path().join("filled.yaml");
    let import = |overlay: &str| {
        std::fs::write(&filled_path, overlay).unwrap();
        crate::trustflow()
            .args(["import", "connect"])
            .arg(&descriptor)
            .arg("--overlay")
            .arg(&filled_path)
            .arg("-o")
            .arg(&model)
            .output()
            .unwrap()
    };
    // Uncommented with its placeholders: refused, each at its place, so no example reaches an
    // annex as a fact.
    let out = import(&filled);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("error[placeholder]") && stderr.contains("filled.yaml:"),
        "{stderr}"
    );
    // With the vendor's answers in place of the placeholders.
    let filled = answered(&filled);
    assert!(!filled.contains("REPLACE:"), "{filled}");
    let out = import(&filled);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{filled}\n{stderr}");
    assert!(stderr.contains("nothing missing for a DPA annex"), "{filled}\n{stderr}");
    let analysis = crate::trustflow()
        .arg("analyze")
        .arg(&model)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&analysis.stdout).unwrap();
    assert_eq!(json["app"]["realms"], serde_json::json!(["eu"]));
    for row in json["subprocessors"].as_array().unwrap() {
        assert_ne!(row["locations"]["eu"][0], "unknown", "{row}");
    }
}

/// Terminal escape sequences in model strings print as text, on stdout and stderr.
#[test]
fn terminal_escapes_in_model_strings_print_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("esc.yaml");
    std::fs::write(
        &model,
        "trustflow: 1\napp: { name: \"\\e]0;pwned\\a\\e[31mRed app\", platform: connect, vendor: v }\norganisations:\n  - { id: v, name: \"V\\e[2J\", country: DE }\ncomponents:\n  - { id: jira, kind: atlassian-product }\n  - { id: s, kind: service, operator: v }\n  - { id: lonely, kind: service, operator: v, name: \"\\e[8mhidden\" }\nflows:\n  - { from: jira, to: s, data: [] }\n",
    )
    .unwrap();
    for args in [vec!["analyze"], vec!["check"]] {
        let out = crate::trustflow().args(&args).arg(&model).output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'),
            "{args:?}\n{stdout}\n{stderr}"
        );
        assert!(!stdout.contains('\u{7}'), "{stdout}");
    }
    let out = crate::trustflow().arg("analyze").arg(&model).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\\u{1b}[31mRed app"));
}

#[test]
fn one_output_convention_on_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let model = crate::root().join("models/forge-native.yaml");
    let model = model.to_str().unwrap();
    // -o/--output FILE on any command that prints; every JSON ends with a newline.
    for (args, file) in [
        (vec!["analyze", model, "--format", "json"], "analysis.json"),
        (
            vec!["export", "subprocessors", model, "--format", "json"],
            "subprocessors.json",
        ),
        (vec!["export", "marketplace", model], "marketplace.json"),
        (vec!["diff", model, model, "--format", "json"], "diff.json"),
        (vec!["schema"], "schema.json"),
    ] {
        let path = dir.path().join(file);
        crate::trustflow()
            .args(&args)
            .arg("--output")
            .arg(&path)
            .assert()
            .success()
            .stdout("");
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.ends_with(b"}\n"), "{file} ends with a newline");
    }
    // `report` writes a folder: --out-dir, never -o; by default not the committed reports/.
    crate::trustflow()
        .args(["report", model, "-o", "x"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--out-dir"));
    crate::trustflow()
        .current_dir(dir.path())
        .args(["report", model, "--format", "md"])
        .assert()
        .success();
    assert!(dir.path().join("trustflow-reports/forge-native.md").exists());
    // `import -` reads standard input.
    let manifest = std::fs::read(crate::root().join("models/descriptors/forge-native.manifest.yml")).unwrap();
    crate::trustflow()
        .args(["import", "forge", "-"])
        .write_stdin(manifest)
        .assert()
        .success()
        .stdout(predicates::str::contains("kind: forge-function"));
    // Every command's help lists its exit codes, and so do the tool's and the `jwt` group's.
    for command in [
        "check",
        "analyze",
        "report",
        "diff",
        "export",
        "simulate",
        "compare",
        "import",
        "upgrade-check",
        "rules",
        "schema",
        "diagram",
        "jwt",
        "jwt qsh",
        "jwt verify",
        "",
    ] {
        crate::trustflow()
            .args(command.split_whitespace())
            .arg("--help")
            .assert()
            .success()
            .stdout(predicates::str::contains("Exit codes:"));
    }
}

#[test]
fn compare_labels_options_and_writes_numbers_only_in_figure_columns() {
    let out = crate::trustflow()
        .args([
            "compare",
            "models/connect-aws.yaml",
            "models/forge-native.yaml",
            "--format",
            "csv",
        ])
        .args(["--label", "Today (Connect)", "--label", "Forge native"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let text_columns = [
        "option",
        "platform",
        "residency_source",
        "runs_on_atlassian_evidence_required",
        "secrets_unit",
        "recipient_names",
    ];
    let mut options = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        options.push(record[0].to_owned());
        for (name, cell) in header.iter().zip(record.iter()) {
            let text = text_columns.contains(&name.as_str()) || name.starts_with("residency_evidence_required_");
            if !text && !cell.is_empty() {
                assert!(cell.parse::<f64>().is_ok(), "{name} = {cell:?} is not a number");
            }
        }
    }
    assert_eq!(options, ["Today (Connect)", "Forge native"]);
    crate::trustflow()
        .args([
            "compare",
            "models/connect-aws.yaml",
            "models/forge-native.yaml",
            "--label",
            "Only one",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("give one per model"));
}

#[test]
fn diff_never_passes_its_argument_to_git_as_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::copy(
        crate::root().join("models/forge-native.yaml"),
        dir.path().join("m.yaml"),
    )
    .unwrap();
    git(&["init", "-q"]);
    git(&["add", "m.yaml"]);
    git(&["commit", "-qm", "m"]);
    let written = dir.path().join("PWNED");
    let run = |old: &str| {
        crate::trustflow()
            .current_dir(dir.path())
            .args(["diff", "--", old, "m.yaml"])
            .output()
            .unwrap()
    };
    for hostile in [
        format!("--output={}:x", written.display()),
        "--output=PWNED:m.yaml".to_owned(),
        "-oPWNED:m.yaml".to_owned(),
    ] {
        let out = run(&hostile);
        assert_eq!(out.status.code(), Some(2), "{hostile}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("a revision cannot start with `-`"),
            "{hostile}"
        );
        assert!(!written.exists(), "{hostile} made git write a file");
    }
    // A revision is still read from git.
    let out = run("HEAD:m.yaml");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn models_named_like_the_schema_or_the_index_never_overwrite_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["report".to_owned()];
    for name in ["analysis.schema.yaml", "index.yaml"] {
        let path = dir.path().join(name);
        std::fs::copy(crate::root().join("models/forge-native.yaml"), &path).unwrap();
        args.push(path.display().to_string());
    }
    let out = dir.path().join("out");
    crate::trustflow()
        .args(&args)
        .args(["--format", "json,html", "--out-dir"])
        .arg(&out)
        .assert()
        .success();
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("analysis.schema.json")).unwrap()).unwrap();
    assert!(
        schema.get("$schema").is_some(),
        "analysis.schema.json is the JSON Schema"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("analysis.schema-2.html") && index.contains("index-2.html"),
        "{index}"
    );
    for report in ["analysis.schema-2.json", "index-2.json"] {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join(report)).unwrap()).unwrap();
        assert!(json.get("findings").is_some(), "{report} is a report");
    }
}

#[test]
fn a_killed_report_run_leaves_the_previous_set_whole() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("twin.yaml");
    let out = dir.path().join("out");
    let report = |model: &std::path::Path| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trustflow"));
        command
            .arg("report")
            .arg(model)
            .args(["--format", "json,html,csv", "--out-dir"])
            .arg(&out)
            .stdout(std::process::Stdio::null());
        command
    };
    std::fs::write(&model, trustflow::synth::twin_model(2)).unwrap();
    assert!(report(&model).status().unwrap().success());
    let files = |out: &std::path::Path| {
        let mut names: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        names.sort();
        names
    };
    let previous = files(&out);
    // A larger model of the same name, killed while it works: whatever the moment of the
    // kill, the folder holds the previous set or (if the run was quicker) the whole new one.
    std::fs::write(&model, trustflow::synth::twin_model(400)).unwrap();
    let mut child = report(&model).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = child.kill();
    let status = child.wait().unwrap();
    let after: Vec<(String, Vec<u8>)> = files(&out).into_iter().filter(|(n, _)| !n.starts_with('.')).collect();
    if status.success() {
        assert_eq!(
            after.iter().map(|f| &f.0).collect::<Vec<_>>(),
            previous.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
    } else {
        assert_eq!(after, previous, "the killed run changed the previous set");
    }
    // The next run removes what the killed one left behind.
    std::fs::write(&model, trustflow::synth::twin_model(2)).unwrap();
    assert!(report(&model).status().unwrap().success());
    assert!(
        files(&out).iter().all(|(n, _)| !n.starts_with('.')),
        "temporary files of the killed run remain"
    );
}

/// The compare page names realms in words and attaches a residency caveat to each realm it
/// affects, for every realm simulated: a provider keeping data in the US does not put the US
/// figure in doubt, and it does put every other realm's in doubt.
#[test]
fn compare_states_residency_caveats_per_realm_in_words() {
    let run = |format: &str| {
        let out = crate::trustflow()
            .args([
                "compare",
                "models/connect-aws.yaml",
                "models/forge-remote.yaml",
                "--workload",
                "models/workloads/week.yaml",
                "--format",
                format,
            ])
            .args(["--label", "Connect", "--label", "Remote"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let remote = &json[1]["residency_evidence_by_realm"];
    for realm in ["de", "eu"] {
        let said = remote[realm][0].as_str().unwrap_or_default();
        assert!(
            said.contains("outside the realm") && said.contains("OpenAI"),
            "{realm}: {remote}"
        );
    }
    assert!(
        remote.get("us").is_none(),
        "OpenAI in the US is inside the US realm: {remote}"
    );
    let md = run("md");
    let residency = md.lines().find(|l| l.starts_with("| residency")).unwrap();
    assert!(
        residency.contains("US sites 100 % |"),
        "no caveat on Connect's US figure: {residency}"
    );
    // The same caveat for DE and EU sites is said once, for every figure it qualifies.
    assert!(
        residency.contains("DE sites 100 %; EU sites 100 %")
            && residency.contains("the figures above 0 % are not confirmed"),
        "{residency}"
    );
    assert_eq!(residency.matches("OpenAI may keep").count(), 1, "{residency}");
    assert!(!residency.contains("eu 0.0"), "{residency}");
}
