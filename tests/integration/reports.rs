//! Reports: snapshots of the Markdown, CSV and JSON and of the HTML's text structure; escaping;
//! byte-identical output; the committed `reports/`; the PDF's text; the HTML in Chromium.

use crate::generated::check_generated;
use crate::root;
use std::path::Path;
use std::process::Command;
use trustflow::analysis::analyze;
use trustflow::catalog::Catalog;
use trustflow::dates::Date;
use trustflow::facts::Facts;
use trustflow::render::{self, Format, ReportData, templates::Templates};

const ALL: [Format; 5] = [Format::Html, Format::Pdf, Format::Csv, Format::Json, Format::Md];

/// Renders every format of a model, keyed by file name.
fn artifacts(model: &str, formats: &[Format]) -> Vec<(String, Vec<u8>)> {
    let catalog = Catalog::builtin();
    let text = std::fs::read_to_string(root().join(model)).unwrap();
    let loaded = trustflow::load::load_model_str(model, &text, &catalog).unwrap();
    let facts = Facts::new(&loaded, &catalog);
    let analysis = analyze(&facts);
    let data = ReportData::new(&facts, &analysis, Date::parse("2026-11-23"));
    let stem = Path::new(model).file_stem().unwrap().to_string_lossy().into_owned();
    // Without the `pdf` feature (a fast developer build) the PDF is left out.
    let formats: Vec<Format> = formats
        .iter()
        .copied()
        .filter(|f| cfg!(feature = "pdf") || *f != Format::Pdf)
        .collect();
    render::render(&data, &formats, &stem, &Templates::load(None).unwrap()).unwrap()
}

fn text(files: &[(String, Vec<u8>)], suffix: &str) -> String {
    let (_, bytes) = files
        .iter()
        .find(|(name, _)| name.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix}"));
    String::from_utf8(bytes.clone()).unwrap()
}

/// The HTML's text structure: headings, table headers and the first cell of each row.
fn html_outline(html: &str) -> String {
    let mut out = String::new();
    for line in html.split('<').skip(1) {
        let (tag, rest) = line.split_once('>').unwrap_or((line, ""));
        let name = tag.split_whitespace().next().unwrap_or("");
        let text = rest.trim();
        match name {
            "h1" | "h2" | "h3" => out.push_str(&format!("{name}: {text}\n")),
            "th" if !text.is_empty() => out.push_str(&format!("  th: {text}\n")),
            "section" => out.push_str(&format!(
                "[{}]\n",
                tag.trim_start_matches("section id=\"").trim_end_matches('"')
            )),
            _ => {}
        }
    }
    out
}

#[test]
fn markdown_csv_json_and_html_structure_snapshots() {
    let files = artifacts(
        "models/connect-aws.yaml",
        &[Format::Md, Format::Csv, Format::Json, Format::Html],
    );
    insta::assert_snapshot!("connect_aws_md", text(&files, ".md"));
    insta::assert_snapshot!("connect_aws_subprocessors_csv", text(&files, ".subprocessors.csv"));
    insta::assert_snapshot!("connect_aws_findings_csv", text(&files, ".findings.csv"));
    insta::assert_snapshot!("connect_aws_json", text(&files, ".json"));
    insta::assert_snapshot!("connect_aws_html_outline", html_outline(&text(&files, ".html")));
    let egress = artifacts("models/forge-egress.yaml", &[Format::Md]);
    insta::assert_snapshot!("forge_egress_md", text(&egress, ".md"));
}

/// The transfer tables name the law, the mechanism and the status in words, never by the codes
/// the JSON keeps (`eu-gdpr`, `within-eea`, `not-assessed`).
#[test]
fn transfer_tables_say_the_law_and_mechanism_in_words() {
    let files = artifacts("models/forge-egress.yaml", &[Format::Html, Format::Json]);
    let html = text(&files, ".html");
    let section = &html[html.find("<section id=\"transfers\">").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("EU GDPR Chapter V"), "{section}");
    for code in [
        ">eu-gdpr<",
        ">within-eea<",
        ">none-found<",
        ">not-a-transfer<",
        ">not-assessed<",
        ">none<",
    ] {
        assert!(!section.contains(code), "{code} in the transfers table");
    }
    // The JSON keeps its codes.
    assert!(text(&files, ".json").contains("\"regime\": \"eu-gdpr\""));
}

