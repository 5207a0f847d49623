//! Which URLs may carry tokens and codes: https, or plain http on loopback only.

use crate::error::AuthError;

/// An absolute http(s) URL without a fragment; plain `http` only for loopback hosts (tokens and
/// codes must not cross a network in clear text).
pub fn check_secure_url(url: &str, name: &str) -> Result<(), AuthError> {
    let bad = || {
        AuthError::Config(
            name.to_owned() + " must be an absolute https URL (http only on loopback)",
        )
    };
    if url.contains(['#', ' ']) || url.chars().any(char::is_control) {
        return Err(bad());
    }
    let (https, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return Err(bad()),
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']').next().map(|h| &h[1..]).unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    if host.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    let loopback = is_loopback_host(host);
    if https || loopback {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Only a loopback IP literal (127.0.0.0/8, `::1`) or exactly `localhost`: a name that merely
/// starts with `127.` (`127.attacker.example`) is a host on the network.
fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host == "::1" {
        return true;
    }
    let mut octets = 0;
    for part in host.split('.') {
        let decimal = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && part.parse::<u8>().is_ok();
        if !decimal || (octets == 0 && part != "127") {
            return false;
        }
        octets += 1;
    }
    octets == 4
}
