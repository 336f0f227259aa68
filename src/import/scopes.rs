//! From OAuth / Connect scopes to the data categories an app can read or write.
//!
//! The table is documented in `docs/import.md`; keep the two in step.

/// A data category the importer creates, with the facts it gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Category {
    /// Model id.
    pub id: &'static str,
    /// Description.
    pub name: &'static str,
    /// Personal data.
    pub personal: bool,
    /// Credential.
    pub credential: bool,
    /// Whose data it is (SCC Annex I.B), for personal categories.
    pub subjects: &'static [&'static str],
}

const SITE_USERS: &[&str] = &["users of the customer's site"];
const CONTENT_SUBJECTS: &[&str] = &["users of the customer's site", "people the content is about"];

/// Issue summaries, descriptions, comments, attachments, worklogs.
pub const ISSUE_CONTENT: Category = Category {
    id: "issue-content",
    name: "Issue summaries, descriptions, comments and attachments",
    personal: true,
    credential: false,
    subjects: CONTENT_SUBJECTS,
};
/// Account ids, display names, avatars.
pub const USER_IDENTITY: Category = Category {
    id: "user-identity",
    name: "Account IDs, display names and avatars",
    personal: true,
    credential: false,
    subjects: SITE_USERS,
};
/// What every page load from a vendor's server gives it: the user's IP address and browser
/// (user agent, language, the Atlassian page that embeds it).
pub const BROWSER_DATA: Category = Category {
    id: "browser-data",
    name: "IP addresses and browser data of users who load the app's pages",
    personal: true,
    credential: false,
    subjects: SITE_USERS,
};
/// E-mail addresses.
pub const USER_EMAIL: Category = Category {
    id: "user-email",
    name: "Users' e-mail addresses",
    personal: true,
    credential: false,
    subjects: SITE_USERS,
};
/// Confluence pages, blogs, comments.
pub const PAGE_CONTENT: Category = Category {
    id: "page-content",
    name: "Confluence pages, blog posts, comments and attachments",
    personal: true,
    credential: false,
    subjects: CONTENT_SUBJECTS,
};
/// Bitbucket repositories, commits, pull requests.
pub const REPOSITORY_CONTENT: Category = Category {
    id: "repository-content",
    name: "Repository code, commits and pull requests (with author identities)",
    personal: true,
    credential: false,
    subjects: CONTENT_SUBJECTS,
};
/// Service-management requests and customers.
pub const SERVICE_REQUESTS: Category = Category {
    id: "service-requests",
    name: "Service requests and the customers who raised them",
    personal: true,
    credential: false,
    subjects: &[
        "users of the customer's site",
        "the customer's own customers who raise requests",
    ],
};
/// Configuration of projects, spaces, workflows.
pub const CONFIGURATION: Category = Category {
    id: "configuration",
    name: "Project, space and workflow configuration",
    personal: false,
    credential: false,
    subjects: &[],
};
/// The Connect installation secret.
pub const INSTALL_SECRET: Category = Category {
    id: "install-secret",
    name: "Connect clientKey and sharedSecret",
    personal: false,
    credential: true,
    subjects: &[],
};
/// Product access tokens handed to a remote.
pub const ACCESS_TOKEN: Category = Category {
    id: "access-token",
    name: "Atlassian API tokens passed to the remote (app system/user tokens)",
    personal: false,
    credential: true,
    subjects: &[],
};

/// The product whose API yields a category (`None`: every product has it, as user identities
/// and configuration).
pub fn product_of(category_id: &str) -> Option<&'static str> {
    match category_id {
        "issue-content" | "service-requests" => Some("jira"),
        "page-content" => Some("confluence"),
        "repository-content" => Some("bitbucket"),
        _ => None,
    }
}

/// The categories of `ids` that `product`'s API yields: its own, the shared ones, and, on the
/// first product, those whose product the app does not extend (so nothing is lost). Keeps
/// Confluence pages off the Jira flow.
pub fn for_product(ids: &[String], product: &str, products: &[&str]) -> Vec<String> {
    ids.iter()
        .filter(|id| match product_of(id) {
            None => true,
            Some(own) if own == product => true,
            Some(own) => !products.contains(&own) && products.first() == Some(&product),
        })
        .cloned()
        .collect()
}

/// What a scope grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Categories the app can read.
    pub reads: Vec<Category>,
    /// Categories the app can write.
    pub writes: Vec<Category>,
}

