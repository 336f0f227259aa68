//! Platform rules: Connect secrets and JWT checks, endpoints, tenant isolation, egress, Runs on Atlassian.

use super::Finding;
use crate::facts::Facts;
use crate::model::{Auth, ComponentKind, Platform, Product, Trigger};
use std::collections::BTreeSet;

rule! {
    /// Credentials at rest outside Atlassian (the Connect `sharedSecret` in the vendor's database).
    SecretStoredOutsideAtlassian {
        code: Plat001, name: "secret-stored-outside-atlassian", severity: Medium,
        title: "A credential is stored outside Atlassian",
        references: ["Atlassian Marketplace security requirements", "SOC 2 CC6.1", "GDPR Art. 32(1)"],
        why: "A Connect app receives each installation's sharedSecret in the `installed` callback and must keep it to \
    verify and sign JWTs. Whoever reads that store can forge requests to the tenant's REST API as the app.",
        example: "A Connect app keeps `install-secret` (the `sharedSecret`, `credential: true`) in its own `app-db`.",
        remediation: "Encrypt the secrets with a key held in a KMS, restrict and log access, rotate on reinstall; on Forge, \
    the platform holds the credentials and this store disappears.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for (d, category) in cx.model.data.iter().enumerate() {
            if !category.credential {
                continue;
            }
            for reach in cx.propagation.reach[d].iter().filter(|r| r.at_rest) {
                if cx.resolved.on_atlassian(reach.component) {
                    continue;
                }
                let component = &cx.model.components[reach.component];
                let encrypted = match component.encrypted_at_rest {
                    Some(true) => "encrypted at rest",
                    Some(false) => "not encrypted at rest",
                    None => "encryption at rest not stated",
                };
                out.push(self.finding(
                    &component.id,
                    cx.path_to(d, reach.component).into(),
                    format!("`{}` keeps the credential `{}` outside Atlassian ({encrypted})", component.id, category.id),
                ));
            }
        }
    }
}

/// The receiving component of a request the receiver itself must authenticate: a flow from
/// another operator into a component outside Atlassian. A `rest` flow out of an Atlassian
/// product is the answer to the app's own REST call (signed by the app, verified by the
/// product: atlassian.md I7), not a request the app receives.
fn inbound_from_outside(cx: &Facts<'_>, flow: &crate::model::Flow) -> Option<usize> {
    let to = cx.graph.component(&flow.to)?;
    let from = cx.graph.component(&flow.from)?;
    let answer_to_own_call =
        flow.trigger == Some(Trigger::Rest) && cx.model.components[from].kind == ComponentKind::AtlassianProduct;
    (!answer_to_own_call
        && !cx.resolved.on_atlassian(to)
        && cx.resolved.operator[from] != cx.resolved.operator[to]
        && cx.model.components[to].kind != ComponentKind::User)
        .then_some(to)
}

rule! {
    /// A flow into a vendor or third-party component that nothing authenticates.
    UnauthenticatedInbound {
        code: Plat002, name: "unauthenticated-inbound", severity: High,
        title: "An inbound flow is not authenticated",
        references: ["Atlassian Marketplace security requirements (authenticate every endpoint)", "SOC 2 CC6.1", "GDPR Art. 32(1)(b)"],
        why: "A request that the receiver does not authenticate can be sent by anyone who knows the URL: \
    Connect apps with `authentication: none` accept forged webhooks and lifecycle callbacks.",
        example: "A Connect `app-server` receives webhooks from Jira with `auth: none`.",
        remediation: "Authenticate the flow: Connect JWT (`jwt-hs256`, signed installs `jwt-rs256`), Forge Invocation Token \
    (`fit`) for Forge Remote, OAuth 2.0 or an API key for other services.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for flow in &cx.model.flows {
            if flow.auth != Some(Auth::None) {
                continue;
            }
            if let Some(to) = inbound_from_outside(cx, flow) {
                out.push(self.finding(
                    &flow.label(),
                    vec![flow.from.clone(), flow.to.clone()].into(),
                    format!(
                        "`{}` accepts `{}` from `{}` without authentication",
                        cx.model.components[to].id,
                        flow.label(),
                        flow.from
                    ),
                ));
            }
        }
    }
}

