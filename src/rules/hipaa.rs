//! HIPAA business-associate rules.

use super::Finding;
use crate::facts::{Evidence, Facts};

rule! {
    /// PHI reaches an organisation without a BAA.
    PhiWithoutBaa {
        code: Hipaa001, name: "phi-without-baa", severity: High,
        title: "PHI reaches an organisation without a business associate agreement",
        references: ["45 CFR 164.502(e)", "45 CFR 164.504(e)", "45 CFR 164.308(b)", "45 CFR 160.103 (business associate)"],
        why: "Every organisation that creates, receives, maintains or transmits PHI for a covered entity is a \
    business associate (or a subcontractor of one) and needs a BAA: the vendor with the customer, each provider with the \
    vendor. Encryption without the key does not exempt a cloud provider that stores ePHI.",
        example: "An installation with `hipaa: true` sends `patient-notes` (`phi: true`) to an e-mail provider with `hipaa_baa: false`.",
        remediation: "Sign BAAs along the chain (record `hipaa_baa: true`), or keep PHI away from organisations that will \
    not sign one.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        let hipaa = &cx.hipaa;
        for link in &hipaa.chain {
            let path = link
                .phi
                .first()
                .and_then(|d| cx.data_index(d))
                .and_then(|d| {
                    link.components
                        .iter()
                        .find_map(|id| cx.graph.component(id).map(|c| cx.path_to(d, c)))
                })
                .unwrap_or_default();
            let data = link.phi.join(", ");
            let scope = link
                .baa_scope
                .as_deref()
                .map(|s| format!(" (its offer covers: {s})"))
                .unwrap_or_default();
            match link.baa {
                Evidence::Recorded => {}
                // Atlassian's BAA covers its products only, and nothing public shows it signing one
                // with app vendors: PHI in Forge compute or storage is a known gap, not a missing fact.
                Evidence::Unknown if link.relationship == crate::facts::Relationship::Atlassian => out.push(self.finding(
                    &link.organisation,
                    path.into(),
                    format!(
                        "Atlassian hosts PHI ({data}) in Forge for {}: its BAA covers its products only, and no BAA between the vendor and Atlassian for Forge hosting is known to exist",
                        link.baa_with.split(" (").next().unwrap_or(&link.baa_with)
                    ),
                )),
                Evidence::None => out.push(self.finding(
                    &link.organisation,
                    path.into(),
                    format!(
                        "{} ({}) receives PHI ({data}) and has no BAA with {}",
                        link.name, link.relationship, link.baa_with
                    ),
                )),
                Evidence::Offered => out.push(self.evidence_finding(
                    &link.organisation,
                    path.into(),
                    format!(
                        "{} ({}) receives PHI ({data}); it offers a BAA{scope}, but none with {} is recorded",
                        link.name, link.relationship, link.baa_with
                    ),
                )),
                Evidence::Unknown => out.push(self.evidence_finding(
                    &link.organisation,
                    path.into(),
                    format!(
                        "{} ({}) receives PHI ({data}); no BAA with {} is recorded",
                        link.name, link.relationship, link.baa_with
                    ),
                )),
            }
        }
    }
}

