//! The architecture model: plain data, no I/O.
//!
//! These types are the public contract of the model YAML format (see `docs/model.md`). The
//! loader validates a file against the JSON Schema generated from them before deserialising,
//! so every doc comment here also becomes the description a user sees in the schema.

mod manifest;
mod region;

pub use manifest::{
    EgressEntry, EgressKind, ManifestFacts, RemoteEntry, StorageEntry, StorageResidency, WebtriggerEntry,
    WebtriggerResponse,
};
pub use region::{CloudProvider, Realm, Region, RegionError};

use foldhash::HashMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The model's top-level lists, in document order.
pub const LISTS: [&str; 6] = [
    "organisations",
    "data",
    "boundaries",
    "components",
    "flows",
    "installations",
];

/// An Atlassian app's architecture as a data-flow graph.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Format version of this file; `1`.
    pub trustflow: u32,
    /// The app this model describes.
    pub app: App,
    /// Who operates or hosts the components: the customer, Atlassian, the vendor, third parties.
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    /// The categories of data that flow through the app.
    #[serde(default)]
    pub data: Vec<DataCategory>,
    /// Trust boundaries; a boundary may sit inside another (`parent`).
    #[serde(default)]
    pub boundaries: Vec<Boundary>,
    /// The parts of the system: products, functions, services, datastores, external services.
    #[serde(default)]
    pub components: Vec<Component>,
    /// Who sends which data to whom.
    #[serde(default)]
    pub flows: Vec<Flow>,
    /// The installations (tenants) the analysis considers, each in a data-residency realm.
    #[serde(default)]
    pub installations: Vec<Installation>,
    /// For Forge apps: what the manifest declares that Atlassian's Runs on Atlassian rules read
    /// (egress categories and `inScopeEUD`, remotes, web triggers, customer-managed egress,
    /// storage). Written by `trustflow import`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ManifestFacts>,
}

impl Model {
    /// Component index by id.
    pub fn component_index(&self) -> HashMap<&str, usize> {
        self.components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect()
    }

    /// Data category index by id.
    pub fn data_index(&self) -> HashMap<&str, usize> {
        self.data.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect()
    }

    /// Boundary index by id.
    pub fn boundary_index(&self) -> HashMap<&str, usize> {
        self.boundaries
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id.as_str(), i))
            .collect()
    }

    /// The boundary named `start` and the boundaries enclosing it, innermost first. Stops at
    /// an unknown id or a cycle (validation reports both).
    pub fn boundary_chain(&self, start: Option<&str>, index: &HashMap<&str, usize>) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut next = start.and_then(|b| index.get(b)).copied();
        while let Some(b) = next {
            if chain.contains(&b) {
                break;
            }
            chain.push(b);
            next = self.boundaries[b].parent.as_deref().and_then(|p| index.get(p)).copied();
        }
        chain
    }
}

/// The app being modelled.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// The app's name as listed on the Marketplace.
    pub name: String,
    /// The platform the app runs on.
    pub platform: Platform,
    /// Id of the organisation (in `organisations`) that publishes the app.
    pub vendor: String,
    /// The app key (Connect `key`) or Forge app id, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Version of the app this model describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// A sentence or two on what the app does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The scopes the descriptor requests, as written (`READ`, `ACT_AS_USER`,
    /// `read:jira-work`, …): what the app may do in the customer's site.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
}

/// The platform an app runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Atlassian Connect: the vendor hosts the app and Atlassian calls it.
    #[default]
    Connect,
    /// Forge: the app runs in Atlassian's runtime.
    Forge,
    /// Forge with vendor-hosted parts (Forge Remote, or Connect modules on Forge).
    Hybrid,
}

impl Platform {
    /// The name used in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Connect => "connect",
            Platform::Forge => "forge",
            Platform::Hybrid => "hybrid",
        }
    }

    /// Its name for readers.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Connect => "Connect (hosted by the vendor)",
            Platform::Forge => "Forge (runs on Atlassian)",
            Platform::Hybrid => "Forge with parts hosted by the vendor (Forge Remote)",
        }
    }

    /// The platform of a YAML name.
    pub fn from_code(code: &str) -> Option<Platform> {
        [Platform::Connect, Platform::Forge, Platform::Hybrid]
            .into_iter()
            .find(|p| p.as_str() == code)
    }
}