rule! {
    /// JWT-authenticated inbound flows into a component that does not verify JWTs.
    JwtNotVerified {
        code: Plat003, name: "jwt-not-verified", severity: High,
        title: "A component does not verify the JWTs it receives",
        references: ["Atlassian Connect: understanding JWT", "SOC 2 CC6.1", "GDPR Art. 32(1)(b)"],
        why: "Atlassian signs Connect requests; the signature protects the app only if the app looks up the \
    installation's secret by `iss`, verifies the signature and checks `exp` on every request.",
        example: "A Connect `app-server` receives JWT-signed webhooks but has `verifies_jwt: false`.",
        remediation: "Verify every inbound JWT (HS256 with the installation's sharedSecret, RS256 against Atlassian's \
    install keys for lifecycle callbacks) and record `verifies_jwt: true`.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for flow in &cx.model.flows {
            if !matches!(flow.auth, Some(Auth::JwtHs256 | Auth::JwtRs256)) {
                continue;
            }
            let Some(to) = inbound_from_outside(cx, flow) else {
                continue;
            };
            let component = &cx.model.components[to];
            let path = vec![flow.from.clone(), flow.to.clone()];
            match component.verifies_jwt {
                Some(true) => {}
                Some(false) => out.push(self.finding(
                    &component.id,
                    path.into(),
                    format!(
                        "`{}` receives JWT-signed `{}` but does not verify the token",
                        component.id,
                        flow.label()
                    ),
                )),
                None => out.push(self.evidence_finding(
                    &component.id,
                    path.into(),
                    format!(
                        "`{}` receives JWT-signed `{}`; whether it verifies the token is not stated",
                        component.id,
                        flow.label()
                    ),
                )),
            }
        }
    }
}

rule! {
    /// HS256 JWT flows into a component that does not check the query-string hash.
    QshNotValidated {
        code: Plat004, name: "qsh-not-validated", severity: Medium,
        title: "A component does not check the JWT query-string hash",
        references: ["Atlassian Connect: query string hash", "Connect API migration context-qsh", "SOC 2 CC6.1"],
        why: "The `qsh` claim binds a token to one method, path and query; without checking it, a token captured \
    from one request (or a context token from the browser) can be replayed against another endpoint until it expires.",
        example: "A Connect `app-server` verifies the JWT but has `validates_qsh: false`.",
        remediation: "Recompute the qsh of each request (method, canonical path, sorted query without `jwt`) and compare; \
    accept `context-qsh` only on endpoints meant for context tokens. Record `validates_qsh: true`.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for flow in &cx.model.flows {
            if flow.auth != Some(Auth::JwtHs256) {
                continue;
            }
            let Some(to) = inbound_from_outside(cx, flow) else {
                continue;
            };
            let component = &cx.model.components[to];
            let path = vec![flow.from.clone(), flow.to.clone()];
            match component.validates_qsh {
                Some(true) => {}
                Some(false) => out.push(self.finding(
                    &component.id,
                    path.into(),
                    format!("`{}` does not check the qsh claim of `{}`", component.id, flow.label()),
                )),
                None => out.push(self.evidence_finding(
                    &component.id,
                    path.into(),
                    format!(
                        "`{}` receives `{}`; whether it checks the qsh claim is not stated",
                        component.id,
                        flow.label()
                    ),
                )),
            }
        }
    }
}

