//! The model as a directed graph: components are nodes, flows are edges, and each flow knows
//! which trust boundaries it leaves and enters.

use crate::model::Model;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use std::collections::HashMap;

/// The trust boundaries one flow crosses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Crossing {
    /// Boundaries (indices into `model.boundaries`) the flow leaves, innermost first.
    pub exits: Vec<usize>,
    /// Boundaries the flow enters, outermost first.
    pub enters: Vec<usize>,
}

impl Crossing {
    /// Whether the flow crosses any boundary.
    pub fn crosses(&self) -> bool {
        !self.exits.is_empty() || !self.enters.is_empty()
    }
}

/// A validated model's data-flow graph.
#[derive(Debug)]
pub struct FlowGraph<'m> {
    /// The model the graph was built from.
    pub model: &'m Model,
    /// Node weights are indices into `model.components`, edge weights indices into `model.flows`.
    pub graph: DiGraph<usize, usize>,
    nodes: HashMap<&'m str, NodeIndex>,
    edges: Vec<Option<EdgeIndex>>,
    /// For every component, the boundaries it sits in, innermost first.
    pub enclosing: Vec<Vec<usize>>,
    /// For every flow (same index as `model.flows`), the boundaries it crosses.
    pub crossings: Vec<Crossing>,
}

impl<'m> FlowGraph<'m> {
    /// Builds the graph. Flows naming unknown components are left out (validation reports them).
    pub fn build(model: &'m Model) -> FlowGraph<'m> {
        let mut graph = DiGraph::with_capacity(model.components.len(), model.flows.len());
        let nodes: HashMap<&str, NodeIndex> = model
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), graph.add_node(i)))
            .collect();
        let edges = model
            .flows
            .iter()
            .enumerate()
            .map(|(i, flow)| {
                let from = nodes.get(flow.from.as_str())?;
                let to = nodes.get(flow.to.as_str())?;
                Some(graph.add_edge(*from, *to, i))
            })
            .collect();
        let boundary_index = model.boundary_index();
        let enclosing: Vec<Vec<usize>> = model
            .components
            .iter()
            .map(|c| model.boundary_chain(c.boundary.as_deref(), &boundary_index))
            .collect();
        let crossings = model
            .flows
            .iter()
            .map(|flow| {
                let (Some(from), Some(to)) = (nodes.get(flow.from.as_str()), nodes.get(flow.to.as_str())) else {
                    return Crossing::default();
                };
                let from_chain = &enclosing[graph[*from]];
                let to_chain = &enclosing[graph[*to]];
                let exits = from_chain
                    .iter()
                    .copied()
                    .take_while(|b| !to_chain.contains(b))
                    .collect();
                let mut enters: Vec<usize> = to_chain
                    .iter()
                    .copied()
                    .take_while(|b| !from_chain.contains(b))
                    .collect();
                enters.reverse();
                Crossing { exits, enters }
            })
            .collect();
        FlowGraph {
            model,
            graph,
            nodes,
            edges,
            enclosing,
            crossings,
        }
    }

    /// The node of the component with this id.
    pub fn node(&self, component_id: &str) -> Option<NodeIndex> {
        self.nodes.get(component_id).copied()
    }

    /// The edge of the flow with this index, if both its ends exist.
    pub fn edge(&self, flow_index: usize) -> Option<EdgeIndex> {
        self.edges.get(flow_index).copied().flatten()
    }

    /// How many flows cross at least one boundary.
    pub fn boundary_crossing_count(&self) -> usize {
        self.crossings.iter().filter(|c| c.crosses()).count()
    }
}
