//! Where each data category goes: every component it reaches, whether it rests there, and
//! the chain of flows that took it there (shortest first, so paths are short and stable).

use crate::model::{ComponentKind, Model};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// How one data category reaches one component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The component (index into `model.components`).
    pub component: usize,
    /// The category is stored there.
    pub at_rest: bool,
    /// The flow that brought it there, `None` at an origin.
    pub via: Option<usize>,
}

/// The propagation of every data category.
#[derive(Debug, Default)]
pub struct Propagation {
    /// Per data category (index into `model.data`): reached components, sorted by component.
    pub reach: Vec<Vec<Reach>>,
    lookup: Vec<HashMap<usize, usize>>,
    flow_source: Vec<Option<usize>>,
}

impl Propagation {
    /// Propagates every category along the flows that carry it, categories in parallel.
    pub fn compute(model: &Model) -> Propagation {
        let component_index: HashMap<&str, usize> = model
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let data_index: HashMap<&str, usize> = model.data.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect();
        // Flows out of each component, per data category they carry.
        let mut outgoing: HashMap<(usize, usize), Vec<(usize, usize)>> = HashMap::new();
        for (f, flow) in model.flows.iter().enumerate() {
            let (Some(&from), Some(&to)) = (
                component_index.get(flow.from.as_str()),
                component_index.get(flow.to.as_str()),
            ) else {
                continue;
            };
            for d in &flow.data {
                if let Some(&d) = data_index.get(d.as_str()) {
                    outgoing.entry((d, from)).or_default().push((f, to));
                }
            }
        }
        let mut origins: Vec<Vec<usize>> = vec![Vec::new(); model.data.len()];
        let mut stored: Vec<HashSet<usize>> = vec![HashSet::new(); model.data.len()];
        for (c, component) in model.components.iter().enumerate() {
            if matches!(component.kind, ComponentKind::AtlassianProduct | ComponentKind::User) {
                for list in &mut origins {
                    list.push(c);
                }
            }
            for d in &component.produces {
                if let Some(&d) = data_index.get(d.as_str()) {
                    origins[d].push(c);
                }
            }
            for d in &component.stores {
                if let Some(&d) = data_index.get(d.as_str()) {
                    stored[d].insert(c);
                }
            }
        }
        let reach: Vec<Vec<Reach>> = (0..model.data.len())
            .into_par_iter()
            .map(|d| {
                let mut via: BTreeMap<usize, Option<usize>> = BTreeMap::new();
                let mut queue: VecDeque<usize> = VecDeque::new();
                for &c in &origins[d] {
                    if via.insert(c, None).is_none() {
                        queue.push_back(c);
                    }
                }
                bfs(&outgoing, d, &mut via, &mut queue);
                // Stored data that no flow brings (pre-existing, or imported) starts where it rests.
                let mut stored_here: Vec<usize> = stored[d].iter().copied().collect();
                stored_here.sort_unstable();
                for c in stored_here {
                    if let std::collections::btree_map::Entry::Vacant(entry) = via.entry(c) {
                        entry.insert(None);
                        queue.push_back(c);
                        bfs(&outgoing, d, &mut via, &mut queue);
                    }
                }
                via.into_iter()
                    .map(|(component, via)| Reach {
                        component,
                        at_rest: stored[d].contains(&component),
                        via,
                    })
                    .collect()
            })
            .collect();
        let lookup = reach
            .iter()
            .map(|list| list.iter().enumerate().map(|(i, r)| (r.component, i)).collect())
            .collect();
        let flow_source = model
            .flows
            .iter()
            .map(|f| component_index.get(f.from.as_str()).copied())
            .collect();
        Propagation {
            reach,
            lookup,
            flow_source,
        }
    }

    /// How category `d` reaches component `c`, if it does.
    pub fn get(&self, d: usize, c: usize) -> Option<&Reach> {
        self.lookup.get(d)?.get(&c).map(|&i| &self.reach[d][i])
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

fn bfs(
    outgoing: &HashMap<(usize, usize), Vec<(usize, usize)>>,
    d: usize,
    via: &mut BTreeMap<usize, Option<usize>>,
    queue: &mut VecDeque<usize>,
) {
    while let Some(c) = queue.pop_front() {
        for &(flow, to) in outgoing.get(&(d, c)).map(Vec::as_slice).unwrap_or_default() {
            if let std::collections::btree_map::Entry::Vacant(entry) = via.entry(to) {
                entry.insert(Some(flow));
                queue.push_back(to);
            }
        }
    }
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
