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
