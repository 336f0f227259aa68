//! Forge `manifest.yml` → model.
//!
//! Functions become one Forge-function component (egress permissions are app-wide, so the
//! manifest cannot say which function calls what); hosted storage, remotes, egress hosts, web
//! triggers, the LLM module and Connect-on-Forge parts become their own components.

use super::builder::{Builder, from_permissions, slug};
use super::scopes::{self, ACCESS_TOKEN, Category};
use super::{Imported, name_from_path};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::host::host_of;
use crate::load::node::Pos;
use crate::load::schema::to_json;
use crate::model::{App, Auth, Basis, ComponentKind, Platform, Trigger};
use serde_json::Value as Json;
use std::collections::BTreeMap;

const KNOWN_TOP_LEVEL: &[&str] = &[
    "app",
    "modules",
    "resources",
    "permissions",
    "remotes",
    "providers",
    "environment",
    "translations",
    "connectModules",
    "endpoint",
    "services",
    "features",
];
const EXTERNAL_KEYS: &[&str] = &[
    "fetch",
    "images",
    "media",
    "scripts",
    "styles",
    "fonts",
    "frames",
    "navigation",
    "configurable",
];

/// Forge modules without a product prefix that trustflow reads or knowingly leaves aside.
const PLATFORM_MODULES: &[&str] = &[
    "function",
    "trigger",
    "scheduledTrigger",
    "webtrigger",
    "consumer",
    "queue",
    "macro",
    "sql",
    "endpoint",
    "llm",
    "action",
    "agent",
    "globalPage",
    "timeline",
    "dataResidency",
];

/// Imports a Forge manifest.
pub fn import(name: &str, text: &str, catalog: &Catalog) -> Result<Imported, Vec<Diagnostic>> {
    let json = parse(name, text)?;
    // `parse` returns only mappings.
    let empty = serde_json::Map::new();
    let manifest = json.as_object().unwrap_or(&empty);
    let m = Manifest::read(manifest);
    let mut b = header(name, &m);
    let grants = scope_grants(&mut b, &m);
    let shape = products(&mut b, &m);
    functions(&mut b, &grants, &shape);
    storage(&mut b, &m, &grants);
    webtriggers(&mut b, &m);
    lifecycle(&mut b, &m);
    forge_llm(&mut b, &m, &grants);
    remotes(&mut b, &m, &grants, &shape, catalog);
    connect_modules(&mut b, &m);
    let declared = egress(&mut b, &m, &grants, shape.has_ui, catalog);
    let mut facts = manifest_facts(&m);
    facts.egress = declared;
    b.model_mut().manifest = Some(facts);
    Ok(b.finish())
}

/// The parts of a manifest the import steps read.
struct Manifest<'j> {
    map: &'j serde_json::Map<String, Json>,
    app: Option<&'j Json>,
    connect: Option<&'j Json>,
    permissions: Option<&'j Json>,
    modules: Option<&'j serde_json::Map<String, Json>>,
    scopes: Vec<String>,
}

impl<'j> Manifest<'j> {
    fn read(map: &'j serde_json::Map<String, Json>) -> Manifest<'j> {
        let app = map.get("app");
        let permissions = map.get("permissions").filter(|p| p.is_object());
        let scopes = permissions
            .and_then(|p| p.get("scopes"))
            .map(|s| match s {
                Json::Array(items) => items.iter().filter_map(Json::as_str).map(str::to_owned).collect(),
                Json::Object(map) => map.keys().cloned().collect(), // an old map form
                _ => Vec::new(),
            })
            .unwrap_or_default();
        Manifest {
            map,
            app,
            connect: app.and_then(|a| a.get("connect")),
            permissions,
            modules: map.get("modules").and_then(Json::as_object),
            scopes,
        }
    }
}

/// What the scopes grant, as data category ids.
struct Grants {
    read_ids: Vec<String>,
    write_ids: Vec<String>,
    personal: Vec<String>,
}

/// The products the app extends, and what its modules say about it.
struct Shape {
    products: Vec<&'static str>,
    module_count: usize,
    has_ui: bool,
    /// The app subscribes to product events (`trigger` modules with events other than the
    /// `avi:forge:` lifecycle ones); otherwise its functions read the products when called.
    product_events: bool,
}

/// Parses the manifest's YAML into JSON; it must be a mapping of the shape Forge accepts
/// where data flows are declared (see [`super::shape`]).
fn parse(name: &str, text: &str) -> Result<Json, Vec<Diagnostic>> {
    let source = crate::load::SourceFile::detached(name, text);
    let error = |code: &'static str, message: &str, pos: Pos| {
        vec![source.diagnostic(Diagnostic::error(code, message.to_owned()), pos)]
    };
    let root = crate::load::yaml::parse(text).map_err(|e| error("yaml-syntax", &e.message, e.pos))?;
    let Some(root) = root else {
        return Err(error("yaml-syntax", "the manifest is empty", Pos::default()));
    };
    if !matches!(root.value, crate::load::node::Value::Map(_)) {
        return Err(error(
            "wrong-type",
            "a Forge manifest is a mapping (app:, modules:, permissions: …)",
            root.pos,
        ));
    }
    let problems = super::shape::check(super::shape::Descriptor::Forge, &root, &source);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(to_json(&root))
}

