//! Host names: the one place that takes a host out of an address and matches hosts against
//! declared egress and organisation domains. Matching is by whole DNS labels, so that
//! `exfil-atlassian.com` is never taken for `atlassian.com`.

/// The host of an address, lower-cased: `https://user@X.example.com:443/path?q` →
/// `x.example.com`. Template placeholders (`${VAR}`, `{{var}}`) are kept as written.
pub fn host_of(address: &str) -> String {
    let rest = address.split_once("://").map_or(address, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    // Strip a port; keep `${VAR}` placeholders as written.
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !port.is_empty() => h,
        _ => host,
    };
    let host = host.trim_end_matches('.');
    if host.contains("${") || host.contains("{{") {
        host.to_owned()
    } else {
        host.to_ascii_lowercase()
    }
}

/// Whether `host` is `domain` or a subdomain of it (whole labels only).
pub fn within_domain(host: &str, domain: &str) -> bool {
    let domain = domain.trim_start_matches("*.");
    // Compared as bytes: a non-ASCII host must not be cut inside a character.
    host.len() >= domain.len()
        && host.as_bytes()[host.len() - domain.len()..].eq_ignore_ascii_case(domain.as_bytes())
        && (host.len() == domain.len() || host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// Whether an egress declaration (`api.example.com`, `https://api.example.com/v1`,
/// `*.example.com`, `*`) allows calls to `host`.
pub fn egress_allows(declared: &str, host: &str) -> bool {
    let declared = host_of(declared);
    let host = host_of(host);
    declared == "*"
        || declared == host
        || declared
            .strip_prefix("*.")
            .is_some_and(|suffix| host.len() > suffix.len() && within_domain(&host, suffix))
}

/// Whether a declared destination allows any host, or every host under a public suffix
/// (`*`, `https://*`, `https://*:443/`, `*.com`, `*.co.uk`): anyone can register a name there.
pub fn is_unbounded(declared: &str) -> bool {
    let host = host_of(declared);
    host == "*"
        || host
            .strip_prefix("*.")
            .is_some_and(|rest| !rest.contains('.') || public_suffix(rest).is_some())
}

/// Whether `name` is itself a public suffix in Mozilla's Public Suffix List (the `psl`
/// crate's compiled copy): `Some(true)` for a private-section suffix (a hosting platform's
/// tenant domain such as `herokuapp.com`), `Some(false)` for an ICANN one (`co.uk`).
pub fn public_suffix(name: &str) -> Option<bool> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let suffix = psl::suffix(name.as_bytes())?;
    (suffix.is_known() && suffix.as_bytes() == name.as_bytes()).then(|| suffix.typ() == Some(psl::Type::Private))
}

/// Whether a host belongs to Atlassian's own domains (`atlassian.net`, `atlassian.com`).
pub fn is_atlassian(host: &str) -> bool {
    let host = host_of(host);
    let bare = host.trim_start_matches("*.");
    within_domain(bare, "atlassian.net") || within_domain(bare, "atlassian.com")
}

/// Development tunnels: a host under one of these reaches a developer's machine.
const TUNNELS: &[&str] = &[
    "ngrok.io",
    "ngrok.app",
    "ngrok.dev",
    "ngrok-free.app",
    "ngrok-free.dev",
    "loca.lt",
    "localtunnel.me",
    "trycloudflare.com",
    "serveo.net",
    "localhost.run",
    "lhr.life",
    "pagekite.me",
    "devtunnels.ms",
    "tunnelmole.net",
];

/// Shared hosting platforms: a wildcard over one of these is any tenant of the platform.
const SHARED_PLATFORMS: &[(&str, &str)] = &[
    ("supabase.co", "Supabase"),
    ("herokuapp.com", "Heroku"),
    ("azurewebsites.net", "Azure App Service"),
    ("vercel.app", "Vercel"),
    ("netlify.app", "Netlify"),
    ("workers.dev", "Cloudflare Workers"),
    ("pages.dev", "Cloudflare Pages"),
    ("onrender.com", "Render"),
    ("fly.dev", "Fly.io"),
    ("appspot.com", "Google App Engine"),
    ("cloudfunctions.net", "Google Cloud Functions"),
    ("run.app", "Google Cloud Run"),
    ("web.app", "Firebase Hosting"),
    ("firebaseio.com", "Firebase"),
    ("amazonaws.com", "Amazon Web Services"),
    ("github.io", "GitHub Pages"),
    ("glitch.me", "Glitch"),
    ("repl.co", "Replit"),
];

/// Why a host is not a production destination (a local or private address, a development
/// tunnel, a placeholder or template variable), or `None` for an ordinary host.
pub fn non_production(host: &str) -> Option<&'static str> {
    let host = host_of(host);
    let bare = host.trim_start_matches("*.");
    if bare.contains("{{") || bare.contains("${") || bare.contains('<') || bare.contains('>') {
        return Some("a template variable, filled in per deployment");
    }
    if bare == "localhost"
        || within_domain(bare, "localhost")
        || within_domain(bare, "local")
        || bare == "0.0.0.0"
        || bare == "[::1]"
        || bare == "::1"
        || private_ipv4(bare)
    {
        return Some("a local or private address");
    }
    if let Some(tunnel) = TUNNELS.iter().find(|t| within_domain(bare, t)) {
        return Some(match *tunnel {
            t if t.starts_with("ngrok") => "a development tunnel (ngrok) to a developer's machine",
            _ => "a development tunnel to a developer's machine",
        });
    }
    let placeholder = [
        "example.com",
        "example.net",
        "example.org",
        "example",
        "test",
        "invalid",
    ]
    .iter()
    .any(|d| within_domain(bare, d))
        || bare.starts_with("your-")
        || bare.starts_with("your_")
        || bare.contains("yourdomain")
        || bare.contains("your-domain")
        || bare.contains("changeme")
        || bare.contains("placeholder");
    placeholder.then_some("a placeholder, not a real destination")
}

