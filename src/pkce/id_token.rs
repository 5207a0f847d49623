//! The ID token: its claims read (never its signature, see the module docs of `pkce`) and
//! checked as OIDC Core §3.1.3.7 says, and the profile taken from them.

use super::{invalid, json_object};
use crate::error::AuthError;
use crate::jwt::{self, Audience};
use crate::protocol::ProfileInfo;
use serde::Deserialize;

/// Clock skew allowed on the ID token's `exp`.
pub const EXP_LEEWAY_MS: f64 = 60_000.0;

/// The ID token claims the client checks and uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IdClaims {
    pub iss: String,
    pub sub: String,
    aud: Audience,
    #[serde(default)]
    pub azp: Option<String>,
    pub exp: f64,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub picture: Option<String>,
}

/// The JOSE header: only `alg` is looked at.
#[derive(Deserialize)]
struct JoseHeader {
    #[serde(default)]
    alg: Option<String>,
}

/// The claims of a compact JWS, unchecked.
pub(super) fn decode_claims(token: &str) -> Result<IdClaims, AuthError> {
    let (header, payload) =
        jwt::compact_parts(token).ok_or_else(|| invalid("ID token: not a compact JWT"))?;
    let header: JoseHeader = json_object(&header).map_err(|_| invalid("ID token: bad header"))?;
    match header.alg.as_deref() {
        Some(alg) if !alg.eq_ignore_ascii_case("none") => {}
        _ => return Err(invalid("ID token: unsigned or without alg")),
    }
    json_object(&payload).map_err(|why| invalid(format!("ID token claims: {why}")))
}

/// OIDC Core §3.1.3.7 steps 2-3, 9 and 11 (no signature: see the module docs): `iss` is the
/// issuer, `aud` holds the client (and `azp`, when present, is it), `exp` is in the future
/// (with [`EXP_LEEWAY_MS`]), `nonce` is ours when one is expected.
pub fn check_id_token(
    token: &str,
    issuer: &str,
    client_id: &str,
    nonce: Option<&str>,
    now_ms: f64,
) -> Result<IdClaims, AuthError> {
    let claims = decode_claims(token)?;
    if claims.iss != issuer {
        return Err(invalid("ID token: wrong issuer"));
    }
    let audience_ok = claims.aud.contains(client_id);
    // OIDC Core 3.1.3.7: with other audiences beside us, `azp` must be present and be us (a
    // token minted for another client that merely lists us is not ours).
    let other_audiences =
        matches!(&claims.aud, Audience::Many(list) if list.iter().any(|a| a != client_id));
    let azp_ok = match claims.azp.as_deref() {
        Some(azp) => azp == client_id,
        None => !other_audiences,
    };
    if !audience_ok || !azp_ok {
        return Err(invalid("ID token: not issued to this client"));
    }
    if !claims.exp.is_finite() || claims.exp * 1000.0 + EXP_LEEWAY_MS <= now_ms {
        return Err(invalid("ID token: expired"));
    }
    if claims.sub.is_empty() {
        return Err(invalid("ID token: no subject"));
    }
    if let Some(expected) = nonce {
        if claims.nonce.as_deref() != Some(expected) {
            return Err(invalid("ID token: wrong nonce"));
        }
    }
    Ok(claims)
}

pub(super) fn profile(claims: &IdClaims) -> ProfileInfo {
    ProfileInfo {
        email: claims.email.clone(),
        display_name: claims.name.clone(),
        picture: claims.picture.clone(),
    }
}

/// `primary`'s fields, `fallback`'s where `primary` has none.
pub(super) fn merge(primary: ProfileInfo, fallback: &ProfileInfo) -> ProfileInfo {
    ProfileInfo {
        email: primary.email.or_else(|| fallback.email.clone()),
        display_name: primary
            .display_name
            .or_else(|| fallback.display_name.clone()),
        picture: primary.picture.or_else(|| fallback.picture.clone()),
    }
}