/// The app's identity and the warnings about the manifest's top level.
fn header(name: &str, m: &Manifest<'_>) -> Builder {
    let (manifest, app, connect) = (m.map, m.app, m.connect);
    let app_id = app.and_then(|a| a.get("id")).and_then(Json::as_str).map(str::to_owned);
    let platform = if connect.is_some() || manifest.contains_key("connectModules") || manifest.contains_key("remotes") {
        Platform::Hybrid
    } else {
        Platform::Forge
    };
    let runtime = app
        .and_then(|a| a.get("runtime"))
        .and_then(|r| r.get("name"))
        .and_then(Json::as_str);
    // The manifest's own `app.title` or `app.name` when it has one, else the file's name.
    let title = ["title", "name"]
        .iter()
        .find_map(|k| app.and_then(|a| a.get(*k)).and_then(Json::as_str))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let from_file = title.is_none().then(|| name_from_path(name));
    let mut b = Builder::new(App {
        name: title.or_else(|| from_file.clone()).unwrap_or_default(),
        platform,
        vendor: "vendor".into(),
        key: app_id.clone(),
        version: None,
        description: Some(format!(
            "Imported from the Forge manifest {}{}",
            super::file_name(name),
            runtime.map(|r| format!(" (runtime {r})")).unwrap_or_default()
        )),
        scopes: Vec::new(),
    });
    b.summary.name_from_file = from_file;
    b.summary.connect_key = connect
        .and_then(|c| c.get("key"))
        .and_then(Json::as_str)
        .map(str::to_owned);
    if app_id.is_none() {
        b.warn("the manifest has no app.id");
    }
    for key in manifest.keys() {
        if !KNOWN_TOP_LEVEL.contains(&key.as_str()) {
            b.warn(format!("unknown top-level key `{key}` ignored"));
        }
    }
    if manifest.get("permissions").is_some_and(|p| !p.is_object()) {
        b.warn("`permissions` is not a mapping; ignored");
    }

    b
}

/// Scopes → what the app can read and write.
fn scope_grants(b: &mut Builder, m: &Manifest<'_>) -> Grants {
    let scope_list = &m.scopes;
    let mut reads: Vec<Category> = Vec::new();
    let mut writes: Vec<Category> = Vec::new();
    for scope in scope_list {
        b.summary.scopes.push(scope.clone());
        match scopes::forge_scope(scope) {
            Some(grant) => {
                reads.extend(grant.reads);
                writes.extend(grant.writes);
            }
            None if scopes::forge_platform_scope(scope) => {}
            None => b.warn(format!(
                "scope `{scope}` is not in the mapping table; no data category derived"
            )),
        }
    }
    let granted = b.grants(reads, writes, "permissions.scopes");
    Grants {
        read_ids: granted.read_ids,
        write_ids: granted.write_ids,
        personal: granted.personal,
    }
}

