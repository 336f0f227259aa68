//! trustflow: data-flow analysis of Atlassian Marketplace apps for GDPR, HIPAA and SOC 2.
//!
//! The pipeline is load → validate → graph → analyse → render:
//!
//! ```
//! use trustflow::{catalog::Catalog, graph::FlowGraph, load};
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
//! let graph = FlowGraph::build(&loaded.model);
//! assert_eq!(graph.graph.edge_count(), 1);
//! ```

pub mod analysis;
pub mod catalog;
pub mod cli;
pub mod diagnostic;
pub mod diff;
pub mod graph;
pub mod import;
pub mod jwt;
pub mod load;
pub mod model;
pub mod output;
pub mod render;
pub mod rules;
pub mod simulate;
pub mod suggest;
pub mod synth;
pub mod text;
pub mod validate;
pub mod waivers;
