//! The customers behind the installations: which law governs each one's disclosures, and the
//! installation profiles that share one computed result.
//!
//! Transfers are assessed once per realm, and installations of a realm whose customers are
//! established under one law share that conclusion. When they are established under several
//! laws (or some record their establishment and others do not), no one conclusion is true:
//! each law group is assessed for its own installations ([`by_customer_law`]), and the realm's
//! entry only summarises the groups. Every installation keeps its own conclusions, and the
//! work stays linear: one assessment per realm and law, never one per installation.

use super::transfers::{self, CustomerLawPart, Establishment, Regime, Transfer};
use crate::catalog::Catalog;
use crate::model::{Installation, Model, Plan, Product, Realm};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What governs the disclosures of a group of customers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CustomerLaw {
    /// The transfer law, when one can be concluded or presumed.
    pub regime: Option<Regime>,
    /// Why, naming what it rests on.
    pub why: String,
    /// The one country the customers are established in, when there is one.
    #[serde(skip)]
    pub established: Option<String>,
    /// Only presumed from the realm: no establishment is recorded (evidence required).
    pub presumed: bool,
}

impl CustomerLaw {
    fn of(realm: Realm, establishment: &Establishment<'_>, catalog: &Catalog) -> CustomerLaw {
        let (regime, why) = transfers::customer_regime(realm, establishment, catalog);
        CustomerLaw {
            regime,
            why,
            established: match establishment {
                Establishment::Countries(countries) if countries.len() == 1 => Some(countries[0].to_owned()),
                _ => None,
            },
            presumed: *establishment == Establishment::NotRecorded,
        }
    }
}

/// The installations of one realm whose customers are established under one law.
#[derive(Debug)]
pub struct LawGroup<'m> {
    /// Where they are established (empty: not recorded).
    pub established: Vec<&'m str>,
    /// Their installations.
    pub installations: Vec<&'m str>,
    /// Their law.
    pub law: CustomerLaw,
}

/// The customers' law in one realm.
#[derive(Debug)]
pub struct RealmLaw<'m> {
    /// What holds for every installation of the realm: their one law, or (with several
    /// groups) no regime and a reason that names each group's.
    pub shared: CustomerLaw,
    /// The law groups, one per distinct law (an unrecorded establishment is its own group: a
    /// presumption is not a conclusion).
    pub groups: Vec<LawGroup<'m>>,
}

impl RealmLaw<'_> {
    /// Whether the realm's customers are established under different laws.
    pub fn mixed(&self) -> bool {
        self.groups.len() > 1
    }
}

/// The customers' law of every realm of the model's installations.
pub fn realm_laws<'m>(model: &'m Model, realms: &[Realm], catalog: &Catalog) -> BTreeMap<Realm, RealmLaw<'m>> {
    realms
        .iter()
        .map(|&realm| {
            (
                realm,
                realm_law(model.installations.iter().filter(|i| i.realm == realm), realm, catalog),
            )
        })
        .collect()
}

fn realm_law<'m>(
    installations: impl Iterator<Item = &'m Installation>,
    realm: Realm,
    catalog: &Catalog,
) -> RealmLaw<'m> {
    let mut by_law: BTreeMap<Option<Regime>, (BTreeSet<&'m str>, Vec<&'m str>)> = BTreeMap::new();
    for installation in installations {
        let country = installation.established.as_deref();
        let group = by_law
            .entry(country.map(|c| Regime::of_country(c, catalog)))
            .or_default();
        group.0.extend(country);
        group.1.push(installation.id.as_str());
    }
    let groups: Vec<LawGroup<'m>> = by_law
        .into_values()
        .map(|(countries, installations)| {
            let established: Vec<&str> = countries.into_iter().collect();
            let establishment = if established.is_empty() {
                Establishment::NotRecorded
            } else {
                Establishment::Countries(established.clone())
            };
            LawGroup {
                law: CustomerLaw::of(realm, &establishment, catalog),
                established,
                installations,
            }
        })
        .collect();
    let shared = match groups.as_slice() {
        [one] => one.law.clone(),
        [] => CustomerLaw::of(realm, &Establishment::NotRecorded, catalog),
        several => CustomerLaw {
            regime: None,
            why: format!(
                "the customers of realm `{realm}` are established under different laws ({}): each law's hops are assessed for its own installations",
                several.iter().map(group_said).collect::<Vec<_>>().join("; ")
            ),
            established: None,
            presumed: false,
        },
    };
    RealmLaw { shared, groups }
}

/// A law group as a reader names it: "DE, FR: EU GDPR", "not recorded: presumed EU GDPR".
fn group_said(group: &LawGroup<'_>) -> String {
    let law = group.law.regime.map_or("not known", Regime::rule_name);
    if group.established.is_empty() {
        let presumed = if group.law.regime.is_some() { "presumed " } else { "" };
        format!(
            "establishment not recorded ({}): {presumed}{law}",
            group.installations.join(", ")
        )
    } else {
        format!("{}: {law}", group.established.join(", "))
    }
}

