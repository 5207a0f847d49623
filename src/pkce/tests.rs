//! The PKCE flow's pure parts against a scripted HTTP client and a fixed clock.

use super::*;
use crate::http::HttpAnswer;
use futures::executor::block_on;
use futures::future::{FutureExt, LocalBoxFuture};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

const ISSUER: &str = "http://127.0.0.1:7010";
const NOW_MS: f64 = 1_700_000_000_000.0;
const NOW_S: f64 = NOW_MS / 1000.0;
const CALLBACK: &str = "http://127.0.0.1:3000/pkce-callback.html";

struct FixedClock;
impl Clock for FixedClock {
    fn now_ms(&self) -> f64 {
        NOW_MS
    }
}

fn config() -> PkceConfig {
    PkceConfig {
        issuer: ISSUER.into(),
        client_id: "spa".into(),
        redirect_uri: CALLBACK.into(),
        share_refresh_token: false,
        post_logout_redirect_uri: None,
    }
}

/// What oidc-provider 9 publishes (trimmed).
fn discovery_json() -> Value {
    json!({
        "issuer": ISSUER,
        "authorization_endpoint": format!("{ISSUER}/auth"),
        "token_endpoint": format!("{ISSUER}/token"),
        "revocation_endpoint": format!("{ISSUER}/token/revocation"),
        "end_session_endpoint": format!("{ISSUER}/session/end"),
        "userinfo_endpoint": format!("{ISSUER}/me"),
        "jwks_uri": format!("{ISSUER}/jwks"),
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "response_types_supported": ["code"],
    })
}

fn provider() -> Provider {
    let d = parse_discovery(200, &discovery_json().to_string(), ISSUER).expect("discovery");
    Provider::new(config(), d).expect("provider")
}

/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn fixed_random() -> Randomness {
    Randomness {
        verifier: PkceCodeVerifier::new(VERIFIER.into()),
        state: CsrfToken::new("the-state".into()),
        nonce: CsrfToken::new("the-nonce".into()),
    }
}

fn jwt(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn claims() -> Value {
    json!({"iss": ISSUER, "sub": "jane@example.com", "aud": "spa", "exp": NOW_S + 300.0,
           "iat": NOW_S, "nonce": "the-nonce", "email": "jane@example.com", "name": "Jane Doe",
           "picture": "https://avatars.example.com/jane.png"})
}

fn id_token_with(edit: impl Fn(&mut Value)) -> String {
    let mut c = claims();
    edit(&mut c);
    jwt(&json!({"alg": "RS256", "kid": "k"}), &c)
}

/// A scripted HTTP client: records each request, answers with `status` and `body` (JSON).
#[derive(Clone)]
struct Scripted {
    requests: Rc<RefCell<Vec<HttpCall>>>,
    status: u16,
    body: Value,
}

impl Scripted {
    fn new(status: u16, body: Value) -> Self {
        Scripted {
            requests: Rc::default(),
            status,
            body,
        }
    }

    fn client(&self) -> impl Fn(HttpCall) -> Answer {
        let this = self.clone();
        move |request| {
            this.requests.borrow_mut().push(request);
            answer(http_response(this.status, &this.body))
        }
    }

    /// The form body of request `i`, as sorted pairs.
    fn form(&self, i: usize) -> Vec<(String, String)> {
        let body = self.requests.borrow()[i].body.clone().unwrap_or_default();
        let mut pairs: Vec<(String, String)> = oauth2::url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        pairs.sort();
        pairs
    }
}

type Answer = LocalBoxFuture<'static, Result<HttpAnswer, AuthError>>;

fn answer(a: HttpAnswer) -> Answer {
    futures::future::ready(Ok(a)).boxed_local()
}

fn http_response(status: u16, body: &Value) -> HttpAnswer {
    HttpAnswer {
        status,
        body: body.to_string(),
    }
}

fn header<'a>(request: &'a HttpCall, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    v.sort();
    v
}

fn token_body(id_token: Option<String>) -> Value {
    let mut body = json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
        "refresh_token": "rt-1", "scope": "openid email profile"});
    if let Some(t) = id_token {
        body["id_token"] = t.into();
    }
    body
}

fn callback(provider: &Provider, pending: &Pending) -> AuthorizationCode {
    let url = format!(
        "{CALLBACK}?code=c0de&state=the-state&iss={}",
        encode(ISSUER)
    );
    provider.callback_code(pending, &url).expect("code")
}

