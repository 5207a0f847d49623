//! `config::ClientOptions::from_json(&Json)` then `.validate(has_base_fn)`: the options object of
//! `new AuthClient(options)` (as a JSON tree; `getAuthBaseUrl`, a function, is the flag). Input:
//! the first byte's bit 0 says whether `getAuthBaseUrl` came too; the rest is the options' JSON.
//! Properties, beyond "never panics":
//! - every error, of reading or of validating, is a `ConfigError`;
//! - a validated config keeps its promises: plain provider id and environment, an auth base URL
//!   without a trailing slash exactly when no `getAuthBaseUrl` came (none for `pkce` either),
//!   bounds of popup size, margin and timeouts, `pkce` settings exactly for `flow: 'pkce'` (with
//!   a secure issuer and redirect URI, and `openid` among the scopes);
//! - no string value of the options reaches an error: with every string value replaced by a
//!   token-shaped marker, no error contains it.
#![no_main]

use backstage_wasm_auth::config::{ClientConfig, ClientOptions, Flow};
use backstage_wasm_auth::json::Json;
use backstage_wasm_auth::scopes::ScopeSet;
use backstage_wasm_auth::secure_url::check_secure_url;
use fuzz_support::{assert_no_marker, mark, mentions_marker, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let has_base_fn = flags & 1 == 1;
    let Some(value) = text(rest).and_then(|t| Json::parse(t).ok()) else {
        return;
    };
    let result = ClientOptions::from_json(&value).and_then(|o| o.validate(has_base_fn));
    fuzz_support::trace!(
        "{:?}",
        result.as_ref().map(|c| c.flow).map_err(|e| e.message())
    );
    match result {
        Ok(config) => check(&config, has_base_fn),
        Err(e) => assert_eq!(e.name(), "ConfigError"),
    }
    if mentions_marker(&value) {
        return;
    }
    let marked = mark(&value, &[]);
    if let Err(e) = ClientOptions::from_json(&marked).and_then(|o| o.validate(has_base_fn)) {
        assert_eq!(e.name(), "ConfigError");
        assert_no_marker(&e, "client options");
    }
});

fn plain(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn check(c: &ClientConfig, has_base_fn: bool) {
    assert!(plain(&c.provider_id), "provider id");
    assert!(plain(&c.environment), "environment");
    match &c.auth_base_url {
        Some(url) => {
            assert!(!has_base_fn);
            assert!(url.starts_with("https://") || url.starts_with("http://"));
            assert!(!url.ends_with('/') && !url.contains(['?', '#']));
            assert!(!url.contains(char::is_whitespace));
        }
        None => assert!(has_base_fn || c.flow == Flow::Pkce),
    }
    assert!((100..=10_000).contains(&c.popup_width));
    assert!((100..=10_000).contains(&c.popup_height));
    assert!((0.0..=86_400_000.0).contains(&c.refresh_margin_ms));
    assert!((1..=86_400).contains(&c.popup_timeout_seconds));
    assert!((1..=600).contains(&c.request_timeout_seconds));
    assert_eq!(c.pkce.is_some(), c.flow == Flow::Pkce);
    if let Some(p) = &c.pkce {
        assert!(check_secure_url(&p.issuer, "issuer").is_ok() && !p.issuer.contains('?'));
        assert!(check_secure_url(&p.redirect_uri, "redirectUri").is_ok());
        assert!(!p.client_id.is_empty() && p.client_id.len() <= 256);
        assert!(c.default_scopes.contains_all(&ScopeSet::parse("openid")));
    }
}
