//! The bundled models load, pass validation, and their graphs have the expected shape.

use crate::{root, yaml_files};
use trustflow::catalog::Catalog;
use trustflow::load::{load_model_file, load_model_str};

#[test]
fn every_bundled_model_is_valid_without_warnings() {
    let catalog = Catalog::builtin();
    let files = yaml_files("models");
    assert!(files.len() >= 4, "at least four bundled models");
    for path in files {
        let loaded = load_model_file(&path, &catalog)
            .unwrap_or_else(|d| panic!("{}:\n{}", path.display(), trustflow::diagnostic::render_all(&d)));
        assert!(loaded.warnings.is_empty(), "{}: {:?}", path.display(), loaded.warnings);
    }
}

#[test]
fn connect_model_crossings_follow_nested_boundaries() {
    let loaded = load_model_file(&root().join("models/connect-aws.yaml"), &Catalog::builtin()).unwrap();
    let model = &loaded.model;
    let graph = &loaded.graph;
    let names = |ids: &[usize]| ids.iter().map(|&b| model.boundaries[b].id.as_str()).collect::<Vec<_>>();
    let flow = |from: &str, to: &str| model.flows.iter().position(|f| f.from == from && f.to == to).unwrap();

    // Jira sits in `tenant` inside `atlassian-cloud`: a webhook leaves both, enters the vendor's.
    let webhook = &graph.crossings[flow("jira", "app-server")];
    assert_eq!(names(&webhook.exits), ["tenant", "atlassian-cloud"]);
    assert_eq!(names(&webhook.enters), ["vendor-cloud"]);
    // The app server and its database share a boundary: no crossing.
    assert!(!graph.crossings[flow("app-server", "app-db")].crosses());
    // The way back enters the outer boundary first.
    let back = &graph.crossings[flow("app-server", "jira")];
    assert_eq!(names(&back.enters), ["atlassian-cloud", "tenant"]);
    assert_eq!(graph.boundary_crossing_count(), 8);
    assert_eq!(graph.graph.node_count(), model.components.len());
    assert_eq!(graph.graph.edge_count(), model.flows.len());
}

#[test]
fn flows_inside_a_nested_boundary_only_cross_the_inner_one() {
    let yaml = r"
trustflow: 1
app: { name: N, platform: forge, vendor: v }
organisations: [{ id: v, name: V }]
boundaries:
  - { id: outer }
  - { id: a, parent: outer }
  - { id: b, parent: outer }
components:
  - { id: x, kind: atlassian-product, boundary: a }
  - { id: y, kind: forge-function, boundary: b }
  - { id: z, kind: forge-function, boundary: outer }
  - { id: loose, kind: user }
flows:
  - { from: x, to: y }
  - { from: y, to: z }
  - { from: z, to: loose }
  - { from: loose, to: x }
";
    let loaded = load_model_str("n.yaml", yaml, &Catalog::builtin()).unwrap();
    let graph = &loaded.graph;
    let ids = |v: &[usize]| {
        v.iter()
            .map(|&b| loaded.model.boundaries[b].id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (ids(&graph.crossings[0].exits), ids(&graph.crossings[0].enters)),
        (vec!["a".into()], vec!["b".into()])
    );
    assert_eq!(
        (ids(&graph.crossings[1].exits), ids(&graph.crossings[1].enters)),
        (vec!["b".into()], vec![])
    );
    assert_eq!(ids(&graph.crossings[2].exits), ["outer"]);
    assert_eq!(ids(&graph.crossings[3].enters), ["outer", "a"]);
}

/// The generator's output, committed so the load unit tests (which sit below `synth`) read
/// the shapes the benchmarks load. Regenerate with `TRUSTFLOW_UPDATE=1`.
#[test]
fn generated_fixtures_match_the_generator() {
    for (name, text) in [
        ("synthetic-3.yaml", trustflow::synth::synthetic_model(3)),
        ("twin-3.yaml", trustflow::synth::twin_model(3)),
    ] {
        crate::generated::check_generated(&format!("tests/fixtures/generated/{name}"), &text);
        assert!(
            load_model_str(name, &text, &Catalog::builtin()).is_ok(),
            "{name} does not load"
        );
    }
}
