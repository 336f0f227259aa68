//! Flows drawn as orthogonal lines routed around every component box and boundary title.
//!
//! The router searches a sparse grid (the lines through every obstacle's edges, each box's
//! ports, and lanes between them) with A*: a move costs its length, a bend costs extra, and a
//! stretch already used by another flow costs more, so flows take separate lanes. A flow leaves
//! its source through a port on one side of the box and arrives perpendicular to a side of its
//! target, so every arrow ends on the component it points at. Obstacles are the boxes grown by
//! a clearance, so a route passes no box closer than that. No line can cross a box: the grid
//! has no move through an obstacle's interior.

use super::layout::Rect;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How far a route keeps from a component box.
pub(super) const CLEARANCE: f64 = 7.0;
/// Cost of a bend, in pixels of length.
const BEND: u64 = 40;
/// Extra cost per pixel of a stretch another flow already uses, per flow using it.
const SHARED: u64 = 3;
/// Extra cost per pixel of running along a boundary's border.
const ALONG_BORDER: u64 = 4;
/// Extra cost of a port another flow already leaves or enters by.
const PORT_USED: u64 = 60;
/// Radius of a flow's number badge.
pub(super) const BADGE_R: f64 = 9.0;

// Directions of a move, by index: 0 east, 1 west, 2 south, 3 north (`dir ^ 1` is the opposite).

/// The routing grid: the lines a route may follow and what blocks them.
struct Grid {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// Grid points strictly inside an obstacle.
    blocked: Vec<bool>,
    /// The stretch from a point to its east (`h`) or south (`v`) neighbour runs through an
    /// obstacle.
    h_blocked: Vec<bool>,
    v_blocked: Vec<bool>,
    /// How many routes already use each stretch.
    h_used: Vec<u32>,
    v_used: Vec<u32>,
    /// The stretch runs along a boundary's border, where a line would read as part of the
    /// dashed box: allowed, but costly.
    h_border: Vec<bool>,
    v_border: Vec<bool>,
}

impl Grid {
    fn new(nodes: &[Rect], obstacles: &[Rect], borders: &[Rect], size: (f64, f64)) -> Grid {
        let mut xs = vec![MARGIN_LANE, size.0 - MARGIN_LANE];
        let mut ys = vec![MARGIN_LANE, size.1 - MARGIN_LANE];
        for r in obstacles {
            xs.extend([r.x, r.right()]);
            ys.extend([r.y, r.bottom()]);
        }
        for r in nodes {
            xs.extend(ports(r.x, r.w, X_PORTS));
            ys.extend(ports(r.y, r.h, Y_PORTS));
        }
        let border_x: Vec<f64> = borders.iter().flat_map(|b| [b.x, b.right()]).collect();
        let border_y: Vec<f64> = borders.iter().flat_map(|b| [b.y, b.bottom()]).collect();
        let xs = with_lanes(xs, &border_x);
        let ys = with_lanes(ys, &border_y);
        let (nx, ny) = (xs.len(), ys.len());
        let mut grid = Grid {
            blocked: vec![false; nx * ny],
            h_blocked: vec![false; nx * ny],
            v_blocked: vec![false; nx * ny],
            h_used: vec![0; nx * ny],
            v_used: vec![0; nx * ny],
            h_border: vec![false; nx * ny],
            v_border: vec![false; nx * ny],
            xs,
            ys,
        };
        grid.mark_borders(borders);
        for r in obstacles {
            let (a, b) = (grid.ix(r.x), grid.ix(r.right()));
            let (c, d) = (grid.iy(r.y), grid.iy(r.bottom()));
            for yi in c..=d {
                for xi in a..=b {
                    let id = yi * nx + xi;
                    let inside_x = xi > a && xi < b;
                    let inside_y = yi > c && yi < d;
                    if inside_x && inside_y {
                        grid.blocked[id] = true;
                    }
                    if inside_y && xi < b {
                        grid.h_blocked[id] = true;
                    }
                    if inside_x && yi < d {
                        grid.v_blocked[id] = true;
                    }
                }
            }
        }
        grid
    }

