//! Synthetic models for benchmarks and scale tests.
//!
//! Each app unit is a Connect-style app slice of 5 components (product, app server, database,
//! e-mail API, LLM API), 3 boundaries and 6 flows, sharing organisations and data categories.

use std::fmt::Write as _;

const HEADER: &str = r#"trustflow: 1
app: { name: Synthetic portfolio, platform: connect, vendor: acme }
organisations:
  - { id: customer, name: Customer, role: customer }
  - { id: acme, name: Acme, legal_entity: Acme GmbH, country: DE, dpa: "https://acme.example/dpa" }
  - { id: aws, catalog: aws, sccs: true }
  - { id: sendgrid, catalog: sendgrid }
  - { id: openai, catalog: openai }
  - { id: atlassian, catalog: atlassian }
data:
  - { id: content, personal: true }
  - { id: identity, personal: true }
  - { id: secret, credential: true }
  - { id: summary, personal: true }
boundaries:
  - { id: atlassian-cloud, operator: atlassian }
"#;

/// A model YAML with `units` app units.
pub fn synthetic_model(units: usize) -> String {
    let mut out = String::with_capacity(1_200 * units + 2_000);
    out.push_str(HEADER);
    for u in 0..units {
        let _ = write!(
            out,
            "  - {{ id: u{u}-tenant, parent: atlassian-cloud }}\n  - {{ id: u{u}-vendor, operator: acme }}\n  - {{ id: u{u}-internet }}\n"
        );
    }
    out.push_str("components:\n");
    for u in 0..units {
        let _ = write!(
            out,
            "  - {{ id: u{u}-jira, kind: atlassian-product, boundary: u{u}-tenant, region: tenant }}\n  - {{ id: u{u}-server, kind: service, operator: acme, hosted_by: aws, region: \"aws:us-east-1\", boundary: u{u}-vendor, public_endpoint: true, verifies_jwt: true, validates_qsh: true }}\n  - {{ id: u{u}-db, kind: datastore, operator: acme, hosted_by: aws, region: \"aws:us-east-1\", boundary: u{u}-vendor, stores: [content, identity, secret, summary], keyed_by_tenant: true, purge_on_uninstall: true }}\n  - {{ id: u{u}-mail, kind: external-service, operator: sendgrid, region: US, boundary: u{u}-internet }}\n  - {{ id: u{u}-llm, kind: external-service, operator: openai, region: US, boundary: u{u}-internet, produces: [summary] }}\n"
        );
    }
    out.push_str("flows:\n");
    for u in 0..units {
        let _ = write!(
            out,
            "  - {{ from: u{u}-jira, to: u{u}-server, trigger: lifecycle-installed, auth: jwt-rs256, data: [secret], purpose: Install }}\n  - {{ from: u{u}-jira, to: u{u}-server, trigger: webhook, auth: jwt-hs256, data: [content, identity], purpose: Sync }}\n  - {{ from: u{u}-server, to: u{u}-db, trigger: storage, data: [content, identity, secret, summary], purpose: Keep }}\n  - {{ from: u{u}-server, to: u{u}-llm, trigger: rest, auth: api-key, host: api.openai.com, data: [content], purpose: Summarise }}\n  - {{ from: u{u}-llm, to: u{u}-server, trigger: rest, data: [summary], purpose: Return }}\n  - {{ from: u{u}-server, to: u{u}-mail, trigger: rest, auth: api-key, host: api.sendgrid.com, data: [summary, identity], purpose: Notify }}\n"
        );
    }
    out.push_str(
        "installations:\n  - { id: eu, realm: eu, plan: standard }\n  - { id: us, realm: us, plan: standard }\n",
    );
    out
}

/// The realms of the twin's four installations.
const TWIN_REALMS: [&str; 4] = ["eu", "us", "de", "au"];
/// The regions of the twin's vendor-hosted components, by unit.
const TWIN_REGIONS: [&str; 4] = [
    "aws:us-east-1",
    "aws:eu-central-1",
    "gcp:europe-west3",
    "azure:westeurope",
];

