//! Reads (never verifies) the claims of a Backstage token: its signature is the backend's
//! business; the client only uses `exp`, `sub` and `ent` to cross-check what it stores.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Claims {
    pub sub: Option<String>,
    pub exp: Option<f64>,
    pub ent: Option<Vec<String>>,
    /// A string or an array of strings.
    pub aud: Option<serde_json::Value>,
}

impl Claims {
    pub fn audience_contains(&self, audience: &str) -> bool {
        match &self.aud {
            Some(serde_json::Value::String(a)) => a == audience,
            Some(serde_json::Value::Array(list)) => {
                list.iter().any(|a| a.as_str() == Some(audience))
            }
            _ => false,
        }
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
    }

    #[test]
    fn rejects_non_jwts() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "a.!!!.c", "a.bm90IGpzb24.c"] {
            assert_eq!(claims(bad), None, "{bad}");
        }
    }
}
