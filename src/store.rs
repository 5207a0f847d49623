//! The session store: a versioned JSON record per provider and environment, validated on read.
//!
//! Anything that does not validate is deleted and treated as "signed out": storage is writable
//! by any script on the origin, so what it holds is a cache, never a source of trust.

use crate::json::{Json, ObjectBuilder};
use crate::jwt;
use crate::session::Session;
use std::cell::{Cell, RefCell};

pub const SCHEMA_VERSION: u32 = 1;

/// How far this browser's clock may be from the backend's when a stored expiry is checked
/// against a token without `iat` (or a record without `obtainedAt`).
pub const MAX_CLOCK_SKEW_MS: f64 = 10.0 * 60.0 * 1000.0;
const KEY_PREFIX: &str = "backstage-wasm-auth";

/// Where sessions are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    Session,
    Local,
    Memory,
}

impl StorageKind {
    /// The option's values: `session`, `local`, `memory`.
    pub fn from_name(name: &str) -> Option<StorageKind> {
        match name {
            "session" => Some(StorageKind::Session),
            "local" => Some(StorageKind::Local),
            "memory" => Some(StorageKind::Memory),
            _ => None,
        }
    }
}

/// `prefix:provider:environment`: the storage key, and (with another prefix) the tab channel.
pub(crate) fn scoped_name(prefix: &str, provider: &str, environment: &str) -> String {
    let mut name = String::with_capacity(prefix.len() + provider.len() + environment.len() + 2);
    for (i, part) in [prefix, provider, environment].into_iter().enumerate() {
        if i > 0 {
            name.push(':');
        }
        name.push_str(part);
    }
    name
}

/// The storage key for one provider in one environment.
pub fn storage_key(provider: &str, environment: &str) -> String {
    scoped_name(KEY_PREFIX, provider, environment)
}

const RECORD_KEYS: &[&str] = &["version", "provider", "environment", "session"];

/// Why a stored record was thrown away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    Malformed,
    UnsupportedVersion,
    WrongKey,
    Inconsistent(&'static str),
    Expired,
}

pub fn encode(provider: &str, environment: &str, session: &Session) -> String {
    ObjectBuilder::new()
        .set("version", Json::Num(f64::from(SCHEMA_VERSION)))
        .set("provider", Json::from(provider))
        .set("environment", Json::from(environment))
        .set("session", session.to_json())
        .build()
        .encode()
}

/// What [`SessionStore::restore`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Restored {
    /// Nothing usable (none, rejected, or expired without a refresh token).
    Nothing,
    Live(Session),
    /// Expired, but its refresh token may still get a new one.
    Expired(Session),
}

/// Decodes and validates a stored record.
pub fn decode(
    raw: &str,
    provider: &str,
    environment: &str,
    now_ms: f64,
) -> Result<Session, Rejection> {
    let session = decode_any_age(raw, provider, environment)?;
    if session.is_expired(now_ms) {
        return Err(Rejection::Expired);
    }
    Ok(session)
}

/// [`decode`] without the expiry check.
fn decode_any_age(raw: &str, provider: &str, environment: &str) -> Result<Session, Rejection> {
    let value = Json::parse(raw).map_err(|_| Rejection::Malformed)?;
    if value.get("version").and_then(Json::as_f64) != Some(f64::from(SCHEMA_VERSION)) {
        return Err(Rejection::UnsupportedVersion);
    }
    if value.unknown_key(RECORD_KEYS).is_some() {
        return Err(Rejection::Malformed);
    }
    let (Ok(stored_provider), Ok(stored_environment)) =
        (value.req_str("provider"), value.req_str("environment"))
    else {
        return Err(Rejection::Malformed);
    };
    let session = value
        .get("session")
        .ok_or(Rejection::Malformed)
        .and_then(|s| Session::from_json(s).map_err(|_| Rejection::Malformed))?;
    if stored_provider != provider || stored_environment != environment {
        return Err(Rejection::WrongKey);
    }
    validate(&session)?;
    Ok(session)
}

