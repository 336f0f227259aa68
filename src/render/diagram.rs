//! The data-flow diagram as SVG: trust boundaries as nested boxes, components as nodes inside
//! them, flows as numbered arrows (the numbers key into the flow table of the report).
//!
//! [`layout`] places the boxes (columns by rank, boundaries packed onto shelves), [`route`]
//! draws the flows as orthogonal lines around them and places their numbers; this module draws
//! the SVG and exports DOT and Mermaid. No external program; the same model always gives the
//! same picture.

use crate::catalog::Catalog;
use crate::graph::FlowGraph;
use crate::model::{ComponentKind, Model};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Escapes text for XML (SVG, Atom): markup characters as entities, control characters and
/// bidirectional overrides as visible `\u{…}` escapes (XML forbids most control characters,
/// and an override would reorder what a reader sees). The one XML escaping function.
pub fn xml(text: &str) -> String {
    let text = crate::text::terminal_safe(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `text` on one line of at most `max` characters, or two split at a word boundary (the second
/// cut with "…" only when even two lines are not enough).
fn wrap_two(text: &str, max: usize) -> (String, Option<String>) {
    if text.chars().count() <= max {
        return (text.to_owned(), None);
    }
    let mut first = String::new();
    let mut rest = String::new();
    for word in text.split(' ') {
        if rest.is_empty() && first.chars().count() + word.chars().count() < max {
            if !first.is_empty() {
                first.push(' ');
            }
            first.push_str(word);
        } else {
            if !rest.is_empty() {
                rest.push(' ');
            }
            rest.push_str(word);
        }
    }
    if first.is_empty() {
        // One long word: cut it where the line ends.
        let cut: String = text.chars().take(max).collect();
        let tail: String = text.chars().skip(max).collect();
        return (cut, Some(shorten(&tail, max)));
    }
    (first, Some(shorten(&rest, max)))
}

mod layout;
mod route;

use layout::{NODE_H, Rect, TITLE_CHAR_W, TITLE_LINE};

/// Components up to which flows are routed around boxes; a larger drawing (only with
/// `trustflow diagram --full`, reports draw the summary) gets straight lines, so drawing stays
/// linear in the model.
pub const ROUTED_UP_TO: usize = 150;

fn kind_style(kind: ComponentKind) -> (&'static str, &'static str, &'static str) {
    // fill, stroke, label
    match kind {
        ComponentKind::AtlassianProduct => ("#deebff", "#0052cc", "Atlassian product"),
        ComponentKind::ForgeFunction => ("#e3fcef", "#00875a", "Forge function"),
        ComponentKind::ForgeStorage => ("#e3fcef", "#006644", "Forge storage"),
        ComponentKind::Service => ("#fffae6", "#ff8b00", "service"),
        ComponentKind::Datastore => ("#fff0b3", "#974f0c", "datastore"),
        ComponentKind::ExternalService => ("#ffebe6", "#bf2600", "external service"),
        ComponentKind::User => ("#f4f5f7", "#42526e", "users"),
    }
}

/// The white plate each boundary's title sits on (flows are routed around it).
fn title_plate(r: &Rect, lines: &[String]) -> Rect {
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    Rect {
        x: r.x + 6.0,
        y: r.y + 4.0,
        w: (longest as f64 * TITLE_CHAR_W + 8.0).min(r.w - 12.0),
        h: 17.0 + TITLE_LINE * (lines.len().max(1) - 1) as f64,
    }
}

/// The diagram of a model as a standalone SVG document: a layered layout (columns by rank,
/// boundaries as nested boxes), flows routed orthogonally around every box and title, each
/// numbered (the numbers key into the report's flow table).
pub fn data_flow_svg(model: &Model, graph: &FlowGraph, catalog: &Catalog) -> String {
    let title = |b: usize| {
        let boundary = &model.boundaries[b];
        format!(
            "{}{}",
            boundary.name.as_deref().unwrap_or(&boundary.id),
            operator_suffix(model, catalog, boundary)
        )
    };
    let layout = layout::layout(model, graph, &title);
    let legend_h = 34.0;
    let (width, height) = (layout.width.max(560.0), layout.height + legend_h);
    let plates: Vec<(usize, Rect)> = layout
        .boundaries
        .iter()
        .enumerate()
        .filter_map(|(b, r)| r.map(|r| (b, title_plate(&r, &layout.titles[b]))))
        .collect();
    let flows: Vec<(usize, usize)> = graph.ends.iter().map(|e| e.unwrap_or((0, 0))).collect();
    let routes = if model.components.len() <= ROUTED_UP_TO {
        let obstacles: Vec<Rect> = layout
            .nodes
            .iter()
            .map(|r| r.grow(route::CLEARANCE))
            .chain(plates.iter().map(|(_, p)| p.grow(3.0)))
            .collect();
        let borders: Vec<Rect> = layout.boundaries.iter().flatten().copied().collect();
        route::route_all(&layout.nodes, &obstacles, &borders, &flows, (width, layout.height))
    } else {
        flows
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    Vec::new()
                } else {
                    route::straight(&layout.nodes[a], &layout.nodes[b])
                }
            })
            .collect()
    };
    let avoid: Vec<Rect> = layout
        .nodes
        .iter()
        .copied()
        .chain(plates.iter().map(|(_, p)| *p))
        .collect();
    let badges = if model.components.len() <= ROUTED_UP_TO {
        route::place_badges(&routes, &avoid)
    } else {
        routes
            .iter()
            .map(|r| (r.len() == 2).then(|| ((r[0].0 + r[1].0) / 2.0, (r[0].1 + r[1].1) / 2.0)))
            .collect()
    };

    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" role="img" aria-label="Data-flow diagram of {}">"##,
        xml(&model.app.name)
    );
    svg.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#42526e"/></marker><marker id="arrow-crossing" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#bf2600"/></marker></defs>"##);
    let _ = write!(
        svg,
        r##"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##
    );
    draw_boundaries(&mut svg, model, catalog, &layout, &plates);
    for (i, flow) in model.flows.iter().enumerate() {
        let Some(route) = routes.get(i).filter(|r| r.len() >= 2) else {
            continue;
        };
        let crossing = graph.crossings.get(i).is_some_and(crate::graph::Crossing::crosses);
        let (color, marker) = if crossing {
            ("#bf2600", "arrow-crossing")
        } else {
            ("#42526e", "arrow")
        };
        let mut d = String::new();
        for (k, (x, y)) in route.iter().enumerate() {
            let _ = write!(d, "{}{x:.1},{y:.1}", if k == 0 { "M" } else { " L" });
        }
        let _ = write!(
            svg,
            r##"<g class="flow"><path d="{d}" fill="none" stroke="{color}" stroke-width="1.5" stroke-linejoin="round" marker-end="url(#{marker})"/><title>{}</title></g>"##,
            xml(&format!("{}: {} → {}", i + 1, flow.from, flow.to))
        );
    }
    draw_components(&mut svg, model, &layout);
    // Numbers last, on top of everything (they are placed clear of boxes and titles).
    for (i, badge) in badges.iter().enumerate() {
        let Some((mx, my)) = badge else { continue };
        let crossing = graph.crossings.get(i).is_some_and(crate::graph::Crossing::crosses);
        let color = if crossing { "#bf2600" } else { "#42526e" };
        let _ = write!(
            svg,
            r##"<g class="flow-number"><circle cx="{mx:.1}" cy="{my:.1}" r="{:.0}" fill="#ffffff" stroke="{color}" stroke-width="1.2"/><text x="{mx:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="{color}">{}</text></g>"##,
            route::BADGE_R,
            my + 3.5,
            i + 1,
        );
    }
    // Legend.
    let ly = height - legend_h + 8.0;
    let mut lx = 20.0;
    for (text, color, dash) in [
        ("flow", "#42526e", ""),
        ("flow crossing a trust boundary", "#bf2600", ""),
        ("trust boundary", "#6b778c", "6 4"),
    ] {
        let _ = write!(
            svg,
            r##"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="1.5" stroke-dasharray="{dash}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#42526e">{}</text>"##,
            ly + 6.0,
            lx + 26.0,
            ly + 6.0,
            lx + 32.0,
            ly + 10.0,
            xml(text)
        );
        lx += 40.0 + text.len() as f64 * 6.2;
    }
    svg.push_str("</svg>");
    svg
}