/// Maps a Forge (OAuth 2.0) scope: the classic scopes of Jira, Jira Service Management,
/// Confluence (Atlassian's "scopes for OAuth 2.0 (3LO) and Forge apps" pages), the granular
/// `<action>:<resource>:<product>` scopes of Jira, Jira Software, JSM, Confluence, Bitbucket
/// and Compass, and the Connect-on-Forge scopes (`read:connect-jira`, `act-as-user:connect-jira`).
/// `None` for scopes that grant no data (e.g. `storage:app`) or that the table does not know
/// (the caller warns, naming the scope).
pub fn forge_scope(scope: &str) -> Option<Grant> {
    let s = scope.to_ascii_lowercase();
    let (action, rest) = s.split_once(':').unwrap_or(("", s.as_str()));
    // Connect scopes carried into a Forge manifest (atlassian.md A9): `<connect scope in
    // lower-hyphen>:connect-<product>`.
    if let Some(product) = rest.strip_prefix("connect-") {
        let connect = action.replace('-', "_");
        return match product {
            "jira" | "jira-service-management" => connect_scope(&connect, false, true),
            "confluence" => connect_scope(&connect, true, false),
            _ => None,
        };
    }
    let write = match action {
        "read" | "readonly" | "search" | "view" => false,
        "write" | "delete" | "manage" | "admin" | "send" | "create" | "update" | "execute" => true,
        _ => return None,
    };
    let mut reads = Vec::new();
    let mut cats = Vec::new();
    match rest {
        "jira-work" => cats.push(ISSUE_CONTENT),
        "jira-user" => cats.extend([USER_IDENTITY, USER_EMAIL]),
        "jira-configuration" | "jira-project" | "confluence-configuration" => cats.push(CONFIGURATION),
        // Registering webhooks makes Jira deliver issue events to the app.
        "jira-webhook" => {
            cats.push(CONFIGURATION);
            reads.push(ISSUE_CONTENT);
        }
        // Builds, deployments, feature flags and remote links shown on issues.
        "jira-data-provider" => cats.push(ISSUE_CONTENT),
        "confluence-content.all"
        | "confluence-content"
        | "confluence-content.summary"
        | "confluence-content.permission"
        | "confluence-space.summary"
        | "confluence-space"
        | "confluence-file"
        | "confluence-props"
        | "confluence" => cats.push(PAGE_CONTENT),
        "confluence-user" | "confluence-groups" => cats.push(USER_IDENTITY),
        "servicedesk-request" | "servicemanagement-insight-objects" | "servicedesk-customer" => {
            cats.push(SERVICE_REQUESTS);
        }
        "account" | "me" => cats.extend([USER_IDENTITY, USER_EMAIL]),
        "app" | "app-system-token" | "app-user-token" => {}
        _ => {
            // Granular scopes: `read:issue-details:jira`, `read:page:confluence`, `read:repository:bitbucket`.
            let (resource, product) = rest.rsplit_once(':').unwrap_or((rest, ""));
            let people = resource.contains("user")
                || resource.contains("group")
                || resource.contains("avatar")
                || resource.contains("application-role");
            let category = if resource.contains("email") {
                USER_EMAIL
            } else if people {
                USER_IDENTITY
            } else {
                match product {
                    "jira" | "jira-software" if jira_configuration(resource) => CONFIGURATION,
                    "jira" | "jira-software" => ISSUE_CONTENT,
                    "confluence" if resource.starts_with("configuration") || resource.contains("permission") => {
                        CONFIGURATION
                    }
                    "confluence" => PAGE_CONTENT,
                    "bitbucket" if matches!(resource, "workspace" | "project" | "runner" | "pipeline") => CONFIGURATION,
                    "bitbucket" => REPOSITORY_CONTENT,
                    "jira-service-management" | "servicedesk" | "servicemanagement" => {
                        if resource.contains("servicedesk") || resource.contains("queue") {
                            CONFIGURATION
                        } else {
                            SERVICE_REQUESTS
                        }
                    }
                    // Compass components, scorecards and metrics describe software, not people.
                    "compass" => CONFIGURATION,
                    _ => return None,
                }
            };
            cats.push(category);
        }
    }
    if cats.is_empty() && reads.is_empty() {
        return None;
    }
    Some(if write {
        Grant { reads, writes: cats }
    } else {
        reads.extend(cats);
        Grant {
            reads,
            writes: Vec::new(),
        }
    })
}

/// Jira granular resources that are configuration rather than issue data (projects and their
/// schemes, fields, workflows, statuses, permissions, boards' settings).
fn jira_configuration(resource: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "project",
        "field",
        "custom-field",
        "workflow",
        "screen",
        "status",
        "issue-type",
        "issue-link-type",
        "issue-security",
        "priority",
        "resolution",
        "permission",
        "notification-scheme",
        "role",
        "webhook",
        "instance-configuration",
        "configuration",
        "board-scope.admin",
        "dashboard",
        "filter",
        "jql-",
        "license",
        "label",
        "app-data",
    ];
    PREFIXES.iter().any(|p| resource.starts_with(p))
}

