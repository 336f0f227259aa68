//! Cross-checks of a model that its schema cannot express: references, uniqueness, regions,
//! boundary nesting and whether each flow's source can have the data it sends.
//!
//! Pure: works on the typed model and the catalog, and names problems by their path in the
//! document; the loader turns paths into lines and columns.

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Seg};
use crate::graph::FlowGraph;
use crate::model::{FORMAT_VERSION, Model, Region};
use crate::path;
use crate::suggest;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// A problem at a path of the model document.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    /// The problem, without location.
    pub diagnostic: Diagnostic,
    /// Where in the document.
    pub path: Vec<Seg>,
    /// Point at the key rather than the value.
    pub at_key: bool,
}

struct Checks<'m> {
    model: &'m Model,
    graph: &'m FlowGraph,
    catalog: &'m Catalog,
    issues: Vec<Issue>,
    /// Dangling references given a did-you-mean so far: past [`DETAILED`], the rest are
    /// reported plainly (nobody reads the thousandth suggestion, and each costs a scan).
    suggested: usize,
}

/// How many dangling references get a suggestion.
const DETAILED: usize = 100;

/// Runs every cross-check. The checks are independent (only `references` counts its
/// suggestions): they run on all threads, and their issues are joined in this order.
pub fn validate<'m>(model: &'m Model, graph: &'m FlowGraph, catalog: &'m Catalog) -> Vec<Issue> {
    use rayon::prelude::*;
    let checks: [fn(&mut Checks<'m>); 8] = [
        Checks::version,
        Checks::unique_ids,
        Checks::references,
        Checks::boundary_cycles,
        Checks::regions,
        Checks::dates,
        Checks::data_availability,
        Checks::shape_warnings,
    ];
    let found: Vec<Vec<Issue>> = checks
        .par_iter()
        .map(|check| {
            let mut checks = Checks {
                model,
                graph,
                catalog,
                issues: Vec::new(),
                suggested: 0,
            };
            check(&mut checks);
            checks.issues
        })
        .collect();
    found.concat()
}

impl<'m> Checks<'m> {
    fn push(&mut self, diagnostic: Diagnostic, path: Vec<Seg>) {
        self.issues.push(Issue {
            diagnostic,
            path,
            at_key: false,
        });
    }

    fn version(&mut self) {
        if self.model.trustflow != 0 && self.model.trustflow != FORMAT_VERSION {
            self.push(
                Diagnostic::error(
                    "unsupported-version",
                    format!(
                        "format version {} is not supported by this trustflow",
                        self.model.trustflow
                    ),
                )
                .with_help(format!("this build reads `trustflow: {FORMAT_VERSION}`")),
                path!["trustflow"],
            );
        }
    }

    fn unique_ids(&mut self) {
        let lists: [(&'static str, Vec<Option<&'m str>>); 6] = [
            (
                "organisations",
                self.model.organisations.iter().map(|o| Some(o.id.as_str())).collect(),
            ),
            ("data", self.model.data.iter().map(|d| Some(d.id.as_str())).collect()),
            (
                "boundaries",
                self.model.boundaries.iter().map(|b| Some(b.id.as_str())).collect(),
            ),
            (
                "components",
                self.model.components.iter().map(|c| Some(c.id.as_str())).collect(),
            ),
            ("flows", self.model.flows.iter().map(|f| f.id.as_deref()).collect()),
            (
                "installations",
                self.model.installations.iter().map(|i| Some(i.id.as_str())).collect(),
            ),
        ];
        for (list, ids) in lists {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (index, id) in ids.into_iter().enumerate() {
                let Some(id) = id else { continue };
                if id.is_empty() {
                    self.push(
                        Diagnostic::error("invalid-value", "an id must not be empty"),
                        path![list, index, "id"],
                    );
                    continue;
                }
                if let Some(first) = seen.get(id) {
                    self.push(
                        Diagnostic::error("duplicate-id", format!("`{id}` is defined twice in `{list}`"))
                            .with_help(format!("the first definition is {list}[{first}]; ids must be unique")),
                        path![list, index, "id"],
                    );
                } else {
                    seen.insert(id, index);
                }
            }
        }
        // Components and boundaries share a namespace in reports and diagrams.
        let boundary_ids: HashSet<&str> = self.model.boundaries.iter().map(|b| b.id.as_str()).collect();
        for (index, component) in self.model.components.iter().enumerate() {
            if boundary_ids.contains(component.id.as_str()) {
                self.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("`{}` names both a boundary and a component", component.id),
                    )
                    .with_help("give the component and the boundary different ids"),
                    path!["components", index, "id"],
                );
            }
        }
    }

    /// Checks that `id` is one of `candidates` (the ids of `target`); `at` gives the place
    /// of the reference, built only when it is dangling (a large model has millions).
    fn reference(&mut self, target: &'static str, candidates: &HashSet<&str>, id: &str, at: impl FnOnce() -> Vec<Seg>) {
        if candidates.contains(id) {
            return;
        }
        let at = at();
        if target == "organisations" && self.catalog.organisations.contains_key(id) {
            self.push(
                Diagnostic::error(
                    "dangling-reference",
                    format!("`{id}` is not defined in `organisations`"),
                )
                .with_help(format!(
                    "the catalog knows `{id}`: add `{{ id: {id}, catalog: {id} }}` to `organisations`"
                )),
                at,
            );
            return;
        }
        let mut diagnostic = Diagnostic::error("dangling-reference", format!("`{id}` is not defined in `{target}`"));
        if self.suggested < DETAILED {
            self.suggested += 1;
            let suggestion = suggest::closest(id, candidates.iter().copied());
            diagnostic = diagnostic.with_suggestion(suggestion);
            if suggestion.is_none() {
                diagnostic = diagnostic.with_help(if candidates.is_empty() {
                    format!("`{target}` is empty")
                } else if candidates.len() <= 20 {
                    let mut sorted: Vec<&str> = candidates.iter().copied().collect();
                    sorted.sort_unstable();
                    format!("defined in `{target}`: {}", sorted.join(", "))
                } else {
                    format!("none of the {} ids in `{target}` is close", candidates.len())
                });
            }
        }
        self.push(diagnostic, at);
    }

    fn references(&mut self) {
        let model = self.model;
        // Atlassian takes part in every app: `atlassian` needs no declaration (declaring it
        // overrides the catalog's facts).
        let orgs: HashSet<&str> = model
            .organisations
            .iter()
            .map(|o| o.id.as_str())
            .chain([crate::model::IMPLICIT_ATLASSIAN])
            .collect();
        let data: HashSet<&str> = model.data.iter().map(|d| d.id.as_str()).collect();
        let boundaries: HashSet<&str> = model.boundaries.iter().map(|b| b.id.as_str()).collect();
        let components: HashSet<&str> = model.components.iter().map(|c| c.id.as_str()).collect();

        if !model.app.vendor.is_empty() {
            self.reference("organisations", &orgs, &model.app.vendor, || path!["app", "vendor"]);
        }
        for (i, org) in model.organisations.iter().enumerate() {
            if let Some(entry) = &org.catalog
                && !self.catalog.organisations.contains_key(entry)
            {
                let suggestion = suggest::closest(entry, self.catalog.organisations.keys().map(String::as_str));
                let known: Vec<&str> = self.catalog.organisations.keys().map(String::as_str).collect();
                self.push(
                    Diagnostic::error(
                        "unknown-catalog-entry",
                        format!("the catalog has no organisation `{entry}`"),
                    )
                    .with_suggestion(suggestion)
                    .with_help(format!(
                        "known: {}; or describe the organisation here (name, country, …) without `catalog`",
                        known.join(", ")
                    )),
                    path!["organisations", i, "catalog"],
                );
            }
            if org.catalog.is_none() && org.name.is_none() {
                self.issues.push(Issue {
                    diagnostic: Diagnostic::warning(
                        "incomplete-organisation",
                        format!("organisation `{}` has neither `name` nor `catalog`", org.id),
                    )
                    .with_help("reports will show its id as its name"),
                    path: path!["organisations", i],
                    at_key: false,
                });
            }
            if let Some(country) = &org.country
                && self.catalog.country(country).is_none()
            {
                let suggestion = suggest::closest(country, self.catalog.countries.keys().map(String::as_str));
                self.push(
                    Diagnostic::error(
                        "unknown-region",
                        format!("`{country}` is not a country the catalog knows"),
                    )
                    .with_suggestion(suggestion)
                    .with_help("use an ISO 3166-1 alpha-2 code in upper case, e.g. `DE`"),
                    path!["organisations", i, "country"],
                );
            }
        }
        for (i, boundary) in model.boundaries.iter().enumerate() {
            if let Some(operator) = &boundary.operator {
                self.reference("organisations", &orgs, operator, || path!["boundaries", i, "operator"]);
            }
            if let Some(parent) = &boundary.parent {
                self.reference("boundaries", &boundaries, parent, || path!["boundaries", i, "parent"]);
            }
        }
        for (i, component) in model.components.iter().enumerate() {
            if let Some(operator) = &component.operator {
                self.reference("organisations", &orgs, operator, || path!["components", i, "operator"]);
            }
            if let Some(host) = &component.hosted_by {
                self.reference("organisations", &orgs, host, || path!["components", i, "hosted_by"]);
            }
            if let Some(boundary) = &component.boundary {
                self.reference("boundaries", &boundaries, boundary, || {
                    path!["components", i, "boundary"]
                });
            }
            for (j, id) in component.stores.iter().enumerate() {
                self.reference("data", &data, id, || path!["components", i, "stores", j]);
            }
            for (j, id) in component.produces.iter().enumerate() {
                self.reference("data", &data, id, || path!["components", i, "produces", j]);
            }
        }
        for (i, flow) in model.flows.iter().enumerate() {
            self.reference("components", &components, &flow.from, || path!["flows", i, "from"]);
            self.reference("components", &components, &flow.to, || path!["flows", i, "to"]);
            for (j, id) in flow.data.iter().enumerate() {
                self.reference("data", &data, id, || path!["flows", i, "data", j]);
            }
        }
    }

    fn boundary_cycles(&mut self) {
        let index: HashMap<&str, usize> = self
            .model
            .boundaries
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id.as_str(), i))
            .collect();
        // Each boundary is walked once: a walk stops at a boundary already settled (state 2),
        // so a 10,000-deep chain costs 10,000 steps, not 10,000².
        let n = self.model.boundaries.len();
        let mut state = vec![0u8; n];
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut chain = vec![start];
            state[start] = 1;
            let mut current = start;
            while let Some(&parent) = self.model.boundaries[current]
                .parent
                .as_deref()
                .and_then(|p| index.get(p))
            {
                match state[parent] {
                    2 => break,
                    1 => {
                        // On this walk's own chain: a cycle.
                        let at = chain.iter().position(|&b| b == parent).unwrap_or(0);
                        let cycle = &chain[at..];
                        let first = *cycle.iter().min().unwrap_or(&start);
                        let mut names: Vec<&str> =
                            cycle.iter().map(|&b| self.model.boundaries[b].id.as_str()).collect();
                        names.push(names[0]);
                        let message = format!("boundaries contain each other: {}", names.join(" → "));
                        self.push(
                            Diagnostic::error("boundary-cycle", message)
                                .with_help("a boundary's `parent` chain must end at a top-level boundary"),
                            path!["boundaries", first, "parent"],
                        );
                        break;
                    }
                    _ => {
                        state[parent] = 1;
                        chain.push(parent);
                        current = parent;
                    }
                }
            }
            for b in chain {
                state[b] = 2;
            }
        }
    }

    /// Dates written as text (`since:`) are real dates.
    fn dates(&mut self) {
        for (i, org) in self.model.organisations.iter().enumerate() {
            let Some(text) = &org.since else { continue };
            if crate::dates::Date::parse(text).is_none() {
                self.push(
                    Diagnostic::error("invalid-value", format!("`{text}` is not a date"))
                        .with_help("write the date it started receiving data as YYYY-MM-DD, e.g. `since: 2026-03-01`"),
                    path!["organisations", i, "since"],
                );
            }
        }
    }

    fn regions(&mut self) {
        for (i, component) in self.model.components.iter().enumerate() {
            let Some(text) = &component.region else { continue };
            let problem = match Region::parse(text) {
                Ok(region) => match self.catalog.check_region(&region) {
                    Ok(()) => None,
                    Err(suggestion) => Some((format!("`{text}` is not a region the catalog knows"), suggestion)),
                },
                Err(err) => Some((err.message, err.suggestion)),
            };
            if let Some((message, suggestion)) = problem {
                self.push(
                    Diagnostic::error("unknown-region", message).with_suggestion(suggestion.as_deref()).with_help(
                        "a region is `tenant`, a realm (`eu`, `us`, …), a cloud region (`aws:eu-central-1`) or a country (`US`)",
                    ),
                    path!["components", i, "region"],
                );
            }
        }
    }

    /// A flow can only carry data its source has: data created there (products and users
    /// create all data), stored there, or brought there by another flow.
    fn data_availability(&mut self) {
        let model = self.model;
        let graph = self.graph;
        let indices = |ids: &[String]| -> Vec<u32> {
            let mut v: Vec<u32> = ids
                .iter()
                .filter_map(|d| graph.data(d))
                .filter_map(|d| u32::try_from(d).ok())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let creates_all: Vec<bool> = model.components.iter().map(|c| c.kind.is_origin()).collect();
        // Sorted category indices each component has.
        let mut has: Vec<Vec<u32>> = model
            .components
            .iter()
            .map(|c| {
                let mut own = indices(&c.stores);
                own.extend(indices(&c.produces));
                own.sort_unstable();
                own.dedup();
                own
            })
            .collect();
        let mut work: Vec<usize> = (0..model.components.len()).collect();
        while let Some(c) = work.pop() {
            for (f, to) in graph.outgoing(c) {
                if creates_all[to] {
                    continue;
                }
                let mut grew = false;
                for &d in &graph.carried[f] {
                    let available = creates_all[c] || has[c].binary_search(&d).is_ok();
                    if available && let Err(at) = has[to].binary_search(&d) {
                        has[to].insert(at, d);
                        grew = true;
                    }
                }
                if grew {
                    work.push(to);
                }
            }
        }
        for (i, flow) in model.flows.iter().enumerate() {
            let Some((from, _)) = graph.ends[i] else { continue };
            if creates_all[from] {
                continue;
            }
            for (j, d) in flow.data.iter().enumerate() {
                let Some(index) = graph.data(d).and_then(|i| u32::try_from(i).ok()) else {
                    continue;
                };
                if has[from].binary_search(&index).is_err() {
                    self.push(
                        Diagnostic::error(
                            "data-not-available",
                            format!("flow `{}` carries `{d}`, which `{}` never has", flow.label(), flow.from),
                        )
                        .with_help(format!(
                            "add a flow that brings `{d}` to `{}`, or list `{d}` under its `stores` or `produces`",
                            flow.from
                        )),
                        path!["flows", i, "data", j],
                    );
                }
            }
        }
    }

    fn shape_warnings(&mut self) {
        let mut connected: HashSet<&str> = HashSet::new();
        for (i, flow) in self.model.flows.iter().enumerate() {
            connected.insert(&flow.from);
            connected.insert(&flow.to);
            if flow.from == flow.to {
                self.issues.push(Issue {
                    diagnostic: Diagnostic::warning(
                        "self-flow",
                        format!("flow `{}` goes from a component to itself", flow.label()),
                    ),
                    path: path!["flows", i],
                    at_key: false,
                });
            }
        }
        for (i, component) in self.model.components.iter().enumerate() {
            if !connected.contains(component.id.as_str()) {
                self.issues.push(Issue {
                    diagnostic: Diagnostic::warning(
                        "isolated-component",
                        format!("component `{}` takes part in no flow", component.id),
                    ),
                    path: path!["components", i, "id"],
                    at_key: false,
                });
            }
        }
    }
}
