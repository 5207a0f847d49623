//! The JS-facing `AuthClient`: options in, Promises and plain JS objects out.

use super::connector::ReturnedError;
use super::js_error::to_js;
use super::observable::session_state_observable;
use super::sync::TabSync;
use super::{storage, BrowserClock};
use crate::config::{ClientOptions, Flow};
use crate::error::AuthError;
use crate::lifecycle::{failure_reason, Lifecycle};
use crate::manager::{Change, ManagerConfig, SessionManager, SessionRequest};
use crate::scopes::ScopeSet;
use crate::session::Session;
use crate::store::SessionStore;
use js_sys::{Array, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The TypeScript side of the contract (options, results, the observable): one file, also read
/// by the native contract test (`src/config/contract_tests.rs`) and imported by the npm wrapper.
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("contract.d.ts");

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "AuthClientOptions")]
    pub type JsAuthClientOptions;
    #[wasm_bindgen(typescript_type = "AuthRequestOptions | undefined")]
    pub type JsAuthRequestOptions;
    #[wasm_bindgen(typescript_type = "string | string[] | undefined")]
    pub type JsScope;
}

#[wasm_bindgen(start)]
fn start() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
}

/// JS values made once per session, so the hot path hands out the same string every time.
struct JsSession {
    session: Rc<Session>,
    access_token: JsValue,
}

/// A Backstage auth client for one provider. Exported as `AuthClientCore`: the package's
/// `AuthClient` (js/glue/fast-path.js, appended to the glue by scripts/build) extends it with
/// the JS side of the hot path (see `onCache` of the constructor).
#[wasm_bindgen(js_name = AuthClientCore)]
pub struct AuthClient {
    manager: SessionManager,
    js_session: Rc<RefCell<Option<JsSession>>>,
    observable: RefCell<Option<JsValue>>,
    returned_error: ReturnedError,
    /// Dropped with the client: leaves the channel and stops listening.
    _tab_sync: Option<Rc<TabSync>>,
    /// `refreshOnWake`: whether [`AuthClient::refresh_if_due`] acts.
    refresh_on_wake: bool,
}

fn config_error(message: impl Into<String>) -> JsValue {
    to_js(&AuthError::Config(message.into()))
}

fn warn(message: &str) {
    web_sys::console::warn_1(&message.into());
}

