//! The YAML model loader: any bytes give a model or located diagnostics, never a panic; a
//! model that loads also analyses.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use trustflow::catalog::Catalog;

/// Built once: the catalog is the same for every input.
static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let catalog = &*CATALOG;
    if let Ok(loaded) = trustflow::load::load_model_str("fuzz.yaml", text, catalog) {
        let _ = trustflow::analysis::analyze_loaded(&loaded, catalog);
    }
});