rule! {
    /// Components reachable from the internet.
    PublicEndpoint {
        code: Plat005, name: "public-endpoint", severity: Low,
        title: "A component accepts requests from the internet",
        references: ["SOC 2 CC6.6", "Atlassian Marketplace security requirements (TLS 1.2+, HSTS)"],
        why: "A public endpoint is attack surface: Connect app servers and Forge Remotes must be reachable by \
    Atlassian, and Forge web triggers are public URLs.",
        example: "A vendor `app-server` with `public_endpoint: true`.",
        remediation: "Authenticate every route, enforce TLS 1.2+ with HSTS, rate-limit, and keep the endpoint in scope of \
    penetration tests.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for component in &cx.model.components {
            if component.public_endpoint {
                out.push(self.finding(
                    &component.id,
                    vec![component.id.clone()].into(),
                    format!("`{}` is reachable from the internet", component.id),
                ));
            }
        }
        for flow in cx.model.flows.iter().filter(|f| f.trigger == Some(Trigger::Webtrigger)) {
            out.push(self.finding(
                &flow.to,
                vec![flow.from.clone(), flow.to.clone()].into(),
                format!("`{}` is invoked through a Forge web trigger, a public URL", flow.to),
            ));
        }
    }
}

/// Every host the model names (egress declarations, flow hosts, the manifest's remotes), once
/// each, with the path to show.
fn declared_hosts(cx: &Facts<'_>) -> Vec<(String, Vec<String>)> {
    let mut hosts: Vec<(String, Vec<String>)> = Vec::new();
    for component in &cx.model.components {
        hosts.extend(component.egress.iter().map(|h| (h.clone(), vec![component.id.clone()])));
    }
    hosts.extend(
        cx.model
            .flows
            .iter()
            .filter_map(|f| Some((f.host.clone()?, vec![f.from.clone(), f.to.clone()]))),
    );
    if let Some(manifest) = &cx.model.manifest {
        hosts.extend(
            manifest
                .remotes
                .iter()
                .filter_map(|r| Some((r.host.clone()?, vec![format!("remote {}", r.key)]))),
        );
    }
    hosts.sort();
    hosts.dedup_by(|a, b| a.0 == b.0);
    hosts
}

fn tenant_data_at_rest(cx: &Facts<'_>, c: usize) -> Option<usize> {
    tenant_data_kept(cx, c).next()
}

/// Every tenant data category component `c` keeps at rest, in the propagation's order.
fn tenant_data_kept<'a>(cx: &'a Facts<'_>, c: usize) -> impl Iterator<Item = usize> + 'a {
    cx.propagation.categories_at(c).filter(move |&d| {
        (cx.personal(d) || cx.model.data[d].credential) && cx.propagation.get(d, c).is_some_and(|r| r.at_rest)
    })
}

rule! {
    /// Stores that keep tenant data after uninstall.
    NoPurgeOnUninstall {
        code: Plat006, name: "no-purge-on-uninstall", severity: Medium,
        title: "Tenant data is kept after the app is uninstalled",
        references: ["GDPR Art. 28(3)(g)", "GDPR Art. 5(1)(e)", "SOC 2 C1.2"],
        why: "A processor must delete or return personal data at the end of the service. Connect apps learn of the \
    end through the `uninstalled` callback; Forge hosted storage is deleted by Atlassian 28 days after uninstall.",
        example: "`app-db` stores `issue-content` with `purge_on_uninstall: false`.",
        remediation: "Delete the installation's records on `uninstalled` (or after a documented grace period) and record \
    `purge_on_uninstall: true`.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for (c, component) in cx.model.components.iter().enumerate() {
            if component.kind == ComponentKind::AtlassianProduct {
                continue;
            }
            if component.purge_on_uninstall == Some(true)
                || (component.purge_on_uninstall.is_none() && component.kind == ComponentKind::ForgeStorage)
            {
                continue;
            }
            let kept: Vec<usize> = tenant_data_kept(cx, c).collect();
            let Some(&d) = kept.first() else { continue };
            // Every category the store keeps, not just the first, personal data (which the
            // DPA's deletion clause covers) apart from credentials.
            let named = |personal: bool| {
                let mut ids: Vec<String> = kept
                    .iter()
                    .filter(|&&d| cx.personal(d) == personal)
                    .map(|&d| format!("`{}`", cx.model.data[d].id))
                    .collect();
                ids.sort();
                ids
            };
            let (personal, credentials) = (named(true), named(false));
            let mut parts = Vec::new();
            if !personal.is_empty() {
                parts.push(format!("the personal data {}", crate::facts::sections::and_list(&personal)));
            }
            if !credentials.is_empty() {
                let s = if credentials.len() > 1 { "s" } else { "" };
                parts.push(format!("the credential{s} {}", crate::facts::sections::and_list(&credentials)));
            }
            // "the personal data `a`, and the credential `b`, after uninstall"
            let kept = if parts.len() > 1 { format!("{},", parts.join(", and ")) } else { parts.join("") };
            let path = cx.path_to(d, c);
            if component.purge_on_uninstall == Some(false) {
                out.push(self.finding(
                    &component.id,
                    path.into(),
                    format!("`{}` keeps {kept} after uninstall", component.id),
                ));
            } else {
                out.push(self.evidence_finding(
                    &component.id,
                    path.into(),
                    format!("whether `{}` deletes {kept} on uninstall is not stated", component.id),
                ));
            }
        }
    }
}