/// The part an organisation plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OrgRole {
    /// The organisation that installs the app (the controller under GDPR).
    Customer,
    /// Atlassian, which runs the products and the Forge platform.
    Atlassian,
    /// The app's publisher (normally the customer's processor).
    Vendor,
    /// Any other organisation: hosting, e-mail, LLM and other providers.
    ThirdParty,
    /// An organisation that receives data for its own purposes (GDPR Art. 4(7)): for example the
    /// vendor's own product analytics, where the vendor decides why and how. Listed apart from
    /// the customer's sub-processors.
    IndependentController,
}

impl OrgRole {
    /// The name used in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Customer => "customer",
            OrgRole::Atlassian => "atlassian",
            OrgRole::Vendor => "vendor",
            OrgRole::ThirdParty => "third-party",
            OrgRole::IndependentController => "independent-controller",
        }
    }
}

/// The id of the organisation every model has without declaring it: Atlassian, with the
/// catalog's facts.
pub const IMPLICIT_ATLASSIAN: &str = "atlassian";

/// An organisation that operates or hosts components.
///
/// Facts left out here are taken from the built-in catalog entry named by `catalog`; a value
/// given here overrides the catalog's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Identifier used by other elements of the model.
    pub id: String,
    /// Id of a built-in catalog entry (e.g. `aws`, `openai`) supplying the remaining facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The legal entity that contracts (e.g. `Amazon Web Services, Inc.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<String>,
    /// ISO 3166-1 alpha-2 country of the legal entity (e.g. `DE`, `US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The part the organisation plays. Default: `vendor` for the app's vendor, the catalog's
    /// role for catalog entries, otherwise `third-party`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<OrgRole>,
    /// URL of the organisation's data processing agreement, when one is signed (recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpa: Option<String>,
    /// Security attestations held, e.g. `soc2-type2`, `soc2-type1`, `iso27001`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestations: Option<Vec<String>>,
    /// Whether a HIPAA business associate agreement is signed with this organisation (`true`)
    /// or there is none (`false`). Leave out when unknown: unknown is never treated as "no",
    /// and a catalog offer is never treated as signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hipaa_baa: Option<bool>,
    /// Whether the legal entity's EU–U.S. Data Privacy Framework certification was checked on
    /// the DPF List (`true`) or it is not certified (`false`). Leave out when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpf: Option<bool>,
    /// Whether the legal entity participates in the UK Extension to the EU–U.S. DPF (the
    /// UK–US data bridge), checked on the DPF List. Leave out when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpf_uk: Option<bool>,
    /// Whether the legal entity participates in the Swiss–U.S. DPF, checked on the DPF List.
    /// Leave out when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpf_ch: Option<bool>,
    /// Whether EU Standard Contractual Clauses are signed with this organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sccs: Option<bool>,
    /// Whether the UK International Data Transfer Agreement (IDTA) or the UK Addendum to the EU
    /// SCCs is signed with this organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uk_idta: Option<bool>,
    /// Whether the vendor's SOC 2 report includes this subservice organisation's controls (the
    /// inclusive method). Default: carve-out.
    #[serde(default, skip_serializing_if = "is_false")]
    pub soc2_inclusive: bool,
    /// Internet domains the organisation serves (for matching egress hosts), e.g. `api.openai.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// Web site or trust-center URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Contact for privacy matters (e-mail or URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The date (YYYY-MM-DD) it started receiving personal data for the app: the "date added"
    /// of the public sub-processor list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// How long it keeps the personal data it receives (SCC Annex I.B, Art. 30(1)(f)), in the
    /// vendor's words (`30 days`, `until uninstall`, `per the customer's settings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
}

/// A category of data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataCategory {
    /// Identifier used by `stores`, `produces` and flows.
    pub id: String,
    /// Human-readable description of the category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Personal data under GDPR Art. 4(1).
    #[serde(default, skip_serializing_if = "is_false")]
    pub personal: bool,
    /// A credential or secret (passwords, shared secrets, tokens).
    #[serde(default, skip_serializing_if = "is_false")]
    pub credential: bool,
    /// Protected health information under HIPAA (45 CFR 160.103).
    #[serde(default, skip_serializing_if = "is_false")]
    pub phi: bool,
    /// Whether the category is Atlassian "in-scope End-User Data" for data residency.
    /// Default: true for personal or PHI data, false otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_scope: Option<bool>,
    /// A special category of personal data under GDPR Art. 9 (`health`, …), or `none` to
    /// state that it is not one. PHI is always health data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special: Option<Special>,
    /// Data a component produces from personal or PHI inputs keeps their nature unless it is
    /// de-identified (45 CFR 164.514) or anonymised: say so here.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deidentified: bool,
    /// Whose data it is (SCC Annex I.B "categories of data subjects", Art. 30(1)(c)), e.g.
    /// `[end users, customer staff]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
}

