#!/usr/bin/env python3
"""Drives the customer tracking pages in headless Chromium (Selenium 4) and checks them, with axe-core 4.x too.

  python3 scripts/browser/tracking_page_test.py SCENARIO.json
  python3 scripts/browser/tracking_page_test.py --check-environment

SCENARIO.json is written by the Swift test that starts the real server (see README.md beside this file). Every
failed check is printed as `FAIL [section] message` at once and again at the end; the exit status is 0 when all
checks pass, 1 otherwise (also when the browser cannot start). Full-page screenshots of every page at 390x844 and
1280x800, and axe's results, go to the scenario's artefacts_dir. --check-environment starts Chromium, loads
axe-core into it and exits 0 when both work. Environment: CHROMIUM_BINARY (default /usr/bin/chromium),
CHROMEDRIVER (default /usr/bin/chromedriver), AXE_JS (an axe.min.js instead of the installed package's).
"""
import base64
import importlib.util
import json
import math
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError as error:
    print(f"FAIL cannot import selenium ({error}): pip install selenium", flush=True)
    sys.exit(1)

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
HANGUL = re.compile("[\uac00-\ud7a3]")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# PyPI packages that ship axe-core's axe.min.js, and where; the newest 4.x installed is used.
AXE_PACKAGES = {"axe_playwright_python": "axe.min.js", "selenium_axe_python": "axe-core/axe.min.js",
                "axe_core_python": "axe.min.js", "axe_selenium_python": "node_modules/axe-core/axe.min.js"}
ADDRESS_FIELDS = ["name", "line1", "line2", "city", "region", "postal_code", "country", "phone"]

# Form controls with no accessible name: none of label[for] (with text), a wrapping label, aria-label(ledby).
UNLABELLED_JS = """
const bad = [], name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? `[name=${el.name}]` : '');
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes((el.getAttribute('type') || '').toLowerCase())) continue;
  const forLabel = el.id && [...document.querySelectorAll('label')].find(l => l.htmlFor === el.id);
  if (!((forLabel && forLabel.textContent.trim()) || (el.closest('label') && el.closest('label').textContent.trim())
        || (el.getAttribute('aria-label') || '').trim() || el.getAttribute('aria-labelledby'))) bad.push(name(el));
}
for (const b of document.querySelectorAll('button, input[type=submit], input[type=button]'))
  if (!(b.textContent.trim() || (b.value || '').trim() || (b.getAttribute('aria-label') || '').trim())) bad.push(name(b));
return bad;"""
# The page's width at the current viewport with every folded <details> opened (then folded again).
OVERFLOW_JS = """
const closed = [...document.querySelectorAll('details:not([open])')];
closed.forEach(d => d.open = true);
const widths = [document.documentElement.scrollWidth, innerWidth];
closed.forEach(d => d.open = false);
return widths;"""
AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done({version: axe.version, passes: r.passes.length, incomplete: r.incomplete.length,
    violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}))}))
  .catch(e => done({error: String(e)}));"""
# A cancel request the page itself does not offer; hidden fields of its own forms (a CSRF token?) come along.
INJECT_CANCEL_JS = """
const [action, reason] = arguments, f = document.createElement('form'), names = new Set(['reason']);
f.method = 'post'; f.action = action;
for (const h of document.querySelectorAll('form input[type=hidden]'))
  if (h.name && !names.has(h.name)) { names.add(h.name); f.appendChild(h.cloneNode()); }
