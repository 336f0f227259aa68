//! Generated files in the repository stay in step with the code.
//! Run `TRUSTFLOW_UPDATE=1 cargo test` to rewrite them.

use crate::root;

/// Compares `actual` with the committed file, or rewrites it when `TRUSTFLOW_UPDATE` is set.
pub fn check_generated(relative: &str, actual: &str) {
    let path = root().join(relative);
    if std::env::var_os("TRUSTFLOW_UPDATE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == actual,
        "{relative} is out of date: run `TRUSTFLOW_UPDATE=1 cargo test` and commit the result"
    );
}

#[test]
fn model_schema_in_docs_is_current() {
    let mut schema = serde_json::to_string_pretty(trustflow::load::model_schema()).unwrap();
    schema.push('\n');
    check_generated("docs/model.schema.json", &schema);
}

#[test]
fn readme_tour_shows_current_output() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let catalog = trustflow::catalog::Catalog::builtin();
    for model in ["models/connect-aws.yaml", "models/forge-native.yaml"] {
        let loaded = trustflow::load::load_model_file(&root().join(model), &catalog).unwrap();
        let text = trustflow::text::analysis_text(&trustflow::analysis::analyze(&loaded.model, &catalog));
        assert!(
            readme.contains(text.trim_end()),
            "README.md shows stale output for `trustflow analyze {model}`; paste the current output:\n{text}"
        );
    }
}