fn parse_request(scope: &JsValue, options: &JsValue) -> Result<SessionRequest, AuthError> {
    let scopes = if scope.is_undefined() || scope.is_null() {
        ScopeSet::default()
    } else if let Some(s) = scope.as_string() {
        ScopeSet::parse(&s)
    } else if Array::is_array(scope) {
        let items: Result<Vec<String>, AuthError> = Array::from(scope)
            .iter()
            .map(|v| {
                v.as_string()
                    .ok_or_else(|| AuthError::Config("scope must be strings".into()))
            })
            .collect();
        ScopeSet::from_list(items?)
    } else {
        return Err(AuthError::Config(
            "scope must be a string or an array of strings".into(),
        ));
    };
    let flag = |name: &str| -> bool {
        options.is_object()
            && Reflect::get(options, &name.into())
                .map(|v| v.is_truthy())
                .unwrap_or(false)
    };
    let flow = match options.is_object() {
        true => Reflect::get(options, &"flow".into()).unwrap_or(JsValue::UNDEFINED),
        false => JsValue::UNDEFINED,
    };
    let flow = if flow.is_undefined() {
        None
    } else {
        let named = flow.as_string().and_then(|name| match name.as_str() {
            "popup" => Some(Flow::Popup),
            "redirect" => Some(Flow::Redirect),
            _ => None,
        });
        Some(named.ok_or_else(|| AuthError::Config("flow must be 'popup' or 'redirect'".into()))?)
    };
    Ok(SessionRequest {
        scopes,
        optional: flag("optional"),
        instant_popup: flag("instantPopup"),
        flow,
    })
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

fn opt_string(value: &Option<String>) -> JsValue {
    value
        .as_deref()
        .map(JsValue::from)
        .unwrap_or(JsValue::UNDEFINED)
}

fn profile_js(session: &Session) -> JsValue {
    let object = Object::new();
    let p = &session.profile;
    for (key, value) in [
        ("email", &p.email),
        ("displayName", &p.display_name),
        ("picture", &p.picture),
    ] {
        if value.is_some() {
            set(&object, key, &opt_string(value));
        }
    }
    object.into()
}

/// The contract's `SessionLifecycle` object.
fn lifecycle_js(lifecycle: &Lifecycle) -> JsValue {
    let object = Object::new();
    match lifecycle {
        Lifecycle::SignedIn {
            expires_at,
            refresh_failed,
        } => {
            set(&object, "status", &"signedIn".into());
            if let Some(at) = expires_at {
                set(&object, "expiresAt", &(*at).into());
            }
            if let Some(e) = refresh_failed {
                let failed = Object::new();
                set(&failed, "reason", &failure_reason(e).into());
                set(&failed, "error", &to_js(e));
                set(&object, "refreshFailed", &failed);
            }
        }
        Lifecycle::SignedOut { why, error } => {
            set(&object, "status", &"signedOut".into());
            set(&object, "reason", &why.as_str().into());
            if let Some(e) = error {
                set(&object, "error", &to_js(e));
            }
        }
    }
    object.into()
}

fn identity_js(session: &Session) -> JsValue {
    let Some(b) = &session.backstage else {
        return JsValue::UNDEFINED;
    };
    let identity = Object::new();
    set(&identity, "type", &b.identity.kind.as_str().into());
    set(
        &identity,
        "userEntityRef",
        &b.identity.user_entity_ref.as_str().into(),
    );
    let refs: Array = b
        .identity
        .ownership_entity_refs
        .iter()
        .map(|r| JsValue::from(r.as_str()))
        .collect();
    set(&identity, "ownershipEntityRefs", &refs);
    let response = Object::new();
    let user_ref = &b.identity.user_entity_ref;
    let id = user_ref.rsplit('/').next().unwrap_or(user_ref);
    set(&response, "id", &id.into());
    set(&response, "token", &b.token.expose().into());
    if let Some(at) = b.expires_at {
        set(&response, "expiresAt", &js_sys::Date::new(&at.into()));
    }
    set(&response, "identity", &identity);
    response.into()
}

impl AuthClient {
    /// Resolves a session for `request`, then maps it to a JS value (undefined when none).
    fn session_promise(&self, request: SessionRequest, map: fn(&Session) -> JsValue) -> Promise {
        let manager = self.manager.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            match manager.get_session(request).await {
                Ok(Some(session)) => Ok(map(&session)),
                Ok(None) => Ok(JsValue::UNDEFINED),
                Err(e) => Err(to_js(&e)),
            }
        })
    }

    fn with_request(
        &self,
        scope: &JsValue,
        options: &JsValue,
        map: fn(&Session) -> JsValue,
    ) -> Promise {
        match parse_request(scope, options) {
            Ok(request) => self.session_promise(request, map),
            Err(e) => Promise::reject(&to_js(&e)),
        }
    }
}

/// The session's provider access token as a JS string (`undefined` without one).
fn access_token_js(session: &Session) -> JsValue {
    session
        .provider
        .as_ref()
        .map(|p| JsValue::from(p.access_token.secret().as_str()))
        .unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen(js_class = AuthClientCore)]
