//! Scope sets: parsed the way Backstage's OAuth2 client does (split on whitespace, `,` or `|`).

use crate::json::Json;

/// An ordered set of OAuth scopes (ordered so that URLs and stored sessions are deterministic).
/// A sorted `Vec`, not a `BTreeSet`: sets hold a handful of scopes, and the B-tree code costs
/// kilobytes of wasm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(Vec<String>);

impl ScopeSet {
    /// Parses a scope string such as `"openid profile,email"`.
    pub fn parse(scopes: &str) -> Self {
        ScopeSet::from_list([scopes])
    }

    /// Builds a set from a list of scope strings, each of which may itself hold several scopes.
    pub fn from_list<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Self {
        let mut list: Vec<String> = Vec::new();
        for item in items {
            list.extend(
                item.as_ref()
                    .split(|c: char| c.is_whitespace() || c == ',' || c == '|')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
        }
        sort_small(&mut list);
        list.dedup();
        ScopeSet(list)
    }

    pub fn union(&self, other: &ScopeSet) -> ScopeSet {
        ScopeSet::from_list(self.0.iter().chain(&other.0))
    }

    pub fn contains_all(&self, other: &ScopeSet) -> bool {
        other.0.iter().all(|s| self.0.binary_search(s).is_ok())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Space-joined, as the backend's `scope` query parameter expects.
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }

    /// The stored shape: an array of strings.
    pub fn to_json(&self) -> Json {
        Json::Arr(self.0.iter().map(|s| Json::from(s.as_str())).collect())
    }
}

/// Insertion sort: the lists sorted here (scopes, ownership refs) hold a handful of entries, and
/// the standard library's sorts cost ~6 KB of wasm.
pub(crate) fn sort_small(list: &mut [String]) {
    for i in 1..list.len() {
        let mut j = i;
        while j > 0 && list[j - 1] > list[j] {
            list.swap(j - 1, j);
            j -= 1;
        }
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
    fn sort_small_sorts() {
        let mut list: Vec<String> = ["b", "a", "d", "c", "a"].map(String::from).to_vec();
        sort_small(&mut list);
        assert_eq!(list, ["a", "a", "b", "c", "d"]);
        sort_small(&mut []);
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
