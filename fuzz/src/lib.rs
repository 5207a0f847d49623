//! What the fuzz targets share: cutting the fuzzer's bytes into the parts of one input, the token
//! marker of the "no value in an error" checks, the fixed provider / environment / clock, the
//! normalisation of numbers through `json.rs`'s writer, and the PKCE fixtures.
//!
//! Nothing here is fuzzed itself; every helper is deterministic.

use backstage_wasm_auth::error::AuthError;
use backstage_wasm_auth::json::Json;
use backstage_wasm_auth::session::Session;

/// The client the stored records and tab messages are decoded for.
pub const PROVIDER: &str = "oidc";
pub const ENVIRONMENT: &str = "development";
/// A fixed "now" (2023-11-14), the one the seeds are built around.
pub const NOW_MS: f64 = 1_700_000_000_000.0;

/// Strict by default: the deviations the first runs found (marked `known(...)` in the targets,
/// listed in README.md) are fixed in src/ and fail again if they come back. `FUZZ_STRICT=0` lets
/// them pass (to look for something else while one is being fixed).
pub fn strict() -> bool {
    static STRICT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *STRICT.get_or_init(|| std::env::var_os("FUZZ_STRICT").is_none_or(|v| v != "0"))
}

/// A known deviation (see [`strict`]): true (let it pass) only under `FUZZ_STRICT=0`.
pub fn known(_what: &str) -> bool {
    !strict()
}

/// `FUZZ_TRACE=1`: each target prints what an input led to (accepted, which error), to check
/// that seeds reach the paths they are meant for: `FUZZ_TRACE=1 <binary> seeds/<target>/*`.
pub fn tracing() -> bool {
    static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some_and(|v| v != "0"))
}

/// Prints `outcome` under `FUZZ_TRACE` (formatted only then).
#[macro_export]
macro_rules! trace {
    ($($arg:tt)*) => {
        if $crate::tracing() {
            eprintln!("trace: {}", format_args!($($arg)*));
        }
    };
}

/// The bytes before the first `0xFF` and, when there is one, those after it. `0xFF` never occurs
/// in UTF-8, so it separates two texts of one input without restricting either.
pub fn split(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|&b| b == 0xFF) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    }
}

/// The bytes as text; `None` for invalid UTF-8 (every parser here takes a `&str`).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// HTTP statuses picked by one byte (`byte & 15`), weighted towards success. An ASCII `0` (0x30)
/// picks 200, so seeds stay readable: `0{"json": ...}`.
const STATUSES: [u16; 16] = [
    200, 200, 200, 201, 204, 299, 300, 400, 401, 403, 404, 500, 502, 503, 0, 999,
];

/// The status picked by the first byte, and the rest.
pub fn status(data: &[u8]) -> Option<(u16, &[u8])> {
    let (&first, rest) = data.split_first()?;
    Some((STATUSES[usize::from(first & 15)], rest))
}

/// A token-shaped value that no error text of the client contains by itself.
pub const MARKER: &str = "eyJfuzzMARKERtoken.c2VjcmV0";