/// A provider that keeps what it receives by its own terms (Anthropic's seven days of logs)
/// outside a realm makes "data at rest stays in the realm" unconfirmed there, and only there.
#[test]
fn a_providers_own_retention_outside_the_realm_leaves_residency_unconfirmed() {
    let files = artifacts("models/forge-egress.yaml", &[Format::Json]);
    let json: serde_json::Value = serde_json::from_str(&text(&files, ".json")).unwrap();
    let evidence = |realm: &str| -> String {
        let entry = json["residency"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["realm"] == realm)
            .unwrap();
        entry["evidence_required"].to_string()
    };
    assert!(
        evidence("eu").contains("Anthropic may keep what it receives by its standard terms"),
        "{}",
        evidence("eu")
    );
    assert!(!evidence("us").contains("Anthropic"), "{}", evidence("us"));
}

#[test]
fn model_strings_stay_text() {
    let files = artifacts(
        "tests/fixtures/reports/hostile.yaml",
        &[Format::Html, Format::Md, Format::Pdf, Format::Csv],
    );
    let html = text(&files, ".html");
    assert!(!html.contains("<script>alert"), "script tag must be escaped");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(!html.contains("<img src=x"));
    assert!(
        !html.contains("href=\"javascript:"),
        "a DPA URL is only linked when it is http(s)"
    );
    let md = text(&files, ".md");
    assert!(!md.contains("<script>") && md.contains("&lt;script&gt;"));
    assert!(md.contains("\\| \\*bold\\*"), "table syntax escaped: {md}");
    // The PDF compiled: the hostile strings were data, not typst markup.
    if cfg!(feature = "pdf") {
        assert!(files.iter().any(|(n, b)| n.ends_with(".pdf") && b.starts_with(b"%PDF")));
    }
    let csv = text(&files, ".subprocessors.csv");
    assert!(csv.contains("\"Vendor </td><td>\"") || csv.contains("Vendor </td><td>"));
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    let first = artifacts("models/forge-remote.yaml", &ALL);
    let second = artifacts("models/forge-remote.yaml", &ALL);
    assert_eq!(first.len(), if cfg!(feature = "pdf") { 8 } else { 7 });
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "{name} differs between runs");
    }
}

#[test]
fn committed_reports_are_current() {
    // `reports/` is regenerated with: trustflow report models/*.yaml --date 2026-11-23
    for model in ["connect-aws", "forge-native", "forge-remote", "forge-egress"] {
        for (name, bytes) in artifacts(
            &format!("models/{model}.yaml"),
            &[Format::Html, Format::Csv, Format::Json, Format::Md],
        ) {
            let committed = std::fs::read(root().join("reports").join(&name)).unwrap_or_default();
            if std::env::var_os("TRUSTFLOW_UPDATE").is_some() {
                continue; // the README command rewrites them, PDFs included
            }
            assert!(
                committed == bytes,
                "reports/{name} is out of date: run the README's report command"
            );
        }
        assert!(
            root().join(format!("reports/{model}.pdf")).exists(),
            "reports/{model}.pdf missing"
        );
    }
    assert!(root().join("reports/index.html").exists());
}

#[test]
fn analysis_schema_in_docs_is_current() {
    check_generated("docs/analysis.schema.json", &render::analysis_schema());
}

