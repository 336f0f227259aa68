//! trustflow: data-flow analysis of Atlassian Marketplace apps for GDPR, HIPAA and SOC 2.
//!
//! The pipeline is load → validate → graph → analyse → render:
//!
//! ```
//! use trustflow::{analysis, catalog::Catalog, facts::Facts, load};
//!
//! let catalog = Catalog::builtin();
//! let yaml = r#"
//! trustflow: 1
//! app: { name: Demo, platform: forge, vendor: acme }
//! organisations: [{ id: acme, name: Acme }]
//! components:
//!   - { id: jira, kind: atlassian-product, region: tenant }
//!   - { id: fn, kind: forge-function, region: tenant }
//! flows: [{ from: jira, to: fn, trigger: event }]
//! "#;
//! let loaded = load::load_model_str("demo.yaml", yaml, &catalog).expect("valid model");
//! assert_eq!(loaded.graph.graph.edge_count(), 1);
//! let facts = Facts::new(&loaded, &catalog);
//! let analysis = analysis::analyze(&facts);
//! assert!(analysis.runs_on_atlassian.eligible);
//! ```

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod analysis;
pub mod catalog;
#[allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the CLI is the one layer that prints"
)]
pub mod cli;
pub mod dates;
pub mod diagnostic;
pub mod diff;
pub mod facts;
pub mod finding;
pub mod graph;
pub mod host;
pub mod import;
pub mod json;
pub mod jwt;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod rules;
pub mod simulate;
pub mod suggest;
pub mod synth;
pub mod text;
pub mod upgrade;
pub mod validate;
pub mod waivers;
