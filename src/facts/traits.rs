//! What each data category is, once derived data is taken into account: a category a component
//! produces from personal or PHI inputs keeps their nature (a summary of a patient ticket is
//! still PHI and health data) unless the model marks it `deidentified` (45 CFR 164.514; GDPR
//! Recital 26). `shared/domain/transfers.md` H8.

use super::propagation::Propagation;
use crate::graph::FlowGraph;
use crate::model::{Model, Special};

/// The effective nature of one data category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataTraits {
    /// Personal data (declared, PHI, or derived from personal data).
    pub personal: bool,
    /// PHI (declared or derived from PHI).
    pub phi: bool,
    /// An Art. 9 special category, if any (PHI is health data).
    pub special: Option<Special>,
    /// In scope of data residency (declared, else personal or PHI).
    pub in_scope: bool,
    /// The categories it inherited its nature from (indices), when derived.
    pub derived_from: Vec<usize>,
}

/// The traits of every category, derived data included.
pub fn derive(model: &Model, graph: &FlowGraph, propagation: &Propagation) -> Vec<DataTraits> {
    let mut traits: Vec<DataTraits> = model
        .data
        .iter()
        .map(|d| DataTraits {
            personal: d.is_personal(),
            phi: d.phi,
            special: d.special_category(),
            in_scope: d.residency_in_scope(),
            derived_from: Vec::new(),
        })
        .collect();
    // Producers: component → the categories it produces (indices), de-identified ones left out.
    let produced: Vec<Vec<usize>> = model
        .components
        .iter()
        .map(|c| {
            // The customer's products and users originate every category: nothing is derived there.
            if c.kind.is_origin() {
                return Vec::new();
            }
            c.produces
                .iter()
                .filter_map(|p| graph.data(p))
                .filter(|&p| !model.data[p].deidentified)
                .collect()
        })
        .collect();
    if produced.iter().all(Vec::is_empty) {
        return traits;
    }
    // A derivation chain is at most as long as the number of categories: iterate to a fixpoint.
    for _ in 0..model.data.len() {
        let mut changed = false;
        for (d, reach) in propagation.reach.iter().enumerate() {
            let source = traits[d].clone();
            if !source.personal {
                continue;
            }
            for r in reach {
                for &p in &produced[r.component] {
                    if p == d {
                        continue;
                    }
                    let target = &mut traits[p];
                    let before = (target.personal, target.phi, target.special);
                    target.personal = true;
                    target.phi |= source.phi;
                    target.special = target.special.or(source.special);
                    if model.data[p].in_scope.is_none() {
                        target.in_scope = true;
                    }
                    if !target.derived_from.contains(&d) {
                        target.derived_from.push(d);
                        target.derived_from.sort_unstable();
                        changed = true;
                    }
                    changed |= before != (target.personal, target.phi, target.special);
                }
            }
        }
        if !changed {
            break;
        }
    }
    traits
}
