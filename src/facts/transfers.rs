//! Transfers per hop: for each installation realm, who discloses personal data to whom, under
//! which law, and on what basis. The realm says where the customer's product data is pinned; it
//! is not the applicable law. The law follows the exporter's establishment (GDPR Art. 3(1)) or,
//! for onward transfers, the law of the data's first export (Art. 44), per
//! `shared/domain/transfers.md` H1–H6. Only a fact the model records satisfies a mechanism: a
//! catalog offer or listing is `offered`, never `recorded`.

use super::resolve::{Evidence, OrgFacts};
use crate::catalog::{AdequacyScope, Catalog};
use crate::model::Realm;
use serde::Serialize;
use std::collections::BTreeSet;

/// The law that governs a disclosure abroad.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    /// EU GDPR Chapter V (EEA exporters, and onward transfers of data first exported under it).
    EuGdpr,
    /// UK GDPR Chapter V.
    UkGdpr,
    /// Swiss revised FADP, Art. 16–17.
    ChFadp,
    /// Australia: Privacy Act 1988, APP 8 and s 16C.
    AuPrivacyAct,
    /// Japan: APPI Art. 28.
    JpAppi,
    /// South Korea: PIPA Art. 28-8.
    KrPipa,
    /// Singapore: PDPA s 26.
    SgPdpa,
    /// Canada: PIPEDA accountability principle 4.1.3.
    CaPipeda,
    /// Québec: Law 25, s 17.
    CaQcLaw25,
    /// India: DPDP Act 2023, s 16.
    InDpdp,
    /// Brazil: LGPD Art. 33.
    BrLgpd,
    /// No general transfer rule trustflow knows of for the exporter's country.
    None,
    /// Not known: the exporter's establishment is not recorded (a customer without
    /// `established:` on a `us` or `global` realm), so neither is the law that governs it.
    Unknown,
}

impl Regime {
    /// Every regime, for tables of names.
    pub const ALL: [Regime; 13] = [
        Regime::EuGdpr,
        Regime::UkGdpr,
        Regime::ChFadp,
        Regime::AuPrivacyAct,
        Regime::JpAppi,
        Regime::KrPipa,
        Regime::SgPdpa,
        Regime::CaPipeda,
        Regime::CaQcLaw25,
        Regime::InDpdp,
        Regime::BrLgpd,
        Regime::None,
        Regime::Unknown,
    ];

    /// The regime of an exporter established in `country`.
    pub fn of_country(country: &str, catalog: &Catalog) -> Regime {
        match country {
            "GB" => Regime::UkGdpr,
            "CH" => Regime::ChFadp,
            "AU" => Regime::AuPrivacyAct,
            "JP" => Regime::JpAppi,
            "KR" => Regime::KrPipa,
            "SG" => Regime::SgPdpa,
            "CA" => Regime::CaPipeda,
            "IN" => Regime::InDpdp,
            "BR" => Regime::BrLgpd,
            c if catalog.is_eea(c) => Regime::EuGdpr,
            _ => Regime::None,
        }
    }

    /// The regime a realm suggests when the customer's establishment is not recorded (a
    /// presumption, said as one), or `None` when the realm says nothing about the customer.
    fn presumed_from(realm: Realm) -> Option<Regime> {
        match realm {
            Realm::Eu | Realm::De => Some(Regime::EuGdpr),
            Realm::Gb => Some(Regime::UkGdpr),
            Realm::Ch => Some(Regime::ChFadp),
            Realm::Au => Some(Regime::AuPrivacyAct),
            Realm::Jp => Some(Regime::JpAppi),
            Realm::Kr => Some(Regime::KrPipa),
            Realm::Sg => Some(Regime::SgPdpa),
            Realm::Ca => Some(Regime::CaPipeda),
            Realm::In => Some(Regime::InDpdp),
            Realm::Us | Realm::Global => None,
        }
    }

    /// The law and its transfer rule, short, for labels.
    pub fn rule_name(self) -> &'static str {
        match self {
            Regime::EuGdpr => "EU GDPR Chapter V",
            Regime::UkGdpr => "UK GDPR Chapter V",
            Regime::ChFadp => "Swiss FADP Art. 16",
            Regime::AuPrivacyAct => "Australia's Privacy Act 1988, APP 8",
            Regime::JpAppi => "Japan's APPI Art. 28",
            Regime::KrPipa => "Korea's PIPA Art. 28-8",
            Regime::SgPdpa => "Singapore's PDPA s 26",
            Regime::CaPipeda => "Canada's PIPEDA principle 4.1.3",
            Regime::CaQcLaw25 => "Québec's Law 25 s 17",
            Regime::InDpdp => "India's DPDP Act 2023 s 16",
            Regime::BrLgpd => "Brazil's LGPD Art. 33",
            Regime::None => "no general transfer rule known",
            Regime::Unknown => "unknown law",
        }
    }

    /// The rule and source of a regime trustflow names but does not assess.
    fn unassessed_rule(self) -> Option<&'static str> {
        Some(match self {
            Regime::AuPrivacyAct => {
                "Privacy Act 1988 APP 8 and s 16C: the discloser stays accountable for the overseas recipient (OAIC APP guidelines ch. 8)"
            }
            Regime::JpAppi => {
                "APPI Art. 28: consent, an adequate country (EEA, UK) or a recipient with an equivalent system (PPC)"
            }
            Regime::KrPipa => "PIPA Art. 28-8: consent, certification, adequacy or contract necessity (PIPC)",
            Regime::SgPdpa => {
                "PDPA s 26 and Regulations 9–12: comparable protection by contract or binding rules (PDPC)"
            }
            Regime::CaPipeda => {
                "PIPEDA principle 4.1.3: the organisation stays accountable for data it transfers (OPC)"
            }
            Regime::CaQcLaw25 => {
                "Québec Law 25 s 17: a privacy impact assessment before disclosing outside Québec (CAI)"
            }
            Regime::InDpdp => "DPDP Act 2023 s 16: allowed except to countries the government restricts (MeitY)",
            Regime::BrLgpd => "LGPD Art. 33 (ANPD); EU–Brazil mutual adequacy of 2026-01-26",
            Regime::EuGdpr | Regime::UkGdpr | Regime::ChFadp | Regime::None | Regime::Unknown => return None,
        })
    }
}

