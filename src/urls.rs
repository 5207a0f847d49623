//! The auth backend's URLs, built exactly as Backstage's own client builds them.

use crate::error::AuthError;
use crate::scopes::ScopeSet;

/// Which way `/start` hands the result back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartFlow {
    Popup,
    Redirect,
}

/// `encodeURIComponent`: keeps `A-Z a-z 0-9 - _ . ! ~ * ' ( )`, percent-encodes every other UTF-8 byte.
pub fn encode_uri_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            );
        if keep {
            out.push(byte as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[(byte >> 4) as usize] as char);
            out.push(HEX[(byte & 0xf) as usize] as char);
        }
    }
    out
}

/// Checks that `url` is an absolute http(s) URL and strips trailing slashes.
pub fn normalize_base_url(url: &str) -> Result<String, AuthError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| AuthError::Config("auth base URL must be an absolute http(s) URL".into()))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || trimmed.contains(['?', '#']) || trimmed.contains(char::is_whitespace) {
        return Err(AuthError::Config(
            "auth base URL must be a base URL (a host, no query or fragment)".into(),
        ));
    }
    Ok(trimmed.to_owned())
}

fn with_query(base: &str, provider: &str, route: &str, params: &[(&str, Option<&str>)]) -> String {
    let mut url = base.trim_end_matches('/').to_owned();
    for part in [provider, route] {
        url.push('/');
        url.push_str(part);
    }
    for (i, (key, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&encode_uri_component(key));
        if let Some(value) = value {
            url.push('=');
            url.push_str(&encode_uri_component(value));
        }
    }
    url
}

/// `GET {base}/{provider}/start?scope&origin&flow&env[&redirectUrl]`: opened in the popup or the window.
pub fn start_url(
    base: &str,
    provider: &str,
    scopes: &ScopeSet,
    app_origin: &str,
    env: &str,
    flow: StartFlow,
    redirect_url: Option<&str>,
) -> String {
    let scope = scopes.joined();
    let mut params = vec![
        ("scope", Some(scope.as_str())),
        ("origin", Some(app_origin)),
    ];
    match flow {
        StartFlow::Popup => params.push(("flow", Some("popup"))),
        StartFlow::Redirect => {
            params.push(("flow", Some("redirect")));
            params.push(("redirectUrl", redirect_url));
        }
    }
    params.push(("env", Some(env)));
    with_query(base, provider, "start", &params)
}

/// `GET {base}/{provider}/refresh?optional[&scope]&env`: the session from the refresh cookie.
pub fn refresh_url(base: &str, provider: &str, scopes: &ScopeSet, env: &str) -> String {
    let scope = scopes.joined();
    let mut params = vec![("optional", None)];
    if !scope.is_empty() {
        params.push(("scope", Some(scope.as_str())));
    }
    params.push(("env", Some(env)));
    with_query(base, provider, "refresh", &params)
}

/// `POST {base}/{provider}/logout?env`: clears the refresh cookie.
pub fn logout_url(base: &str, provider: &str, env: &str) -> String {
    with_query(base, provider, "logout", &[("env", Some(env))])
}

/// `a=1&b=2`, each part as `encodeURIComponent` encodes it (valid form and query encoding).
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&encode_uri_component(key));
        out.push('=');
        out.push_str(&encode_uri_component(value));
    }
    out
}

/// Decodes `application/x-www-form-urlencoded` (a URL's query): `None` for bad UTF-8.
pub fn parse_form(query: &str) -> Option<Vec<(String, String)>> {
    fn decode(part: &str) -> Option<String> {
        let bytes = part.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => match (
                    bytes.get(i + 1).and_then(|b| hex(*b)),
                    bytes.get(i + 2).and_then(|b| hex(*b)),
                ) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                },
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).ok()
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:7007/api/auth";

    #[test]
    fn encodes_like_javascript() {
        assert_eq!(encode_uri_component("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(encode_uri_component("-_.!~*'()"), "-_.!~*'()");
        assert_eq!(
            encode_uri_component("http://x:3000"),
            "http%3A%2F%2Fx%3A3000"
        );
    }

    #[test]
    fn start_url_for_popup() {
        let url = start_url(
            BASE,
            "oidc",
            &ScopeSet::parse("openid email"),
            "http://127.0.0.1:3000",
            "development",
            StartFlow::Popup,
            None,
        );
        assert_eq!(
            url,
            "http://127.0.0.1:7007/api/auth/oidc/start?scope=email%20openid\
             &origin=http%3A%2F%2F127.0.0.1%3A3000&flow=popup&env=development"
        );
    }

    #[test]
    fn start_url_for_redirect_carries_the_return_url() {
        let url = start_url(
            "http://b/api/auth/",
            "spectrocloud",
            &ScopeSet::parse("openid"),
            "http://a",
            "production",
            StartFlow::Redirect,
            Some("http://a/page?x=1"),
        );
        assert_eq!(
            url,
            "http://b/api/auth/spectrocloud/start?scope=openid&origin=http%3A%2F%2Fa\
             &flow=redirect&redirectUrl=http%3A%2F%2Fa%2Fpage%3Fx%3D1&env=production"
        );
    }

    #[test]
    fn refresh_and_logout_urls() {
        assert_eq!(
            refresh_url(BASE, "oidc", &ScopeSet::parse("openid profile"), "development"),
            "http://127.0.0.1:7007/api/auth/oidc/refresh?optional&scope=openid%20profile&env=development"
        );
        assert_eq!(
            refresh_url(BASE, "guest", &ScopeSet::default(), "development"),
            "http://127.0.0.1:7007/api/auth/guest/refresh?optional&env=development"
        );
        assert_eq!(
            logout_url(BASE, "oidc", "development"),
            "http://127.0.0.1:7007/api/auth/oidc/logout?env=development"
        );
    }

    #[test]
    fn form_encoding_round_trip() {
        let pairs = [("a b", "c&d=e"), ("é", "+%/"), ("k", "")];
        let encoded = form_encode(&pairs);
        assert_eq!(encoded, "a%20b=c%26d%3De&%C3%A9=%2B%25%2F&k=");
        let decoded = parse_form(&encoded).expect("utf-8");
        let want: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        assert_eq!(decoded, want);
        // `+` is a space; a stray `%` stays; bad UTF-8 is refused.
        assert_eq!(
            parse_form("x=a+b&y=100%&z").expect("ok"),
            vec![
                ("x".into(), "a b".into()),
                ("y".into(), "100%".into()),
                ("z".into(), "".into())
            ]
        );
        assert_eq!(parse_form("x=%FF"), None);
    }
}
