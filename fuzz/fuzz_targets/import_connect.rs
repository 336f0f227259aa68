//! The Connect importer: any bytes give a model or a located error, never a panic; and what it
//! imports is written as YAML that reads back as exactly the imported model (nothing in the
//! descriptor becomes model content by way of the written text).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use trustflow::catalog::Catalog;
use trustflow::import::{self, Kind};

/// Built once: the catalog is the same for every input.
static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let catalog = &*CATALOG;
    if let Ok(imported) = import::import(Kind::Connect, "fuzz", text, catalog) {
        let written = import::write_checked(&imported.model, &imported.provenance, "fuzz", "imported.yaml", catalog);
        assert!(written.is_ok(), "imports to a model that does not read back: {:?}", written.err());
    }
});
