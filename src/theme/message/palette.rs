//! The palette: its colours' wire keys and CSS custom properties, listed once (in
//! [`palette_keys!`]), and the validated [`Palette`].

use crate::json::Json;

/// One colour of the palette: its wire key, the path that errors name, and the CSS custom
/// property the iframe sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaletteKey {
    /// `textPrimary`
    pub key: &'static str,
    /// `palette.textPrimary`
    pub path: &'static str,
    /// `--bs-text-primary`
    pub property: &'static str,
}

macro_rules! palette_keys {
    ($($key:literal => $property:literal,)*) => {
        /// The palette, in wire order: the one list of its colours (parsing, encoding, the
        /// iframe's CSS custom properties and the tests all go through it).
        pub const PALETTE_KEYS: &[PaletteKey] = &[$(PaletteKey {
            key: $key,
            path: concat!("palette.", $key),
            property: $property,
        }),*];

        /// The TypeScript `ThemePalette` interface of the theme module's generated `.d.ts`
        /// (a `typescript_custom_section` of `theme::js`), from the same list.
        pub const TS_THEME_PALETTE: &str = concat!(
            "/** Colours are CSS colour strings: #hex, rgb()/rgba()/hsl()/hsla(), or a lower-case name. */\n",
            "export interface ThemePalette {\n",
            $("  ", $key, ": string;\n",)*
            "}\n",
        );
    };
}

palette_keys! {
    "primary" => "--bs-primary",
    "background" => "--bs-background",
    "paper" => "--bs-paper",
    "textPrimary" => "--bs-text-primary",
    "textSecondary" => "--bs-text-secondary",
    "divider" => "--bs-divider",
    "error" => "--bs-error",
    "warning" => "--bs-warning",
    "success" => "--bs-success",
    "info" => "--bs-info",
    "navigation" => "--bs-navigation",
}

/// Number of colours in a palette.
pub const PALETTE_LEN: usize = PALETTE_KEYS.len();

/// The custom property that carries [`super::Theme::font_family`].
pub const FONT_FAMILY_PROPERTY: &str = "--bs-font-family";

/// The palette: CSS-ready colour strings, each checked by [`super::is_safe_color`], in the order of
/// [`PALETTE_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette(pub [String; PALETTE_LEN]);

impl Palette {
    /// `(wire key, CSS custom property, value)` for every colour, in wire order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &'static str, &str)> {
        PALETTE_KEYS
            .iter()
            .zip(&self.0)
            .map(|(k, value)| (k.key, k.property, value.as_str()))
    }

    /// The colour under a wire key (`textPrimary`).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, value)| value)
    }

    pub(super) fn to_json(&self) -> Json {
        Json::Obj(
            self.entries()
                .map(|(key, _, value)| (key.to_owned(), Json::from(value)))
                .collect(),
        )
    }
}