/// Boundaries, outermost first so inner ones draw on top, each with its title on a plate.
fn draw_boundaries(
    svg: &mut String,
    model: &Model,
    catalog: &Catalog,
    layout: &layout::Layout,
    plates: &[(usize, Rect)],
) {
    let mut by_area: Vec<(usize, Rect, Rect)> = plates
        .iter()
        .filter_map(|(b, plate)| layout.boundaries[*b].map(|r| (*b, r, *plate)))
        .collect();
    by_area.sort_by(|a, b| (b.1.w * b.1.h).total_cmp(&(a.1.w * a.1.h)).then(a.0.cmp(&b.0)));
    for (b, r, plate) in by_area {
        let boundary = &model.boundaries[b];
        let full = format!(
            "{}{}",
            boundary.name.as_deref().unwrap_or(&boundary.id),
            operator_suffix(model, catalog, boundary)
        );
        let mut text = String::new();
        for (k, line) in layout.titles[b].iter().enumerate() {
            let _ = write!(
                text,
                r#"<tspan x="{:.1}" dy="{}">{}</tspan>"#,
                plate.x + 4.0,
                if k == 0 { 0.0 } else { TITLE_LINE },
                xml(line)
            );
        }
        let _ = write!(
            svg,
            r##"<g class="boundary"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="10" fill="#fafbfc" fill-opacity="0.6" stroke="#6b778c" stroke-width="1.4" stroke-dasharray="6 4"/><title>{}</title></g><g class="boundary-title"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="#ffffff"/><text x="{:.1}" y="{:.1}" font-size="12" font-weight="bold" fill="#42526e">{text}</text></g>"##,
            r.x,
            r.y,
            r.w,
            r.h,
            xml(&full),
            plate.x,
            plate.y,
            plate.w,
            plate.h,
            plate.x + 4.0,
            plate.y + 13.0,
        );
    }
}