/// A model of `units` units in the shape OWASP pytm is benchmarked with (the twin of the shared
/// benchmark's `pytm_twin.py`, byte for byte): per unit its own user, Jira tenant, vendor,
/// app backend, app store, third party and two data categories, three boundaries and six flows;
/// four shared boundaries; one installation in each of the first four units' realms. Security
/// properties vary with period 12, so every rule has work to do.
pub fn twin_model(units: usize) -> String {
    let (mut o, mut d, mut c, mut f, mut inst) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    let mut b = String::from(
        "  - { id: internet }\n  - { id: atlassian, operator: atlassian }\n  - { id: vendors }\n  - { id: saas }\n",
    );
    for i in 0..units {
        let forge = i % 4 == 3;
        let role = if i == 0 { "vendor" } else { "third-party" };
        let country = if i % 2 == 1 { "DE" } else { "US" };
        let _ = writeln!(
            o,
            "  - {{ id: vendor-{i}, name: Vendor {i} Ltd, country: {country}, role: {role}, hipaa_baa: {} }}",
            i % 5 == 0
        );
        let _ = writeln!(
            o,
            "  - {{ id: third-{i}, name: Third Party {i} Inc., country: US, role: third-party }}"
        );
        let _ = writeln!(
            d,
            "  - {{ id: issue-{i}, name: Issue content {i}, personal: true, phi: {} }}",
            i % 12 == 7
        );
        let _ = writeln!(d, "  - {{ id: token-{i}, name: Access token {i}, credential: true }}");
        let _ = writeln!(b, "  - {{ id: tenant-{i}, parent: atlassian }}");
        let _ = writeln!(b, "  - {{ id: vapp-{i}, parent: vendors, operator: vendor-{i} }}");
        let _ = writeln!(b, "  - {{ id: vdata-{i}, parent: vapp-{i}, operator: vendor-{i} }}");
        let _ = writeln!(
            c,
            "  - {{ id: user-{i}, kind: user, boundary: internet, region: tenant }}"
        );
        let _ = writeln!(
            c,
            "  - {{ id: jira-{i}, kind: atlassian-product, boundary: tenant-{i}, region: tenant }}"
        );
        let region = TWIN_REGIONS[i % 4];
        if forge {
            let _ = writeln!(
                c,
                "  - {{ id: app-{i}, kind: forge-function, operator: vendor-{i}, boundary: tenant-{i}, region: tenant }}"
            );
            let _ = writeln!(
                c,
                "  - {{ id: db-{i}, kind: forge-storage, boundary: tenant-{i}, region: tenant, stores: [issue-{i}] }}"
            );
        } else {
            let _ = writeln!(
                c,
                "  - {{ id: app-{i}, kind: service, operator: vendor-{i}, hosted_by: vendor-{i}, region: \"{region}\", boundary: vapp-{i}, public_endpoint: true, verifies_jwt: {}, validates_qsh: {} }}",
                i % 3 != 0,
                i % 2 == 0
            );
            let _ = writeln!(
                c,
                "  - {{ id: db-{i}, kind: datastore, operator: vendor-{i}, hosted_by: vendor-{i}, region: \"{region}\", boundary: vdata-{i}, stores: [issue-{i}, token-{i}], keyed_by_tenant: {}, purge_on_uninstall: {} }}",
                i % 6 != 5,
                i % 3 != 1
            );
        }
        let _ = writeln!(
            c,
            "  - {{ id: ext-{i}, kind: external-service, operator: third-{i}, boundary: saas, region: US }}"
        );
        let auth = if forge { "fit" } else { "jwt-hs256" };
        let _ = writeln!(
            f,
            "  - {{ from: user-{i}, to: jira-{i}, trigger: iframe, data: [issue-{i}], purpose: Browse and edit issues }}"
        );
        let _ = writeln!(
            f,
            "  - {{ from: jira-{i}, to: user-{i}, trigger: iframe, data: [issue-{i}], purpose: Rendered issue page }}"
        );
        let _ = writeln!(
            f,
            "  - {{ from: jira-{i}, to: app-{i}, trigger: webhook, auth: {auth}, data: [issue-{i}, token-{i}], purpose: Issue updated }}"
        );
        let _ = writeln!(
            f,
            "  - {{ from: app-{i}, to: jira-{i}, trigger: rest, auth: {auth}, data: [token-{i}, issue-{i}], purpose: REST call }}"
        );
        let stored = if forge {
            format!("issue-{i}")
        } else {
            format!("issue-{i}, token-{i}")
        };
        let _ = writeln!(
            f,
            "  - {{ from: app-{i}, to: db-{i}, trigger: storage, data: [{stored}], purpose: Persist snapshot }}"
        );
        let _ = writeln!(
            f,
            "  - {{ from: app-{i}, to: ext-{i}, trigger: fetch, data: [issue-{i}], purpose: Sync to third party }}"
        );
        if i < 4 {
            let _ = writeln!(
                inst,
                "  - {{ id: site-{i}, realm: {}, products: [jira], hipaa: {} }}",
                TWIN_REALMS[i % 4],
                i % 12 == 7
            );
        }
    }
    format!(
        "# generated by pytm_twin.py: {units} units\ntrustflow: 1\napp: {{ name: Synthetic portfolio x{units}, platform: connect, vendor: vendor-0 }}\norganisations:\n  - {{ id: atlassian, catalog: atlassian }}\n{o}data:\n{d}boundaries:\n{b}components:\n{c}flows:\n{f}installations:\n{inst}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::load::load_model_str;

    #[test]
    fn synthetic_models_are_valid_and_have_the_documented_shape() {
        let loaded = load_model_str("synthetic", &synthetic_model(3), &Catalog::builtin()).unwrap();
        assert_eq!(loaded.model.components.len(), 15);
        assert_eq!(loaded.model.flows.len(), 18);
        assert_eq!(loaded.model.boundaries.len(), 1 + 9);
    }
}
