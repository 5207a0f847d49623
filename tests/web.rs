//! The client in real browsers (wasm-bindgen-test, headless Chromium and Firefox).
//! `fetch` and `window.open` are stood in for by tests/web_harness.js; everything else is real:
//! storage, postMessage between real windows, timers, promises, the JS-facing API.
#![cfg(target_arch = "wasm32")]

use backstage_wasm_auth::AuthClient;
use js_sys::{Array, Promise, Reflect};
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/web_harness.js")]
extern "C" {
    #[wasm_bindgen(js_name = authResponse)]
    fn auth_response(access_token: &str, ttl_seconds: f64, scope: Option<String>) -> JsValue;
    #[wasm_bindgen(js_name = installFetch)]
    fn install_fetch(answer: &js_sys::Function, delay_ms: u32);
    #[wasm_bindgen(js_name = restoreFetch)]
    fn restore_fetch();
    #[wasm_bindgen(js_name = requestCount)]
    fn request_count(path: &str) -> u32;
    #[wasm_bindgen(js_name = lastRequest)]
    fn last_request() -> JsValue;
    #[wasm_bindgen(js_name = installOpen)]
    fn install_open(blocked: bool);
    #[wasm_bindgen(js_name = restoreOpen)]
    fn restore_open();
    #[wasm_bindgen(js_name = lastPopup)]
    fn last_popup() -> JsValue;
    #[wasm_bindgen(js_name = postFromPopup)]
    fn post_from_popup(data: &JsValue);
    #[wasm_bindgen(js_name = postFromIframe)]
    fn post_from_iframe(data: &JsValue);
    #[wasm_bindgen(js_name = closePopup)]
    fn close_popup();
    #[wasm_bindgen(js_name = popupClosed)]
    fn popup_closed() -> bool;
    #[wasm_bindgen(js_name = popupCount)]
    fn popup_count() -> u32;
    #[wasm_bindgen(js_name = waitForPopup)]
    fn wait_for_popup(timeout_ms: u32) -> Promise;
    fn sleep(ms: u32) -> Promise;
    #[wasm_bindgen(js_name = countWarnings)]
    fn count_warnings();
    #[wasm_bindgen(js_name = restoreWarn)]
    fn restore_warn();
    #[wasm_bindgen(js_name = warningCount)]
    fn warning_count() -> u32;
    #[wasm_bindgen(js_name = breakStorageWrites)]
    fn break_storage_writes();
    #[wasm_bindgen(js_name = restoreStorage)]
    fn restore_storage();
    fn record(observable: &JsValue) -> JsValue;
    fn broadcast(name: &str, data: &JsValue);
    #[wasm_bindgen(js_name = heldLocks)]
    fn held_locks() -> Promise;
    fn listen(name: &str) -> JsValue;
    #[wasm_bindgen(js_name = symbolObservableIsSelf)]
    fn symbol_observable_is_self(observable: &JsValue) -> bool;
}

fn to_js(value: serde_json::Value) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("to js")
}
use serde::Serialize;

fn origin() -> String {
    web_sys::window()
        .expect("window")
        .location()
        .origin()
        .expect("origin")
}

fn base() -> String {
    format!("{}/api/auth", origin())
}