fn encode(s: &str) -> String {
    crate::urls::encode_uri_component(s)
}

fn sign_in(token: Scripted) -> Result<AuthResponse, AuthError> {
    let p = provider();
    let pending = p.authorize(&ScopeSet::parse("profile email"), fixed_random());
    let code = callback(&p, &pending);
    block_on(p.exchange_code(&token.client(), pending, code, &FixedClock))
}

// ---- discovery ---------------------------------------------------------------------------

#[test]
fn discovery_document() {
    assert_eq!(
        discovery_url("https://idp.example/realms/x/"),
        "https://idp.example/realms/x/.well-known/openid-configuration"
    );
    assert_eq!(
        discovery_url(ISSUER),
        "http://127.0.0.1:7010/.well-known/openid-configuration"
    );
    let d = parse_discovery(200, &discovery_json().to_string(), ISSUER).expect("valid");
    assert_eq!(d.token_endpoint, "http://127.0.0.1:7010/token");
    assert_eq!(
        d.revocation_endpoint.as_deref(),
        Some("http://127.0.0.1:7010/token/revocation")
    );
    assert!(d.authorization_response_iss_parameter_supported);
    // Only the required fields.
    let minimal = json!({"issuer": ISSUER, "authorization_endpoint": "https://a.example/auth",
        "token_endpoint": "https://a.example/token"});
    let d = parse_discovery(200, &minimal.to_string(), ISSUER).expect("minimal");
    assert_eq!(d.revocation_endpoint, None);
}

#[test]
fn discovery_rejections() {
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut d = discovery_json();
        edit(&mut d);
        parse_discovery(200, &d.to_string(), ISSUER)
    };
    let cases: Vec<(&str, Result<Discovery, AuthError>)> = vec![
        (
            "other issuer",
            with(&|d| d["issuer"] = "http://127.0.0.1:9999".into()),
        ),
        (
            "issuer with a slash",
            with(&|d| d["issuer"] = format!("{ISSUER}/").into()),
        ),
        (
            "http token endpoint",
            with(&|d| d["token_endpoint"] = "http://evil.example/token".into()),
        ),
        (
            "javascript: endpoint",
            with(&|d| d["authorization_endpoint"] = "javascript:alert(1)".into()),
        ),
        (
            "no S256",
            with(&|d| d["code_challenge_methods_supported"] = json!(["plain"])),
        ),
        (
            "no token endpoint",
            with(&|d| {
                d.as_object_mut().expect("object").remove("token_endpoint");
            }),
        ),
        ("not JSON", parse_discovery(200, "<html>", ISSUER)),
    ];
    for (what, result) in cases {
        assert_eq!(
            result.expect_err(what).name(),
            "InvalidResponseError",
            "{what}"
        );
    }
    let e = parse_discovery(404, "not found", ISSUER).expect_err("404");
    assert_eq!(e.backend_name(), Some("HTTP404"));
}

// ---- the authorization request and its answer --------------------------------------------

