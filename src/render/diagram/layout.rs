//! Where every box of the diagram goes: a layered layout read left to right.
//!
//! Components stand in **columns by rank** (how many flows they are from where data originates:
//! products, users and producers first), so flows run forward; trust boundaries are boxes around
//! their contents, nested as declared. Inside each boundary (and at the top level) the children
//! are packed onto shelves: a child joins the first shelf whose other children use none of its
//! columns, so boundaries that share no column sit side by side and the others stack. Between
//! columns and between shelves there is room for the router's lanes. Deterministic: the same
//! model always gives the same picture.

use crate::graph::FlowGraph;
use crate::model::Model;
use std::collections::VecDeque;

/// A component box's width and height.
pub(super) const NODE_W: f64 = 168.0;
pub(super) const NODE_H: f64 = 50.0;
/// Room between a boundary's border and what it holds.
const PAD: f64 = 16.0;
/// Height of one line of a boundary's title.
pub(super) const TITLE_LINE: f64 = 15.0;
/// Horizontal room between columns: the lanes of vertical flow segments.
const CHANNEL: f64 = 72.0;
/// Vertical room between shelves: the lanes of horizontal flow segments.
const SHELF_GAP: f64 = 44.0;
/// Margin around the whole drawing (the router's outermost lanes run in it).
pub(super) const MARGIN: f64 = 28.0;

/// An axis-aligned box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// The box grown by `by` on every side.
    pub fn grow(&self, by: f64) -> Rect {
        Rect {
            x: self.x - by,
            y: self.y - by,
            w: self.w + 2.0 * by,
            h: self.h + 2.0 * by,
        }
    }

    /// Whether the two boxes share interior area.
    #[cfg(test)]
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }
}

/// The placed boxes of a model's diagram.
pub(super) struct Layout {
    /// Each component's box (every component has one).
    pub nodes: Vec<Rect>,
    /// Each boundary's box, `None` for a boundary that holds nothing (it is not drawn).
    pub boundaries: Vec<Option<Rect>>,
    /// The lines of each boundary's title (one or two, wrapped to the box).
    pub titles: Vec<Vec<String>>,
    /// The drawing's size, margin included.
    pub width: f64,
    pub height: f64,
}

/// What a boundary's title says: its name, then its operator's name.
pub(super) type TitleText<'a> = &'a dyn Fn(usize) -> String;

/// Lays out `model`: columns by rank, boundaries as nested boxes packed onto shelves.
pub(super) fn layout(model: &Model, graph: &FlowGraph, title: TitleText<'_>) -> Layout {
    let rank = ranks(model, graph);
    let (children, members) = nesting(model, graph);
    let b_count = model.boundaries.len();
    let depth = depths(&children, &members, model.components.len());
    let columns = rank.iter().max().map_or(1, |r| r + 1);
    // Each column leaves room for the borders of the boundaries nested around its components.
    let mut side = vec![0.0_f64; columns];
    for (c, &r) in rank.iter().enumerate() {
        side[r] = side[r].max(PAD * depth[c] as f64);
    }
    let mut column_x = Vec::with_capacity(columns);
    let mut x = MARGIN;
    for pad in &side {
        x += pad;
        column_x.push(x);
        x += NODE_W + pad + CHANNEL;
    }
    let spans = spans(&children, &members, &rank);
    let mut placer = Placer {
        rank: &rank,
        children: &children,
        members: &members,
        spans: &spans,
        column_x: &column_x,
        title,
        nodes: vec![None; model.components.len()],
        boundaries: vec![None; b_count],
        titles: vec![Vec::new(); b_count],
    };
    placer.place_container(b_count, MARGIN, 0);
    let nodes: Vec<Rect> = placer
        .nodes
        .iter()
        .map(|r| {
            r.unwrap_or(Rect {
                x: MARGIN,
                y: MARGIN,
                w: NODE_W,
                h: NODE_H,
            })
        })
        .collect();
    let all = nodes.iter().chain(placer.boundaries.iter().flatten());
    let (width, height) = all.fold((0.0_f64, 0.0_f64), |(w, h), r| (w.max(r.right()), h.max(r.bottom())));
    Layout {
        nodes,
        boundaries: placer.boundaries,
        titles: placer.titles,
        width: width + MARGIN,
        height: height + MARGIN,
    }
}

/// The state of one layout pass.
struct Placer<'a> {
    rank: &'a [usize],
    children: &'a [Vec<usize>],
    members: &'a [Vec<usize>],
    spans: &'a [Option<(usize, usize)>],
    column_x: &'a [f64],
    title: TitleText<'a>,
    nodes: Vec<Option<Rect>>,
    boundaries: Vec<Option<Rect>>,
    titles: Vec<Vec<String>>,
}