fn client(provider: &str, extra: serde_json::Value) -> AuthClient {
    let mut options = json!({"provider": {"id": provider, "title": "OIDC"}, "authBaseUrl": base(),
                             "defaultScopes": ["openid"], "popupTimeoutSeconds": 20});
    if let (Some(o), Some(e)) = (options.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    AuthClient::new(to_js(options).unchecked_into(), None).expect("client")
}

fn session_storage() -> web_sys::Storage {
    web_sys::window()
        .expect("window")
        .session_storage()
        .expect("ss")
        .expect("ss")
}

fn key(provider: &str) -> String {
    format!("backstage-wasm-auth:{provider}:development")
}

/// A fetch stand-in answering each request through `f(url, method) -> (status, body)`.
fn answer_with(f: impl Fn(String, String) -> (u16, JsValue) + 'static, delay_ms: u32) {
    let closure =
        Closure::<dyn Fn(web_sys::Request) -> JsValue>::new(move |req: web_sys::Request| {
            let (status, body) = f(req.url(), req.method());
            let out = js_sys::Object::new();
            Reflect::set(&out, &"status".into(), &status.into()).expect("set");
            Reflect::set(&out, &"body".into(), &body).expect("set");
            out.into()
        });
    install_fetch(closure.as_ref().unchecked_ref(), delay_ms);
    closure.forget();
}

fn denied() -> JsValue {
    to_js(
        json!({"error": {"name": "AuthenticationError", "message": "Refresh failed; caused by InputError: Missing session cookie"},
                 "response": {"statusCode": 401}}),
    )
}

async fn settle(promise: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

/// Polls `done()` every 10 ms until it holds or `timeout_ms` have passed; the caller asserts
/// afterwards. For what arrives asynchronously (BroadcastChannel messages cross the browser's
/// processes), where a fixed sleep may end too early on a loaded machine.
async fn wait_until(timeout_ms: f64, done: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + timeout_ms;
    while !done() && js_sys::Date::now() < deadline {
        settle(sleep(10)).await.expect("tick");
    }
}

fn none() -> JsValue {
    JsValue::UNDEFINED
}

fn opts(v: serde_json::Value) -> JsValue {
    to_js(v)
}

fn err_name(e: &JsValue) -> String {
    Reflect::get(e, &"name".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).expect("get")
}

async fn access_token(c: &AuthClient, options: JsValue) -> Result<JsValue, JsValue> {
    settle(c.get_access_token(none().unchecked_into(), options.unchecked_into())).await
}

/// `getAccessToken()` with no options, which must succeed (`expect(what)`): the token as a string.
async fn token_of(c: &AuthClient, what: &str) -> Option<String> {
    access_token(c, none()).await.expect(what).as_string()
}

/// Puts back everything tests/web_harness.js stands in for (fetch, window.open, console.warn,
/// Storage writes); each restore is idempotent, so a test calls this once whatever it installed.
fn restore_all() {
    restore_fetch();
    restore_open();
    restore_warn();
    restore_storage();
}

#[wasm_bindgen_test]
fn bad_options_throw_config_errors() {
    for bad in [
        json!({}),
        json!({"provider": {"id": "oidc"}}),
        json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "storage": "disk"}),
        json!({"provider": {"id": "o/../x"}, "authBaseUrl": "http://a"}),
    ] {
        let e = AuthClient::new(to_js(bad).unchecked_into(), None)
            .err()
            .expect("error");
        assert_eq!(err_name(&e), "ConfigError");
        assert!(e.is_instance_of::<js_sys::Error>());
    }
}

#[wasm_bindgen_test]
async fn refresh_probe_sends_cookie_and_csrf_header_then_serves_the_cache() {
    session_storage().clear().expect("clear");
    answer_with(|_, _| (200, auth_response("tok-1", 3600.0, None)), 0);
    let c = client("probe", json!({}));
    let token = access_token(&c, none()).await.expect("token");
    assert_eq!(token.as_string().as_deref(), Some("tok-1"));
    let req = last_request();
    assert_eq!(get(&req, "method").as_string().as_deref(), Some("GET"));
    assert_eq!(
        get(&req, "xrw").as_string().as_deref(),
        Some("XMLHttpRequest")
    );
    assert_eq!(
        get(&req, "credentials").as_string().as_deref(),
        Some("include")
    );
    assert_eq!(
        get(&req, "url").as_string(),
        Some(format!(
            "{}/probe/refresh?optional&scope=openid&env=development",
            base()
        ))
    );
    for _ in 0..10 {
        assert_eq!(token_of(&c, "token").await.as_deref(), Some("tok-1"));
    }
    assert_eq!(request_count("/refresh"), 1);
    // The session is stored, versioned, under one key per provider and environment...
    let stored = session_storage()
        .get_item(&key("probe"))
        .expect("get")
        .expect("stored");
    assert!(stored.starts_with("{\"version\":1,"), "{stored}");
    // ...and a "reloaded page" (a new client) serves it without any request.
    answer_with(|_, _| (401, denied()), 0);
    let reloaded = client("probe", json!({}));
    assert_eq!(token_of(&reloaded, "token").await.as_deref(), Some("tok-1"));
    assert_eq!(request_count("/refresh"), 0);
    restore_all();
}

