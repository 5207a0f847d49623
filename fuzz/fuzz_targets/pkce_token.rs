//! The PKCE flow's token endpoint answers, through the public calls that read them:
//! `Provider::exchange_code` (sign-in: token response, then UserInfo when the ID token has no
//! profile) and `Provider::refresh` (the refresh token grant). The token response parser
//! (`token_answer`, `endpoint_error`) is private; these are its nearest public entry points.
//!
//! Input: the first byte picks the token answer's status (`fuzz_support::status`; ASCII `0` is
//! 200) and, with bit 0x40, the refresh grant instead of the code exchange (ASCII `@` is a 200
//! refresh). The rest is the token body, then after a `0xFF` byte the UserInfo body (status 200;
//! without it the UserInfo request fails, which the flow tolerates).
//!
//! Properties, beyond "never panics":
//! - a sign-in succeeds only on a 200 with a non-empty access token and an ID token that passes
//!   `check_id_token` (issuer, audience, nonce, expiry); the tokens returned are the body's;
//! - a refresh keeps a refresh token (the rotated one, or the old one) and an ID token of the
//!   same subject (a new one that passes `check_id_token`, or the old one);
//! - errors are invalid-response errors or refusals (always a refusal for non-200, named by
//!   the OAuth `error` code or `HTTP<status>`);
//! - no token reaches an error: with every string value but `token_type`, `error` and
//!   `error_description` (passed through on purpose) replaced by a token-shaped marker, no error
//!   contains the marker;
//! - the body is a JSON object. Known (reported) deviation, let pass unless `FUZZ_STRICT=1`:
//!   serde's derived structs also read a JSON array by position (`["at","Bearer"]` is a token
//!   response, `["x"]` an OAuth error with code `x`).
#![no_main]

use backstage_wasm_auth::error::AuthError;
use backstage_wasm_auth::http::HttpAnswer;
use backstage_wasm_auth::json::Json;
use backstage_wasm_auth::pkce::{check_id_token, Carry};
use backstage_wasm_auth::protocol::{AuthResponse, ProfileInfo};
use backstage_wasm_auth::scopes::ScopeSet;
use backstage_wasm_auth::secret::Secret;
use fuzz_support::pkce::{
    block_on, pending, provider, valid_id_token, FixedClock, Scripted, CLIENT_ID, ISSUER, NONCE,
    SUB,
};
use fuzz_support::{
    assert_no_marker, is_answer_error, known, mark, mentions_marker, split, status, NOW_MS,
};
use libfuzzer_sys::fuzz_target;
use oauth2::AuthorizationCode;

const PASSED_THROUGH: &[&[&str]] = &[&["token_type"], &["error"], &["error_description"]];
const OLD_REFRESH_TOKEN: &str = "rt-0";

fuzz_target!(|data: &[u8]| {
    let Some((status, rest)) = status(data) else {
        return;
    };
    let refresh = data[0] & 0x40 != 0;
    let (token_body, userinfo_body) = split(rest);
    let result = run(refresh, status, token_body, userinfo_body);
    fuzz_support::trace!(
        "refresh {refresh}, status {status}: {:?}",
        result.as_ref().map(|r| &r.profile).map_err(|e| e.message())
    );
    let body = Json::parse(std::str::from_utf8(token_body).unwrap_or("")).ok();
    match &result {
        Ok(r) => check_success(refresh, status, r, body.as_ref()),
        Err(e) => {
            assert!(is_answer_error(e), "{e:?}");
            let refusal = matches!(e, AuthError::AuthResponse { .. });
            assert!(status == 200 || refusal, "{e:?} for {status}");
        }
    }
    let Some(body) = body.filter(|b| !mentions_marker(b)) else {
        return;
    };
    if body.as_object().is_none() && known("JSON arrays read as structs") {
        // serde's derived structs read an array by position: `["code"]` is an OAuth error whose
        // code (passed through on purpose) is that string.
        return;
    }
    let marked = mark(&body, PASSED_THROUGH).encode();
    if let Err(e) = run(refresh, status, marked.as_bytes(), userinfo_body) {
        assert_no_marker(&e, "token response");
    }
});

fn carry() -> Carry {
    Carry {
        refresh_token: Secret::new(OLD_REFRESH_TOKEN.into()),
        id_token: Some(Secret::new(valid_id_token())),
        sub: Some(SUB.into()),
        scopes: ScopeSet::parse("openid email profile"),
        profile: ProfileInfo {
            email: Some(SUB.into()),
            display_name: Some("Jane Doe".into()),
            picture: None,
        },
    }
}

fn run(
    refresh: bool,
    status: u16,
    token_body: &[u8],
    userinfo_body: Option<&[u8]>,
) -> Result<AuthResponse, AuthError> {
    let mut answers = vec![HttpAnswer {
        status,
        body: String::from_utf8_lossy(token_body).into_owned(),
    }];
    if let Some(body) = userinfo_body {
        answers.push(HttpAnswer {
            status: 200,
            body: String::from_utf8_lossy(body).into_owned(),
        });
    }
    let http = Scripted::new(answers);
    let p = provider(true);
    if refresh {
        block_on(p.refresh(&http, &carry(), &FixedClock))
    } else {
        let pending = pending(&p);
        block_on(p.exchange_code(
            &http,
            pending,
            AuthorizationCode::new("c0de".into()),
            &FixedClock,
        ))
    }
}

fn check_success(refresh: bool, status: u16, r: &AuthResponse, body: Option<&Json>) {
    assert_eq!(status, 200);
    assert!(r.backstage_identity.is_none());
    let info = r.provider_info.as_ref().expect("provider info");
    let access = info.access_token.as_deref().expect("access token");
    assert!(!access.is_empty());
    assert!(info.scope.is_some());
    let id_token = info.id_token.as_deref().expect("an ID token");
    if refresh {
        assert!(
            info.refresh_token.is_some(),
            "a refresh lost the refresh token"
        );
        if id_token != valid_id_token() {
            let claims = check_id_token(id_token, ISSUER, CLIENT_ID, None, NOW_MS)
                .expect("a refreshed ID token that passes the checks");
            assert_eq!(claims.sub, SUB, "another subject after refresh");
        }
    } else {
        check_id_token(id_token, ISSUER, CLIENT_ID, Some(NONCE), NOW_MS)
            .expect("a sign-in ID token that passes the checks");
    }
    // The tokens are the body's (when `json.rs` reads it: serde_json allows deeper nesting).
    let Some(body) = body else {
        return;
    };
    if body.as_object().is_none() {
        assert!(
            known("JSON arrays read as structs"),
            "a token response that is not an object"
        );
        return;
    }
    let given = |key| body.get(key).and_then(Json::as_str);
    assert_eq!(Some(access), given("access_token"));
    if refresh {
        let rotated = given("refresh_token").unwrap_or(OLD_REFRESH_TOKEN);
        assert_eq!(info.refresh_token.as_deref(), Some(rotated));
        match given("id_token").filter(|t| !t.is_empty()) {
            Some(new) => assert_eq!(id_token, new),
            None => assert_eq!(id_token, valid_id_token(), "the old ID token carries over"),
        }
    } else {
        assert_eq!(Some(id_token), given("id_token"));
        assert_eq!(info.refresh_token.as_deref(), given("refresh_token"));
    }
}
