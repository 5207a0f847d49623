//! `pkce::check_id_token(token, issuer, client_id, nonce, now)`: the claims checks of the ID
//! token a provider's token endpoint returns (OIDC Core §3.1.3.7; the signature is not checked,
//! see `src/pkce.rs`). Input: the first byte's bit 0 says whether the sign-in nonce is expected;
//! the rest is the token's payload, or its header and payload separated by a `0xFF` byte (both
//! base64url-encoded into a compact JWS here); the same bytes as a whole token string too.
//!
//! Properties, beyond "never panics": what is accepted has a header `alg` other than `none`,
//! `iss` exactly the issuer, `aud` holding the client (with `azp` the client whenever `aud`
//! names anyone else, or whenever `azp` is present), a finite `exp` later than now minus the
//! leeway, a non-empty `sub`, and the expected `nonce`; header and claims are JSON objects
//! (known, reported deviation, let pass unless `FUZZ_STRICT=1`: serde's derived structs also
//! read a JSON array by position); errors are invalid-response errors.
#![no_main]

use backstage_wasm_auth::error::AuthError;
use backstage_wasm_auth::pkce::{check_id_token, EXP_LEEWAY_MS};
use fuzz_support::pkce::{jws, CLIENT_ID, ISSUER, NONCE};
use fuzz_support::{known, split, text, NOW_MS};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let nonce = (flags & 1 == 1).then_some(NONCE);
    if let Some(raw) = text(rest) {
        if let Err(e) = check_id_token(raw, ISSUER, CLIENT_ID, nonce, NOW_MS) {
            assert!(matches!(e, AuthError::InvalidResponse(_)), "{e:?}");
        }
    }
    let (header, payload) = match split(rest) {
        (header, Some(payload)) => (header, payload),
        (payload, None) => (&br#"{"alg":"RS256","kid":"k"}"#[..], payload),
    };
    let token = jws(header, payload);
    let result = check_id_token(&token, ISSUER, CLIENT_ID, nonce, NOW_MS);
    fuzz_support::trace!(
        "{:?}",
        result.as_ref().map(|c| &c.sub).map_err(|e| e.message())
    );
    let claims = match result {
        Ok(claims) => claims,
        Err(e) => {
            assert!(matches!(e, AuthError::InvalidResponse(_)), "{e:?}");
            return;
        }
    };
    // serde_json skips unknown members without checking their UTF-8 or surrogate escapes, which
    // a `Value` does not allow: such claims are read here with U+FFFD for bad bytes, or skipped.
    let json = |bytes: &[u8]| serde_json::from_str::<Value>(&String::from_utf8_lossy(bytes)).ok();
    let (Some(header), Some(payload)) = (json(header), json(payload)) else {
        return;
    };
    if !header.is_object() || !payload.is_object() {
        // Known: serde's derived structs also read a JSON array, by position.
        assert!(
            known("JSON arrays read as structs"),
            "claims or header not an object"
        );
        return;
    }
    let alg = header["alg"].as_str().expect("alg");
    assert!(!alg.eq_ignore_ascii_case("none"));
    assert_eq!(payload["iss"].as_str(), Some(ISSUER));
    let sub = payload["sub"].as_str().expect("sub");
    assert!(!sub.is_empty());
    assert_eq!(sub, claims.sub);
    let exp = payload["exp"].as_f64().expect("exp");
    assert!(
        exp.is_finite() && exp * 1000.0 + EXP_LEEWAY_MS > NOW_MS,
        "expired"
    );
    let (has_client, others) = match &payload["aud"] {
        Value::String(one) => (one == CLIENT_ID, false),
        Value::Array(list) => (
            list.iter().any(|a| a.as_str() == Some(CLIENT_ID)),
            list.iter().any(|a| a.as_str() != Some(CLIENT_ID)),
        ),
        _ => panic!("aud is a string or an array of strings"),
    };
    assert!(has_client, "not issued to the client");
    match payload["azp"].as_str() {
        Some(azp) => assert_eq!(azp, CLIENT_ID),
        None => assert!(!others, "other audiences without azp"),
    }
    if nonce.is_some() {
        assert_eq!(payload["nonce"].as_str(), nonce);
    }
});