fn valid_time(t: Option<f64>) -> bool {
    t.is_none_or(|t| t.is_finite() && t > 0.0)
}

/// Cross-checks what a record claims against itself and against the Backstage token's claims.
pub(crate) fn validate(session: &Session) -> Result<(), Rejection> {
    use Rejection::Inconsistent;
    if session.provider.is_none() && session.backstage.is_none() {
        return Err(Inconsistent("empty session"));
    }
    if !session
        .obtained_at
        .is_none_or(|t| t.is_finite() && t >= 0.0)
    {
        return Err(Inconsistent("obtained time"));
    }
    if let Some(p) = &session.provider {
        if p.access_token.secret().is_empty() {
            return Err(Inconsistent("empty access token"));
        }
        if !valid_time(p.expires_at) {
            return Err(Inconsistent("provider expiry"));
        }
    }
    if let Some(b) = &session.backstage {
        if !valid_time(b.expires_at) {
            return Err(Inconsistent("backstage expiry"));
        }
        let claims = jwt::claims(b.token.expose()).ok_or(Inconsistent("backstage token"))?;
        // Every token the Backstage backend issues has `aud: backstage` and an `exp`.
        if !claims.audience_contains("backstage") || claims.exp.is_none() {
            return Err(Inconsistent("not a Backstage token"));
        }
        if claims.sub.as_deref() != Some(b.identity.user_entity_ref.as_str()) {
            return Err(Inconsistent("identity does not match the token"));
        }
        if let Some(ent) = &claims.ent {
            let mut stored = b.identity.ownership_entity_refs.clone();
            let mut signed = ent.clone();
            crate::scopes::sort_small(&mut stored);
            crate::scopes::sort_small(&mut signed);
            if stored != signed {
                return Err(Inconsistent("ownership does not match the token"));
            }
        }
        // The stored expiry may not outlive the token itself (1 s of clock rounding allowed).
        if let (Some(at), Some(exp)) = (b.expires_at, claims.exp) {
            // `at` is on this browser's clock, `exp` and `iat` on the backend's: compare
            // lifetimes (each on its own clock) where both are known, so that a clock minutes
            // off still keeps its sessions; else allow that much skew on the absolute time.
            let latest = match (session.obtained_at, claims.iat) {
                (Some(obtained), Some(iat)) => obtained + (exp - iat) * 1000.0 + 1000.0,
                _ => exp * 1000.0 + MAX_CLOCK_SKEW_MS,
            };
            if at > latest {
                return Err(Inconsistent("expiry beyond the token's exp"));
            }
        }
    }
    Ok(())
}

/// A failure of the underlying storage (a sandboxed iframe, blocked site data, quota).
#[derive(Debug, Clone)]
pub struct StorageFailure(pub String);

/// A string key/value storage: `sessionStorage`, `localStorage` or memory.
pub trait KeyValueStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageFailure>;
    fn set(&self, key: &str, value: &str) -> Result<(), StorageFailure>;
    fn remove(&self, key: &str) -> Result<(), StorageFailure>;
}

#[derive(Default)]
/// In-memory storage: a short list of entries (a client keeps one key), not a `HashMap`, whose
/// hasher alone costs more wasm than this whole store.
pub struct MemoryStore(RefCell<Vec<(String, String)>>);

impl KeyValueStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, StorageFailure> {
        Ok(self
            .0
            .borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone()))
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageFailure> {
        self.remove(key)?;
        self.0.borrow_mut().push((key.to_owned(), value.to_owned()));
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), StorageFailure> {
        self.0.borrow_mut().retain(|(k, _)| k != key);
        Ok(())
    }
}

/// The session store of one client: the chosen storage, falling back to memory (with one
/// warning) the first time it throws.
pub struct SessionStore {
    key: String,
    provider: String,
    environment: String,
    primary: RefCell<Option<Box<dyn KeyValueStore>>>,
    memory: MemoryStore,
    warned: Cell<bool>,
    warn: Box<dyn Fn(&str)>,
}

