//! The built-in catalog of facts: countries, cloud regions and well-known organisations.
//!
//! The catalog is data (`models/catalog/*.yaml`, embedded in the binary). Users add or correct
//! facts without recompiling by passing their own catalog file, merged over the built-in one.

use crate::model::{CloudProvider, OrgRole, Realm, Region};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const BUILTIN_REGIONS: &str = include_str!("../models/catalog/regions.yaml");
const BUILTIN_ORGANISATIONS: &str = include_str!("../models/catalog/organisations.yaml");

/// Facts trustflow knows without being told.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Date the region facts were checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Places that are not countries but stand for one legal area (the `EU` realm).
    #[serde(default)]
    pub jurisdictions: BTreeMap<String, Country>,
    /// ISO 3166-1 alpha-2 code → facts.
    #[serde(default)]
    pub countries: BTreeMap<String, Country>,
    /// Provider prefix (`aws`) → region name → facts.
    #[serde(default)]
    pub clouds: BTreeMap<String, BTreeMap<String, CloudRegion>>,
    /// Catalog id → organisation facts.
    #[serde(default)]
    pub organisations: BTreeMap<String, CatalogOrganisation>,
}

/// A country or jurisdiction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// English name.
    pub name: String,
    /// Member of the European Economic Area.
    #[serde(default)]
    pub eea: bool,
    /// The Commission's adequacy decision (GDPR Art. 45), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adequacy: Option<Adequacy>,
}

/// An adequacy decision under GDPR Art. 45.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adequacy {
    /// The decision's reference.
    pub decision: String,
    /// What the decision covers when it is partial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<AdequacyScope>,
}

/// The limits of a partial adequacy decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdequacyScope {
    /// Only organisations certified under the EU-U.S. Data Privacy Framework.
    Dpf,
    /// Only commercial organisations (Canada, PIPEDA).
    Commercial,
}

/// A cloud provider's region.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudRegion {
    /// ISO country code of the region's data centres.
    pub country: String,
    /// City or area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A source backing a catalog fact.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Where the fact was read.
    pub url: String,
    /// The date the source gave, or the date it was read.
    pub as_of: String,
}

/// What the catalog knows of an organisation. Missing facts are unknown, never "no".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogOrganisation {
    /// Display name.
    pub name: String,
    /// The contracting legal entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<String>,
    /// ISO country of the legal entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Default role when a model uses this entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<OrgRole>,
    /// What the organisation provides: `hosting`, `email`, `llm`, `monitoring`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Whether the organisation offers a data processing agreement to its customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpa_offered: Option<bool>,
    /// URL of the DPA, where a source gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpa: Option<String>,
    /// Security attestations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<String>,
    /// Whether a HIPAA BAA is offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hipaa_baa: Option<bool>,
    /// What the BAA covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baa_scope: Option<String>,
    /// Whether the legal entity is on the EU-U.S. Data Privacy Framework list (a public fact
    /// with a date: to be confirmed on the list, so it counts as "offered", not recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpf: Option<bool>,
    /// Whether it participates in the UK Extension to the DPF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpf_uk: Option<bool>,
    /// Whether it participates in the Swiss-U.S. DPF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpf_ch: Option<bool>,
    /// Whether the organisation's DPA includes the EU Standard Contractual Clauses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sccs: Option<bool>,
    /// Domains it serves; a host matches a domain when it equals it or ends with `.domain`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// Trust-center or compliance URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The organisation's data-residency options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eu_residency: Option<String>,
    /// How long the provider keeps what it receives under its standard terms (its published
    /// default, not what a given account is configured for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// Where the retention default was read; required with `retention`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_source: Option<Source>,
    /// Anything else a reviewer should know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Where the facts come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// Error reading a catalog file.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CatalogError(pub String);

impl Catalog {
    /// The catalog compiled into trustflow.
    ///
    /// # Panics
    /// Never for a released build: a test parses the embedded files.
    pub fn builtin() -> Catalog {
        let mut catalog = Catalog::parse(BUILTIN_REGIONS).expect("built-in regions catalog parses");
        catalog.merge(Catalog::parse(BUILTIN_ORGANISATIONS).expect("built-in organisations catalog parses"));
        catalog
    }

