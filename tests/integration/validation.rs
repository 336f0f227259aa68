//! Each kind of input error, shown as the user sees it (insta snapshots), from the fixtures in
//! `tests/fixtures/input-errors/`; each fixture is named after the code it must produce.

use crate::{root, yaml_files};
use trustflow::catalog::Catalog;
use trustflow::diagnostic::render_all;
use trustflow::load::load_model_str;

#[test]
fn every_input_error_kind_is_reported_with_its_location() {
    let catalog = Catalog::builtin();
    let files = yaml_files("tests/fixtures/input-errors");
    assert!(files.len() >= 10, "fixtures missing");
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = format!("fixtures/{stem}.yaml");
        let diagnostics = load_model_str(&name, &text, &catalog).expect_err(&stem);
        if stem != "four-errors" {
            assert!(
                diagnostics.iter().any(|d| d.code == stem),
                "{stem}.yaml should produce a `{stem}` error, got {:?}",
                diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
            );
        }
        for diagnostic in &diagnostics {
            assert_eq!(diagnostic.file, name);
            if diagnostic.code != "yaml-syntax" {
                assert!(diagnostic.line > 0 && diagnostic.column > 0, "{stem}: {diagnostic}");
            }
        }
        insta::assert_snapshot!(stem, render_all(&diagnostics));
    }
}

#[test]
fn the_four_error_model_reports_all_four_at_once() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/input-errors/four-errors.yaml")).unwrap();
    let diagnostics = load_model_str("four-errors.yaml", &text, &Catalog::builtin()).unwrap_err();
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["unknown-key", "wrong-type", "duplicate-id", "dangling-reference"]
    );
    let lines: Vec<u32> = diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, [12, 13, 14, 16]);
}

#[test]
fn norway_stays_a_country_and_not_a_boolean() {
    let yaml = "trustflow: 1\napp: { name: N, platform: forge, vendor: v }\norganisations: [{ id: v, name: V, country: NO }]\n";
    let loaded = load_model_str("n.yaml", yaml, &Catalog::builtin()).unwrap();
    assert_eq!(loaded.model.organisations[0].country.as_deref(), Some("NO"));
}

#[test]
fn block_and_flow_styles_read_the_same() {
    let flow = "trustflow: 1\napp: { name: A, platform: forge, vendor: v }\norganisations: [{ id: v, name: V }]\n";
    let block =
        "trustflow: 1\napp:\n  name: A\n  platform: forge\n  vendor: v\norganisations:\n  - id: v\n    name: V\n";
    let catalog = Catalog::builtin();
    assert_eq!(
        load_model_str("a", flow, &catalog).unwrap().model,
        load_model_str("b", block, &catalog).unwrap().model
    );
}

mod robustness {
    //! Bad input never panics: arbitrary text into every reader.
    use proptest::prelude::*;
    use trustflow::catalog::Catalog;
    use trustflow::import::{self, Kind};
    use trustflow::load::load_model_str;

    /// A real Forge manifest with egress and remotes, imported once for every overlay case.
    static BASE: std::sync::LazyLock<import::Imported> = std::sync::LazyLock::new(|| {
        import::import(
            Kind::Forge,
            "manifest.yml",
            include_str!("../../models/descriptors/forge-remote.manifest.yml"),
            &Catalog::builtin(),
        )
        .expect("the bundled manifest imports")
    });

    fn yamlish() -> impl Strategy<Value = String> {
        // Fragments of real models and descriptors, shuffled and cut, plus raw bytes.
        let pieces = prop::sample::select(vec![
            "trustflow: 1\n",
            "app: { name: A, platform: forge, vendor: v }\n",
            "components:\n",
            "  - { id: x, kind: service }\n",
            "flows:\n",
            "  - { from: x, to: y, data: [d] }\n",
            "boundaries: [{ id: b, parent: b }]\n",
            "data: [{ id: d }]\n",
            "permissions:\n",
            "  external:\n",
            "    fetch:\n",
            "      backend: ['*', {address: 'a.b'}]\n",
            "remotes: [{key: r}]\n",
            "modules: { jira:issuePanel: [{key: p, resource: r}] }\n",
            "&a [*a]\n",
            "{\"baseUrl\": \"http://x\", \"scopes\": [\"READ\"]}",
            "- - -\n",
            ": :\n",
            "\t",
            "'",
            "\"",
            "{",
            "}",
            "[",
            "]",
            "\u{0}",
            "é",
            "~\n",
            "region: EU\n",
            "organisations: [{ id: vendor, name: V, country: DE, dpa: signed }]\n",
            "components: [{ id: remote-backend, operator: nobody }]\n",
        ]);
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]
        #[test]
        fn readers_never_panic(text in yamlish(), raw in ".{0,200}") {
            let catalog = Catalog::builtin();
            for input in [&text, &raw] {
                let _ = load_model_str("fuzz.yaml", input, &catalog);
                // What the importers accept they turn into a valid model.
                for kind in [Kind::Forge, Kind::Connect] {
                    // …and that model reads back as exactly itself (no descriptor text becomes
                    // model content).
                    if let Ok(imported) = import::import(kind, "fuzz", input, &catalog) {
                        let written = import::write_checked(&imported.model, &imported.provenance, "fuzz", "imported.yaml", &catalog);
                        prop_assert!(written.is_ok(), "{input:?} imports to an invalid model:\n{:?}", written.err());
                    }
                }
                // The overlay merge, onto a real imported manifest.
                let base = &*BASE;
                if let Ok(merged) = import::apply_overlay(&base.model, "overlay.yaml", input) {
                    let _ = import::write_checked(&merged, &base.provenance, "fuzz", "merged.yaml", &catalog);
                }
                let _ = trustflow::waivers::parse("w.yaml", input);
                let _ = trustflow::simulate::workload::parse("w.yaml", input);
            }
        }
    }
}

#[test]
fn a_released_source_locates_nothing_and_shows_no_line() {
    use trustflow::diagnostic::{Diagnostic, Seg};
    use trustflow::load::SourceFile;
    use trustflow::load::node::Pos;
    let mut source = SourceFile::parse("m.yaml", "app:\n  id: x\n").unwrap();
    let path = [Seg::Key("app".into()), Seg::Key("id".into())];
    assert_eq!(source.locate(&path, false), Pos { line: 2, column: 7 });
    source.release_text();
    // Nothing to point into: the file's start, and a diagnostic without a source line.
    assert_eq!(source.locate(&path, false), Pos::default());
    let shown = source.diagnostic(Diagnostic::error("yaml-syntax", "m"), Pos { line: 2, column: 7 });
    assert_eq!((shown.file.as_str(), shown.line), ("m.yaml", 2));
    assert_eq!(shown.source_line, None);
}
