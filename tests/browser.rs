//! Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
//! JSON messages ended by NUL, on the child's fds 3 and 4): real clicks, the page's
//! console errors and every network request it makes, with no driver to install.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

pub struct Browser {
    child: Child,
    to_browser: std::io::PipeWriter,
    from_browser: BufReader<std::io::PipeReader>,
    next_id: u64,
    session: String,
    /// Events seen while waiting for replies: console messages, exceptions, requests.
    pub events: Vec<Value>,
    _profile: tempfile::TempDir,
}

/// Chromium's path, or `None` (said visibly) where it is not installed, except in CI.
pub fn chromium(test: &str) -> Option<&'static str> {
    for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] {
        if Path::new(path).exists() {
            return Some(path);
        }
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{test}: chromium is missing in CI (.ci/run installs it)");
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: chromium is not installed");
    None
}

/// Makes `fd` (10 or above) the child's descriptor `target`, open across exec.
fn place(fd: i32, target: i32) -> std::io::Result<()> {
    // SAFETY: dup2 is async-signal-safe, between fork and exec, on descriptors we own; the
    // copy it makes is not close-on-exec.
    if unsafe { libc::dup2(fd, target) } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

impl Browser {
    pub fn launch(binary: &str, width: u32, height: u32) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (browser_reads, to_browser) = std::io::pipe().unwrap();
        let (from_browser, browser_writes) = std::io::pipe().unwrap();
        // Above 4, so that placing one on 3 or 4 cannot close the other.
        let (r, w) = (high(OwnedFd::from(browser_reads)), high(OwnedFd::from(browser_writes)));
        let mut command = Command::new(binary);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-pipe",
                &format!("--window-size={width},{height}"),
                &format!("--user-data-dir={}", profile.path().display()),
                "about:blank",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let (rf, wf) = (r.as_raw_fd(), w.as_raw_fd());
        // SAFETY: only dup2/fcntl run in the child before exec.
        unsafe {
            command.pre_exec(move || {
                place(rf, 3)?;
                place(wf, 4)
            });
        }
        let child = command.spawn().expect("chromium starts");
        drop((r, w));
        let mut browser = Browser {
            child,
            to_browser,
            from_browser: BufReader::new(from_browser),
            next_id: 0,
            session: String::new(),
            events: Vec::new(),
            _profile: profile,
        };
        let target = browser.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.call("Target.attachToTarget", json!({"targetId": target["targetId"], "flatten": true}));
        browser.session = attached["sessionId"].as_str().unwrap().to_owned();
        for domain in ["Page", "Runtime", "Log", "Network"] {
            browser.call(&format!("{domain}.enable"), json!({}));
        }
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
        browser
    }

    fn send(&mut self, method: &str, params: Value) -> u64 {
        self.next_id += 1;
        let mut message = json!({"id": self.next_id, "method": method, "params": params});
        if !self.session.is_empty() && !method.starts_with("Target.") {
            message["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser.write_all(&bytes).unwrap();
        self.next_id
    }

    fn receive(&mut self) -> Value {
        let mut bytes = Vec::new();
        self.from_browser.read_until(0, &mut bytes).unwrap();
        assert_eq!(bytes.pop(), Some(0), "chromium closed the pipe");
        serde_json::from_slice(&bytes).unwrap()
    }

    /// Sends a command and waits for its reply, keeping the events that come before it.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        loop {
            let message = self.receive();
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{method}: {}", message["error"]);
                return message["result"].clone();
            }
            self.events.push(message);
        }
    }

    /// Waits for an event of this method.
    pub fn wait_for(&mut self, method: &str) -> Value {
        if let Some(at) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(at);
        }
        loop {
            let message = self.receive();
            if message["method"] == method {
                return message;
            }
            self.events.push(message);
        }
    }

    /// Opens a file and waits for its load event.
    pub fn open(&mut self, path: &Path) {
        let url = format!("file://{}", path.display());
        self.events.retain(|e| e["method"] != "Page.loadEventFired");
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for("Page.loadEventFired");
    }

    /// Waits (up to 10 s) for a JavaScript expression to be true.
    pub fn wait_until(&mut self, expression: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.eval(expression) != Value::Bool(true) {
            assert!(std::time::Instant::now() < deadline, "still not true after 10 s: {expression}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// The value of a JavaScript expression.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true}));
        assert!(result.get("exceptionDetails").is_none(), "{expression}: {}", result["exceptionDetails"]);
        result["result"]["value"].clone()
    }

    /// A real mouse click (pressed and released) in the middle of the first element `selector` finds.
    pub fn click(&mut self, selector: &str) {
        let at = self.eval(&format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) return null; \
             const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
        ));
        assert!(at.is_array(), "nothing matches {selector}");
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": at[0], "y": at[1], "button": "left", "clickCount": 1}),
            );
        }
    }

    /// What the page said went wrong: console errors, uncaught exceptions, error log entries.
    pub fn errors(&mut self) -> Vec<String> {
        self.call("Runtime.evaluate", json!({"expression": "0"})); // collect what is pending
        self.events
            .iter()
            .filter_map(|e| match e["method"].as_str()? {
                "Runtime.exceptionThrown" => Some(e["params"]["exceptionDetails"].to_string()),
                "Runtime.consoleAPICalled" if e["params"]["type"] == "error" => Some(e["params"]["args"].to_string()),
                "Log.entryAdded" if e["params"]["entry"]["level"] == "error" => Some(e["params"]["entry"].to_string()),
                _ => None,
            })
            .collect()
    }

    /// The URLs of every request the page made.
    pub fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .map(|e| e["params"]["request"]["url"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// A PNG of the viewport.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, shot["data"].as_str().unwrap()).unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn high(fd: OwnedFd) -> OwnedFd {
    // SAFETY: F_DUPFD_CLOEXEC returns a new descriptor we then own.
    let raw = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
    assert!(raw >= 10, "{}", std::io::Error::last_os_error());
    // SAFETY: `raw` is a fresh descriptor nothing else owns.
    unsafe { std::os::fd::FromRawFd::from_raw_fd(raw) }
}