/// A child of a boundary: an inner boundary or a component.
#[derive(Clone, Copy)]
enum Item {
    Boundary(usize),
    Component(usize),
}

impl Placer<'_> {
    /// Places the children of `container` (a boundary, or the top level as the last index) with
    /// their top at `y`; returns the height they take. `level` bounds the recursion.
    fn place_container(&mut self, container: usize, y: f64, level: usize) -> f64 {
        let mut items: Vec<((usize, usize), Item)> = Vec::new();
        for &b in &self.children[container] {
            if let Some(span) = self.spans[b] {
                items.push((span, Item::Boundary(b)));
            }
        }
        for &c in &self.members[container] {
            items.push(((self.rank[c], self.rank[c]), Item::Component(c)));
        }
        // Leftmost first, boundaries before loose components of the same column, then the
        // model's order: the same model always packs the same way.
        items.sort_by_key(|(span, item)| {
            let (kind, index) = match item {
                Item::Boundary(b) => (0, *b),
                Item::Component(c) => (1, *c),
            };
            (span.0, kind, span.1, index)
        });
        let mut shelves: Vec<Vec<((usize, usize), Item)>> = Vec::new();
        for (span, item) in items {
            let free = |shelf: &Vec<((usize, usize), Item)>| shelf.iter().all(|(s, _)| s.1 < span.0 || span.1 < s.0);
            match shelves.iter().position(free) {
                Some(s) => shelves[s].push((span, item)),
                None => shelves.push(vec![(span, item)]),
            }
        }
        let mut top = y;
        for shelf in shelves {
            let mut height: f64 = 0.0;
            for (_, item) in shelf {
                height = height.max(self.place_item(item, top, level));
            }
            top += height + SHELF_GAP;
        }
        (top - SHELF_GAP - y).max(0.0)
    }

    /// Places one child with its top at `y`; returns its height.
    fn place_item(&mut self, item: Item, y: f64, level: usize) -> f64 {
        match item {
            Item::Component(c) => {
                self.nodes[c] = Some(Rect {
                    x: self.column_x[self.rank[c]],
                    y,
                    w: NODE_W,
                    h: NODE_H,
                });
                NODE_H
            }
            Item::Boundary(b) => {
                // The title's height is known only once the width is: place the contents
                // below a one-line title, then move them down if the title needs two.
                let inner_top = y + TITLE_LINE + 9.0 + PAD;
                let inner_h = if level > self.children.len() {
                    0.0
                } else {
                    self.place_container(b, inner_top, level + 1)
                };
                let (left, right) = self.extent(b, level);
                let rect_x = left - PAD;
                let w = right - left + 2.0 * PAD;
                let lines = wrap_title(&(self.title)(b), w - 20.0);
                let extra = TITLE_LINE * (lines.len().max(1) - 1) as f64;
                if extra > 0.0 {
                    self.shift(b, extra, level);
                }
                let h = TITLE_LINE + 9.0 + PAD + inner_h + extra + PAD;
                self.boundaries[b] = Some(Rect { x: rect_x, y, w, h });
                self.titles[b] = lines;
                h
            }
        }
    }

    /// The leftmost and rightmost x of what boundary `b` holds, as placed.
    fn extent(&self, b: usize, level: usize) -> (f64, f64) {
        let mut left = f64::INFINITY;
        let mut right = f64::NEG_INFINITY;
        for &c in &self.members[b] {
            if let Some(r) = self.nodes[c] {
                left = left.min(r.x);
                right = right.max(r.right());
            }
        }
        if level <= self.children.len() {
            for &k in &self.children[b] {
                if let Some(r) = self.boundaries[k] {
                    left = left.min(r.x);
                    right = right.max(r.right());
                }
            }
        }
        if left.is_finite() {
            (left, right)
        } else {
            (self.column_x[0], self.column_x[0] + NODE_W)
        }
    }

    /// Moves everything inside boundary `b` down by `dy`.
    fn shift(&mut self, b: usize, dy: f64, level: usize) {
        for &c in &self.members[b] {
            if let Some(r) = self.nodes[c].as_mut() {
                r.y += dy;
            }
        }
        if level <= self.children.len() {
            for &k in &self.children[b] {
                if let Some(r) = self.boundaries[k].as_mut() {
                    r.y += dy;
                }
                self.shift(k, dy, level + 1);
            }
        }
    }
}

