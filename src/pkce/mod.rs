//! `flow: 'pkce'`: OAuth2 authorization code + PKCE (S256) straight with an OpenID Connect
//! provider, without a Backstage backend.
//!
//! The protocol pieces come from the `oauth2` crate (PKCE verifier and challenge, CSRF `state`,
//! the authorization URL, the token, refresh and revocation requests and their answers); this
//! module adds OIDC discovery, the `nonce`, the callback's checks and the ID token's claim checks,
//! and maps a token response to the [`AuthResponse`] the session manager already understands.
//!
//! Pure: HTTP is a [`Transport`] given by the caller (`fetch` in the browser, a scripted one in
//! the tests), time is a [`Clock`]. The requests are built here from `oauth2`'s types rather than
//! with its `Client`: its endpoint machinery links `url` (with IDNA), `http` and
//! `serde_path_to_error`, about 250 KB of wasm for what a few `format!`s do.
//!
//! The ID token's signature is NOT verified: the token comes straight from the provider's token
//! endpoint over TLS in answer to our own code + verifier, which is what OIDC Core §3.1.3.7
//! accepts in place of a signature check for the code flow. Its claims are checked.

mod discovery;
mod endpoint;
mod id_token;

pub use discovery::{discovery_url, parse_discovery, Discovery};
pub use endpoint::OidcTokenResponse;
pub use id_token::{check_id_token, IdClaims, EXP_LEEWAY_MS};

use crate::clock::Clock;
use crate::config::PkceConfig;
use crate::error::AuthError;
use crate::http::{HttpCall, Transport};
use crate::protocol::{AuthResponse, ProfileInfo, ProviderInfo};
use crate::scopes::ScopeSet;
use crate::secret::Secret;
use crate::session::Session;
use crate::urls::{form_encode, parse_form};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use endpoint::{endpoint_error, form_post, json_object, token_answer};
use id_token::{decode_claims, merge, profile};
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use serde::Deserialize;

/// The `type` of the message `pkce-callback.html` posts to its opener: `{type, url}`.
pub const CALLBACK_MESSAGE_TYPE: &str = "backstage-wasm-auth:pkce-callback";

fn invalid(message: impl Into<String>) -> AuthError {
    AuthError::InvalidResponse(message.into())
}

fn refused(name: &str, message: impl Into<String>) -> AuthError {
    AuthError::AuthResponse {
        backend_name: name.into(),
        message: message.into(),
    }
}

/// The random values of one sign-in.
pub struct Randomness {
    pub verifier: PkceCodeVerifier,
    pub state: CsrfToken,
    pub nonce: CsrfToken,
}