impl AuthClient {
    /// Creates a client; throws a `ConfigError` for unusable options. `on_cache(token, until,
    /// renewAt, lifecycle)` is called now and on every change: until `until` (epoch ms), a
    /// `getAccessToken()` without scopes may be answered with `token` without calling the core;
    /// at `renewAt` (0: never) a visible page calls `refreshAhead()`; `lifecycle` is the
    /// `SessionLifecycle` the JS half's `lifecycle$()` emits.
    #[wasm_bindgen(constructor)]
    pub fn new(
        options: JsAuthClientOptions,
        #[wasm_bindgen(
            unchecked_param_type = "(token: string | undefined, until: number, renewAt: number, lifecycle: SessionLifecycle) => void"
        )]
        on_cache: Option<js_sys::Function>,
    ) -> Result<AuthClient, JsValue> {
        let options: JsValue = options.into();
        if !options.is_object() {
            return Err(config_error("options must be an object"));
        }
        let base_fn =
            Reflect::get(&options, &"getAuthBaseUrl".into()).unwrap_or(JsValue::UNDEFINED);
        let base_fn = match base_fn.dyn_into::<js_sys::Function>() {
            Ok(f) => Some(f),
            Err(v) if v.is_undefined() => None,
            Err(_) => return Err(config_error("getAuthBaseUrl must be a function")),
        };
        let plain = Object::assign(&Object::new(), options.unchecked_ref());
        let _ = Reflect::delete_property(&plain, &"getAuthBaseUrl".into());
        let tree = crate::js_json::to_json(&plain).map_err(|_| {
            config_error("options must be plain data (strings, numbers, booleans, arrays, objects)")
        })?;
        let parsed = ClientOptions::from_json(&tree).map_err(|e| to_js(&e))?;
        let config = Rc::new(parsed.validate(base_fn.is_some()).map_err(|e| to_js(&e))?);

        let store = SessionStore::new(
            &config.provider_id,
            &config.environment,
            storage::open(config.storage),
            Box::new(warn),
        );
        // Popup and redirect clients claim the redirect marker their kind left (a redirect
        // client's, or a popup client's per-call or popup-blocked redirect): two clients of one
        // provider on a page (the demo has both) never take each other's error.
        let claims_marker = matches!(config.flow, Flow::Popup | Flow::Redirect);
        let returned_error: ReturnedError = Rc::new(RefCell::new(
            claims_marker
                .then(|| super::redirect::take_returned_error(&config))
                .flatten(),
        ));
        let manager = SessionManager::new(
            // Backstage's connector, or the OpenID provider's for `flow: 'pkce'`.
            super::connector::for_config(config.clone(), base_fn, returned_error.clone()),
            Box::new(BrowserClock),
            store,
            ManagerConfig {
                default_scopes: config.default_scopes.clone(),
                refresh_margin_ms: config.refresh_margin_ms,
                flow: config.flow,
                background_refresh: config.background_refresh,
                offline_wait_ms: f64::from(config.request_timeout_seconds) * 1000.0,
            },
        );
        manager.set_network(Rc::new(super::BrowserNetwork));
        let tab_sync = config
            .cross_tab_sync
            .then(|| Rc::new(TabSync::start(&manager, &config)));
        let announcer = tab_sync.as_ref().map(Rc::downgrade);
        let js_session = Rc::new(RefCell::new(None));
        let cache = js_session.clone();
        let weak_manager = manager.downgrade();
        let on_change = move |session: Option<&Rc<Session>>, change: Change| {
            // One JS string per session, handed to the JS hot path and kept for the core's own.
            let entry = session.map(|s| JsSession {
                session: s.clone(),
                access_token: access_token_js(s),
            });
            if let (Some(on_cache), Some(manager)) = (&on_cache, weak_manager.upgrade()) {
                // What JS may answer by itself: this token for a `getAccessToken()` without
                // scopes until `until` (epoch ms; +Infinity without an expiry; 0 = ask the core).
                let (token, until, renew_at) = match &entry {
                    Some(js) => (
                        js.access_token.clone(),
                        manager.serve_until(&js.session),
                        manager.renew_at(&js.session),
                    ),
                    None => (JsValue::UNDEFINED, 0.0, 0.0),
                };
                let args = Array::of4(
                    &token,
                    &until.into(),
                    &renew_at.into(),
                    &lifecycle_js(&manager.lifecycle()),
                );
                let _ = on_cache.apply(&JsValue::UNDEFINED, &args);
            }
            *cache.borrow_mut() = entry;
            if let Some(sync) = announcer.as_ref().and_then(|a| a.upgrade()) {
                sync.session_changed(session.map(|s| s.as_ref()));
                if let Change::Local(kind) = change {
                    sync.announce(kind, session.map(|s| s.as_ref()));
                }
            }
        };
        on_change(manager.current().as_ref(), Change::Remote);
        manager.set_on_change(Box::new(on_change));
        let refresh_on_wake = config.refresh_on_wake;
        Ok(AuthClient {
            manager,
            js_session,
            observable: RefCell::new(None),
            returned_error,
            _tab_sync: tab_sync,
            refresh_on_wake,
        })
    }

    /// A wake-up, relayed by the JS half (`online`, `visibilitychange` to visible, `focus`,
    /// `pageshow`): with `refreshOnWake`, the session is refreshed if it is due (one request for
    /// all tabs, never a popup), so that the next call does not wait for it. `at_expiry`: the
    /// JS half's timer at the expiry of a session whose refresh was refused, which ends it
    /// then whatever `refreshOnWake` says (not a wake-up).
    #[wasm_bindgen(js_name = refreshIfDue)]
    pub fn refresh_if_due(&self, at_expiry: bool) {
        if self.refresh_on_wake || at_expiry {
            let manager = self.manager.clone();
            wasm_bindgen_futures::spawn_local(async move { manager.refresh_if_due().await });
        }
    }

    /// The background refresh's timer (the JS half, at `renewAt` while the page is visible):
    /// refreshes the session if it is due for one (`backgroundRefresh`; one request for all
    /// tabs, never a popup).
    #[wasm_bindgen(js_name = refreshAhead)]
    pub fn refresh_ahead(&self) {
        let manager = self.manager.clone();
        wasm_bindgen_futures::spawn_local(async move { manager.refresh_ahead().await });
    }

    /// Signs in (refresh cookie first, then the popup or redirect) unless already signed in.
    #[wasm_bindgen(js_name = signIn, unchecked_return_type = "Promise<void>")]
    pub fn sign_in(&self) -> Promise {
        self.session_promise(SessionRequest::default(), |_| JsValue::UNDEFINED)
    }

    /// Clears the stored session, tells the backend (`/logout`) and emits SignedOut.
    #[wasm_bindgen(js_name = signOut, unchecked_return_type = "Promise<void>")]
    pub fn sign_out(&self) -> Promise {
        let manager = self.manager.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            manager
                .sign_out()
                .await
                .map(|()| JsValue::UNDEFINED)
                .map_err(|e| to_js(&e))
        })
    }

    /// The provider's access token. Cached sessions are answered without any I/O.
    #[wasm_bindgen(js_name = getAccessToken, unchecked_return_type = "Promise<string | undefined>")]
    pub fn get_access_token(&self, scope: JsScope, options: JsAuthRequestOptions) -> Promise {
        let (scope, options): (JsValue, JsValue) = (scope.into(), options.into());
        if scope.is_undefined() {
            // Hot path: the same JS string, made once per session, in one resolved promise.
            if let Some(cached) = self.manager.cached(&ScopeSet::default()) {
                if let Some(js) = self.js_session.borrow().as_ref() {
                    if Rc::ptr_eq(&js.session, &cached) {
                        return Promise::resolve(&js.access_token);
                    }
                }
            }
        }
        self.with_request(&scope, &options, access_token_js)
    }

    /// The provider's OpenID Connect ID token.
    #[wasm_bindgen(js_name = getIdToken, unchecked_return_type = "Promise<string | undefined>")]
    pub fn get_id_token(&self, options: JsAuthRequestOptions) -> Promise {
        self.with_request(&JsValue::UNDEFINED, &options.into(), |s| {
            s.provider
                .as_ref()
                .and_then(|p| p.id_token.as_ref())
                .map(|t| JsValue::from(t.expose()))
                .unwrap_or(JsValue::UNDEFINED)
        })
    }

    /// The user's profile.
    #[wasm_bindgen(js_name = getProfile, unchecked_return_type = "Promise<ProfileInfo | undefined>")]
    pub fn get_profile(&self, options: JsAuthRequestOptions) -> Promise {
        self.with_request(&JsValue::UNDEFINED, &options.into(), profile_js)
    }

    /// The Backstage identity: token, expiry, user entity ref and ownership refs.
    #[wasm_bindgen(js_name = getBackstageIdentity, unchecked_return_type = "Promise<BackstageIdentityResponse | undefined>")]
    pub fn get_backstage_identity(&self, options: JsAuthRequestOptions) -> Promise {
        self.with_request(&JsValue::UNDEFINED, &options.into(), identity_js)
    }

    /// Redirect flow: the backend's error (named `Error`, with `backendName`) when this tab just
    /// came back from a failed sign-in, once; `undefined` otherwise. Left untaken, the next
    /// interactive sign-in rejects with it instead of leaving for the IdP again.
    #[wasm_bindgen(js_name = takeRedirectError, unchecked_return_type = "Error | undefined")]
    pub fn take_redirect_error(&self) -> JsValue {
        match self.returned_error.borrow_mut().take() {
            Some(error) => to_js(&error),
            None => JsValue::UNDEFINED,
        }
    }

    /// SignedIn / SignedOut: the current state on subscribe, then each change.
    #[wasm_bindgen(
        js_name = "sessionState$",
        unchecked_return_type = "SessionStateObservable"
    )]
    pub fn session_state(&self) -> JsValue {
        self.observable
            .borrow_mut()
            .get_or_insert_with(|| session_state_observable(self.manager.state().clone()))
            .clone()
    }
}