#[wasm_bindgen_test]
async fn concurrent_callers_share_one_refresh() {
    session_storage().clear().expect("clear");
    let counter = std::rc::Rc::new(std::cell::Cell::new(0));
    let c2 = counter.clone();
    // 1 s tokens with the default 180 s margin: due after half their lifetime (0.5 s).
    answer_with(
        move |_, _| {
            c2.set(c2.get() + 1);
            (200, auth_response(&format!("tok-{}", c2.get()), 1.0, None))
        },
        50,
    );
    let c = client("storm", json!({}));
    assert_eq!(token_of(&c, "t").await.as_deref(), Some("tok-1"));
    // Just obtained: served without a refresh (no loop for tokens shorter than the margin).
    assert_eq!(token_of(&c, "t").await.as_deref(), Some("tok-1"));
    assert_eq!(request_count("/refresh"), 1);
    settle(sleep(600)).await.expect("sleep");
    let calls: Array = (0..50)
        .map(|_| c.get_access_token(none().unchecked_into(), none().unchecked_into()))
        .collect();
    let all = settle(Promise::all(&calls)).await.expect("all");
    let tokens: Vec<String> = Array::from(&all)
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    assert_eq!(tokens.len(), 50);
    assert!(tokens.iter().all(|t| t == "tok-2"), "{tokens:?}");
    assert_eq!(
        request_count("/refresh"),
        2,
        "one refresh for 50 concurrent callers"
    );
    restore_all();
}

#[wasm_bindgen_test]
async fn tampered_storage_is_discarded_and_refresh_takes_over() {
    session_storage().clear().expect("clear");
    answer_with(|_, _| (200, auth_response("good", 3600.0, None)), 0);
    let c = client("tamper", json!({}));
    access_token(&c, none()).await.expect("token");
    let raw = session_storage()
        .get_item(&key("tamper"))
        .expect("get")
        .expect("stored");
    // Gone before the tampered loads: a live sibling would hand its session over (no /refresh).
    drop(c);
    let evil = raw.replace(
        "user:default/jane\",\"ownership",
        "user:default/admin\",\"ownership",
    );
    assert_ne!(raw, evil);
    for bad in [
        evil,
        "{not json".to_string(),
        raw.replace("\"version\":1", "\"version\":9"),
        "null".into(),
    ] {
        session_storage()
            .set_item(&key("tamper"), &bad)
            .expect("set");
        answer_with(|_, _| (401, denied()), 0);
        let c = client("tamper", json!({}));
        assert!(
            session_storage()
                .get_item(&key("tamper"))
                .expect("get")
                .is_none(),
            "deleted: {bad}"
        );
        let seen = record(&c.session_state());
        assert_eq!(
            Array::from(&get(&seen, "seen")).to_vec(),
            vec![JsValue::from("SignedOut")]
        );
        let t = access_token(&c, opts(json!({"optional": true})))
            .await
            .expect("no crash");
        assert!(t.is_undefined());
        assert_eq!(request_count("/refresh"), 1, "fell back to /refresh");
    }
    restore_all();
}

#[wasm_bindgen_test]
async fn throwing_storage_falls_back_to_memory_with_one_warning() {
    session_storage().clear().expect("clear");
    count_warnings();
    break_storage_writes();
    answer_with(|_, _| (200, auth_response("mem", 3600.0, None)), 0);
    let c = client("quota", json!({}));
    for _ in 0..3 {
        assert_eq!(token_of(&c, "t").await.as_deref(), Some("mem"));
    }
    settle(c.sign_out()).await.expect("signout");
    access_token(&c, none()).await.expect("t");
    restore_all();
    assert_eq!(warning_count(), 1);
    assert_eq!(request_count("/refresh"), 2);
}

/// The stage of a popup test: no stored session, every /refresh refused (no cookie), window.open
/// stood in for (`blocked`: it returns null).
fn popup_stage(blocked: bool) {
    session_storage().clear().expect("clear");
    answer_with(|_, _| (401, denied()), 0);
    install_open(blocked);
}

/// Starts a popup sign-in (the /refresh probe is refused) and waits for the popup.
async fn start_popup(c: &AuthClient) -> Promise {
    let pending = c.get_access_token(none().unchecked_into(), none().unchecked_into());
    // Generous: opening and loading a window takes a while in a busy headless Firefox.
    settle(wait_for_popup(15_000)).await.expect("popup opened");
    pending
}

fn message(token: &str) -> JsValue {
    let m = js_sys::Object::new();
    Reflect::set(&m, &"type".into(), &"authorization_response".into()).expect("set");
    Reflect::set(&m, &"response".into(), &auth_response(token, 3600.0, None)).expect("set");
    m.into()
}