/// A special category of personal data (GDPR Art. 9(1)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Special {
    /// Data concerning health.
    Health,
    /// Genetic data.
    Genetic,
    /// Biometric data for identifying a person.
    Biometric,
    /// Racial or ethnic origin.
    RacialOrEthnicOrigin,
    /// Political opinions.
    PoliticalOpinions,
    /// Religious or philosophical beliefs.
    Beliefs,
    /// Trade-union membership.
    TradeUnionMembership,
    /// Sex life or sexual orientation.
    SexLife,
    /// Stated: not a special category (`special: none`). Without any `special:`, whether it is
    /// one is not stated, and the DPA annex says so.
    None,
}

impl Special {
    /// Its name in the YAML and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Special::Health => "health",
            Special::Genetic => "genetic",
            Special::Biometric => "biometric",
            Special::RacialOrEthnicOrigin => "racial-or-ethnic-origin",
            Special::PoliticalOpinions => "political-opinions",
            Special::Beliefs => "beliefs",
            Special::TradeUnionMembership => "trade-union-membership",
            Special::SexLife => "sex-life",
            Special::None => "none",
        }
    }

    /// Whether it names an Art. 9 category (not the statement `none`).
    pub fn is_special(self) -> bool {
        self != Special::None
    }
}

impl DataCategory {
    /// Whether the category is about people: personal data, or PHI (which always is).
    pub fn is_personal(&self) -> bool {
        self.personal || self.phi
    }

    /// The Art. 9 category it is, if it is one (PHI is health data).
    pub fn special_category(&self) -> Option<Special> {
        self.special
            .filter(|s| s.is_special())
            .or(self.phi.then_some(Special::Health))
    }

    /// Whether the model states if it is a special category (`special:`, or `phi`).
    pub fn special_stated(&self) -> bool {
        self.special.is_some() || self.phi
    }

    /// Whether data-residency commitments cover this category.
    pub fn residency_in_scope(&self) -> bool {
        self.in_scope.unwrap_or(self.is_personal())
    }
}

/// A trust boundary: a zone whose inside is controlled by one operator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    /// Identifier used by components and child boundaries.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Id of the organisation controlling the boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Id of the enclosing boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// What a component is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// A Jira, Confluence or other Atlassian product in the customer's site.
    AtlassianProduct,
    /// A Forge function running in Atlassian's runtime.
    ForgeFunction,
    /// Forge hosted storage: KVS, custom entities, Forge SQL.
    ForgeStorage,
    /// A service run by the vendor or someone else (e.g. a Connect app server, a Forge Remote).
    Service,
    /// A database, bucket or other store.
    Datastore,
    /// A service of another organisation called over the internet (an API).
    ExternalService,
    /// People using the app through their browser.
    User,
}

impl ComponentKind {
    /// The name used in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::AtlassianProduct => "atlassian-product",
            ComponentKind::ForgeFunction => "forge-function",
            ComponentKind::ForgeStorage => "forge-storage",
            ComponentKind::Service => "service",
            ComponentKind::Datastore => "datastore",
            ComponentKind::ExternalService => "external-service",
            ComponentKind::User => "user",
        }
    }

    /// Whether the component runs on Atlassian's platform by its nature.
    pub fn runs_on_atlassian(self) -> bool {
        matches!(
            self,
            ComponentKind::AtlassianProduct | ComponentKind::ForgeFunction | ComponentKind::ForgeStorage
        )
    }

    /// Whether data originates at components of this kind: the customer's own products and
    /// users create data; they are not recipients of it.
    pub fn is_origin(self) -> bool {
        matches!(self, ComponentKind::AtlassianProduct | ComponentKind::User)
    }

    /// Whether the component holds data where it is (rather than only passing it on).
    pub fn is_store(self) -> bool {
        matches!(self, ComponentKind::ForgeStorage | ComponentKind::Datastore)
    }
}