rule! {
    /// Stores not partitioned by tenant.
    NotKeyedByTenant {
        code: Plat007, name: "not-keyed-by-tenant", severity: Medium,
        title: "A store mixes tenants' data without a tenant key",
        references: ["SOC 2 CC6.1", "GDPR Art. 32(1)(b)"],
        why: "A multi-tenant store whose records are not keyed by tenant (Connect clientKey, Forge installation) \
    cannot enforce isolation or delete one tenant's data, and one bug can leak data across customers.",
        example: "A vendor `app-db` shared by all tenants with `keyed_by_tenant: false`.",
        remediation: "Key every record by the tenant and filter every query by it; record `keyed_by_tenant: true`.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for (c, component) in cx.model.components.iter().enumerate() {
            if component.kind == ComponentKind::AtlassianProduct || component.kind == ComponentKind::ForgeStorage {
                continue;
            }
            let Some(d) = tenant_data_at_rest(cx, c) else { continue };
            let path = cx.path_to(d, c);
            match component.keyed_by_tenant {
                Some(true) => {}
                Some(false) => out.push(self.finding(
                    &component.id,
                    path.into(),
                    format!("`{}` stores tenants' data without a tenant key", component.id),
                )),
                None => out.push(self.evidence_finding(
                    &component.id,
                    path.into(),
                    format!("whether `{}` keys its records by tenant is not stated", component.id),
                )),
            }
        }
    }
}

rule! {
    /// Egress to `*` or a whole top-level domain.
    UnboundedEgress {
        code: Plat008, name: "unbounded-egress", severity: High,
        title: "Egress is allowed to any host",
        references: ["Forge permissions.external", "Runs on Atlassian", "GDPR Art. 28(2)", "SOC 2 CC9.2"],
        why: "A wildcard egress permission (`*`, `*.com`) lets the app send data to any organisation: no \
    sub-processor list can be complete and customers cannot review where data goes.",
        example: "A Forge function with `egress: ['*']`.",
        remediation: "Declare each host the app calls; use `fetch.client: ['*']` only where popups require it and not for backends.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for component in &cx.model.components {
            for host in component.egress.iter().filter(|h| crate::host::is_unbounded(h)) {
                out.push(self.finding(
                    &component.id,
                    vec![component.id.clone()].into(),
                    format!("`{}` may send data to any host (`{host}`)", component.id),
                ));
            }
        }
        for flow in &cx.model.flows {
            if let Some(host) = flow.host.as_deref().filter(|h| crate::host::is_unbounded(h)) {
                out.push(self.finding(
                    &flow.label(),
                    vec![flow.from.clone(), flow.to.clone()].into(),
                    format!("flow `{}` goes to any host (`{host}`)", flow.label()),
                ));
            }
        }
    }
}

