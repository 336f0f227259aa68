//! `report --format html,pdf` of the pytm twin shape (every unit its own product, vendor,
//! third party and categories) at 100 and 1,000 units: facts, analysis, report data and both
//! renderings, as the CLI runs them (the writing of files aside).
//! `cargo bench --bench report`; results in docs/PERFORMANCE.md.

use trustflow::catalog::Catalog;
use trustflow::facts::Facts;
use trustflow::load::load_model_str;
use trustflow::render::{self, Format, ReportData, templates::Templates};

fn main() {
    divan::main();
}

#[divan::bench(args = [100, 1_000], sample_count = 3, sample_size = 1)]
fn twin_report_html_pdf(bencher: divan::Bencher, units: usize) {
    let catalog = Catalog::builtin();
    let yaml = trustflow::synth::twin_model(units);
    let loaded = load_model_str("twin.yaml", &yaml, &catalog).expect("valid twin model");
    let templates = Templates::load(None).expect("bundled templates");
    bencher.bench(|| {
        let facts = Facts::new(&loaded, &catalog);
        let analysis = trustflow::analysis::analyze(&facts);
        let data = ReportData::new(&facts, &analysis, None);
        let files = render::render(&data, &[Format::Html, Format::Pdf], "twin", &templates).expect("renders");
        files.iter().map(|(_, bytes)| bytes.len()).sum::<usize>()
    });
}
