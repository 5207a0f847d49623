//! `pkce::parse_discovery(status, body, issuer)`: the OpenID provider's
//! `.well-known/openid-configuration`, for issuer `fuzz_support::pkce::ISSUER`. The first byte
//! picks the HTTP status (`fuzz_support::status`), the rest is the body. Properties, beyond
//! "never panics":
//! - a document is accepted only from a 2xx answer, names exactly the configured issuer, has
//!   only endpoints that pass `secure_url::check_secure_url` (https, or http on loopback), and offers
//!   S256 when it lists PKCE methods; it is what serde_json reads into `Discovery`; it is a JSON
//!   object (known, reported deviation, let pass unless `FUZZ_STRICT=1`: serde's derived structs
//!   also read a JSON array by position);
//! - errors are invalid-response errors, or for a non-2xx answer a refusal named
//!   `HTTP<status>`;
//! - the authorization URL built from an accepted document starts with its endpoint.
#![no_main]

use backstage_wasm_auth::error::AuthError;
use backstage_wasm_auth::pkce::{parse_discovery, Discovery, Provider};
use backstage_wasm_auth::secure_url::check_secure_url;
use fuzz_support::pkce::{config, randomness, ISSUER};
use fuzz_support::{known, status, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = status(data) else {
        return;
    };
    let Some(body) = text(body) else {
        return;
    };
    let success = (200..=299).contains(&status);
    let result = parse_discovery(status, body, ISSUER);
    fuzz_support::trace!(
        "{:?}",
        result.as_ref().map(|_| "document").map_err(|e| e.message())
    );
    let d = match result {
        Ok(d) => d,
        Err(e) if success => {
            assert!(matches!(e, AuthError::InvalidResponse(_)), "{e:?}");
            return;
        }
        Err(e) => {
            assert!(matches!(e, AuthError::AuthResponse { .. }), "{e:?}");
            assert_eq!(e.backend_name(), Some(format!("HTTP{status}").as_str()));
            return;
        }
    };
    assert!(success, "a document from status {status}");
    let object = serde_json::from_str::<serde_json::Value>(body).map(|v| v.is_object());
    assert!(
        object.unwrap_or(true) || known("JSON arrays read as structs"),
        "a discovery document that is not an object"
    );
    assert_eq!(d.issuer, ISSUER);
    for url in d.endpoints() {
        assert!(
            check_secure_url(url, "endpoint").is_ok(),
            "insecure endpoint"
        );
    }
    if let Some(methods) = &d.code_challenge_methods_supported {
        assert!(methods.iter().any(|m| m == "S256"));
    }
    let read: Discovery = serde_json::from_str(body).expect("serde_json reads what was accepted");
    assert_eq!(read, d);
    let endpoint = d.authorization_endpoint.clone();
    let provider = Provider::new(config(), d).expect("provider");
    let pending = provider.authorize(&Default::default(), randomness());
    assert!(pending.url.starts_with(&endpoint));
    let rest = &pending.url[endpoint.len()..];
    assert!(rest.starts_with('?') || rest.starts_with('&'));
});
