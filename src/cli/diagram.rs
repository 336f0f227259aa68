//! `trustflow diagram`.

use super::ExitStatus;
use crate::catalog::Catalog;
use crate::pipeline::{self, Failure};
use crate::render::diagram;
use std::path::PathBuf;

/// Formats of `diagram`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A standalone SVG picture (the report's drawing).
    Svg,
    /// Graphviz DOT, for `dot -Tpng` or other layouts.
    Dot,
    /// A Mermaid flowchart, for Markdown pages on GitHub or GitLab.
    Mermaid,
}

/// Arguments of `diagram`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow diagram models/connect-aws.yaml -o connect-aws.svg\n  \
trustflow diagram models/forge-remote.yaml --format mermaid >> README.md\n  \
trustflow diagram big.yaml --format dot --full | dot -Tsvg > big.svg\n\n\
A model of more than 60 components is drawn as its summary (one box per trust boundary or \
operator, with the number of flows between them) unless --full is given.\n\
Exit codes: 0 written, 2 bad input or an unwritable output."
)]
pub struct Args {
    /// The model file.
    model: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Svg)]
    format: Format,
    /// Draw every component even in a large model.
    #[arg(long)]
    full: bool,
}

/// Writes the diagram.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let models = pipeline::load_models(std::slice::from_ref(&args.model), catalog)?;
    super::warn(&models.warnings);
    let loaded = &models.loaded[0];
    let summarise = !args.full && loaded.model.components.len() > diagram::SUMMARY_ABOVE;
    let summary = summarise.then(|| diagram::summary_model(&loaded.model, catalog));
    let model = summary.as_ref().unwrap_or(&loaded.model);
    let text = match args.format {
        Format::Svg => match &summary {
            Some(summary) => diagram::data_flow_svg(summary, &crate::graph::FlowGraph::build(summary), catalog),
            None => diagram::data_flow_svg(&loaded.model, &loaded.graph, catalog),
        },
        Format::Dot => diagram::dot(model, catalog),
        Format::Mermaid => diagram::mermaid(model),
    };
    super::emit(text.as_bytes())
}