/// Whether a Forge scope is a platform scope that grants no product data.
pub fn forge_platform_scope(scope: &str) -> bool {
    matches!(
        scope,
        "storage:app"
            | "report:personal-data"
            | "read:app-system-token"
            | "read:app-user-token"
            | "read:app-global-channel:realtime"
    ) || scope.ends_with(":realtime")
}

/// Maps a Bitbucket Cloud Connect scope (`account`, `repository`, `pullrequest`, `issue`,
/// `wiki`, `snippet`, `pipeline`, `project`, `team`, `webhook`, each with `:write` or
/// `:admin` forms), or `None` when it is not one (atlassian.md I6).
pub fn bitbucket_scope(scope: &str) -> Option<Grant> {
    let lower = scope.to_ascii_lowercase();
    let (base, level) = lower.split_once(':').unwrap_or((lower.as_str(), "read"));
    if !matches!(level, "read" | "write" | "admin" | "delete") {
        return None;
    }
    let category = match base {
        "repository" | "pullrequest" | "snippet" => Some(REPOSITORY_CONTENT),
        "account" | "email" => Some(USER_IDENTITY),
        "issue" => Some(ISSUE_CONTENT),
        "wiki" => Some(PAGE_CONTENT),
        "pipeline" | "project" | "team" | "runner" => Some(CONFIGURATION),
        "webhook" => None,
        _ => return None,
    };
    let mut grant = Grant {
        reads: category.into_iter().collect(),
        writes: Vec::new(),
    };
    if level != "read" {
        grant.writes.clone_from(&grant.reads);
    }
    if base == "email" {
        grant.reads = vec![USER_EMAIL];
    }
    Some(grant)
}

/// Whether a scope is one of Bitbucket Cloud's (and not a Jira or Confluence Connect scope).
pub fn is_bitbucket_scope(scope: &str) -> bool {
    connect_scope(scope, false, false).is_none() && bitbucket_scope(scope).is_some()
}