#[test]
fn authorization_url() {
    let p = provider();
    let pending = p.authorize(&ScopeSet::parse("profile email"), fixed_random());
    let (base, query) = pending.url.split_once('?').expect("query");
    assert_eq!(base, "http://127.0.0.1:7010/auth");
    let mut params: Vec<(String, String)> = oauth2::url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    params.sort();
    assert_eq!(
        params,
        pairs(&[
            ("response_type", "code"),
            ("client_id", "spa"),
            ("redirect_uri", CALLBACK),
            ("scope", "email openid profile"),
            ("state", "the-state"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("nonce", "the-nonce"),
        ])
    );
    // `openid` is always asked for.
    let pending = p.authorize(&ScopeSet::default(), fixed_random());
    assert!(pending.url.contains("scope=openid&"), "{}", pending.url);
}

#[test]
fn random_values_differ_and_are_long_enough() {
    let (a, b) = (
        Randomness::new().expect("rng"),
        Randomness::new().expect("rng"),
    );
    assert_ne!(a.verifier.secret(), b.verifier.secret());
    assert_ne!(a.state.secret(), b.state.secret());
    assert_ne!(a.nonce.secret(), b.nonce.secret());
    // RFC 7636 §4.1: 43-128 characters.
    assert_eq!(a.verifier.secret().len(), 43);
    assert!(a.state.secret().len() >= 22);
}

#[test]
fn callback_checks() {
    let p = provider();
    let pending = p.authorize(&ScopeSet::default(), fixed_random());
    let iss = encode(ISSUER);
    let ok = format!("{CALLBACK}?code=c0de&state=the-state&iss={iss}#frag");
    assert_eq!(
        p.callback_code(&pending, &ok).expect("code").secret(),
        "c0de"
    );

    let name_of = |url: String| {
        let e = p.callback_code(&pending, &url).expect_err(&url);
        (e.name().to_owned(), e.backend_name().map(str::to_owned))
    };
    let state = |s: &str| format!("{CALLBACK}?code=c0de&state={s}&iss={iss}");
    for wrong in [
        state("other"),
        state(""),
        format!("{CALLBACK}?code=c0de&iss={iss}"),
    ] {
        assert_eq!(
            name_of(wrong),
            ("InvalidState".to_owned(), Some("InvalidState".into()))
        );
    }
    // The provider's refusal keeps its OAuth error code; state is checked first.
    let denied = format!(
        "{CALLBACK}?error=access_denied&error_description=User%20said%20no&state=the-state&iss={iss}"
    );
    let e = p.callback_code(&pending, &denied).expect_err("denied");
    assert_eq!(e.backend_name(), Some("access_denied"));
    assert_eq!(e.to_string(), "User said no");
    let forged_denial = format!("{CALLBACK}?error=access_denied&state=x&iss={iss}");
    assert_eq!(name_of(forged_denial).1.as_deref(), Some("InvalidState"));
    // RFC 9207 mix-up defence: another issuer, or none although the provider promised one.
    let other_iss = format!("{CALLBACK}?code=c&state=the-state&iss=http%3A%2F%2Fevil.example");
    assert_eq!(name_of(other_iss).1.as_deref(), Some("InvalidIssuer"));
    let no_iss = format!("{CALLBACK}?code=c&state=the-state");
    assert_eq!(name_of(no_iss).1.as_deref(), Some("InvalidIssuer"));
    // Not the configured callback page, repeated parameters, no code.
    for bad in [
        format!("http://127.0.0.1:3000/other.html?code=c&state=the-state&iss={iss}"),
        format!("{CALLBACK}?code=c&code=d&state=the-state&iss={iss}"),
        format!("{CALLBACK}?state=the-state&iss={iss}"),
        format!("{CALLBACK}?code=&state=the-state&iss={iss}"),
    ] {
        assert_eq!(name_of(bad).0, "InvalidResponseError");
    }
}

#[test]
fn iss_is_optional_when_not_advertised() {
    let mut d = discovery_json();
    d["authorization_response_iss_parameter_supported"] = false.into();
    let d = parse_discovery(200, &d.to_string(), ISSUER).expect("discovery");
    let p = Provider::new(config(), d).expect("provider");
    let pending = p.authorize(&ScopeSet::default(), fixed_random());
    let url = format!("{CALLBACK}?code=c&state=the-state");
    assert!(p.callback_code(&pending, &url).is_ok());
}

// ---- the token exchange ------------------------------------------------------------------

#[test]
fn code_exchange_request_and_mapping() {
    let token = Scripted::new(200, token_body(Some(id_token_with(|_| {}))));
    let r = sign_in(token.clone()).expect("signed in");
    {
        let requests = token.requests.borrow();
        assert_eq!(requests.len(), 1);
        let request = &requests[0];
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "http://127.0.0.1:7010/token");
        // A public client: no secret, no Authorization header.
        assert_eq!(header(request, "authorization"), None);
        assert_eq!(
            header(request, "content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }
    assert_eq!(
        token.form(0),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", "c0de"),
            ("code_verifier", VERIFIER),
            ("redirect_uri", CALLBACK),
            ("client_id", "spa"),
        ])
    );
    let info = r.provider_info.expect("provider info");
    assert_eq!(info.access_token.as_deref(), Some("at-1"));
    assert_eq!(info.refresh_token.as_deref(), Some("rt-1"));
    assert_eq!(info.expires_in_seconds, Some(3600.0));
    assert_eq!(info.scope.as_deref(), Some("email openid profile"));
    assert!(info.id_token.is_some());
    assert_eq!(r.profile.email.as_deref(), Some("jane@example.com"));
    assert_eq!(r.profile.display_name.as_deref(), Some("Jane Doe"));
    assert!(r.backstage_identity.is_none());
    // It becomes a session whose refresh token is stored with it.
    let session = Session::from_response(
        AuthResponse {
            provider_info: Some(info),
            ..r
        },
        NOW_MS,
    )
    .expect("session");
    let carry = Carry::from_session(&session).expect("carry");
    assert_eq!(carry.refresh_token.expose(), "rt-1");
    assert_eq!(carry.sub.as_deref(), Some("jane@example.com"));
    assert_eq!(session.expires_at(), Some(NOW_MS + 3_600_000.0));
}

#[test]
fn no_scope_in_the_answer_means_the_requested_ones() {
    let mut body = token_body(Some(id_token_with(|_| {})));
    body.as_object_mut().expect("object").remove("scope");
    body.as_object_mut()
        .expect("object")
        .remove("refresh_token");
    let r = sign_in(Scripted::new(200, body)).expect("signed in");
    let info = r.provider_info.expect("info");
    assert_eq!(info.scope.as_deref(), Some("email openid profile"));
    assert_eq!(info.refresh_token, None);
}

#[test]
fn tampered_or_foreign_id_tokens_are_refused() {
    let cases: Vec<(&str, String)> = vec![
        (
            "wrong issuer",
            id_token_with(|c| c["iss"] = "http://evil.example".into()),
        ),
        (
            "wrong audience",
            id_token_with(|c| c["aud"] = "other-client".into()),
        ),
        (
            "audience list without us",
            id_token_with(|c| c["aud"] = json!(["a", "b"])),
        ),
        (
            "azp of another client",
            id_token_with(|c| {
                c["aud"] = json!(["spa", "b"]);
                c["azp"] = "b".into();
            }),
        ),
        (
            "other audiences beside us and no azp (OIDC Core 3.1.3.7)",
            id_token_with(|c| {
                c["aud"] = json!(["spa", "untrusted"]);
                c.as_object_mut().expect("object").remove("azp");
            }),
        ),
        (
            "expired",
            id_token_with(|c| c["exp"] = (NOW_S - 3600.0).into()),
        ),
        (
            "wrong nonce",
            id_token_with(|c| c["nonce"] = "replayed".into()),
        ),
        (
            "no nonce",
            id_token_with(|c| {
                c.as_object_mut().expect("object").remove("nonce");
            }),
        ),
        ("no subject", id_token_with(|c| c["sub"] = "".into())),
        (
            "no exp",
            id_token_with(|c| {
                c.as_object_mut().expect("object").remove("exp");
            }),
        ),
        ("alg none", jwt(&json!({"alg": "none"}), &claims())),
        ("not a JWT", "not-a-jwt".into()),
        ("payload not base64", "eyJhbGciOiJSUzI1NiJ9.!!!.sig".into()),
    ];
    for (what, id_token) in cases {
        let e = sign_in(Scripted::new(200, token_body(Some(id_token)))).expect_err(what);
        assert_eq!(e.name(), "InvalidResponseError", "{what}: {e}");
        // No token in the message.
        assert!(!e.to_string().contains("at-1"), "{what}: {e}");
    }
    // A list audience with us in it (and azp = us) is fine; a little clock skew too.
    let ok = id_token_with(|c| {
        c["aud"] = json!(["spa", "api"]);
        c["azp"] = "spa".into();
        c["exp"] = (NOW_S - 30.0).into();
    });
    assert!(sign_in(Scripted::new(200, token_body(Some(ok)))).is_ok());
    // A list holding only us needs no azp.
    let only_us = id_token_with(|c| {
        c["aud"] = json!(["spa"]);
        c.as_object_mut().expect("object").remove("azp");
    });
    assert!(sign_in(Scripted::new(200, token_body(Some(only_us)))).is_ok());
    let e = sign_in(Scripted::new(200, token_body(None))).expect_err("no id token");
    assert_eq!(e.name(), "InvalidResponseError");
}

#[test]
fn check_id_token_directly() {
    let t = id_token_with(|_| {});
    let c = check_id_token(&t, ISSUER, "spa", Some("the-nonce"), NOW_MS).expect("valid");
    assert_eq!(c.sub, "jane@example.com");
    assert!(check_id_token(&t, ISSUER, "spa", None, NOW_MS).is_ok());
    assert!(check_id_token(&t, &format!("{ISSUER}/"), "spa", None, NOW_MS).is_err());
    assert!(check_id_token(&t, ISSUER, "spa", None, NOW_MS + 361_000.0).is_err());
}

#[test]
fn token_endpoint_errors() {
    let refused = Scripted::new(
        400,
        json!({"error": "invalid_grant", "error_description": "grant request is invalid"}),
    );
    let e = sign_in(refused).expect_err("refused");
    assert_eq!(e.name(), "invalid_grant");
    assert_eq!(e.backend_name(), Some("invalid_grant"));
    assert_eq!(e.to_string(), "grant request is invalid");
    let no_description = Scripted::new(400, json!({"error": "invalid_client"}));
    let e = sign_in(no_description).expect_err("refused");
    assert_eq!(e.backend_name(), Some("invalid_client"));
    // Garbage, a non-Bearer token, an empty token: invalid answers.
    for body in [
        json!({"unexpected": true}),
        json!({"access_token": "at-1", "token_type": "DPoP", "id_token": id_token_with(|_| {})}),
        json!({"access_token": "", "token_type": "Bearer", "id_token": id_token_with(|_| {})}),
        json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": "soon",
               "id_token": id_token_with(|_| {})}),
    ] {
        let e = sign_in(Scripted::new(200, body.clone())).expect_err("invalid");
        assert_eq!(e.name(), "InvalidResponseError", "{body}: {e}");
        assert!(!e.to_string().contains("at-1"), "{e}");
    }
    // Transport errors pass through as they are.
    let p = provider();
    let pending = p.authorize(&ScopeSet::default(), fixed_random());
    let code = callback(&p, &pending);
    let offline = |_: HttpCall| -> Answer {
        futures::future::ready(Err(AuthError::Network("offline".into()))).boxed_local()
    };
    let e = block_on(p.exchange_code(&offline, pending, code, &FixedClock)).expect_err("offline");
    assert_eq!(e, AuthError::Network("offline".into()));
}