/// `len` bytes from the platform's CSPRNG, base64url without padding (as `oauth2` encodes them).
fn random_base64url(len: usize) -> Result<String, AuthError> {
    let mut bytes = vec![0u8; len];
    // No random source, no sign-in: never a weak value.
    getrandom::getrandom(&mut bytes)
        .map_err(|e| AuthError::Config(format!("no secure random source: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

impl Randomness {
    /// 32 random bytes for the verifier, 16 each for `state` and `nonce` (`oauth2`'s defaults).
    pub fn new() -> Result<Self, AuthError> {
        Ok(Randomness {
            verifier: PkceCodeVerifier::new(random_base64url(32)?),
            state: CsrfToken::new(random_base64url(16)?),
            nonce: CsrfToken::new(random_base64url(16)?),
        })
    }
}

/// A sign-in under way: the URL to open, and what the answer must match.
pub struct Pending {
    pub url: String,
    state: CsrfToken,
    nonce: CsrfToken,
    verifier: PkceCodeVerifier,
    scopes: ScopeSet,
}

/// What a refresh needs from the current session, and what it carries over when the provider
/// does not send it again (ID token, profile, scopes, the refresh token itself).
#[derive(Debug, Clone, PartialEq)]
pub struct Carry {
    pub refresh_token: Secret,
    pub id_token: Option<Secret>,
    /// The ID token's `sub`: a refreshed ID token must name the same user.
    pub sub: Option<String>,
    pub scopes: ScopeSet,
    pub profile: ProfileInfo,
}

impl Carry {
    pub fn from_session(session: &Session) -> Option<Carry> {
        let provider = session.provider.as_ref()?;
        let refresh_token = provider.refresh_token.clone()?;
        let sub = provider
            .id_token
            .as_ref()
            .and_then(|t| decode_claims(t.expose()).ok())
            .map(|c| c.sub);
        Some(Carry {
            refresh_token,
            id_token: provider.id_token.clone(),
            sub,
            scopes: provider.scopes.clone(),
            profile: session.profile.clone(),
        })
    }
}

/// How a token response is checked.
enum Expect<'a> {
    SignIn {
        nonce: &'a str,
        scopes: &'a ScopeSet,
    },
    Refresh {
        previous: &'a Carry,
    },
}

/// The provider as configured and discovered.
pub struct Provider {
    config: PkceConfig,
    discovery: Discovery,
}

impl Provider {
    pub fn new(config: PkceConfig, discovery: Discovery) -> Result<Provider, AuthError> {
        Ok(Provider { config, discovery })
    }

    /// The authorization request: `response_type=code`, our client and redirect URI, `scope`
    /// (always with `openid`), `state`, the S256 `code_challenge` and a `nonce`.
    pub fn authorize(&self, scopes: &ScopeSet, random: Randomness) -> Pending {
        let scopes = scopes.union(&ScopeSet::parse("openid"));
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&random.verifier);
        let endpoint = &self.discovery.authorization_endpoint;
        let query = form_encode(&[
            ("response_type", "code"),
            ("client_id", &self.config.client_id),
            ("state", random.state.secret()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", challenge.method().as_str()),
            ("redirect_uri", &self.config.redirect_uri),
            ("scope", &scopes.joined()),
            ("nonce", random.nonce.secret()),
        ]);
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        Pending {
            url: format!("{endpoint}{separator}{query}"),
            state: random.state,
            nonce: random.nonce,
            verifier: random.verifier,
            scopes,
        }
    }

    /// Checks the page the provider sent the popup back to (`url` = its `location.href`) and
    /// returns the authorization code. A `state` that is not ours is an `AuthResponseError`
    /// named `InvalidState`; a provider error keeps the provider's `error` code as its name.
    pub fn callback_code(
        &self,
        pending: &Pending,
        url: &str,
    ) -> Result<AuthorizationCode, AuthError> {
        let url = url.split('#').next().unwrap_or("");
        let (page, query) = url.split_once('?').unwrap_or((url, ""));
        let expected_page = self.config.redirect_uri.split(['?', '#']).next();
        if Some(page) != expected_page {
            return Err(invalid("the sign-in answer came from another page"));
        }
        let mut params = std::collections::BTreeMap::new();
        let pairs = parse_form(query).ok_or_else(|| invalid("the sign-in answer is not UTF-8"))?;
        for (key, value) in pairs {
            if params.insert(key, value).is_some() {
                return Err(invalid("repeated parameter in the sign-in answer"));
            }
        }
        if params.get("state").map(String::as_str) != Some(pending.state.secret().as_str()) {
            return Err(refused(
                "InvalidState",
                "The sign-in answer does not belong to this sign-in (state mismatch)",
            ));
        }
        // RFC 9207: the answer names its issuer (a mix-up defence).
        match params.get("iss") {
            Some(iss) if iss != &self.config.issuer => {
                return Err(refused(
                    "InvalidIssuer",
                    "The sign-in answer is from another issuer",
                ))
            }
            None if self
                .discovery
                .authorization_response_iss_parameter_supported =>
            {
                return Err(refused(
                    "InvalidIssuer",
                    "The sign-in answer names no issuer",
                ))
            }
            _ => {}
        }
        if let Some(error) = params.get("error") {
            let message = params
                .get("error_description")
                .cloned()
                .unwrap_or_else(|| format!("Sign-in refused: {error}"));
            return Err(refused(error, message));
        }
        match params.remove("code") {
            Some(code) if !code.is_empty() => Ok(AuthorizationCode::new(code)),
            _ => Err(invalid("the sign-in answer has no code")),
        }
    }

    /// The authorization code grant (with the PKCE verifier), checked and mapped.
    pub async fn exchange_code(
        &self,
        http: &dyn Transport,
        pending: Pending,
        code: AuthorizationCode,
        clock: &dyn Clock,
    ) -> Result<AuthResponse, AuthError> {
        let request = form_post(
            &self.discovery.token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", code.secret()),
                ("code_verifier", pending.verifier.secret()),
                ("redirect_uri", &self.config.redirect_uri),
                ("client_id", &self.config.client_id),
            ],
        );
        let token = token_answer("token exchange", http.call(request).await?)?;
        let mut response = self.to_response(
            &token,
            Expect::SignIn {
                nonce: pending.nonce.secret(),
                scopes: &pending.scopes,
            },
            clock.now_ms(),
        )?;
        // Providers that keep the profile claims out of the ID token (oidc-provider does for the
        // code flow) have them at the UserInfo endpoint. Best effort: the profile is optional.
        let profile = &response.profile;
        if profile.email.is_none() && profile.display_name.is_none() {
            let sub = token
                .id_token
                .as_deref()
                .and_then(|t| decode_claims(t).ok())
                .map(|c| c.sub);
            if let Some(sub) = sub {
                let access_token = token.access_token.secret();
                if let Ok(Some(info)) = self.userinfo(http, access_token, &sub).await {
                    response.profile = merge(info, &response.profile);
                }
            }
        }
        Ok(response)
    }

    /// The profile at the UserInfo endpoint (`None` when the provider has none). Its `sub` must
    /// be the ID token's (OIDC Core §5.3.2).
    pub async fn userinfo(
        &self,
        http: &dyn Transport,
        access_token: &str,
        sub: &str,
    ) -> Result<Option<ProfileInfo>, AuthError> {
        let Some(url) = &self.discovery.userinfo_endpoint else {
            return Ok(None);
        };
        let request = HttpCall {
            method: "GET",
            url: url.clone(),
            headers: vec![
                ("accept", "application/json".into()),
                ("authorization", format!("Bearer {access_token}")),
            ],
            body: None,
            with_cookies: false,
        };
        let answer = http.call(request).await?;
        if answer.status != 200 {
            return Err(endpoint_error("UserInfo", &answer));
        }
        #[derive(Deserialize)]
        struct UserInfo {
            sub: String,
            #[serde(default)]
            email: Option<String>,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            picture: Option<String>,
        }
        let info: UserInfo = json_object(answer.body.as_bytes())
            .map_err(|_| invalid("UserInfo: not a JSON object with a sub"))?;
        if info.sub != sub {
            return Err(invalid("UserInfo: another subject than the ID token's"));
        }
        Ok(Some(ProfileInfo {
            email: info.email,
            display_name: info.name,
            picture: info.picture,
        }))
    }

    /// The refresh token grant, checked and mapped (what the provider does not send again is
    /// carried over from `previous`). No `scope`: a refresh never asks for more.
    pub async fn refresh(
        &self,
        http: &dyn Transport,
        previous: &Carry,
        clock: &dyn Clock,
    ) -> Result<AuthResponse, AuthError> {
        let request = form_post(
            &self.discovery.token_endpoint,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", previous.refresh_token.expose()),
                ("client_id", &self.config.client_id),
            ],
        );
        let token = token_answer("refresh", http.call(request).await?)?;
        self.to_response(&token, Expect::Refresh { previous }, clock.now_ms())
    }

    /// RFC 7009 revocation of the refresh token; nothing to do when the provider has no
    /// revocation endpoint.
    pub async fn revoke(
        &self,
        http: &dyn Transport,
        refresh_token: &Secret,
    ) -> Result<(), AuthError> {
        let Some(url) = &self.discovery.revocation_endpoint else {
            return Ok(());
        };
        let request = form_post(
            url,
            &[
                ("token", refresh_token.expose()),
                ("token_type_hint", "refresh_token"),
                ("client_id", &self.config.client_id),
            ],
        );
        let answer = http.call(request).await?;
        match answer.status {
            200 => Ok(()),
            _ => Err(endpoint_error("revocation", &answer)),
        }
    }

    /// OpenID Connect RP-Initiated Logout 1.0: where the page goes after a sign-out to end the
    /// provider's own session, when the app configured `postLogoutRedirectUri` and the provider
    /// has an `end_session_endpoint`: `id_token_hint` (the ended session's ID token, so the
    /// provider knows whom, and may skip its confirmation), `post_logout_redirect_uri`,
    /// `client_id`.
    pub fn end_session_url(&self, id_token: Option<&Secret>) -> Option<String> {
        let endpoint = self.discovery.end_session_endpoint.as_ref()?;
        let back = self.config.post_logout_redirect_uri.as_deref()?;
        let mut pairs = Vec::with_capacity(3);
        if let Some(token) = id_token {
            pairs.push(("id_token_hint", token.expose()));
        }
        pairs.push(("post_logout_redirect_uri", back));
        pairs.push(("client_id", &self.config.client_id));
        let separator = if endpoint.contains('?') { '&' } else { '?' };
        Some(format!("{endpoint}{separator}{}", form_encode(&pairs)))
    }

    fn to_response(
        &self,
        token: &OidcTokenResponse,
        expect: Expect<'_>,
        now_ms: f64,
    ) -> Result<AuthResponse, AuthError> {
        if !token.token_type.eq_ignore_ascii_case("bearer") {
            return Err(invalid("token response: not a Bearer token"));
        }
        let access_token = token.access_token.secret();
        if access_token.is_empty() {
            return Err(invalid("token response: empty access token"));
        }
        let (issuer, client_id) = (&self.config.issuer, &self.config.client_id);
        let id_token = token.id_token.as_deref().filter(|t| !t.is_empty());
        let granted = token.scope.as_deref().map(ScopeSet::parse);
        let (id_token, profile, scopes, refresh_token) = match expect {
            Expect::SignIn { nonce, scopes } => {
                let id_token = id_token.ok_or_else(|| invalid("token response: no ID token"))?;
                let claims = check_id_token(id_token, issuer, client_id, Some(nonce), now_ms)?;
                (
                    Some(id_token.to_owned()),
                    profile(&claims),
                    // RFC 6749 §5.1: no `scope` means exactly the requested ones.
                    granted.unwrap_or_else(|| scopes.clone()),
                    token.refresh_token.as_ref().map(|t| t.secret().clone()),
                )
            }
            Expect::Refresh { previous } => {
                let (id_token, profile) = match id_token {
                    // OIDC Core §12.2: same issuer, audience and subject; no nonce required.
                    Some(id_token) => {
                        let claims = check_id_token(id_token, issuer, client_id, None, now_ms)?;
                        if previous.sub.as_deref().is_some_and(|sub| sub != claims.sub) {
                            return Err(invalid("ID token: another subject after refresh"));
                        }
                        // Claims the new ID token lacks (see `userinfo`) stay as they were.
                        (
                            Some(id_token.to_owned()),
                            merge(profile(&claims), &previous.profile),
                        )
                    }
                    None => (
                        previous.id_token.as_ref().map(|t| t.expose().to_owned()),
                        previous.profile.clone(),
                    ),
                };
                (
                    id_token,
                    profile,
                    granted.unwrap_or_else(|| previous.scopes.clone()),
                    // Rotated, or the same one again.
                    Some(
                        token
                            .refresh_token
                            .as_ref()
                            .map(|t| t.secret().clone())
                            .unwrap_or_else(|| previous.refresh_token.expose().to_owned()),
                    ),
                )
            }
        };
        Ok(AuthResponse {
            provider_info: Some(ProviderInfo {
                access_token: Some(access_token.clone()),
                id_token,
                scope: Some(scopes.joined()),
                expires_in_seconds: token.expires_in.map(|s| s as f64),
                refresh_token,
            }),
            profile,
            backstage_identity: None,
        })
    }
}

#[cfg(test)]
mod tests;
