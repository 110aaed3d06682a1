"""A small client of the Chrome DevTools Protocol over a pipe (chromium --remote-debugging-pipe):
enough to load a page headless, read what its scripts logged and threw, evaluate expressions and
take a screenshot. Python's standard library only."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time


class PageError(Exception):
    pass


class Chromium:
    """One headless Chromium with one page. Use as a context manager."""

    def __init__(self, executable=None, width=1280, height=900):
        self.executable = executable or os.environ.get("MAS_CHROMIUM") or "chromium"
        self.size = (width, height)
        self.events = []  # console messages, exceptions and log entries, as (kind, text)
        self._buffer = b""
        self._next_id = 0
        self._loaded = False

    def __enter__(self):
        self._profile = tempfile.mkdtemp(prefix="mas-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            # The protocol's pipe: Chromium reads on fd 3 and writes on fd 4. Moved out of the way
            # first, in case either end is 3 or 4 already.
            read_end, write_end = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        # The background-networking flags keep Chromium from reaching out to a closed network.
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
                 f"--user-data-dir={self._profile}", f"--window-size={self.size[0]},{self.size[1]}",
                 "--remote-debugging-pipe", "about:blank"]
        self._process = subprocess.Popen([self.executable] + flags, pass_fds=(3, 4),
                                         preexec_fn=child_fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Page", "Log"):
            self.call(f"{domain}.enable", session=True)
        return self

    def __exit__(self, *exc):
        try:
            self._send("Browser.close", {})
            self._process.wait(timeout=30)
        except Exception:
            self._process.kill()
            self._process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _send(self, method, params, session=None):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _receive(self):
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise PageError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        message = json.loads(message)
        self._note(message)
        return message

    def _note(self, message):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Page.loadEventFired":
            self._loaded = True
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.events.append((params.get("type"), text))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.events.append(("exception", text))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.events.append((entry.get("level"), entry.get("text", "")))

    def call(self, method, params=None, session=False):
        """Sends a command and returns its result; events that come before the reply are kept."""
        number = self._send(method, params or {}, self._session if session else None)
        while True:
            message = self._receive()
            if message.get("id") == number:
                if "error" in message:
                    raise PageError(f"{method}: {message['error']}")
                return message.get("result", {})

    def load(self, url, ready="true", timeout=120):
        """Opens `url` and waits for its load event and then for the expression `ready` to be true."""
        self._loaded = False
        self.call("Page.navigate", {"url": url}, session=True)
        while not self._loaded:
            self._receive()
        deadline = time.monotonic() + timeout
        while not self.evaluate(ready):
            if time.monotonic() > deadline:
                raise PageError(f"{url}: {ready} did not become true within {timeout} s; events: {self.events}")
            # The page's own work (a queued microtask, a layout) finishes between two evaluations.
            self.evaluate("new Promise((resolve) => requestAnimationFrame(() => resolve(true)))")

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (promises are awaited)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session=True)
        if "exceptionDetails" in result:
            raise PageError(f"{expression}: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"].get("value")

    def screenshot(self, path):
        """A PNG of the whole page (not only the window) at `path`."""
        metrics = self.call("Page.getLayoutMetrics", session=True)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True},
                         session=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