// ---- refresh and revocation --------------------------------------------------------------

fn previous() -> Carry {
    Carry {
        refresh_token: Secret::new("rt-0".into()),
        id_token: Some(Secret::new(id_token_with(|_| {}))),
        sub: Some("jane@example.com".into()),
        scopes: ScopeSet::parse("openid email profile"),
        profile: ProfileInfo {
            email: Some("jane@example.com".into()),
            ..ProfileInfo::default()
        },
    }
}

#[test]
fn refresh_request_rotation_and_carry_over() {
    let p = provider();
    // Rotated refresh token, new ID token (without nonce, as OIDC §12.2 allows).
    let new_id = id_token_with(|c| {
        c.as_object_mut().expect("object").remove("nonce");
        c["name"] = "Jane D.".into();
    });
    let answer = Scripted::new(
        200,
        json!({"access_token": "at-2", "token_type": "bearer", "expires_in": 60,
               "refresh_token": "rt-2", "id_token": new_id}),
    );
    let r = block_on(p.refresh(&answer.client(), &previous(), &FixedClock)).expect("refreshed");
    assert_eq!(
        answer.form(0),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-0"),
            ("client_id", "spa"),
        ])
    );
    let info = r.provider_info.expect("info");
    assert_eq!(info.access_token.as_deref(), Some("at-2"));
    assert_eq!(info.refresh_token.as_deref(), Some("rt-2"));
    assert_eq!(info.scope.as_deref(), Some("email openid profile"));
    assert_eq!(r.profile.display_name.as_deref(), Some("Jane D."));

    // Nothing but an access token: the rest carries over.
    let bare = Scripted::new(200, json!({"access_token": "at-3", "token_type": "Bearer"}));
    let r = block_on(p.refresh(&bare.client(), &previous(), &FixedClock)).expect("refreshed");
    let info = r.provider_info.expect("info");
    assert_eq!(info.refresh_token.as_deref(), Some("rt-0"));
    assert_eq!(
        info.id_token.as_deref(),
        previous().id_token.as_ref().map(Secret::expose)
    );
    assert_eq!(info.expires_in_seconds, None);
    assert_eq!(r.profile, previous().profile);
}