/// Products, from module prefixes and scopes; each becomes a product component.
fn products(b: &mut Builder, m: &Manifest<'_>) -> Shape {
    let (manifest, modules, scope_list) = (m.map, m.modules, &m.scopes);
    // Products, from module prefixes.
    let mut products: Vec<&'static str> = Vec::new();
    let mut module_count = 0;
    let mut has_ui = false;
    if let Some(modules) = modules {
        for (key, entries) in modules {
            module_count += entries.as_array().map_or(1, Vec::len);
            if let Some((product, _)) = key.split_once(':') {
                let product = match product {
                    "jira" | "jiraServiceManagement" => "jira",
                    "confluence" => "confluence",
                    "bitbucket" => "bitbucket",
                    "compass" => "compass",
                    "rovo" | "llm" | "core" | "devops" | "macro" | "storage" | "migration" | "action" => continue,
                    other => {
                        b.warn(format!("module `{key}`: unknown product `{other}`"));
                        continue;
                    }
                };
                if !products.contains(&product) {
                    products.push(product);
                }
            }
            if !key.contains(':') && !PLATFORM_MODULES.contains(&key.as_str()) {
                b.warn(format!(
                    "module `{key}` is not one trustflow knows; its data flows are not modelled"
                ));
            }
            if entries.as_array().is_some_and(|list| {
                list.iter()
                    .any(|m| m.get("resource").is_some() || m.get("render").is_some())
            }) {
                has_ui = true;
            }
        }
    } else if manifest.contains_key("modules") {
        b.warn("`modules` is not a mapping; ignored");
    }
    // Scopes name the products the app reads even when its modules do not (a bare `macro`).
    if modules.is_some_and(|m| m.contains_key("macro")) && !products.contains(&"confluence") {
        products.push("confluence");
    }
    for (needle, product) in [
        ("jira", "jira"),
        ("confluence", "confluence"),
        ("bitbucket", "bitbucket"),
    ] {
        if scope_list.iter().any(|s| s.contains(needle)) && !products.contains(&product) {
            products.push(product);
        }
    }
    if products.is_empty() {
        products.push("jira");
        b.warn("no product modules or product scopes found; assuming Jira");
    }
    for product in &products {
        let mut component = Builder::bare(
            product,
            &format!("{} Cloud", title(product)),
            ComponentKind::AtlassianProduct,
        );
        component.boundary = Some("tenant".into());
        component.region = Some("tenant".into());
        b.component(component, "modules (product prefixes)");
    }
    b.model_mut().boundaries.push(crate::model::Boundary {
        id: "forge-runtime".into(),
        name: Some("Forge runtime (per installation)".into()),
        operator: Some("atlassian".into()),
        parent: Some("atlassian-cloud".into()),
    });
    let product_events = modules
        .and_then(|m| m.get("trigger"))
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .flat_map(|t| t.get("events").and_then(Json::as_array).into_iter().flatten())
        .filter_map(Json::as_str)
        .any(|event| !event.starts_with("avi:forge:"));
    Shape {
        products,
        module_count,
        has_ui,
        product_events,
    }
}

/// The app's functions, and the flows between them and the products.
fn functions(b: &mut Builder, grants: &Grants, shape: &Shape) {
    let (read_ids, write_ids) = (&grants.read_ids, &grants.write_ids);
    let (products, module_count, has_ui) = (&shape.products, shape.module_count, shape.has_ui);
    let mut functions = Builder::bare("forge-app", "Forge functions", ComponentKind::ForgeFunction);
    functions.boundary = Some("forge-runtime".into());
    functions.region = Some("tenant".into());
    functions.description = Some(format!(
        "{module_count} module(s) of the app, run by Atlassian's Forge runtime"
    ));
    // What the app writes it authors itself; reading is modelled by the flows from the products.
    functions.produces = write_ids.iter().filter(|d| !read_ids.contains(d)).cloned().collect();
    b.component(functions, "modules.function and the modules invoking them");
    for &product in products {
        let writes = scopes::for_product(write_ids, product, products);
        from_permissions(b.flow(
            &format!("{product}-to-app"),
            product,
            "forge-app",
            // Events push the data; without them the functions read it through the REST API.
            Some(if shape.product_events {
                Trigger::Event
            } else {
                Trigger::Rest
            }),
            Some(Auth::Platform),
            scopes::for_product(read_ids, product, products),
            &format!("Read the {} data the app works on", title(product)),
            None,
            "permissions.scopes (read)",
        ));
        if !writes.is_empty() {
            from_permissions(b.flow(
                &format!("app-to-{product}"),
                "forge-app",
                product,
                Some(Trigger::Rest),
                Some(Auth::Oauth2),
                writes,
                &format!("Write the app's changes back to {}", title(product)),
                None,
                "permissions.scopes (write)",
            ));
        }
    }
    if has_ui {
        let mut user = Builder::bare("user", "Product users (browser)", ComponentKind::User);
        user.boundary = None;
        b.component(user, "UI modules (resources rendered in the browser)");
        let user_data: Vec<String> = read_ids.iter().filter(|d| *d == "user-identity").cloned().collect();
        // The platform passes the account ID; the category is the scopes' (names, avatars too).
        from_permissions(b.flow(
            "user-to-app",
            "user",
            "forge-app",
            Some(Trigger::Invoke),
            Some(Auth::Platform),
            user_data,
            "Show the app's screens to its users",
            None,
            "UI modules",
        ));
    }
}

