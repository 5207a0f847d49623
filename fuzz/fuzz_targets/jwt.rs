//! `jwt::claims(token)` and `jwt::base64url_decode(text)`: the claims of a Backstage token read
//! from storage, a tab message or the backend (never verified: only cross-checked). The input is
//! used twice: as a token / base64url text, and as the raw payload of a token built around it.
//! Properties, beyond "never panics":
//! - `base64url_decode` agrees with the `base64` crate (URL-safe alphabet, trailing `=` ignored,
//!   non-zero trailing bits allowed) and inverts its encoder;
//! - only a three-part compact JWS has claims; for a token with these bytes as its payload,
//!   `claims` is exactly `Claims::from_json` of the payload when it is UTF-8 JSON, and the
//!   claims it returns are the payload's `sub`, `exp`, `ent` and `aud`.
#![no_main]

use backstage_wasm_auth::json::Json;
use backstage_wasm_auth::jwt::{self, Audience, Claims};
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use fuzz_support::{pkce::base64url, pkce::jws, text};
use libfuzzer_sys::fuzz_target;

/// The oracle: what `base64url_decode` documents (padding is trimmed before decoding).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

fuzz_target!(|data: &[u8]| {
    if let Some(text) = text(data) {
        let ours = jwt::base64url_decode(text);
        let theirs = LENIENT.decode(text.trim_end_matches('=')).ok();
        assert_eq!(
            ours, theirs,
            "base64url_decode disagrees with the base64 crate"
        );
        if jwt::claims(text).is_some() {
            assert_eq!(text.split('.').count(), 3, "claims of a non-JWS");
        }
    }
    let encoded = base64url(data);
    assert_eq!(jwt::base64url_decode(&encoded).as_deref(), Some(data));
    let padded = format!("{encoded}{}", "=".repeat((4 - encoded.len() % 4) % 4));
    assert_eq!(jwt::base64url_decode(&padded).as_deref(), Some(data));

    let token = jws(br#"{"alg":"ES256"}"#, data);
    let claims = jwt::claims(&token);
    fuzz_support::trace!("claims of the payload: {claims:?}");
    let payload = text(data).and_then(|t| Json::parse(t).ok());
    assert_eq!(claims, payload.as_ref().and_then(Claims::from_json));
    if let (Some(claims), Some(payload)) = (claims, payload) {
        let get = |key| payload.get(key).filter(|v| **v != Json::Null);
        assert_eq!(claims.sub.as_deref(), get("sub").and_then(Json::as_str));
        assert_eq!(claims.exp, get("exp").and_then(Json::as_f64));
        let ent = get("ent").and_then(Json::as_array).map(|items| {
            items
                .iter()
                .map(|i| i.as_str().expect("ent of strings").to_owned())
                .collect::<Vec<_>>()
        });
        assert_eq!(claims.ent, ent);
        let backstage = match get("aud") {
            Some(Json::Str(one)) => one == "backstage",
            Some(Json::Arr(items)) => items.iter().any(|i| i.as_str() == Some("backstage")),
            _ => false,
        };
        assert_eq!(claims.audience_contains("backstage"), backstage);
        if let Some(Audience::Many(list)) = &claims.aud {
            assert_eq!(
                Some(list.len()),
                get("aud").and_then(Json::as_array).map(<[Json]>::len)
            );
        }
    }
});