#[test]
fn refresh_failures() {
    let p = provider();
    // Revoked or expired refresh token: the provider's error, by its code.
    let revoked = Scripted::new(
        400,
        json!({"error": "invalid_grant", "error_description": "grant request is invalid"}),
    );
    let e = block_on(p.refresh(&revoked.client(), &previous(), &FixedClock)).expect_err("revoked");
    assert_eq!(e.backend_name(), Some("invalid_grant"));
    // A refreshed ID token for someone else, or a tampered one.
    for id_token in [
        id_token_with(|c| c["sub"] = "john@example.com".into()),
        id_token_with(|c| c["aud"] = "other".into()),
    ] {
        let answer = Scripted::new(
            200,
            json!({"access_token": "at-2", "token_type": "Bearer", "id_token": id_token}),
        );
        let e = block_on(p.refresh(&answer.client(), &previous(), &FixedClock)).expect_err("bad");
        assert_eq!(e.name(), "InvalidResponseError");
    }
}

#[test]
fn revocation() {
    let p = provider();
    let ok = Scripted::new(200, json!({}));
    block_on(p.revoke(&ok.client(), &Secret::new("rt-0".into()))).expect("revoked");
    assert_eq!(
        ok.requests.borrow()[0].url,
        "http://127.0.0.1:7010/token/revocation"
    );
    assert_eq!(
        ok.form(0),
        pairs(&[
            ("token", "rt-0"),
            ("token_type_hint", "refresh_token"),
            ("client_id", "spa"),
        ])
    );
    // No revocation endpoint: nothing to send.
    let mut d = discovery_json();
    d.as_object_mut()
        .expect("object")
        .remove("revocation_endpoint");
    let d = parse_discovery(200, &d.to_string(), ISSUER).expect("discovery");
    let p = Provider::new(config(), d).expect("provider");
    let none = Scripted::new(200, json!({}));
    block_on(p.revoke(&none.client(), &Secret::new("rt-0".into()))).expect("nothing to do");
    assert!(none.requests.borrow().is_empty());
}