/// The basis a transfer relies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TransferMechanism {
    /// The importer processes in the exporter's own country.
    NotATransfer,
    /// Both inside the EEA.
    WithinEea,
    /// An adequacy decision or list covers the importer's country.
    Adequacy,
    /// The EU–U.S. Data Privacy Framework.
    EuUsDpf,
    /// The UK Extension to the EU–U.S. DPF.
    UkExtension,
    /// The Swiss–U.S. DPF.
    SwissUsDpf,
    /// Standard Contractual Clauses (Decision 2021/914; adapted to Swiss law for CH exports).
    Sccs,
    /// The UK International Data Transfer Agreement.
    Idta,
    /// The UK Addendum to the EU SCCs.
    UkAddendum,
    /// Binding corporate rules.
    Bcr,
    /// No mechanism found in the model or the catalog.
    NoneFound,
}

/// How far a transfer's mechanism is evidenced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TransferStatus {
    /// Not a transfer: nothing is needed.
    NotATransfer,
    /// The model records the mechanism (or an adequacy decision covers it).
    Recorded,
    /// The catalog says the importer offers it or is listed for it; the model does not record it.
    Offered,
    /// A mechanism is required and none is recorded or offered.
    Required,
    /// A regime applies that trustflow names but does not assess.
    NotAssessed,
}

/// One disclosure of personal data, for one installation realm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Transfer {
    /// The installation realm.
    pub realm: Realm,
    /// Organisation id of the exporter, or `customer`.
    pub exporter: String,
    /// Where the exporter is established, when known.
    pub exporter_country: Option<String>,
    /// Organisation id of the importer (`unidentified:<host>` for a recipient nobody can name).
    pub importer: String,
    /// Where the importer processes the data (or can reach it from), when known.
    pub importer_country: Option<String>,
    /// What `importer_country` stands for: the conclusions that rest on it differ (and are
    /// labelled apart) by whether it is where the importer processes or where it is
    /// established.
    #[serde(skip)]
    #[schemars(skip)]
    pub importer_country_is: ImporterCountry,
    /// The law that governs the disclosure.
    pub regime: Regime,
    /// The basis.
    pub mechanism: TransferMechanism,
    /// The SCC module (1–4) when SCCs are the basis.
    pub module: Option<u8>,
    /// How far the basis is evidenced.
    pub status: TransferStatus,
    /// Why, naming the rule and its source.
    pub why: String,
    /// A short summary for tables (`SCCs Module 3 required, not recorded`).
    pub label: String,
    /// The SCCs come with the platform's terms (the Forge terms bring the Forge Data Processing
    /// Addendum and the SCCs with Atlassian), rather than a contract the model records.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_platform_terms: bool,
    /// The basis may well exist but a fact the model lacks decides it (an offer, a DPF listing
    /// nobody checked, an unknown location, platform terms whose scope is not recorded):
    /// evidence required, rather than a known gap.
    pub evidence_required: bool,
    /// When the customers of the realm are established under different laws and this hop
    /// depends on that law: the hop as assessed for each group of them. This entry then only
    /// summarises them (its label says each group's outcome); the parts are the conclusions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_customer_law: Vec<CustomerLawPart>,
}

/// A hop as assessed for the customers of a realm established under one law.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CustomerLawPart {
    /// Where these customers are established (ISO 3166-1); empty when their installations do
    /// not record it (the law is then presumed from the realm).
    pub established: Vec<String>,
    /// Their installations.
    pub installations: Vec<String>,
    /// The hop for them.
    pub transfer: Transfer,
}

impl Transfer {
    /// The hop's conclusions with the customers each holds for: the hop itself for every
    /// installation of its realm, or each customer-law part for its own installations.
    pub fn conclusions(&self) -> impl Iterator<Item = (&Transfer, Option<&CustomerLawPart>)> {
        let whole = self.by_customer_law.is_empty().then_some((self, None));
        whole
            .into_iter()
            .chain(self.by_customer_law.iter().map(|part| (&part.transfer, Some(part))))
    }
}

impl Transfer {
    /// Whether the transfer lacks a recorded basis (offered or required): evidence is needed.
    pub fn needs_evidence(&self) -> bool {
        matches!(self.status, TransferStatus::Offered | TransferStatus::Required)
    }

    /// Recomputes the summary after a change.
    pub(crate) fn labelled(mut self) -> Transfer {
        self.evidence_required |= self.status == TransferStatus::Offered
            || (self.status == TransferStatus::Required
                && matches!(
                    self.mechanism,
                    TransferMechanism::NoneFound
                        | TransferMechanism::EuUsDpf
                        | TransferMechanism::UkExtension
                        | TransferMechanism::UkAddendum
                        | TransferMechanism::SwissUsDpf
                ));
        self.label = label(&self);
        self
    }
}

impl TransferStatus {
    /// Every status, for tables of names.
    pub const ALL: [TransferStatus; 5] = [
        TransferStatus::NotATransfer,
        TransferStatus::Recorded,
        TransferStatus::Offered,
        TransferStatus::Required,
        TransferStatus::NotAssessed,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            TransferStatus::NotATransfer => "not a transfer",
            TransferStatus::Recorded => "recorded",
            TransferStatus::Offered => "offered, not recorded",
            TransferStatus::Required => "required, not recorded",
            TransferStatus::NotAssessed => "not assessed",
        }
    }
}

