//! Where each data category goes: every component it reaches, whether it rests there, and
//! the chain of flows that took it there (breadth-first, so paths are the shortest and stable).
//!
//! Everything is indexed by position (no hashing on the hot path) so that large portfolio
//! models stay within cache and the cost grows linearly with the model.

use crate::graph::FlowGraph;
use crate::model::Model;
use rayon::prelude::*;
use std::collections::VecDeque;

/// How one data category reaches one component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The component (index into `model.components`).
    pub component: usize,
    /// The category is stored there.
    pub at_rest: bool,
    /// The flow that brought it there, `None` at an origin.
    pub via: Option<usize>,
    /// Every flow that brings it there is marked `owner: customer`: the customer's own
    /// integration, not the vendor's disclosure.
    pub by_customer: bool,
    /// It is there only by the importer's reading of the app's permissions: every flow that
    /// brings it has `basis: permissions` (or it rests in a store whose `stores` list has that
    /// basis). The vendor has not confirmed it; reports say "evidence required".
    pub assumed: bool,
}

/// The propagation of every data category.
#[derive(Debug, Default)]
pub struct Propagation {
    /// Per data category (index into `model.data`): reached components, sorted by component.
    pub reach: Vec<Vec<Reach>>,
    /// Per component: the categories that reach it, ascending (the inverse of `reach`, so a
    /// question about one component never scans every category).
    by_component: Vec<Vec<u32>>,
    flow_source: Vec<Option<usize>>,
}

const UNSEEN: u32 = u32::MAX;
const ORIGIN: u32 = u32::MAX - 1;

impl Propagation {
    /// Propagates every category along the flows that carry it, categories in parallel.
    pub fn compute(model: &Model, graph: &FlowGraph) -> Propagation {
        let data_index = &graph.data_index;
        let flow_source: Vec<Option<usize>> = graph.ends.iter().map(|end| end.map(|(from, _)| from)).collect();
        // A category originates where a component declares it produces it, or where one of the
        // customer's products or users first sends it (not at every product and user of the
        // model: one unit's issue is not at another unit's Jira).
        let mut sends: Vec<Vec<usize>> = vec![Vec::new(); model.data.len()];
        for (c, component) in model.components.iter().enumerate() {
            if !component.kind.is_origin() {
                continue;
            }
            let mut carried: Vec<u32> = graph
                .outgoing(c)
                .flat_map(|(flow, _)| graph.carried[flow].iter().copied())
                .collect();
            carried.sort_unstable();
            carried.dedup();
            for d in carried {
                sends[d as usize].push(c);
            }
        }
        let mut produced: Vec<Vec<usize>> = vec![Vec::new(); model.data.len()];
        let mut stored: Vec<Vec<usize>> = vec![Vec::new(); model.data.len()];
        for (c, component) in model.components.iter().enumerate() {
            for d in component.produces.iter().filter_map(|d| data_index.get(d.as_str())) {
                produced[*d].push(c);
            }
            for d in component.stores.iter().filter_map(|d| data_index.get(d.as_str())) {
                stored[*d].push(c);
            }
        }
        // Most models have no customer-directed flow: then no reach needs the incoming scan.
        let any_customer_flow = model
            .flows
            .iter()
            .any(|f| f.owner == Some(crate::model::Owner::Customer));
        let inferred = |basis: Option<crate::model::Basis>| basis == Some(crate::model::Basis::Permissions);
        let any_inferred =
            model.flows.iter().any(|f| inferred(f.basis)) || model.components.iter().any(|c| inferred(c.basis));
        let reach: Vec<Vec<Reach>> = (0..model.data.len())
            .into_par_iter()
            .map_init(
                || (vec![UNSEEN; model.components.len()], Vec::new(), VecDeque::new()),
                |(via, touched, queue), d| {
                    let seed = |c: usize, via: &mut Vec<u32>, touched: &mut Vec<usize>, queue: &mut VecDeque<usize>| {
                        if via[c] == UNSEEN {
                            via[c] = ORIGIN;
                            touched.push(c);
                            queue.push_back(c);
                        }
                    };
                    for &c in sends[d].iter().chain(&produced[d]) {
                        seed(c, via, touched, queue);
                    }
                    spread(d as u32, graph, via, touched, queue);
                    // Stored data that no flow brings (pre-existing, imported) starts where it rests.
                    for &c in &stored[d] {
                        seed(c, via, touched, queue);
                        spread(d as u32, graph, via, touched, queue);
                    }
                    touched.sort_unstable();
                    let mut is_stored = stored[d].clone();
                    is_stored.sort_unstable();
                    let list = touched
                        .iter()
                        .map(|&c| {
                            let at_rest = is_stored.binary_search(&c).is_ok();
                            Reach {
                                component: c,
                                at_rest,
                                via: (via[c] != ORIGIN).then_some(via[c] as usize),
                                by_customer: any_customer_flow
                                    && via[c] != ORIGIN
                                    && only_by(graph, d as u32, c, via, |f| {
                                        model.flows[f].owner == Some(crate::model::Owner::Customer)
                                    }),
                                // A store whose `stores` list is stated confirms what it keeps.
                                assumed: any_inferred
                                    && (!at_rest || inferred(model.components[c].basis))
                                    && if via[c] == ORIGIN {
                                        inferred(model.components[c].basis) && produced[d].binary_search(&c).is_err()
                                    } else {
                                        only_by(graph, d as u32, c, via, |f| inferred(model.flows[f].basis))
                                    },
                            }
                        })
                        .collect();
                    for &c in touched.iter() {
                        via[c] = UNSEEN;
                    }
                    touched.clear();
                    list
                },
            )
            .collect();
        let mut by_component: Vec<Vec<u32>> = vec![Vec::new(); model.components.len()];
        for (d, list) in reach.iter().enumerate() {
            for r in list {
                by_component[r.component].push(d as u32);
            }
        }
        Propagation {
            reach,
            by_component,
            flow_source,
        }
    }

