//! Pretty JSON of large analyses written on all threads, byte for byte what
//! `serde_json::to_writer_pretty` writes.
//!
//! A 10,000-unit model's analysis is 350 MB of JSON, most of it in a few long lists (findings,
//! transfers, the sub-processor inventory). [`write_pretty`] serialises with a formatter that
//! tracks how deep it is; a list marked with `#[serde(serialize_with = "crate::json::list")]`
//! then has its elements rendered on all threads, a window at a time (so memory stays bounded),
//! indented to that depth and written in order as raw JSON while the next window renders. Any
//! other serializer (compact JSON, `serde_json::Value` for templates) sees an ordinary list.

use serde::ser::{Error as _, SerializeSeq as _};
use serde::{Serialize, Serializer};
use serde_json::ser::Formatter;
use std::cell::Cell;
use std::io::{self, Write};

/// The most elements rendered per window.
const WINDOW: usize = 256;

/// The first window's count, before the size of an element is known.
const FIRST_WINDOW: usize = 64;

/// The size of an element guessed for the first window, before any was rendered.
const FIRST_GUESS: usize = 512;

/// About how many bytes a run of elements renders to: the runs of a window are what the
/// threads share. Against one text per element, runs made a 10,000-unit run 6 % faster; kept
/// small, as texts under 16 KiB come from the allocator's small sizes, which reuse what the
/// analysis freed (runs of 32 KiB, in fresh pages, raised the peak of a 1,000-unit run by
/// 1.5 MiB; runs of 3 KiB by 0.7 MiB).
const RUN_BYTES: usize = 3 << 10;

/// The fewest elements per window: enough to share between the threads.
const MIN_WINDOW: usize = 16;

/// About how many bytes a window renders to: each next window's count is chosen from the size
/// of the one before, so a list of large elements (inventory rows, a dozen kilobytes each at
/// 1,000 units) does not hold megabytes of rendered text at a time.
const WINDOW_BYTES: usize = 256 << 10;

/// Lists longer than this are rendered on the pool; a shorter one costs less written in place.
const PARALLEL_FROM: usize = 64;

/// The indentation of one level, as `to_writer_pretty` writes it.
const INDENT: &[u8] = b"  ";

