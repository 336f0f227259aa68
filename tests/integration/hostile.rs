//! Every output format, from a model whose every string is hostile to some format
//! (`tests/fixtures/hostile/model.yaml`): markup and script, spreadsheet formulas, link
//! schemes, Typst code, DOT and Mermaid breakouts, terminal escapes and bidirectional
//! overrides. Nothing may be interpreted: each output is checked by the rules of its format.

use crate::trustflow;

const MODEL: &str = "tests/fixtures/hostile/model.yaml";
const BEFORE: &str = "tests/fixtures/hostile/before.yaml";
const WORKLOAD: &str = "tests/fixtures/hostile/workload.yaml";

/// Runs trustflow and returns its standard output; the run must succeed.
fn run(args: &[&str]) -> String {
    let out = trustflow().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "trustflow {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("trustflow {args:?}: not UTF-8: {e}"))
}

/// HTML, SVG and Atom: no element, attribute or link the model wrote is markup.
fn assert_markup_inert(what: &str, text: &str) {
    for live in [
        "<script>",
        "<img src=x",
        "onerror=alert(2)>",
        "href=\"javascript:",
        "src=\"javascript:",
        "href=\"mailto:x@example.com <",
    ] {
        assert!(!text.contains(live), "{what}: `{live}` is live:\n{text}");
    }
    assert!(!text.contains('\u{1b}'), "{what}: a terminal escape is in the page");
}

/// Markdown: besides inert markup, no link the model wrote becomes a link.
fn assert_markdown_inert(what: &str, text: &str) {
    assert_markup_inert(what, text);
    assert!(
        !text.contains("[click](javascript:"),
        "{what}: the model's link is a Markdown link:\n{text}"
    );
}

/// CSV: no cell begins with a formula trigger (OWASP CSV injection).
fn assert_no_formula(what: &str, text: &str) {
    assert_terminal_safe(what, text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for record in reader.records() {
        for cell in &record.unwrap() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: the cell `{cell}` starts a formula"
            );
        }
    }
}

/// Terminal text: no escape sequence or bidirectional override reaches the terminal.
fn assert_terminal_safe(what: &str, text: &str) {
    for c in ['\u{1b}', '\u{202e}', '\u{9b}'] {
        assert!(!text.contains(c), "{what}: {c:?} reaches the terminal");
    }
}