/// A part of the system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Identifier used by flows.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the component is.
    pub kind: ComponentKind,
    /// Id of the organisation that runs the component. Default: Atlassian for products, Forge
    /// functions and Forge storage; the boundary's operator otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Id of the organisation whose infrastructure the component runs on (e.g. `aws`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_by: Option<String>,
    /// Where the component runs: a realm (`eu`, `us`, …), `tenant` (the installation's realm),
    /// a cloud region (`aws:us-east-1`), or an ISO country code (`US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Id of the trust boundary the component sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    /// Data categories the component keeps at rest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<String>,
    /// Data categories the component creates itself (products and users create all data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub produces: Vec<String>,
    /// Whose destination it is. `customer`: the customer's own account (its Slack workspace,
    /// its ServiceNow instance, reached with its token): a customer-enabled integration, not
    /// one of the vendor's sub-processors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// How its `stores` list is known: `permissions` when an importer assumed the component
    /// keeps what the app's permissions let it read (see the flow's `basis`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// Whether the component accepts requests from the internet.
    #[serde(default, skip_serializing_if = "is_false")]
    pub public_endpoint: bool,
    /// Whether the component verifies the JWT on inbound Connect requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifies_jwt: Option<bool>,
    /// Whether the component checks the JWT `qsh` claim (query-string hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validates_qsh: Option<bool>,
    /// Whether stored records are partitioned by tenant (Connect `clientKey`, Forge installation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyed_by_tenant: Option<bool>,
    /// Whether the tenant's data is deleted when the app is uninstalled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_on_uninstall: Option<bool>,
    /// Whether data at rest is encrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_at_rest: Option<bool>,
    /// How long this component keeps the personal data it stores (SCC Annex I.B), in the
    /// vendor's words (`90 days after the last sync`, `until uninstall`); the DPA annex shows
    /// it beside the organisation's `retention`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// Hosts a Forge function may call (`permissions.external.fetch.backend`), as declared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<String>,
    /// Free text on what the component does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What makes a flow happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Trigger {
    /// The Connect `installed` lifecycle callback (carries `clientKey` and `sharedSecret`).
    LifecycleInstalled,
    /// The Connect `uninstalled` lifecycle callback.
    LifecycleUninstalled,
    /// The Connect `enabled` lifecycle callback.
    LifecycleEnabled,
    /// The Connect `disabled` lifecycle callback.
    LifecycleDisabled,
    /// A webhook sent by the product on an event.
    Webhook,
    /// A page or panel the product loads in an iframe from the app.
    Iframe,
    /// A call to a REST API.
    Rest,
    /// An outbound fetch from a Forge function (egress).
    Fetch,
    /// A Forge Remote invocation.
    Remote,
    /// A scheduled job or trigger.
    Scheduled,
    /// Reads and writes to storage.
    Storage,
    /// A Forge product event trigger or async event.
    Event,
    /// A Forge web trigger (a public URL).
    Webtrigger,
    /// A Forge UI (Custom UI or UI Kit) invoking its resolver.
    Invoke,
    /// A person using the product or the app in the browser.
    User,
    /// E-mail sent to a person.
    Email,
}

impl Trigger {
    /// The name used in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::LifecycleInstalled => "lifecycle-installed",
            Trigger::LifecycleUninstalled => "lifecycle-uninstalled",
            Trigger::LifecycleEnabled => "lifecycle-enabled",
            Trigger::LifecycleDisabled => "lifecycle-disabled",
            Trigger::Webhook => "webhook",
            Trigger::Iframe => "iframe",
            Trigger::Rest => "rest",
            Trigger::Fetch => "fetch",
            Trigger::Remote => "remote",
            Trigger::Scheduled => "scheduled",
            Trigger::Storage => "storage",
            Trigger::Event => "event",
            Trigger::Webtrigger => "webtrigger",
            Trigger::Invoke => "invoke",
            Trigger::User => "user",
            Trigger::Email => "email",
        }
    }
}

/// How the receiver of a flow authenticates the sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// No authentication.
    None,
    /// Connect JWT signed HS256 with the installation's `sharedSecret`.
    JwtHs256,
    /// JWT signed RS256 by Atlassian (signed install/uninstall callbacks).
    JwtRs256,
    /// Forge Invocation Token (RS256, verified against Atlassian's JWKS).
    Fit,
    /// OAuth 2.0 bearer token.
    Oauth2,
    /// A static API key or bearer secret.
    ApiKey,
    /// Mutual TLS.
    Mtls,
    /// Inside Atlassian's platform, authenticated by the runtime itself.
    Platform,
}

