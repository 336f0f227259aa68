//! The model as a directed graph: components are nodes, flows are edges, and each flow knows
//! which trust boundaries it leaves and enters. Built once, while the model is validated, and
//! carried with the loaded model: it is the one adjacency every later stage walks.

use crate::model::Model;
use foldhash::{HashMap, HashMapExt};
use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

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

/// A model's data-flow graph, with ids resolved to indices.
#[derive(Clone, Debug, Default)]
pub struct FlowGraph {
    /// Node `i` is component `i`; the weight of an edge is the index of its flow. Flows naming
    /// unknown components are not in the graph (validation reports them).
    pub graph: DiGraph<usize, usize>,
    edges: Vec<Option<EdgeIndex>>,
    /// Component index by id.
    pub component_index: HashMap<String, usize>,
    /// Data category index by id.
    pub data_index: HashMap<String, usize>,
    /// For every flow: its source and target components, when both exist.
    pub ends: Vec<Option<(usize, usize)>>,
    /// For every flow: the data categories it carries (indices, sorted, known ids only).
    pub carried: Vec<Vec<u32>>,
    /// For every component, the boundaries it sits in, innermost first.
    pub enclosing: Vec<Vec<usize>>,
    /// For every flow (same index as `model.flows`), the boundaries it crosses.
    pub crossings: Vec<Crossing>,
}

impl FlowGraph {
    /// Builds the graph. Flows naming unknown components are left out (validation reports them).
    pub fn build(model: &Model) -> FlowGraph {
        let mut graph = DiGraph::with_capacity(model.components.len(), model.flows.len());
        let mut component_index = HashMap::with_capacity(model.components.len());
        for (i, c) in model.components.iter().enumerate() {
            graph.add_node(i);
            component_index.entry(c.id.clone()).or_insert(i);
        }
        let mut data_index = HashMap::with_capacity(model.data.len());
        for (i, d) in model.data.iter().enumerate() {
            data_index.entry(d.id.clone()).or_insert(i);
        }
        let ends: Vec<Option<(usize, usize)>> = model
            .flows
            .iter()
            .map(|flow| {
                Some((
                    *component_index.get(flow.from.as_str())?,
                    *component_index.get(flow.to.as_str())?,
                ))
            })
            .collect();
        // petgraph lists a node's edges newest first: adding the flows last to first makes
        // every walk meet them in the model's order, which keeps paths and output stable.
        let mut edges = vec![None; ends.len()];
        for (i, end) in ends.iter().enumerate().rev() {
            edges[i] = end.map(|(from, to)| graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), i));
        }
        let carried = model
            .flows
            .iter()
            .map(|flow| {
                let mut data: Vec<u32> = flow
                    .data
                    .iter()
                    .filter_map(|d| data_index.get(d.as_str()))
                    .filter_map(|&d| u32::try_from(d).ok())
                    .collect();
                data.sort_unstable();
                data.dedup();
                data
            })
            .collect();
        let boundary_index = model.boundary_index();
        let enclosing: Vec<Vec<usize>> = model
            .components
            .iter()
            .map(|c| model.boundary_chain(c.boundary.as_deref(), &boundary_index))
            .collect();
        let crossings = ends
            .iter()
            .map(|end| {
                let Some((from, to)) = *end else {
                    return Crossing::default();
                };
                let (from_chain, to_chain) = (&enclosing[from], &enclosing[to]);
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
            graph,
            edges,
            component_index,
            data_index,
            ends,
            carried,
            enclosing,
            crossings,
        }
    }

    /// The index of the component with this id.
    pub fn component(&self, id: &str) -> Option<usize> {
        self.component_index.get(id).copied()
    }

    /// The index of the data category with this id.
    pub fn data(&self, id: &str) -> Option<usize> {
        self.data_index.get(id).copied()
    }

    /// The edge of the flow with this index, if both its ends exist.
    pub fn edge(&self, flow_index: usize) -> Option<EdgeIndex> {
        self.edges.get(flow_index).copied().flatten()
    }

    /// The flows leaving component `c`, as (flow index, target component), in model order.
    pub fn outgoing(&self, c: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.graph
            .edges_directed(NodeIndex::new(c), Direction::Outgoing)
            .map(|e| (*e.weight(), e.target().index()))
    }

    /// The flows entering component `c`, as (flow index, source component).
    pub fn incoming(&self, c: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.graph
            .edges_directed(NodeIndex::new(c), Direction::Incoming)
            .map(|e| (*e.weight(), e.source().index()))
    }

    /// How many flows cross at least one boundary.
    pub fn boundary_crossing_count(&self) -> usize {
        self.crossings.iter().filter(|c| c.crosses()).count()
    }
}