rule! {
    /// Egress hosts that match no known organisation.
    UnknownEgressRecipient {
        code: Plat009, name: "unknown-egress-recipient", severity: Medium,
        title: "Data goes to a host no known organisation serves",
        references: ["GDPR Art. 28(2)", "GDPR Art. 30(2)(a)", "SOC 2 CC9.2"],
        why: "Every host an app sends data to belongs to some organisation that must appear in the sub-processor \
    inventory with its country and contract; an unmatched host is a recipient nobody has assessed.",
        example: "A Forge function with `egress: [api.widgetly.io]` and no organisation serving that domain.",
        remediation: "Add the organisation to the model with its `domains`, or a catalog entry with `--catalog`.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        let known = |host: &str| {
            let host = crate::host::host_of(host);
            let bare = host.trim_start_matches("*.");
            cx.resolved
                .orgs
                .values()
                .any(|o| o.domains.iter().any(|d| crate::host::within_domain(bare, d)))
                || cx.catalog.organisation_for_host(bare).is_some()
        };
        // A host reached by a flow whose target an identified model organisation (one with a
        // legal entity or country) operates is that organisation's, whatever its domains. A
        // placeholder named after the host (as imports create) identifies nobody. The app's
        // vendor is always a recipient the inventory names (its missing entity is reported
        // there), so its own servers' hosts (a Connect `baseUrl`) are not unknown.
        let operated: std::collections::HashSet<String> = cx
            .model
            .flows
            .iter()
            .enumerate()
            .filter(|(f, _)| {
                cx.graph.ends[*f].is_some_and(|(_, to)| {
                    cx.resolved.responsible(to).iter().any(|org| {
                        *org == cx.model.app.vendor.as_str()
                            || cx
                                .resolved
                                .orgs
                                .get(org)
                                .is_some_and(|o| o.legal_entity.is_some() || o.country.is_some())
                    })
                })
            })
            .filter_map(|(_, flow)| flow.host.as_deref().map(crate::host::host_of))
            .collect();
        let known = |host: &str| operated.contains(&crate::host::host_of(host)) || known(host);
        for (host, path) in declared_hosts(cx) {
            // Non-production hosts are TF-PLAT-011's.
            if !crate::host::is_unbounded(&host) && crate::host::non_production(&host).is_none() && !known(&host) {
                out.push(self.finding(
                    &host,
                    path.into(),
                    format!("no organisation in the model or catalog serves `{host}`"),
                ));
            }
        }
    }
}

rule! {
    /// Forge apps that are not eligible for Runs on Atlassian.
    NotRunsOnAtlassian {
        code: Plat010, name: "not-runs-on-atlassian", severity: Info,
        title: "The app is not eligible for Runs on Atlassian, or its eligibility is not confirmed",
        references: ["Atlassian: Runs on Atlassian", "Forge data residency"],
        why: "Runs on Atlassian marks Forge apps whose compute and storage are Atlassian-hosted and which send no \
    in-scope data out. Atlassian's rules: no Connect modules, no remotes, no egress other than analytics egress declared \
    `inScopeEUD: false` (content egress such as images counts too), only static web triggers, no customer-managed egress \
    or configured remotes, and storage with data-residency support. Customers increasingly filter on it.",
        example: "A Connect app: its code runs on the vendor's servers, so it cannot be Runs on Atlassian.",
        remediation: "Fix each reason the verdict names: replace remotes and vendor-hosted parts with Forge functions and \
    hosted storage, external APIs with Atlassian-hosted equivalents (e.g. Forge LLMs), and content egress with bundled \
    resources; declare analytics egress `category: analytics` with `inScopeEUD: false` only where it truly carries no \
    in-scope End-User Data; make web triggers `response.type: static`. Check with `forge eligibility`.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        let roa = &cx.runs_on_atlassian;
        if roa.verdict == crate::facts::RoaVerdict::NotConfirmed {
            // No reason for ineligibility, but Atlassian's check needs what the model cannot
            // show: an open item, not a pass.
            let path = cx.path_to_first(|c| cx.model.components[c].kind == ComponentKind::ForgeStorage);
            out.push(self.evidence_finding(
                &cx.model.app.name,
                path.into(),
                format!(
                    "not confirmed: no reason for ineligibility found, but {}",
                    roa.evidence_required.join("; ")
                ),
            ));
        }
        if !roa.eligible {
            // The path to the first component that makes the app ineligible.
            let path = roa
                .components
                .iter()
                .filter_map(|id| cx.graph.component(id))
                .find_map(|c| {
                    cx.propagation.categories_at(c).next().map(|d| cx.path_to(d, c))
                })
                .unwrap_or_else(|| roa.components.clone());
            out.push(self.finding(
                &cx.model.app.name,
                path.into(),
                format!("not eligible: {}", roa.summary()),
            ));
        }
    }
}