    /// Reads a catalog document (the format of `models/catalog/*.yaml`).
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        serde_saphyr::from_str(text).map_err(|e| CatalogError(e.to_string()))
    }

    /// Adds `other`'s entries, replacing entries with the same key.
    pub fn merge(&mut self, other: Catalog) {
        if other.as_of.is_some() {
            self.as_of = other.as_of;
        }
        self.jurisdictions.extend(other.jurisdictions);
        self.countries.extend(other.countries);
        for (provider, regions) in other.clouds {
            self.clouds.entry(provider).or_default().extend(regions);
        }
        self.organisations.extend(other.organisations);
    }

    /// Facts on a country or jurisdiction code (`DE`, `EU`).
    pub fn country(&self, code: &str) -> Option<&Country> {
        self.countries.get(code).or_else(|| self.jurisdictions.get(code))
    }

    /// The cloud region named `provider:name`.
    pub fn cloud_region(&self, provider: CloudProvider, name: &str) -> Option<&CloudRegion> {
        self.clouds.get(provider.prefix()).and_then(|regions| regions.get(name))
    }

    /// The jurisdiction (country code, or `EU`) a fixed region sits in; `None` for `tenant`, the
    /// global realm, or a region the catalog does not know.
    pub fn jurisdiction_of(&self, region: &Region) -> Option<String> {
        match region {
            Region::Tenant => None,
            Region::Realm(realm) => realm.jurisdiction().map(str::to_owned),
            Region::Cloud { provider, name } => self.cloud_region(*provider, name).map(|r| r.country.clone()),
            Region::Country(code) => Some(code.clone()),
        }
    }

    /// Whether a jurisdiction is in the EEA (where GDPR transfers rules do not apply).
    pub fn is_eea(&self, jurisdiction: &str) -> bool {
        self.country(jurisdiction).is_some_and(|c| c.eea)
    }

    /// Checks that a region names something the catalog knows; returns a suggestion otherwise.
    pub fn check_region(&self, region: &Region) -> Result<(), Option<String>> {
        match region {
            Region::Tenant | Region::Realm(_) => Ok(()),
            Region::Cloud { provider, name } => {
                let known = self.clouds.get(provider.prefix());
                if known.is_some_and(|regions| regions.contains_key(name)) {
                    Ok(())
                } else {
                    Err(known
                        .and_then(|regions| crate::suggest::closest(name, regions.keys().map(String::as_str)))
                        .map(|s| format!("{}:{s}", provider.prefix())))
                }
            }
            Region::Country(code) => {
                if self.countries.contains_key(code) {
                    Ok(())
                } else {
                    Err(crate::suggest::closest(code, self.countries.keys().map(String::as_str)).map(str::to_owned))
                }
            }
        }
    }

    /// The catalog organisation serving `host`, matched on the longest domain suffix.
    pub fn organisation_for_host(&self, host: &str) -> Option<(&str, &CatalogOrganisation)> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.organisations
            .iter()
            .flat_map(|(id, org)| org.domains.iter().map(move |d| (id.as_str(), org, d)))
            .filter(|(_, _, domain)| crate::host::within_domain(&host, domain))
            .max_by_key(|(_, _, domain)| domain.len())
            .map(|(id, org, _)| (id, org))
    }

    /// The realm of every realm code, for listings.
    pub fn realms() -> impl Iterator<Item = Realm> {
        Realm::ALL.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_and_has_facts() {
        let catalog = Catalog::builtin();
        assert!(catalog.is_eea("DE"));
        assert!(catalog.is_eea("EU"));
        assert!(!catalog.is_eea("US"));
        assert_eq!(
            catalog
                .jurisdiction_of(&Region::parse("aws:us-east-1").unwrap())
                .as_deref(),
            Some("US")
        );
        let aws = &catalog.organisations["aws"];
        assert_eq!(aws.legal_entity.as_deref(), Some("Amazon Web Services, Inc."));
        assert!(!aws.sources.is_empty());
        for (id, org) in &catalog.organisations {
            assert!(!org.sources.is_empty(), "catalog organisation {id} has no source");
            assert_eq!(
                org.retention.is_some(),
                org.retention_source.is_some(),
                "catalog organisation {id}: a retention default needs its source"
            );
        }
    }

    #[test]
    fn hosts_match_organisations_by_longest_suffix() {
        let catalog = Catalog::builtin();
        assert_eq!(
            catalog.organisation_for_host("api.openai.com").map(|o| o.0),
            Some("openai")
        );
        assert_eq!(
            catalog.organisation_for_host("acme.herokuapp.com").map(|o| o.0),
            Some("heroku")
        );
        assert_eq!(catalog.organisation_for_host("evilopenai.com").map(|o| o.0), None);
        assert_eq!(catalog.organisation_for_host("example.org"), None);
    }

    #[test]
    fn unknown_regions_get_suggestions() {
        let catalog = Catalog::builtin();
        let err = catalog
            .check_region(&Region::parse("aws:us-east1").unwrap())
            .unwrap_err();
        assert_eq!(err.as_deref(), Some("aws:us-east-1"));
        assert!(catalog.check_region(&Region::parse("XX").unwrap()).is_err());
    }
}
