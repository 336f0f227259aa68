//! Accumulates a model while a descriptor is read, with the provenance of each element.

use super::scopes::Category;
use super::{Imported, Summary};
use crate::catalog::Catalog;
use crate::model::{
    App, Auth, Basis, Component, ComponentKind, DataCategory, Flow, Model, OrgRole, Organisation, Trigger,
};
use std::collections::BTreeMap;

/// The data category ids a descriptor's scopes grant.
#[derive(Clone, Debug, Default)]
pub struct Granted {
    /// Categories the app can read.
    pub read_ids: Vec<String>,
    /// Categories the app can write.
    pub write_ids: Vec<String>,
    /// The personal ones among both.
    pub personal: Vec<String>,
}

/// Builds an imported model.
#[derive(Debug, Default)]
pub struct Builder {
    model: Model,
    provenance: BTreeMap<String, String>,
    warnings: Vec<String>,
    /// What the descriptor said.
    pub summary: Summary,
    /// Flow ids in use, and the next suffix to try per base id: a descriptor repeating one
    /// entry thousands of times costs linear time, not cubic.
    flow_ids: std::collections::HashSet<String>,
    /// Hosts the vendor itself serves (its remotes' and app server's base URLs): egress to one
    /// of them is the vendor, not a third party.
    pub vendor_hosts: std::collections::HashSet<String>,
    /// Component and organisation ids in use (the builder is the only place that adds them).
    component_ids: std::collections::HashSet<String>,
    organisation_ids: std::collections::HashSet<String>,
    next_suffix: std::collections::HashMap<String, usize>,
}

/// Turns a host or address into something usable as an id: `api.openai.com` → `api-openai-com`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("wss://")
        .chars()
    {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() { "any".to_owned() } else { out }
}

impl Builder {
    /// A builder for an app.
    pub fn new(app: App) -> Builder {
        let mut builder = Builder {
            model: Model {
                trustflow: crate::model::FORMAT_VERSION,
                app,
                ..Model::default()
            },
            ..Builder::default()
        };
        builder.organisation(
            Organisation {
                id: "customer".into(),
                name: Some("The customer".into()),
                role: Some(OrgRole::Customer),
                ..Organisation::default()
            },
            "the organisation installing the app (the controller)",
        );
        builder.organisation(
            Organisation {
                id: "vendor".into(),
                name: Some("The app's vendor".into()),
                role: Some(OrgRole::Vendor),
                ..Organisation::default()
            },
            "the app's publisher: the descriptor does not name its legal entity",
        );
        builder.organisation(
            Organisation {
                id: "atlassian".into(),
                catalog: Some("atlassian".into()),
                ..Organisation::default()
            },
            "runs the products (and Forge)",
        );
        builder.model.boundaries.push(crate::model::Boundary {
            id: "atlassian-cloud".into(),
            name: Some("Atlassian Cloud".into()),
            operator: Some("atlassian".into()),
            parent: None,
        });
        builder.model.boundaries.push(crate::model::Boundary {
            id: "tenant".into(),
            name: Some("Customer site".into()),
            operator: None,
            parent: Some("atlassian-cloud".into()),
        });
        builder
    }

    /// Records a warning.
    pub fn warn(&mut self, warning: impl Into<String>) {
        self.warnings.push(warning.into());
    }

    /// The model so far.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The model so far, to adjust.
    pub fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    /// Adds an organisation once.
    pub fn organisation(&mut self, org: Organisation, from: &str) -> String {
        let id = org.id.clone();
        if self.organisation_ids.insert(id.clone()) {
            self.provenance.insert(format!("organisations/{id}"), from.to_owned());
            self.model.organisations.push(org);
        }
        id
    }