rule! {
    /// Data sent to a local address, a development tunnel or a placeholder.
    NonProductionDestination {
        code: Plat011, name: "non-production-destination", severity: High,
        title: "Data goes to a destination that is not a production one",
        references: ["GDPR Art. 28(2)", "GDPR Art. 32(1)", "SOC 2 CC8.1"],
        why: "`localhost`, private addresses, development tunnels (ngrok, localtunnel, Cloudflare quick tunnels) and \
    placeholders (`example.com`, `your-app-domain.com`, `{{localBaseUrl}}`) are not where a production app sends data: \
    either the descriptor analysed is not the one deployed, or customer data reaches a developer's machine through a \
    tunnel. Neither is an organisation a DPA can name.",
        example: "A Connect descriptor whose webhook URL is `https://a1ed59d8.ngrok.io/hook`.",
        remediation: "Analyse the production descriptor (or overlay the production hosts), and remove development \
    tunnels and local addresses from what is deployed to customers.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        for (host, path) in declared_hosts(cx) {
            if let Some(why) = crate::host::non_production(&host) {
                out.push(self.finding(
                    &host,
                    path.into(),
                    format!("`{host}` is not a production destination: {why}"),
                ));
            }
        }
    }
}

rule! {
    /// The app can act as any user of the site (Connect `ACT_AS_USER`).
    UserImpersonation {
        code: Plat012, name: "user-impersonation", severity: Medium,
        title: "The app can act as any user",
        references: ["Atlassian Connect scopes: ACT_AS_USER", "GDPR Art. 25(2)", "GDPR Art. 32(1)(b)", "SOC 2 CC6.3"],
        why: "With `ACT_AS_USER` a Connect app can obtain a token for any user of the site, without that user \
    present, and read or change whatever that user could: its reach is every user's permissions, not the app's own. \
    A DPA must say so, and the app's access to those tokens needs the controls of privileged access.",
        example: "A Connect descriptor whose `scopes` include `ACT_AS_USER` (on Forge: `act-as-user:connect-jira`).",
        remediation: "Drop `ACT_AS_USER` unless a feature needs it; if it does, say in the DPA and the security \
    documentation which features act as users, and log and restrict who can trigger them.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        if let Some(scope) = &cx.impersonation {
            out.push(self.finding(
                &cx.model.app.name,
                Vec::new().into(),
                format!(
                    "the app requests `{scope}`: it can act as any user of the site (user impersonation), so it can read and change whatever any user can"
                ),
            ));
        }
    }
}

rule! {
    /// Customer-managed egress: each installation's admin approves destinations at run time.
    CustomerManagedEgress {
        code: Plat013, name: "customer-managed-egress", severity: Medium,
        title: "Recipients are chosen per installation (customer-managed egress)",
        references: ["Forge customer-managed egress and remotes (permissions.external.configurable)", "GDPR Art. 28(2)", "GDPR Art. 30(1)(d)"],
        why: "With customer-managed egress (`permissions.external.configurable.enabled: true`, or a `configured` remote) \
    each customer's admin approves destinations at run time: the manifest no longer lists every place data can go, and \
    each installation has its own recipients. An inventory built from the manifest alone is incomplete for that \
    installation, and a destination nobody can name is a recipient the DPA cannot list.",
        example: "A Forge manifest with `permissions.external.configurable.enabled: true` and an installation without `approved_egress`.",
        remediation: "Record each installation's approved destinations (`installations[].approved_egress`, from the app's \
    admin settings or the customer's consent record), say in the DPA whether the vendor engages them or sends at the \
    customer's instruction, and name the organisation behind each host (a catalog entry or a modelled component).",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        let Some(section) = &cx.customer_managed_egress else {
            return;
        };
        for installation in &section.installations {
            let subject = format!("installation `{}`", installation.installation);
            if !installation.recorded {
                out.push(self.evidence_finding(
                    &subject,
                    Vec::new().into(),
                    format!(
                        "the destinations the admin of installation `{}` approved are not recorded ({}): its recipients are unknown",
                        installation.installation, section.basis
                    ),
                ));
                continue;
            }
            for destination in installation.destinations.iter().filter(|d| !d.identified) {
                out.push(self.finding(
                    &subject,
                    Vec::new().into(),
                    format!(
                        "installation `{}` approved `{}`, which no organisation in the model or catalog runs: a recipient the DPA cannot name",
                        installation.installation, destination.host
                    ),
                ));
            }
        }
    }
}

