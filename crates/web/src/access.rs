//! Who may reach which route: one table, checked by one middleware for every request.
//!
//! Every route the router serves has a row here, keyed by method and path template. A route
//! without a row is refused to everybody (and logged), so forgetting a row fails closed; the
//! router tests walk every registered route and fail on a missing or unused row.

use axum::http::Method;
use bearing_core::access::Permission;

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not: health checks, sign-in, setup, static files.
    Public,
    /// A signed-in user whose role holds the permission.
    Signed(Permission),
}

use Permission::{EditCrm, Finance, ManageUsers, Read};
use Rule::{Public, Signed};

const GET: &str = "GET";
const POST: &str = "POST";
const PUT: &str = "PUT";
const PATCH: &str = "PATCH";
const DELETE: &str = "DELETE";

/// The rows: method, path template as registered, rule.
pub const RULES: &[(&str, &str, Rule)] = &[
    // Health, the API description, static files and signing in.
    (GET, "/healthz", Public),
    (GET, "/readyz", Public),
    (GET, "/api/v1/openapi.json", Public),
    (GET, "/static/{file}", Public),
    (GET, "/login", Public),
    (POST, "/login", Public),
    (GET, "/setup", Public),
    (POST, "/setup", Public),
    (POST, "/logout", Signed(Read)),
    // One's own account.
    (GET, "/account", Signed(Read)),
    (POST, "/account/password", Signed(Read)),
    (POST, "/account/tokens", Signed(Read)),
    (POST, "/account/tokens/{id}/revoke", Signed(Read)),
    // Pages.
    (GET, "/", Signed(Read)),
    (GET, "/pipeline", Signed(Read)),
    (GET, "/deals", Signed(Read)),
    (GET, "/deals/new", Signed(EditCrm)),
    (POST, "/deals", Signed(EditCrm)),
    (GET, "/deals/{id}", Signed(Read)),
    (GET, "/deals/{id}/edit", Signed(EditCrm)),
    (POST, "/deals/{id}", Signed(EditCrm)),
    (POST, "/deals/{id}/move", Signed(EditCrm)),
    (GET, "/organizations", Signed(Read)),
    (GET, "/organizations/{id}", Signed(Read)),
    (GET, "/contacts", Signed(Read)),
    (GET, "/contacts/{id}", Signed(Read)),
    (GET, "/forecast", Signed(Read)),
    (GET, "/forecast/download", Signed(Read)),
    (GET, "/analytics", Signed(Read)),
    (GET, "/usage", Signed(Read)),
    (GET, "/roles", Signed(Read)),
    (POST, "/roles", Signed(Finance)),
    (GET, "/roles/{id}", Signed(Read)),
    (POST, "/roles/{id}", Signed(Finance)),
    (POST, "/bands", Signed(Finance)),
    (POST, "/bands/generate", Signed(Finance)),
    (POST, "/bands/cola", Signed(Finance)),
    (GET, "/people", Signed(Read)),
    (POST, "/people", Signed(Finance)),
    (GET, "/people/{id}", Signed(Read)),
    (POST, "/people/{id}", Signed(Finance)),
    (POST, "/people/{id}/assignments", Signed(Finance)),
    (POST, "/people/{id}/delete", Signed(Finance)),
    (GET, "/assignments/{id}", Signed(Finance)),
    (POST, "/assignments/{id}", Signed(Finance)),
    (POST, "/assignments/{id}/delete", Signed(Finance)),
    (GET, "/team", Signed(Finance)),
    (GET, "/usage/clusters/{id}", Signed(Read)),
    (POST, "/usage/clusters/{id}", Signed(EditCrm)),
    (GET, "/assumptions", Signed(Finance)),
    (POST, "/assumptions", Signed(Finance)),
    (GET, "/imports", Signed(EditCrm)),
    (POST, "/imports", Signed(EditCrm)),
    (GET, "/audit", Signed(Read)),
    (GET, "/users", Signed(ManageUsers)),
    (POST, "/users", Signed(ManageUsers)),
    (POST, "/users/{id}", Signed(ManageUsers)),
    // The JSON API.
    (GET, "/api/v1/assumptions", Signed(Finance)),
    (POST, "/api/v1/assumptions", Signed(Finance)),
    (GET, "/api/v1/assumptions/history", Signed(Finance)),
    (GET, "/api/v1/balance", Signed(Finance)),
    (PUT, "/api/v1/assignments/{id}", Signed(Finance)),
    (DELETE, "/api/v1/assignments/{id}", Signed(Finance)),
    (POST, "/api/v1/assignments/{id}/restore", Signed(Finance)),
    (GET, "/api/v1/bands", Signed(Read)),
    (POST, "/api/v1/bands", Signed(Finance)),
    (POST, "/api/v1/bands/cola", Signed(Finance)),
    (POST, "/api/v1/bands/generate", Signed(Finance)),
    (GET, "/api/v1/campaigns", Signed(Read)),
    (POST, "/api/v1/campaigns", Signed(EditCrm)),
    (PUT, "/api/v1/campaigns/{id}", Signed(EditCrm)),
    (DELETE, "/api/v1/campaigns/{id}", Signed(EditCrm)),
    (POST, "/api/v1/campaigns/{id}/restore", Signed(EditCrm)),
    (GET, "/api/v1/clusters", Signed(Read)),
    (GET, "/api/v1/clusters/{id}", Signed(Read)),
    (PUT, "/api/v1/clusters/{id}", Signed(EditCrm)),
    (GET, "/api/v1/contacts", Signed(Read)),
    (POST, "/api/v1/contacts", Signed(EditCrm)),
    (GET, "/api/v1/contacts/{id}", Signed(Read)),
    (PUT, "/api/v1/contacts/{id}", Signed(EditCrm)),
    (DELETE, "/api/v1/contacts/{id}", Signed(EditCrm)),
    (POST, "/api/v1/contacts/{id}/restore", Signed(EditCrm)),
    (GET, "/api/v1/deal-history", Signed(Read)),
    (GET, "/api/v1/deals", Signed(Read)),
    (POST, "/api/v1/deals", Signed(EditCrm)),
    (GET, "/api/v1/deals/{id}", Signed(Read)),
    (PUT, "/api/v1/deals/{id}", Signed(EditCrm)),
    (DELETE, "/api/v1/deals/{id}", Signed(EditCrm)),
    (GET, "/api/v1/deals/{id}/history", Signed(Read)),
    (POST, "/api/v1/deals/{id}/move", Signed(EditCrm)),
    (POST, "/api/v1/deals/{id}/renew", Signed(EditCrm)),
    (POST, "/api/v1/deals/{id}/restore", Signed(EditCrm)),
    (GET, "/api/v1/history/{kind}/{id}", Signed(Read)),
    (GET, "/api/v1/hubs/{id}", Signed(Read)),
    (PUT, "/api/v1/hubs/{id}", Signed(EditCrm)),
    (POST, "/api/v1/imports/contacts", Signed(EditCrm)),
    (POST, "/api/v1/imports/deals", Signed(EditCrm)),
    (POST, "/api/v1/imports/organizations", Signed(EditCrm)),
    (GET, "/api/v1/organizations", Signed(Read)),
    (POST, "/api/v1/organizations", Signed(EditCrm)),
    (GET, "/api/v1/organizations/{id}", Signed(Read)),
    (PUT, "/api/v1/organizations/{id}", Signed(EditCrm)),
    (DELETE, "/api/v1/organizations/{id}", Signed(EditCrm)),
    (POST, "/api/v1/organizations/{id}/restore", Signed(EditCrm)),
    (GET, "/api/v1/people", Signed(Read)),
    (POST, "/api/v1/people", Signed(Finance)),
    (GET, "/api/v1/people/{id}", Signed(Read)),
    (PUT, "/api/v1/people/{id}", Signed(Finance)),
    (DELETE, "/api/v1/people/{id}", Signed(Finance)),
    (POST, "/api/v1/people/{id}/restore", Signed(Finance)),
    (POST, "/api/v1/people/{id}/assignments", Signed(Finance)),
    (GET, "/api/v1/pipelines", Signed(Read)),
    (POST, "/api/v1/pipelines", Signed(EditCrm)),
    (POST, "/api/v1/pipelines/{pipeline}/stages", Signed(EditCrm)),
    (
        PATCH,
        "/api/v1/pipelines/{pipeline}/stages/{stage}",
        Signed(EditCrm),
    ),
    (
        POST,
        "/api/v1/pipelines/{pipeline}/stages/{stage}/retire",
        Signed(EditCrm),
    ),
    (
        POST,
        "/api/v1/pipelines/{pipeline}/stages/{stage}/restore",
        Signed(EditCrm),
    ),
    (GET, "/api/v1/rate", Signed(Read)),
    (GET, "/api/v1/reports/{name}", Signed(Read)),
    (GET, "/api/v1/roles", Signed(Read)),
    (POST, "/api/v1/roles", Signed(Finance)),
    (GET, "/api/v1/roles/{id}", Signed(Read)),
    (PUT, "/api/v1/roles/{id}", Signed(Finance)),
    (GET, "/api/v1/team-cost", Signed(Finance)),
];

/// The rule of a route; `HEAD` follows `GET`.
pub fn rule(method: &Method, path: &str) -> Option<Rule> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    RULES
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, rule)| *rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_has_one_rule() {
        let mut seen = std::collections::HashSet::new();
        for (method, path, _) in RULES {
            assert!(seen.insert((method, path)), "{method} {path} has two rules");
        }
    }

    #[test]
    fn head_follows_get_and_unknown_routes_have_no_rule() {
        assert_eq!(rule(&Method::HEAD, "/"), Some(Signed(Read)));
        assert_eq!(rule(&Method::DELETE, "/"), None);
        assert_eq!(rule(&Method::GET, "/nowhere"), None);
    }
}
