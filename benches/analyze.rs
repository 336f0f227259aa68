//! Load + validate + analyse + JSON of synthetic models of 100, 1,000 and 10,000 app units, and
//! of the pytm twin shape at 1,000 and 3,000 units.
//! `cargo bench --bench analyze`; results in docs/PERFORMANCE.md.

use trustflow::analysis::analyze_loaded;
use trustflow::catalog::Catalog;
use trustflow::load::load_model_str;
use trustflow::synth::synthetic_model;

fn main() {
    divan::main();
}

#[divan::bench(args = [100, 1_000, 10_000], sample_count = 5, sample_size = 1)]
fn load_analyse_json(bencher: divan::Bencher, units: usize) {
    let catalog = Catalog::builtin();
    let yaml = synthetic_model(units);
    bencher.bench(|| {
        let loaded = load_model_str("synthetic.yaml", &yaml, &catalog).expect("valid synthetic model");
        let analysis = analyze_loaded(&loaded, &catalog);
        serde_json::to_string(&analysis).expect("serialisable").len()
    });
}

/// The shape OWASP pytm is benchmarked with (`synth::twin_model`): every unit has its own
/// product, vendor, third party and categories.
#[divan::bench(args = [1_000, 3_000], sample_count = 5, sample_size = 1)]
fn twin_load_analyse_json(bencher: divan::Bencher, units: usize) {
    let catalog = Catalog::builtin();
    let yaml = trustflow::synth::twin_model(units);
    bencher.bench(|| {
        let loaded = load_model_str("twin.yaml", &yaml, &catalog).expect("valid twin model");
        let analysis = analyze_loaded(&loaded, &catalog);
        serde_json::to_string(&analysis).expect("serialisable").len()
    });
}
