//! Options parsing and validation.

use super::*;
use serde_json::json;

fn options(v: serde_json::Value) -> Result<ClientOptions, AuthError> {
    ClientOptions::from_json(&crate::protocol::tests::tree(&v))
}

#[test]
fn defaults() {
    let c = options(
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://127.0.0.1:7007/api/auth/"}),
    )
    .expect("parse")
    .validate(false)
    .expect("valid");
    assert_eq!(
        c.auth_base_url.as_deref(),
        Some("http://127.0.0.1:7007/api/auth")
    );
    assert_eq!(c.environment, "development");
    assert_eq!(c.provider_title, "oidc");
    assert_eq!(
        (c.popup_width, c.popup_height, c.popup_fullscreen),
        (450, 730, false)
    );
    assert_eq!(c.refresh_margin_ms, 180_000.0);
    assert_eq!(c.flow, Flow::Popup);
    assert_eq!(c.storage, StorageKind::Session);
    assert_eq!(c.popup_timeout_seconds, 300);
}

#[test]
fn all_options() {
    let c = options(
        json!({"provider": {"id": "spectrocloud", "title": "SpectroCloud"},
        "authBaseUrl": "https://b.example/api/auth", "environment": "production",
        "defaultScopes": ["openid", "profile email"], "storage": "local",
        "popup": {"width": 500, "height": 600, "fullscreen": true}, "refreshMarginSeconds": 10,
        "popupTimeoutSeconds": 5, "requestTimeoutSeconds": 2, "flow": "redirect",
        "redirectUrl": "https://app.example/x?y=1"}),
    )
    .expect("parse")
    .validate(false)
    .expect("valid");
    assert_eq!(c.default_scopes.joined(), "email openid profile");
    assert_eq!(c.storage, StorageKind::Local);
    assert_eq!(c.flow, Flow::Redirect);
    assert_eq!(c.refresh_margin_ms, 10_000.0);
    assert!(c.popup_fullscreen);
}

#[test]
fn bad_options_are_config_errors() {
    let bad = [
        json!({"provider": {"id": "oidc/../x"}, "authBaseUrl": "http://a"}),
        json!({"provider": {"id": ""}, "authBaseUrl": "http://a"}),
        json!({"provider": {"id": "oidc"}}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "ftp://a"}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://"}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a?x=1"}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "environment": "a b"}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "refreshMarginSeconds": -1}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "popup": {"width": 1}}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "popupTimeoutSeconds": 0}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "redirectUrl": "/relative"}),
    ];
    for v in bad {
        let e = options(v.clone())
            .expect("parse")
            .validate(false)
            .expect_err("invalid");
        assert_eq!(e.name(), "ConfigError", "{v}");
    }
    let both =
        options(json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a"})).expect("parse");
    assert!(both.validate(true).is_err());
    let fn_only = options(json!({"provider": {"id": "oidc"}})).expect("parse");
    assert_eq!(fn_only.validate(true).expect("valid").auth_base_url, None);
    // Typos and wrong types are refused by the parser itself.
    assert!(options(
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "refreshMargin": 1})
    )
    .is_err());
    assert!(options(
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "storage": "disk"})
    )
    .is_err());
    assert!(options(json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "flow": "popup", "popup": {"width": "5"}})).is_err());
}

#[test]
fn option_errors_name_the_option() {
    let message = |v: serde_json::Value| options(v).expect_err("invalid").to_string();
    assert_eq!(
        message(json!({"authBaseUrl": "http://a"})),
        "Invalid auth client options: provider is required: { id, title? }"
    );
    assert_eq!(
        message(json!({"provider": {}, "authBaseUrl": "http://a"})),
        "Invalid auth client options: provider.id must be a string"
    );
    assert_eq!(
        message(json!({"provider": {"id": "a"}, "popup": {"width": "5"}})),
        "Invalid auth client options: popup.width must be a number"
    );
    assert_eq!(
        message(json!({"provider": {"id": "a"}, "storage": "disk"})),
        "Invalid auth client options: storage must be 'session', 'local' or 'memory'"
    );
    assert_eq!(
        message(json!({"provider": {"id": "a"}, "refreshMargin": 1})),
        "Invalid auth client options: unknown option refreshMargin"
    );
    assert_eq!(
        message(json!({"provider": {"id": "a"}, "pkce": {"issuer": "x", "secret": 1}})),
        "Invalid auth client options: unknown option pkce.secret"
    );
    // A token-like value in a wrongly typed slot never reaches the message.
    let e = message(json!({"provider": {"id": "a"}, "defaultScopes": "eyJsecret"}));
    assert!(!e.contains("eyJsecret"), "{e}");
}

fn pkce_options(pkce: serde_json::Value) -> Result<ClientConfig, AuthError> {
    options(json!({"provider": {"id": "idp"}, "pkce": pkce}))
        .expect("parse")
        .validate(false)
}

#[test]
#[cfg(not(feature = "pkce"))]
fn pkce_flow_is_refused_without_the_feature() {
    let error = pkce_options(json!({"issuer": "http://127.0.0.1:7010",
        "clientId": "spa", "redirectUri": "http://127.0.0.1:3000/pkce-callback.html"}))
    .expect_err("no pkce in this build");
    assert_eq!(error.name(), "ConfigError");
    assert!(error.to_string().contains("feature \"pkce\""), "{error}");
}