impl SessionStore {
    /// `primary` is `None` when the storage could not even be opened: memory from the start.
    pub fn new(
        provider: &str,
        environment: &str,
        primary: Result<Option<Box<dyn KeyValueStore>>, StorageFailure>,
        warn: Box<dyn Fn(&str)>,
    ) -> Self {
        let store = SessionStore {
            key: storage_key(provider, environment),
            provider: provider.to_owned(),
            environment: environment.to_owned(),
            primary: RefCell::new(None),
            memory: MemoryStore::default(),
            warned: Cell::new(false),
            warn,
        };
        match primary {
            Ok(primary) => *store.primary.borrow_mut() = primary,
            Err(failure) => store.fall_back(&failure),
        }
        store
    }

    fn fall_back(&self, failure: &StorageFailure) {
        self.primary.borrow_mut().take();
        if !self.warned.replace(true) {
            let mut message = "backstage-wasm-auth: storage unavailable (".to_owned();
            message.push_str(&failure.0);
            message.push_str("); keeping the session in memory");
            (self.warn)(&message);
        }
    }

    /// Runs `op` on the primary storage, or on memory once the primary has failed.
    /// `None` only if memory failed too, which it cannot.
    fn with_store<T>(
        &self,
        op: impl Fn(&dyn KeyValueStore) -> Result<T, StorageFailure>,
    ) -> Option<T> {
        let primary_result = self.primary.borrow().as_deref().map(&op);
        match primary_result {
            Some(Ok(value)) => return Some(value),
            Some(Err(failure)) => self.fall_back(&failure),
            None => {}
        }
        op(&self.memory).ok()
    }

    /// The stored session if it validates; anything else is deleted.
    pub fn load(&self, now_ms: f64) -> Result<Option<Session>, Rejection> {
        let Some(Some(raw)) = self.with_store(|s| s.get(&self.key)) else {
            return Ok(None);
        };
        match decode(&raw, &self.provider, &self.environment, now_ms) {
            Ok(session) => Ok(Some(session)),
            Err(rejection) => {
                self.clear();
                Err(rejection)
            }
        }
    }

    /// What a client starts with: [`SessionStore::load`], except that an expired session that
    /// still holds a refresh token (`flow: 'pkce'`: it usually outlives the access token) is
    /// handed back as [`Restored::Expired`] (and deleted like every expired record), so that a
    /// refresh can start from it without a new sign-in.
    pub fn restore(&self, now_ms: f64) -> Restored {
        let Some(Some(raw)) = self.with_store(|s| s.get(&self.key)) else {
            return Restored::Nothing;
        };
        match decode_any_age(&raw, &self.provider, &self.environment) {
            Ok(session) if !session.is_expired(now_ms) => Restored::Live(session),
            found => {
                self.clear();
                match found {
                    // Only the PKCE build has refresh tokens in sessions.
                    Ok(session) if cfg!(feature = "pkce") && session.refresh_token().is_some() => {
                        Restored::Expired(session)
                    }
                    _ => Restored::Nothing,
                }
            }
        }
    }

    pub fn save(&self, session: &Session) {
        let raw = encode(&self.provider, &self.environment, session);
        self.with_store(|s| s.set(&self.key, &raw));
    }