/// The component boxes: name (wrapped onto two lines), kind and region, a tooltip with the id.
fn draw_components(svg: &mut String, model: &Model, layout: &layout::Layout) {
    for (component, r) in model.components.iter().zip(&layout.nodes) {
        let (fill, stroke, label) = kind_style(component.kind);
        let name = component.name.as_deref().unwrap_or(&component.id);
        let sub = match &component.region {
            Some(region) => format!("{label} · {region}"),
            None => label.to_owned(),
        };
        // The name wrapped onto two lines at word boundaries; only a name longer than that is
        // cut, and the tooltip always has it whole.
        let (first, second) = wrap_two(name, 24);
        let name_lines = match &second {
            None => format!(
                r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#172b4d">{}</text>"##,
                r.x + r.w / 2.0,
                r.y + 21.0,
                xml(&first)
            ),
            Some(second) => format!(
                r##"<text x="{x:.1}" y="{:.1}" font-size="11.5" text-anchor="middle" fill="#172b4d"><tspan x="{x:.1}">{}</tspan><tspan x="{x:.1}" dy="13">{}</tspan></text>"##,
                r.y + 15.0,
                xml(&first),
                xml(second),
                x = r.x + r.w / 2.0,
            ),
        };
        let sub_y = if second.is_some() { r.y + 42.0 } else { r.y + 37.0 };
        debug_assert!(sub_y < r.y + NODE_H);
        let _ = write!(
            svg,
            r##"<g class="component"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/>{name_lines}<text x="{:.1}" y="{sub_y:.1}" font-size="9.5" text-anchor="middle" fill="#5e6c84">{}</text><title>{}</title></g>"##,
            r.x,
            r.y,
            r.w,
            r.h,
            r.x + r.w / 2.0,
            xml(&shorten(&sub, 30)),
            xml(&format!("{name}: {} ({})", component.id, component.kind.as_str()))
        );
    }
}

/// Components above which the report draws the summary (one box per boundary or operator)
/// instead of every component: a drawing of hundreds of boxes is neither legible nor small.
pub const SUMMARY_ABOVE: usize = 60;

/// The group a component is summarised into: its boundary, else its operator, else its kind.
/// Returns the group's key, its name, and the boundary it stands for.
fn group_of(model: &Model, catalog: &Catalog, c: usize) -> (String, String, Option<String>) {
    let component = &model.components[c];
    if let Some(b) = &component.boundary {
        let name = model
            .boundaries
            .iter()
            .find(|x| &x.id == b)
            .and_then(|x| x.name.clone())
            .unwrap_or_else(|| b.clone());
        return (format!("b:{b}"), name, Some(b.clone()));
    }
    if let Some(o) = &component.operator {
        return (format!("o:{o}"), organisation_name(model, catalog, o).to_owned(), None);
    }
    let kind = kind_style(component.kind).2;
    (format!("k:{kind}"), kind.to_owned(), None)
}