    /// Marks the stretches within a few pixels of a boundary's border, along it.
    fn mark_borders(&mut self, borders: &[Rect]) {
        const NEAR: f64 = 5.0;
        let nx = self.nx();
        let near = |values: &[f64], v: f64| -> std::ops::Range<usize> {
            values.partition_point(|x| *x < v - NEAR)..values.partition_point(|x| *x <= v + NEAR)
        };
        for b in borders {
            let (x0, x1) = (
                self.xs.partition_point(|x| *x < b.x),
                self.xs.partition_point(|x| *x <= b.right()),
            );
            let (y0, y1) = (
                self.ys.partition_point(|y| *y < b.y),
                self.ys.partition_point(|y| *y <= b.bottom()),
            );
            for edge_y in [b.y, b.bottom()] {
                for yi in near(&self.ys, edge_y) {
                    for xi in x0..x1.saturating_sub(1) {
                        self.h_border[yi * nx + xi] = true;
                    }
                }
            }
            for edge_x in [b.x, b.right()] {
                for xi in near(&self.xs, edge_x) {
                    for yi in y0..y1.saturating_sub(1) {
                        self.v_border[yi * nx + xi] = true;
                    }
                }
            }
        }
    }

    fn nx(&self) -> usize {
        self.xs.len()
    }

    /// The index of the grid line nearest `x` (every obstacle edge is one).
    fn ix(&self, x: f64) -> usize {
        nearest(&self.xs, x)
    }

    fn iy(&self, y: f64) -> usize {
        nearest(&self.ys, y)
    }

    fn point(&self, id: usize) -> (f64, f64) {
        (self.xs[id % self.nx()], self.ys[id / self.nx()])
    }

    /// The neighbour of `id` in direction `dir`, with the stretch's length and use count, if
    /// the move is open.
    fn step(&self, id: usize, dir: usize) -> Option<(usize, f64, u32, bool)> {
        let nx = self.nx();
        let (xi, yi) = (id % nx, id / nx);
        let (next, edge, horizontal) = match dir {
            0 if xi + 1 < nx => (id + 1, id, true),
            1 if xi > 0 => (id - 1, id - 1, true),
            2 if yi + 1 < self.ys.len() => (id + nx, id, false),
            3 if yi > 0 => (id - nx, id - nx, false),
            _ => return None,
        };
        let (blocked, used, border) = if horizontal {
            (self.h_blocked[edge], self.h_used[edge], self.h_border[edge])
        } else {
            (self.v_blocked[edge], self.v_used[edge], self.v_border[edge])
        };
        if blocked || self.blocked[next] {
            return None;
        }
        let (a, b) = (self.point(id), self.point(next));
        Some((next, (a.0 - b.0).abs() + (a.1 - b.1).abs(), used, border))
    }

    /// Counts the stretches of a found path as used.
    fn mark(&mut self, path: &[usize]) {
        let nx = self.nx();
        for pair in path.windows(2) {
            let (a, b) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
            if b - a == 1 {
                self.h_used[a] += 1;
            } else if b - a == nx {
                self.v_used[a] += 1;
            }
        }
    }
}

/// The outermost lanes' distance from the drawing's edge.
const MARGIN_LANE: f64 = 10.0;
/// Ports on the top and bottom side of a box, and on its left and right side.
const X_PORTS: usize = 5;
const Y_PORTS: usize = 3;

/// `n` evenly spaced ports along a side from `start` of length `len`.
fn ports(start: f64, len: f64, n: usize) -> impl Iterator<Item = f64> {
    (1..=n).map(move |k| start + len * k as f64 / (n + 1) as f64)
}

/// The sorted, deduplicated coordinates with lanes added in the gaps between them (a middle
/// lane, and quarter lanes in wide gaps), except where a lane would run along a boundary's
/// border.
fn with_lanes(mut coords: Vec<f64>, borders: &[f64]) -> Vec<f64> {
    coords.retain(|c| c.is_finite());
    coords.sort_by(f64::total_cmp);
    coords.dedup_by(|a, b| (*a - *b).abs() < 0.5);
    let mut lanes = Vec::new();
    for pair in coords.windows(2) {
        let (a, g) = (pair[0], pair[1] - pair[0]);
        if g > 14.0 {
            lanes.push(a + g / 2.0);
        }
        if g > 44.0 {
            lanes.extend([a + g / 4.0, a + 3.0 * g / 4.0]);
        }
    }
    lanes.retain(|l| borders.iter().all(|b| (l - b).abs() > 8.0));
    coords.extend(lanes);
    coords.sort_by(f64::total_cmp);
    coords.dedup_by(|a, b| (*a - *b).abs() < 0.5);
    coords
}

/// Index of the value nearest `v` in sorted `values`.
fn nearest(values: &[f64], v: f64) -> usize {
    let i = values.partition_point(|x| *x < v);
    if i == 0 {
        0
    } else if i == values.len() || (v - values[i - 1]) <= (values[i] - v) {
        i - 1
    } else {
        i
    }
}

