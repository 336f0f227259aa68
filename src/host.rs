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
    host.len() >= domain.len()
        && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
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

/// Whether a declared destination allows any host, or every host under a top-level domain
/// (`*`, `https://*`, `https://*:443/`, `*.com`).
pub fn is_unbounded(declared: &str) -> bool {
    let host = host_of(declared);
    host == "*" || host.strip_prefix("*.").is_some_and(|rest| !rest.contains('.'))
}

/// Whether a host belongs to Atlassian's own domains (`atlassian.net`, `atlassian.com`).
pub fn is_atlassian(host: &str) -> bool {
    let host = host_of(host);
    let bare = host.trim_start_matches("*.");
    within_domain(bare, "atlassian.net") || within_domain(bare, "atlassian.com")
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
    fn matching_is_by_whole_labels() {
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
        for declared in ["*", "https://*", "https://*:443", "https://*/", "http://*", "*.com"] {
            assert!(is_unbounded(declared), "{declared}");
        }
        assert!(!is_unbounded("*.example.com"));
    }
}