#[test]
fn carry_needs_a_refresh_token() {
    let r = crate::session::tests::response(Some(60), None);
    let s = Session::from_response(r, 0.0).expect("session");
    assert_eq!(Carry::from_session(&s), None);
}

#[test]
fn revocation_errors() {
    let p = provider();
    let refused = Scripted::new(400, json!({"error": "unsupported_token_type"}));
    let e = block_on(p.revoke(&refused.client(), &Secret::new("rt".into()))).expect_err("refused");
    assert_eq!(e.backend_name(), Some("unsupported_token_type"));
    let broken = Scripted::new(502, json!("bad gateway"));
    let e = block_on(p.revoke(&broken.client(), &Secret::new("rt".into()))).expect_err("502");
    assert_eq!(e.backend_name(), Some("HTTP502"));
}

/// Answers by path: `/token` with `token`, `/me` with `userinfo`; records the requests.
fn routed(
    token: Value,
    userinfo: (u16, Value),
    log: Rc<RefCell<Vec<HttpCall>>>,
) -> impl Fn(HttpCall) -> Answer {
    move |request| {
        let a = match request.url.trim_start_matches(ISSUER) {
            "/token" => http_response(200, &token),
            "/me" => http_response(userinfo.0, &userinfo.1),
            _ => http_response(404, &json!({"error": "not_found"})),
        };
        log.borrow_mut().push(request);
        answer(a)
    }
}

#[test]
fn profile_from_userinfo_when_the_id_token_has_none() {
    let bare_id = id_token_with(|c| {
        let c = c.as_object_mut().expect("object");
        for k in ["email", "name", "picture"] {
            c.remove(k);
        }
    });
    let run = |userinfo: (u16, Value)| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let http = routed(token_body(Some(bare_id.clone())), userinfo, log.clone());
        let p = provider();
        let pending = p.authorize(&ScopeSet::default(), fixed_random());
        let code = callback(&p, &pending);
        let r = block_on(p.exchange_code(&http, pending, code, &FixedClock)).expect("signed in");
        (r, log)
    };
    let (r, log) = run((
        200,
        json!({"sub": "jane@example.com", "email": "jane@example.com",
        "name": "Jane Doe"}),
    ));
    assert_eq!(r.profile.email.as_deref(), Some("jane@example.com"));
    assert_eq!(r.profile.display_name.as_deref(), Some("Jane Doe"));
    let log = log.borrow();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].url, "http://127.0.0.1:7010/me");
    assert_eq!(header(&log[1], "authorization"), Some("Bearer at-1"));
    // Another subject, or a failing endpoint: no profile, but still signed in.
    for userinfo in [
        (
            200,
            json!({"sub": "john@example.com", "email": "john@example.com"}),
        ),
        (401, json!({"error": "invalid_token"})),
        (200, json!(["not", "an", "object"])),
    ] {
        let (r, _) = run(userinfo);
        assert_eq!(r.profile, ProfileInfo::default());
        assert!(r.provider_info.is_some());
    }
    // An ID token that has the claims: no UserInfo request.
    let log = Rc::new(RefCell::new(Vec::new()));
    let http = routed(
        token_body(Some(id_token_with(|_| {}))),
        (500, json!({})),
        log.clone(),
    );
    let p = provider();
    let pending = p.authorize(&ScopeSet::default(), fixed_random());
    let code = callback(&p, &pending);
    block_on(p.exchange_code(&http, pending, code, &FixedClock)).expect("signed in");
    assert_eq!(log.borrow().len(), 1);
}