/// A port of a box: the grid point just outside one side, the direction that leaves the box
/// there, and the point on the box's border where the line starts or the arrow ends.
struct Port {
    node: usize,
    out_dir: usize,
    border: (f64, f64),
    /// Preference among a side's ports: the middle first.
    rank: u64,
}

/// Every port of box `r` on `grid` (none that an obstacle covers).
fn box_ports(grid: &Grid, r: &Rect) -> Vec<Port> {
    let g = r.grow(CLEARANCE);
    let nx = grid.nx();
    let mut out = Vec::new();
    let middle = |k: usize, n: usize| (k as i64 - n.div_ceil(2) as i64).unsigned_abs() * 6;
    for (k, px) in ports(r.x, r.w, X_PORTS).enumerate() {
        let xi = grid.ix(px);
        out.push((xi, grid.iy(g.y), 3, (grid.xs[xi], r.y), middle(k + 1, X_PORTS)));
        out.push((
            xi,
            grid.iy(g.bottom()),
            2,
            (grid.xs[xi], r.bottom()),
            middle(k + 1, X_PORTS),
        ));
    }
    for (k, py) in ports(r.y, r.h, Y_PORTS).enumerate() {
        let yi = grid.iy(py);
        out.push((grid.ix(g.x), yi, 1, (r.x, grid.ys[yi]), middle(k + 1, Y_PORTS)));
        out.push((
            grid.ix(g.right()),
            yi,
            0,
            (r.right(), grid.ys[yi]),
            middle(k + 1, Y_PORTS),
        ));
    }
    out.into_iter()
        .map(|(xi, yi, out_dir, border, rank)| Port {
            node: yi * nx + xi,
            out_dir,
            border,
            rank,
        })
        .filter(|p| !grid.blocked[p.node])
        .collect()
}

/// The direction opposite `dir`.
fn opposite(dir: usize) -> usize {
    dir ^ 1
}

/// Routes every flow `(from, to)` between the boxes `nodes` around `obstacles` (the boxes
/// grown by [`CLEARANCE`], and the boundary titles); `borders` are the boundaries' boxes, which
/// lanes do not run along. Returns each flow's polyline, from its source's border to its
/// target's; a flow of a component to itself gets an empty one.
pub(super) fn route_all(
    nodes: &[Rect],
    obstacles: &[Rect],
    borders: &[Rect],
    flows: &[(usize, usize)],
    size: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let mut grid = Grid::new(nodes, obstacles, borders, size);
    let ports: Vec<Vec<Port>> = nodes.iter().map(|r| box_ports(&grid, r)).collect();
    let mut port_used = vec![0_u64; grid.blocked.len()];
    let mut search = Search::new(grid.blocked.len());
    flows
        .iter()
        .map(|&(a, b)| {
            if a == b {
                return Vec::new();
            }
            // Most flows join nearby boxes: search the neighbourhood of the two first, and the
            // whole grid only when no route is found there, so a tall drawing stays fast.
            let near = Window::around(&nodes[a], &nodes[b], WINDOW);
            let found = search
                .run(&grid, (&ports[a], &ports[b]), &nodes[b], &port_used, Some(near))
                .or_else(|| search.run(&grid, (&ports[a], &ports[b]), &nodes[b], &port_used, None));
            match found {
                Some((path, first, last)) => {
                    grid.mark(&path);
                    port_used[path[0]] += 1;
                    port_used[path[path.len() - 1]] += 1;
                    let mut points = vec![ports[a][first].border];
                    points.extend(path.iter().map(|&id| grid.point(id)));
                    points.push(ports[b][last].border);
                    simplify(points)
                }
                None => straight(&nodes[a], &nodes[b]),
            }
        })
        .collect()
}

/// A straight line between the borders of two boxes, along the line joining their centres:
/// what a flow gets when no route exists (never on a drawing the router laid out itself) or
/// when a model is too large to route.
pub(super) fn straight(a: &Rect, b: &Rect) -> Vec<(f64, f64)> {
    let (ca, cb) = ((a.x + a.w / 2.0, a.y + a.h / 2.0), (b.x + b.w / 2.0, b.y + b.h / 2.0));
    let exit = |r: &Rect, from: (f64, f64), to: (f64, f64)| {
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let tx = if dx.abs() > 1e-9 {
            (r.w / 2.0) / dx.abs()
        } else {
            f64::INFINITY
        };
        let ty = if dy.abs() > 1e-9 {
            (r.h / 2.0) / dy.abs()
        } else {
            f64::INFINITY
        };
        let t = tx.min(ty).min(1.0);
        (from.0 + dx * t, from.1 + dy * t)
    };
    vec![exit(a, ca, cb), exit(b, cb, ca)]
}

