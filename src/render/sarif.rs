//! SARIF 2.1.0 output of the findings, so code-hosting platforms show them on pull requests.
//! Each result points at the line of the model file that defines the finding's subject.

use crate::analysis::Analysis;
use crate::diagnostic::Seg;
use crate::load::LoadedModel;
use crate::rules::{RULES, Severity, Style};
use serde_json::{Value, json};

/// Where each kind of finding subject is defined, indexed once per model: a finding's
/// subject is a component, organisation, flow label, installation, flow host or egress entry,
/// looked up in that order (the first definition wins, as a linear search would find it).
pub struct SubjectIndex<'m> {
    loaded: &'m LoadedModel,
    kinds: [std::collections::HashMap<String, usize>; 6],
}

impl<'m> SubjectIndex<'m> {
    /// Indexes `loaded`'s elements by the names findings use for them.
    pub fn new(loaded: &'m LoadedModel) -> SubjectIndex<'m> {
        let model = &loaded.model;
        let first = |names: &mut dyn Iterator<Item = (String, usize)>| {
            let mut map = std::collections::HashMap::new();
            for (name, i) in names {
                map.entry(name).or_insert(i);
            }
            map
        };
        SubjectIndex {
            loaded,
            kinds: [
                first(&mut model.components.iter().enumerate().map(|(i, c)| (c.id.clone(), i))),
                first(&mut model.organisations.iter().enumerate().map(|(i, o)| (o.id.clone(), i))),
                first(&mut model.flows.iter().enumerate().map(|(i, f)| (f.label(), i))),
                first(&mut model.installations.iter().enumerate().map(|(i, x)| (x.id.clone(), i))),
                first(
                    &mut model
                        .flows
                        .iter()
                        .enumerate()
                        .filter_map(|(i, f)| f.host.clone().map(|h| (h, i))),
                ),
                first(
                    &mut model
                        .components
                        .iter()
                        .enumerate()
                        .flat_map(|(i, c)| c.egress.iter().map(move |e| (e.clone(), i))),
                ),
            ],
        }
    }
}

/// Where in its model file a finding's subject is defined.
pub fn subject_location(index: &SubjectIndex<'_>, subject: &str, path: &[String]) -> (u32, u32) {
    let loaded = index.loaded;
    let seg = |list: &str, i: usize, key: Option<&str>| {
        let mut p = vec![Seg::from(list), Seg::from(i)];
        if let Some(key) = key {
            p.push(Seg::from(key));
        }
        p
    };
    let places = [
        ("components", Some("id")),
        ("organisations", Some("id")),
        ("flows", None),
        ("installations", Some("id")),
        ("flows", Some("host")),
        ("components", Some("egress")),
    ];
    let element: Option<Vec<Seg>> = index
        .kinds
        .iter()
        .zip(places)
        .find_map(|(kind, (list, key))| kind.get(subject).map(|&i| seg(list, i, key)))
        .or_else(|| {
            // Otherwise the last component on the data's path.
            path.last()
                .and_then(|last| index.kinds[0].get(last.as_str()))
                .map(|&i| seg("components", i, Some("id")))
        });
    let pos = loaded
        .source
        .locate(&element.unwrap_or_else(|| vec![Seg::from("app")]), false);
    (pos.line.max(1), pos.column.max(1))
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A SARIF log with one run over every analysed model.
pub fn sarif(models: &[(&LoadedModel, &Analysis)]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            json!({
                "id": meta.code.as_str(),
                "name": meta.name,
                "shortDescription": { "text": meta.title },
                "fullDescription": { "text": meta.why },
                "help": {
                    "text": crate::rules::describe(meta, Style::Text),
                    "markdown": crate::rules::describe(meta, Style::Markdown),
                },
                "defaultConfiguration": { "level": level(meta.severity) },
                "properties": { "tags": meta.references, "severity": meta.severity.as_str() }
            })
        })
        .collect();
    let mut results = Vec::new();
    for (loaded, analysis) in models {
        let index = SubjectIndex::new(loaded);
        for finding in &analysis.findings {
            let (line, column) = subject_location(&index, &finding.subject, &finding.path);
            let rule_index = RULES.iter().position(|r| r.code() == finding.rule).unwrap_or(0);
            let mut result = json!({
                "ruleId": finding.rule,
                "ruleIndex": rule_index,
                "level": level(finding.severity),
                "message": { "text": format!("{}{}", finding.message, finding.realm.map(|r| format!(" (realm {r})")).unwrap_or_default()) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": loaded.source.name.replace('\\', "/") },
                        "region": { "startLine": line, "startColumn": column }
                    },
                    "logicalLocations": [{ "name": finding.subject, "kind": "member" }]
                }],
                "partialFingerprints": {
                    "trustflow/v1": format!("{}|{}|{}", finding.rule, finding.subject, finding.realm.map_or("", |r| r.code()))
                },
                "properties": {
                    "path": finding.path,
                    "evidenceRequired": finding.evidence_required,
                    "severity": finding.severity.as_str()
                }
            });
            if let Some(waiver) = &finding.waiver {
                let status = if finding.is_waived() { "accepted" } else { "rejected" };
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": status,
                    "justification": format!("{} (owner {}, expires {})", waiver.reason, waiver.owner, waiver.expires)
                }]);
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "trustflow",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}
