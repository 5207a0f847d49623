//! The `window.open` features of the sign-in popup.

/// `window.open` features for a centred popup, as Backstage's `showLoginPopup` builds them.
pub fn popup_features(width: u32, height: u32, fullscreen: bool, screen: (i32, i32)) -> String {
    let (screen_w, screen_h) = screen;
    let (w, h) = if fullscreen {
        (screen_w.max(0) as u32, screen_h.max(0) as u32)
    } else {
        (width, height)
    };
    let left = (screen_w / 2 - w as i32 / 2).max(0);
    let top = (screen_h / 2 - h as i32 / 2).max(0);
    let mut features = "menubar=no,location=no,resizable=no,scrollbars=no,status=no".to_owned();
    for (key, value) in [
        (",width=", w),
        (",height=", h),
        (",top=", top as u32),
        (",left=", left as u32),
    ] {
        features.push_str(key);
        crate::json::push_uint(&mut features, u64::from(value));
    }
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popup_is_centred() {
        assert_eq!(
            popup_features(450, 730, false, (1920, 1080)),
            "menubar=no,location=no,resizable=no,scrollbars=no,status=no,width=450,height=730,top=175,left=735"
        );
        assert!(popup_features(450, 730, true, (1280, 800))
            .ends_with("width=1280,height=800,top=0,left=0"));
    }
}