    /// The categories (indices) that reach component `c`, ascending.
    pub fn categories_at(&self, c: usize) -> impl Iterator<Item = usize> + '_ {
        self.by_component.get(c).into_iter().flatten().map(|&d| d as usize)
    }

    /// How category `d` reaches component `c`, if it does.
    pub fn get(&self, d: usize, c: usize) -> Option<&Reach> {
        let list = self.reach.get(d)?;
        list.binary_search_by_key(&c, |r| r.component).ok().map(|i| &list[i])
    }

    /// The flows (indices) that bring category `d` from an origin to component `c`, in order.
    pub fn flow_chain(&self, d: usize, c: usize) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut current = c;
        while let Some(Reach { via: Some(flow), .. }) = self.get(d, current) {
            if chain.contains(flow) {
                break;
            }
            chain.push(*flow);
            match self.flow_source.get(*flow).copied().flatten() {
                Some(source) if source != c => current = source,
                _ => break,
            }
        }
        chain.reverse();
        chain
    }
}

fn spread(d: u32, graph: &FlowGraph, via: &mut [u32], touched: &mut Vec<usize>, queue: &mut VecDeque<usize>) {
    while let Some(c) = queue.pop_front() {
        for (flow, to) in graph.outgoing(c) {
            if via[to] == UNSEEN && graph.carried[flow].binary_search(&d).is_ok() {
                via[to] = flow as u32;
                touched.push(to);
                queue.push_back(to);
            }
        }
    }
}

/// Whether every flow that carries category `d` into `c` from a component the category reaches
/// is of one kind (`owner: customer`, `basis: permissions`), and there is at least one.
fn only_by(graph: &FlowGraph, d: u32, c: usize, via: &[u32], kind: impl Fn(usize) -> bool) -> bool {
    let mut any = false;
    for (flow, from) in graph.incoming(c) {
        if via[from] == UNSEEN || graph.carried[flow].binary_search(&d).is_err() {
            continue;
        }
        if !kind(flow) {
            return false;
        }
        any = true;
    }
    any
}

/// The component path (ids) of a flow chain: the first flow's source, then each target.
pub fn component_path(model: &Model, chain: &[usize], end: usize) -> Vec<String> {
    let mut path: Vec<String> = Vec::with_capacity(chain.len() + 1);
    if let Some(&first) = chain.first() {
        path.push(model.flows[first].from.clone());
    }
    for &flow in chain {
        path.push(model.flows[flow].to.clone());
    }
    if path.is_empty() {
        path.push(model.components[end].id.clone());
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::load::load_model_str;

    #[test]
    fn shortest_paths_and_rest() {
        let yaml = r"
trustflow: 1
app: { name: P, platform: connect, vendor: v }
organisations: [{ id: v, name: V }]
data: [{ id: a, personal: true }, { id: b }]
components:
  - { id: p, kind: atlassian-product }
  - { id: s, kind: service }
  - { id: t, kind: service }
  - { id: db, kind: datastore, stores: [a] }
  - { id: lone, kind: datastore, stores: [b] }
flows:
  - { from: p, to: s, data: [a] }
  - { from: s, to: t, data: [a] }
  - { from: t, to: db, data: [a] }
  - { from: s, to: db, data: [a] }
  - { from: lone, to: t, data: [b] }
";
        let loaded = load_model_str("p.yaml", yaml, &Catalog::builtin()).unwrap();
        let model = &loaded.model;
        let propagation = Propagation::compute(model, &loaded.graph);
        let db = 3;
        assert!(propagation.get(0, db).unwrap().at_rest);
        assert_eq!(
            component_path(model, &propagation.flow_chain(0, db), db),
            ["p", "s", "db"]
        );
        // `b` starts where it rests and travels on from there; the product creates it too.
        assert_eq!(propagation.get(1, 4).unwrap().via, None);
        assert!(propagation.get(1, 2).is_some());
        assert!(propagation.get(0, 4).is_none());
    }
}