/// Whether `host` is a literal IPv4 address in a loopback, private or link-local range.
fn private_ipv4(host: &str) -> bool {
    let Ok(ip) = host.parse::<std::net::Ipv4Addr>() else {
        return false;
    };
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
}

/// The shared hosting platform a wildcard covers (`*.supabase.co` → Supabase): the destination
/// is then open-ended, any tenant of that platform.
pub fn shared_platform(declared: &str) -> Option<&'static str> {
    let host = host_of(declared);
    let suffix = host.strip_prefix("*.")?;
    SHARED_PLATFORMS
        .iter()
        .find(|(domain, _)| suffix.eq_ignore_ascii_case(domain))
        .map(|(_, name)| *name)
        .or_else(|| TUNNELS.contains(&suffix).then_some("a development tunnel service"))
        // Any other platform whose tenants get their own names under it is in the private
        // section of the Public Suffix List.
        .or_else(|| (public_suffix(suffix) == Some(true)).then_some("a shared hosting platform (Public Suffix List)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_come_out_of_addresses() {
        assert_eq!(host_of("https://user@X.Example.com:443/path?q"), "x.example.com");
        assert_eq!(host_of("api.openai.com"), "api.openai.com");
        assert_eq!(host_of("https://${HOST}/x"), "${HOST}");
    }

    #[test]
    fn non_production_destinations_are_recognised() {
        for host in [
            "localhost",
            "http://localhost:3000",
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.10",
            "a1ed59d8.ngrok.io",
            "x.ngrok-free.app",
            "abc.loca.lt",
            "api.example.com",
            "your-app-domain.com",
            "{{localBaseUrl}}",
            "https://${HOST}/x",
        ] {
            assert!(non_production(host).is_some(), "{host}");
        }
        for host in [
            "api.openai.com",
            "8.8.8.8",
            "examples.com",
            "myexample.com",
            "local-first.io",
        ] {
            assert_eq!(non_production(host), None, "{host}");
        }
        assert_eq!(shared_platform("*.supabase.co"), Some("Supabase"));
        assert_eq!(
            shared_platform("*.gitlab.io"),
            Some("a shared hosting platform (Public Suffix List)"),
            "a platform not in the hand list, found in the PSL's private section"
        );
        assert_eq!(shared_platform("*.example.org"), None);
        assert_eq!(shared_platform("https://*.herokuapp.com"), Some("Heroku"));
        assert_eq!(shared_platform("api.supabase.co"), None);
        assert_eq!(shared_platform("*.acme.com"), None);
    }

    #[test]
    fn matching_is_by_whole_labels() {
        // Found by fuzzing the Forge importer: the cut must not fall inside a character.
        assert!(!within_domain("\u{2014}.com", "a.com"));
        assert!(!within_domain("api.\u{e9}xample.com", "ample.com"));
        assert!(within_domain("api.openai.com", "openai.com"));
        assert!(within_domain("openai.com", "openai.com"));
        assert!(!within_domain("evilopenai.com", "openai.com"));
        assert!(is_atlassian("acme.atlassian.net"));
        assert!(is_atlassian("*.atlassian.com"));
        assert!(!is_atlassian("exfil-atlassian.com"));
        assert!(egress_allows("*.example.com", "a.example.com"));
        assert!(!egress_allows("*.example.com", "example.com"));
        assert!(!egress_allows("*.example.com", "badexample.com"));
        assert!(egress_allows("https://api.example.com/v1", "API.example.com"));
    }

    #[test]
    fn unbounded_declarations() {
        for declared in [
            "*",
            "https://*",
            "https://*:443",
            "https://*/",
            "http://*",
            "*.com",
            "*.co.uk",
            "https://*.com.au/",
            "*.herokuapp.com",
        ] {
            assert!(is_unbounded(declared), "{declared}");
        }
        assert!(!is_unbounded("*.example.com"));
        assert!(!is_unbounded("*.example.co.uk"));
        assert_eq!(public_suffix("co.uk"), Some(false));
        assert_eq!(public_suffix("herokuapp.com"), Some(true));
        assert_eq!(public_suffix("example.co.uk"), None);
    }
}