/// Runs a tool a test needs; a missing tool fails the test unless TRUSTFLOW_SKIP_TOOLS is set
/// outside CI (with `CI` set it always fails: `.ci/run` installs them).
fn tool(name: &str) -> Option<Command> {
    if Command::new(name).arg("--version").output().is_ok() {
        return Some(Command::new(name));
    }
    assert!(
        std::env::var_os("TRUSTFLOW_SKIP_TOOLS").is_some() && std::env::var_os("CI").is_none(),
        "`{name}` is not installed (see .ci/run)"
    );
    None
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_text_names_every_subprocessor_and_finding() {
    let Some(mut pdftotext) = tool("pdftotext") else { return };
    let dir = tempfile::tempdir().unwrap();
    for model in ["models/connect-aws.yaml", "models/forge-egress.yaml"] {
        let files = artifacts(model, &[Format::Pdf, Format::Json]);
        let pdf_path = dir.path().join("r.pdf");
        std::fs::write(&pdf_path, &files.iter().find(|(n, _)| n.ends_with(".pdf")).unwrap().1).unwrap();
        let out = pdftotext.arg(&pdf_path).arg("-").output().unwrap();
        // Table cells wrap, also at hyphens, which text extraction then drops: compare with
        // white space and hyphens removed.
        let squeeze = |s: &str| {
            s.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect::<String>()
        };
        let pdf_text = squeeze(&String::from_utf8_lossy(&out.stdout));
        let json: serde_json::Value =
            serde_json::from_slice(&files.iter().find(|(n, _)| n.ends_with(".json")).unwrap().1).unwrap();
        for row in json["subprocessors"].as_array().unwrap() {
            let name = row["name"].as_str().unwrap();
            assert!(
                pdf_text.contains(&squeeze(name)),
                "{model}: PDF lacks sub-processor {name}"
            );
        }
        // Every finding is a row: each rule code appears at least as often as it has findings
        // (text extraction interleaves neighbouring cells, so messages are not compared whole).
        let findings = json["findings"].as_array().unwrap();
        for finding in findings {
            let rule = finding["rule"].as_str().unwrap();
            let expected = findings.iter().filter(|f| f["rule"] == rule).count();
            assert!(
                pdf_text.matches(&squeeze(rule)).count() >= expected,
                "{model}: PDF lacks findings of {rule}"
            );
            let subject = finding["subject"].as_str().unwrap();
            assert!(pdf_text.contains(&squeeze(subject)), "{model}: PDF lacks {subject}");
        }
        assert!(pdf_text.contains("page1of"), "page numbers");
        pdftotext = Command::new("pdftotext");
    }
}

#[test]
fn html_opens_in_chromium_without_errors_and_with_every_section() {
    let Some(mut chromium) = tool("chromium") else { return };
    let dir = tempfile::tempdir().unwrap();
    let files = artifacts("models/connect-aws.yaml", &[Format::Html]);
    let html = dir.path().join("report.html");
    std::fs::write(&html, &files[0].1).unwrap();
    let profile = tempfile::tempdir().unwrap();
    // Kept after the run for people to look at (target/tmp/report-screenshot.png).
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let output = chromium
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1300,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("CONSOLE"), "console messages:\n{stderr}");
    assert!(shot.exists(), "no screenshot: {stderr}");
    let dom = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            tempfile::tempdir().unwrap().path().display()
        ))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    for section in [
        "summary",
        "diagram",
        "gdpr",
        "transfers",
        "residency",
        "hipaa",
        "soc2",
        "findings",
        "model",
    ] {
        assert!(
            dom.contains(&format!("<section id=\"{section}\"")),
            "section {section} missing from the rendered page"
        );
    }
    assert!(dom.contains("class=\"component\""), "the diagram rendered");
}

#[test]
fn a_model_without_installations_says_so_instead_of_empty_transfer_columns() {
    let catalog = Catalog::builtin();
    let yaml = std::fs::read_to_string(root().join("models/connect-aws.yaml")).unwrap();
    let yaml = yaml.split("\ninstallations:").next().unwrap().to_owned() + "\n";
    let loaded = trustflow::load::load_model_str("no-installations.yaml", &yaml, &catalog).unwrap();
    let facts = Facts::new(&loaded, &catalog);
    let analysis = analyze(&facts);
    let data = ReportData::new(&facts, &analysis, None);
    let files = render::render(&data, &[Format::Md, Format::Html], "x", &Templates::load(None).unwrap()).unwrap();
    let md = text(&files, ".md");
    assert!(!md.contains("Transfer basis ()"), "{md}");
    assert!(md.contains(
        "| Organisation | Legal entity | Country | Role | Purpose | Personal data |\n|---|---|---|---|---|---|\n"
    ));
    assert!(text(&files, ".html").contains("No installations are declared"));
}

/// Opens `html` at `width` px in headless Chromium with a probe script appended, and returns
/// what the probe wrote: the page's horizontal overflow and the tables wider than the page.
fn probe_width(html: &str, width: u32) -> Option<String> {
    let mut chromium = tool("chromium")?;
    let dir = tempfile::tempdir().unwrap();
    let probe = "<script>document.body.setAttribute('data-probe', JSON.stringify({page: Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth), tables: [...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length}));</script></body>";
    let page = dir.path().join("page.html");
    std::fs::write(&page, html.replacen("</body>", probe, 1)).unwrap();
    let out = chromium
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!("--window-size={width},1200"))
        .arg(format!(
            "--user-data-dir={}",
            tempfile::tempdir().unwrap().path().display()
        ))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let start = dom.find("data-probe=\"")? + "data-probe=\"".len();
    let end = start + dom[start..].find('"')?;
    Some(dom[start..end].replace("&quot;", "\""))
}

