//! `trustflow export`.

use super::ExitStatus;
use crate::catalog::Catalog;
use crate::pipeline::{self, Failure};
use crate::render::exports;
use std::path::PathBuf;

/// What `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// The Atlassian Marketplace privacy and security answers the model supports.
    Marketplace,
    /// The public sub-processor page (name, legal entity, purpose, location, safeguard, date added).
    Subprocessors,
    /// The DPA annex: per recipient, data subjects, personal and special data, purpose,
    /// frequency, duration, retention, location, transfer basis with its evidence status,
    /// certifications.
    Annex,
}

/// Formats of `export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// JSON.
    Json,
    /// Markdown (marketplace, subprocessors, annex).
    Md,
    /// CSV (subprocessors, annex).
    Csv,
    /// A web page (subprocessors, annex).
    Html,
    /// An Atom feed of sub-processors added, by their `since:` date (subprocessors).
    Atom,
}

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  trustflow export marketplace models/connect-aws.yaml --format md\n  \
trustflow export subprocessors models/connect-aws.yaml --format html -o subprocessors.html\n  \
trustflow export subprocessors models/connect-aws.yaml --format atom --url https://acme.example/subprocessors\n  \
trustflow export annex models/connect-aws.yaml --format csv -o annex.csv\n  \
trustflow export annex models/forge-egress.yaml --installation us-hospital --format html -o annex-us-hospital.html\n\n\
The sub-processor list is the public trust page: names, legal entities, purposes, places, transfer \
safeguards and dates added (organisations' `since:`), customer-enabled integrations apart; no findings \
and no internal ids. Its wording comes from trust.md.tera / trust.html.tera, replaceable with --templates.\n\
Exit codes: 0 written, 2 bad input or an unwritable output."
)]
pub struct Args {
    /// What to export.
    #[arg(value_enum)]
    what: Kind,
    /// The model file.
    model: PathBuf,
    /// Output format (marketplace: json or md; subprocessors: md, html, json, csv or atom; annex: md, html, json or csv).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Where the page is published (the Atom feed's id and link).
    #[arg(long, value_name = "URL", default_value = "urn:trustflow:subprocessors")]
    url: String,
    /// The date the page, feed or annex speaks for (YYYY-MM-DD); default: SOURCE_DATE_EPOCH,
    /// else today.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    date: Option<crate::dates::Date>,
    /// The annex for one customer: only this installation of the model (its id) is
    /// considered, so the annex speaks of that customer's site alone.
    #[arg(long, value_name = "ID")]
    installation: Option<String>,
    /// A directory whose trust.md.tera / trust.html.tera / annex.md.tera / annex.html.tera
    /// replace the built-in pages.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

/// Writes the export.
pub fn run(args: &Args, catalog: &Catalog) -> Result<ExitStatus, Failure> {
    let mut models = pipeline::load_models(std::slice::from_ref(&args.model), catalog)?;
    super::warn(&models.warnings);
    if let Some(id) = &args.installation {
        if args.what != Kind::Annex {
            return Err(Failure::Message(
                "--installation selects one customer's site for the annex; the other exports speak for every customer"
                    .to_owned(),
            ));
        }
        pipeline::keep_installation(&mut models.loaded[0], id)?;
    }
    let loaded = &models.loaded[0];
    let facts = crate::facts::Facts::new(loaded, catalog);
    let analysis = crate::analysis::analyze(&facts);
    // The public page speaks for a day: `--date`, else SOURCE_DATE_EPOCH, else today.
    let date = crate::dates::report_date(args.date).unwrap_or_else(crate::dates::Date::today);
    // The page is built once, and what the vendor should know before publishing it is said
    // on standard error.
    let page = (args.what == Kind::Subprocessors).then(|| exports::trust_page(&facts, &analysis).as_of(date));
    if let Some(page) = &page {
        let feed = args.format == Format::Atom;
        for warning in exports::page_warnings(&analysis, page, loaded.model.installations.is_empty(), feed) {
            eprintln!("warning: {}", crate::text::terminal_safe(&warning));
        }
    }
    let page = || {
        page.clone()
            .unwrap_or_else(|| exports::trust_page(&facts, &analysis).as_of(date))
    };
    let bytes = match (args.what, args.format) {
        (Kind::Marketplace, Format::Json) => {
            super::json("the Marketplace answers", &exports::marketplace(&facts, &analysis))?
        }
        (Kind::Marketplace, Format::Md) => {
            exports::marketplace_markdown(&exports::marketplace(&facts, &analysis)).into_bytes()
        }
        (Kind::Subprocessors, Format::Json) => super::json("the sub-processor list", &page())?,
        (Kind::Subprocessors, Format::Csv) => exports::trust_center_csv(&page().subprocessors),
        (Kind::Subprocessors, Format::Atom) => exports::trust_atom(&page(), &args.url, &date.to_string()).into_bytes(),
        (Kind::Annex, Format::Json) => super::json("the DPA annex", &exports::annex(&facts, &analysis).as_of(date))?,
        (Kind::Annex, Format::Csv) => exports::annex_csv(&exports::annex(&facts, &analysis).as_of(date)),
        (Kind::Annex, format @ (Format::Md | Format::Html)) => {
            let templates = crate::render::templates::Templates::load(args.templates.as_deref())
                .map_err(|e| Failure::Message(e.to_string()))?;
            let name = if format == Format::Md { "annex.md" } else { "annex.html" };
            templates
                .render(
                    name,
                    &serde_json::json!({ "annex": exports::annex(&facts, &analysis).as_of(date) }),
                )
                .map_err(|e| Failure::Message(e.to_string()))?
                .into_bytes()
        }
        (Kind::Subprocessors, format @ (Format::Md | Format::Html)) => {
            let templates = crate::render::templates::Templates::load(args.templates.as_deref())
                .map_err(|e| Failure::Message(e.to_string()))?;
            let name = if format == Format::Md { "trust.md" } else { "trust.html" };
            templates
                .render(name, &serde_json::json!({ "page": page() }))
                .map_err(|e| Failure::Message(e.to_string()))?
                .into_bytes()
        }
        (what, format) => {
            return Err(Failure::Message(format!(
                "{what:?} cannot be exported as {format:?}: marketplace takes json or md; subprocessors md, html, json, csv or atom; annex md, html, json or csv"
            )));
        }
    };
    super::emit(&bytes)
}