/// Maps a Connect scope for the products the app serves.
pub fn connect_scope(scope: &str, confluence: bool, jira: bool) -> Option<Grant> {
    let content = |cats: &mut Vec<Category>| {
        if jira {
            cats.push(ISSUE_CONTENT);
        }
        if confluence {
            cats.push(PAGE_CONTENT);
        }
    };
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    match scope.to_ascii_uppercase().as_str() {
        "READ" => {
            content(&mut reads);
            reads.push(USER_IDENTITY);
        }
        "WRITE" | "DELETE" => content(&mut writes),
        "ACT_AS_USER" => {
            content(&mut reads);
            reads.push(USER_IDENTITY);
            content(&mut writes);
        }
        "ACCESS_EMAIL_ADDRESSES" => reads.push(USER_EMAIL),
        "ADMIN" | "PROJECT_ADMIN" | "SPACE_ADMIN" => writes.push(CONFIGURATION),
        "NONE" => {}
        _ => return None,
    }
    Some(Grant { reads, writes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_and_granular_forge_scopes() {
        assert_eq!(forge_scope("read:jira-work").unwrap().reads, [ISSUE_CONTENT]);
        assert_eq!(forge_scope("write:jira-work").unwrap().writes, [ISSUE_CONTENT]);
        // Atlassian: "View user information … including usernames, email addresses, and avatars".
        assert_eq!(
            forge_scope("read:jira-user").unwrap().reads,
            [USER_IDENTITY, USER_EMAIL]
        );
        assert_eq!(forge_scope("read:issue-details:jira").unwrap().reads, [ISSUE_CONTENT]);
        assert_eq!(forge_scope("read:user:jira").unwrap().reads, [USER_IDENTITY]);
        assert_eq!(forge_scope("read:page:confluence").unwrap().reads, [PAGE_CONTENT]);
        assert_eq!(
            forge_scope("read:repository:bitbucket").unwrap().reads,
            [REPOSITORY_CONTENT]
        );
        assert_eq!(forge_scope("storage:app"), None);
        assert!(forge_platform_scope("storage:app"));
        assert_eq!(forge_scope("frobnicate:thing"), None);
        assert_eq!(forge_scope("read:widget:unknownproduct"), None);
    }

    #[test]
    fn every_classic_scope_and_the_corpus_granular_ones_map() {
        // Atlassian's classic scopes for Jira, JSM and Confluence, and every scope of the
        // descriptor corpus (tests/corpus), each with what it must grant.
        let cases: &[(&str, &[Category], &[Category])] = &[
            ("manage:jira-project", &[], &[CONFIGURATION]),
            ("manage:jira-configuration", &[], &[CONFIGURATION]),
            ("manage:jira-webhook", &[ISSUE_CONTENT], &[CONFIGURATION]),
            ("manage:jira-data-provider", &[], &[ISSUE_CONTENT]),
            ("read:servicedesk-request", &[SERVICE_REQUESTS], &[]),
            ("write:servicedesk-request", &[], &[SERVICE_REQUESTS]),
            ("manage:servicedesk-customer", &[], &[SERVICE_REQUESTS]),
            ("read:servicemanagement-insight-objects", &[SERVICE_REQUESTS], &[]),
            ("read:confluence-content.all", &[PAGE_CONTENT], &[]),
            ("read:confluence-content.permission", &[PAGE_CONTENT], &[]),
            ("write:confluence-space", &[], &[PAGE_CONTENT]),
            ("write:confluence-file", &[], &[PAGE_CONTENT]),
            ("write:confluence-props", &[], &[PAGE_CONTENT]),
            ("manage:confluence-configuration", &[], &[CONFIGURATION]),
            ("search:confluence", &[PAGE_CONTENT], &[]),
            ("readonly:content.attachment:confluence", &[PAGE_CONTENT], &[]),
            ("write:confluence-groups", &[], &[USER_IDENTITY]),
            ("read:me", &[USER_IDENTITY, USER_EMAIL], &[]),
            ("delete:build-info:jira", &[], &[ISSUE_CONTENT]),
            ("write:deployment-info:jira", &[], &[ISSUE_CONTENT]),
            ("read:board-scope:jira-software", &[ISSUE_CONTENT], &[]),
            ("read:board-scope.admin:jira-software", &[CONFIGURATION], &[]),
            ("read:sprint:jira-software", &[ISSUE_CONTENT], &[]),
            ("read:epic:jira-software", &[ISSUE_CONTENT], &[]),
            ("read:issue-type:jira", &[CONFIGURATION], &[]),
            ("read:status:jira", &[CONFIGURATION], &[]),
            ("read:permission:jira", &[CONFIGURATION], &[]),
            ("read:project:jira", &[CONFIGURATION], &[]),
            ("read:jql:jira", &[ISSUE_CONTENT], &[]),
            ("read:issue:jira", &[ISSUE_CONTENT], &[]),
            ("read:email-address:jira", &[USER_EMAIL], &[]),
            ("read:avatar:jira", &[USER_IDENTITY], &[]),
            ("send:notification:jira", &[], &[ISSUE_CONTENT]),
            ("read:attachment:confluence", &[PAGE_CONTENT], &[]),
            ("read:space:confluence", &[PAGE_CONTENT], &[]),
            ("write:custom-content:confluence", &[], &[PAGE_CONTENT]),
            ("delete:page:confluence", &[], &[PAGE_CONTENT]),
            ("read:pullrequest:bitbucket", &[REPOSITORY_CONTENT], &[]),
            ("admin:repository:bitbucket", &[], &[REPOSITORY_CONTENT]),
            ("read:workspace:bitbucket", &[CONFIGURATION], &[]),
            ("read:user:bitbucket", &[USER_IDENTITY], &[]),
            ("read:request:jira-service-management", &[SERVICE_REQUESTS], &[]),
            ("read:customer:jira-service-management", &[SERVICE_REQUESTS], &[]),
            ("read:servicedesk:jira-service-management", &[CONFIGURATION], &[]),
            ("read:component:compass", &[CONFIGURATION], &[]),
            ("read:connect-jira", &[ISSUE_CONTENT, USER_IDENTITY], &[]),
            ("write:connect-confluence", &[], &[PAGE_CONTENT]),
            (
                "act-as-user:connect-jira",
                &[ISSUE_CONTENT, USER_IDENTITY],
                &[ISSUE_CONTENT],
            ),
            ("access-email-addresses:connect-jira", &[USER_EMAIL], &[]),
            ("project-admin:connect-jira", &[], &[CONFIGURATION]),
        ];
        for (scope, reads, writes) in cases {
            let grant = forge_scope(scope).unwrap_or_else(|| panic!("{scope} is not mapped"));
            assert_eq!((&grant.reads[..], &grant.writes[..]), (*reads, *writes), "{scope}");
        }
    }

    #[test]
    fn connect_scopes_follow_the_product() {
        assert_eq!(
            connect_scope("read", false, true).unwrap().reads,
            [ISSUE_CONTENT, USER_IDENTITY]
        );
        assert_eq!(
            connect_scope("READ", true, false).unwrap().reads,
            [PAGE_CONTENT, USER_IDENTITY]
        );
        assert_eq!(
            connect_scope("ACCESS_EMAIL_ADDRESSES", false, true).unwrap().reads,
            [USER_EMAIL]
        );
        assert!(connect_scope("SOMETHING", false, true).is_none());
    }
}
