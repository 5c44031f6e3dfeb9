//! The welcome screen's rule for naming a device: suggest a label from the browser and the platform,
//! so that "Start using Liaison" only waits for the officer's own name.

/// A device label such as "Chrome on Windows" or "Safari on iPad", from the browser's user-agent
/// string and its platform hint (`navigator.userAgentData.platform` or `navigator.platform`; either
/// may be empty). Unknown parts fall back to "Browser" and "this device", so the label is never blank.
pub fn suggested_device_label(user_agent: &str, platform: &str) -> String {
    let ua = user_agent;
    // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", and so on.
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        if ua.contains("Chromium/") {
            "Chromium"
        } else {
            "Chrome"
        }
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "Browser"
    };
    let hint = platform.to_ascii_lowercase();
    let device = if ua.contains("iPad") || (hint.contains("mac") && ua.contains("Mobile/")) {
        "iPad"
    } else if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("Android") || hint.contains("android") {
        if ua.contains("Mobile") {
            "Android phone"
        } else {
            "Android tablet"
        }
    } else if hint.starts_with("win") || ua.contains("Windows") {
        "Windows"
    } else if hint.contains("mac") || ua.contains("Macintosh") {
        "Mac"
    } else if ua.contains("CrOS") || hint.contains("chrome os") {
        "ChromeOS"
    } else if hint.contains("linux") || ua.contains("Linux") {
        "Linux"
    } else {
        "this device"
    };
    format!("{browser} on {device}")
}

#[cfg(test)]
mod tests {
    use super::suggested_device_label;

    #[test]
    fn a_device_is_named_by_its_browser_and_platform() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0",
                "Windows",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
                "Linux x86_64",
                "Chrome on Linux",
            ),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "MacIntel", "Safari on iPad"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.0; rv:125.0) Gecko/20100101 Firefox/125.0", "MacIntel", "Firefox on Mac"),
            ("Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36", "", "Chrome on Android tablet"),
        ];
        for (ua, platform, want) in cases {
            assert_eq!(suggested_device_label(ua, platform), want, "{ua}");
        }
    }

    #[test]
    fn an_unknown_browser_still_gets_a_label() {
        assert_eq!(suggested_device_label("", ""), "Browser on this device");
    }
}