#[test]
fn html_pages_fit_a_phone_and_a_desktop_without_sideways_scrolling() {
    let report = text(&artifacts("models/connect-aws.yaml", &[Format::Html]), ".html");
    let trust = String::from_utf8(
        crate::trustflow()
            .args(["export", "subprocessors", "models/connect-aws.yaml", "--format", "html"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for (name, html) in [("report", &report), ("trust page", &trust)] {
        for width in [420, 1400] {
            let Some(probe) = probe_width(html, width) else { return };
            assert_eq!(
                probe, "{\"page\":0,\"tables\":0}",
                "{name} at {width} px: the page or a table overflows sideways"
            );
        }
    }
}

#[test]
fn the_diagram_exports_as_svg_dot_and_mermaid_with_names_as_text() {
    for (format, start) in [("svg", "<svg"), ("dot", "digraph"), ("mermaid", "flowchart LR")] {
        let out = crate::trustflow()
            .args(["diagram", "models/forge-remote.yaml", "--format", format])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with(start), "{format}: {text}");
        assert!(text.contains("Acme sync back end"), "{format}: full component names");
    }
    let hostile = |format: &str| {
        String::from_utf8(
            crate::trustflow()
                .args(["diagram", "tests/fixtures/reports/hostile.yaml", "--format", format])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
    };
    let mermaid = hostile("mermaid");
    assert!(
        !mermaid.contains("<script>") && mermaid.contains("#lt;script#gt;"),
        "{mermaid}"
    );
    let dot = hostile("dot");
    for line in dot.lines() {
        let quotes = line.replace("\\\"", "").matches('"').count();
        assert!(quotes % 2 == 0, "every DOT string is closed: {line}");
    }
    assert!(!hostile("svg").contains("<script>"));
}

#[test]
fn a_large_model_is_drawn_as_its_summary_and_its_report_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("twin.yaml");
    std::fs::write(&model, trustflow::synth::twin_model(100)).unwrap();
    let model = model.to_str().unwrap();
    let out = crate::trustflow().args(["diagram", model]).output().unwrap();
    let summary = String::from_utf8(out.stdout).unwrap();
    let full = String::from_utf8(
        crate::trustflow()
            .args(["diagram", model, "--full"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        summary.len() * 10 < full.len(),
        "summary {} bytes, full {} bytes",
        summary.len(),
        full.len()
    );
    assert!(summary.contains("components)"), "groups are named with their counts");
    crate::trustflow()
        .args(["report", model, "--format", "html", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("twin.html")).unwrap();
    assert!(
        html.contains("Summary view."),
        "the report says the diagram is a summary"
    );
}

#[cfg(feature = "pdf")]
#[test]
fn a_large_models_pdf_prints_the_first_rows_and_says_where_all_of_them_are() {
    let Some(mut pdftotext) = tool("pdftotext") else { return };
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("twin.yaml");
    std::fs::write(&model, trustflow::synth::twin_model(100)).unwrap();
    crate::trustflow()
        .arg("report")
        .arg(&model)
        .args(["--format", "pdf,json", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("twin.json")).unwrap()).unwrap();
    let analysis = if json.get("analyses").is_some() {
        &json["analyses"][0]
    } else {
        &json
    };
    let findings = analysis["findings"].as_array().unwrap();
    let out = pdftotext.arg(dir.path().join("twin.pdf")).arg("-").output().unwrap();
    // Lines wrap at spaces and hyphens, which text extraction drops: compare without both.
    let squeeze = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
    };
    let text = squeeze(&String::from_utf8_lossy(&out.stdout));
    // Every finding is accounted for: those printed and, per rule and severity, those counted.
    let shown = findings
        .iter()
        .fold(std::collections::BTreeMap::<(&str, &str), usize>::new(), |mut m, f| {
            *m.entry((f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
                .or_default() += 1;
            m
        });
    let printed: usize = shown.values().map(|n| (*n).min(3)).sum();
    assert!(
        text.contains(&squeeze(&format!("{printed} of {} findings are shown", findings.len()))),
        "{text}"
    );
    for ((rule, severity), n) in shown.iter().filter(|(_, n)| **n > 3) {
        assert!(
            text.contains(&squeeze(&format!("{rule} {severity}: {} more", n - 3))),
            "{rule} {severity}"
        );
    }
    let recipients = analysis["subprocessors"].as_array().unwrap().len();
    assert!(
        text.contains(&squeeze(&format!(
            "the first 60 of {recipients} recipients are shown. All of them are in the sub-processor CSV"
        ))),
        "{text}"
    );
    // The Runs on Atlassian verdict names the first 20 components of a clause and counts the rest.
    let outside = analysis["runs_on_atlassian"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.as_str().unwrap().ends_with("runs outside Atlassian"))
        .count();
    assert!(outside > 20, "{outside}");
    assert!(
        text.contains(&squeeze(&format!("and {} more run outside Atlassian", outside - 20)))
            && text.contains(&squeeze(
                "(every one of them in the HTML and JSON reports of this model)"
            )),
        "{text}"
    );
}