thread_local! {
    /// While [`write_pretty`] runs on this thread: the depth of the value being written
    /// (0 = the document). `None` otherwise, and on every other thread.
    static DEPTH: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Writes `value` as pretty JSON to `out`, the lists marked with [`list`] rendered on all
/// threads. The bytes are those of `serde_json::to_writer_pretty`.
pub fn write_pretty<W: Write, T: Serialize + ?Sized>(out: W, value: &T) -> serde_json::Result<()> {
    let _reset = Reset(DEPTH.with(|d| d.replace(Some(0))));
    let mut serializer = serde_json::Serializer::with_formatter(out, Pretty::at(0, true));
    value.serialize(&mut serializer)
}

/// `serialize_with` for a long list: rendered on all threads under [`write_pretty`], an ordinary
/// list under any other serializer.
///
/// # Errors
/// What the serializer or an element's serialisation reports.
pub fn list<S, T, L>(items: &L, serializer: S) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    T: Serialize + Sync,
    L: Items<T> + ?Sized,
{
    let items = items.items();
    let Some(depth) = DEPTH.with(Cell::get).filter(|_| items.len() > PARALLEL_FROM) else {
        return serializer.collect_seq(items);
    };
    // Called for the list's value: its elements will stand one level deeper than `depth`. A
    // window renders as runs of elements, each one text with the separators between its
    // elements, which the list writes as one element: the same bytes, with a run's worth of
    // elements per allocation instead of one.
    let render = |window: &[T], per_element: usize| -> Result<Window, serde_json::Error> {
        use rayon::prelude::*;
        let runs = window
            .par_chunks((RUN_BYTES / per_element.max(1)).max(1))
            .map(|run| rendered(run, depth + 1, per_element))
            .collect::<Result<_, _>>()?;
        Ok(Window {
            runs,
            elements: window.len(),
        })
    };
    let mut seq = serializer.serialize_seq(Some(items.len()))?;
    let (first, mut rest) = items.split_at(FIRST_WINDOW.min(items.len()));
    let mut current = Some(render(first, FIRST_GUESS).map_err(S::Error::custom)?);
    while let Some(done) = current.take() {
        let bytes: usize = done.runs.iter().map(|raw| raw.0.len()).sum();
        let per_element = bytes / done.elements.max(1);
        let count = (WINDOW_BYTES / per_element.max(1)).clamp(MIN_WINDOW, WINDOW);
        let window;
        (window, rest) = rest.split_at(count.min(rest.len()));
        // The next window renders on the pool while this thread writes the one before it.
        let mut next = None;
        let mut written = Ok(());
        rayon::in_place_scope(|scope| {
            if !window.is_empty() {
                scope.spawn(|_| next = Some(render(window, per_element)));
            }
            written = done.runs.iter().try_for_each(|raw| seq.serialize_element(raw));
        });
        written?;
        current = next.transpose().map_err(S::Error::custom)?;
    }
    seq.end()
}

/// A list [`list`] can write: a `Vec`, or one shared behind an `Arc`.
pub trait Items<T> {
    /// The elements.
    fn items(&self) -> &[T];
}

impl<T> Items<T> for Vec<T> {
    fn items(&self) -> &[T] {
        self
    }
}

impl<T> Items<T> for std::sync::Arc<Vec<T>> {
    fn items(&self) -> &[T] {
        self
    }
}

/// A rendered window: its runs of elements, and how many elements it holds.
struct Window {
    runs: Vec<Raw>,
    elements: usize,
}

/// The elements of `run` as pretty JSON standing `depth` levels deep, with the separators
/// `to_writer_pretty` writes between them in a list: the text the list writes for them after
/// the separator before the first. `per_element` is the expected size of one, so the text is
/// allocated once at about its size rather than grown by doubling.
fn rendered<T: Serialize>(run: &[T], depth: usize, per_element: usize) -> Result<Raw, serde_json::Error> {
    // Rendered on its own, whichever thread runs it: lists inside it are ordinary lists.
    let _plain = Reset(DEPTH.with(|d| d.replace(None)));
    let mut out = Vec::with_capacity(run.len() * (per_element + per_element / 8));
    for (i, item) in run.iter().enumerate() {
        if i > 0 {
            // The separator the list's formatter writes before every element but the first.
            Pretty::at(depth, false)
                .entry(&mut out, false)
                .map_err(serde_json::Error::io)?;
        }
        item.serialize(&mut serde_json::Serializer::with_formatter(
            &mut out,
            Pretty::at(depth, false),
        ))?;
    }
    String::from_utf8(out).map(Raw).map_err(serde_json::Error::custom)
}

/// JSON text serde_json's serializer writes as it is, as it writes a `RawValue` (whose
/// constructor would parse the text again: this text was just written by serde_json).
struct Raw(String);

impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        // The name serde_json recognises for raw JSON (its `RawValue` serialises the same way);
        // the test below fails if a serde_json release changes it.
        const TOKEN: &str = "$serde_json::private::RawValue";
        let mut raw = serializer.serialize_struct(TOKEN, 1)?;
        raw.serialize_field(TOKEN, &self.0)?;
        raw.end()
    }
}

/// Gives [`DEPTH`] back its earlier value when dropped (also on an error or a panic).
struct Reset(Option<usize>);

impl Drop for Reset {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(self.0));
    }
}

/// serde_json's `PrettyFormatter` (two spaces per level), starting at a given depth, and
/// when `track` is set keeping [`DEPTH`] at its depth for [`list`].
struct Pretty {
    depth: usize,
    has_value: bool,
    track: bool,
}

