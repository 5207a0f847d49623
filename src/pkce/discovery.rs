//! OpenID Connect Discovery: where the provider's endpoints are, checked before any use.

use super::{invalid, json_object, refused};
use crate::error::AuthError;
use crate::secure_url::check_secure_url;
use serde::Deserialize;

/// `{issuer}/.well-known/openid-configuration` (OIDC Discovery §4).
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// What the client uses of the provider's metadata.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// RFC 9207: the provider puts `iss` in every authorization response.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

impl Discovery {
    /// Every endpoint URL it names (each must be https, or http on loopback).
    pub fn endpoints(&self) -> impl Iterator<Item = &String> {
        [
            Some(&self.authorization_endpoint),
            Some(&self.token_endpoint),
            self.revocation_endpoint.as_ref(),
            self.end_session_endpoint.as_ref(),
            self.userinfo_endpoint.as_ref(),
        ]
        .into_iter()
        .flatten()
    }
}

/// Parses and checks the discovery document (status, JSON, `issuer` exactly ours, endpoints
/// https or loopback, S256 offered when methods are listed).
pub fn parse_discovery(status: u16, body: &str, issuer: &str) -> Result<Discovery, AuthError> {
    if !(200..=299).contains(&status) {
        return Err(refused(
            &format!("HTTP{status}"),
            format!("OpenID discovery answered with status {status}"),
        ));
    }
    let d: Discovery = json_object(body.as_bytes())
        .map_err(|why| invalid(format!("OpenID discovery document: {why}")))?;
    if d.issuer != issuer {
        // OIDC Discovery §4.3: the issuer in the document must be the one we asked.
        return Err(invalid(format!(
            "OpenID discovery: issuer {:?} is not the configured {issuer:?}",
            d.issuer
        )));
    }
    for url in d.endpoints() {
        check_secure_url(url, "endpoint")
            .map_err(|_| invalid(format!("OpenID discovery: unusable endpoint {url:?}")))?;
    }
    if let Some(methods) = &d.code_challenge_methods_supported {
        if !methods.iter().any(|m| m == "S256") {
            return Err(invalid(
                "OpenID discovery: the provider does not offer PKCE S256",
            ));
        }
    }
    Ok(d)
}