/// One hop for every installation of a realm: assessed once under the realm's shared law
/// when its customers share one, else once per law group, with a summary that names each
/// group's outcome. `hop` assesses the hop under a given customer law.
pub fn by_customer_law(law: &RealmLaw<'_>, hop: impl Fn(&CustomerLaw) -> Transfer) -> Transfer {
    if !law.mixed() {
        return hop(&law.shared);
    }
    let parts: Vec<CustomerLawPart> = law
        .groups
        .iter()
        .map(|group| CustomerLawPart {
            established: group.established.iter().map(|&c| c.to_owned()).collect(),
            installations: group.installations.iter().map(|&i| i.to_owned()).collect(),
            transfer: hop(&group.law),
        })
        .collect();
    if alike(&parts, |t| t) {
        // The customers' law does not decide this hop: one conclusion holds for all.
        return parts
            .into_iter()
            .next()
            .map_or_else(|| hop(&law.shared), |p| p.transfer);
    }
    // The summary carries the most demanding part (the order `assess` ranks a hop's places
    // by: what a reader must act on) and names each group's outcome; the parts are the
    // conclusions. The countries and the regime, where the parts disagree, have no one value:
    // the summary says none; its status, mechanism and module are the most demanding part's.
    let weakest = parts
        .iter()
        .map(|p| &p.transfer)
        .max_by_key(|t| (t.status, t.mechanism))
        .map_or_else(|| hop(&law.shared), Transfer::clone);
    Transfer {
        exporter_country: weakest
            .exporter_country
            .clone()
            .filter(|_| alike(&parts, |t| &t.exporter_country)),
        importer_country: weakest
            .importer_country
            .clone()
            .filter(|_| alike(&parts, |t| &t.importer_country)),
        regime: if alike(&parts, |t| &t.regime) {
            weakest.regime
        } else {
            Regime::Unknown
        },
        why: law.shared.why.clone(),
        // When every group reads alike (the law differs, the outcome does not), it is said once.
        label: if alike(&parts, |t| &t.label) {
            weakest.label.clone()
        } else {
            format!(
                "differs by where the customer is established — {}",
                parts
                    .iter()
                    .map(|p| format!("{}: {}", part_said(p), p.transfer.label))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        },
        evidence_required: parts.iter().any(|p| p.transfer.evidence_required),
        by_platform_terms: parts.iter().all(|p| p.transfer.by_platform_terms),
        by_customer_law: parts,
        ..weakest
    }
}

/// A part as a reader names it in a label: "customers in DE, FR", "customers whose
/// establishment is not recorded".
fn part_said(part: &CustomerLawPart) -> String {
    if part.established.is_empty() {
        "customers whose establishment is not recorded".to_owned()
    } else {
        format!("customers in {}", part.established.join(", "))
    }
}

/// Whether every part's transfer agrees on `field`.
fn alike<T: PartialEq + ?Sized>(parts: &[CustomerLawPart], field: impl Fn(&Transfer) -> &T) -> bool {
    parts.windows(2).all(|w| field(&w[0].transfer) == field(&w[1].transfer))
}

/// Every law the customers of a realm's installations are under (concluded or presumed).
pub fn regimes_in(law: &RealmLaw<'_>) -> Vec<Regime> {
    law.groups.iter().filter_map(|g| g.law.regime).collect()
}

/// What Atlassian's own BAA can cover for a group of installations (Atlassian, "Sign a
/// business associate agreement": Standard, Premium and Enterprise plans of Jira, Jira Service
/// Management and Confluence). It covers the products, never the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AtlassianBaa {
    /// The installations are not marked HIPAA-covered.
    NotHipaaCovered,
    /// Atlassian offers a BAA for these products on this plan; whether the customer signed it
    /// is not recorded (an offer is not an agreement).
    Available,
    /// Atlassian signs no BAA on this plan (Free).
    NotOnPlan,
    /// The plan is not recorded: whether Atlassian signs a BAA is not known (evidence required).
    PlanNotRecorded,
    /// One of the products is outside Atlassian's BAA.
    ProductNotCovered,
    /// The products are not recorded: whether Atlassian's BAA covers them is not known
    /// (evidence required).
    ProductsNotRecorded,
}

impl AtlassianBaa {
    /// Every value, for tables of names.
    pub const ALL: [AtlassianBaa; 6] = [
        AtlassianBaa::NotHipaaCovered,
        AtlassianBaa::Available,
        AtlassianBaa::NotOnPlan,
        AtlassianBaa::PlanNotRecorded,
        AtlassianBaa::ProductNotCovered,
        AtlassianBaa::ProductsNotRecorded,
    ];