#[test]
fn a_refreshed_id_token_without_profile_claims_keeps_the_profile() {
    let p = provider();
    let bare = id_token_with(|c| {
        let c = c.as_object_mut().expect("object");
        c.remove("email");
        c.remove("nonce");
    });
    let answer = Scripted::new(
        200,
        json!({"access_token": "at-2", "token_type": "Bearer", "id_token": bare}),
    );
    let r = block_on(p.refresh(&answer.client(), &previous(), &FixedClock)).expect("refreshed");
    assert_eq!(r.profile.email.as_deref(), Some("jane@example.com"));
    assert_eq!(r.profile.display_name.as_deref(), Some("Jane Doe"));
}

#[test]
fn token_carrying_types_never_print_tokens() {
    let body = r#"{"access_token":"at-secret","token_type":"Bearer","expires_in":60,
        "refresh_token":"rt-secret","id_token":"id-secret","scope":"openid"}"#;
    let response: OidcTokenResponse = serde_json::from_str(body).expect("token response");
    let call = form_post(
        "https://idp.example/token",
        &[
            ("refresh_token", "rt-secret"),
            ("code_verifier", "v-secret"),
        ],
    );
    for debug in [format!("{response:?}"), format!("{call:?}")] {
        assert!(!debug.contains("secret"), "{debug}");
    }
}

#[test]
fn arrays_are_not_objects_and_errors_quote_no_value() {
    // Found by fuzzing: serde's derived structs read a JSON array by position.
    let claims = json!([
        "http://127.0.0.1:7010",
        "jane@example.com",
        "spa",
        null,
        1_700_000_300
    ]);
    let token = jwt(&json!({"alg": "RS256"}), &claims);
    assert!(check_id_token(&token, ISSUER, "spa", None, NOW_MS).is_err());
    let e = sign_in(Scripted::new(400, json!(["invalid_grant"]))).expect_err("array error");
    assert_ne!(e.backend_name(), Some("invalid_grant"));
    assert!(parse_discovery(200, &json!([ISSUER]).to_string(), ISSUER).is_err());
    // A wrongly typed claim is named, its value is not quoted.
    let leaky = id_token_with(|c| c["exp"] = "SECRET-VALUE".into());
    let e = check_id_token(&leaky, ISSUER, "spa", None, NOW_MS).expect_err("bad exp");
    assert!(!e.to_string().contains("SECRET-VALUE"), "{e}");
}

#[test]
fn rp_initiated_logout_only_when_configured_and_offered() {
    // Not configured: sign-out ends the tokens only.
    assert_eq!(provider().end_session_url(None), None);
    let mut c = config();
    c.post_logout_redirect_uri = Some("http://127.0.0.1:3000/signed-out?x=1".into());
    let d = parse_discovery(200, &discovery_json().to_string(), ISSUER).expect("discovery");
    let p = Provider::new(c.clone(), d).expect("provider");
    let id_token = Secret::new("h.p.s".into());
    assert_eq!(
        p.end_session_url(Some(&id_token)).as_deref(),
        Some(
            "http://127.0.0.1:7010/session/end?id_token_hint=h.p.s\
             &post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fsigned-out%3Fx%3D1\
             &client_id=spa"
        )
    );
    assert!(p
        .end_session_url(None)
        .is_some_and(|u| !u.contains("id_token_hint")));
    // A provider without an end_session_endpoint: nothing to go to.
    let mut doc = discovery_json();
    doc.as_object_mut()
        .expect("object")
        .remove("end_session_endpoint");
    let d = parse_discovery(200, &doc.to_string(), ISSUER).expect("discovery");
    assert_eq!(
        Provider::new(c, d)
            .expect("provider")
            .end_session_url(Some(&id_token)),
        None
    );
}
