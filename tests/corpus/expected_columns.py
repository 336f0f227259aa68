#!/usr/bin/env python3
"""Independent reader of the descriptor corpus for tests/fixtures/corpus-expected.tsv.

Reads each descriptor with PyYAML / json (not with trustflow) and prints, per file, the columns
the importer's results are checked against: products, absolute-URL recipients, non-production
destinations and the Runs on Atlassian verdict, following shared domain notes atlassian.md
A1, B3, B4, B7, I1, I6 and I7. Disagreements with the importer were reviewed by hand before
the table was committed.

Usage: python3 tests/corpus/expected_columns.py > /tmp/columns.tsv   (needs PyYAML)
"""
import ipaddress
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent
TUNNELS = ("ngrok.io", "ngrok-free.app", "ngrok.app", "ngrok.dev", "loca.lt", "localtunnel.me",
           "trycloudflare.com", "serveo.net", "localhost.run", "lhr.life", "devtunnels.ms")
PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org", "example", "test", "invalid")


def host(address):
    address = str(address).strip()
    if "://" in address:
        address = address.split("://", 1)[1]
    address = address.split("/", 1)[0].split("?", 1)[0]
    address = address.rsplit("@", 1)[-1]
    if not address.startswith("["):
        address = address.split(":", 1)[0]
    return address.lower().rstrip(".")


def within(h, domain):
    return h == domain or h.endswith("." + domain)


def non_production(h):
    bare = h[2:] if h.startswith("*.") else h
    if any(t in bare for t in ("{{", "${", "<", ">")):
        return True
    if bare in ("localhost", "0.0.0.0", "[::1]", "::1") or within(bare, "localhost") or within(bare, "local"):
        return True
    try:
        ip = ipaddress.IPv4Address(bare)
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified:
            return True
    except ValueError:
        pass
    if any(within(bare, t) for t in TUNNELS):
        return True
    if any(within(bare, d) for d in PLACEHOLDER_DOMAINS):
        return True
    return bare.startswith(("your-", "your_")) or any(
        w in bare for w in ("yourdomain", "your-domain", "changeme", "placeholder"))


def joined(items):
    items = sorted(set(items))
    return " ".join(items) if items else "-"


def forge(path):
    m = yaml.safe_load(path.read_text())
    m = m if isinstance(m, dict) else {}
    modules = m.get("modules") if isinstance(m.get("modules"), dict) else {}
    perms = m.get("permissions") if isinstance(m.get("permissions"), dict) else {}
    scopes = perms.get("scopes") or []
    scopes = list(scopes.keys()) if isinstance(scopes, dict) else [s for s in scopes if isinstance(s, str)]
    products = set()
    for key in modules:
        prefix = key.split(":", 1)[0] if ":" in key else None
        if prefix in ("jira", "jiraServiceManagement"):
            products.add("jira")
        elif prefix in ("confluence", "bitbucket", "compass"):
            products.add(prefix)
    if "macro" in modules:
        products.add("confluence")
    for needle in ("jira", "confluence", "bitbucket"):
        if any(needle in s for s in scopes):
            products.add(needle)
    if not products:
        products.add("jira")
    external = perms.get("external") if isinstance(perms.get("external"), dict) else {}
    entries = []  # (list name, entry)
    for name, value in external.items():
        if name == "configurable":
            continue
        if name == "fetch" and isinstance(value, dict):
            for sub, lst in value.items():
                for e in lst or []:
                    entries.append((f"fetch.{sub}", e))
        elif isinstance(value, list):
            for e in value:
                entries.append((name, e))
    hosts = []
    for _, e in entries:
        if isinstance(e, str):
            hosts.append(host(e))
        elif isinstance(e, dict) and "address" in e:
            hosts.append(host(e["address"]))
    remotes = m.get("remotes") if isinstance(m.get("remotes"), list) else []
    for r in remotes:
        if not isinstance(r, dict):
            continue
        base = r.get("baseUrl")
        if isinstance(base, dict):
            for v in base.values():
                hosts.append(host(v))
        elif base:
            hosts.append(host(base))
    nonprod = [h for h in hosts if h and non_production(h)]
    # Runs on Atlassian (B7, I1).
    eligible = True
    app = m.get("app") if isinstance(m.get("app"), dict) else {}
    if app.get("connect") or "connectModules" in m:
        eligible = False
    if remotes:
        eligible = False
    if isinstance(external.get("configurable"), dict) and external["configurable"].get("enabled") is True:
        eligible = False
    for _, e in entries:
        if isinstance(e, dict) and "remote" in e:
            continue
        analytics = isinstance(e, dict) and e.get("category") == "analytics"
        if not analytics or not (isinstance(e, dict) and e.get("inScopeEUD") is False):
            eligible = False
    for wt in modules.get("webtrigger") or []:
        if not isinstance(wt, dict):
            continue
        response = wt.get("response") if isinstance(wt.get("response"), dict) else {}
        if response.get("type") != "static":
            eligible = False
    return joined(products), "-", joined(nonprod), "eligible" if eligible else "not-eligible"


