//! Load a model with the library API, print its summary and its boundary crossings.
//!
//! `cargo run --example check_model -- models/connect-aws.yaml`

use std::process::ExitCode;
use trustflow::catalog::Catalog;
use trustflow::diagnostic::render_all;
use trustflow::load::load_model_file;

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models/connect-aws.yaml".to_owned());
    let catalog = Catalog::builtin();
    let loaded = match load_model_file(path.as_ref(), &catalog) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            eprint!("{}", render_all(&diagnostics));
            return ExitCode::from(2);
        }
    };
    let model = &loaded.model;
    let graph = &loaded.graph;
    println!("{} ({})", model.app.name, model.app.platform.as_str());
    for (flow, crossing) in model.flows.iter().zip(&graph.crossings) {
        if crossing.crosses() {
            let names = |ids: &[usize]| {
                ids.iter()
                    .map(|&b| model.boundaries[b].id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!(
                "  {:<28} leaves [{}] enters [{}]",
                flow.label(),
                names(&crossing.exits),
                names(&crossing.enters)
            );
        }
    }
    ExitCode::SUCCESS
}
