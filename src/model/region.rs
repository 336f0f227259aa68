//! The ways a model can say where something is.

use std::fmt;

/// An Atlassian data-residency realm (the location a site's in-scope data is pinned to).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Realm {
    /// No pinning: Atlassian chooses, and may move, the location.
    #[default]
    Global,
    /// European Union (Frankfurt and Dublin).
    Eu,
    /// United States.
    Us,
    /// Germany.
    De,
    /// Australia.
    Au,
    /// Singapore.
    Sg,
    /// Canada.
    Ca,
    /// India.
    In,
    /// South Korea.
    Kr,
    /// Japan.
    Jp,
    /// United Kingdom.
    Gb,
    /// Switzerland.
    Ch,
}

impl Realm {
    /// Every realm, in a stable order.
    pub const ALL: [Realm; 12] = [
        Realm::Global,
        Realm::Eu,
        Realm::Us,
        Realm::De,
        Realm::Au,
        Realm::Sg,
        Realm::Ca,
        Realm::In,
        Realm::Kr,
        Realm::Jp,
        Realm::Gb,
        Realm::Ch,
    ];

    /// The code used in models (lower case).
    pub fn code(self) -> &'static str {
        match self {
            Realm::Global => "global",
            Realm::Eu => "eu",
            Realm::Us => "us",
            Realm::De => "de",
            Realm::Au => "au",
            Realm::Sg => "sg",
            Realm::Ca => "ca",
            Realm::In => "in",
            Realm::Kr => "kr",
            Realm::Jp => "jp",
            Realm::Gb => "gb",
            Realm::Ch => "ch",
        }
    }

    /// Parses a realm code, in any letter case.
    pub fn parse(code: &str) -> Option<Realm> {
        let lower = code.to_ascii_lowercase();
        Realm::ALL.into_iter().find(|realm| realm.code() == lower)
    }

    /// The jurisdiction data pinned to this realm sits in: an ISO country code, `EU` for the
    /// European Union realm, or `None` for the global realm (unknown, may move).
    pub fn jurisdiction(self) -> Option<&'static str> {
        match self {
            Realm::Global => None,
            Realm::Eu => Some("EU"),
            Realm::Us => Some("US"),
            Realm::De => Some("DE"),
            Realm::Au => Some("AU"),
            Realm::Sg => Some("SG"),
            Realm::Ca => Some("CA"),
            Realm::In => Some("IN"),
            Realm::Kr => Some("KR"),
            Realm::Jp => Some("JP"),
            Realm::Gb => Some("GB"),
            Realm::Ch => Some("CH"),
        }
    }
}

impl serde::Serialize for Realm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Realm {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Realm, D::Error> {
        let code = String::deserialize(deserializer)?;
        // Exact codes only: the schema check has already turned `EU` into an error with a
        // suggestion, so nothing is silently accepted here.
        Realm::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| serde::de::Error::custom(format!("`{code}` is not a data-residency realm")))
    }
}

impl schemars::JsonSchema for Realm {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Realm".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = Realm::ALL.iter().map(|r| r.code()).collect();
        schemars::json_schema!({
            "description": "An Atlassian data-residency realm.",
            "type": "string",
            "enum": codes,
        })
    }
}

impl fmt::Display for Realm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A public cloud whose regions the catalog knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CloudProvider {
    /// Amazon Web Services.
    Aws,
    /// Google Cloud.
    Gcp,
    /// Microsoft Azure.
    Azure,
}

impl CloudProvider {
    /// The prefix used in models (`aws`, `gcp`, `azure`).
    pub fn prefix(self) -> &'static str {
        match self {
            CloudProvider::Aws => "aws",
            CloudProvider::Gcp => "gcp",
            CloudProvider::Azure => "azure",
        }
    }
}

/// Where a component runs, as written in a model.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    /// Follows each installation's realm (as Forge hosted storage does).
    Tenant,
    /// A fixed data-residency realm.
    Realm(Realm),
    /// A cloud provider's region, e.g. `aws:us-east-1`.
    Cloud {
        /// The provider.
        provider: CloudProvider,
        /// The provider's region name.
        name: String,
    },
    /// An ISO 3166-1 alpha-2 country code (upper case).
    Country(String),
}

/// Why a region string could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionError {
    /// What went wrong, for people.
    pub message: String,
    /// A corrected spelling, when one is likely.
    pub suggestion: Option<String>,
}

