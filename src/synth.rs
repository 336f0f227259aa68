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