/// Hosted storage.
fn storage(b: &mut Builder, m: &Manifest<'_>, grants: &Grants) {
    let (app, modules, scope_list, personal) = (m.app, m.modules, &m.scopes, &grants.personal);
    let uses_storage = scope_list.iter().any(|s| s == "storage:app")
        || app.and_then(|a| a.get("storage")).is_some()
        || modules.is_some_and(|m| m.contains_key("sql") || m.contains_key("storage:entities"));
    if uses_storage {
        let mut storage = Builder::bare(
            "forge-storage",
            "Forge hosted storage (KVS, entities, SQL)",
            ComponentKind::ForgeStorage,
        );
        storage.boundary = Some("forge-runtime".into());
        storage.region = Some("tenant".into());
        storage.stores = personal.clone();
        storage.basis = (!personal.is_empty()).then_some(Basis::Permissions);
        storage.keyed_by_tenant = Some(true);
        storage.description = Some("assumed to keep what the app reads; narrow `stores` in an overlay".into());
        b.component(storage, "storage:app scope / app.storage / sql module");
        if !personal.is_empty() {
            from_permissions(b.flow(
                "app-to-storage",
                "forge-app",
                "forge-storage",
                Some(Trigger::Storage),
                Some(Auth::Platform),
                personal.clone(),
                "Store the app's data",
                None,
                "hosted storage",
            ));
        }
    }
}

/// Web triggers are public URLs.
fn webtriggers(b: &mut Builder, m: &Manifest<'_>) {
    let modules = m.modules;
    if let Some(triggers) = modules.and_then(|m| m.get("webtrigger")).and_then(Json::as_array) {
        let dynamic = triggers
            .iter()
            .any(|t| t.get("response").and_then(|r| r.get("type")).and_then(Json::as_str) != Some("static"));
        if let Some(c) = b.model_mut().components.iter_mut().find(|c| c.id == "forge-app") {
            c.public_endpoint = true;
        }
        let mut caller = Builder::bare(
            "webtrigger-caller",
            "Web trigger callers (internet)",
            ComponentKind::User,
        );
        caller.description = Some(format!(
            "{} web trigger(s){}",
            triggers.len(),
            if dynamic { ", dynamic" } else { "" }
        ));
        b.component(caller, "modules.webtrigger");
        b.flow(
            "webtrigger",
            "webtrigger-caller",
            "forge-app",
            Some(Trigger::Webtrigger),
            None,
            Vec::new(),
            "Receive requests from outside Atlassian (web trigger)",
            None,
            "modules.webtrigger",
        );
    }
}

/// Lifecycle triggers, for the import summary.
fn lifecycle(b: &mut Builder, m: &Manifest<'_>) {
    let modules = m.modules;
    if let Some(triggers) = modules.and_then(|m| m.get("trigger")).and_then(Json::as_array) {
        for trigger in triggers {
            for event in trigger
                .get("events")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
            {
                if event.starts_with("avi:forge:") {
                    b.summary.lifecycle.push(event.to_owned());
                }
            }
        }
    }
}

/// The Forge LLM module: Atlassian-hosted inference, not vendor egress.
fn forge_llm(b: &mut Builder, m: &Manifest<'_>, grants: &Grants) {
    let (modules, personal) = (m.modules, &grants.personal);
    if modules.is_some_and(|m| m.contains_key("llm")) {
        let mut llm = Builder::bare(
            "forge-llm",
            "Forge LLM (Atlassian-hosted)",
            ComponentKind::ExternalService,
        );
        llm.operator = Some("atlassian".into());
        llm.boundary = Some("forge-runtime".into());
        llm.region = Some("tenant".into());
        b.component(llm, "modules.llm");
        from_permissions(b.flow(
            "app-to-llm",
            "forge-app",
            "forge-llm",
            Some(Trigger::Rest),
            Some(Auth::Platform),
            personal.clone(),
            "Generate text with Atlassian's AI model (Forge LLM)",
            None,
            "modules.llm",
        ));
    }
}

/// Remotes (Forge Remote): each becomes a vendor service the functions invoke.
fn remotes(b: &mut Builder, m: &Manifest<'_>, grants: &Grants, shape: &Shape, catalog: &Catalog) {
    let mut remote_keys: Vec<String> = Vec::new();
    let endpoint_tokens = endpoint_tokens(m);
    for remote in m.map.get("remotes").and_then(Json::as_array).into_iter().flatten() {
        if let Some((key, id, tokens)) = remote_component(b, remote, grants, &endpoint_tokens, catalog) {
            if !tokens.is_empty() {
                remote_product_flows(b, &key, &id, &tokens, grants, shape);
            }
            remote_keys.push(key);
        }
    }
    let connect_remote = m
        .connect
        .and_then(|c| c.get("remote"))
        .and_then(Json::as_str)
        .map(str::to_owned);
    if let Some(remote) = &connect_remote {
        b.summary.remotes.push(format!("connect:{remote}"));
        if !remote_keys.contains(remote) {
            b.warn(format!("app.connect.remote `{remote}` names no entry of `remotes`"));
        }
    }
}