    pub fn clear(&self) {
        self.with_store(|s| s.remove(&self.key));
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::tests::response;
    use std::rc::Rc;

    fn session() -> Session {
        Session::from_response(response(Some(3600), Some(3600)), 1_000.0).expect("session")
    }

    #[test]
    fn round_trip() {
        let s = session();
        let raw = encode("oidc", "development", &s);
        assert_eq!(decode(&raw, "oidc", "development", 2_000.0), Ok(s));
    }

    fn tampered(edit: impl Fn(&mut serde_json::Value)) -> String {
        let mut v: serde_json::Value =
            serde_json::from_str(&encode("oidc", "development", &session())).expect("json");
        edit(&mut v);
        v.to_string()
    }

    #[test]
    fn rejects_tampering() {
        use serde_json::json;
        let cases: Vec<(String, Rejection)> = vec![
            ("not json".into(), Rejection::Malformed),
            ("null".into(), Rejection::UnsupportedVersion),
            (
                tampered(|v| v["version"] = json!(2)),
                Rejection::UnsupportedVersion,
            ),
            (
                tampered(|v| v["provider"] = json!("github")),
                Rejection::WrongKey,
            ),
            (
                tampered(|v| v["environment"] = json!("production")),
                Rejection::WrongKey,
            ),
            (tampered(|v| v["extra"] = json!(1)), Rejection::Malformed),
            (
                tampered(|v| v["session"]["provider"]["accessToken"] = json!(42)),
                Rejection::Malformed,
            ),
            (
                tampered(|v| v["session"]["provider"]["expiresAt"] = json!("soon")),
                Rejection::Malformed,
            ),
            (
                tampered(|v| v["session"]["provider"]["accessToken"] = json!("")),
                Rejection::Inconsistent("empty access token"),
            ),
            (
                tampered(|v| {
                    v["session"]["backstage"]["identity"]["userEntityRef"] =
                        json!("user:default/admin")
                }),
                Rejection::Inconsistent("identity does not match the token"),
            ),
            (
                tampered(|v| {
                    v["session"]["backstage"]["identity"]["ownershipEntityRefs"] =
                        json!(["group:default/admins"])
                }),
                Rejection::Inconsistent("ownership does not match the token"),
            ),
            (
                tampered(|v| {
                    let unsigned = crate::jwt::fake_jwt(&json!({"sub": "user:default/jane"}));
                    v["session"]["backstage"]["token"] = json!(unsigned);
                }),
                Rejection::Inconsistent("not a Backstage token"),
            ),
            (
                tampered(|v| v["session"]["backstage"]["token"] = json!("not-a-jwt")),
                Rejection::Inconsistent("backstage token"),
            ),
            (
                tampered(|v| v["session"]["backstage"]["expiresAt"] = json!(9e15)),
                Rejection::Inconsistent("expiry beyond the token's exp"),
            ),
            (
                tampered(|v| v["session"]["provider"]["expiresAt"] = json!(-5)),
                Rejection::Inconsistent("provider expiry"),
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                decode(&raw, "oidc", "development", 2_000.0),
                Err(expected),
                "{raw}"
            );
        }
    }

    /// A session from the backend whose clock says `backend_now_s`, received on a browser clock
    /// at `browser_now_ms`.
    fn skewed(backend_now_s: f64, browser_now_ms: f64) -> Session {
        use serde_json::json;
        let token = crate::jwt::fake_jwt(&json!({"sub": "user:default/jane", "aud": "backstage",
            "ent": ["user:default/jane"], "iat": backend_now_s, "exp": backend_now_s + 3600.0}));
        let response = crate::protocol::parse_auth_result(&crate::protocol::tests::tree(&json!({
            "profile": {},
            "backstageIdentity": {"token": token, "expiresInSeconds": 3600,
                "identity": {"type": "user", "userEntityRef": "user:default/jane",
                             "ownershipEntityRefs": ["user:default/jane"]}}})))
        .expect("response");
        Session::from_response(response, browser_now_ms).expect("session")
    }

    #[test]
    fn a_browser_clock_off_from_the_backend_keeps_its_sessions() {
        let backend_now = 1_700_000_000.0;
        for skew_ms in [-300_000.0, -5_000.0, 0.0, 5_000.0, 300_000.0] {
            let s = skewed(backend_now, backend_now * 1000.0 + skew_ms);
            let raw = encode("oidc", "development", &s);
            let now = backend_now * 1000.0 + skew_ms + 1_000.0;
            assert_eq!(decode(&raw, "oidc", "development", now), Ok(s), "{skew_ms}");
        }
        // An expiry pushed past the token's own lifetime is still refused.
        let s = skewed(backend_now, backend_now * 1000.0 + 5_000.0);
        let mut v: serde_json::Value =
            serde_json::from_str(&encode("oidc", "development", &s)).expect("json");
        let at = v["session"]["backstage"]["expiresAt"].as_f64().expect("at");
        v["session"]["backstage"]["expiresAt"] = (at + 60_000.0).into();
        assert_eq!(
            decode(&v.to_string(), "oidc", "development", backend_now * 1000.0),
            Err(Rejection::Inconsistent("expiry beyond the token's exp"))
        );
    }

    #[test]
    fn expired_sessions_are_rejected() {
        let raw = encode("oidc", "development", &session());
        assert_eq!(
            decode(&raw, "oidc", "development", 1_000.0 + 3_600_000.0),
            Err(Rejection::Expired)
        );
    }

    #[test]
    #[cfg(feature = "pkce")] // refresh tokens exist in the PKCE build only
    fn restore_hands_back_an_expired_session_only_for_its_refresh_token() {
        let store = SessionStore::new(
            "oidc",
            "development",
            Ok(Some(Box::new(MemoryStore::default()))),
            Box::new(|_| {}),
        );
        let expired_at = 1_000.0 + 3_600_000.0;
        store.save(&session());
        assert_eq!(store.restore(2_000.0), Restored::Live(session()));
        assert_eq!(
            store.restore(expired_at),
            Restored::Nothing,
            "no refresh token"
        );
        assert_eq!(store.load(2_000.0), Ok(None), "and deleted");
        let mut with_token = session();
        with_token
            .provider
            .as_mut()
            .expect("provider")
            .refresh_token = Some(crate::secret::Secret::new("rt".into()));
        store.save(&with_token);
        assert_eq!(store.restore(expired_at), Restored::Expired(with_token));
        assert_eq!(store.load(2_000.0), Ok(None), "deleted all the same");
    }

    struct Failing;
    impl KeyValueStore for Failing {
        fn get(&self, _: &str) -> Result<Option<String>, StorageFailure> {
            Err(StorageFailure("SecurityError".into()))
        }
        fn set(&self, _: &str, _: &str) -> Result<(), StorageFailure> {
            Err(StorageFailure("QuotaExceededError".into()))
        }
        fn remove(&self, _: &str) -> Result<(), StorageFailure> {
            Err(StorageFailure("SecurityError".into()))
        }
    }

    type Warn = Box<dyn Fn(&str)>;

    fn counting_warn() -> (Rc<Cell<u32>>, Warn) {
        let count = Rc::new(Cell::new(0));
        let c = count.clone();
        (count, Box::new(move |_| c.set(c.get() + 1)))
    }

    #[test]
    fn throwing_storage_falls_back_to_memory_with_one_warning() {
        let (warnings, warn) = counting_warn();
        let store = SessionStore::new("oidc", "development", Ok(Some(Box::new(Failing))), warn);
        store.save(&session());
        store.save(&session());
        assert_eq!(store.load(2_000.0), Ok(Some(session())));
        assert_eq!(warnings.get(), 1);
        store.clear();
        assert_eq!(store.load(2_000.0), Ok(None));

        let (warnings, warn) = counting_warn();
        let store = SessionStore::new(
            "oidc",
            "development",
            Err(StorageFailure("denied".into())),
            warn,
        );
        store.save(&session());
        assert_eq!(store.load(2_000.0), Ok(Some(session())));
        assert_eq!(warnings.get(), 1);
    }

    #[test]
    fn bad_records_are_deleted() {
        let (_, warn) = counting_warn();
        let store = SessionStore::new(
            "oidc",
            "development",
            Ok(Some(Box::new(MemoryStore::default()))),
            warn,
        );
        store.with_store(|s| s.set(store.key(), "{garbage"));
        assert_eq!(store.load(2_000.0), Err(Rejection::Malformed));
        assert_eq!(store.with_store(|s| s.get(store.key())), Some(None));
        assert_eq!(
            storage_key("oidc", "development"),
            "backstage-wasm-auth:oidc:development"
        );
    }
}
