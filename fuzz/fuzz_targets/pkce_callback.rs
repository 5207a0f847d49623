//! `Provider::callback_code(pending, url)`: the page the provider sends the sign-in popup back to
//! (its `location.href`, posted by `pkce-callback.html`). The first byte's bit 0 says whether
//! the provider advertises RFC 9207 `iss`; the rest is the URL. Properties, beyond "never
//! panics", checked against the `url` crate's form decoding (through `oauth2::url`):
//! - a code is returned only for the configured redirect page, a query without repeated
//!   parameters, our `state`, the configured `iss` (required when advertised) and no `error`;
//!   the code is the query's `code`, non-empty;
//! - errors are invalid-response errors or refusals (named `InvalidState`, `InvalidIssuer`, or
//!   the provider's `error`).
#![no_main]

use fuzz_support::pkce::{pending, provider, CALLBACK, ISSUER, STATE};
use fuzz_support::{is_answer_error, text};
use libfuzzer_sys::fuzz_target;
use oauth2::url::form_urlencoded;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Some(url) = text(rest) else {
        return;
    };
    let iss_advertised = flags & 1 == 1;
    let p = provider(iss_advertised);
    let pending = pending(&p);
    let result = p.callback_code(&pending, url);
    fuzz_support::trace!(
        "{:?}",
        result.as_ref().map(|_| "code").map_err(|e| e.message())
    );
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            assert!(is_answer_error(&e), "{e:?}");
            return;
        }
    };
    let without_fragment = url.split('#').next().unwrap_or("");
    let (page, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    assert_eq!(page, CALLBACK, "a code from another page");
    let mut params = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        assert!(params.insert(key, value).is_none(), "repeated parameter");
    }
    assert_eq!(params.get("state").map(|s| &**s), Some(STATE));
    match params.get("iss") {
        Some(iss) => assert_eq!(iss, ISSUER),
        None => assert!(!iss_advertised, "no iss although advertised"),
    }
    assert!(!params.contains_key("error"));
    assert!(!code.secret().is_empty());
    assert_eq!(
        params.get("code").map(|c| &**c),
        Some(code.secret().as_str())
    );
});