impl Region {
    /// Reads a region as written in a model: `tenant`, a realm (`eu`, `realm:eu`), a cloud region
    /// (`aws:eu-central-1`), or a country code (`US`, `country:US`).
    ///
    /// Whether a cloud region or country exists is for the catalog to say; this only reads the form.
    pub fn parse(text: &str) -> Result<Region, RegionError> {
        let text = text.trim();
        if text == "tenant" {
            return Ok(Region::Tenant);
        }
        if let Some((prefix, rest)) = text.split_once(':') {
            let provider = match prefix {
                "aws" => Some(CloudProvider::Aws),
                "gcp" => Some(CloudProvider::Gcp),
                "azure" => Some(CloudProvider::Azure),
                _ => None,
            };
            if let Some(provider) = provider {
                return if rest.is_empty() {
                    Err(RegionError {
                        message: format!("`{text}` names no {prefix} region"),
                        suggestion: None,
                    })
                } else {
                    Ok(Region::Cloud {
                        provider,
                        name: rest.to_owned(),
                    })
                };
            }
            return match prefix {
                "realm" => Realm::parse(rest).map(Region::Realm).ok_or_else(|| RegionError {
                    message: format!("`{rest}` is not an Atlassian data-residency realm"),
                    suggestion: None,
                }),
                "country" if is_country_form(rest) => Ok(Region::Country(rest.to_owned())),
                "country" => Err(RegionError {
                    message: format!("`{rest}` is not an ISO 3166-1 alpha-2 country code"),
                    suggestion: Some(format!("country:{}", rest.to_ascii_uppercase())),
                }),
                _ => Err(RegionError {
                    message: format!("unknown region prefix `{prefix}:`"),
                    suggestion: ["aws", "gcp", "azure", "realm", "country"]
                        .iter()
                        .max_by(|a, b| strsim::jaro_winkler(prefix, a).total_cmp(&strsim::jaro_winkler(prefix, b)))
                        .map(|p| format!("{p}:{rest}")),
                }),
            };
        }
        if is_country_form(text) && text != "EU" {
            return Ok(Region::Country(text.to_owned()));
        }
        if let Some(realm) = Realm::ALL.into_iter().find(|realm| realm.code() == text) {
            return Ok(Region::Realm(realm));
        }
        // `EU` is the commonest slip: the realm is written in lower case, countries in upper case.
        if let Some(realm) = Realm::parse(text) {
            return Err(RegionError {
                message: format!("`{text}` is neither a realm (lower case) nor a country code"),
                suggestion: Some(realm.code().to_owned()),
            });
        }
        Err(RegionError {
            message: format!(
                "`{text}` is not a region: expected `tenant`, a realm such as `eu`, a cloud region such as `aws:us-east-1`, or a country code such as `US`"
            ),
            suggestion: None,
        })
    }
}

fn is_country_form(text: &str) -> bool {
    text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase())
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Region::Tenant => f.write_str("tenant"),
            Region::Realm(realm) => f.write_str(realm.code()),
            Region::Cloud { provider, name } => write!(f, "{}:{name}", provider.prefix()),
            Region::Country(code) => f.write_str(code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form() {
        assert_eq!(Region::parse("tenant"), Ok(Region::Tenant));
        assert_eq!(Region::parse("eu"), Ok(Region::Realm(Realm::Eu)));
        assert_eq!(Region::parse("realm:DE"), Ok(Region::Realm(Realm::De)));
        assert_eq!(
            Region::parse("aws:us-east-1"),
            Ok(Region::Cloud {
                provider: CloudProvider::Aws,
                name: "us-east-1".into()
            })
        );
        assert_eq!(Region::parse("US"), Ok(Region::Country("US".into())));
        assert_eq!(Region::parse("country:NO"), Ok(Region::Country("NO".into())));
    }

    #[test]
    fn explains_mistakes() {
        let err = Region::parse("EU").unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("eu"));
        let err = Region::parse("aws-us-east-1").unwrap_err();
        assert!(err.message.contains("not a region"), "{}", err.message);
        let err = Region::parse("asw:us-east-1").unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("aws:us-east-1"));
        assert!(Region::parse("aws:").is_err());
        assert!(Region::parse("realm:mars").is_err());
    }
}
