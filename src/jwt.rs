//! Reads (never verifies) the claims of a Backstage token: its signature is the backend's
//! business; the client only uses `exp`, `sub` and `ent` to cross-check what it stores.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Claims {
    pub sub: Option<String>,
    pub exp: Option<f64>,
    pub ent: Option<Vec<String>>,
    pub aud: Option<Audience>,
}

impl Claims {
    pub fn audience_contains(&self, audience: &str) -> bool {
        self.aud.as_ref().is_some_and(|aud| aud.contains(audience))
    }
}

/// `aud` (RFC 7519 §4.1.3): one string or an array of strings; anything else is not a JWT of
/// ours. Read by a visitor, not through `serde_json::Value` or an untagged enum, which would
/// link a generic JSON tree into the wasm for one claim.
#[derive(Debug, Clone, PartialEq)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(a) => a == audience,
            Audience::Many(list) => list.iter().any(|a| a == audience),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AudienceVisitor;
        impl<'de> Visitor<'de> for AudienceVisitor {
            type Value = Audience;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Audience, E> {
                Ok(Audience::One(value.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Audience, A::Error> {
                let mut list = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    list.push(item);
                }
                Ok(Audience::Many(list))
            }
        }
        deserializer.deserialize_any(AudienceVisitor)
    }
}

/// The payload claims of a compact JWS, or `None` when it is not one.
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
pub(crate) fn fake_jwt(payload: &serde_json::Value) -> String {
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("eyJhbGciOiJFUzI1NiJ9.{body}.c2ln")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_claims() {
        let token = fake_jwt(&json!({"sub": "user:default/jane", "exp": 1700000000,
                                     "ent": ["user:default/jane"], "other": 1}));
        let c = claims(&token).expect("claims");
        assert_eq!(c.sub.as_deref(), Some("user:default/jane"));
        assert_eq!(c.exp, Some(1_700_000_000.0));
        assert_eq!(c.ent.as_ref().map(|e| e.len()), Some(1));
        assert!(!c.audience_contains("backstage"));
        let with_aud = |aud| claims(&fake_jwt(&json!({"aud": aud}))).expect("claims");
        assert!(with_aud(json!("backstage")).audience_contains("backstage"));
        assert!(with_aud(json!(["x", "backstage"])).audience_contains("backstage"));
        assert!(!with_aud(json!(["x"])).audience_contains("backstage"));
        // Not a string or an array of strings: not a token of ours.
        for bad in [
            json!(7),
            json!({"backstage": true}),
            json!(["backstage", 1]),
            json!(null),
        ] {
            let token = fake_jwt(&json!({ "aud": bad }));
            let parsed = claims(&token);
            assert!(
                parsed.is_none_or(|c| !c.audience_contains("backstage")),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_non_jwts() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "a.!!!.c", "a.bm90IGpzb24.c"] {
            assert_eq!(claims(bad), None, "{bad}");
        }
    }
}
