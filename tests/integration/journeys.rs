//! docs/journeys.md runs as written: every `trustflow …` line of its `sh` blocks is run in
//! order (in a scratch folder that sees the repository's `models/`, `examples/` and `tests/`)
//! and exits as the page says (`# exits N`, else 0); what each artifact must say to its reader
//! is checked after.

use crate::{root, trustflow};

/// The commands of the page's `sh` blocks, with the exit code each is expected to give.
fn commands(page: &str) -> Vec<(Vec<String>, i32)> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in page.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        let Some(command) = line.strip_prefix("trustflow ").filter(|_| in_sh) else {
            continue;
        };
        let (command, code) = match command.split_once("# exits ") {
            Some((command, code)) => (command, code.trim().parse().unwrap()),
            None => (command, 0),
        };
        out.push((words(command), code));
    }
    out
}

/// Splits a command line into words, keeping "double-quoted" words whole.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

#[test]
fn the_three_journeys_run_as_documented() {
    let page = std::fs::read_to_string(root().join("docs/journeys.md")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    for dir in ["models", "examples", "tests"] {
        std::os::unix::fs::symlink(root().join(dir), scratch.path().join(dir)).unwrap();
    }
    let commands = commands(&page);
    assert!(commands.len() >= 14, "the page lists its commands: {commands:?}");
    let mut stderr_of_failure = String::new();
    for (args, code) in &commands {
        let out = trustflow().current_dir(scratch.path()).args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(*code),
            "`trustflow {}`:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        if *code != 0 && stderr_of_failure.is_empty() {
            stderr_of_failure = String::from_utf8_lossy(&out.stderr).into_owned();
        }
    }
    let read = |name: &str| std::fs::read_to_string(scratch.path().join("out").join(name)).unwrap();

    // The vendor: the reason the first red gate gives is the one the page shows.
    let shown = page.split("```text\n").nth(1).unwrap().split("```").next().unwrap();
    assert_eq!(stderr_of_failure.trim(), shown.trim());
    let trust = read("trust.html");
    assert!(trust.contains("Anthropic") && !trust.contains("Mistral"));
    for internal in ["TF-", "evidence required", "patient-refs"] {
        assert!(!trust.contains(internal), "the public page shows `{internal}`");
    }
    assert!(read("trust-2.4.html").contains("Mistral AI SAS"));
    assert!(read("trust.atom").contains("<feed"));
    let notice = read("notice.html");
    assert!(
        notice.contains("Mistral AI") && notice.contains("2026-12-02"),
        "effective date"
    );
    // Buddy Apps is established in the UK: the UK's adequacy regulations cover France.
    assert!(notice.contains("UK adequacy regulations, which cover FR"), "{notice}");
    assert!(
        !notice.contains(".yaml") && !notice.contains("trustflow"),
        "no file or tool names"
    );

    // Procurement: the gaps to ask for, and an annex with rows and no missing-sites warning.
    assert!(read("gaps.yaml").contains("installations:"));
    let annex = read("annex.html");
    assert!(annex.contains("Buddy Apps Ltd") && annex.contains("Anthropic"));
    assert!(
        !annex.contains("No customer site is recorded"),
        "the overlay supplied the sites"
    );
    assert!(read("annex.csv").starts_with("recipient,legal_entity,"));
    assert!(read("timeline-annex.html").contains("No customer site is recorded"));
    // The addition is announced in the feed on the notice date, before it takes effect.
    assert!(read("trust-announced.atom").contains("Sub-processor to be added on 2026-12-02: Mistral AI"));
    // A descriptor names no hosting provider: "no sub-processor" is said as not stated.
    assert!(read("timeline-annex.html").contains("No sub-processor of the vendor is recorded"));
    // A dropped provider keeps what it received by its own terms: the migration notice says so.
    assert!(read("migration-notice.html").contains("By its own terms it keeps what it received"));

    // The architect: options labelled as asked, numbers in the CSV, the report and notice.
    let compare = read("compare.html");
    for label in ["Connect on AWS", "Forge + Remote", "Forge native"] {
        assert!(compare.contains(label), "{label}");
    }
    assert!(!compare.contains('`'), "quoted names are code, not raw backticks");
    assert!(
        compare.contains("Forge SQL: data residency not confirmed by Atlassian"),
        "Forge SQL's open evidence is shown"
    );
    assert!(
        read("compare.csv").lines().count() == 4,
        "a header and one row per option"
    );
    assert!(read("reports/forge-native.html").contains("Data-flow diagram"));
    assert!(read("migration-notice.html").contains("Amazon Web Services"));
}

#[test]
fn command_lines_split_like_a_shell_for_quoted_words() {
    assert_eq!(
        words(r#"compare a.yaml --label "Connect on AWS" -o out/x.html"#),
        ["compare", "a.yaml", "--label", "Connect on AWS", "-o", "out/x.html"]
    );
}
