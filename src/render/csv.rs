//! CSV exports for DPA annexes: the sub-processor inventory (one row per organisation × data
//! category) and the findings. Columns are documented in docs/reports.md.

use crate::analysis::Analysis;

fn write(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    write_rows(header, rows.iter().map(|row| row.iter().map(String::as_str)))
}

/// A CSV cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading `'` (OWASP, CSV injection), so `=HYPERLINK(...)` in a model
/// name is shown, never evaluated; control characters and bidirectional overrides are
/// visible `\u{…}` escapes, as everywhere else (a CSV is often printed to a terminal).
pub fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    let text = crate::text::terminal_safe(text);
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        text
    }
}

/// Writes a header and rows, every cell through [`cell`]: the one CSV writer of every export.
pub fn write_rows<'a, R, C>(header: &[&str], rows: R) -> Vec<u8>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = &'a str>,
{
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(header);
    for row in rows {
        let cells: Vec<std::borrow::Cow<'_, str>> = row.into_iter().map(cell).collect();
        let _ = writer.write_record(cells.iter().map(|c| c.as_bytes()));
    }
    writer.into_inner().unwrap_or_default()
}

/// Column names of the inventory CSV.
pub const SUBPROCESSOR_COLUMNS: [&str; 15] = [
    "organisation",
    "name",
    "legal_entity",
    "country",
    "role",
    "category",
    "data_category",
    "at_rest",
    "purposes",
    "locations",
    "transfer_mechanism",
    "dpa",
    "dpa_url",
    "components",
    "assumed",
];

/// The inventory: one row per organisation × data category.
pub fn subprocessors(analysis: &Analysis) -> Vec<u8> {
    let mut rows = Vec::new();
    for row in analysis.subprocessors.iter() {
        let locations: Vec<String> = row
            .locations
            .iter()
            .map(|(realm, l)| format!("{realm}: {}", l.join(" ")))
            .collect();
        let mechanisms: Vec<String> = row
            .transfer_mechanism
            .iter()
            .map(|(realm, m)| format!("{realm}: {}", m.label))
            .collect();
        for data in &row.data {
            rows.push(vec![
                row.organisation.clone(),
                row.name.clone(),
                row.legal_entity.clone().unwrap_or_default(),
                row.country.clone().unwrap_or_default(),
                row.role.as_str().to_owned(),
                row.category.clone().unwrap_or_default(),
                data.id.clone(),
                data.at_rest.to_string(),
                row.purposes.join("; "),
                locations.join("; "),
                mechanisms.join("; "),
                row.dpa.as_str().to_owned(),
                row.dpa_url.clone().unwrap_or_default(),
                row.components.join(" "),
                // Listed only because the app's permissions allow it: not confirmed by the vendor.
                data.assumed.to_string(),
            ]);
        }
    }
    write(&SUBPROCESSOR_COLUMNS, &rows)
}

/// Column names of the findings CSV.
pub const FINDING_COLUMNS: [&str; 10] = [
    "rule",
    "severity",
    "title",
    "subject",
    "realm",
    "path",
    "message",
    "references",
    "remediation",
    "evidence_required",
];

/// The findings, one row each.
pub fn findings(analysis: &Analysis) -> Vec<u8> {
    let rows: Vec<Vec<String>> = analysis
        .findings
        .iter()
        .map(|f| {
            vec![
                f.rule.to_string(),
                f.severity.as_str().to_owned(),
                f.title.to_owned(),
                f.subject.clone(),
                f.realm.map(|r| r.code().to_owned()).unwrap_or_default(),
                f.path.join(" > "),
                f.message.to_string(),
                f.references.join("; "),
                f.remediation.to_owned(),
                f.evidence_required.to_string(),
            ]
        })
        .collect();
    write(&FINDING_COLUMNS, &rows)
}

/// Column names of the transfers CSV.
pub const TRANSFER_COLUMNS: [&str; 11] = [
    "realm",
    "exporter",
    "exporter_country",
    "importer",
    "importer_country",
    "regime",
    "mechanism",
    "module",
    "status",
    "why",
    "installations",
];

/// The transfers, one row per realm, exporter and importer; where the customers of a realm
/// are established under different laws, one row per law group instead, naming its
/// installations (the column is empty when a row holds for every installation of the realm).
pub fn transfers(analysis: &Analysis) -> Vec<u8> {
    let rows: Vec<Vec<String>> = analysis
        .transfers
        .iter()
        .flat_map(|t| t.conclusions())
        .map(|(t, part)| {
            vec![
                t.realm.code().to_owned(),
                t.exporter.clone(),
                t.exporter_country.clone().unwrap_or_default(),
                t.importer.clone(),
                t.importer_country.clone().unwrap_or_default(),
                code(&t.regime),
                code(&t.mechanism),
                t.module.map(|m| m.to_string()).unwrap_or_default(),
                code(&t.status),
                t.why.clone(),
                part.map(|p| p.installations.join(" ")).unwrap_or_default(),
            ]
        })
        .collect();
    write(&TRANSFER_COLUMNS, &rows)
}

/// The JSON spelling of an enum, for a CSV cell.
fn code<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Acme"), "Acme");
        let csv = String::from_utf8(write_rows(&["a"], [["=1+1"]])).unwrap();
        assert_eq!(csv, "a\n'=1+1\n");
    }
}