#[wasm_bindgen_test]
async fn popup_accepts_only_its_own_window_from_the_backend_origin() {
    popup_stage(false);
    let c = client("popup", json!({}));
    let pending = start_popup(&c).await;
    let popup = last_popup();
    let url = get(&popup, "url").as_string().expect("url");
    let expected = format!(
        "{}/popup/start?scope=openid&origin={}&flow=popup&env=development",
        base(),
        js_sys::encode_uri_component(&origin())
    );
    assert_eq!(url, expected);
    assert_eq!(
        get(&popup, "name").as_string().as_deref(),
        Some("OIDC Login")
    );
    let features = get(&popup, "features").as_string().expect("features");
    assert!(features.contains("width=450,height=730"), "{features}");
    // Noise first: another window of the same origin, junk, other protocols.
    post_from_iframe(&message("from-a-sibling-frame"));
    post_from_popup(&"hello".into());
    post_from_popup(&to_js(json!({"type": "something_else"})));
    post_from_popup(&to_js(
        json!({"type": "config_info", "targetOrigin": origin()}),
    ));
    settle(sleep(200)).await.expect("sleep");
    post_from_popup(&message("from-the-popup"));
    let token = settle(pending).await.expect("signed in");
    assert_eq!(token.as_string().as_deref(), Some("from-the-popup"));
    let seen = record(&c.session_state());
    assert_eq!(
        Array::from(&get(&seen, "seen")).to_vec(),
        vec![JsValue::from("SignedIn")]
    );
    restore_all();
}

#[wasm_bindgen_test]
async fn popup_messages_from_another_origin_are_ignored() {
    popup_stage(false);
    // The backend is on another origin than the (about:blank, same-origin) popup that posts.
    let mut options = json!({"authBaseUrl": "http://localhost:9/api/auth"});
    options["provider"] = json!({"id": "origin"});
    let c = client("origin", options);
    let pending = start_popup(&c).await;
    post_from_popup(&message("forged"));
    settle(sleep(300)).await.expect("sleep");
    close_popup();
    let e = settle(pending).await.expect_err("closed");
    assert_eq!(err_name(&e), "PopupClosedError");
    restore_all();
}

#[wasm_bindgen_test]
async fn backend_errors_and_malformed_responses_are_typed() {
    popup_stage(false);
    let c = client("errors", json!({}));
    let pending = start_popup(&c).await;
    post_from_popup(&to_js(json!({"type": "authorization_response",
        "error": {"name": "NotFoundError", "message": "Failed to sign-in, unable to resolve user identity"}})));
    let e = settle(pending).await.expect_err("error");
    // Named by the backend, as Backstage's client names it; `backendName` tells it came from there.
    assert_eq!(err_name(&e), "NotFoundError");
    assert_eq!(
        get(&e, "backendName").as_string().as_deref(),
        Some("NotFoundError")
    );
    assert_eq!(
        get(&e, "message").as_string().as_deref(),
        Some("Failed to sign-in, unable to resolve user identity")
    );
    let seen = record(&c.session_state());
    assert_eq!(
        Array::from(&get(&seen, "seen")).to_vec(),
        vec![JsValue::from("SignedOut")]
    );

    let pending = start_popup(&c).await;
    post_from_popup(&to_js(
        json!({"type": "authorization_response", "response": {"profile": 3}}),
    ));
    let e = settle(pending).await.expect_err("error");
    assert_eq!(err_name(&e), "InvalidResponseError");
    restore_all();
}

#[wasm_bindgen_test]
async fn blocked_closed_and_abandoned_popups() {
    popup_stage(true);
    let c = client("blocked", json!({"popupTimeoutSeconds": 1}));
    let e = access_token(&c, none()).await.expect_err("blocked");
    assert_eq!(err_name(&e), "PopupRejectedError");

    install_open(false);
    // Closed by the user: a client with the usual popup timeout, so that a popup that is slow to
    // load (a busy machine) is still open when the test closes it, not timed out first.
    let patient = client("blocked", json!({}));
    let pending = start_popup(&patient).await;
    close_popup();
    let e = settle(pending).await.expect_err("closed");
    assert_eq!(err_name(&e), "PopupClosedError");

    // Abandoned: the 1 s timeout runs from window.open, whether or not the popup has loaded yet,
    // so the test does not wait for it to load (that may take longer than 1 s).
    let opened = popup_count();
    let pending = c.get_access_token(none().unchecked_into(), none().unchecked_into());
    let e = settle(pending).await.expect_err("timeout");
    assert_eq!(err_name(&e), "TimeoutError");
    assert_eq!(popup_count(), opened + 1, "a popup was opened");
    assert!(popup_closed(), "the abandoned popup is closed");

    // optional never opens a popup.
    let before = js_sys::Reflect::get(&last_popup(), &"url".into()).expect("url");
    let t = access_token(&c, opts(json!({"optional": true})))
        .await
        .expect("optional");
    assert!(t.is_undefined());
    assert!(js_sys::Object::is(&before, &get(&last_popup(), "url")));
    restore_all();
}