/// The permission an egress list is under, as Runs on Atlassian distinguishes them.
fn egress_kind(list: &str) -> crate::model::EgressKind {
    match list {
        "fetch.client" => crate::model::EgressKind::Client,
        k if k.starts_with("fetch") => crate::model::EgressKind::Backend,
        _ => crate::model::EgressKind::Content,
    }
}

/// A remote's `baseUrl` (its `default`, or its first, when it is a map of per-realm URLs), and
/// whether it is per realm.
fn remote_base_url(remote: &Json) -> (String, bool) {
    match remote.get("baseUrl") {
        Some(Json::String(url)) => (url.clone(), false),
        Some(Json::Object(map)) => (
            map.get("default")
                .or_else(|| map.values().next())
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned(),
            map.keys().any(|k| crate::model::Realm::parse(k).is_some()),
        ),
        _ => (String::new(), false),
    }
}

/// Which product tokens a `auth` block enables (`appSystemToken`, `appUserToken`).
fn enabled_tokens(auth: Option<&Json>) -> Vec<&'static str> {
    ["appSystemToken", "appUserToken"]
        .into_iter()
        .filter(|t| {
            auth.and_then(|a| a.get(t))
                .and_then(|x| x.get("enabled"))
                .and_then(Json::as_bool)
                == Some(true)
        })
        .collect()
}

/// Tokens requested on `endpoint` modules, by the remote they point to: Atlassian documents
/// `auth.appSystemToken` / `auth.appUserToken` on the `endpoint` module as well as on
/// `remotes[].auth` (atlassian.md I3).
fn endpoint_tokens(m: &Manifest<'_>) -> BTreeMap<String, Vec<&'static str>> {
    let mut out: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for endpoint in m
        .modules
        .and_then(|mods| mods.get("endpoint"))
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let Some(remote) = endpoint.get("remote").and_then(Json::as_str) else {
            continue;
        };
        let tokens = out.entry(remote.to_owned()).or_default();
        for token in enabled_tokens(endpoint.get("auth")) {
            if !tokens.contains(&token) {
                tokens.push(token);
            }
        }
    }
    out
}

/// With an app system or user token the remote calls the products' REST APIs itself
/// (atlassian.md I3): product data reaches the vendor's server directly, not only what the
/// functions pass on, and what the app may write can come from the remote.
fn remote_product_flows(b: &mut Builder, key: &str, id: &str, tokens: &[&str], grants: &Grants, shape: &Shape) {
    let which = tokens
        .iter()
        .map(|t| {
            if *t == "appSystemToken" {
                "app system token"
            } else {
                "app user token"
            }
        })
        .collect::<Vec<_>>()
        .join(" and ");
    let products = &shape.products;
    for &product in products {
        let (reads, writes) = (
            scopes::for_product(&grants.read_ids, product, products),
            scopes::for_product(&grants.write_ids, product, products),
        );
        if !reads.is_empty() {
            from_permissions(b.flow(
                &format!("{product}-to-{id}"),
                product,
                id,
                Some(Trigger::Rest),
                Some(Auth::Oauth2),
                reads,
                &format!("The app's own servers read {} data (with the {which})", title(product)),
                None,
                &format!("remotes[{key}] tokens + permissions.scopes (read)"),
            ));
        }
        if !writes.is_empty() {
            from_permissions(b.flow(
                &format!("{id}-to-{product}"),
                id,
                product,
                Some(Trigger::Rest),
                Some(Auth::Oauth2),
                writes,
                &format!(
                    "The app's own servers write changes back to {} (with the {which})",
                    title(product)
                ),
                None,
                &format!("remotes[{key}] tokens + permissions.scopes (write)"),
            ));
        }
    }
}