impl TransferMechanism {
    /// Every mechanism, for tables of names.
    pub const ALL: [TransferMechanism; 11] = [
        TransferMechanism::NotATransfer,
        TransferMechanism::WithinEea,
        TransferMechanism::Adequacy,
        TransferMechanism::EuUsDpf,
        TransferMechanism::UkExtension,
        TransferMechanism::SwissUsDpf,
        TransferMechanism::Sccs,
        TransferMechanism::Idta,
        TransferMechanism::UkAddendum,
        TransferMechanism::Bcr,
        TransferMechanism::NoneFound,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            TransferMechanism::NotATransfer => "not a transfer",
            TransferMechanism::WithinEea => "within the EEA",
            TransferMechanism::Adequacy => "adequacy",
            TransferMechanism::EuUsDpf => "EU-U.S. DPF",
            TransferMechanism::UkExtension => "UK Extension to the DPF",
            TransferMechanism::SwissUsDpf => "Swiss-U.S. DPF",
            TransferMechanism::Sccs => "SCCs",
            TransferMechanism::Idta => "IDTA or UK Addendum",
            TransferMechanism::UkAddendum => "UK Addendum",
            TransferMechanism::Bcr => "BCRs",
            TransferMechanism::NoneFound => "no mechanism found",
        }
    }
}

impl Regime {
    /// Its code in JSON and reports.
    pub fn code(self) -> &'static str {
        match self {
            Regime::EuGdpr => "eu-gdpr",
            Regime::UkGdpr => "uk-gdpr",
            Regime::ChFadp => "ch-fadp",
            Regime::AuPrivacyAct => "au-privacy-act",
            Regime::JpAppi => "jp-appi",
            Regime::KrPipa => "kr-pipa",
            Regime::SgPdpa => "sg-pdpa",
            Regime::CaPipeda => "ca-pipeda",
            Regime::CaQcLaw25 => "ca-qc-law25",
            Regime::InDpdp => "in-dpdp",
            Regime::BrLgpd => "br-lgpd",
            Regime::None => "none",
            Regime::Unknown => "unknown",
        }
    }
}

/// An adequacy finding in the words of the regime that makes it: the Commission's adequacy
/// decisions (GDPR Art. 45), the UK's adequacy regulations (DPA 2018 s. 17A), Switzerland's list
/// of countries with adequate protection (FADP Art. 16(1)).
pub fn adequacy_label(t: &Transfer) -> String {
    let country = t.importer_country.as_deref().unwrap_or("?");
    match t.regime {
        Regime::UkGdpr => format!("UK adequacy regulations, which cover {country}"),
        Regime::ChFadp => format!("Swiss adequacy list, which includes {country}"),
        _ => format!("adequacy decision for {country}"),
    }
}

/// What a hop's `importer_country` stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImporterCountry {
    /// Where the importer processes the data or can reach it from.
    #[default]
    Processing,
    /// Where the importer is established: a legal entity the regime binds for its own
    /// processing, wherever its providers then keep the data.
    Establishment,
    /// Where the importer processes, under a regime for which its establishment would decide
    /// (an importer in a third country reaching the data makes a transfer), and the model does
    /// not record it: evidence required.
    EstablishmentUnknown,
}

/// The sources on when a disclosure is a transfer under `regime`: the article, then the
/// guidance on the importer's establishment and remote access.
pub fn when_a_transfer(regime: Regime) -> &'static [&'static str] {
    match regime {
        Regime::UkGdpr => &["UK GDPR Art. 44", "ICO international transfers guidance"],
        Regime::ChFadp => &["Swiss FADP Art. 16", "FDPIC guidance on disclosure abroad"],
        _ => &["GDPR Art. 44", "EDPB Guidelines 05/2021"],
    }
}