    /// For installations of `plan` and `products`, HIPAA-covered or not.
    pub fn of(hipaa: bool, plan: Option<Plan>, products: &[Product]) -> AtlassianBaa {
        if !hipaa {
            return AtlassianBaa::NotHipaaCovered;
        }
        // A product outside the BAA is outside it on every plan: that is said first.
        if products.iter().any(|p| !p.atlassian_baa_covers()) {
            return AtlassianBaa::ProductNotCovered;
        }
        match plan {
            Some(plan) if !plan.atlassian_baa_available() => AtlassianBaa::NotOnPlan,
            None => AtlassianBaa::PlanNotRecorded,
            Some(_) if products.is_empty() => AtlassianBaa::ProductsNotRecorded,
            Some(_) => AtlassianBaa::Available,
        }
    }

    /// The reader's words.
    pub fn name(self) -> &'static str {
        match self {
            AtlassianBaa::NotHipaaCovered => "not HIPAA-covered",
            AtlassianBaa::Available => {
                "available: Atlassian offers one for these products on this plan; whether the customer signed it is not recorded (evidence required); it covers the products, not the app"
            }
            AtlassianBaa::NotOnPlan => "not available: Atlassian signs none on the Free plan",
            AtlassianBaa::PlanNotRecorded => "not known: the plan is not recorded (evidence required)",
            AtlassianBaa::ProductNotCovered => {
                "not available for every product: Atlassian's BAA covers Jira, Jira Service Management and Confluence only"
            }
            AtlassianBaa::ProductsNotRecorded => "not known: the products are not recorded (evidence required)",
        }
    }
}

/// Whether a realm's in-scope data at rest stays in the realm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum InRealm {
    /// It stays, as far as the model shows and nothing it rests on is open.
    Kept,
    /// It stays as far as the model shows, but what that rests on is not confirmed (evidence
    /// required: the realm's `residency` entry says what).
    KeptNotConfirmed,
    /// Some of it is kept outside the realm.
    Leaves,
}

/// Installations that share every fact their conclusions depend on (realm, where the customer
/// is established, plan, HIPAA, products), and those conclusions, computed once for all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct InstallationProfile {
    /// The data-residency realm.
    pub realm: Realm,
    /// Where the customers are established, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub established: Option<String>,
    /// The Atlassian plan, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// HIPAA-covered.
    pub hipaa: bool,
    /// The products the app is installed in.
    pub products: Vec<Product>,
    /// The installations with this profile.
    pub installations: Vec<String>,
    /// The law of these customers' disclosures.
    pub customer_law: CustomerLaw,
    /// Whether the realm's in-scope data at rest stays in the realm (its `residency` entry
    /// says what this rests on).
    pub data_at_rest_in_realm: InRealm,
    /// Whether the transfers of the realm differ by customer law: each hop's
    /// `by_customer_law` part listing these installations is then their conclusion.
    pub transfers_differ_by_customer_law: bool,
    /// How far the HIPAA chain can be assessed for these installations.
    pub hipaa_scope: super::sections::HipaaScope,
    /// What Atlassian's own BAA can cover for them (their product data, never the app's).
    pub atlassian_baa: AtlassianBaa,
}

/// The installation profiles of a model, sorted by realm and then by the profile's facts.
pub fn profiles(
    model: &Model,
    catalog: &Catalog,
    laws: &BTreeMap<Realm, RealmLaw<'_>>,
    kept_in_realm: impl Fn(Realm) -> InRealm,
    phi: bool,
) -> Vec<InstallationProfile> {
    type Key<'a> = (Realm, Option<&'a str>, Option<Plan>, bool, Vec<Product>);
    let mut grouped: BTreeMap<Key<'_>, Vec<String>> = BTreeMap::new();
    for installation in &model.installations {
        let mut products = installation.products.clone();
        products.sort();
        products.dedup();
        let key = (
            installation.realm,
            installation.established.as_deref(),
            installation.plan,
            installation.hipaa,
            products,
        );
        grouped.entry(key).or_default().push(installation.id.clone());
    }
    grouped
        .into_iter()
        .map(|((realm, established, plan, hipaa, products), installations)| {
            let establishment = established.map_or(Establishment::NotRecorded, |c| Establishment::Countries(vec![c]));
            InstallationProfile {
                realm,
                established: established.map(str::to_owned),
                plan,
                hipaa,
                customer_law: CustomerLaw::of(realm, &establishment, catalog),
                data_at_rest_in_realm: kept_in_realm(realm),
                transfers_differ_by_customer_law: laws.get(&realm).is_some_and(RealmLaw::mixed),
                hipaa_scope: super::sections::HipaaScope::of(1, usize::from(hipaa), phi),
                atlassian_baa: AtlassianBaa::of(hipaa, plan, &products),
                products,
                installations,
            }
        })
        .collect()
}