def connect(path):
    d = json.loads(path.read_text())
    d = d if isinstance(d, dict) else {}
    modules = d.get("modules") if isinstance(d.get("modules"), dict) else {}
    base = host(d.get("baseUrl", "")) if isinstance(d.get("baseUrl"), str) else ""
    scopes = [s for s in d.get("scopes") or [] if isinstance(s, str)]
    jira = any(k.lower().startswith("jira") for k in modules)
    # Confluence's Connect modules: macros, byline items, blueprints, space tools, custom content.
    confluence = any("macro" in k.lower() or k.lower().startswith(("confluence", "space"))
                     or k.lower() in ("contentbylineitems", "blueprints", "customcontent")
                     for k in modules)
    bb_scopes = {"account", "repository", "pullrequest", "webhook", "issue", "wiki", "snippet",
                 "pipeline", "project", "team", "email", "runner"}
    connect_scopes = {"read", "write", "delete", "admin", "project_admin", "space_admin",
                      "act_as_user", "access_email_addresses", "none"}
    bb_scope = any(s.lower() not in connect_scopes and s.lower().split(":")[0] in bb_scopes for s in scopes)
    hooks = [h for h in modules.get("webhooks") or [] if isinstance(h, dict)]
    bb_event = any(str(h.get("event", "")).startswith(("repo:", "pullrequest:", "project:", "pipeline:"))
                   for h in hooks)
    for h in hooks:
        event = str(h.get("event", ""))
        if event.startswith(("page_", "blog_", "comment_", "space_", "attachment_", "content_",
                             "label_", "user_", "group_", "relation_", "theme_", "search_")):
            confluence = True
        elif event.startswith("jira:") or event.startswith(("issue", "worklog", "project_", "version_",
                                                             "board_", "sprint_", "comment_")):
            jira = True
    bitbucket = bb_scope or bb_event
    if bitbucket:
        jira = any(k.lower().startswith("jira") for k in modules)
    if not (jira or confluence or bitbucket):
        jira = True
    products = [p for p, on in (("jira", jira), ("confluence", confluence), ("bitbucket", bitbucket)) if on]
    recipients = []
    urls = [h.get("url") for h in hooks]
    for key, value in modules.items():
        if key == "webhooks" or not isinstance(value, list):
            continue
        for mod in value:
            if isinstance(mod, dict):
                urls.append(mod.get("url"))
    for url in urls:
        if isinstance(url, str) and re.match(r"https?://", url):
            h = host(url)
            if h and h != base:
                recipients.append(h)
    # Only webhooks send data to an absolute URL; module links are links (I7).
    recipients = [host(h.get("url")) for h in hooks if isinstance(h.get("url"), str)
                  and re.match(r"https?://", h["url"]) and host(h["url"]) not in ("", base)]
    hosts = [base] + recipients
    nonprod = [h for h in hosts if h and non_production(h)]
    return joined(products), joined(recipients), joined(nonprod), "not-eligible"


def main():
    out = sys.stdout
    out.write("file\tproducts\trecipients\tnon_production\troa\n")
    for kind, reader in (("connect", connect), ("forge", forge)):
        for path in sorted((ROOT / kind).iterdir()):
            out.write("\t".join([f"{kind}/{path.name}", *reader(path)]) + "\n")


if __name__ == "__main__":
    main()
