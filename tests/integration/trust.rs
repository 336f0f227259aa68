//! The public trust page (`export subprocessors`): what a customer reads, with no findings and
//! no internal ids, in every format, for each bundled model, and hostile strings kept as text.

use crate::trustflow;

/// Runs `export subprocessors` of `model` as `format` for 2026-11-30.
fn run_export(model: &str, format: &str) -> std::process::Output {
    trustflow()
        .args([
            "export",
            "subprocessors",
            model,
            "--format",
            format,
            "--date",
            "2026-11-30",
        ])
        .output()
        .unwrap()
}

fn export(model: &str, format: &str) -> String {
    let out = run_export(model, format);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn each_bundled_model_has_a_trust_page_without_findings_or_internal_ids() {
    for model in ["connect-aws", "forge-egress", "forge-native", "forge-remote"] {
        let path = format!("models/{model}.yaml");
        let md = export(&path, "md");
        insta::assert_snapshot!(format!("trust_{model}_md"), md);
        let html = export(&path, "html");
        let json = export(&path, "json");
        assert!(json.ends_with("}\n"), "{model}: JSON ends with a newline");
        for page in [&md, &html, &json] {
            for internal in [
                "TF-",
                "evidence required",
                "finding",
                "app-server",
                "forge-app",
                "egress-",
                "issue-content",
            ] {
                assert!(
                    !page.contains(internal),
                    "{model}: the public page shows `{internal}`:\n{page}"
                );
            }
        }
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        for row in value["subprocessors"].as_array().unwrap() {
            assert!(!row["name"].as_str().unwrap().is_empty());
            assert!(!row["transfer_mechanism"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn customer_enabled_integrations_are_listed_apart() {
    let json = export("tests/fixtures/transfers/customer-owned-flow.yaml", "json");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let integrations = value["customer_enabled_integrations"].as_array().unwrap();
    assert!(!integrations.is_empty(), "{json}");
    for i in integrations {
        let name = i["name"].as_str().unwrap();
        assert!(
            !value["subprocessors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"].as_str() == Some(name)),
            "{name} is the customer's, not a sub-processor"
        );
    }
}

#[test]
fn dates_added_feed_the_atom_feed_newest_first() {
    let atom = export("models/connect-aws.yaml", "atom");
    assert!(
        atom.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert!(atom.contains("<updated>2026-11-30T00:00:00Z</updated>"), "{atom}");
    let titles: Vec<&str> = atom
        .lines()
        .filter_map(|l| l.trim().strip_prefix("<title>Sub-processor added: "))
        .collect();
    assert!(!titles.is_empty(), "the bundled model records `since:` dates: {atom}");
    let dates: Vec<&str> = atom.lines().filter(|l| l.starts_with("    <updated>")).collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    insta::assert_snapshot!("trust_connect_aws_atom", atom);
    // Every sub-processor of the page is in the feed: one without a recorded date added too.
    let dir = tempfile::tempdir().unwrap();
    let undated = crate::variant(
        dir.path(),
        "undated.yaml",
        "models/forge-egress.yaml",
        "{ id: atlassian, catalog: atlassian, since: 2025-06-02 }",
        "{ id: atlassian, catalog: atlassian }",
    );
    let undated = undated.to_str().unwrap();
    let egress = export(undated, "atom");
    assert!(
        egress.contains("<title>Sub-processor (date added not stated): Atlassian</title>"),
        "{egress}"
    );
    // Such an entry can only carry the feed's date, so it churns in feed readers: the vendor
    // is told which organisations to date.
    let stderr = String::from_utf8(run_export(undated, "atom").stderr).unwrap();
    assert!(
        stderr.contains("no date added is recorded for Atlassian") && stderr.contains("add `since: YYYY-MM-DD`"),
        "{stderr}"
    );
    for dated in ["models/connect-aws.yaml", "models/forge-egress.yaml"] {
        let stderr = String::from_utf8(run_export(dated, "atom").stderr).unwrap();
        assert!(
            !stderr.contains("no date added"),
            "every sub-processor of {dated} has `since:`: {stderr}"
        );
    }
}

#[test]
fn hostile_strings_stay_text_on_the_trust_page() {
    let model = "tests/fixtures/reports/hostile.yaml";
    let html = export(model, "html");
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x"),
        "{html}"
    );
    let md = export(model, "md");
    assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"), "{md}");
    let atom = export(model, "atom");
    assert!(!atom.contains("<script>"), "{atom}");
    let csv = export(model, "csv");
    for line in csv.lines().skip(1) {
        for cell in line.split(',') {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "formula in {line}");
        }
    }
}

#[test]
fn a_since_that_is_not_a_date_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::variant(
        dir.path(),
        "m.yaml",
        "models/forge-native.yaml",
        "organisations:\n",
        "organisations:\n  - { id: x, name: X, since: last spring }\n",
    );
    trustflow()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`last spring` is not a date"));
}

#[test]
fn the_dpa_annex_has_the_scc_annex_columns_and_says_when_nothing_is_analysed() {
    let out = trustflow()
        .args(["export", "annex", "models/connect-aws.yaml", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with(
        "recipient,legal_entity,country,role,data_subjects,personal_data,special_categories,purpose,frequency,duration,retention,location,transfer,certifications,dpa,baa,app,app_version,as_of\n"
    ));
    assert!(csv.contains("users of the customer's site"), "{csv}");
    assert!(csv.contains("no purge on uninstall"), "{csv}");
    assert!(!csv.contains('`'), "no raw backticks: {csv}");
    for md_or_html in ["md", "html"] {
        let out = trustflow()
            .args(["export", "annex", "models/connect-aws.yaml", "--format", md_or_html])
            .args(["--date", "2026-11-30"])
            .output()
            .unwrap();
        let page = String::from_utf8(out.stdout).unwrap();
        insta::assert_snapshot!(format!("annex_connect_aws_{md_or_html}"), page);
    }
    // A bare import has no installations: the annex says so first, and how to fix it.
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("bare.yaml");
    trustflow()
        .args([
            "import",
            "forge",
            "tests/fixtures/roa/ineligible-remote.yml",
            "-o",
            model.to_str().unwrap(),
        ])
        .assert()
        .success();
    for format in ["csv", "md", "html", "json"] {
        let out = trustflow()
            .args(["export", "annex", model.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        if format == "csv" {
            // No note row a spreadsheet would take for a recipient: each row's location and
            // transfer cells say why they are empty.
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let mut rows = 0;
            for row in reader.records() {
                let row = row.unwrap();
                if row[3].starts_with("the customer's processor") {
                    continue;
                }
                rows += 1;
                assert_ne!(&row[0], "NOTE");
                for cell in [&row[11], &row[12]] {
                    assert!(cell.starts_with("not assessed: no customer site is recorded"), "{text}");
                }
            }
            assert!(rows > 0, "{text}");
            assert!(text.contains("not stated for"), "{format}: {text}");
            continue;
        }
        let first = text.find("No customer site is recorded").unwrap_or(usize::MAX);
        let first_row = text.find("Atlassian").unwrap_or(usize::MAX);
        assert!(first < first_row, "{format}: the warning comes first:\n{text}");
        // A descriptor cannot say whether data is special-category data: never "none".
        assert!(text.contains("not stated for"), "{format}: {text}");
    }
    // "none" when the model states it for every category, the categories otherwise.
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    let write = |special: &str| {
        std::fs::write(
            &model,
            format!(
                "trustflow: 1\napp: {{ name: A, platform: connect, vendor: v }}\norganisations: [{{ id: v, name: V, country: DE }}, {{ id: mail, name: Mailer, country: DE }}]\n\
data: [{{ id: email, name: E-mail addresses, personal: true{special} }}]\n\
components: [{{ id: app, kind: service, operator: v, region: DE, produces: [email] }}, {{ id: smtp, kind: external-service, operator: mail, region: DE }}]\n\
flows: [{{ from: app, to: smtp, data: [email], purpose: Send e-mail }}]\n\
installations: [{{ id: i, realm: eu, established: DE, products: [jira], plan: standard }}]\n"
            ),
        )
        .unwrap();
        let out = trustflow()
            .args(["export", "annex", model.to_str().unwrap(), "--format", "csv"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let csv = String::from_utf8(out.stdout).unwrap();
        csv.lines().find(|l| l.starts_with("Mailer,")).unwrap().to_owned()
    };
    assert!(write(", special: none").contains(",none,"));
    assert!(write("").contains(",not stated for E-mail addresses (evidence required),"));
    assert!(write(", special: health").contains(",E-mail addresses,"));
}

/// The annex's retention column: the model's words first (the organisation's and each storing
/// component's), else the provider's published default from the catalog, marked with its
/// source and as not confirmed for this app, else "not stated".
#[test]
fn annex_retention_comes_from_the_model_then_the_catalog_default_marked_unconfirmed() {
    let rows = |model: &str| -> Vec<(String, String)> {
        let out = trustflow()
            .args(["export", "annex", model, "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["recipient"].as_str().unwrap().to_owned(),
                    r["retention"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let of = |rows: &[(String, String)], who: &str| rows.iter().find(|r| r.0 == who).unwrap().1.clone();
    let connect = rows("models/connect-aws.yaml");
    // Stated in the model: the vendor's words, nothing added.
    assert_eq!(of(&connect, "Twilio SendGrid"), "delivery logs for 30 days");
    let forge = rows("models/forge-egress.yaml");
    let anthropic = of(&forge, "Anthropic");
    assert!(
        anthropic.starts_with("the provider's published default for its standard service: "),
        "{anthropic}"
    );
    assert!(anthropic.contains("source: https://"), "{anthropic}");
    assert!(anthropic.ends_with("not confirmed for this app's account (evidence required)"));
    assert!(of(&forge, "Atlassian").contains("28 days after the app is uninstalled"));
    assert_eq!(
        of(&forge, "Buddy Apps"),
        "not stated: it stores the data (evidence required)"
    );

    // A component's own retention is listed with its name, and a statement in the model
    // replaces the catalog default.
    let text = std::fs::read_to_string("models/forge-egress.yaml").unwrap();
    let text = crate::edit(
        &text,
        &[
            (
                "  - { id: anthropic, catalog: anthropic",
                "  - { id: anthropic, catalog: anthropic, retention: zero data retention agreed 2026-03-01",
            ),
            (
                "stores: [slack-token, standup-notes],",
                "stores: [slack-token, standup-notes], retention: notes for 7 days,",
            ),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.yaml");
    std::fs::write(&path, text).unwrap();
    let edited = rows(path.to_str().unwrap());
    assert_eq!(of(&edited, "Anthropic"), "zero data retention agreed 2026-03-01");
    let atlassian = of(&edited, "Atlassian");
    assert!(
        atlassian.starts_with(
            "Forge Key-Value Store: notes for 7 days; the provider's published default for its standard service: Forge hosted storage"
        ),
        "{atlassian}"
    );
}

/// The public page speaks for its date: a sub-processor added after it is announced, not
/// listed as current, and the feed carries the announcement on the page's date.
#[test]
fn a_sub_processor_added_after_the_page_date_is_announced_not_current() {
    let page = |format: &str, date: &str| {
        let out = trustflow()
            .args(["export", "subprocessors", "examples/journeys/standup-buddy-2.4.yaml"])
            .args(["--format", format, "--date", date])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let before = page("md", "2026-11-05");
    assert!(before.contains("As of 2026-11-05."), "{before}");
    let (current, announced) = before.split_once("## Announced additions").unwrap();
    assert!(!current.contains("Mistral"), "not current before its date:\n{before}");
    assert!(announced.contains("Mistral AI SAS") && announced.contains("2026-12-02"));
    let after = page("md", "2026-12-02");
    assert!(!after.contains("Announced additions") && after.contains("Mistral AI SAS"));
    let json: serde_json::Value = serde_json::from_str(&page("json", "2026-11-05")).unwrap();
    assert_eq!(json["upcoming"][0]["name"], "Mistral AI");
    let feed = page("atom", "2026-11-05");
    assert!(feed.contains("<title>Sub-processor to be added on 2026-12-02: Mistral AI</title>"));
    assert!(
        !feed.contains("<updated>2026-12-02"),
        "no entry dated after the feed:\n{feed}"
    );
}

/// Forge SQL's data-residency support is not documented: the annex does not state where it
/// keeps data as settled, and the public page says what is not known.
#[test]
fn forge_storage_without_documented_residency_is_not_a_settled_location() {
    let out = trustflow()
        .args(["export", "annex", "models/forge-native.yaml", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let atlassian = csv.lines().find(|l| l.starts_with("Atlassian,")).unwrap();
    // The Forge terms bring the DPA; the model records none of its own: said as such.
    assert!(
        atlassian.contains("the Forge Data Processing Addendum, part of the Forge terms"),
        "{atlassian}"
    );
    assert!(
        atlassian
            .contains("Forge SQL: data residency not confirmed by Atlassian's documentation, so where it keeps data is not known (evidence required)"),
        "{atlassian}"
    );
    let page = trustflow()
        .args([
            "export",
            "subprocessors",
            "models/forge-native.yaml",
            "--format",
            "md",
            "--date",
            "2026-11-30",
        ])
        .output()
        .unwrap();
    let page = String::from_utf8(page.stdout).unwrap();
    assert!(
        page.contains("Forge SQL: Atlassian does not document where it keeps data"),
        "{page}"
    );
    // A Forge app whose storage is all documented gets no such note.
    let out = trustflow()
        .args(["export", "annex", "models/forge-egress.yaml", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(out.stdout)
            .unwrap()
            .contains("data residency not confirmed")
    );
}

/// The vendor is told, before publishing, which safeguards the page shows as "not stated"
/// although the analysis needs evidence for them; the legal entity's country is said as such,
/// not listed as a place of processing.
#[test]
fn publishing_a_page_with_unrecorded_safeguards_warns_the_vendor() {
    trustflow()
        .args(["export", "subprocessors", "models/forge-egress.yaml", "--format", "md"])
        .args(["--date", "2026-11-30"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "warning: the page shows no recorded transfer safeguard for Anthropic: the analysis says IDTA or UK Addendum required, not recorded",
        ))
        .stdout(predicates::str::contains(
            "| EU, US, reachable from AU (its legal entity), the app's stored data: not guaranteed to stay in your site's region |",
        ));
}

/// An import lists every personal category the app's permissions allow at each recipient. The
/// annex says so ("not confirmed by the vendor"), and an overlay stating what a flow really
/// sends replaces the list and the mark.
#[test]
fn imported_data_lists_are_marked_unconfirmed_until_an_overlay_states_them() {
    let dir = tempfile::tempdir().unwrap();
    let annex = |overlay: &str| -> serde_json::Value {
        let overlay_path = dir.path().join("overlay.yaml");
        std::fs::write(&overlay_path, overlay).unwrap();
        let model = dir.path().join("m.yaml");
        trustflow()
            .args([
                "import",
                "forge",
                "models/descriptors/forge-egress.manifest.yml",
                "--overlay",
            ])
            .arg(&overlay_path)
            .arg("-o")
            .arg(&model)
            .assert()
            .success();
        annex_json(&model)
    };
    let row = |annex: &serde_json::Value, who: &str| -> String {
        annex["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["recipient"] == who)
            .unwrap_or_else(|| panic!("{who} in {annex}"))["personal_data"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let base = "installations:\n  - { id: eu, realm: eu, established: DE, products: [jira], plan: standard }\n\
components:\n  - { id: egress-slack-com, owner: customer }\n";
    let imported = annex(base);
    assert_eq!(
        row(&imported, "Anthropic"),
        "Per the app's permissions, not confirmed by the vendor (evidence required): Issue summaries, descriptions, comments and attachments; Users' e-mail addresses; Account IDs, display names and avatars"
    );
    // The customer's own Slack: named by its provider, its data marked the same way.
    let integration = &imported["integrations"][0];
    assert_eq!(
        integration["name"],
        "Slack (Slack Technologies, LLC, unless the customer's own agreement names another entity)"
    );
    assert!(
        integration["personal_data"]
            .as_str()
            .unwrap()
            .starts_with("Per the app's permissions")
    );

    // The vendor states what goes to Anthropic: only that, and no mark.
    let stated = annex(&format!(
        "{base}flows:\n  - {{ id: forge-app-to-egress-api-anthropic-com, data: [issue-content] }}\n"
    ));
    assert_eq!(
        row(&stated, "Anthropic"),
        "Issue summaries, descriptions, comments and attachments"
    );
    // `basis: stated` confirms the imported list as it is.
    let confirmed = annex(&format!(
        "{base}flows:\n  - {{ id: forge-app-to-egress-api-anthropic-com, basis: stated }}\n"
    ));
    assert_eq!(
        row(&confirmed, "Anthropic"),
        "Issue summaries, descriptions, comments and attachments; Users' e-mail addresses; Account IDs, display names and avatars"
    );
    // Storage stated in an overlay confirms what Atlassian keeps for the app.
    let stored = annex(&format!(
        "{base}  - {{ id: forge-storage, stores: [issue-content, user-email] }}\n"
    ));
    // (the account IDs the UI passes stay the platform's, unconfirmed).
    assert!(
        row(&stored, "Atlassian").starts_with(
            "Issue summaries, descriptions, comments and attachments; Users' e-mail addresses. Per the app's permissions"
        ),
        "{stored}"
    );
}

/// A customer integration whose provider the model does not name says so, instead of passing
/// a host name off as a provider.
#[test]
fn a_customer_integration_without_a_provider_says_it_is_not_stated() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    std::fs::write(
        &model,
        "trustflow: 1\napp: { name: A, platform: forge, vendor: v }\norganisations: [{ id: v, name: V, country: DE }]\n\
data: [{ id: email, name: E-mail addresses, personal: true }]\n\
components: [{ id: jira, kind: atlassian-product }, { id: fn, kind: forge-function }, { id: hook, name: hooks.example.net, kind: external-service, region: US, owner: customer }]\n\
flows: [{ from: jira, to: fn, data: [email] }, { from: fn, to: hook, data: [email], purpose: Post to the customer's webhook, host: hooks.example.net }]\n\
installations: [{ id: i, realm: eu, established: DE, products: [jira], plan: standard }]\n",
    )
    .unwrap();
    let json = annex_json(&model);
    assert_eq!(
        json["integrations"][0]["name"],
        "hooks.example.net (provider not stated)"
    );
}

/// The DPA annex of a model file, as JSON.
fn annex_json(model: &std::path::Path) -> serde_json::Value {
    let out = trustflow()
        .args(["export", "annex"])
        .arg(model)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A descriptor that asks for ACT_AS_USER: the annex says the vendor may act as any user, and
/// one that does not ask says nothing of it.
#[test]
fn the_annex_says_when_the_app_may_act_as_any_user() {
    let dir = tempfile::tempdir().unwrap();
    let purpose = |descriptor: &str| -> String {
        let model = dir.path().join("m.yaml");
        trustflow()
            .args(["import", "connect", descriptor, "-o"])
            .arg(&model)
            .assert()
            .success();
        let annex = annex_json(&model);
        let rows = annex["rows"].as_array().unwrap();
        let vendor = rows.iter().find(|r| r["role"] == "processor").unwrap();
        vendor["purpose"].as_str().unwrap().to_owned()
    };
    assert!(
        purpose("tests/corpus/connect/002-alkimia60--Jira_ACE_Webhook_Postfuncion.json")
            .ends_with("act as any user of the site, also when the user is not present (ACT_AS_USER)")
    );
    assert!(!purpose("tests/corpus/connect/005-bitovi--jira-timeline-report.json").contains("ACT_AS_USER"));
}

/// A category the model does not declare personal but that a component makes from personal
/// data is listed in the annex as the analysis's conclusion, not as a declaration.
#[test]
fn derived_personal_data_is_said_to_be_derived_in_the_annex() {
    let dir = tempfile::tempdir().unwrap();
    let (_, annex) = imported_connect_annex(&dir, "008-DuoSoftware--smoothflow-jira-addon.json");
    let vendor = annex["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "processor")
        .unwrap();
    let data = vendor["personal_data"].as_str().unwrap();
    assert!(
        data.contains("Project, space and workflow configuration (treated as personal: derived from personal data)"),
        "{data}"
    );
    assert!(
        !data.contains("IP addresses and browser data of users who load the app's pages (treated"),
        "{data}"
    );
}

/// A Connect descriptor whose `baseUrl` is a development tunnel: the annex names the tunnel
/// where it says where the vendor processes, beside the reason nothing else is known, and the
/// analysis reports it as a non-production destination.
#[test]
fn a_tunnel_base_url_is_named_in_the_annex_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (model, annex) = imported_connect_annex(&dir, "009-Dynatrace--atlassian-connect-jira.json");
    let vendor = &annex["rows"][0];
    assert_eq!(vendor["role"], "processor", "{annex}");
    let location = vendor["location"].as_str().unwrap();
    assert!(
        location.starts_with("not assessed: no customer site is recorded"),
        "{location}"
    );
    assert!(
        location.contains(
            "reached at fccf5896.ngrok.io, which is not a production destination (a development tunnel (ngrok)"
        ),
        "{location}"
    );
    let out = trustflow()
        .arg("analyze")
        .arg(&model)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let analysis: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = analysis["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"] == "fccf5896.ngrok.io")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["TF-PLAT-011"],
        "the tunnel is a non-production destination, not an unknown recipient"
    );
}

/// Imports a vendored Connect descriptor into `dir` and returns the model's path and its annex.
fn imported_connect_annex(dir: &tempfile::TempDir, descriptor: &str) -> (std::path::PathBuf, serde_json::Value) {
    let model = dir.path().join("m.yaml");
    trustflow()
        .args(["import", "connect", &format!("tests/corpus/connect/{descriptor}"), "-o"])
        .arg(&model)
        .assert()
        .success();
    let annex = annex_json(&model);
    (model, annex)
}

/// One customer's annex speaks of its own site only: no other customer's realm or id, and the
/// HIPAA note about that site alone; an unknown id says which ones the model has.
#[test]
fn an_annex_for_one_installation_speaks_of_that_site_alone() {
    let annex = |id: &str| {
        trustflow()
            .args(["export", "annex", "models/forge-egress.yaml", "--installation", id])
            .args(["--format", "md", "--date", "2026-11-30"])
            .output()
            .unwrap()
    };
    let out = annex("us-hospital");
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains("US sites:") && !page.contains("EU sites"), "{page}");
    assert!(!page.contains("eu-customer") && !page.contains("us-hospital"), "{page}");
    assert!(
        page.contains("The customer's site this annex considers is HIPAA-covered"),
        "{page}"
    );
    let out = annex("nope");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it has eu-customer, us-hospital"));
    // The public page and the other exports speak for every customer.
    trustflow()
        .args([
            "export",
            "subprocessors",
            "models/forge-egress.yaml",
            "--installation",
            "us-hospital",
        ])
        .assert()
        .code(2);
    // The trust page says where to ask and object.
    let trust = export("models/forge-egress.yaml", "html");
    assert!(
        trust.contains("objections to a change: <a href=\"mailto:privacy@buddy.example\">"),
        "{trust}"
    );
}