#[test]
#[cfg(feature = "pkce")]
fn pkce_flow() {
    let c = pkce_options(json!({"issuer": "http://127.0.0.1:7010",
        "clientId": "spa", "redirectUri": "http://127.0.0.1:3000/pkce-callback.html"}))
    .expect("valid");
    assert_eq!(c.flow, Flow::Pkce);
    assert_eq!(c.auth_base_url, None);
    assert_eq!(c.default_scopes.joined(), "email openid profile");
    let p = c.pkce.expect("pkce");
    assert_eq!(p.issuer, "http://127.0.0.1:7010");
    assert_eq!(p.client_id, "spa");
    assert!(
        !p.share_refresh_token,
        "kept off the tab channel by default"
    );
    let shared = pkce_options(json!({"issuer": "http://127.0.0.1:7010", "clientId": "spa",
        "redirectUri": "http://127.0.0.1:3000/cb", "shareRefreshToken": true}))
    .expect("valid");
    assert!(shared.pkce.expect("pkce").share_refresh_token);
    let error = options(json!({"provider": {"id": "idp"}, "pkce": {
        "issuer": "http://127.0.0.1:7010", "clientId": "spa",
        "redirectUri": "http://127.0.0.1:3000/cb", "shareRefreshToken": "yes"}}))
    .expect_err("not a boolean");
    assert!(
        error.to_string().contains("pkce.shareRefreshToken"),
        "{error}"
    );
    // Own scopes: `openid` is always asked for; `defaultScopes` add to them.
    let c = options(
        json!({"provider": {"id": "idp"}, "flow": "pkce", "defaultScopes": ["groups"],
        "pkce": {"issuer": "https://idp.example/realms/x/", "clientId": "spa",
                 "redirectUri": "https://app.example/cb", "scopes": ["email"]}}),
    )
    .expect("parse")
    .validate(false)
    .expect("valid");
    assert_eq!(c.default_scopes.joined(), "email groups openid");
    // The issuer is kept byte for byte (trailing slash included): `iss` must match it.
    assert_eq!(
        c.pkce.expect("pkce").issuer,
        "https://idp.example/realms/x/"
    );
}

#[test]
#[cfg(feature = "pkce")]
fn bad_pkce_options() {
    let cb = "https://app.example/cb";
    for bad in [
        json!({"issuer": "http://idp.example", "clientId": "spa", "redirectUri": cb}),
        json!({"issuer": "ftp://idp.example", "clientId": "spa", "redirectUri": cb}),
        json!({"issuer": "https://idp.example?x=1", "clientId": "spa", "redirectUri": cb}),
        json!({"issuer": "https://", "clientId": "spa", "redirectUri": cb}),
        json!({"issuer": "https://u@idp.example", "clientId": "spa", "redirectUri": cb}),
        json!({"issuer": "https://idp.example", "clientId": "", "redirectUri": cb}),
        json!({"issuer": "https://idp.example", "clientId": "spa", "redirectUri": "/cb"}),
        json!({"issuer": "https://idp.example", "clientId": "spa", "redirectUri": "http://app.example/cb"}),
        json!({"issuer": "https://idp.example", "clientId": "spa", "redirectUri": "https://a/cb#x"}),
    ] {
        assert_eq!(
            pkce_options(bad.clone()).expect_err("invalid").name(),
            "ConfigError",
            "{bad}"
        );
    }
    // A host that only starts like a loopback address is not one (issue 12).
    for bad in [
        "http://127.attacker.example/",
        "http://127.0.0.1.attacker.example/",
        "http://127.0.0/",
        "http://127.0.0.256/",
        "http://localhost.attacker.example/",
    ] {
        assert_eq!(
            pkce_options(json!({"issuer": bad, "clientId": "spa", "redirectUri": cb}))
                .expect_err("not loopback")
                .name(),
            "ConfigError",
            "{bad}"
        );
    }
    // Loopback may be plain http (any 127/8 address, localhost, [::1]).
    for ok in [
        "http://localhost:1/x",
        "http://127.0.0.2/",
        "http://[::1]:8080",
    ] {
        assert!(
            pkce_options(json!({"issuer": ok, "clientId": "spa", "redirectUri": cb})).is_ok(),
            "{ok}"
        );
    }
    // Unknown fields and a flow without its options are refused.
    assert!(options(
        json!({"provider": {"id": "idp"}, "pkce": {"issuer": "https://i",
        "clientId": "spa", "redirectUri": cb, "secret": "x"}})
    )
    .is_err());
    let no_block = options(json!({"provider": {"id": "idp"}, "flow": "pkce"})).expect("parse");
    assert_eq!(
        no_block.validate(false).expect_err("invalid").name(),
        "ConfigError"
    );
    let wrong_flow = options(
        json!({"provider": {"id": "idp"}, "flow": "popup", "authBaseUrl": "http://a",
        "pkce": {"issuer": "https://i", "clientId": "spa", "redirectUri": cb}}),
    )
    .expect("parse");
    assert_eq!(
        wrong_flow.validate(false).expect_err("invalid").name(),
        "ConfigError"
    );
}