/// A model with one component per group (boundary, operator or kind; by kind alone when that
/// still gives too many) and one flow per pair of groups data moves between, named with their
/// counts: the legible picture of a large model. A group that is a trust boundary stays inside
/// that boundary (and its parents), so flows between groups that cross a boundary are drawn
/// as crossing it.
/// Every element stays addressable in the JSON and in `trustflow diagram --full`.
pub fn summary_model(model: &Model, catalog: &Catalog) -> Model {
    let mut group: Vec<(String, String, Option<String>)> = (0..model.components.len())
        .map(|c| group_of(model, catalog, c))
        .collect();
    // Still too many boxes (every unit its own operator): one box per kind of component.
    if group.iter().map(|g| &g.0).collect::<BTreeSet<_>>().len() > SUMMARY_ABOVE {
        group = model
            .components
            .iter()
            .map(|c| {
                let kind = kind_style(c.kind).2;
                (format!("k:{kind}"), kind.to_owned(), None)
            })
            .collect();
    }
    // key → (name, boundary, count, kind)
    let mut groups: BTreeMap<&str, (&str, Option<&str>, usize, ComponentKind)> = BTreeMap::new();
    for (c, (key, name, boundary)) in group.iter().enumerate() {
        let entry =
            groups
                .entry(key.as_str())
                .or_insert((name.as_str(), boundary.as_deref(), 0, model.components[c].kind));
        entry.2 += 1;
    }
    let ids: BTreeMap<&str, String> = groups.keys().enumerate().map(|(i, g)| (*g, format!("g{i}"))).collect();
    let mut summary = Model {
        app: model.app.clone(),
        data: model.data.clone(),
        organisations: model.organisations.clone(),
        ..Model::default()
    };
    // The boundaries the groups stand for, with their parents, in the model's order.
    let mut kept: BTreeSet<&str> = BTreeSet::new();
    for (_, boundary, ..) in groups.values() {
        let mut next = *boundary;
        while let Some(b) = next.filter(|b| kept.insert(b)) {
            next = model
                .boundaries
                .iter()
                .find(|x| x.id == b)
                .and_then(|x| x.parent.as_deref());
        }
    }
    summary.boundaries = model
        .boundaries
        .iter()
        .filter(|b| kept.contains(b.id.as_str()))
        .cloned()
        .collect();
    for (key, (name, boundary, count, kind)) in &groups {
        // Built through serde so that every other field takes its documented default.
        let component = serde_json::json!({
            "id": ids[key],
            "name": format!("{name} ({count} component{})", if *count == 1 { "" } else { "s" }),
            "kind": kind,
            "boundary": boundary,
        });
        if let Ok(component) = serde_json::from_value(component) {
            summary.components.push(component);
        }
    }
    let mut pairs: BTreeMap<(String, String), (usize, BTreeSet<String>)> = BTreeMap::new();
    let index: std::collections::HashMap<&str, usize> = model
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    for flow in &model.flows {
        let (Some(&from), Some(&to)) = (index.get(flow.from.as_str()), index.get(flow.to.as_str())) else {
            continue;
        };
        if group[from].0 == group[to].0 {
            continue;
        }
        let entry = pairs
            .entry((ids[group[from].0.as_str()].clone(), ids[group[to].0.as_str()].clone()))
            .or_default();
        entry.0 += 1;
        entry.1.extend(flow.data.iter().cloned());
    }
    for ((from, to), (count, data)) in pairs {
        // A few categories are named; many are counted.
        let purpose = format!(
            "{count} flow{}, {} data categor{}",
            if count == 1 { "" } else { "s" },
            data.len(),
            if data.len() == 1 { "y" } else { "ies" }
        );
        let data: Vec<String> = if data.len() > 4 {
            Vec::new()
        } else {
            data.into_iter().collect()
        };
        let flow = serde_json::json!({
            "id": format!("{from}-{to}"),
            "from": from,
            "to": to,
            "data": data,
            "purpose": purpose,
        });
        if let Ok(flow) = serde_json::from_value(flow) {
            summary.flows.push(flow);
        }
    }
    summary
}

/// The diagram the report shows: every component, or the summary above [`SUMMARY_ABOVE`]
/// with the note that says so.
pub fn report_svg(model: &Model, graph: &FlowGraph, catalog: &Catalog) -> (String, Option<String>) {
    if model.components.len() > SUMMARY_ABOVE {
        let summary = summary_model(model, catalog);
        let graph = FlowGraph::build(&summary);
        let note = format!(
            "The model has {} components: the diagram shows one box per trust boundary or operator (or per kind of component), with the number of flows between them. Every component and flow is in the tables below and in `trustflow diagram MODEL --full`.",
            model.components.len()
        );
        (data_flow_svg(&summary, &graph, catalog), Some(note))
    } else {
        (data_flow_svg(model, graph, catalog), None)
    }
}

/// What an exported edge says: its data, or (for a summary's many categories) its purpose.
fn flow_label(flow: &crate::model::Flow) -> String {
    if flow.data.is_empty() {
        flow.purpose.clone().unwrap_or_default()
    } else {
        flow.data.join(", ")
    }
}

/// ` · <operator name>` for a boundary's title (the organisation's name, else its id), or
/// nothing when the boundary names no operator.
fn operator_suffix(model: &Model, catalog: &Catalog, boundary: &crate::model::Boundary) -> String {
    boundary
        .operator
        .as_deref()
        .map(|o| format!(" · {}", organisation_name(model, catalog, o)))
        .unwrap_or_default()
}

