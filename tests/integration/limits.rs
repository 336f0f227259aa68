//! Hostile and huge inputs (issue #16): each test feeds a shape that once took minutes or
//! gigabytes and checks the answer is right and the output bounded. None measures time: a
//! regression to the old quadratic or exponential behaviour makes the test run for minutes,
//! which CI reports.

use trustflow::catalog::Catalog;
use trustflow::import::{self, Kind};
use trustflow::load::load_model_str;

const HEAD: &str = "trustflow: 1\napp: { name: N, platform: connect, vendor: v }\norganisations:\n  - { id: v, name: V, country: DE }\n";

fn check(yaml: &str) -> Result<trustflow::load::LoadedModel, String> {
    load_model_str("hostile.yaml", yaml, &Catalog::builtin()).map_err(|d| trustflow::diagnostic::render_all(&d))
}

fn parent_chain(depth: usize) -> String {
    let mut yaml = format!("{HEAD}boundaries:\n");
    for i in 0..depth {
        if i == 0 {
            yaml.push_str("  - { id: b0 }\n");
        } else {
            yaml.push_str(&format!("  - {{ id: b{i}, parent: b{} }}\n", i - 1));
        }
    }
    yaml.push_str(&format!(
        "components:\n  - {{ id: jira, kind: atlassian-product }}\n  - {{ id: s, kind: service, operator: v, boundary: b{} }}\nflows:\n  - {{ from: jira, to: s }}\n",
        depth - 1
    ));
    yaml
}

#[test]
fn a_ten_thousand_deep_boundary_chain_is_checked_once_per_boundary() {
    let loaded = check(&parent_chain(10_000)).unwrap();
    assert_eq!(loaded.model.boundaries.len(), 10_000);
    // A cycle in a long chain is still found, once.
    let mut yaml = parent_chain(2_000);
    yaml = yaml.replace("  - { id: b0 }\n", "  - { id: b0, parent: b1999 }\n");
    let err = check(&yaml).unwrap_err();
    assert_eq!(
        err.matches("error[boundary-cycle]").count(),
        1,
        "{}",
        &err[..err.len().min(2_000)]
    );
}

#[test]
fn deeply_nested_boundaries_lay_out_in_linear_time() {
    let catalog = Catalog::builtin();
    let loaded = load_model_str("nested.yaml", &parent_chain(300), &catalog).unwrap();
    let svg = trustflow::render::diagram::data_flow_svg(&loaded.model, &loaded.graph, &catalog);
    assert!(svg.contains("<svg") && svg.matches("<rect").count() >= 300);
}

#[test]
fn thousands_of_errors_print_the_first_fifty_and_a_count() {
    let kinds: Vec<String> = (0..3_000).map(|i| format!("{{ id: c{i}, kind: servise }}")).collect();
    let yaml = format!("{HEAD}components: [{}]\n", kinds.join(", "));
    let err = check(&yaml).unwrap_err();
    assert_eq!(
        err.matches("error[invalid-value]").count(),
        trustflow::diagnostic::SHOWN
    );
    assert!(err.contains("2950 more not shown"), "{}", &err[err.len() - 300..]);
    assert!(err.ends_with("3000 errors\n"));
    // Each shown line is a window around the column, not the 90 KB line.
    assert!(err.len() < 40_000, "{} bytes", err.len());
    assert!(err.lines().all(|l| l.chars().count() < 300));
}

#[test]
fn dangling_references_by_the_thousand_stay_cheap_and_short() {
    let mut yaml = format!("{HEAD}components:\n");
    for i in 0..10_000 {
        yaml.push_str(&format!("  - {{ id: c{i}, kind: service, operator: v }}\n"));
    }
    yaml.push_str("flows:\n");
    for i in 0..10_000 {
        yaml.push_str(&format!("  - {{ from: x{i}, to: c{i} }}\n"));
    }
    let err = check(&yaml).unwrap_err();
    assert!(err.contains("`x0` is not defined in `components`"));
    assert!(err.contains("none of the 10000 ids in `components` is close"));
    assert!(err.len() < 40_000, "{} bytes", err.len());
}

#[test]
fn a_hundred_thousand_isolated_components_are_located_through_a_line_index() {
    let mut yaml = format!("{HEAD}components:\n");
    for i in 0..100_000 {
        yaml.push_str(&format!("  - {{ id: c{i}, kind: service, operator: v }}\n"));
    }
    let loaded = check(&yaml).unwrap();
    assert_eq!(loaded.warnings.len(), 100_000);
    assert_eq!(loaded.warnings[99_999].line, 100_005);
    assert!(
        loaded.warnings[99_999]
            .source_line
            .as_deref()
            .unwrap()
            .contains("c99999")
    );
}

#[test]
fn alias_expansion_is_bounded_in_bytes_not_nodes() {
    let big = "x".repeat(1_000_000);
    let mut yaml = format!("trustflow: 1\napp: {{ name: &a \"{big}\", platform: connect, vendor: v }}\ncomponents:\n");
    for i in 0..3_000 {
        yaml.push_str(&format!("  - {{ id: c{i}, kind: service, description: *a }}\n"));
    }
    let err = check(&yaml).unwrap_err();
    assert!(err.contains("aliases expand to too much data"), "{err}");
    // A few aliases of a modest string are fine.
    let ok = format!(
        "{HEAD}components:\n  - {{ id: jira, kind: atlassian-product, description: &d \"{}\" }}\n  - {{ id: s, kind: service, operator: v, description: *d }}\nflows:\n  - {{ from: jira, to: s }}\n",
        "y".repeat(200)
    );
    check(&ok).unwrap();
}

