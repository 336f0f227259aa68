//! Simulated events per second, JWT signing and verification on (the Connect model), and for
//! the Forge-native model. `cargo bench --no-default-features --bench simulate`;
//! results in docs/PERFORMANCE.md.

use trustflow::analysis::analyze;
use trustflow::catalog::Catalog;
use trustflow::facts::Facts;
use trustflow::load::load_model_file;
use trustflow::simulate::{simulate, workload};

fn main() {
    divan::main();
}

const WORKLOAD: &str = "installations: 500\nrealms: { eu: 0.5, us: 0.5 }\ndays: 30\n\
per_installation_per_day: { page_views: 25, product_events: 60, scheduled_jobs: 1, admin_changes: 0.1 }\n\
uninstall_share: 0.05\nrealm_migration_share: 0.02\nseed: 1\n";

#[divan::bench(args = ["connect-aws", "forge-native"], sample_count = 3, sample_size = 1)]
fn simulate_month(bencher: divan::Bencher, model: &str) {
    let catalog = Catalog::builtin();
    let path = format!("{}/models/{model}.yaml", env!("CARGO_MANIFEST_DIR"));
    let loaded = load_model_file(path.as_ref(), &catalog).expect("bundled model");
    let facts = Facts::new(&loaded, &catalog);
    let analysis = analyze(&facts);
    let workload = workload::parse("w.yaml", WORKLOAD).expect("valid workload");
    bencher.bench(|| simulate(&facts, &analysis, &workload, &|_| {}).totals.events);
}
