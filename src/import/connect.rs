//! Connect `atlassian-connect.json` → model.
//!
//! Every Connect app is a vendor-hosted service at `baseUrl` that receives lifecycle callbacks,
//! webhooks and iframe requests from the product, calls the product's REST API back, and keeps
//! each installation's `clientKey` and `sharedSecret` in a store of its own.

use super::builder::{Builder, from_permissions, slug};
use super::scopes::{self, BROWSER_DATA, Category, INSTALL_SECRET, USER_IDENTITY};
use super::{Imported, name_from_path};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::host::host_of;
use crate::load::node::Pos;
use crate::model::{App, Auth, ComponentKind, Platform, Trigger};
use serde_json::Value as Json;

const KNOWN_TOP_LEVEL: &[&str] = &[
    "key",
    "name",
    "description",
    "baseUrl",
    "vendor",
    "authentication",
    "lifecycle",
    "scopes",
    "modules",
    "apiVersion",
    "enableLicensing",
    "links",
    "apiMigrations",
    "regionBaseUrls",
    "dataResidency",
    "translations",
    "cloudAppMigration",
    // Bitbucket Cloud: where the app is installed (account or repository).
    "contexts",
];

/// Imports a Connect descriptor.
pub fn import(name: &str, text: &str, catalog: &Catalog) -> Result<Imported, Vec<Diagnostic>> {
    let descriptor = parse(name, text)?;
    // `parse` returns only objects.
    let empty = serde_json::Map::new();
    let d = descriptor.as_object().unwrap_or(&empty);
    let mut b = header(name, d);
    let c = Descriptor::read(d);
    let products = products(&mut b, &c);
    let grants = scope_grants(&mut b, &c, &products);
    let secret = vendor_service(&mut b, &c, &grants, catalog);
    lifecycle(&mut b, &c, &products, secret.as_deref());
    webhooks(&mut b, &c, &products, &grants, catalog);
    iframes(&mut b, &c, &grants);
    rest_calls(&mut b, &products, &grants);
    migrations(&mut b, &c);
    base_url_host(&mut b, &c);
    Ok(b.finish())
}

/// The product sends lifecycle callbacks, webhooks and page requests to the app's `baseUrl`:
/// each of those flows into the app server names that host, so a tunnel or placeholder there is
/// analysed as the destination it is (TF-PLAT-011) and named in the DPA annex.
fn base_url_host(b: &mut Builder, c: &Descriptor<'_>) {
    let host = host_of(c.d.get("baseUrl").and_then(Json::as_str).unwrap_or_default());
    if host.is_empty() {
        return;
    }
    for flow in &mut b.model_mut().flows {
        // The answers to the app's own REST calls come back on the connection the app server
        // opened to the product: they do not go through the `baseUrl`.
        if flow.to == "app-server" && flow.host.is_none() && flow.trigger != Some(crate::model::Trigger::Rest) {
            flow.host = Some(host.clone());
        }
    }
}

/// The parts of a descriptor the import steps read.
struct Descriptor<'j> {
    d: &'j serde_json::Map<String, Json>,
    modules: Option<&'j serde_json::Map<String, Json>>,
    migrations: Option<&'j Json>,
    jwt: bool,
    inbound_auth: Auth,
    lifecycle_auth: Auth,
}