#[test]
fn repeated_egress_entries_import_once_in_linear_time() {
    let mut manifest = String::from(
        "app:\n  id: ari:cloud:ecosystem::app/x\nmodules:\n  function:\n    - key: f\n      handler: i.h\npermissions:\n  scopes: [read:jira-work]\n  external:\n    fetch:\n      backend:\n",
    );
    for _ in 0..5_000 {
        manifest.push_str("        - api.dup-vendor.io\n");
    }
    for i in 0..5_000 {
        manifest.push_str(&format!("        - api{i}.many-vendor.io\n"));
    }
    let imported = import::import(Kind::Forge, "dup.yml", &manifest, &Catalog::builtin()).unwrap();
    let egress: Vec<_> = imported
        .model
        .flows
        .iter()
        .filter(|f| f.host.as_deref() == Some("api.dup-vendor.io"))
        .collect();
    assert_eq!(egress.len(), 1);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("repeats `api.dup-vendor.io`"))
    );
    assert_eq!(imported.summary.egress.len(), 5_001);
}

/// About a megabyte of each shape a reader could choke on: nesting, one long scalar, one long
/// line, many keys, many aliases, many documents.
fn megabyte_shapes() -> Vec<(&'static str, String)> {
    const MB: usize = 1_000_000;
    let lines = |n: usize, line: &dyn Fn(usize) -> String| (0..n).map(line).collect::<Vec<_>>().concat();
    let flow_map: Vec<String> = (0..MB / 14).map(|i| format!("k{i}: [a, b]")).collect();
    vec![
        ("unclosed nesting", "[".repeat(MB)),
        (
            "closed nesting",
            format!("{}{}", "[".repeat(MB / 2), "]".repeat(MB / 2)),
        ),
        (
            "nested mappings",
            format!("{}1{}", "{a: ".repeat(MB / 4), "}".repeat(MB / 4)),
        ),
        ("indentation", lines(1_400, &|i| format!("{}a:\n", " ".repeat(i)))),
        (
            "one long string",
            format!("{HEAD}components: [{{ id: \"{}\", kind: service }}]\n", "x".repeat(MB)),
        ),
        ("one long key", format!("\"{}\": 1\n", "k".repeat(MB))),
        ("many keys", lines(MB / 10, &|i| format!("k{i}: {i}\n"))),
        ("one long line of keys", format!("{{{}}}", flow_map.join(", "))),
        (
            "many aliases",
            format!("a: &a [x]\n{}", lines(MB / 10, &|i| format!("b{i}: *a\n"))),
        ),
        ("many documents", "---\na: 1\n".repeat(MB / 10)),
    ]
}

#[test]
fn a_megabyte_of_any_shape_is_read_with_a_bounded_answer() {
    let catalog = Catalog::builtin();
    for (shape, text) in megabyte_shapes() {
        // Every reader answers (no panic, no stack overflow, no hang), and its answer to the
        // user stays short.
        let model = check(&text);
        let shown = model.as_ref().err().map_or(0, String::len);
        assert!(shown < 64 * 1024, "{shape}: {shown} bytes of diagnostics");
        for kind in [Kind::Forge, Kind::Connect] {
            match import::import(kind, "d", &text, &catalog) {
                Ok(imported) => {
                    import::write_checked(&imported.model, &imported.provenance, "d", "d.yaml", &catalog)
                        .unwrap_or_else(|d| panic!("{shape}: {}", trustflow::diagnostic::render_all(&d)));
                }
                Err(errors) => {
                    let shown = trustflow::diagnostic::render_all(&errors).len();
                    assert!(shown < 64 * 1024, "{shape} ({kind:?}): {shown} bytes of diagnostics");
                }
            }
        }
    }
}

#[test]
fn a_second_document_or_text_after_the_end_marker_is_not_ignored() {
    let model = format!("{HEAD}components: [{{ id: s, kind: service, operator: v }}]\n");
    assert!(check(&model).is_ok());
    for (extra, line) in [("---\ntrustflow: 1\n", 7), ("...\nflows: []\n", 7), ("---\n", 6)] {
        let err = check(&format!("{model}{extra}")).unwrap_err();
        assert!(err.contains("a second YAML document"), "{extra:?}: {err}");
        assert!(err.contains(&format!("hostile.yaml:{line}:")), "{extra:?}: {err}");
    }
    // A comment after the end marker is not a document.
    assert!(check(&format!("{model}...\n# the end\n")).is_ok());
}

#[test]
fn a_ten_megabyte_name_is_refused_before_it_reaches_a_report() {
    // A megabyte-long app name once took 13 s and 850 MB to report (it is on every PDF page);
    // ten megabytes took gigabytes.
    let yaml = format!(
        "trustflow: 1\napp: {{ name: \"{}\", platform: connect, vendor: v }}\norganisations:\n  - {{ id: v, name: V, country: DE }}\n",
        "n".repeat(10_000_000)
    );
    let err = check(&yaml).unwrap_err();
    assert!(
        err.contains("error[text-too-long]: a text of 10000000 characters") && err.contains("hostile.yaml:2:"),
        "{}",
        &err[..err.len().min(1_000)]
    );
    assert!(err.len() < 2_000, "{} bytes of diagnostics", err.len());
    // At the limit it is still a model.
    let name = "n".repeat(trustflow::load::MAX_TEXT);
    assert!(check(&HEAD.replace("name: N", &format!("name: {name}"))).is_ok());
}

#[test]
fn input_larger_than_the_documented_maximum_is_refused_with_a_reason() {
    use std::io::Read;
    let limit = trustflow::load::MAX_INPUT_BYTES;
    let err = trustflow::load::read_limited(std::io::repeat(b'#').take(limit + 1)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
    assert!(err.to_string().contains("larger than 256 MiB"), "{err}");
}