/// A copy of `value` with every string value replaced by [`MARKER`], except at the `keep` paths
/// (object keys from the root; `*` matches any array index), which the parsers pass through on
/// purpose (the backend's own error name and message). Non-finite numbers become `0` (they would
/// encode as `null`, which is "absent", and change which member is wrong). Keys stay.
pub fn mark(value: &Json, keep: &[&[&str]]) -> Json {
    fn walk<'a>(value: &'a Json, path: &mut Vec<&'a str>, keep: &[&[&str]]) -> Json {
        match value {
            Json::Str(s) if keep.iter().any(|k| matches(k, path)) => Json::Str(s.clone()),
            Json::Str(_) => Json::Str(MARKER.to_owned()),
            Json::Num(n) if !n.is_finite() => Json::Num(0.0),
            Json::Arr(items) => Json::Arr(
                items
                    .iter()
                    .map(|item| {
                        path.push("*");
                        let marked = walk(item, path, keep);
                        path.pop();
                        marked
                    })
                    .collect(),
            ),
            Json::Obj(entries) => Json::Obj(
                entries
                    .iter()
                    .map(|(key, item)| {
                        path.push(key);
                        let marked = walk(item, path, keep);
                        path.pop();
                        (key.clone(), marked)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    fn matches(pattern: &[&str], path: &[&str]) -> bool {
        pattern.len() == path.len() && pattern.iter().zip(path).all(|(p, k)| p == k)
    }
    walk(value, &mut Vec::new(), keep)
}

/// Whether a string or key of the input itself holds the marker (then a kept, passed-through
/// string may too, and the check is moot: such inputs are skipped). The writer escapes only
/// quotes, backslashes and control characters, none of which the marker has.
pub fn mentions_marker(value: &Json) -> bool {
    value.encode().contains(MARKER)
}

/// An error about what the other side answered: malformed (`InvalidResponse`) or a refusal
/// (`AuthResponse`, named by the backend or provider). Matched by variant: the JS names of
/// refusals are the backend's own (`src/error.rs`).
pub fn is_answer_error(error: &AuthError) -> bool {
    matches!(
        error,
        AuthError::InvalidResponse(_) | AuthError::AuthResponse { .. }
    )
}

/// The error's message and name hold no marked value.
pub fn assert_no_marker(error: &AuthError, what: &str) {
    assert!(
        !error.message().contains(MARKER),
        "{what}: a string value of the input reached the error message: {}",
        error.message()
    );
    assert!(
        !error.name().contains(MARKER) && !error.backend_name().unwrap_or("").contains(MARKER),
        "{what}: a string value of the input reached the error name"
    );
}

/// What a number becomes once written by `json.rs` and read back: integers below 2^53 exactly,
/// other finite numbers to 6 decimals, beyond 2^64 the largest u64 (documented in `json.rs`),
/// non-finite ones `null` (`None`).
pub fn reencoded(n: f64) -> Option<f64> {
    Json::parse(&Json::Num(n).encode())
        .ok()
        .and_then(|v| v.as_f64())
}

/// A session as it reads back after `to_json` + `encode` + `parse`: its times through
/// [`reencoded`], everything else unchanged.
pub fn reencoded_session(session: &Session) -> Session {
    let time = |t: Option<f64>| t.and_then(reencoded);
    let mut s = session.clone();
    if let Some(p) = &mut s.provider {
        p.expires_at = time(p.expires_at);
    }
    if let Some(b) = &mut s.backstage {
        b.expires_at = time(b.expires_at);
    }
    s.obtained_at = time(s.obtained_at);
    s
}

/// Fixtures of the PKCE flow, as in `src/pkce/tests.rs`: an oidc-provider on loopback, client
/// `spa`, fixed `state` / `nonce` / verifier, a fixed clock and a scripted transport.
pub mod pkce {
    use super::NOW_MS;
    use backstage_wasm_auth::clock::Clock;
    use backstage_wasm_auth::config::PkceConfig;
    use backstage_wasm_auth::error::AuthError;
    use backstage_wasm_auth::http::{HttpAnswer, HttpCall, Transport};
    use backstage_wasm_auth::pkce::{Discovery, Pending, Provider, Randomness};
    use backstage_wasm_auth::scopes::ScopeSet;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use futures::future::{FutureExt, LocalBoxFuture};
    use oauth2::{CsrfToken, PkceCodeVerifier};
    use std::cell::RefCell;
    use std::collections::VecDeque;

    pub const ISSUER: &str = "http://127.0.0.1:7010";
    pub const CLIENT_ID: &str = "spa";
    pub const CALLBACK: &str = "http://127.0.0.1:3000/pkce-callback.html";
    pub const STATE: &str = "the-state";
    pub const NONCE: &str = "the-nonce";
    /// RFC 7636 Appendix B.
    pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// The subject of the seeds' ID tokens and of the refreshed session.
    pub const SUB: &str = "jane@example.com";

    pub fn config() -> PkceConfig {
        PkceConfig {
            issuer: ISSUER.into(),
            client_id: CLIENT_ID.into(),
            redirect_uri: CALLBACK.into(),
            share_refresh_token: false,
            post_logout_redirect_uri: None,
        }
    }

    /// What oidc-provider 9 publishes (trimmed); `iss_parameter`: RFC 9207 advertised.
    pub fn discovery(iss_parameter: bool) -> Discovery {
        Discovery {
            issuer: ISSUER.into(),
            authorization_endpoint: format!("{ISSUER}/auth"),
            token_endpoint: format!("{ISSUER}/token"),
            revocation_endpoint: Some(format!("{ISSUER}/token/revocation")),
            end_session_endpoint: Some(format!("{ISSUER}/session/end")),
            userinfo_endpoint: Some(format!("{ISSUER}/me")),
            code_challenge_methods_supported: Some(vec!["S256".into()]),
            authorization_response_iss_parameter_supported: iss_parameter,
        }
    }

    pub fn provider(iss_parameter: bool) -> Provider {
        Provider::new(config(), discovery(iss_parameter)).expect("fixture provider")
    }

    pub fn randomness() -> Randomness {
        Randomness {
            verifier: PkceCodeVerifier::new(VERIFIER.into()),
            state: CsrfToken::new(STATE.into()),
            nonce: CsrfToken::new(NONCE.into()),
        }
    }

    /// A sign-in under way with the fixed random values, for `profile email`.
    pub fn pending(provider: &Provider) -> Pending {
        provider.authorize(&ScopeSet::parse("profile email"), randomness())
    }

    pub struct FixedClock;
    impl Clock for FixedClock {
        fn now_ms(&self) -> f64 {
            NOW_MS
        }
    }

    /// Answers the flow's requests in order with `answers`; a request beyond them is a network
    /// error. Records the requests.
    pub struct Scripted {
        answers: RefCell<VecDeque<HttpAnswer>>,
        pub requests: RefCell<Vec<HttpCall>>,
    }

    impl Scripted {
        pub fn new(answers: impl IntoIterator<Item = HttpAnswer>) -> Self {
            Scripted {
                answers: RefCell::new(answers.into_iter().collect()),
                requests: RefCell::new(Vec::new()),
            }
        }
    }

    impl Transport for Scripted {
        fn call(
            &self,
            request: HttpCall,
        ) -> LocalBoxFuture<'static, Result<HttpAnswer, AuthError>> {
            self.requests.borrow_mut().push(request);
            let answer = self
                .answers
                .borrow_mut()
                .pop_front()
                .ok_or_else(|| AuthError::Network("no scripted answer".into()));
            futures::future::ready(answer).boxed_local()
        }
    }

    /// Runs one of the flow's futures (they never wait: the transport answers at once).
    pub fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
        futures::executor::block_on(future)
    }

    pub fn base64url(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A compact JWS of `header` and `payload` (raw bytes, base64url-encoded here) with a dummy
    /// signature: the client never verifies it.
    pub fn jws(header: &[u8], payload: &[u8]) -> String {
        format!("{}.{}.c2lnbmF0dXJl", base64url(header), base64url(payload))
    }

    /// A valid ID token of the fixtures (issuer, audience, nonce, subject [`SUB`], 5 min left).
    pub fn valid_id_token() -> String {
        let exp = NOW_MS / 1000.0 + 300.0;
        let claims = format!(
            r#"{{"iss":"{ISSUER}","sub":"{SUB}","aud":"{CLIENT_ID}","exp":{exp},"nonce":"{NONCE}","name":"Jane Doe"}}"#
        );
        jws(br#"{"alg":"RS256","kid":"k"}"#, claims.as_bytes())
    }
}