/// Approximate width of a title character (12 px bold).
pub(super) const TITLE_CHAR_W: f64 = 7.4;

/// A boundary's title in lines that fit `width`: one, or two split at a word (the second cut
/// with "…" only when two are not enough; the whole title is in the box's tooltip).
fn wrap_title(title: &str, width: f64) -> Vec<String> {
    let max = ((width / TITLE_CHAR_W) as usize).max(8);
    let (first, second) = super::wrap_two(title, max);
    std::iter::once(first).chain(second).collect()
}

/// Rank of each component: breadth-first distance from where data originates (products, users,
/// producers); components no origin reaches start a rank of their own.
pub(super) fn ranks(model: &Model, graph: &FlowGraph) -> Vec<usize> {
    let n = model.components.len();
    let mut rank = vec![usize::MAX; n];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for (c, component) in model.components.iter().enumerate() {
        if component.kind.is_origin() {
            rank[c] = 0;
            queue.push_back(c);
        }
    }
    let mut next_unranked = 0;
    loop {
        while let Some(c) = queue.pop_front() {
            for (_, next) in graph.outgoing(c) {
                if rank[next] == usize::MAX {
                    rank[next] = rank[c] + 1;
                    queue.push_back(next);
                }
            }
        }
        while next_unranked < n && rank[next_unranked] != usize::MAX {
            next_unranked += 1;
        }
        if next_unranked == n {
            break;
        }
        rank[next_unranked] = 0;
        queue.push_back(next_unranked);
    }
    rank
}

/// The boundary tree: for each boundary (and the top level, the last slot), its child
/// boundaries and the components directly inside it.
fn nesting(model: &Model, graph: &FlowGraph) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let b_count = model.boundaries.len();
    let mut children = vec![Vec::new(); b_count + 1];
    let mut members = vec![Vec::new(); b_count + 1];
    let b_index = model.boundary_index();
    for (b, boundary) in model.boundaries.iter().enumerate() {
        let parent = boundary.parent.as_deref().and_then(|p| b_index.get(p)).copied();
        // A cycle would hide boundaries: the chain's boundaries go to the top level instead.
        let chain = model.boundary_chain(Some(boundary.id.as_str()), &b_index);
        let cyclic = chain.last().is_some_and(|&l| {
            model.boundaries[l]
                .parent
                .as_deref()
                .and_then(|p| b_index.get(p))
                .is_some()
        });
        children[if cyclic { b_count } else { parent.unwrap_or(b_count) }].push(b);
    }
    for (c, encl) in graph.enclosing.iter().enumerate() {
        members[encl.first().copied().unwrap_or(b_count)].push(c);
    }
    (children, members)
}

/// How many drawn boundaries enclose each component.
fn depths(children: &[Vec<usize>], members: &[Vec<usize>], n: usize) -> Vec<usize> {
    let mut depth = vec![0; n];
    let top = children.len() - 1;
    let mut stack = vec![(top, 0_usize)];
    let mut seen = vec![false; children.len()];
    while let Some((b, d)) = stack.pop() {
        if std::mem::replace(&mut seen[b], true) {
            continue;
        }
        for &c in &members[b] {
            depth[c] = d;
        }
        for &k in &children[b] {
            stack.push((k, d + 1));
        }
    }
    depth
}

/// The columns each boundary's contents span (`None` when it holds no component).
fn spans(children: &[Vec<usize>], members: &[Vec<usize>], rank: &[usize]) -> Vec<Option<(usize, usize)>> {
    let mut span: Vec<Option<(usize, usize)>> = vec![None; children.len()];
    // Children before parents: a post-order walk from the top level.
    let top = children.len() - 1;
    let mut order = Vec::with_capacity(children.len());
    let mut stack = vec![(top, false)];
    let mut seen = vec![false; children.len()];
    while let Some((b, done)) = stack.pop() {
        if done {
            order.push(b);
            continue;
        }
        if std::mem::replace(&mut seen[b], true) {
            continue;
        }
        stack.push((b, true));
        for &k in &children[b] {
            stack.push((k, false));
        }
    }
    let join = |a: Option<(usize, usize)>, b: (usize, usize)| Some(a.map_or(b, |a| (a.0.min(b.0), a.1.max(b.1))));
    for b in order {
        let mut s = None;
        for &c in &members[b] {
            s = join(s, (rank[c], rank[c]));
        }
        for &k in &children[b] {
            if let Some(k) = span[k] {
                s = join(s, k);
            }
        }
        span[b] = s;
    }
    span
}
