//! Size limits of the wire format, in UTF-8 bytes. The JS side (`js/theme/palette.ts`) names the
//! same numbers; `tests/theme/vectors.json` lists them and both sides' tests check them.

/// Largest accepted colour (or other ordinary string) value, in UTF-8 bytes.
pub const MAX_STRING_BYTES: usize = 256;
/// Largest accepted `fontFamily`, in UTF-8 bytes.
pub const MAX_FONT_BYTES: usize = 512;
/// Largest accepted theme `id`, in UTF-8 bytes.
pub const MAX_ID_BYTES: usize = 128;
/// Largest accepted serialized message for [`super::parse_str`], in bytes.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Longest accepted named colour (`lightgoldenrodyellow`, the longest CSS name, has 20).
pub const MAX_NAMED_COLOR_BYTES: usize = 32;
