//! Who may reach which route. The rule of each route is written where the route is
//! registered: on a page's `Routes::get`/`post` line, and in an API handler's
//! `#[utoipa::path(…, security(("token" = ["permission"])))]`, which the OpenAPI document
//! shows too. `crate::routes` gathers them into [`Rules`], which one middleware checks for
//! every request. A route without a rule is refused to everybody (and logged), so a missing
//! rule fails closed; the router tests walk every registered route for every role.
//!
//! This is the web edge's check, about HTTP: a sign-in page for a browser, 401 for the API.
//! The services check again, through the `Context`, whatever door a call comes through.

use std::collections::HashMap;

use axum::http::Method;
use bearing_core::access::Permission;

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not: health checks, sign-in, setup, static files.
    Public,
    /// A signed-in user who holds the permission.
    Signed(Permission),
}

/// Every route's rule, by method and path template as registered.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    by_route: HashMap<(Method, String), Rule>,
}

impl Rules {
    /// The table of `routes`; a route given twice is a defect, refused here.
    pub fn new(routes: &[(Method, String, Rule)]) -> Result<Rules, String> {
        let mut by_route = HashMap::new();
        for (method, path, rule) in routes {
            if by_route
                .insert((method.clone(), path.clone()), *rule)
                .is_some()
            {
                return Err(format!("{method} {path} is registered twice"));
            }
        }
        Ok(Rules { by_route })
    }

    /// The rule of a route; `HEAD` follows `GET`.
    pub fn rule(&self, method: &Method, path: &str) -> Option<Rule> {
        let method = if method == Method::HEAD {
            Method::GET
        } else {
            method.clone()
        };
        self.by_route.get(&(method, path.to_owned())).copied()
    }

    /// Whether any method of `path` is registered.
    pub fn knows(&self, path: &str) -> bool {
        self.by_route.keys().any(|(_, p)| p == path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_follows_get_unknown_routes_have_no_rule_and_doubles_are_refused() {
        let rules = Rules::new(&[(Method::GET, "/".to_owned(), Rule::Signed(Permission::Read))])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            rules.rule(&Method::HEAD, "/"),
            Some(Rule::Signed(Permission::Read))
        );
        assert_eq!(rules.rule(&Method::DELETE, "/"), None);
        assert_eq!(rules.rule(&Method::GET, "/nowhere"), None);
        assert!(rules.knows("/") && !rules.knows("/nowhere"));
        let twice = [
            (Method::GET, "/".to_owned(), Rule::Public),
            (Method::GET, "/".to_owned(), Rule::Public),
        ];
        assert!(Rules::new(&twice).is_err());
    }
}
