//! backstage-wasm-auth: a Backstage auth client for the browser, in Rust.
//!
//! Pure logic (wire protocol, URLs, sessions, storage schema, refresh policy, theme messages)
//! builds and tests natively; the browser edges (`fetch`, popup, storage, JS bindings) only
//! build for `wasm32`.

pub mod clock;
pub mod config;
pub mod error;
pub mod http;
#[cfg(target_arch = "wasm32")]
pub(crate) mod js_json;
pub mod json;
pub mod jwt;
pub mod lifecycle;
pub mod manager;
#[cfg(feature = "pkce")]
pub mod pkce;
pub mod popup_features;
pub mod protocol;
pub mod redirect;
pub mod refresh_turn;
pub mod scopes;
pub mod secret;
pub mod secure_url;
pub mod session;
pub mod state;
pub mod store;
pub mod sync;
#[cfg(feature = "theme")]
pub mod theme;
pub mod urls;

#[cfg(all(target_arch = "wasm32", feature = "client"))]
mod browser;

#[cfg(all(target_arch = "wasm32", feature = "client"))]
pub use browser::bindings::AuthClient;

/// A free-list allocator instead of std's dlmalloc (~8 KB of wasm): the client and the theme
/// bridge allocate a few small strings per session or message.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