impl Pretty {
    fn at(depth: usize, track: bool) -> Pretty {
        Pretty {
            depth,
            has_value: false,
            track,
        }
    }

    fn set_depth(&mut self, depth: usize) {
        self.depth = depth;
        if self.track {
            DEPTH.with(|d| d.set(Some(depth)));
        }
    }

    /// Opens an array or object (`bracket` is `[` or `{`).
    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.set_depth(self.depth + 1);
        self.has_value = false;
        writer.write_all(bracket)
    }

    /// Closes an array or object (`bracket` is `]` or `}`), on a line of its own when it
    /// held anything.
    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.set_depth(self.depth.saturating_sub(1));
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    /// Starts an element or a key on a new line.
    fn entry<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }

    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            writer.write_all(INDENT)?;
        }
        Ok(())
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.entry(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.entry(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        id: String,
        tags: Vec<String>,
        empty: Vec<u8>,
        nested: Option<Box<Row>>,
    }

    #[derive(Serialize)]
    struct Doc {
        name: &'static str,
        #[serde(serialize_with = "list")]
        rows: Vec<Row>,
        #[serde(serialize_with = "list")]
        few: Vec<u32>,
        inner: Vec<Inner>,
    }

    #[derive(Serialize)]
    struct Inner {
        #[serde(serialize_with = "list")]
        rows: Vec<Row>,
    }

    fn rows(n: usize) -> Vec<Row> {
        (0..n)
            .map(|i| Row {
                id: format!("r{i} \"quoted\"\nline"),
                tags: (0..i % 3).map(|t| format!("t{t}")).collect(),
                empty: Vec::new(),
                nested: (i % 2 == 0).then(|| {
                    Box::new(Row {
                        id: "n".to_owned(),
                        tags: vec![],
                        empty: vec![],
                        nested: None,
                    })
                }),
            })
            .collect()
    }

    /// `write_pretty` writes exactly what `serde_json::to_string_pretty` does.
    fn assert_pretty_bytes(doc: &Doc, what: &str) {
        let mut parallel = Vec::new();
        write_pretty(&mut parallel, doc).unwrap();
        assert_eq!(
            String::from_utf8(parallel).unwrap(),
            serde_json::to_string_pretty(doc).unwrap(),
            "{what}"
        );
    }

    #[test]
    fn the_bytes_are_those_of_to_writer_pretty() {
        for n in [0, 1, PARALLEL_FROM + 1, WINDOW * 2 + 7] {
            let doc = Doc {
                name: "d",
                rows: rows(n),
                few: (0..3).collect(),
                inner: vec![Inner { rows: rows(n / 2) }, Inner { rows: Vec::new() }],
            };
            assert_pretty_bytes(&doc, &format!("{n} rows"));
            // Compact JSON and values are untouched, and the mode ends with the call.
            assert_eq!(DEPTH.with(Cell::get), None);
            let value = serde_json::to_value(&doc).unwrap();
            assert_eq!(serde_json::to_string(&doc).unwrap(), value.to_string());
        }
    }

    #[test]
    fn windows_of_large_elements_keep_every_element_in_order() {
        // Rows of about 20 KB: after the first window, windows shrink to the fewest elements
        // (WINDOW_BYTES / 20 KB is under MIN_WINDOW), and the count changes from window to
        // window as sizes vary; every row must still be written once, in order.
        for n in [FIRST_WINDOW + 1, FIRST_WINDOW + MIN_WINDOW * 5 + 3] {
            let mut doc = Doc {
                name: "large",
                rows: rows(n),
                few: Vec::new(),
                inner: Vec::new(),
            };
            for (i, row) in doc.rows.iter_mut().enumerate() {
                row.id = format!("{i}:{}", "x".repeat(10_000 + (i % 7) * 2_000));
            }
            assert_pretty_bytes(&doc, &format!("{n} large rows"));
        }
    }
}