/// One remote: its key, component id and the product tokens it receives, or `None` when it
/// has no key.
fn remote_component(
    b: &mut Builder,
    remote: &Json,
    grants: &Grants,
    endpoint_tokens: &BTreeMap<String, Vec<&'static str>>,
    catalog: &Catalog,
) -> Option<(String, String, Vec<&'static str>)> {
    let personal = &grants.personal;
    let Some(key) = remote.get("key").and_then(Json::as_str) else {
        b.warn("a remote without `key` ignored");
        return None;
    };
    b.summary.remotes.push(key.to_owned());
    let (url, regional) = remote_base_url(remote);
    let operations: Vec<&str> = remote
        .get("operations")
        .and_then(Json::as_array)
        .map(|o| o.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    // Without `operations` Forge assumes the remote stores in-scope End-User Data.
    let stores = operations.is_empty()
        || (operations.contains(&"storage")
            && remote
                .get("storage")
                .and_then(|s| s.get("inScopeEUD"))
                .and_then(Json::as_bool)
                != Some(false));
    let host = host_of(&url);
    if !host.is_empty() {
        b.vendor_hosts.insert(host.clone());
    }
    let id = format!("remote-{}", slug(key));
    let mut component = Builder::bare(
        &id,
        &format!(
            "Forge Remote `{key}` ({})",
            if host.is_empty() { "no baseUrl" } else { &host }
        ),
        ComponentKind::Service,
    );
    component.operator = Some("vendor".into());
    component.boundary = Some("vendor-cloud".into());
    component.public_endpoint = true;
    component.region = regional.then(|| "tenant".to_owned());
    if stores {
        component.stores = personal.clone();
        component.basis = (!personal.is_empty()).then_some(Basis::Permissions);
        component.keyed_by_tenant = None;
    }
    if !host.is_empty()
        && !host.contains("${")
        && let Some((_, entry)) = catalog.organisation_for_host(&host)
    {
        let infrastructure = matches!(entry.category.as_deref(), Some("hosting" | "cdn" | "platform"));
        let org = b.organisation_for_host(&host, catalog, &format!("runs remotes[{key}].baseUrl"));
        if org.is_empty() {
            // Not a production destination (a placeholder or malformed host): no party to
            // name, and the builder has said why.
        } else if infrastructure {
            component.hosted_by = Some(org);
        } else {
            // A third party's own API used as a remote: it operates the endpoint.
            component.operator = Some(org);
            component.boundary = None;
            component.public_endpoint = false;
        }
    }
    component.description = Some(format!(
        "operations: {}{}",
        if operations.is_empty() {
            "not declared (assumed to store in-scope data)".to_owned()
        } else {
            operations.join(", ")
        },
        if regional { "; regional baseUrls" } else { "" }
    ));
    ensure_vendor_boundary(b);
    b.component(component, &format!("remotes[{key}]"));
    let mut data = personal.clone();
    let mut tokens = enabled_tokens(remote.get("auth"));
    for token in endpoint_tokens.get(key).into_iter().flatten() {
        if !tokens.contains(token) {
            tokens.push(token);
        }
    }
    if !tokens.is_empty() {
        b.summary.product_tokens.push(format!("{key} ({})", tokens.join(", ")));
        let token = b
            .data(ACCESS_TOKEN, "remotes[].auth / endpoint auth (app tokens)")
            .to_owned();
        // Forge mints the tokens for the invocation: the functions hold them.
        if let Some(app) = b.model_mut().components.iter_mut().find(|c| c.id == "forge-app")
            && !app.produces.contains(&token)
        {
            app.produces.push(token.clone());
        }
        data.push(token);
    }
    from_permissions(b.flow(
        &format!("app-to-{id}"),
        "forge-app",
        &id,
        Some(Trigger::Remote),
        Some(Auth::Fit),
        data,
        "Send data to the app's own servers (Forge Remote)",
        (!host.is_empty()).then(|| host.clone()),
        &format!("remotes[{key}]"),
    ));
    Some((key.to_owned(), id, tokens))
}

/// Connect modules on Forge: the Connect part runs on the vendor's servers.
fn connect_modules(b: &mut Builder, m: &Manifest<'_>) {
    let manifest = m.map;
    if manifest.contains_key("connectModules") {
        b.warn("connectModules present: the Connect part runs on the vendor's servers (see the remote)");
        for hook in manifest
            .get("connectModules")
            .and_then(|m| m.as_object())
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(|(k, _)| k.ends_with(":lifecycle"))
            .flat_map(|(_, v)| v.as_array().into_iter().flatten())
            .filter_map(Json::as_object)
            .flat_map(|o| o.keys())
            .filter(|k| matches!(k.as_str(), "installed" | "uninstalled" | "enabled" | "disabled"))
        {
            b.summary.lifecycle.push(hook.clone());
        }
    }
}

/// Egress permissions.
/// Egress permissions as components and flows; returns the entries as declared (kind,
/// category, `inScopeEUD`) for the manifest facts Runs on Atlassian reads.
fn egress(
    b: &mut Builder,
    m: &Manifest<'_>,
    grants: &Grants,
    has_ui: bool,
    catalog: &Catalog,
) -> Vec<crate::model::EgressEntry> {
    let (manifest, permissions, personal) = (m.map, m.permissions, &grants.personal);
    let declared = if let Some(external) = permissions.and_then(|p| p.get("external")) {
        import_external(b, external, personal, has_ui, catalog)
    } else if let Some(external) = manifest.get("external") {
        b.warn("egress declared outside `permissions.external`; read as if it were inside");
        import_external(b, external, personal, has_ui, catalog)
    } else {
        Vec::new()
    };
    if manifest.get("providers").and_then(|p| p.get("auth")).is_some() {
        b.warn("providers.auth (external OAuth providers) are not modelled; add the provider in an overlay");
    }
    declared
}

fn ensure_vendor_boundary(b: &mut Builder) {
    if !b.model().boundaries.iter().any(|x| x.id == "vendor-cloud") {
        b.model_mut().boundaries.push(crate::model::Boundary {
            id: "vendor-cloud".into(),
            name: Some("Vendor-hosted services".into()),
            operator: Some("vendor".into()),
            parent: None,
        });
    }
}

/// The egress lists of `permissions.external`, each with the permission it is under.
fn egress_lists<'j>(b: &mut Builder, external: &'j serde_json::Map<String, Json>) -> Vec<(String, &'j Json)> {
    let mut lists: Vec<(String, &Json)> = Vec::new();
    match external.get("fetch") {
        Some(Json::Object(fetch)) => {
            for (side, list) in fetch {
                lists.push((format!("fetch.{side}"), list));
            }
        }
        // A bare list under `fetch` (an old or mistaken form): read it as backend egress.
        Some(list @ Json::Array(_)) => {
            b.warn("permissions.external.fetch is a list; read as fetch.backend");
            lists.push(("fetch.backend".to_owned(), list));
        }
        _ => {}
    }
    for key in ["images", "media", "scripts", "styles", "fonts", "frames", "navigation"] {
        if let Some(list) = external.get(key) {
            lists.push((key.to_owned(), list));
        }
    }
    if external.get("configurable").is_some() {
        b.warn("permissions.external.configurable: admins can add egress at run time, which no manifest shows");
    }
    lists
}

