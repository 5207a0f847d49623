//! Reads (never verifies) the claims of a Backstage token: its signature is the backend's
//! business; the client only uses `exp`, `sub` and `ent` to cross-check what it stores.

use crate::json::Json;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Claims {
    pub sub: Option<String>,
    pub exp: Option<f64>,
    pub iat: Option<f64>,
    pub ent: Option<Vec<String>>,
    pub aud: Option<Audience>,
}

impl Claims {
    pub fn audience_contains(&self, audience: &str) -> bool {
        self.aud.as_ref().is_some_and(|aud| aud.contains(audience))
    }

    /// The claims of a JSON payload; `None` when a claim the client reads has the wrong type.
    pub fn from_json(payload: &Json) -> Option<Claims> {
        payload.as_object()?;
        Some(Claims {
            sub: payload.opt_str("sub").ok()?.map(str::to_owned),
            exp: payload.opt_f64("exp").ok()?,
            iat: payload.opt_f64("iat").ok()?,
            ent: payload.opt_str_list("ent").ok()?,
            aud: match payload.get("aud") {
                None | Some(Json::Null) => None,
                Some(aud) => Some(Audience::from_json(aud)?),
            },
        })
    }
}

/// `aud` (RFC 7519 §4.1.3): one string or an array of strings; anything else is not a JWT of
/// ours.
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

    pub fn from_json(value: &Json) -> Option<Audience> {
        match value {
            Json::Str(one) => Some(Audience::One(one.clone())),
            Json::Arr(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Audience::Many),
            _ => None,
        }
    }
}

// The PKCE flow reads `aud` of ID tokens with serde (its module keeps serde: it is a wasm of
// its own, loaded only for `flow: 'pkce'`).
#[cfg(feature = "pkce")]
impl<'de> serde::Deserialize<'de> for Audience {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, SeqAccess, Visitor};
        struct AudienceVisitor;
        impl<'de> Visitor<'de> for AudienceVisitor {
            type Value = Audience;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
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

/// Decodes unpadded (or padded) base64url, as JWT parts are encoded; `None` on any other byte.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    // One leftover character (6 bits) cannot end a valid encoding.
    if bits >= 6 {
        return None;
    }
    Some(out)
}

/// The decoded header and payload of a compact JWS (`header.payload.signature`), or `None`
/// when it is not one. Neither is parsed here, and the signature is not looked at.
pub fn compact_parts(token: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut parts = token.split('.');
    let (header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some((base64url_decode(header)?, base64url_decode(payload)?))
}

/// The payload claims of a compact JWS, or `None` when it is not one.
pub fn claims(token: &str) -> Option<Claims> {
    let (_header, bytes) = compact_parts(token)?;
    let text = core::str::from_utf8(&bytes).ok()?;
    Claims::from_json(&Json::parse(text).ok()?)
}

#[cfg(test)]
pub(crate) fn fake_jwt(payload: &serde_json::Value) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
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
    fn base64url_agrees_with_the_base64_crate() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(200))
                .collect();
            let encoded = URL_SAFE_NO_PAD.encode(&bytes);
            assert_eq!(base64url_decode(&encoded), Some(bytes), "{encoded}");
        }
        assert_eq!(base64url_decode("YQ=="), Some(b"a".to_vec()));
        for bad in ["A", "a+b", "a/b", "ab cd", "é"] {
            assert_eq!(base64url_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn rejects_non_jwts() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "a.!!!.c", "a.bm90IGpzb24.c"] {
            assert_eq!(claims(bad), None, "{bad}");
        }
    }
}