/// The one-line summary of a transfer.
fn label(t: &Transfer) -> String {
    let mechanism = match (t.mechanism, t.module) {
        (TransferMechanism::Sccs, _) if t.regime == Regime::ChFadp => "SCCs adapted to Swiss law".to_owned(),
        (TransferMechanism::Sccs, Some(module)) => format!("SCCs Module {module}"),
        (TransferMechanism::Adequacy, _) => format!("adequacy ({})", t.importer_country.as_deref().unwrap_or("?")),
        (m, _) => m.name().to_owned(),
    };
    match t.status {
        TransferStatus::NotATransfer => match (
            t.mechanism,
            t.exporter_country.as_deref(),
            t.importer_country.as_deref(),
        ) {
            // An importer established where the regime binds it: where it then processes is
            // its own providers' business, listed as its own transfers.
            (_, Some(a), Some(b)) if a == b && t.importer_country_is == ImporterCountry::Establishment => {
                format!("not a transfer (importer established in {b}, as the exporter is)")
            }
            (_, Some(a), Some(b)) if a == b => format!("not a transfer (processed in {b}, the exporter's own country)"),
            (TransferMechanism::WithinEea, ..) if t.importer_country_is == ImporterCountry::Establishment => {
                "not a transfer (importer established in the EEA)".to_owned()
            }
            (TransferMechanism::WithinEea, ..) => "not a transfer (processed inside the EEA)".to_owned(),
            _ => "not a transfer (importer established where the regime applies)".to_owned(),
        },
        TransferStatus::Recorded if t.mechanism == TransferMechanism::Adequacy => adequacy_label(t),
        TransferStatus::Recorded if t.by_platform_terms => format!("{mechanism} (by the Forge terms)"),
        TransferStatus::Recorded => format!("{mechanism} (recorded)"),
        TransferStatus::Offered
            if matches!(
                t.mechanism,
                TransferMechanism::EuUsDpf | TransferMechanism::UkExtension | TransferMechanism::SwissUsDpf
            ) =>
        {
            format!("evidence required: the catalog lists {mechanism} certification, not checked on the DPF List")
        }
        TransferStatus::Offered => format!("evidence required: {mechanism} offered, not recorded"),
        TransferStatus::Required if t.mechanism == TransferMechanism::NoneFound => {
            "evidence required: no mechanism can be found".to_owned()
        }
        TransferStatus::Required if t.mechanism == TransferMechanism::EuUsDpf => {
            "evidence required: EU-U.S. DPF or SCCs, neither recorded".to_owned()
        }
        TransferStatus::Required if t.mechanism == TransferMechanism::UkExtension => {
            "evidence required: UK Extension or IDTA/UK Addendum, neither recorded".to_owned()
        }
        TransferStatus::Required if t.mechanism == TransferMechanism::UkAddendum => {
            "evidence required: the UK Addendum to the Forge terms' SCCs is not recorded".to_owned()
        }
        TransferStatus::Required if t.regime == Regime::ChFadp && t.evidence_required => {
            if t.mechanism == TransferMechanism::Sccs {
                "evidence required: the Forge terms' SCCs are not recorded as adapted to Swiss law".to_owned()
            } else {
                "evidence required: Swiss-U.S. DPF or SCCs adapted to Swiss law, neither recorded".to_owned()
            }
        }
        TransferStatus::Required if t.regime == Regime::ChFadp => {
            "Swiss-U.S. DPF or SCCs adapted to Swiss law required, neither recorded".to_owned()
        }
        TransferStatus::Required => format!("{mechanism} required, not recorded"),
        // Processed where no transfer would happen, by an importer whose establishment the
        // model does not record (see `establishment_unknown`).
        TransferStatus::NotAssessed if t.importer_country_is == ImporterCountry::EstablishmentUnknown => {
            let place = t.importer_country.as_deref().unwrap_or("?");
            let processed = match t.mechanism {
                TransferMechanism::WithinEea => "processed inside the EEA".to_owned(),
                TransferMechanism::Adequacy => format!("processed in {place}, which adequacy covers"),
                _ => format!("processed in {place}, the exporter's own country"),
            };
            format!(
                "not assessed: {processed}, by an importer whose establishment is not recorded: a transfer{} if it is established in a third country ({})",
                if t.mechanism == TransferMechanism::Adequacy { " that needs its own mechanism" } else { "" },
                when_a_transfer(t.regime)[1]
            )
        }
        TransferStatus::NotAssessed => match (t.regime, t.exporter_country.as_deref()) {
            (Regime::None, None) | (Regime::Unknown, _) => {
                "not assessed: depends on where the customer is established".to_owned()
            }
            (Regime::None, Some("US")) => {
                "not assessed: no general federal restriction on disclosures abroad (US; sector and state laws not assessed for this hop)".to_owned()
            }
            (Regime::None, Some(country)) => {
                format!("not assessed: no general transfer rule known for {country}")
            }
            (regime, _) => format!("not assessed: {} applies", regime.rule_name()),
        },
    }
}

/// The importer side of a hop, as the transfer engine needs it.
pub(crate) struct Importer<'a> {
    /// Organisation id.
    pub id: &'a str,
    /// Its merged facts (`None` for an unidentified recipient).
    pub facts: Option<&'a OrgFacts>,
    /// Countries where it processes the data for this realm (`None`: unknown).
    pub locations: Vec<Option<String>>,
    /// Whether the platform's own terms include SCCs the developer accepts (Atlassian's Forge
    /// terms, for Forge hosting).
    pub platform_sccs: bool,
}

impl Importer<'_> {
    /// Its SCCs: recorded by the platform's terms (Forge), else the model's or catalog's.
    fn sccs(&self) -> Evidence {
        if self.platform_sccs {
            Evidence::Recorded
        } else {
            self.facts.map_or(Evidence::Unknown, |f| f.sccs)
        }
    }

    /// Its participation in a U.S. data privacy framework (EU, UK Extension or Swiss), which
    /// counts only for processing in the U.S.
    fn us_framework(&self, country: &str, framework: impl Fn(&OrgFacts) -> Evidence) -> Evidence {
        match self.facts {
            Some(f) if country == "US" => framework(f),
            _ => Evidence::Unknown,
        }
    }
}

/// The exporter side of a hop.
pub(crate) struct Exporter<'a> {
    /// Organisation id or `customer`.
    pub id: &'a str,
    /// Its establishment.
    pub country: Option<&'a str>,
    /// The regime of the data as it reaches this exporter (the customer's, for onward transfers).
    pub upstream: Option<Regime>,
    /// SCC module for disclosures by this exporter (2 controller→processor, 3 processor→processor).
    pub module: u8,
}

/// Where the customers of a realm's installations are established, as the model records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Establishment<'a> {
    /// The installations do not say.
    NotRecorded,
    /// They say, and name these countries (one or more, sorted).
    Countries(Vec<&'a str>),
}

/// The regime of a customer's disclosures in `realm`, with what it rests on.
pub(crate) fn customer_regime(
    realm: Realm,
    established: &Establishment<'_>,
    catalog: &Catalog,
) -> (Option<Regime>, String) {
    match established {
        Establishment::Countries(countries) if countries.len() == 1 => (
            Some(Regime::of_country(countries[0], catalog)),
            format!(
                "the customer is established in {} (the installation's `established`)",
                countries[0]
            ),
        ),
        Establishment::Countries(countries) => {
            // Customers of one realm established under one law share the conclusion; under
            // several laws no single conclusion is true, and each law is assessed apart.
            let regimes: BTreeSet<Regime> = countries.iter().map(|c| Regime::of_country(c, catalog)).collect();
            let listed = countries.join(", ");
            if regimes.len() == 1 {
                let regime = regimes.into_iter().next().unwrap_or(Regime::Unknown);
                (
                    Some(regime),
                    format!(
                        "the customers are established in {listed} (the installations' `established`), all under {}",
                        regime.rule_name()
                    ),
                )
            } else {
                let laws = countries
                    .iter()
                    .map(|c| format!("{c}: {}", Regime::of_country(c, catalog).rule_name()))
                    .collect::<Vec<_>>()
                    .join("; ");
                (
                    None,
                    format!(
                        "the customers of realm `{realm}` are established under different laws ({laws}): each law's hops are assessed for its own installations"
                    ),
                )
            }
        }
        Establishment::NotRecorded => match Regime::presumed_from(realm) {
            Some(regime) => (
                Some(regime),
                format!(
                    "presumed from realm `{realm}`: the customer's establishment is not recorded (add `established:` to the installation)"
                ),
            ),
            None => (
                None,
                format!(
                    "depends on where the customer is established, which the model does not record: realm `{realm}` is not the applicable law (add `established:` to the installation)"
                ),
            ),
        },
    }
}

