//! The overlay merge: any bytes merged into an imported model give a model or diagnostics,
//! never a panic; a merged model is written and read back without a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use trustflow::catalog::Catalog;
use trustflow::import::{self, Imported, Kind};

/// A real Forge manifest with egress, remotes and storage, imported once.
static BASE: LazyLock<Imported> = LazyLock::new(|| {
    let text = include_str!("../../models/descriptors/forge-remote.manifest.yml");
    import::import(Kind::Forge, "manifest.yml", text, &Catalog::builtin()).expect("the bundled manifest imports")
});

/// Built once: the catalog is the same for every input.
static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let catalog = &*CATALOG;
    if let Ok(model) = import::apply_overlay(&BASE.model, "overlay.yaml", text) {
        let _ = import::write_checked(&model, &BASE.provenance, "fuzz", "merged.yaml", catalog);
    }
});
