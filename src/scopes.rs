//! Scope sets: parsed the way Backstage's OAuth2 client does (split on whitespace, `,` or `|`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// An ordered set of OAuth scopes (ordered so that URLs and stored sessions are deterministic).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScopeSet(BTreeSet<String>);

impl ScopeSet {
    /// Parses a scope string such as `"openid profile,email"`.
    pub fn parse(scopes: &str) -> Self {
        ScopeSet(
            scopes
                .split(|c: char| c.is_whitespace() || c == ',' || c == '|')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Builds a set from a list of scope strings, each of which may itself hold several scopes.
    pub fn from_list<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Self {
        let mut set = ScopeSet::default();
        for item in items {
            set.0.extend(ScopeSet::parse(item.as_ref()).0);
        }
        set
    }

    pub fn union(&self, other: &ScopeSet) -> ScopeSet {
        ScopeSet(self.0.union(&other.0).cloned().collect())
    }

    pub fn contains_all(&self, other: &ScopeSet) -> bool {
        other.0.is_subset(&self.0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Space-joined, as the backend's `scope` query parameter expects.
    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_separators() {
        let set = ScopeSet::parse(" openid  profile,email|offline_access\n");
        assert_eq!(set.joined(), "email offline_access openid profile");
        assert!(ScopeSet::parse("  ,| ").is_empty());
    }

    #[test]
    fn union_and_subset() {
        let have = ScopeSet::parse("openid profile");
        let want = ScopeSet::from_list(["openid", "groups email"]);
        assert!(!have.contains_all(&want));
        let both = have.union(&want);
        assert!(both.contains_all(&want) && both.contains_all(&have));
        assert_eq!(both.joined(), "email groups openid profile");
        assert!(have.contains_all(&ScopeSet::default()));
    }
}