/// Drops the points in the middle of straight stretches.
fn simplify(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for p in points {
        if out
            .last()
            .is_some_and(|q| (q.0 - p.0).abs() < 0.01 && (q.1 - p.1).abs() < 0.01)
        {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let collinear = ((a.0 - b.0).abs() < 0.01 && (b.0 - p.0).abs() < 0.01)
                || ((a.1 - b.1).abs() < 0.01 && (b.1 - p.1).abs() < 0.01);
            if collinear {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// How far around the two boxes the first search for a route looks.
const WINDOW: f64 = 260.0;

/// The part of the grid a search may use.
#[derive(Clone, Copy)]
struct Window(Rect);

impl Window {
    /// The smallest box holding `a` and `b`, grown by `by`.
    fn around(a: &Rect, b: &Rect, by: f64) -> Window {
        let (x, y) = (a.x.min(b.x), a.y.min(b.y));
        let w = a.right().max(b.right()) - x;
        let h = a.bottom().max(b.bottom()) - y;
        Window(Rect { x, y, w, h }.grow(by))
    }

    fn contains(&self, p: (f64, f64)) -> bool {
        let r = &self.0;
        p.0 >= r.x && p.0 <= r.right() && p.1 >= r.y && p.1 <= r.bottom()
    }
}

/// The A* search's buffers, reused from flow to flow.
struct Search {
    /// Best cost found per state (grid point × direction of the move that reached it).
    cost: Vec<u64>,
    parent: Vec<u32>,
    /// Which search last wrote each state, so the buffers need no clearing between flows.
    epoch: Vec<u32>,
    current: u32,
    /// Per grid point: the index + 1 of the target port there (0: none).
    target: Vec<u32>,
}

/// Costs are kept in tenths of a pixel, as integers, so the search is exact and deterministic.
fn tenths(px: f64) -> u64 {
    (px * 10.0).round() as u64
}

impl Search {
    fn new(points: usize) -> Search {
        Search {
            cost: vec![u64::MAX; points * 4],
            parent: vec![u32::MAX; points * 4],
            epoch: vec![0; points * 4],
            current: 0,
            target: vec![0; points],
        }
    }

    /// The cheapest route from one of `from` to one of `to`: the grid points and the indexes
    /// of the ports used at each end.
    fn run(
        &mut self,
        grid: &Grid,
        (from, to): (&[Port], &[Port]),
        target_box: &Rect,
        port_used: &[u64],
        window: Option<Window>,
    ) -> Option<(Vec<usize>, usize, usize)> {
        self.current += 1;
        let goal = target_box.grow(CLEARANCE);
        let estimate = |id: usize| {
            let (x, y) = grid.point(id);
            let dx = (goal.x - x).max(0.0).max(x - goal.right());
            let dy = (goal.y - y).max(0.0).max(y - goal.bottom());
            tenths(dx + dy)
        };
        for (k, port) in to.iter().enumerate() {
            self.target[port.node] = k as u32 + 1;
        }
        let mut heap = BinaryHeap::new();
        for port in from {
            let state = port.node * 4 + port.out_dir;
            let cost = tenths(CLEARANCE) + port.rank + port_used[port.node] * PORT_USED * 10;
            if self.better(state, cost) {
                self.parent[state] = u32::MAX;
                heap.push(Reverse((cost + estimate(port.node), cost, state)));
            }
        }
        let mut found = None;
        while let Some(Reverse((_, cost, state))) = heap.pop() {
            if self.cost[state] < cost {
                continue;
            }
            let (id, dir) = (state / 4, state % 4);
            let k = self.target[id];
            if k > 0 && opposite(dir) == to[k as usize - 1].out_dir {
                found = Some((state, k as usize - 1));
                break;
            }
            for next_dir in 0..4 {
                if next_dir == opposite(dir) {
                    continue;
                }
                let Some((next, len, used, border)) = grid.step(id, next_dir) else {
                    continue;
                };
                if window.is_some_and(|w| !w.contains(grid.point(next))) {
                    continue;
                }
                let len = tenths(len);
                let mut step = len + len * SHARED * u64::from(used);
                if border {
                    step += len * ALONG_BORDER;
                }
                // Arriving by a port another flow already ends at would share its arrowhead.
                let k = self.target[next];
                if k > 0 && opposite(next_dir) == to[k as usize - 1].out_dir {
                    step += port_used[next] * PORT_USED * 10;
                }
                if next_dir != dir {
                    step += BEND * 10;
                }
                let next_state = next * 4 + next_dir;
                if self.better(next_state, cost + step) {
                    self.parent[next_state] = state as u32;
                    heap.push(Reverse((cost + step + estimate(next), cost + step, next_state)));
                }
            }
        }
        for port in to {
            self.target[port.node] = 0;
        }
        let (end, last) = found?;
        let mut path = vec![end / 4];
        let mut state = end;
        while self.parent[state] != u32::MAX {
            state = self.parent[state] as usize;
            path.push(state / 4);
        }
        path.reverse();
        let first_node = path[0];
        let first = from
            .iter()
            .position(|p| p.node == first_node && p.out_dir == state % 4)?;
        Some((path, first, last))
    }

    /// Records `cost` for `state` if it is the best so far in this search.
    fn better(&mut self, state: usize, cost: u64) -> bool {
        if self.epoch[state] != self.current || cost < self.cost[state] {
            self.epoch[state] = self.current;
            self.cost[state] = cost;
            true
        } else {
            false
        }
    }
}

/// Where each flow's number goes: on its own line, clear of every component box and title,
/// of every other number, and (when it can be) of every other flow's line, so a number never
/// hides a crossing. `avoid` are the boxes and titles.
pub(super) fn place_badges(routes: &[Vec<(f64, f64)>], avoid: &[Rect]) -> Vec<Option<(f64, f64)>> {
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let mut out = Vec::with_capacity(routes.len());
    let clear_of_boxes = |p: (f64, f64)| avoid.iter().all(|r| !inside(r.grow(BADGE_R + 2.0), p));
    for (i, route) in routes.iter().enumerate() {
        if route.len() < 2 {
            out.push(None);
            continue;
        }
        let apart = |p: (f64, f64), placed: &[(f64, f64)]| {
            placed
                .iter()
                .all(|q| (p.0 - q.0).hypot(p.1 - q.1) >= 2.0 * BADGE_R + 4.0)
        };
        let off_other_lines = |p: (f64, f64)| {
            routes.iter().enumerate().filter(|(j, _)| *j != i).all(|(_, other)| {
                other
                    .windows(2)
                    .all(|w| distance_to_segment(p, w[0], w[1]) > BADGE_R + 1.0)
            })
        };
        let candidates = candidates(route);
        let spot = candidates
            .iter()
            .copied()
            .find(|p| clear_of_boxes(*p) && apart(*p, &placed) && off_other_lines(*p))
            .or_else(|| {
                candidates
                    .iter()
                    .copied()
                    .find(|p| clear_of_boxes(*p) && apart(*p, &placed))
            })
            // A crowded line: the spot clear of boxes farthest from every number placed so
            // far, so a collision, if one is left, is the least one (the flow table still
            // lists every number).
            .or_else(|| {
                let room = |p: &(f64, f64)| {
                    placed
                        .iter()
                        .map(|q| (p.0 - q.0).hypot(p.1 - q.1))
                        .fold(f64::INFINITY, f64::min)
                };
                let clear: Vec<(f64, f64)> = candidates.iter().copied().filter(|p| clear_of_boxes(*p)).collect();
                let pool = if clear.is_empty() { &candidates } else { &clear };
                pool.iter().copied().max_by(|a, b| room(a).total_cmp(&room(b)))
            });
        if let Some(p) = spot {
            placed.push(p);
        }
        out.push(spot);
    }
    out
}

/// Whether `p` is strictly inside `r`.
fn inside(r: Rect, p: (f64, f64)) -> bool {
    p.0 > r.x && p.0 < r.right() && p.1 > r.y && p.1 < r.bottom()
}

/// Places along a route to put its number, best first: the middles of its longest stretches,
/// then points every few pixels along the whole route.
fn candidates(route: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut stretches: Vec<(usize, f64)> = route
        .windows(2)
        .enumerate()
        .map(|(k, w)| (k, (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1)))
        .collect();
    stretches.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let at = |k: usize, t: f64| {
        let (a, b) = (route[k], route[k + 1]);
        (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
    };
    let mut out = Vec::new();
    for &(k, len) in &stretches {
        if len >= 2.0 * BADGE_R + 6.0 {
            for t in [0.5, 0.35, 0.65, 0.2, 0.8] {
                out.push(at(k, t));
            }
        }
    }
    for &(k, len) in &stretches {
        let steps = (len / 4.0).floor() as usize;
        for s in 1..steps {
            out.push(at(k, s as f64 / steps as f64));
        }
    }
    out
}

/// Distance from `p` to the segment `a`–`b`.
pub(super) fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p.0 - (a.0 + t * dx)).hypot(p.1 - (a.1 + t * dy))
}