/// Assesses one hop for one realm.
pub(crate) fn assess(realm: Realm, exporter: &Exporter<'_>, importer: &Importer<'_>, catalog: &Catalog) -> Transfer {
    let own = exporter.country.map(|c| Regime::of_country(c, catalog));
    // An exporter established under a regime with transfer rules brings it (Art. 3(1)); others
    // pass on the regime the data was first exported under (onward transfer, Art. 44).
    let regime = match own {
        Some(regime) if regime != Regime::None => Some(regime),
        _ => exporter.upstream,
    };
    if let Some(t) = same_area(realm, regime, exporter, importer, catalog) {
        return t.labelled();
    }
    if regime.is_none() && exporter.id != "customer" && exporter.country.is_some() {
        return first_export_unknown(realm, exporter, importer).labelled();
    }
    let candidates: Vec<Transfer> = if importer.locations.is_empty() {
        vec![one(realm, regime, exporter, importer, None, catalog)]
    } else {
        importer
            .locations
            .iter()
            .map(|country| one(realm, regime, exporter, importer, country.as_deref(), catalog))
            .collect()
    };
    let places: Vec<String> = importer
        .locations
        .iter()
        .map(|c| c.clone().unwrap_or_else(|| "unknown".to_owned()))
        .collect();
    let mut worst = candidates
        .into_iter()
        .max_by_key(|t| (t.status, t.mechanism))
        .unwrap_or_else(|| one(realm, regime, exporter, importer, None, catalog));
    if places.len() > 1 {
        worst.why = format!(
            "processes in {}; for the most demanding of these: {}",
            places.join(", "),
            worst.why
        );
    }
    // The Forge terms bring the SCCs with Atlassian: no contract of the model's own.
    worst.by_platform_terms = importer.platform_sccs && worst.mechanism == TransferMechanism::Sccs;
    worst.labelled()
}

/// An importer established where the regime itself applies (an EEA entity under the EU GDPR, a UK
/// entity under the UK GDPR, a Swiss one under the FADP) is bound by that law for its own
/// processing (GDPR Art. 3(1)): disclosing to it is not a transfer, wherever it then hosts the
/// data; its own onward disclosures are assessed as its own hops.
fn same_area(
    realm: Realm,
    regime: Option<Regime>,
    exporter: &Exporter<'_>,
    importer: &Importer<'_>,
    catalog: &Catalog,
) -> Option<Transfer> {
    let facts = importer.facts?;
    let entity = facts.country.as_deref()?;
    let regime = regime?;
    let inside = match regime {
        Regime::EuGdpr => catalog.is_eea(entity),
        Regime::UkGdpr => entity == "GB",
        Regime::ChFadp => entity == "CH",
        _ => false,
    };
    if !inside {
        return adequate_area(realm, regime, (exporter, importer, facts, entity), catalog);
    }
    let name = facts.legal_entity.as_deref().unwrap_or(&facts.name);
    let why = format!(
        "{name} is established in {entity} and bound by the {} for its own processing: not a transfer; it processes in {}, and its disclosures to its providers are listed as its own transfers",
        match regime {
            Regime::EuGdpr => "EU GDPR (Art. 3(1); EDPB Guidelines 05/2021)",
            Regime::UkGdpr => "UK GDPR (UK GDPR Art. 3(1); ICO international transfers guidance)",
            _ => "Swiss FADP (FADP Art. 3, Art. 16)",
        },
        places_of(importer)
    );
    let mechanism = if regime == Regime::EuGdpr {
        TransferMechanism::WithinEea
    } else {
        TransferMechanism::NotATransfer
    };
    Some(to_entity(
        realm,
        regime,
        (exporter, importer, entity),
        (mechanism, TransferStatus::NotATransfer),
        why,
    ))
}