fn import_external(
    b: &mut Builder,
    external: &Json,
    personal: &[String],
    has_ui: bool,
    catalog: &Catalog,
) -> Vec<crate::model::EgressEntry> {
    let mut declared = Vec::new();
    let Some(external) = external.as_object() else {
        b.warn("permissions.external is not a mapping; ignored");
        return declared;
    };
    for key in external.keys() {
        if !EXTERNAL_KEYS.contains(&key.as_str()) {
            b.warn(format!("unknown permissions.external key `{key}` ignored"));
        }
    }
    let lists = egress_lists(b, external);
    let mut backend_hosts: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    for (kind, list) in lists {
        for (index, entry) in list.as_array().into_iter().flatten().enumerate() {
            let (address, in_scope_eud, category) = match entry {
                Json::String(address) => (address.clone(), None, None),
                Json::Object(map) if map.contains_key("remote") => continue, // a remote, modelled above
                Json::Object(map) => (
                    map.get("address").and_then(Json::as_str).unwrap_or_default().to_owned(),
                    map.get("inScopeEUD").and_then(Json::as_bool),
                    map.get("category").and_then(Json::as_str).map(str::to_owned),
                ),
                _ => {
                    b.warn(format!(
                        "permissions.external.{kind}[{index}] is neither text nor a mapping; ignored"
                    ));
                    continue;
                }
            };
            if address.is_empty() {
                b.warn(format!("permissions.external.{kind}[{index}] has no address; ignored"));
                continue;
            }
            if !seen.insert((kind.clone(), address.clone())) {
                b.warn(format!(
                    "permissions.external.{kind}[{index}] repeats `{address}`; read once"
                ));
                continue;
            }
            b.summary.egress.push(address.clone());
            let in_scope = in_scope_eud.unwrap_or(true);
            declared.push(crate::model::EgressEntry {
                address: address.clone(),
                kind: egress_kind(&kind),
                category: category.clone(),
                in_scope_eud,
            });
            let host = host_of(&address);
            let provenance = format!("permissions.external.{kind}[{index}]");
            // One host, one party: a host that also serves the vendor's remote is the vendor's.
            let org = if b.vendor_hosts.contains(&host) {
                "vendor".to_owned()
            } else {
                b.organisation_for_host(&host, catalog, &format!("serves {provenance}"))
            };
            let id = format!("egress-{}", slug(&host));
            let label = match (org.is_empty(), crate::host::non_production(&host)) {
                (true, Some(_)) => "not a production destination",
                (true, None) => "organisation not identified",
                (false, _) => org.as_str(),
            };
            let mut component = Builder::bare(&id, &format!("{host} ({label})"), ComponentKind::ExternalService);
            component.operator = (!org.is_empty()).then(|| org.clone());
            if org == "atlassian" {
                component.region = Some("tenant".into());
            }
            b.component(component, &provenance);
            // Backend fetches send what the functions hold; browser-side ones what the UI shows;
            // images, fonts and the like only request content.
            let (from, data, trigger, purpose) = match kind.as_str() {
                "fetch.backend" => {
                    backend_hosts.push(address.clone());
                    (
                        "forge-app",
                        personal.to_vec(),
                        Trigger::Fetch,
                        "the app's back end sends data to",
                    )
                }
                "fetch.client" if has_ui => (
                    "user",
                    personal.to_vec(),
                    Trigger::Fetch,
                    "the app's pages in the browser send data to",
                ),
                "fetch.client" => (
                    "forge-app",
                    personal.to_vec(),
                    Trigger::Fetch,
                    "the app's pages in the browser send data to",
                ),
                _ => (
                    if has_ui { "user" } else { "forge-app" },
                    Vec::new(),
                    Trigger::User,
                    "the app's pages load images, fonts or other content from",
                ),
            };
            let data = if in_scope { data } else { Vec::new() };
            // Personal data sent to a host: the manifest says where, never why, and a DPA
            // annex must state the purpose, so it is left for the vendor (a gap of the import).
            let purpose = if data.is_empty() {
                egress_purpose(purpose, &host, category.as_deref(), in_scope)
            } else {
                String::new()
            };
            from_permissions(b.flow(
                &format!("{from}-to-{id}"),
                from,
                &id,
                Some(trigger),
                None,
                data,
                &purpose,
                Some(host.clone()),
                &provenance,
            ));
        }
    }
    if let Some(c) = b.model_mut().components.iter_mut().find(|c| c.id == "forge-app") {
        c.egress = backend_hosts;
    }
    declared
}

