//! The options' defaults and bounds: the one place their numbers are written. The TypeScript
//! declarations (src/browser/contract.d.ts), the app-config schema (config.d.ts) and the npm
//! wrapper's config reader state them too; `contract_tests.rs` checks that they agree.

/// `environment` when neither the options nor the app config give one.
pub const ENVIRONMENT: &str = "development";
/// `refreshMarginSeconds`: refresh this long before a token expires (Backstage's own margin).
pub const REFRESH_MARGIN_SECONDS: f64 = 180.0;
pub const REFRESH_MARGIN_MAX_SECONDS: f64 = 86_400.0;
/// `popupTimeoutSeconds`: give up on an unanswered popup.
pub const POPUP_TIMEOUT_SECONDS: f64 = 300.0;
pub const POPUP_TIMEOUT_MAX_SECONDS: f64 = 86_400.0;
/// `requestTimeoutSeconds`: each request to the backend or provider.
pub const REQUEST_TIMEOUT_SECONDS: f64 = 30.0;
pub const REQUEST_TIMEOUT_MAX_SECONDS: f64 = 600.0;
/// `popup.width` / `popup.height`, as Backstage's `showLoginPopup`.
pub const POPUP_WIDTH: f64 = 450.0;
pub const POPUP_HEIGHT: f64 = 730.0;
pub const POPUP_MIN_SIDE: f64 = 100.0;
pub const POPUP_MAX_SIDE: f64 = 10_000.0;
/// `crossTabSync`.
pub const CROSS_TAB_SYNC: bool = true;
/// `redirectWhenPopupBlocked`: a blocked popup is a `PopupRejectedError` unless the app opts in.
pub const REDIRECT_WHEN_POPUP_BLOCKED: bool = false;
/// `refreshOnWake`: check the session when the network is back or the page is shown again.
pub const REFRESH_ON_WAKE: bool = true;
/// `backgroundRefresh`: a visible page refreshes the session shortly before its refresh margin.
pub const BACKGROUND_REFRESH: bool = true;
/// Background refresh: how long before the refresh margin at most (a quarter of the time until
/// the margin when that is shorter), so that a caller does not meet the margin while it runs.
pub const BACKGROUND_LEAD_MAX_SECONDS: f64 = 60.0;
