//! backstage-wasm-auth: a Backstage auth client for the browser, in Rust.
//!
//! Pure logic (wire protocol, URLs, sessions, storage schema, refresh policy, theme messages)
//! builds and tests natively; the browser edges (`fetch`, popup, storage, JS bindings) only
//! build for `wasm32`.

pub mod config;
pub mod error;
pub mod jwt;
pub mod manager;
#[cfg(feature = "pkce")]
pub mod pkce;
pub mod protocol;
pub mod redirect;
pub mod scopes;
pub mod secret;
pub mod session;
pub mod state;
pub mod store;
pub mod sync;
#[cfg(feature = "theme")]
pub mod theme;
pub mod urls;

#[cfg(target_arch = "wasm32")]
mod browser;

#[cfg(target_arch = "wasm32")]
pub use browser::bindings::AuthClient;