rule! {
    /// Connect apps: Atlassian's end of support for the platform.
    ConnectEndOfSupport {
        code: Plat014, name: "connect-end-of-support", severity: Medium,
        title: "The app runs on Connect, whose end of support is December 2026",
        references: [
            "Atlassian RFC-129 (Connect end of support: December 2026)",
            "Atlassian Forge changelog CHANGE-3096 (from 2026-03-31 Marketplace Connect apps cannot be updated)",
            "SOC 2 CC9.1 (business disruption)",
            "GDPR Art. 32(1)(b) (ongoing availability and resilience)",
            "GDPR Art. 28(2) (sub-processors the migration changes)",
        ],
        why: "Atlassian is retiring Connect: no new Connect apps since 2025-09-17; since 2026-03-31 Marketplace apps \
    with a Connect descriptor cannot be updated and private Connect apps cannot be installed, so a fix the vendor \
    makes cannot reach customers through the Marketplace; Connect's end of support is December 2026 (RFC-129), and \
    Marketplace listings warn that such apps may stop working after it (Bitbucket Cloud Connect: 2027-01-31). A \
    Forge app that still declares Connect modules carries the same end for those modules. For a customer this is a continuity and \
    security-patching risk of the processing, and the architecture (and with it the sub-processors and transfers \
    listed here) is about to change.",
        example: "Any model with `app.platform: connect`, or a Forge manifest with `connectModules`.",
        remediation: "Plan the move to Forge (Connect on Forge first, then Forge modules, or Forge Remote for the \
    vendor's backend) and compare the options with `trustflow compare`; tell customers the timeline and what the \
    new architecture changes in the sub-processor list and transfers.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        let connect_modules = cx.model.manifest.as_ref().is_some_and(|m| m.connect_modules);
        if cx.model.app.platform != Platform::Connect && !connect_modules {
            return;
        }
        let products: BTreeSet<Product> = cx
            .model
            .installations
            .iter()
            .flat_map(|i| i.products.iter().copied())
            .collect();
        // Bitbucket Cloud's Connect has its own date; the rest of the products share December 2026.
        let bitbucket_only = !products.is_empty() && products.iter().all(|p| *p == Product::Bitbucket);
        let end = if bitbucket_only {
            "the end of support of Bitbucket Cloud Connect is 2027-01-31"
        } else if products.contains(&Product::Bitbucket) {
            "the end of support of Connect is December 2026 (RFC-129; Bitbucket Cloud: 2027-01-31)"
        } else {
            "the end of support of Connect is December 2026 (RFC-129)"
        };
        let name = &cx.model.app.name;
        let message = if cx.model.app.platform != Platform::Connect {
            // Updated as a Forge app: the Marketplace freeze does not apply, the end does.
            format!("{name} still declares Connect modules (`connectModules`): {end}; they must become Forge modules or a Forge Remote")
        } else if bitbucket_only {
            // The Marketplace freeze of 2026-03-31 is stated for Jira and Confluence apps.
            format!("{name} is a Connect app installed in Bitbucket Cloud only: {end}")
        } else {
            format!(
                "{name} is a Connect app: since 2026-03-31 Marketplace apps with a Connect descriptor cannot be updated and private Connect apps cannot be installed, and {end}"
            )
        };
        // The path to the first of the vendor's components the product's data reaches: the
        // part of the architecture the end of support is about.
        let path = cx.path_to_first(|c| !cx.model.components[c].kind.is_origin() && !cx.resolved.on_atlassian(c));
        out.push(self.finding(name, path.into(), message));
    }
}