rule! {
    /// PHI held by the app on Atlassian's platform, outside what Atlassian's BAA is known to cover.
    PhiOutsideAtlassianBaa {
        code: Hipaa002, name: "phi-outside-atlassian-baa", severity: Medium,
        title: "The app keeps PHI where Atlassian's BAA is not known to reach",
        references: ["45 CFR 164.502(e)", "Atlassian: sign a BAA (scope: Jira, JSM, Confluence)", "Atlassian HIPAA Implementation Guide"],
        why: "Atlassian's BAA covers its products (Jira, JSM, Confluence) on Standard and higher plans; Marketplace \
    apps are outside it, and nothing public shows Atlassian signing BAAs with app vendors for Forge hosting. PHI an app \
    keeps in Forge storage therefore sits with a subcontractor (Atlassian, hosting for the vendor) with no BAA between \
    the vendor and Atlassian known: that is the missing link, not the customer's BAA with the vendor.",
        example: "PHI of a HIPAA installation reaches the vendor's own server, outside the Atlassian products its BAA covers.",
        remediation: "Keep PHI out of Forge hosted storage, or obtain and record a BAA between the vendor and Atlassian \
    covering Forge hosting (`hipaa_baa: true` on the `atlassian` organisation).",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        let vendor = cx
            .resolved
            .orgs
            .get(cx.model.app.vendor.as_str())
            .map_or(cx.model.app.vendor.as_str(), |o| o.name.as_str());
        let atlassian_baa = cx
            .resolved
            .atlassian
            .as_deref()
            .and_then(|a| cx.model.organisations.iter().find(|o| o.id == a))
            .and_then(|o| o.hipaa_baa)
            == Some(true);
        if atlassian_baa {
            return;
        }
        for (d, category) in cx.model.data.iter().enumerate().filter(|(d, _)| cx.phi(*d)) {
            for reach in cx.propagation.reach[d].iter().filter(|r| r.at_rest) {
                let component = &cx.model.components[reach.component];
                if component.kind == crate::model::ComponentKind::ForgeStorage {
                    out.push(self.finding(
                        &component.id,
                        cx.path_to(d, reach.component).into(),
                        format!(
                            "`{}` keeps `{}` (PHI) in Forge hosted storage; no BAA between {} and Atlassian for Forge hosting is recorded, and none is known to exist",
                            component.id, category.id, vendor
                        ),
                    ));
                }
            }
        }
    }
}

rule! {
    /// HIPAA installations on a plan for which Atlassian signs no BAA.
    PhiOnPlanWithoutBaa {
        code: Hipaa003, name: "phi-on-plan-without-baa", severity: High,
        title: "A HIPAA installation is on a plan or product Atlassian signs no BAA for",
        references: ["Atlassian: sign a BAA (Standard, Premium, Enterprise only)", "45 CFR 164.502(e)"],
        why: "Atlassian signs BAAs only for Standard, Premium and Enterprise plans of Jira, Jira Service \
    Management and Confluence; PHI on Free plans, or in another product (Bitbucket, Compass), is held without one.",
        example: "An installation with `hipaa: true` and `plan: free` uses an app that handles PHI.",
        remediation: "Move the site to Standard or higher and sign Atlassian's BAA before storing PHI; keep PHI out of \
    products the BAA does not cover.",
    }
    fn check(&self, cx: &Facts<'_>, out: &mut Vec<Finding>) {
        if !cx.traits.iter().any(|t| t.phi) {
            return;
        }
        let products: Vec<String> = cx
            .model
            .components
            .iter()
            .filter(|c| c.kind == crate::model::ComponentKind::AtlassianProduct)
            .map(|c| c.id.clone())
            .collect();
        for installation in cx.model.installations.iter().filter(|i| i.hipaa) {
            use crate::facts::customers::AtlassianBaa;
            let id = &installation.id;
            match AtlassianBaa::of(true, installation.plan, &installation.products) {
                // Products not recorded: the installation's profile says so (evidence required);
                // the model's product components already name what the app runs in.
                AtlassianBaa::Available | AtlassianBaa::NotHipaaCovered | AtlassianBaa::ProductsNotRecorded => {}
                AtlassianBaa::NotOnPlan => out.push(self.finding(
                    id,
                    products.clone().into(),
                    format!(
                        "installation `{id}` handles PHI on the `{}` plan",
                        installation.plan.map_or("", crate::model::Plan::as_str)
                    ),
                )),
                AtlassianBaa::ProductNotCovered => out.push(self.finding(
                    id,
                    products.clone().into(),
                    format!(
                        "installation `{id}` handles PHI in {}, which Atlassian's BAA does not cover (Jira, Jira Service Management and Confluence only)",
                        installation
                            .products
                            .iter()
                            .filter(|p| !p.atlassian_baa_covers())
                            .map(|p| format!("`{}`", p.as_str()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
                AtlassianBaa::PlanNotRecorded => out.push(self.evidence_finding(
                    id,
                    products.clone().into(),
                    format!("installation `{id}` handles PHI; its Atlassian plan is not stated"),
                )),

            }
        }
    }
}