    /// Adds a data category once; returns its id.
    pub fn data(&mut self, category: Category, from: &str) -> &'static str {
        if !self.model.data.iter().any(|d| d.id == category.id) {
            self.provenance
                .insert(format!("data/{}", category.id), format!("from {from}"));
            self.model.data.push(DataCategory {
                id: category.id.to_owned(),
                name: Some(category.name.to_owned()),
                personal: category.personal,
                credential: category.credential,
                phi: false,
                in_scope: None,
                special: None,
                deidentified: false,
                subjects: category.subjects.iter().map(|s| (*s).to_owned()).collect(),
            });
        }
        category.id
    }

    /// Adds a component once (by id); returns its id.
    pub fn component(&mut self, mut component: Component, from: &str) -> String {
        // A category is listed once, in the order first given (scopes can grant one twice).
        for list in [&mut component.stores, &mut component.produces] {
            let mut seen = std::collections::HashSet::new();
            list.retain(|d| seen.insert(d.clone()));
        }
        let id = component.id.clone();
        if self.component_ids.insert(id.clone()) {
            self.provenance
                .insert(format!("components/{id}"), format!("from {from}"));
            self.model.components.push(component);
        }
        id
    }

    /// A bare component of a kind.
    pub fn bare(id: &str, name: &str, kind: ComponentKind) -> Component {
        Component {
            id: id.to_owned(),
            name: Some(name.to_owned()),
            kind,
            operator: None,
            hosted_by: None,
            region: None,
            boundary: None,
            stores: Vec::new(),
            produces: Vec::new(),
            owner: None,
            basis: None,
            public_endpoint: false,
            verifies_jwt: None,
            validates_qsh: None,
            keyed_by_tenant: None,
            purge_on_uninstall: None,
            encrypted_at_rest: None,
            retention: None,
            egress: Vec::new(),
            description: None,
        }
    }

    /// Adds a flow with a unique id derived from `id`; returns it for the facts a caller adds
    /// (its `basis`).
    #[allow(clippy::too_many_arguments, reason = "a flow has this many facts")]
    pub fn flow(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        trigger: Option<Trigger>,
        auth: Option<Auth>,
        data: Vec<String>,
        purpose: &str,
        host: Option<String>,
        provenance: &str,
    ) -> &mut Flow {
        let base = slug(id);
        let mut unique = base.clone();
        if self.flow_ids.contains(&unique) {
            let n = self.next_suffix.entry(base.clone()).or_insert(2);
            loop {
                unique = format!("{base}-{n}");
                *n += 1;
                if !self.flow_ids.contains(&unique) {
                    break;
                }
            }
        }
        self.flow_ids.insert(unique.clone());
        let mut data = data;
        data.sort();
        data.dedup();
        self.provenance
            .insert(format!("flows/{unique}"), format!("from {provenance}"));
        let flows = &mut self.model.flows;
        flows.push(Flow {
            id: Some(unique),
            from: from.to_owned(),
            to: to.to_owned(),
            trigger,
            auth,
            data,
            // An empty purpose is one the descriptor does not tell: left for the overlay.
            purpose: (!purpose.is_empty()).then(|| purpose.to_owned()),
            host,
            encrypted: None,
            owner: None,
            basis: None,
        });
        let last = flows.len() - 1;
        &mut flows[last]
    }

    /// The organisation serving `host`: Atlassian, a catalog entry when a domain matches, an
    /// open-ended "any tenant" of a shared platform, the "any host" of a `*` wildcard. An empty
    /// id means no organisation is known: the host is not a production destination, or nobody
    /// the catalog knows runs it (an unidentified recipient until an overlay names it).
    pub fn organisation_for_host(&mut self, host: &str, catalog: &Catalog, from: &str) -> String {
        let bare = host.trim_start_matches("*.");
        if host == "*" || bare.is_empty() {
            return self.organisation(
                Organisation {
                    id: "any-host".into(),
                    name: Some("Any host (wildcard egress)".into()),
                    ..Organisation::default()
                },
                from,
            );
        }
        if crate::host::is_atlassian(bare) {
            return "atlassian".to_owned();
        }
        if let Some(why) = crate::host::non_production(host) {
            // Never an organisation: the recipient stays unidentified, and the analysis says
            // it is not a production destination.
            self.warn(format!("`{host}` ({from}) is not a production destination: {why}"));
            return String::new();
        }
        if let Some(platform) = crate::host::shared_platform(host) {
            let id = format!("any-tenant-{}", slug(bare));
            self.warn(format!(
                "`{host}` ({from}) is open-ended: any tenant of {platform}; name the actual host in an overlay"
            ));
            return self.organisation(
                Organisation {
                    id: id.clone(),
                    name: Some(format!("Any tenant of {platform} ({host}), open-ended")),
                    ..Organisation::default()
                },
                &format!("from {from}; a wildcard over a shared platform: the destination is open-ended"),
            );
        }
        if let Some((id, _)) = catalog.organisation_for_host(bare) {
            return self.organisation(
                Organisation {
                    id: id.to_owned(),
                    catalog: Some(id.to_owned()),
                    ..Organisation::default()
                },
                from,
            );
        }
        // Never an organisation invented from a host name: the recipient stays unidentified
        // (the analysis lists it and raises TF-GDPR-003), and the overlay template asks who
        // runs it.
        self.warn(format!(
            "`{host}` ({from}): no known organisation runs this host; the recipient is unidentified until an overlay names it (an organisation, and the component's `operator`)"
        ));
        String::new()
    }

    /// Adds the data categories a descriptor's scopes grant; `source` names the scopes key.
    pub fn grants(&mut self, mut reads: Vec<Category>, mut writes: Vec<Category>, source: &str) -> Granted {
        for list in [&mut reads, &mut writes] {
            list.sort();
            list.dedup();
        }
        let read_ids = reads
            .iter()
            .map(|c| self.data(*c, &format!("{source} (read: {})", c.id)).to_owned())
            .collect();
        let write_ids = writes
            .iter()
            .map(|c| self.data(*c, &format!("{source} (write: {})", c.id)).to_owned())
            .collect();
        let personal = reads
            .iter()
            .chain(&writes)
            .filter(|c| c.personal)
            .map(|c| c.id.to_owned())
            .collect();
        Granted {
            read_ids,
            write_ids,
            personal,
        }
    }

    /// Finishes the model.
    pub fn finish(mut self) -> Imported {
        // The scopes as written, once each, on the model too: rules read them.
        let mut scopes = self.summary.scopes.clone();
        scopes.sort();
        scopes.dedup();
        self.model.app.scopes = scopes;
        for list in [
            &mut self.summary.egress,
            &mut self.summary.remotes,
            &mut self.summary.scopes,
            &mut self.summary.lifecycle,
        ] {
            list.sort();
            list.dedup();
        }
        Imported {
            model: self.model,
            provenance: self.provenance,
            warnings: self.warnings,
            summary: self.summary,
        }
    }
}

/// Marks a flow's data as taken from the app's permissions (scopes) rather than stated by the
/// vendor: the reports say so until an overlay confirms it.
pub fn from_permissions(flow: &mut Flow) {
    if !flow.data.is_empty() {
        flow.basis = Some(Basis::Permissions);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::host_of;

    #[test]
    fn hosts_and_slugs() {
        assert_eq!(host_of("https://api.openai.com/v1"), "api.openai.com");
        assert_eq!(host_of("localhost:3000"), "localhost");
        assert_eq!(host_of("*.cloudfunctions.net"), "*.cloudfunctions.net");
        assert_eq!(
            host_of("${FORGE_REMOTE_APP_URL}/editor/jira"),
            "${FORGE_REMOTE_APP_URL}"
        );
        assert_eq!(slug("https://api.openai.com/"), "api-openai-com");
        assert_eq!(slug("*"), "any");
    }
}