#[wasm_bindgen_test]
async fn fullscreen_popup_takes_the_screen() {
    popup_stage(false);
    let c = client("full", json!({"popup": {"fullscreen": true}}));
    let pending = start_popup(&c).await;
    let screen = web_sys::window().expect("w").screen().expect("screen");
    let features = get(&last_popup(), "features")
        .as_string()
        .expect("features");
    let size = format!(
        "width={},height={}",
        screen.width().expect("w"),
        screen.height().expect("h")
    );
    assert!(features.contains(&size), "{features} vs {size}");
    post_from_popup(&message("full"));
    settle(pending).await.expect("ok");
    restore_all();
}

#[wasm_bindgen_test]
async fn observable_emits_current_then_changes_and_unsubscribes() {
    session_storage().clear().expect("clear");
    answer_with(|_, _| (200, auth_response("obs", 3600.0, None)), 0);
    let c = client("observe", json!({}));
    let observable = c.session_state();
    assert!(symbol_observable_is_self(&observable));
    let rec = record(&observable);
    let seen = || {
        Array::from(&get(&rec, "seen"))
            .iter()
            .filter_map(|v| v.as_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        seen(),
        vec!["SignedOut"],
        "current state first, synchronously"
    );
    settle(c.sign_in()).await.expect("sign in");
    settle(sleep(0)).await.expect("tick");
    assert_eq!(seen(), vec!["SignedOut", "SignedIn"]);
    settle(c.sign_in()).await.expect("again");
    settle(sleep(0)).await.expect("tick");
    assert_eq!(seen(), vec!["SignedOut", "SignedIn"], "no duplicate");

    answer_with(|_, _| (200, to_js(json!({}))), 0);
    settle(c.sign_out()).await.expect("sign out");
    let req = last_request();
    assert_eq!(get(&req, "method").as_string().as_deref(), Some("POST"));
    assert_eq!(
        get(&req, "url").as_string(),
        Some(format!("{}/observe/logout?env=development", base()))
    );
    assert_eq!(
        get(&req, "xrw").as_string().as_deref(),
        Some("XMLHttpRequest")
    );
    assert_eq!(
        get(&req, "credentials").as_string().as_deref(),
        Some("include")
    );
    assert!(session_storage()
        .get_item(&key("observe"))
        .expect("get")
        .is_none());
    settle(sleep(0)).await.expect("tick");
    assert_eq!(seen(), vec!["SignedOut", "SignedIn", "SignedOut"]);

    let sub = get(&rec, "sub");
    let unsubscribe: js_sys::Function = get(&sub, "unsubscribe").unchecked_into();
    unsubscribe.call0(&sub).expect("unsubscribe");
    assert_eq!(get(&sub, "closed"), JsValue::TRUE);
    answer_with(|_, _| (200, auth_response("obs2", 3600.0, None)), 0);
    settle(c.sign_in()).await.expect("sign in");
    settle(sleep(10)).await.expect("tick");
    assert_eq!(seen().len(), 3, "nothing after unsubscribe");
    // A plain function observer works too.
    let fn_rec = js_sys::Function::new_with_args(
        "o",
        "const s = []; o.subscribe(v => s.push(v)); return s;",
    );
    let s = fn_rec
        .call1(&JsValue::NULL, &observable)
        .expect("subscribe fn");
    assert_eq!(Array::from(&s).to_vec(), vec![JsValue::from("SignedIn")]);
    restore_all();
}

#[wasm_bindgen_test]
async fn proxy_and_guest_sign_in_without_a_popup() {
    session_storage().clear().expect("clear");
    install_open(false);
    let guest = json!({"profile": {}, "backstageIdentity": {"token": "x.eyJzdWIiOiJ1c2VyOmRldmVsb3BtZW50L2d1ZXN0In0.y",
        "identity": {"type": "user", "userEntityRef": "user:development/guest", "ownershipEntityRefs": ["user:development/guest"]},
        "expiresInSeconds": 3600}});
    let guest_js = to_js(guest);
    answer_with(move |_, _| (200, guest_js.clone()), 0);
    let c = client("guest", json!({"flow": "proxy", "defaultScopes": []}));
    let identity = settle(c.get_backstage_identity(none().unchecked_into()))
        .await
        .expect("identity");
    let inner = get(&identity, "identity");
    assert_eq!(
        get(&inner, "userEntityRef").as_string().as_deref(),
        Some("user:development/guest")
    );
    assert_eq!(get(&identity, "id").as_string().as_deref(), Some("guest"));
    assert!(get(&identity, "expiresAt").is_instance_of::<js_sys::Date>());
    assert!(access_token(&c, none())
        .await
        .expect("no provider token")
        .is_undefined());
    // Sign-out of a proxy provider: /logout answers 404, which is not an error.
    answer_with(|_, _| (404, "Not Found".into()), 0);
    settle(c.sign_out()).await.expect("local sign-out");
    // A refused proxy sign-in is an error, never a popup.
    answer_with(|_, _| (401, denied()), 0);
    let e = settle(c.get_backstage_identity(none().unchecked_into()))
        .await
        .expect_err("refused");
    assert_eq!(err_name(&e), "AuthenticationError");
    assert!(last_popup().is_undefined(), "no popup for proxy providers");
    restore_all();
}

#[wasm_bindgen_test]
async fn async_base_url_network_errors_and_timeouts() {
    session_storage().clear().expect("clear");
    answer_with(|_, _| (200, auth_response("disc", 3600.0, None)), 0);
    let discovery = js_sys::Function::new_no_args(&format!("return Promise.resolve('{}')", base()));
    let options = to_js(json!({"provider": {"id": "disc"}, "flow": "proxy"}));
    Reflect::set(&options, &"getAuthBaseUrl".into(), &discovery).expect("set");
    let c = AuthClient::new(options.unchecked_into(), None).expect("client");
    assert_eq!(token_of(&c, "t").await.as_deref(), Some("disc"));
    assert!(get(&last_request(), "url")
        .as_string()
        .expect("url")
        .starts_with(&format!("{}/disc/refresh", base())));

    restore_all();
    let down = client(
        "down",
        json!({"authBaseUrl": "http://127.0.0.1:9/api/auth", "flow": "proxy"}),
    );
    let e = access_token(&down, none()).await.expect_err("down");
    assert_eq!(err_name(&e), "AuthConnectionError");
    assert!(get(&e, "backendName").is_undefined());

    answer_with(|_, _| (200, auth_response("late", 3600.0, None)), 3000);
    let slow = client("slow", json!({"requestTimeoutSeconds": 1, "flow": "proxy"}));
    let e = access_token(&slow, none()).await.expect_err("slow");
    assert_eq!(err_name(&e), "TimeoutError");

    answer_with(|_, _| (500, "<html>oops</html>".into()), 0);
    let broken = client("broken", json!({"flow": "proxy"}));
    let e = access_token(&broken, none()).await.expect_err("500");
    assert_eq!(err_name(&e), "HTTP500");
    assert_eq!(
        get(&e, "backendName").as_string().as_deref(),
        Some("HTTP500")
    );
    restore_all();
}

fn seen_states(recorder: &JsValue) -> Vec<String> {
    Array::from(&get(recorder, "seen"))
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

#[wasm_bindgen_test]
async fn tabs_share_sign_in_one_refresh_and_sign_out() {
    session_storage().clear().expect("clear");
    let counter = std::rc::Rc::new(std::cell::Cell::new(0));
    let c2 = counter.clone();
    // First session: 1 s (due after half of it); later ones: 1 h.
    answer_with(
        move |url, _| {
            if url.contains("/logout") {
                return (200, to_js(json!({})));
            }
            c2.set(c2.get() + 1);
            let ttl = if c2.get() == 1 { 1.0 } else { 3600.0 };
            (200, auth_response(&format!("tab-{}", c2.get()), ttl, None))
        },
        100,
    );
    let a = client("tabs", json!({"storage": "memory"}));
    let b = client("tabs", json!({"storage": "memory"}));
    let isolated = client("tabs", json!({"storage": "memory", "crossTabSync": false}));
    let b_states = record(&b.session_state());
    let isolated_states = record(&isolated.session_state());
    assert_eq!(token_of(&a, "a").await.as_deref(), Some("tab-1"));
    wait_until(5000.0, || seen_states(&b_states).len() >= 2).await;
    assert_eq!(
        seen_states(&b_states),
        vec!["SignedOut", "SignedIn"],
        "B signed in by A's announcement"
    );
    assert_eq!(
        seen_states(&isolated_states),
        vec!["SignedOut"],
        "opted out"
    );
    assert_eq!(request_count("/refresh"), 1);

    // Both sessions are due: A and B ask at once; the Web Lock makes B wait for A's result.
    settle(sleep(600)).await.expect("sleep");
    let both = Array::of2(
        &a.get_access_token(none().unchecked_into(), none().unchecked_into()),
        &b.get_access_token(none().unchecked_into(), none().unchecked_into()),
    );
    let tokens = settle(Promise::all(&both)).await.expect("both");
    let tokens: Vec<String> = Array::from(&tokens)
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    assert_eq!(tokens, vec!["tab-2", "tab-2"]);
    assert_eq!(request_count("/refresh"), 2, "one /refresh for two tabs");

    // Forged and foreign announcements change nothing.
    let name = "backstage-wasm-auth:tabs:development";
    let forged = json!({"protocol": "backstage-wasm-auth/session", "version": 1, "provider": "tabs",
        "environment": "development", "sender": "evil", "type": "signedIn",
        "session": {"profile": {}, "backstage": {"token": "x.eyJzdWIiOiJ1c2VyOmRlZmF1bHQvYWRtaW4ifQ.y",
            "identity": {"type": "user", "userEntityRef": "user:default/jane", "ownershipEntityRefs": []}}}});
    for junk in [
        to_js(forged),
        "not json".into(),
        to_js(json!({"protocol": "other"})),
        JsValue::from(
            r#"{"protocol":"backstage-wasm-auth/session","version":1,"provider":"other","environment":"development","sender":"x","type":"signedOut"}"#,
        ),
    ] {
        broadcast(name, &junk);
    }
    settle(sleep(50)).await.expect("tick");
    assert_eq!(token_of(&a, "a").await.as_deref(), Some("tab-2"));
    assert_eq!(seen_states(&b_states), vec!["SignedOut", "SignedIn"]);

    // Sign-out in B signs A out too.
    let a_states = record(&a.session_state());
    settle(b.sign_out()).await.expect("sign out");
    wait_until(5000.0, || seen_states(&a_states).len() >= 2).await;
    assert_eq!(seen_states(&a_states), vec!["SignedIn", "SignedOut"]);
    assert!(access_token(&a, opts(json!({"optional": true})))
        .await
        .is_ok());
    restore_all();
}

/// The presence locks (session handoff) of `provider`'s channel held right now.
async fn presence_locks(provider: &str) -> Vec<String> {
    let prefix = format!("backstage-wasm-auth:{provider}:development:session:");
    Array::from(&settle(held_locks()).await.expect("locks.query"))
        .iter()
        .filter_map(|v| v.as_string())
        .filter(|n| n.starts_with(&prefix))
        .collect()
}

async fn wait_for_presence(provider: &str, count: usize) {
    let deadline = js_sys::Date::now() + 5000.0;
    while presence_locks(provider).await.len() != count && js_sys::Date::now() < deadline {
        settle(sleep(10)).await.expect("tick");
    }
    assert_eq!(
        presence_locks(provider).await.len(),
        count,
        "presence locks of {provider}"
    );
}

fn channel_types(listener: &JsValue) -> Vec<String> {
    Array::from(&get(listener, "types"))
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

fn close_listener(listener: &JsValue) {
    let close: js_sys::Function = get(listener, "close").unchecked_into();
    close.call0(listener).expect("close");
}

#[wasm_bindgen_test]
async fn a_new_tab_adopts_a_siblings_session_without_a_request() {
    answer_with(
        |url, _| {
            if url.contains("/logout") {
                return (200, to_js(json!({})));
            }
            (200, auth_response("handoff-1", 3600.0, None))
        },
        0,
    );
    let a = client("handoff", json!({"storage": "memory"}));
    assert_eq!(token_of(&a, "a").await.as_deref(), Some("handoff-1"));
    assert_eq!(request_count("/refresh"), 1);
    wait_for_presence("handoff", 1).await;

    // B: a new tab (own memory storage, it missed A's announcement).
    let listener = listen("backstage-wasm-auth:handoff:development");
    let b = client("handoff", json!({"storage": "memory"}));
    let b_states = record(&b.session_state());
    let token = access_token(&b, opts(json!({"optional": true})))
        .await
        .expect("b");
    assert_eq!(
        token.as_string().as_deref(),
        Some("handoff-1"),
        "A's session"
    );
    assert_eq!(request_count("/refresh"), 1, "no /refresh for B");
    assert_eq!(seen_states(&b_states), vec!["SignedOut", "SignedIn"]);
    wait_until(5000.0, || channel_types(&listener).len() >= 2).await;
    assert_eq!(
        channel_types(&listener),
        vec!["hello", "refreshed"],
        "B asked once, A answered"
    );
    // B now holds a presence lock of its own; B's identity is A's.
    wait_for_presence("handoff", 2).await;
    let identity =
        settle(b.get_backstage_identity(opts(json!({"optional": true})).unchecked_into()))
            .await
            .expect("identity");
    assert_eq!(
        get(&get(&identity, "identity"), "userEntityRef"),
        "user:default/jane"
    );

    // Opted out: no channel, no locks, no hello; its own /refresh.
    let isolated = client(
        "handoff",
        json!({"storage": "memory", "crossTabSync": false}),
    );
    access_token(&isolated, opts(json!({"optional": true})))
        .await
        .expect("isolated");
    assert_eq!(
        request_count("/refresh"),
        2,
        "the opted-out client refreshed"
    );
    settle(sleep(50)).await.expect("tick");
    assert_eq!(channel_types(&listener), vec!["hello", "refreshed"]);
    assert_eq!(presence_locks("handoff").await.len(), 2);

    // Proxy providers: the proxy says who is signed in now, a sibling's session is no answer.
    let proxy_a = client(
        "handoff-proxy",
        json!({"flow": "proxy", "storage": "memory"}),
    );
    access_token(&proxy_a, none()).await.expect("proxy a");
    let proxy_listener = listen("backstage-wasm-auth:handoff-proxy:development");
    let proxy_b = client(
        "handoff-proxy",
        json!({"flow": "proxy", "storage": "memory"}),
    );
    access_token(&proxy_b, opts(json!({"optional": true})))
        .await
        .expect("proxy b");
    assert_eq!(
        request_count("/refresh"),
        4,
        "each proxy client asked the proxy"
    );
    wait_until(5000.0, || !channel_types(&proxy_listener).is_empty()).await;
    assert_eq!(channel_types(&proxy_listener), vec!["signedIn"], "no hello");
    assert!(presence_locks("handoff-proxy").await.is_empty());
    close_listener(&proxy_listener);
    drop(proxy_b);
    drop(proxy_a);

    // Sign-out releases the presence locks (B's own, A's on B's announcement); so does drop.
    settle(b.sign_out()).await.expect("sign out");
    wait_for_presence("handoff", 0).await;
    drop(isolated);
    drop(b);
    drop(a);
    close_listener(&listener);
    restore_all();
}

#[wasm_bindgen_test]
async fn a_tab_alone_or_with_only_expired_siblings_sends_no_hello() {
    answer_with(|_, _| (200, auth_response("alone-1", 1.0, None)), 0);
    let listener = listen("backstage-wasm-auth:alone:development");
    let a = client("alone", json!({"storage": "memory"}));
    assert_eq!(token_of(&a, "a").await.as_deref(), Some("alone-1"));
    assert_eq!(request_count("/refresh"), 1);
    wait_until(5000.0, || !channel_types(&listener).is_empty()).await;
    assert_eq!(
        channel_types(&listener),
        vec!["signedIn"],
        "no hello when alone"
    );

    // A's session (1 s) has expired: its presence lock says so, a new tab does not ask.
    wait_for_presence("alone", 1).await;
    settle(sleep(1100)).await.expect("expire");
    let b = client("alone", json!({"storage": "memory"}));
    access_token(&b, opts(json!({"optional": true})))
        .await
        .expect("b");
    assert_eq!(request_count("/refresh"), 2, "B refreshed");
    settle(sleep(50)).await.expect("tick");
    assert!(
        !channel_types(&listener).iter().any(|t| t == "hello"),
        "{:?}",
        channel_types(&listener)
    );
    drop(b);
    drop(a);
    close_listener(&listener);
    restore_all();
}