/// Where an importer processes, for a reason ("DE, US"; "unknown" for a place not known).
fn places_of(importer: &Importer<'_>) -> String {
    importer
        .locations
        .iter()
        .map(|c| c.as_deref().unwrap_or("unknown"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A hop from `exporter` to `importer`, its receiving country, regime, outcome and why: the one
/// constructor of every hop, so each says the same fields (the label comes from `labelled`).
fn hop(
    realm: Realm,
    regime: Regime,
    (exporter, importer, importer_country): (&Exporter<'_>, &Importer<'_>, Option<String>),
    (mechanism, status): (TransferMechanism, TransferStatus),
    why: String,
) -> Transfer {
    Transfer {
        realm,
        exporter: exporter.id.to_owned(),
        exporter_country: exporter.country.map(str::to_owned),
        importer: importer.id.to_owned(),
        importer_country,
        importer_country_is: ImporterCountry::Processing,
        regime,
        mechanism,
        module: None,
        status,
        why,
        label: String::new(),
        by_platform_terms: false,
        evidence_required: false,
        by_customer_law: Vec::new(),
    }
}

/// A hop to an importer decided by where its legal entity (`entity`) is established.
fn to_entity(
    realm: Realm,
    regime: Regime,
    (exporter, importer, entity): (&Exporter<'_>, &Importer<'_>, &str),
    outcome: (TransferMechanism, TransferStatus),
    why: String,
) -> Transfer {
    let mut t = hop(
        realm,
        regime,
        (exporter, importer, Some(entity.to_owned())),
        outcome,
        why,
    );
    t.importer_country_is = ImporterCountry::Establishment;
    t.labelled()
}

/// A disclosure by an exporter under no transfer law of its own, of data whose first export
/// is under the customer's law, which the model does not record: not assessed. Were the
/// customer under the EU or UK GDPR or the Swiss FADP, this would be an onward transfer that
/// needs a mechanism (SCCs clauses 8.7, 8.8), even to the exporter's own country.
fn first_export_unknown(realm: Realm, exporter: &Exporter<'_>, importer: &Importer<'_>) -> Transfer {
    let name = importer
        .facts
        .map_or(importer.id, |f| f.legal_entity.as_deref().unwrap_or(&f.name));
    let places: Vec<String> = importer.locations.iter().flatten().cloned().collect();
    let country = match places.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let why = format!(
        "{} is under no general transfer rule of its own, so the law of its disclosure to {name}{} is the one the customer's data was first exported under, and where the customer is established is not recorded: depends on it (evidence required; an EU, UK or Swiss customer makes this an onward transfer that needs a mechanism, SCCs clauses 8.7, 8.8; add `established:` to the installation)",
        exporter.id,
        if places.is_empty() {
            String::new()
        } else {
            format!(" (processing in {})", places.join(", "))
        }
    );
    Transfer {
        evidence_required: true,
        ..hop(
            realm,
            Regime::Unknown,
            (exporter, importer, country),
            (TransferMechanism::NoneFound, TransferStatus::NotAssessed),
            why,
        )
    }
}

/// An importer established under another of the European regimes, in a country the exporter's
/// regime finds adequate (an EEA entity for a UK or Swiss exporter, a UK or Swiss entity for
/// an EU one): the disclosure is to an adequate country, whatever the importer then does, and
/// the importer's own law binds its onward disclosures, which are listed as its own hops
/// (transfers.md H1–H3: UK adequacy regulations cover the EEA; the Swiss list names the EEA
/// states; the Commission's decisions cover the UK and Switzerland).
fn adequate_area(
    realm: Realm,
    regime: Regime,
    (exporter, importer, facts, entity): (&Exporter<'_>, &Importer<'_>, &OrgFacts, &str),
    catalog: &Catalog,
) -> Option<Transfer> {
    let own = Regime::of_country(entity, catalog);
    if !matches!(own, Regime::EuGdpr | Regime::UkGdpr | Regime::ChFadp) || own == regime {
        return None;
    }
    let adequacy = match regime {
        Regime::EuGdpr => {
            general_adequacy(entity, catalog).map(|d| format!("the Commission's adequacy decision ({d}; GDPR Art. 45)"))
        }
        Regime::UkGdpr => (catalog.is_eea(entity) || general_adequacy(entity, catalog).is_some()).then(|| {
            "the UK's adequacy regulations (UK GDPR Art. 45; ICO international transfers guidance)".to_owned()
        }),
        Regime::ChFadp => catalog
            .is_eea(entity)
            .then(|| "the Swiss adequacy list (Data Protection Ordinance Annex 1; FADP Art. 16(1))".to_owned()),
        _ => None,
    }?;
    let name = facts.legal_entity.as_deref().unwrap_or(&facts.name);
    let why = format!(
        "{name} is established in {entity}, covered by {adequacy}, and is bound by the {} for its own processing: it processes in {}, and its disclosures to its providers are listed as its own transfers",
        own.rule_name(),
        places_of(importer)
    );
    Some(to_entity(
        realm,
        regime,
        (exporter, importer, entity),
        (TransferMechanism::Adequacy, TransferStatus::Recorded),
        why,
    ))
}

fn one(
    realm: Realm,
    regime: Option<Regime>,
    exporter: &Exporter<'_>,
    importer: &Importer<'_>,
    country: Option<&str>,
    catalog: &Catalog,
) -> Transfer {
    let mut t = hop(
        realm,
        regime.unwrap_or(if exporter.country.is_some() {
            Regime::None
        } else {
            Regime::Unknown
        }),
        (exporter, importer, country.map(str::to_owned)),
        (TransferMechanism::NoneFound, TransferStatus::Required),
        String::new(),
    );
    let name = importer
        .facts
        .map_or(importer.id, |f| f.legal_entity.as_deref().unwrap_or(&f.name));
    let Some(country) = country else {
        t.why = format!(
            "where {name} processes the data is not in the model: evidence required (GDPR Art. 30(1)(e), Art. 44)"
        );
        return t;
    };
    // Data first exported under another regime (a non-EU vendor holding EU customers' data)
    // and disclosed in the exporter's own third country is still an onward transfer under the
    // SCCs (clause 8.7, Module 1; 8.8, Modules 2 and 3: "in the same country as the data
    // importer or in another third country").
    let onward = exporter.country == Some(country) && regime.is_some_and(|r| r != Regime::of_country(country, catalog));
    if exporter.country == Some(country) && !onward {
        t.mechanism = TransferMechanism::NotATransfer;
        t.status = TransferStatus::NotATransfer;
        t.why = format!("{name} processes in {country}, the exporter's own country: not a transfer");
        establishment_unknown(&mut t, importer);
        return t.labelled();
    }
    match regime {
        None | Some(Regime::None | Regime::Unknown) => {
            t.status = TransferStatus::NotAssessed;
            t.why = match exporter.country {
                Some(c) if regime != Some(Regime::Unknown) && (exporter.upstream.is_some() || exporter.id != "customer") => format!(
                    "exporter established in {c}: no general transfer rule that trustflow assesses (sector and state laws not assessed for this hop)"
                ),
                _ => "depends on where the customer is established, which the model does not record: the realm is not the applicable law (add `established:` to the installation)".to_owned(),
            };
        }
        Some(Regime::EuGdpr) => eu(&mut t, exporter, importer, name, country, catalog),
        Some(Regime::UkGdpr) => uk(&mut t, importer, name, country, catalog),
        Some(Regime::ChFadp) => ch(&mut t, exporter, importer, name, country, catalog),
        Some(other) => {
            t.status = TransferStatus::NotAssessed;
            t.why = format!(
                "not assessed: {}",
                other.unassessed_rule().unwrap_or("the exporter's transfer law")
            );
        }
    }
    if onward {
        t.why = format!(
            "{name} processes in {country}, the exporter's own country, but the data was first exported under the {}: an onward transfer (SCCs clause 8.7 (Module 1), 8.8 (Modules 2, 3)); {}",
            t.regime.rule_name(),
            t.why
        );
    }
    t
}

/// Whether the catalog's adequacy decision for `country` covers any commercial recipient.
fn general_adequacy(country: &str, catalog: &Catalog) -> Option<String> {
    catalog
        .country(country)
        .and_then(|c| c.adequacy.as_ref())
        .filter(|a| a.scope.is_none() || a.scope == Some(AdequacyScope::Commercial))
        .map(|a| a.decision.clone())
}

fn evidence_status(evidence: Evidence) -> Option<TransferStatus> {
    match evidence {
        Evidence::Recorded => Some(TransferStatus::Recorded),
        Evidence::Offered => Some(TransferStatus::Offered),
        Evidence::None | Evidence::Unknown => None,
    }
}

/// A "not a transfer" that rests on where the importer processes, for an importer whose
/// establishment the model does not record, under a law for which access from a third country
/// is itself a transfer (EDPB Guidelines 05/2021, remote access): evidence required.
fn establishment_unknown(t: &mut Transfer, importer: &Importer<'_>) {
    let unknown = importer.facts.is_some_and(|f| f.country.is_none());
    let area = match t.regime {
        Regime::EuGdpr => "the EEA",
        Regime::UkGdpr => "the UK",
        Regime::ChFadp => "Switzerland",
        _ => return,
    };
    if unknown {
        // Not assessed rather than "not a transfer": an open item TF-RES-002 reports.
        t.status = TransferStatus::NotAssessed;
        t.evidence_required = true;
        t.importer_country_is = ImporterCountry::EstablishmentUnknown;
        let guidance = when_a_transfer(t.regime)[1];
        t.why.push_str(&format!(
            " if the importer is established in {area}; where it is established is not in the model, and an importer in a third country reaching the data would make it a transfer ({guidance}): evidence required (add its `country`)"
        ));
    }
}

fn eu(
    t: &mut Transfer,
    exporter: &Exporter<'_>,
    importer: &Importer<'_>,
    name: &str,
    country: &str,
    catalog: &Catalog,
) {
    if catalog.is_eea(country) {
        t.mechanism = TransferMechanism::WithinEea;
        t.status = TransferStatus::NotATransfer;
        t.why = format!("{name} processes in {country}, inside the EEA: not a transfer (GDPR Art. 44)");
        establishment_unknown(t, importer);
        return;
    }
    if let Some(decision) = general_adequacy(country, catalog) {
        t.mechanism = TransferMechanism::Adequacy;
        t.status = TransferStatus::Recorded;
        t.why = format!("adequacy decision for {country} ({decision}; GDPR Art. 45)");
        establishment_unknown(t, importer);
        return;
    }
    let module = exporter.module;
    let sccs = importer.sccs();
    let dpf = importer.us_framework(country, |f| f.dpf_eu);
    let (mechanism, status, why) = if dpf == Evidence::Recorded {
        (
            TransferMechanism::EuUsDpf,
            TransferStatus::Recorded,
            format!("{name} is certified under the EU-U.S. DPF (recorded; Decision (EU) 2023/1795)"),
        )
    } else if sccs == Evidence::Recorded {
        let basis = if importer.platform_sccs {
            " by the Forge terms: the developer enters the Forge Data Processing Addendum and the SCCs with Atlassian"
        } else {
            " (recorded)"
        };
        (
            TransferMechanism::Sccs,
            TransferStatus::Recorded,
            format!("SCCs Module {module} with {name}{basis}; Art. 46(2)(c), Decision (EU) 2021/914"),
        )
    } else if let Some(status) = evidence_status(dpf) {
        (
            TransferMechanism::EuUsDpf,
            status,
            format!(
                "the catalog lists {name} as certified under the EU-U.S. DPF: confirm it on the DPF List and record `dpf: true`, or sign SCCs Module {module} (evidence required)"
            ),
        )
    } else if let Some(status) = evidence_status(sccs) {
        (
            TransferMechanism::Sccs,
            status,
            format!(
                "{name}'s DPA offers SCCs Module {module}, not recorded as signed for this app: record `sccs: true` once signed (evidence required)"
            ),
        )
    } else if country == "US" && dpf == Evidence::Unknown && !importer.facts.is_some_and(|f| f.dpf_listed_absent) {
        (
            TransferMechanism::EuUsDpf,
            TransferStatus::Required,
            format!(
                "{name}'s EU-U.S. DPF certification is not recorded: confirm it on the DPF List and record `dpf: true`, or sign SCCs Module {module} (evidence required; Decision (EU) 2023/1795, Art. 46(2)(c))"
            ),
        )
    } else {
        (
            TransferMechanism::Sccs,
            TransferStatus::Required,
            format!(
                "{country} has no general adequacy decision and no DPF certification or SCCs are recorded for {name}{}: SCCs Module {module} required (Art. 46(2)(c))",
                if importer.facts.is_some_and(|f| f.dpf_listed_absent) {
                    " (the catalog reports it as not certified under the DPF)"
                } else {
                    ""
                }
            ),
        )
    };
    t.mechanism = mechanism;
    t.status = status;
    t.why = why;
    if mechanism == TransferMechanism::Sccs {
        t.module = Some(module);
    }
}

fn uk(t: &mut Transfer, importer: &Importer<'_>, name: &str, country: &str, catalog: &Catalog) {
    if catalog.is_eea(country) || general_adequacy(country, catalog).is_some() {
        t.mechanism = TransferMechanism::Adequacy;
        t.status = TransferStatus::Recorded;
        t.why =
            format!("UK adequacy regulations cover {country} (UK GDPR Art. 45; ICO international transfers guidance)");
        establishment_unknown(t, importer);
        return;
    }
    let facts = importer.facts;
    let idta = facts.map_or(Evidence::Unknown, |f| f.uk_idta);
    let bridge = importer.us_framework(country, |f| f.dpf_uk);
    let (mechanism, status, why) = if bridge == Evidence::Recorded {
        (
            TransferMechanism::UkExtension,
            TransferStatus::Recorded,
            format!(
                "{name} participates in the UK Extension to the EU-U.S. DPF (recorded; UK-US data bridge, in force 2023-10-12)"
            ),
        )
    } else if idta == Evidence::Recorded {
        (
            TransferMechanism::Idta,
            TransferStatus::Recorded,
            format!("the IDTA or UK Addendum with {name} is recorded (UK GDPR Art. 46)"),
        )
    } else if let Some(status) = evidence_status(bridge) {
        (
            TransferMechanism::UkExtension,
            status,
            format!(
                "the catalog lists {name} for the UK Extension: confirm it on the DPF List and record `dpf_uk: true`, or sign the IDTA or UK Addendum (evidence required)"
            ),
        )
    } else if importer.platform_sccs {
        (
            TransferMechanism::UkAddendum,
            TransferStatus::Required,
            format!(
                "the Forge terms bring the EU SCCs with {name}; whether they include the UK Addendum is not recorded: confirm it and record `uk_idta: true` (evidence required; EU SCCs alone are not valid for UK transfers, ICO)"
            ),
        )
    } else if country == "US" && bridge == Evidence::Unknown && !facts.is_some_and(|f| f.dpf_listed_absent) {
        (
            TransferMechanism::UkExtension,
            TransferStatus::Required,
            format!(
                "{name}'s participation in the UK Extension to the EU-U.S. DPF is not recorded: confirm it on the DPF List and record `dpf_uk: true`, or sign the IDTA or UK Addendum (evidence required; EU SCCs alone are not valid for UK transfers, ICO)"
            ),
        )
    } else if country == "US" && facts.is_some_and(|f| f.dpf_listed_absent) {
        (
            TransferMechanism::Idta,
            TransferStatus::Required,
            format!(
                "the catalog reports {name} as not certified under the EU-U.S. DPF, so the UK Extension is not open to it: the IDTA or UK Addendum is required and none is recorded; EU SCCs alone are not valid for UK transfers (ICO)"
            ),
        )
    } else {
        (
            TransferMechanism::Idta,
            TransferStatus::Required,
            format!(
                "no UK Extension participation, IDTA or UK Addendum is recorded for {name}: one is required; EU SCCs alone are not valid for UK transfers (ICO)"
            ),
        )
    };
    t.mechanism = mechanism;
    t.status = status;
    t.why = why;
}

fn ch(
    t: &mut Transfer,
    exporter: &Exporter<'_>,
    importer: &Importer<'_>,
    name: &str,
    country: &str,
    catalog: &Catalog,
) {
    if catalog.is_eea(country) || general_adequacy(country, catalog).is_some() {
        t.mechanism = TransferMechanism::Adequacy;
        t.status = TransferStatus::Recorded;
        t.why = format!("{country} is listed in Annex 1 of the Swiss Data Protection Ordinance (FADP Art. 16(1))");
        establishment_unknown(t, importer);
        return;
    }
    let sccs = importer.sccs();
    let swiss_dpf = importer.us_framework(country, |f| f.dpf_ch);
    let (mechanism, status, why) = if swiss_dpf == Evidence::Recorded {
        (
            TransferMechanism::SwissUsDpf,
            TransferStatus::Recorded,
            format!("{name} is certified under the Swiss-U.S. DPF (recorded; Annex 1 DPO since 2024-09-15)"),
        )
    } else if importer.platform_sccs {
        t.evidence_required = true;
        (
            TransferMechanism::Sccs,
            TransferStatus::Required,
            format!(
                "the Forge terms bring the EU SCCs with {name}; whether they are adapted to Swiss law is not recorded: confirm it and record `sccs: true` for this organisation (evidence required; FADP Art. 16(2)(d), FDPIC guidance)"
            ),
        )
    } else if sccs == Evidence::Recorded {
        (
            TransferMechanism::Sccs,
            TransferStatus::Recorded,
            format!("SCCs with {name}, adapted to Swiss law, are recorded (FADP Art. 16(2)(d); FDPIC guidance)"),
        )
    } else if let Some(status) = evidence_status(swiss_dpf) {
        (
            TransferMechanism::SwissUsDpf,
            status,
            format!(
                "the catalog lists {name} for the Swiss-U.S. DPF: confirm it on the DPF List and record `dpf_ch: true` (evidence required)"
            ),
        )
    } else if country == "US" && swiss_dpf == Evidence::Unknown {
        (
            TransferMechanism::SwissUsDpf,
            TransferStatus::Required,
            format!(
                "{name}'s Swiss-U.S. DPF participation is not recorded: confirm it on the DPF List and record `dpf_ch: true`, or sign SCCs adapted to Swiss law (evidence required; FADP Art. 16, Annex 1 DPO)"
            ),
        )
    } else {
        (
            TransferMechanism::Sccs,
            TransferStatus::Required,
            format!(
                "no Swiss-U.S. DPF participation or SCCs adapted to Swiss law are recorded for {name}: one is required (FADP Art. 16)"
            ),
        )
    };
    t.mechanism = mechanism;
    t.status = status;
    t.why = why;
    if mechanism == TransferMechanism::Sccs {
        t.module = Some(exporter.module);
    }
}
