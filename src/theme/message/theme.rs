//! The payload of a `theme` message: [`Theme`] and its validation.

use super::{
    check_id, is_safe_color, is_safe_font_family, object_field, string_field, Palette,
    ThemeMessageError, MAX_FONT_BYTES, MAX_ID_BYTES, MAX_STRING_BYTES, PALETTE_KEYS, PALETTE_LEN,
};
use crate::json::{Json, ObjectBuilder};

/// `light` or `dark`: also becomes the iframe's `color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Light,
    Dark,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Light => "light",
            Variant::Dark => "dark",
        }
    }
}

/// The payload of a `theme` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub id: String,
    pub variant: Variant,
    pub palette: Palette,
    pub font_family: String,
}

impl Theme {
    /// The theme as its wire object (`id`, `variant`, `palette`, `fontFamily`).
    pub fn to_json(&self) -> Json {
        ObjectBuilder::new()
            .set("id", Json::from(self.id.as_str()))
            .set("variant", Json::from(self.variant.as_str()))
            .set("palette", self.palette.to_json())
            .set("fontFamily", Json::from(self.font_family.as_str()))
            .build()
    }
}

/// Validates a bare theme object (the `payload` of a `theme` message, or what an app hands to
/// `new ThemeHost(theme)` / `setTheme(theme)`).
pub fn parse_theme(value: &Json) -> Result<Theme, ThemeMessageError> {
    match value {
        Json::Obj(_) => parse_theme_object(value),
        _ => Err(ThemeMessageError::WrongType {
            field: "theme",
            expected: "an object",
        }),
    }
}

pub(super) fn parse_theme_object(obj: &Json) -> Result<Theme, ThemeMessageError> {
    let id = string_field(obj, "id", "id", MAX_ID_BYTES)?;
    check_id(id, "id")?;
    let variant = match string_field(obj, "variant", "variant", MAX_STRING_BYTES)? {
        "light" => Variant::Light,
        "dark" => Variant::Dark,
        _ => return Err(ThemeMessageError::InvalidVariant),
    };
    let palette = object_field(obj.get("palette"), "palette")?;
    let mut colors: [String; PALETTE_LEN] = Default::default();
    for (k, color) in PALETTE_KEYS.iter().zip(&mut colors) {
        let value = string_field(palette, k.key, k.path, MAX_STRING_BYTES)?;
        if !is_safe_color(value) {
            return Err(ThemeMessageError::InvalidColor(k.path));
        }
        value.clone_into(color);
    }
    let font_family = string_field(obj, "fontFamily", "fontFamily", MAX_FONT_BYTES)?;
    if !is_safe_font_family(font_family) {
        return Err(ThemeMessageError::InvalidFontFamily);
    }
    Ok(Theme {
        id: id.to_owned(),
        variant,
        palette: Palette(colors),
        font_family: font_family.to_owned(),
    })
}