#[test]
fn every_output_format_keeps_hostile_strings_as_text() {
    // Terminal text.
    for args in [
        &["check", MODEL][..],
        &["analyze", MODEL],
        &["diff", BEFORE, MODEL],
        &["compare", BEFORE, MODEL],
        &["simulate", MODEL, "--workload", WORKLOAD],
    ] {
        assert_terminal_safe(&format!("{args:?}"), &run(args));
    }
    // Web pages, SVG and the Atom feed.
    for args in [
        &["diff", BEFORE, MODEL, "--format", "html", "--date", "2026-12-01"][..],
        &["export", "subprocessors", MODEL, "--format", "html"],
        &["export", "subprocessors", MODEL, "--format", "atom"],
        &["export", "annex", MODEL, "--format", "html"],
        &["compare", BEFORE, MODEL, "--format", "html"],
        &["diagram", MODEL, "--format", "svg"],
        &["diagram", MODEL, "--format", "svg", "--full"],
        &["simulate", MODEL, "--workload", WORKLOAD, "--format", "html"],
        &["compare", BEFORE, MODEL, "--workload", WORKLOAD, "--format", "html"],
    ] {
        assert_markup_inert(&format!("{args:?}"), &run(args));
    }
    // Markdown.
    for args in [
        &["diff", BEFORE, MODEL, "--format", "md", "--date", "2026-12-01"][..],
        &["export", "subprocessors", MODEL, "--format", "md"],
        &["export", "annex", MODEL, "--format", "md"],
        &["export", "marketplace", MODEL, "--format", "md"],
        &["compare", BEFORE, MODEL, "--format", "md"],
    ] {
        assert_markdown_inert(&format!("{args:?}"), &run(args));
    }
    // CSV.
    for args in [
        &["export", "subprocessors", MODEL, "--format", "csv"][..],
        &["export", "annex", MODEL, "--format", "csv"],
        &["compare", BEFORE, MODEL, "--format", "csv"],
    ] {
        assert_no_formula(&format!("{args:?}"), &run(args));
    }
    // JSON and SARIF parse, and hold the strings exactly as the model wrote them.
    for args in [
        &["analyze", MODEL, "--format", "json"][..],
        &["analyze", MODEL, "--format", "sarif"],
        &["diff", BEFORE, MODEL, "--format", "json"],
        &["export", "subprocessors", MODEL, "--format", "json"],
        &["export", "annex", MODEL, "--format", "json"],
        &["export", "marketplace", MODEL, "--format", "json"],
    ] {
        let text = run(args);
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}"));
        // The strings are data, kept as written (JSON escapes what it must itself).
        let all = json.to_string();
        assert!(
            all.contains("<script>alert(1)</script>") || all.contains("=HYPERLINK(") || args.contains(&"sarif"),
            "{args:?}: the model's strings are not kept as written"
        );
    }
    // DOT: every model string inside a quoted, escaped string; the breakout made no node.
    let dot = run(&["diagram", MODEL, "--format", "dot", "--full"]);
    assert!(!dot.contains("a\"]; evil"), "a DOT breakout:\n{dot}");
    assert_terminal_safe("dot", &dot);
    assert!(
        dot.contains("a\\\"]; evil [label=\\\"b"),
        "the name is kept, escaped:\n{dot}"
    );
    // Mermaid: quotes in labels are entities, so a label cannot close.
    let mermaid = run(&["diagram", MODEL, "--format", "mermaid", "--full"]);
    assert!(!mermaid.contains("m\"]-->X"), "a Mermaid breakout:\n{mermaid}");
    assert_terminal_safe("mermaid", &mermaid);
}

#[test]
fn every_report_file_keeps_hostile_strings_as_text() {
    let dir = tempfile::tempdir().unwrap();
    trustflow()
        .args([
            "report",
            MODEL,
            BEFORE,
            "--format",
            "html,md,csv,json,pdf",
            "--date",
            "2026-12-01",
            "--out-dir",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        match path.extension().and_then(|e| e.to_str()) {
            Some("html") => assert_markup_inert(&name, &String::from_utf8(bytes).unwrap()),
            Some("md") => assert_markdown_inert(&name, &String::from_utf8(bytes).unwrap()),
            Some("csv") => assert_no_formula(&name, &String::from_utf8(bytes).unwrap()),
            Some("json") => {
                serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            // The PDF compiled (a Typst string that ran as code would have panicked).
            Some("pdf") => assert!(bytes.starts_with(b"%PDF"), "{name}"),
            other => panic!("{name}: an output format this test does not check: {other:?}"),
        }
        seen += 1;
    }
    assert!(seen >= 15, "{seen} files");
}

#[test]
fn a_model_file_named_like_a_url_scheme_is_linked_as_a_file() {
    // The index page once linked `href="javascript:alert(1).html"`, a script URL.
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("javascript:alert(1).yaml");
    std::fs::copy(crate::root().join("models/forge-native.yaml"), &hostile).unwrap();
    let out = dir.path().join("out");
    trustflow()
        .arg("report")
        .arg(&hostile)
        .arg(crate::root().join("models/forge-egress.yaml"))
        .args(["--format", "html", "--out-dir"])
        .arg(&out)
        .assert()
        .success();
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!index.contains("href=\"javascript:"), "{index}");
    assert!(index.contains("href=\"./javascript%3Aalert%281%29.html\""), "{index}");
    assert!(out.join("javascript:alert(1).html").exists());
}