impl<'j> Descriptor<'j> {
    fn read(d: &'j serde_json::Map<String, Json>) -> Descriptor<'j> {
        let jwt = d
            .get("authentication")
            .and_then(|a| a.get("type"))
            .and_then(Json::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("jwt"));
        let migrations = d.get("apiMigrations");
        let signed_install = migrations.and_then(|m| m.get("signed-install")).and_then(Json::as_bool) == Some(true);

        let inbound_auth = if jwt { Auth::JwtHs256 } else { Auth::None };
        Descriptor {
            d,
            modules: d.get("modules").and_then(Json::as_object),
            migrations,
            jwt,
            inbound_auth,
            lifecycle_auth: if signed_install { Auth::JwtRs256 } else { inbound_auth },
        }
    }
}

/// What the scopes grant, as data category ids.
struct Grants {
    read_ids: Vec<String>,
    write_ids: Vec<String>,
    personal: Vec<String>,
}

/// Parses the descriptor's JSON; it must be an object of the shape Connect accepts where data
/// flows are declared (see [`super::shape`]).
fn parse(name: &str, text: &str) -> Result<Json, Vec<Diagnostic>> {
    let source = crate::load::SourceFile::detached(name, text);
    let descriptor: Json = serde_json::from_str(text).map_err(|e| {
        let pos = Pos {
            line: u32::try_from(e.line()).unwrap_or(0),
            column: u32::try_from(e.column()).unwrap_or(0),
        };
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        vec![source.diagnostic(Diagnostic::error("json-syntax", message), pos)]
    })?;
    if !descriptor.is_object() {
        return Err(vec![source.diagnostic(
            Diagnostic::error("wrong-type", "a Connect descriptor is a JSON object"),
            Pos { line: 1, column: 1 },
        )]);
    }
    // JSON is YAML, and the YAML reader keeps positions and duplicate keys (serde_json keeps
    // the last of two silently). JSON the YAML reader cannot read (rare escapes) is checked
    // through serde_json's tree, without line numbers and without the duplicate check.
    let root = match crate::load::yaml::parse(text) {
        Ok(Some(root)) => root,
        _ => crate::load::schema::from_json(&descriptor),
    };
    let problems = super::shape::check(super::shape::Descriptor::Connect, &root, &source);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(descriptor)
}

/// The app's identity and vendor, and warnings about the top level.
fn header(name: &str, d: &serde_json::Map<String, Json>) -> Builder {
    let text_of = |key: &str| d.get(key).and_then(Json::as_str).map(str::to_owned);
    let from_file = text_of("name").is_none().then(|| name_from_path(name));
    let mut b = Builder::new(App {
        name: text_of("name").or_else(|| from_file.clone()).unwrap_or_default(),
        platform: Platform::Connect,
        vendor: "vendor".into(),
        key: text_of("key"),
        version: None,
        description: Some(format!(
            "Imported from the Connect descriptor {}",
            super::file_name(name)
        )),
        scopes: Vec::new(),
    });
    b.summary.connect_key = text_of("key");
    b.summary.name_from_file = from_file;
    for key in d.keys() {
        if !KNOWN_TOP_LEVEL.contains(&key.as_str()) {
            b.warn(format!("unknown top-level key `{key}` ignored"));
        }
    }
    if let Some(vendor) = d.get("vendor").and_then(|v| v.get("name")).and_then(Json::as_str)
        && !matches!(vendor, "" | "none")
        && let Some(org) = b.model_mut().organisations.iter_mut().find(|o| o.id == "vendor")
    {
        org.name = Some(vendor.to_owned());
        org.url = d
            .get("vendor")
            .and_then(|v| v.get("url"))
            .and_then(Json::as_str)
            .map(str::to_owned);
    }
    b
}

/// Products, from module names and webhook events; each becomes a product component.
fn products(b: &mut Builder, c: &Descriptor<'_>) -> Vec<&'static str> {
    let modules = c.modules;
    let mut confluence = false;
    let mut jira = false;
    for (key, value) in modules.into_iter().flatten() {
        let lower = key.to_ascii_lowercase();
        if lower.starts_with("jira") {
            jira = true;
        } else if lower.contains("macro")
            || lower.starts_with("confluence")
            || lower.starts_with("space")
            || lower == "contentbylineitems"
            || lower == "blueprints"
        {
            confluence = true;
        }
        if key == "webhooks" {
            for event in value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|w| w.get("event"))
                .filter_map(Json::as_str)
            {
                if is_confluence_event(event) {
                    confluence = true;
                } else {
                    jira = true;
                }
            }
        }
    }
    // Bitbucket Cloud apps name Bitbucket scopes and repository or pull-request events.
    let bitbucket =
        c.d.get("scopes")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .any(scopes::is_bitbucket_scope)
            || modules
                .and_then(|m| m.get("webhooks"))
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(|w| w.get("event").and_then(Json::as_str))
                .any(is_bitbucket_event);
    if bitbucket {
        jira = modules.is_some_and(|m| m.keys().any(|k| k.to_ascii_lowercase().starts_with("jira")));
    }
    if !jira && !confluence && !bitbucket {
        b.warn("no product modules, events or scopes name a product; assuming Jira");
        jira = true;
    }
    let products: Vec<&'static str> = [("jira", jira), ("confluence", confluence), ("bitbucket", bitbucket)]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(p, _)| p)
        .collect();
    for product in &products {
        let title = match *product {
            "jira" => "Jira",
            "confluence" => "Confluence",
            _ => "Bitbucket",
        };
        let mut component = Builder::bare(product, &format!("{title} Cloud"), ComponentKind::AtlassianProduct);
        component.boundary = Some("tenant".into());
        component.region = Some("tenant".into());
        b.component(component, "modules and webhook events");
    }

    products
}

/// Scopes → what the app can read and write.
fn scope_grants(b: &mut Builder, c: &Descriptor<'_>, products: &[&str]) -> Grants {
    let d = c.d;
    let (jira, confluence) = (products.contains(&"jira"), products.contains(&"confluence"));
    let mut reads: Vec<Category> = Vec::new();
    let mut writes: Vec<Category> = Vec::new();
    for scope in d
        .get("scopes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
    {
        b.summary.scopes.push(scope.to_owned());
        let grant = scopes::connect_scope(scope, confluence, jira).or_else(|| {
            products
                .contains(&"bitbucket")
                .then(|| scopes::bitbucket_scope(scope))
                .flatten()
        });
        match grant {
            Some(grant) => {
                reads.extend(grant.reads);
                writes.extend(grant.writes);
            }
            None => b.warn(format!("scope `{scope}` is not a Connect scope trustflow knows")),
        }
        if scope.eq_ignore_ascii_case("ACT_AS_USER") {
            b.warn("ACT_AS_USER: the app can act as any user offline (user impersonation)");
        }
    }
    let granted = b.grants(reads, writes, "scopes");
    Grants {
        read_ids: granted.read_ids,
        write_ids: granted.write_ids,
        personal: granted.personal,
    }
}

/// The vendor's service at baseUrl and its installation store; returns the shared secret's
/// category when the app uses JWT and receives the secret (an `installed` callback).
fn vendor_service(b: &mut Builder, c: &Descriptor<'_>, grants: &Grants, catalog: &Catalog) -> Option<String> {
    let (d, jwt) = (c.d, c.jwt);
    let (read_ids, write_ids) = (&grants.read_ids, &grants.write_ids);
    let text_of = |key: &str| d.get(key).and_then(Json::as_str).map(str::to_owned);
    let base_url = text_of("baseUrl").unwrap_or_default();
    let host = host_of(&base_url);
    if !host.is_empty() {
        b.summary.egress.push(host.clone());
        // The product sends every lifecycle callback, webhook and page request to the
        // baseUrl: a tunnel or a placeholder there means this is not the descriptor customers
        // install, and the import must say so rather than describe a server nobody can name.
        if let Some(why) = crate::host::non_production(&host) {
            b.warn(format!(
                "baseUrl `{base_url}` is not a production destination: {why}. The product sends every callback, webhook and page request there, so this is not the descriptor customers install: import the production one, or give `app-server` its production `region` and `hosted_by` in an overlay"
            ));
        }
    }
    b.model_mut().boundaries.push(crate::model::Boundary {
        id: "vendor-cloud".into(),
        name: Some("Vendor-hosted services".into()),
        operator: Some("vendor".into()),
        parent: None,
    });
    let pinned = d.get("regionBaseUrls").is_some() || d.get("dataResidency").is_some();
    let mut server = Builder::bare(
        "app-server",
        &format!(
            "Connect app server ({})",
            if host.is_empty() { "no baseUrl" } else { &host }
        ),
        ComponentKind::Service,
    );
    server.operator = Some("vendor".into());
    server.boundary = Some("vendor-cloud".into());
    server.public_endpoint = true;
    server.region = pinned.then(|| "tenant".to_owned());
    if !host.is_empty()
        && !host.contains("{{")
        && !host.contains("${")
        && catalog.organisation_for_host(&host).is_some()
    {
        server.hosted_by = Some(b.organisation_for_host(&host, catalog, "hosts the baseUrl"));
    }
    // What it writes without reading it, it authors itself.
    server.produces = write_ids.iter().filter(|d| !read_ids.contains(d)).cloned().collect();
    server.description = Some(format!(
        "baseUrl {base_url}{}{}",
        if jwt {
            "; authentication jwt"
        } else {
            "; authentication none"
        },
        if pinned {
            "; per-realm base URLs (regionBaseUrls)"
        } else {
            ""
        }
    ));
    b.component(server, "baseUrl");
    let mut store = Builder::bare(
        "app-store",
        "Installation store (clientKey, sharedSecret, baseUrl)",
        ComponentKind::Datastore,
    );
    store.operator = Some("vendor".into());
    store.boundary = Some("vendor-cloud".into());
    store.region = pinned.then(|| "tenant".to_owned());
    store.description =
        Some("every Connect app keeps one record per installation; add what else it stores in an overlay".into());

    // The shared secret arrives only with the `installed` callback: without one the server
    // never receives it, and the store cannot be said to keep it.
    let installed = d.get("lifecycle").and_then(|l| l.get("installed")).is_some();
    let secret = if jwt && installed {
        Some(
            b.data(INSTALL_SECRET, "authentication: jwt (installed callback)")
                .to_owned(),
        )
    } else {
        None
    };
    // Without the secret there is nothing the model can say the store receives: it is left
    // out rather than drawn as a component no flow reaches.
    if let Some(secret) = &secret {
        store.stores.push(secret.clone());
        b.component(store, "the installation records every Connect app keeps");
    }
    secret
}

/// Lifecycle callbacks from each product.
fn lifecycle(b: &mut Builder, c: &Descriptor<'_>, products: &[&str], secret: Option<&str>) {
    let (d, lifecycle_auth) = (c.d, c.lifecycle_auth);
    for (hook, trigger) in [
        ("installed", Trigger::LifecycleInstalled),
        ("uninstalled", Trigger::LifecycleUninstalled),
        ("enabled", Trigger::LifecycleEnabled),
        ("disabled", Trigger::LifecycleDisabled),
    ] {
        if d.get("lifecycle").and_then(|l| l.get(hook)).is_none() {
            continue;
        }
        b.summary.lifecycle.push(hook.to_owned());
        let data: Vec<String> = if hook == "installed" {
            secret.map(str::to_owned).into_iter().collect()
        } else {
            Vec::new()
        };
        for product in products {
            b.flow(
                &format!("{product}-{hook}"),
                product,
                "app-server",
                Some(trigger),
                Some(lifecycle_auth),
                data.clone(),
                &lifecycle_purpose(hook),
                None,
                &format!("lifecycle.{hook}"),
            );
        }
    }
    if let Some(lifecycle) = d.get("lifecycle").and_then(Json::as_object) {
        for key in lifecycle
            .keys()
            .filter(|k| !matches!(k.as_str(), "installed" | "uninstalled" | "enabled" | "disabled"))
        {
            b.warn(format!("unknown lifecycle hook `{key}` ignored"));
        }
    }
    let installed = d.get("lifecycle").and_then(|l| l.get("installed")).is_some();
    if c.jwt && !installed {
        // The shared secret arrives only with the `installed` callback: without one the app
        // server never receives it, so no flow carries it and no store keeps it.
        b.warn("authentication: jwt without a lifecycle `installed` URL: Connect has nowhere to send the shared secret; fix the descriptor");
    }
    if let Some(secret) = secret {
        b.flow(
            "server-to-store",
            "app-server",
            "app-store",
            Some(Trigger::Storage),
            None,
            vec![secret.to_owned()],
            "Keep installation records",
            None,
            "installed callback",
        );
    }
}

/// Webhooks the products send.
/// The host of a module or webhook `url` when it is absolute and not the app's own `baseUrl`
/// host: another party receives what goes there (atlassian.md I7).
fn foreign_host(c: &Descriptor<'_>, url: &str) -> Option<String> {
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    let host = host_of(url);
    let base =
        c.d.get("baseUrl")
            .and_then(Json::as_str)
            .map(host_of)
            .unwrap_or_default();
    (absolute && !host.is_empty() && host != base).then_some(host)
}

/// A recipient at an absolute URL: a catalog organisation when its host matches one, else an
/// unknown organisation named after the host (or none, for a non-production host).
fn foreign_recipient(b: &mut Builder, host: &str, from: &str, catalog: &Catalog) -> String {
    let id = format!("url-{}", slug(host));
    if !b.summary.recipients.iter().any(|h| h == host) {
        b.summary.recipients.push(host.to_owned());
    }
    let org = b.organisation_for_host(host, catalog, from);
    let label = match (org.is_empty(), crate::host::non_production(host)) {
        (true, Some(_)) => "not a production destination",
        (true, None) => "organisation not identified",
        (false, _) => org.as_str(),
    };
    let mut component = Builder::bare(&id, &format!("{host} ({label})"), ComponentKind::ExternalService);
    component.operator = (!org.is_empty()).then_some(org);
    b.component(component, from);
    id
}

fn webhooks(b: &mut Builder, c: &Descriptor<'_>, products: &[&str], grants: &Grants, catalog: &Catalog) {
    let (modules, inbound_auth) = (c.modules, c.inbound_auth);
    let (read_ids, personal) = (&grants.read_ids, &grants.personal);
    for (index, hook) in modules
        .and_then(|m| m.get("webhooks"))
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let event = hook.get("event").and_then(Json::as_str).unwrap_or("unknown");
        let product = if is_bitbucket_event(event) {
            "bitbucket"
        } else if is_confluence_event(event) {
            "confluence"
        } else {
            "jira"
        };
        let product = if products.contains(&product) {
            product
        } else {
            products.first().copied().unwrap_or("jira")
        };
        let exclude_body = hook.get("excludeBody").and_then(Json::as_bool) == Some(true);
        let data: Vec<String> = if exclude_body {
            Vec::new()
        } else {
            let read: Vec<String> = personal.iter().filter(|d| read_ids.contains(d)).cloned().collect();
            // The event's own product's data only: a Jira event carries no Confluence pages.
            scopes::for_product(&read, product, products)
        };
        let provenance = format!("modules.webhooks[{index}]");
        let url = hook.get("url").and_then(Json::as_str).unwrap_or_default();
        // An absolute URL on another host sends the event there, not to the app.
        let (target, host) = match foreign_host(c, url) {
            Some(host) => (foreign_recipient(b, &host, &provenance, catalog), Some(host)),
            None => ("app-server".to_owned(), None),
        };
        // The categories are the product's that the scopes let the app read, not the event's
        // exact payload: the vendor confirms them.
        from_permissions(b.flow(
            &format!("webhook-{event}"),
            product,
            &target,
            Some(Trigger::Webhook),
            Some(inbound_auth),
            data,
            &format!(
                "Act on the product's events ({event}{})",
                if exclude_body { ", without their content" } else { "" }
            ),
            host,
            &provenance,
        ));
    }
}

/// Pages, panels, macros and dialogs loaded in an iframe from the vendor.
fn iframes(b: &mut Builder, c: &Descriptor<'_>, grants: &Grants) {
    let (modules, inbound_auth, read_ids) = (c.modules, c.inbound_auth, &grants.read_ids);
    let mut iframe_modules: Vec<String> = Vec::new();
    for (key, value) in modules.into_iter().flatten() {
        if key == "webhooks" {
            continue;
        }
        let entries: Vec<&Json> = match value {
            Json::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        // A module whose url is absolute on another host is a link out, not a page the app
        // serves.
        let served = entries.iter().any(|e| {
            e.get("url")
                .and_then(Json::as_str)
                .is_some_and(|url| foreign_host(c, url).is_none())
        });
        if served {
            iframe_modules.push(key.clone());
        }
    }
    if !iframe_modules.is_empty() {
        let user = Builder::bare("user", "Product users (browser)", ComponentKind::User);
        b.component(user, "iframe modules");
        // The browser loads the pages from the vendor's server: it learns the user's IP address
        // and browser, whatever the app's scopes.
        let browser = b
            .data(BROWSER_DATA, "modules with `url` (pages loaded from the vendor)")
            .to_owned();
        b.flow(
            "user-iframe",
            "user",
            "app-server",
            Some(Trigger::Iframe),
            Some(inbound_auth),
            vec![browser],
            "Show the app's pages and panels inside the product (served by the vendor)",
            None,
            "modules with `url`",
        );
        // With JWT authentication the page request carries a context token naming the user; the
        // category is the scopes' (account ID, display name, avatar), broader than the token.
        let user_data: Vec<String> = read_ids
            .iter()
            .filter(|d| d.as_str() == USER_IDENTITY.id && inbound_auth != Auth::None)
            .cloned()
            .collect();
        if !user_data.is_empty() {
            from_permissions(b.flow(
                "user-iframe-context",
                "user",
                "app-server",
                Some(Trigger::Iframe),
                Some(inbound_auth),
                user_data,
                "Know which user opens the app's pages (the context token)",
                None,
                "modules with `url` + authentication: jwt",
            ));
        }
    }
}

/// The app calls the product's REST API back (reading what its scopes allow, writing back).
fn rest_calls(b: &mut Builder, products: &[&str], grants: &Grants) {
    let (read_ids, write_ids) = (&grants.read_ids, &grants.write_ids);
    for &product in products {
        let reads = scopes::for_product(read_ids, product, products);
        if !reads.is_empty() {
            from_permissions(b.flow(
                &format!("{product}-rest-read"),
                product,
                "app-server",
                Some(Trigger::Rest),
                Some(Auth::JwtHs256),
                reads,
                "Read the product data the app works on (REST API)",
                None,
                "scopes (read)",
            ));
        }
    }
    for &product in products {
        let writes = scopes::for_product(write_ids, product, products);
        if !writes.is_empty() {
            from_permissions(b.flow(
                &format!("rest-write-{product}"),
                "app-server",
                product,
                Some(Trigger::Rest),
                Some(Auth::JwtHs256),
                writes,
                "Write the app's changes back to the product (REST API)",
                None,
                "scopes (write)",
            ));
        }
    }
}

/// API migrations the model does not represent.
fn migrations(b: &mut Builder, c: &Descriptor<'_>) {
    let migrations = c.migrations;
    if let Some(m) = migrations.and_then(Json::as_object) {
        for (key, on) in m {
            if on.as_bool() == Some(true) && !matches!(key.as_str(), "signed-install" | "context-qsh" | "gdpr") {
                b.warn(format!("apiMigrations `{key}` noted but not modelled"));
            }
        }
    }
}

/// Bitbucket Cloud events (`repo:push`, `pullrequest:created`, `issue:created` on a repository).
fn is_bitbucket_event(event: &str) -> bool {
    ["repo:", "pullrequest:", "project:", "pipeline:"]
        .iter()
        .any(|p| event.starts_with(p))
}

fn is_confluence_event(event: &str) -> bool {
    ["page_", "blog_", "space_", "attachment_", "content_", "label_"]
        .iter()
        .any(|p| event.starts_with(p))
        && !event.starts_with("jira:")
}

/// What a lifecycle callback is for, in the words of a DPA.
fn lifecycle_purpose(hook: &str) -> String {
    match hook {
        "installed" => "Register the installation and receive its shared secret".to_owned(),
        "uninstalled" => "Deregister the installation".to_owned(),
        "enabled" => "Record that the app was enabled".to_owned(),
        "disabled" => "Record that the app was disabled".to_owned(),
        other => format!("Receive the product's {other} notice"),
    }
}