const r = Object.assign(document.createElement('input'), {type: 'hidden', name: 'reason', value: reason});
f.appendChild(r); document.body.appendChild(f); f.submit();"""


def find_axe():
    """(path, version) of the newest axe-core 4.x axe.min.js: AXE_JS, or one inside an installed package."""
    candidates = [Path(os.environ["AXE_JS"])] if os.environ.get("AXE_JS") else []
    for package, relative in AXE_PACKAGES.items() if not candidates else ():
        spec = importlib.util.find_spec(package)  # finds the package without importing it (and its deps)
        if spec and spec.submodule_search_locations:
            candidates += [Path(p) / relative for p in spec.submodule_search_locations]
    found = []
    for path in filter(Path.is_file, candidates):
        match = re.search(r"axe v(\d+)\.(\d+)\.(\d+)", path.read_text(encoding="utf-8", errors="replace")[:300])
        if match and match.group(1) == "4":
            found.append((tuple(map(int, match.groups())), path))
    if not found:
        print("FAIL no axe-core 4.x: pip install --no-deps axe-playwright-python (or set AXE_JS)", flush=True)
        sys.exit(1)
    version, path = max(found)
    return path, ".".join(map(str, version))


def brief(error):  # an exception in one line, without chromedriver's stack trace
    return f"{type(error).__name__}: {' '.join(str(error).split('Stacktrace:')[0].split())[:300]}"


def start_browser(javascript=True):
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
    # --hide-scrollbars: overlay scrollbars as on a phone, so innerWidth is the width the page may use.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                     "--lang=en-US", "--window-size=1280,800"):
        options.add_argument(argument)
    prefs = {"intl.accept_languages": "en-US,en"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return driver


def set_viewport(d, name):
    width, height = VIEWPORTS[name]
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


class Run:
    def __init__(self, scenario, axe_js):
        self.s, self.axe_js = scenario, axe_js
        self.base, self.slug = scenario["base_url"].rstrip("/"), scenario["shop_slug"]
        self.orders = scenario["orders"]
        self.art = Path(scenario["artefacts_dir"])
        self.art.mkdir(parents=True, exist_ok=True)
        self.failures, self.checks, self.pages, self.section = [], 0, 0, ""
        self.reason = None  # a reason the cancel form offers, reused for the refused cancel
        self.warned_viewport = False
        self.d = start_browser()
        set_viewport(self.d, "phone")

    # --- plumbing ------------------------------------------------------------------------------------------
    def check(self, ok, message):
        self.checks += 1
        if not ok:
            self.failures.append(f"[{self.section}] {message}")
            print(f"FAIL [{self.section}] {message}", flush=True)
        return ok

    def go(self, path, d=None):
        d = d or self.d
        d.get(self.base + path)
        WebDriverWait(d, 20).until(lambda x: x.execute_script("return document.readyState") == "complete")

    def navigate(self, action):
        """Clicks an element (or calls a function that navigates) and waits for the next document to load."""
        self.d.execute_script("window.__oldPage = true")  # gone with the old document's window

        def loaded(d):
            try:  # in mid-navigation chromedriver may answer with any error
                return d.execute_script("return window.__oldPage !== true && document.readyState === 'complete'")
            except WebDriverException:
                return False
        action() if callable(action) else action.click()
        WebDriverWait(self.d, 20).until(loaded)

    def submit(self, form):
        self.navigate(form.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit], button:not([type])"))

    def one(self, css, d=None):
        found = (d or self.d).find_elements(By.CSS_SELECTOR, css)
        return found[0] if found else None

    def count(self, css, within=None):
        return len((within or self.d).find_elements(By.CSS_SELECTOR, css))

    def text(self, css, d=None):
        element = self.one(css, d)
        return element.text.strip() if element else ""

    def body_text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def lang(self):
        return self.d.find_element(By.TAG_NAME, "html").get_attribute("lang")

    def where(self):
        parts = urlsplit(self.d.current_url)
        return parts.path, parse_qs(parts.query)

    def status(self):  # the HTTP status of the page shown (after redirects)
        return self.d.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")

    @staticmethod
    def shows_number(text, number):  # "#1001" or "1001", not inside a longer number
        return re.search(r"(?<![0-9])#?" + re.escape(number.lstrip("#")) + r"(?![0-9])", text) is not None

    def reveal(self, form):
        """Opens the <details> a form is folded into, as a customer would (a closed one's controls can't be used)."""
        summary = self.d.execute_script("const d = arguments[0].closest('details');"
                                        "return d && !d.open ? d.querySelector('summary') : null", form)
        if summary is not None:
            summary.click()
        return form

    def fill(self, form, name, value):
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)

    def check_form(self, form_id, method, action_path, page):
        form = self.one(f"form#{form_id}")
        if not self.check(form is not None, f"{page}: form#{form_id} is missing"):
            return None
        self.check(form.get_attribute("method").lower() == method, f"{page}: form#{form_id} method is not {method}")
        action = urlsplit(form.get_attribute("action") or "").path
        self.check(action == action_path, f"{page}: form#{form_id} action is {action!r}, expected {action_path!r}")
        return form

    def screenshot(self, d, name, viewport):
        size = d.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        width = max(VIEWPORTS[viewport][0], math.ceil(size["width"]))  # wider than the viewport if it overflows
        height = min(max(VIEWPORTS[viewport][1], math.ceil(size["height"])), 12000)
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        shot = d.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        (self.art / f"{self.pages:02d}-{name}-{viewport}.png").write_bytes(base64.b64decode(shot["data"]))

    def inspect(self, name, d=None):
        """What every page gets: no script from data ran, every control is labelled, nothing scrolls sideways at
        390 px; and full-page screenshots at both viewports (the browser is left at the phone one)."""
        d = d or self.d
        self.pages += 1
        xss, title = d.execute_script("return [typeof window.__xss, document.title]")
        self.check(xss == "undefined" and title != "XSS", f"{name}: injected script ran (window.__xss {xss}, title {title!r})")
        unlabelled = d.execute_script(UNLABELLED_JS)
        self.check(not unlabelled, f"{name}: form controls without an accessible label: {', '.join(unlabelled)}")
        for viewport in ("desktop", "phone"):
            set_viewport(d, viewport)
            if viewport == "phone":
                scroll, inner = d.execute_script(OVERFLOW_JS)
                self.check(scroll <= inner, f"{name}: scrolls sideways at 390 px (scrollWidth {scroll} > innerWidth {inner})")
            self.screenshot(d, name, viewport)
        meta = d.execute_script("const m = document.querySelector('meta[name=viewport]'); return m && m.content") or ""
        if "width=device-width" not in meta.replace(" ", "") and not self.warned_viewport:
            self.warned_viewport = True  # not in the contract: said once, not failed
            print(f"warning: {name} has no <meta name=viewport content='width=device-width'>; "
                  "a phone would lay it out 980 px wide", flush=True)

    def axe(self, name):
        # Folded <details> (the FAQ, the self-service forms) are opened first: axe skips what is hidden.
        self.d.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        self.d.execute_script(self.axe_js)
        result = self.d.execute_async_script(AXE_RUN_JS, AXE_TAGS)
        (self.art / f"axe-{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        if not self.check("error" not in result, f"axe on {name} failed: {result.get('error')}"):
            return
        for v in result["violations"]:
            targets = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
            line = f"axe {name}: {v['id']} ({v['impact']}) at {targets}: {v['help']} <{v['helpUrl']}>"
            if v["impact"] in ("serious", "critical"):
                self.check(False, line)
            else:
                print(f"note: {line}", flush=True)
        print(f"  axe {result['version']} on {name}: {len(result['violations'])} violations, {result['passes']} rules "
              f"passed, {result['incomplete']} to review by hand", flush=True)

    # --- the checks, one method a section ---------------------------------------------------------------------
    def lookup(self):
        page, look = f"/track/{self.slug}", self.s["lookup"]
        self.go(page)
        self.inspect("lookup")
        if self.check_form("lookup-form", "post", page, "lookup page") is None:
            return
        for name in ("order_number", "contact"):  # (their labels: inspect checks every control's)
            self.check(self.one(f"#lookup-form input[name={name}]") is not None, f"lookup page: no input {name}")
        unknown = str(int("0" + re.sub(r"\D", "", look["order_number"])) + 987654)
        errors = {}
        for what, number, contact, viewport in (("e-mail", look["order_number"], look["email"], "phone"),
                                                ("postal code", look["order_number"], look["postal_code"], "desktop"),
                                                ("wrong e-mail", look["order_number"], look["wrong_email"], "phone"),
                                                ("unknown number", unknown, look["email"], "phone")):
            set_viewport(self.d, viewport)
            self.go(page)
            form = self.one("#lookup-form")
            self.fill(form, "order_number", number)
            self.fill(form, "contact", contact)
            self.submit(form)
            path, _ = self.where()
            slug = what.replace(" ", "-")
            if what in ("e-mail", "postal code"):
                self.check(path.startswith("/t/"), f"lookup by {what} ({viewport}) went to {path}, not to an order page /t/…")
                self.check(self.text("h1#headline"), f"lookup by {what}: no h1#headline with text on {path}")
                number_shown = self.orders["cancel"]["number"]
                self.check(self.shows_number(self.body_text(), number_shown), f"lookup by {what}: {number_shown} not shown")
                self.inspect(f"lookup-by-{slug}-result")
            else:
                self.check(path.rstrip("/") == page, f"lookup with {what} went to {path}, not back to the lookup page")
                errors[what] = self.text("#lookup-error[role=alert]")
                self.check(errors[what], f"lookup with {what}: no #lookup-error[role=alert] with text")
                self.inspect(f"lookup-{slug}")
                if what == "wrong e-mail":
                    self.axe("lookup-error")
        self.check(errors["wrong e-mail"] == errors["unknown number"], "#lookup-error tells the cases apart: wrong e-mail "
                   f"{errors['wrong e-mail']!r}, unknown number {errors['unknown number']!r}")

    def shipment(self, section, page, scanned):
        self.check(self.count("ol.progress li", section) > 0, f"{page}: a shipment has no ol.progress steps")
        current = self.count("ol.progress li[aria-current=step]", section)
        self.check(current == 1, f"{page}: {current} progress steps have aria-current=step, expected 1")
        self.check(self.count("ol.scans", section) == 1, f"{page}: a shipment has no ol.scans")
        if scanned:  # (a parcel not yet with the carrier has an empty list)
            self.check(self.count("ol.scans li", section) > 0, f"{page}: the shipment has no ol.scans li")

    def order_page(self, key, order):
        page = f"order {key}"
        self.check(self.lang() in ("ko", "en"), f"{page}: <html lang> is {self.lang()!r}, not ko or en")
        for css in ("a.skip[href='#main']", "main#main", "#items", "#faq details", "#self-service",
                    "#contact-form textarea[name=message]", "nav#lang a[hreflang=ko]", "nav#lang a[hreflang=en]"):
            self.check(self.one(css) is not None, f"{page}: no {css}")
        self.check(self.text("h1#headline"), f"{page}: h1#headline is missing or empty")
        self.check(self.shows_number(self.body_text(), order["number"]), f"{page}: the number {order['number']} is not shown")
        before_hand_over = key in ("cancel", "address")
        if key == "shipped":  # (the hostile order's stage is not part of the scenario)
            for form_id in ("cancel-form", "address-form"):
                self.check(self.one(f"form#{form_id}") is None, f"{page}: form#{form_id} is there after hand-over")
        if before_hand_over:
            for form_id, action in (("cancel-form", "cancel"), ("address-form", "address"), ("updates-form", "updates")):
                self.check_form(form_id, "post", f"{order['path']}/{action}", page)
        self.check_form("contact-form", "post", order["path"] + "/contact", page)
        shipments = self.d.find_elements(By.CSS_SELECTOR, "section.shipment[data-number]")
        self.check(shipments or before_hand_over, f"{page}: no section.shipment[data-number]")
        for section in shipments:
            self.shipment(section, page, scanned=not before_hand_over)

    def links(self):
        for key, order in self.orders.items():
            self.go(order["path"])
            self.check(self.status() == 200, f"order {key}: {order['path']} answered {self.status()}")
            self.order_page(key, order)
            self.inspect(f"order-{key}")
        shipped = self.orders["shipped"]
        self.go(self.s["tampered_path"])
        self.check(self.status() == 404, f"tampered link answered {self.status()}, expected 404")
        self.check(self.one("#link-error") is not None, "tampered link: no #link-error")
        source = self.d.page_source
        self.check(shipped["number"] not in source and not self.shows_number(self.body_text(), shipped["number"]),
                   f"tampered link shows the order number {shipped['number']}")
        for field in ("tracking_number", "customer_name", "address_line1"):
            self.check(shipped[field] not in source, f"tampered link shows the order's {field} {shipped[field]!r}")
        self.inspect("tampered-link")

    def keyboard(self):
        for key in ("shipped", "address"):
            for viewport in ("phone", "desktop"):
                page = f"order {key} ({viewport})"
                set_viewport(self.d, viewport)
                self.go(self.orders[key]["path"])
                ActionChains(self.d).send_keys(Keys.TAB).perform()
                focused = self.d.execute_script("return document.activeElement.outerHTML.slice(0, 100)")
                if not self.check(self.d.execute_script("return document.activeElement.matches(\"a.skip[href='#main']\")"),
                                  f"{page}: the first Tab focuses {focused}, not a.skip[href='#main']"):
                    continue
                visible = self.d.execute_script("const r = document.activeElement.getBoundingClientRect(); return r.width > 1 "
                                                "&& r.height > 1 && r.right > 0 && r.left < innerWidth && r.bottom > 0 && r.top < innerHeight")
                self.check(visible, f"{page}: the focused skip link is not on screen")
                if viewport == "phone":
                    self.pages += 1
                    self.screenshot(self.d, f"order-{key}-skip-link-focused", viewport)
                ActionChains(self.d).send_keys(Keys.ENTER).send_keys(Keys.TAB).perform()
                self.check(self.d.execute_script("return document.getElementById('main').contains(document.activeElement)"),
                           f"{page}: after Enter on the skip link, Tab does not go into #main")
        set_viewport(self.d, "phone")

    def accessibility(self):
        shipped, tracking = self.orders["shipped"]["path"], self.orders["shipped"]["tracking_number"]
        for name, path in (("lookup", f"/track/{self.slug}"), ("order-shipped-ko", shipped + "?lang=ko"),
                           ("order-shipped-en", shipped + "?lang=en"), ("order-unshipped", self.orders["address"]["path"]),
                           ("parcel", f"/track/{self.slug}/parcel?number={tracking}")):
            self.go(path)
            self.axe(name)

    def languages(self):
        path = self.orders["shipped"]["path"]
        for viewport in ("phone", "desktop"):
            set_viewport(self.d, viewport)
            self.go(path)
            for lang in ("ko", "en"):
                link = self.one(f"nav#lang a[hreflang={lang}]")
                if not self.check(link is not None, f"({viewport}) no nav#lang a[hreflang={lang}]"):
                    continue
                self.navigate(link)
                self.check(self.lang() == lang, f"({viewport}) after the {lang} link <html lang> is {self.lang()!r}")
                self.check(self.where()[0] == path, f"({viewport}) the {lang} link left the order for {self.d.current_url}")
                headline = self.text("h1#headline")
                self.check(bool(HANGUL.search(headline)) == (lang == "ko"),
                           f"({viewport}) the {lang} headline {'has no' if lang == 'ko' else 'has'} Hangul: {headline!r}")
                if viewport == "phone":
                    self.inspect(f"order-shipped-{lang}")
        set_viewport(self.d, "phone")

    def hostile(self):
        text = self.orders["hostile"]["hostile_text"]
        self.go(self.orders["hostile"]["path"])
        time.sleep(0.3)  # time for a would-be onerror handler
        state = self.d.execute_script(
            "return {xss: typeof window.__xss, title: document.title, onerror: document.querySelectorAll('[onerror]').length,"
            " all: document.body.textContent, faq: (document.getElementById('faq') || {}).textContent || '',"
            " scans: [...document.querySelectorAll('ol.scans')].map(e => e.textContent).join(' ')}")
        self.check(state["xss"] == "undefined", "hostile order: window.__xss is set: the onerror handler ran")
        self.check(state["title"] != "XSS", "hostile order: document.title is 'XSS': the script ran")
        self.check(state["onerror"] == 0, f"hostile order: {state['onerror']} elements carry an onerror attribute")
        self.check(text in state["scans"], "hostile order: the hostile text is not shown literally in ol.scans")
        self.check(text in state["faq"], "hostile order: the hostile text is not shown literally in #faq")
        self.check("<script>" in self.body_text(), "hostile order: '<script>' is not in the visible text")
        if state["all"].count(text) < 3:  # where the customer's name is shown is not in the contract
            print(f"note: the hostile text is on the page {state['all'].count(text)} times (scan, FAQ, name?)", flush=True)
        self.inspect("order-hostile")

    def parcel(self):
        shipped, page = self.orders["shipped"], f"/track/{self.slug}/parcel"
        self.go(f"/track/{self.slug}")
        form = self.check_form("parcel-form", "get", page, "lookup page")
        if form is None:
            return
        self.fill(form, "number", shipped["tracking_number"])
        self.submit(form)
        self.check(self.where()[0] == page, f"the parcel form went to {self.d.current_url}")
        sections = self.d.find_elements(By.CSS_SELECTOR, "section.shipment")
        self.check(sections, "parcel page: no section.shipment")
        for section in sections:
            self.shipment(section, "parcel page", scanned=True)
        source = self.d.page_source
        for field in ("customer_name", "address_line1"):
            self.check(shipped[field] not in source, f"parcel page: personal data in the source: {field} {shipped[field]!r}")
        self.inspect("parcel")

    def without_javascript(self):
        d = start_browser(javascript=False)
        try:
            d.get("data:text/html,<title>off</title><script>document.title='on'</script>")
            if not self.check(d.title == "off", "the browser meant to run no JavaScript runs it: nothing to check"):
                return
            set_viewport(d, "phone")
            self.go(self.orders["shipped"]["path"], d)
            self.check(self.text("h1#headline", d), "without JavaScript: no h1#headline with text")
            self.check(self.count("ol.scans li", d) > 0, "without JavaScript: no ol.scans li")
            self.inspect("order-shipped-no-javascript", d)
        finally:
            d.quit()

    def cancel(self):
        path = self.orders["cancel"]["path"]
        self.go(path)
        form = self.one("form#cancel-form")
        if not self.check(form is not None, "order cancel: no form#cancel-form"):
            return
        self.reveal(form)
        select = Select(form.find_element(By.CSS_SELECTOR, "select[name=reason]"))
        reasons = [o.get_attribute("value") for o in select.options if o.get_attribute("value") and o.is_enabled()]
        if not self.check(reasons, "order cancel: select[name=reason] offers no reason"):
            return
        self.reason = reasons[0]
        select.select_by_value(self.reason)
        self.inspect("order-cancel-reason-picked")
        self.submit(form)
        path_now, query = self.where()
        self.check(path_now == path and query.get("done") == ["cancelled"],
                   f"cancelling went to {self.d.current_url}, expected {path}?done=cancelled")
        self.check(self.one("#notice[role=status]") is not None, "cancelled order: no #notice[role=status]")
        headline = self.text("h1#headline")
        said = "취소" in headline if self.lang() == "ko" else "cancel" in headline.lower()
        self.check(said, f"cancelled order: the {self.lang()} headline does not say so: {headline!r}")
        for form_id in ("cancel-form", "address-form"):
            self.check(self.one(f"form#{form_id}") is None, f"cancelled order: form#{form_id} is still there")
        self.check(self.one("form#contact-form") is not None, "cancelled order: form#contact-form is gone")
        self.inspect("order-cancel-cancelled")

    def address(self):
        path = self.orders["address"]["path"]
        self.go(path)
        form = self.one("form#address-form")
        if not self.check(form is not None, "order address: no form#address-form"):
            return
        self.reveal(form)
        for name in ADDRESS_FIELDS:
            field = self.one(f"form#address-form [name={name}]")
            if self.check(field is not None, f"order address: the address form has no field {name}"):
                self.check(self.one(f"label[for='{field.get_attribute('id')}']"), f"order address: {name} has no <label for=…>")
        line1 = form.find_element(By.NAME, "line1").get_attribute("value")
        self.check(line1 and line1 in self.text("#address"), f"order address: line1 {line1!r} is not the address shown")
        new_line1 = "77 Sejong-daero, Browser Test"
        self.fill(form, "line1", new_line1)
        self.fill(form, "postal_code", "04524")
        self.inspect("order-address-form-filled")
        self.submit(form)
        path_now, query = self.where()
        self.check(path_now == path and query.get("done") == ["address"],
                   f"changing the address went to {self.d.current_url}, expected {path}?done=address")
        self.check(self.one("#notice[role=status]") is not None, "address changed: no #notice[role=status]")
        self.check(new_line1 in self.text("#address"), f"address changed: #address shows {self.text('#address')!r}")
        self.inspect("order-address-changed")

    def updates_and_contact(self):
        path = self.orders["address"]["path"]
        for form_id, done in (("updates-form", "updates"), ("contact-form", "contact")):
            self.go(path)
            form = self.one(f"form#{form_id}")
            if not self.check(form is not None, f"order address: no form#{form_id}"):
                continue
            self.reveal(form)
            if done == "updates":
                self.check(self.one("#updates-form input[type=checkbox][name=email]"), "#updates-form: no checkbox email")
                sms = self.one("#updates-form input[type=checkbox][name=sms]")
                if self.check(sms is not None, "#updates-form: no checkbox sms"):
                    sms.click()
            else:
                self.fill(form, "message", "Please leave the parcel with the concierge.")
            self.submit(form)
            self.check(self.where()[1].get("done") == [done], f"{form_id} went to {self.d.current_url}, expected ?done={done}")
            self.check(self.one("#notice[role=status]") is not None, f"after {form_id}: no #notice[role=status]")
            self.inspect(f"order-address-{done}-sent")

    def refusal(self):
        shipped = self.orders["shipped"]["path"]
        self.go(shipped)
        self.navigate(lambda: self.d.execute_script(INJECT_CANCEL_JS, self.base + shipped + "/cancel", self.reason or "other"))
        self.check(self.status() == 409, f"cancelling the shipped order answered {self.status()}, expected 409")
        self.check(self.one("#notice[role=alert]") is not None, "cancelling the shipped order: no #notice[role=alert]")
        self.inspect("order-shipped-cancel-refused")
        self.go(shipped)
        headline = self.text("h1#headline")
        self.check("cancel" not in headline.lower() and "취소" not in headline, f"the refused order looks cancelled: {headline!r}")
        self.check(self.count("ol.scans li") > 0, "the shipped order shows no scans after the refusal")


# Read-only sections first; those that change orders last (refusal reuses the reason cancel found).
SECTIONS = ("lookup", "links", "keyboard", "accessibility", "languages", "hostile", "parcel", "without_javascript",
            "cancel", "address", "updates_and_contact", "refusal")


def check_environment():
    path, version = find_axe()
    try:
        driver = start_browser()
    except Exception as error:  # noqa: BLE001
        print(f"FAIL the browser did not start: {brief(error)}")
        return 1
    try:
        driver.get("data:text/html,<title>t</title><main>x</main>")
        driver.execute_script(path.read_text(encoding="utf-8"))
        loaded = driver.execute_script("return axe.version")
        print(f"Chromium {driver.capabilities.get('browserVersion')}, axe-core {loaded} from {path}")
    finally:
        driver.quit()
    return 0 if loaded == version else 1


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 1
    if sys.argv[1] == "--check-environment":
        return check_environment()
    scenario = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    axe_path, axe_version = find_axe()
    started = time.monotonic()
    try:
        run = Run(scenario, axe_path.read_text(encoding="utf-8"))
    except Exception as error:  # noqa: BLE001 - nothing can be checked without a browser
        print(f"FAIL the browser did not start ({os.environ.get('CHROMIUM_BINARY', '/usr/bin/chromium')}, "
              f"{os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver')}): {brief(error)}", flush=True)
        return 1
    print(f"Chromium {run.d.capabilities.get('browserVersion')}, axe-core {axe_version} ({axe_path}); "
          f"artefacts in {run.art}", flush=True)
    try:
        for section in SECTIONS:
            run.section = section
            print(f"== {section}", flush=True)
            try:
                getattr(run, section)()
            except Exception as error:  # noqa: BLE001 - report it and go on with the next section
                try:
                    at = run.d.current_url
                    set_viewport(run.d, "phone")
                except WebDriverException:
                    at = "(the browser no longer answers)"
                run.check(False, f"stopped early at {at}: {brief(error)}")
    finally:
        run.d.quit()
    failed = len(run.failures)
    # Not "N passed, N failed": CI reads such a line as a test runner's total.
    print(f"\nbrowser checks: {run.checks - failed} of {run.checks} passed in {time.monotonic() - started:.1f} s "
          f"({run.pages} pages, screenshots in {run.art})")
    for failure in run.failures:
        print(f"  FAIL {failure}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