/// An organisation's name for a picture, as every report names it
/// ([`crate::facts::resolve::organisation_name`]: the model's `name`, else its catalog entry's,
/// else its id); `catalog` is the one the run uses, `--catalog` overrides included.
fn organisation_name<'m>(model: &'m Model, catalog: &'m Catalog, id: &'m str) -> &'m str {
    model
        .organisations
        .iter()
        .find(|org| org.id == id)
        .map_or(id, |org| crate::facts::resolve::organisation_name(org, catalog))
}

/// One DOT node line for a component.
fn dot_node(pad: &str, component: &crate::model::Component) -> String {
    let (fill, _, kind) = kind_style(component.kind);
    format!(
        "{pad}{} [label={}, fillcolor={}];\n",
        dot_string(&component.id),
        dot_string(&format!(
            "{}\n({kind})",
            component.name.as_deref().unwrap_or(&component.id)
        )),
        dot_string(fill)
    )
}

/// A DOT string literal.
fn dot_string(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in crate::text::terminal_safe(text).chars() {
        match ch {
            '"' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The model as Graphviz DOT: boundaries as clusters (titled with their operator's name),
/// components as boxes, flows as numbered edges with their data.
pub fn dot(model: &Model, catalog: &Catalog) -> String {
    let mut out = format!(
        "digraph {} {{\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans\"];\n",
        dot_string(&model.app.name)
    );
    let mut placed = vec![false; model.components.len()];
    fn cluster(model: &Model, catalog: &Catalog, b: usize, depth: usize, placed: &mut [bool], out: &mut String) {
        let boundary = &model.boundaries[b];
        let pad = "  ".repeat(depth + 1);
        let operator = operator_suffix(model, catalog, boundary);
        let _ = writeln!(
            out,
            "{pad}subgraph {} {{",
            dot_string(&format!("cluster_{}", boundary.id))
        );
        let _ = writeln!(
            out,
            "{pad}  label={}; style=dashed;",
            dot_string(&format!(
                "{}{operator}",
                boundary.name.as_deref().unwrap_or(&boundary.id)
            ))
        );
        for (i, child) in model.boundaries.iter().enumerate() {
            if child.parent.as_deref() == Some(boundary.id.as_str()) && depth < 64 {
                cluster(model, catalog, i, depth + 1, placed, out);
            }
        }
        for (c, component) in model.components.iter().enumerate() {
            if component.boundary.as_deref() == Some(boundary.id.as_str()) && !placed[c] {
                placed[c] = true;
                out.push_str(&dot_node(&format!("{pad}  "), component));
            }
        }
        let _ = writeln!(out, "{pad}}}");
    }
    for (b, boundary) in model.boundaries.iter().enumerate() {
        if boundary.parent.is_none() {
            cluster(model, catalog, b, 0, &mut placed, &mut out);
        }
    }
    for (c, component) in model.components.iter().enumerate() {
        if !placed[c] {
            out.push_str(&dot_node("  ", component));
        }
    }
    for (i, flow) in model.flows.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            dot_string(&flow.from),
            dot_string(&flow.to),
            dot_string(&format!("{} {}", i + 1, flow_label(flow)))
        );
    }
    out.push_str("}\n");
    out
}

/// A Mermaid label: quotes and angle brackets as entities, so a name is never markup.
fn mermaid_label(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in crate::text::terminal_safe(text).chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\n' => out.push_str("<br>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The model as a Mermaid flowchart (renders in GitHub and GitLab Markdown): boundaries as
/// subgraphs, flows as numbered arrows.
pub fn mermaid(model: &Model) -> String {
    let node = |c: usize| format!("c{c}");
    let index: BTreeMap<&str, usize> = model
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut out = String::from("flowchart LR\n");
    let mut placed = vec![false; model.components.len()];
    for (b, boundary) in model.boundaries.iter().enumerate() {
        let members: Vec<usize> = model
            .components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.boundary.as_deref() == Some(boundary.id.as_str()))
            .map(|(i, _)| i)
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  subgraph b{b} [{}]",
            mermaid_label(boundary.name.as_deref().unwrap_or(&boundary.id))
        );
        for c in members {
            placed[c] = true;
            let _ = writeln!(
                out,
                "    {}[{}]",
                node(c),
                mermaid_label(model.components[c].name.as_deref().unwrap_or(&model.components[c].id))
            );
        }
        out.push_str("  end\n");
    }
    for (c, component) in model.components.iter().enumerate() {
        if !placed[c] {
            let _ = writeln!(
                out,
                "  {}[{}]",
                node(c),
                mermaid_label(component.name.as_deref().unwrap_or(&component.id))
            );
        }
    }
    for (i, flow) in model.flows.iter().enumerate() {
        if let (Some(&from), Some(&to)) = (index.get(flow.from.as_str()), index.get(flow.to.as_str())) {
            let _ = writeln!(
                out,
                "  {} -->|{}| {}",
                node(from),
                mermaid_label(&format!("{} {}", i + 1, flow_label(flow))),
                node(to)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// The numbers after each `key="` in `svg` for the elements starting with `prefix`.
    fn attrs(svg: &str, prefix: &str, keys: &[&str]) -> Vec<Vec<f64>> {
        svg.split(prefix)
            .skip(1)
            .map(|element| {
                keys.iter()
                    .map(|key| {
                        let start = element.find(&format!(" {key}=\"")).unwrap() + key.len() + 3;
                        element[start..].split('"').next().unwrap().parse().unwrap()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn components_and_flow_numbers_never_overlap() {
        for model in ["connect-aws", "forge-native", "forge-remote", "forge-egress"] {
            let path = format!("{}/models/{model}.yaml", env!("CARGO_MANIFEST_DIR"));
            let loaded =
                crate::load::load_model_str("m", &std::fs::read_to_string(path).unwrap(), &Catalog::builtin()).unwrap();
            let model = &loaded.model;
            let svg = data_flow_svg(model, &loaded.graph, &Catalog::builtin());
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            let nodes: Vec<Rect> = component_rects(&svg);
            assert_eq!(nodes.len(), model.components.len());
            for (i, a) in nodes.iter().enumerate() {
                for b in &nodes[i + 1..] {
                    assert!(!a.overlaps(b), "components overlap in {}", model.app.name);
                }
            }
            let badges = attrs(&svg, "<circle", &["cx", "cy"]);
            assert_eq!(badges.len(), model.flows.len());
            for (i, badge) in badges.iter().enumerate() {
                for node in &nodes {
                    let inside = badge[0] > node.x
                        && badge[0] < node.x + node.w
                        && badge[1] > node.y
                        && badge[1] < node.y + node.h;
                    assert!(!inside, "flow {} number under a component in {}", i + 1, model.app.name);
                }
                for other in &badges[i + 1..] {
                    assert!(
                        (badge[0] - other[0]).hypot(badge[1] - other[1]) > 10.0,
                        "flow numbers pile up in {}",
                        model.app.name
                    );
                }
            }
        }
    }

    /// The component boxes drawn in `svg`, in drawing order.
    fn component_rects(svg: &str) -> Vec<Rect> {
        rects(svg, "<g class=\"component\"><rect")
    }

    /// The title plates drawn in `svg`.
    fn title_rects(svg: &str) -> Vec<Rect> {
        rects(svg, "<g class=\"boundary-title\"><rect")
    }

    /// The boxes of the `<rect` elements starting with `prefix`.
    fn rects(svg: &str, prefix: &str) -> Vec<Rect> {
        attrs(svg, prefix, &["x", "y", "width", "height"])
            .into_iter()
            .map(|v| Rect {
                x: v[0],
                y: v[1],
                w: v[2],
                h: v[3],
            })
            .collect()
    }

    /// Every model file the repository ships or tests with that loads.
    fn every_model() -> Vec<(String, crate::load::LoadedModel)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("models"), root.join("tests/fixtures")];
        let mut out = Vec::new();
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            let mut paths: Vec<std::path::PathBuf> = entries.map(|e| e.unwrap().path()).collect();
            paths.sort();
            for path in paths {
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if let Ok(loaded) = crate::load::load_model_str("m", &text, &Catalog::builtin()) {
                        out.push((path.display().to_string(), loaded));
                    }
                }
            }
        }
        out
    }

    /// The polyline of each flow drawn in `svg` (`M x,y L x,y …`).
    fn flow_paths(svg: &str) -> Vec<Vec<(f64, f64)>> {
        svg.split("<g class=\"flow\">")
            .skip(1)
            .map(|element| {
                let d = element.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
                d.split(['M', 'L'])
                    .filter(|t| !t.trim().is_empty())
                    .map(|point| {
                        let (x, y) = point.trim().split_once(',').unwrap();
                        (x.parse().unwrap(), y.parse().unwrap())
                    })
                    .collect()
            })
            .collect()
    }

    /// Whether segment `p`–`q` passes through the interior of `r`.
    fn segment_hits(p: (f64, f64), q: (f64, f64), r: Rect) -> bool {
        // Liang–Barsky clipping against the open box.
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (pk, qk) in [
            (-dx, p.0 - r.x),
            (dx, r.right() - p.0),
            (-dy, p.1 - r.y),
            (dy, r.bottom() - p.1),
        ] {
            if pk.abs() < 1e-12 {
                if qk <= 0.0 {
                    return false;
                }
            } else {
                let t = qk / pk;
                if pk < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        t0 < t1
    }

    /// Every geometric fault of a drawing: a flow through a component box or a title, an arrow
    /// that does not end on its target or ends where another does, numbers over each other, a
    /// box or a title.
    fn faults(model: &Model, svg: &str) -> Vec<String> {
        let mut out = Vec::new();
        let nodes = component_rects(svg);
        let titles = title_rects(svg);
        let paths = flow_paths(svg);
        let drawn: Vec<(usize, usize)> = {
            let graph = FlowGraph::build(model);
            graph.ends.iter().flatten().copied().filter(|(a, b)| a != b).collect()
        };
        assert_eq!(paths.len(), drawn.len(), "one line per flow between two components");
        // 1 px inside each box: touching a border where a line starts or ends is not crossing.
        let shrink = |r: &Rect| r.grow(-1.0);
        for (n, (path, (_, to))) in paths.iter().zip(&drawn).enumerate() {
            for w in path.windows(2) {
                if let Some(c) = nodes.iter().position(|r| segment_hits(w[0], w[1], shrink(r))) {
                    out.push(format!("flow {} runs through component box {c}", n + 1));
                }
                if titles.iter().any(|r| segment_hits(w[0], w[1], *r)) {
                    out.push(format!("flow {} runs through a boundary title", n + 1));
                }
            }
            let end = path[path.len() - 1];
            let target = nodes[*to];
            let on_border = (end.0 - target.x).abs() < 0.2
                || (end.0 - target.right()).abs() < 0.2
                || (end.1 - target.y).abs() < 0.2
                || (end.1 - target.bottom()).abs() < 0.2;
            if !on_border
                || !target.grow(0.2).overlaps(&Rect {
                    x: end.0,
                    y: end.1,
                    w: 0.01,
                    h: 0.01,
                })
            {
                out.push(format!("flow {}'s arrow does not end on its target's border", n + 1));
            }
        }
        // Two arrows ending at one point read as one flow.
        for (i, a) in paths.iter().enumerate() {
            let end = a[a.len() - 1];
            if paths[i + 1..].iter().any(|b| {
                let other = b[b.len() - 1];
                (end.0 - other.0).abs() < 1.0 && (end.1 - other.1).abs() < 1.0
            }) {
                out.push(format!("flow {} shares its arrowhead with a later flow", i + 1));
            }
        }
        let badges = attrs(svg, "<circle", &["cx", "cy", "r"]);
        for (i, b) in badges.iter().enumerate() {
            let disc = Rect {
                x: b[0] - b[2],
                y: b[1] - b[2],
                w: 2.0 * b[2],
                h: 2.0 * b[2],
            };
            if nodes.iter().chain(&titles).any(|r| r.overlaps(&disc)) {
                out.push(format!("number {} over a box or a title", i + 1));
            }
            for other in &badges[i + 1..] {
                if (b[0] - other[0]).hypot(b[1] - other[1]) < b[2] + other[2] {
                    out.push(format!("number {} over another number", i + 1));
                }
            }
        }
        for (i, t) in titles.iter().enumerate() {
            if titles[i + 1..].iter().chain(&nodes).any(|r| r.overlaps(t)) {
                out.push(format!("title {i} over another title or a box"));
            }
        }
        out
    }

    #[test]
    fn every_bundled_and_fixture_model_is_drawn_without_a_geometric_fault() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut checked = 0;
        let mut failures = Vec::new();
        for (name, loaded) in every_model() {
            // What reports draw (the summary above 60 components), and the full drawing too
            // while it is routed.
            let mut drawings = vec![(report_svg(&loaded.model, &loaded.graph, &Catalog::builtin()).0, None)];
            if loaded.model.components.len() > SUMMARY_ABOVE && loaded.model.components.len() <= ROUTED_UP_TO {
                drawings.push((
                    data_flow_svg(&loaded.model, &loaded.graph, &Catalog::builtin()),
                    Some(&loaded.model),
                ));
            }
            for (svg, full) in drawings {
                let summary;
                let model = match full {
                    Some(model) => model,
                    None if loaded.model.components.len() > SUMMARY_ABOVE => {
                        summary = summary_model(&loaded.model, &Catalog::builtin());
                        &summary
                    }
                    None => &loaded.model,
                };
                checked += 1;
                for fault in faults(model, &svg) {
                    failures.push(format!("{}: {fault}", name.trim_start_matches(root)));
                }
            }
        }
        assert!(checked > 40, "only {checked} drawings checked");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn the_geometry_check_finds_a_line_through_a_box_and_numbers_on_each_other() {
        let path = format!("{}/models/connect-aws.yaml", env!("CARGO_MANIFEST_DIR"));
        let loaded =
            crate::load::load_model_str("m", &std::fs::read_to_string(path).unwrap(), &Catalog::builtin()).unwrap();
        let svg = data_flow_svg(&loaded.model, &loaded.graph, &Catalog::builtin());
        assert!(faults(&loaded.model, &svg).is_empty());
        // A flow drawn straight through the boxes, and every number at one spot.
        let nodes = component_rects(&svg);
        let across = format!(
            "M{:.1},{:.1} L{:.1},{:.1}",
            nodes[0].x - 20.0,
            nodes[0].y + 10.0,
            nodes[0].right() + 400.0,
            nodes[0].y + 10.0
        );
        let d = svg
            .split("<g class=\"flow\"><path d=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        let broken = svg.replacen(d, &across, 1);
        assert!(
            faults(&loaded.model, &broken)
                .iter()
                .any(|f| f.contains("runs through component box"))
        );
        let piled = attrs(&svg, "<circle", &["cx", "cy"]).iter().fold(svg.clone(), |s, v| {
            s.replace(&format!("cx=\"{:.1}\"", v[0]), "cx=\"0.0\"")
                .replace(&format!("cy=\"{:.1}\"", v[1]), "cy=\"0.0\"")
        });
        assert!(
            faults(&loaded.model, &piled)
                .iter()
                .any(|f| f.contains("over another number"))
        );
    }

    #[test]
    fn boundary_titles_name_catalog_organisations_by_their_catalog_name() {
        let path = format!("{}/models/forge-native.yaml", env!("CARGO_MANIFEST_DIR"));
        let loaded =
            crate::load::load_model_str("m", &std::fs::read_to_string(path).unwrap(), &Catalog::builtin()).unwrap();
        for text in [
            data_flow_svg(&loaded.model, &loaded.graph, &Catalog::builtin()),
            dot(&loaded.model, &Catalog::builtin()),
        ] {
            assert!(text.contains("Atlassian Cloud · Atlassian"), "{text}");
            assert!(!text.contains("· atlassian"), "an organisation id in a title");
        }
    }

    #[test]
    fn the_summary_of_a_large_model_keeps_boundary_crossings_red() {
        // 70 components: 35 in the vendor's cloud, 35 outside any boundary, one flow out.
        let mut yaml = String::from(
            "trustflow: 1\napp: { name: Big, platform: connect, vendor: v }\norganisations: [{ id: v, name: V }]\n\
boundaries: [{ id: cloud, name: Cloud, operator: v }]\ncomponents:\n",
        );
        for i in 0..35 {
            let _ = writeln!(
                yaml,
                "  - {{ id: in{i}, kind: service, operator: v, boundary: cloud, region: DE }}"
            );
            let _ = writeln!(yaml, "  - {{ id: out{i}, kind: external-service, region: US }}");
        }
        yaml.push_str("flows:\n  - { from: in0, to: out0 }\n  - { from: in0, to: in1 }\n");
        let loaded = crate::load::load_model_str("big.yaml", &yaml, &Catalog::builtin()).unwrap();
        let (svg, note) = report_svg(&loaded.model, &loaded.graph, &Catalog::builtin());
        assert!(note.is_some(), "drawn as its summary");
        assert!(svg.contains("Cloud · V"), "the boundary stays a box: {svg}");
        let flows: Vec<&str> = svg.split("<g class=\"flow\">").skip(1).collect();
        assert_eq!(flows.len(), 1, "{svg}");
        assert!(flows[0].contains("stroke=\"#bf2600\""), "the crossing stays red: {svg}");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            xml("<script>alert(1)</script> & \"x\""),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"
        );
    }

    #[test]
    fn segments_and_rectangles() {
        let r = Rect {
            x: 10.0,
            y: 10.0,
            w: 10.0,
            h: 10.0,
        };
        assert!(segment_hits((0.0, 15.0), (30.0, 15.0), r));
        assert!(
            !segment_hits((0.0, 10.0), (30.0, 10.0), r),
            "along the border is not through"
        );
        assert!(
            !segment_hits((0.0, 15.0), (10.0, 15.0), r),
            "ending on the border is not through"
        );
        assert!(r.overlaps(&Rect {
            x: 5.0,
            y: 5.0,
            w: 10.0,
            h: 10.0
        }));
        assert!(!r.overlaps(&Rect {
            x: 20.0,
            y: 10.0,
            w: 10.0,
            h: 10.0
        }));
    }
}