/// What Atlassian's Runs on Atlassian check reads from the manifest, as declared.
fn manifest_facts(m: &Manifest<'_>) -> crate::model::ManifestFacts {
    use crate::model::{
        ManifestFacts, RemoteEntry, StorageEntry, StorageResidency, WebtriggerEntry, WebtriggerResponse,
    };
    let mut facts = ManifestFacts::default();
    // Egress entries come from the egress step, which reads them once.
    let external = m.permissions.and_then(|p| p.get("external"));
    facts.customer_managed_egress = match external.and_then(|e| e.get("configurable")) {
        Some(Json::Object(c)) => c.get("enabled").and_then(Json::as_bool) == Some(true),
        Some(Json::Bool(enabled)) => *enabled,
        _ => false,
    };
    for remote in m.map.get("remotes").and_then(Json::as_array).into_iter().flatten() {
        let Some(key) = remote.get("key").and_then(Json::as_str) else {
            continue;
        };
        let (url, _) = remote_base_url(remote);
        facts.remotes.push(RemoteEntry {
            key: key.to_owned(),
            host: Some(host_of(&url)).filter(|h| !h.is_empty()),
            configured: remote
                .get("configured")
                .is_some_and(|c| !matches!(c, Json::Bool(false) | Json::Null)),
        });
    }
    for trigger in m
        .modules
        .and_then(|m| m.get("webtrigger"))
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let key = trigger
            .get("key")
            .and_then(Json::as_str)
            .unwrap_or("webtrigger")
            .to_owned();
        let response = match trigger
            .get("response")
            .and_then(|r| r.get("type"))
            .and_then(Json::as_str)
        {
            Some("static") => WebtriggerResponse::Static,
            Some(_) => WebtriggerResponse::Dynamic,
            None => WebtriggerResponse::Untyped,
        };
        facts.webtriggers.push(WebtriggerEntry { key, response });
    }
    facts.connect_modules = m.map.contains_key("connectModules");
    let uses_kvs = m.scopes.iter().any(|s| s == "storage:app") || m.app.and_then(|a| a.get("storage")).is_some();
    if uses_kvs {
        facts.storage.push(StorageEntry {
            module: "kvs".to_owned(),
            residency: StorageResidency::Supported,
        });
    }
    if m.modules.is_some_and(|m| m.contains_key("storage:entities")) {
        facts.storage.push(StorageEntry {
            module: "custom-entities".to_owned(),
            residency: StorageResidency::Supported,
        });
    }
    if m.modules.is_some_and(|m| m.contains_key("sql")) {
        facts.storage.push(StorageEntry {
            module: "sql".to_owned(),
            residency: StorageResidency::Unknown,
        });
    }
    facts
}

fn title(product: &str) -> String {
    let mut chars = product.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// An egress flow's purpose in plain words: what goes where and, since the manifest says where
/// data goes but not why, that the reason is not stated (for the vendor to state in an overlay).
fn egress_purpose(what: &str, host: &str, category: Option<&str>, in_scope: bool) -> String {
    let why = match category {
        Some(c) => format!("declared for {}", c.to_lowercase().replace('_', " ")),
        None => "the manifest does not say why".to_owned(),
    };
    let scope = if in_scope {
        ""
    } else {
        "; declared to carry no end-user data"
    };
    format!("{} {host} ({why}{scope})", capitalised(what))
}

/// `text` with its first letter upper-case, to start a sentence.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