impl Auth {
    /// The name used in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::JwtHs256 => "jwt-hs256",
            Auth::JwtRs256 => "jwt-rs256",
            Auth::Fit => "fit",
            Auth::Oauth2 => "oauth2",
            Auth::ApiKey => "api-key",
            Auth::Mtls => "mtls",
            Auth::Platform => "platform",
        }
    }
}

/// A flow of data from one component to another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Optional identifier; flows without one are named `from->to` in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Id of the sending component.
    pub from: String,
    /// Id of the receiving component.
    pub to: String,
    /// What makes the flow happen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    /// How the receiver authenticates the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// Data categories the flow carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
    /// Why the data is sent (becomes the purpose in the GDPR inventory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The host name the flow goes to (for egress), e.g. `api.openai.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Whether the flow is encrypted in transit (TLS). Default: assumed for HTTPS flows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// On whose instruction the data goes. `customer`: the customer's own integration (posted
    /// with the customer's token to the customer's account); the data it carries there is a
    /// customer-enabled integration, not a disclosure to one of the vendor's sub-processors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// How its `data` list is known. `permissions`: an importer took it from what the app's
    /// declared permissions (scopes) allow it to handle, which the vendor has not confirmed;
    /// reports mark it "evidence required". Give `data` in an overlay (or `basis: stated`) to
    /// confirm. Default: `stated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
}

/// How a list of data in the model is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Stated by whoever wrote the model (the default).
    Stated,
    /// Inferred by an importer from the app's declared permissions: what the app may handle,
    /// not confirmed by the vendor to be what it does.
    Permissions,
}

impl Flow {
    /// The flow's identifier, or `from->to` when it has none.
    pub fn label(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("{}->{}", self.from, self.to))
    }
}

/// An installation of the app in a customer's site.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Installation {
    /// Identifier of the installation.
    pub id: String,
    /// The data-residency realm the site is pinned to: `eu`, `us`, `de`, `au`, `global`, …
    pub realm: Realm,
    /// The ISO 3166-1 country where the customer is established: its law governs the
    /// customer's disclosures (the realm is not the applicable law).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub established: Option<String>,
    /// Products the app is installed in (`jira`, `confluence`, `jsm`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<Product>,
    /// Whether the customer is a HIPAA covered entity or business associate for this site.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hipaa: bool,
    /// The Atlassian plan (`free`, `standard`, `premium`, `enterprise`); Atlassian signs BAAs
    /// only for Standard and above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// Destinations this customer's admin approved for the app's customer-managed egress
    /// (Forge `permissions.external.configurable`, atlassian.md I2): hosts or URLs. The set
    /// differs per installation and no manifest shows it; absent means "not recorded", an
    /// empty list means "none approved".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_egress: Option<Vec<String>>,
}

/// Whose destination a component is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Owner {
    /// The customer's own account or system: data goes there at the customer's instruction.
    Customer,
    /// The vendor's (the default).
    Vendor,
}

/// An Atlassian Cloud product an app can be installed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    /// Jira.
    Jira,
    /// Jira Service Management.
    Jsm,
    /// Confluence.
    Confluence,
    /// Bitbucket Cloud.
    Bitbucket,
    /// Compass.
    Compass,
}

impl Product {
    /// The name used in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Product::Jira => "jira",
            Product::Jsm => "jsm",
            Product::Confluence => "confluence",
            Product::Bitbucket => "bitbucket",
            Product::Compass => "compass",
        }
    }

    /// Whether Atlassian's HIPAA BAA covers the product (Jira, Jira Service Management and
    /// Confluence only; Atlassian, "Sign a business associate agreement",
    /// https://support.atlassian.com/organization-administration/docs/sign-a-business-associate-agreement-baa/).
    pub fn atlassian_baa_covers(self) -> bool {
        matches!(self, Product::Jira | Product::Jsm | Product::Confluence)
    }
}

/// An Atlassian Cloud plan. Checked when the model is read: `plan: Standard` or `plan: pro` is
/// an input error with a suggestion, never a silent "not Standard".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    /// Free.
    Free,
    /// Standard.
    Standard,
    /// Premium.
    Premium,
    /// Enterprise.
    Enterprise,
}

impl Plan {
    /// The name used in the YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Standard => "standard",
            Plan::Premium => "premium",
            Plan::Enterprise => "enterprise",
        }
    }

    /// Whether Atlassian signs a HIPAA BAA for its products on this plan (Standard and above).
    pub fn atlassian_baa_available(self) -> bool {
        self != Plan::Free
    }
}

#[allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_false(value: &bool) -> bool {
    !*value
}
