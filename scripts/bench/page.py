#!/usr/bin/env python3
"""Helpers of scripts/bench-page (standard library only; HTTP through benchhttp.Client but for `rate`).

  page.py seed URL KEY COUNT TAG OUT [THREADS]   COUNT orders (POST /api/v1/orders, 2 lines each), three in four with a
                                                 sandbox shipment handed over 6 hours to 6 days ago (POST
                                                 /api/v1/orders/{n}/shipments; a 5xx is retried with the same
                                                 Idempotency-Key and reported), then each order's tracking link
                                                 (GET /api/v1/orders/{n}/tracking-link); OUT gets
                                                 "number token shipped(0/1)" a line; prints a summary line
  page.py check URL LINKS DIR                    every order's page once (GET /t/{token}, one connection): status,
                                                 bytes, scans shown, inline CSS, references to other origins; saves
                                                 the page nearest the mean size among those with scans as
                                                 DIR/page.html (what nginx serves) and its token as DIR/hot.txt;
                                                 prints one line of key=value (see the end of check())
  page.py rate URL TOKENS RATE SECONDS CONNECTIONS [OUT]
                                                 open loop at RATE requests/s for SECONDS over CONNECTIONS
                                                 keep-alive connections (one process, non-blocking sockets):
                                                 request k (a token at random from TOKENS) is due at start +
                                                 k/RATE and goes out on the first idle connection (it waits for
                                                 one when all are busy). Latency is counted from when the request
                                                 was due (so waiting for a connection or for this loop counts, as
                                                 in wrk2: no coordinated omission), and also from when it was
                                                 written ("service"); and apart for the requests due after the
                                                 first 5 s (runs over 10 s): the steady state, without the burst
                                                 of database reads when every cached order has gone stale.
                                                 Prints one line of key=value; OUT gets
                                                 "due_s latency_ms service_ms status" a request (due_s from
                                                 the start), for looking at when the slow ones happened.

The tokens file is "token" or "number token shipped" a line; the first field that looks like a token (49
characters) is used.
"""
import datetime as dt
import http.client
import json
import math
import os
import random
import re
import socket
import statistics
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchhttp import Client  # noqa: E402

SKUS, PRICE, SHIPPING = 200, 10000, 3000
HTML = {"Accept": "text/html", "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.8"}

KO_NAMES = ["김민준", "이서연", "박지호", "최수아", "정예준", "강하은"]
EN_NAMES = ["Alex Morgan", "Sam Lee", "Jordan Kim", "Taylor Park"]


def order_body(tag, i):
    ident = f"{tag}-{i}"
    ko = i % 4 != 1
    a, b = i % SKUS + 1, (i * 7 + 3) % SKUS + 1
    if a == b:
        b = a % SKUS + 1
    qa, qb = 1 + i % 3, 1
    name = KO_NAMES[i % len(KO_NAMES)] if ko else EN_NAMES[i % len(EN_NAMES)]
    return {
        "external_id": f"page-{ident}", "source": "bench", "currency": "KRW", "locale": "ko" if ko else "en",
        "customer": {"name": name, "email": f"page-{ident}@example.kr", "phone": "+821012345678"},
        "shipping_address": {"name": name, "line1": "테헤란로 152", "line2": f"{100 + i % 900}호", "city": "서울특별시 강남구",
                             "postal_code": "06236", "country": "KR"},
        "line_items": [{"sku": f"BENCH-{a:03d}", "quantity": qa}, {"sku": f"BENCH-{b:03d}", "quantity": qb}],
        "shipping_total": SHIPPING, "total": PRICE * (qa + qb) + SHIPPING,
    }


def sandbox_number(handed_over, serial):
    """The sandbox carrier's number: SBX + hand-over time (Unix seconds, 10 digits) + 4-digit serial."""
    return f"SBX{int(handed_over):010d}{serial % 10000:04d}"


def seed(url, key, count, tag, out, threads=4):
    nxt, lock, errors, done = [0], threading.Lock(), [], {}
    now = time.time()
    counts = {"orders": 0, "shipments": 0, "links": 0}
    retried = []

    def post(c, path, body, idempotency_key):
        """POST with an Idempotency-Key; a 5xx is tried again (twice at most) and remembered for the summary."""
        for attempt in range(3):
            status, answer = c.request("POST", path, body, {"Idempotency-Key": idempotency_key})
            if status < 500 or attempt == 2:
                return status, answer
            with lock:
                retried.append(f"POST {path}: {status} {answer[:200]!r}")
            time.sleep(0.2)

    def one(c, i):
        status, body = post(c, "/api/v1/orders", order_body(tag, i), f"page-{tag}-{i}")
        if status != 201:
            return f"order {i}: {status} {body[:300]!r}"
        number = json.loads(body)["number"]
        with lock:
            counts["orders"] += 1
        shipped = i % 4 != 3
        if shipped:
            rng = random.Random(i)
            handed = now - rng.uniform(6 * 3600, 6 * 86400)
            ship = {"carrier": "sandbox", "tracking_number": sandbox_number(handed, i), "handed_over": True,
                    "packages": [{"weight_grams": 1200}]}
            status, body = post(c, f"/api/v1/orders/{number}/shipments", ship, f"page-ship-{tag}-{i}")
            if status != 201:
                return f"shipment for order {number}: {status} {body[:300]!r}"
            with lock:
                counts["shipments"] += 1
        status, body = c.request("GET", f"/api/v1/orders/{number}/tracking-link")
        if status != 200:
            return f"tracking link of order {number}: {status} {body[:300]!r}"
        link = json.loads(body)["url"]
        token = link.rsplit("/t/", 1)[1]
        with lock:
            counts["links"] += 1
            done[i] = (number, token, 1 if shipped else 0)
        return None

    def work():
        c = Client(url, key)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= count:
                break
            try:
                err = one(c, i)
            except (http.client.HTTPException, OSError, ValueError, KeyError) as e:
                err = f"order {i}: {e!r}"
            if err:
                with lock:
                    errors.append(err)
        c.close()

    t = time.monotonic()
    ts = [threading.Thread(target=work) for _ in range(threads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    took = time.monotonic() - t
    with open(out, "w") as f:
        for i in sorted(done):
            f.write("%s %s %d\n" % done[i])
    for e in errors[:5]:
        print("seed: " + e, file=sys.stderr)
    for e in retried[:5]:
        print("seed: retried: " + e, file=sys.stderr)
    again = f"; {len(retried)} requests answered 5xx and retried (first: {retried[0]})" if retried else ""
    print(f"{counts['orders']} orders, {counts['shipments']} sandbox shipments, {counts['links']} links in {took:.1f} s "
          f"({threads} connections), {len(errors)} errors{again}")
    return 0 if not errors and len(done) == count else 1


def read_tokens(path):
    tokens = []
    for line in open(path):
        for word in line.split():
            if len(word) == 49:
                tokens.append(word)
                break
    return tokens


# --- What a page references -----------------------------------------------------------------------------

ATTR = re.compile(r"""\b(src|href|action|srcset|poster|data|formaction|background|ping)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]*)""", re.I)


def external_references(html, own_host):
    """References that would make the browser ask another origin (or any resource at all, listed apart)."""
    external, resources = [], []
    for m in ATTR.finditer(html):
        name, value = m.group(1).lower(), next(v for v in m.group(3, 4, 5) if v is not None)
        for candidate in ([v.strip().split(" ")[0] for v in value.split(",")] if name == "srcset" else [value]):
            v = candidate.strip()
            low = v.lower()
            if low.startswith(("mailto:", "tel:", "#", "data:")) or v == "":
                continue
            if low.startswith("//") or re.match(r"^[a-z][a-z0-9+.-]*:", low):
                host = urllib.parse.urlsplit(v if not low.startswith("//") else "http:" + v).hostname
                if host != own_host:
                    external.append(f"{name}={v}")
                    continue
            if name in ("src", "srcset", "poster", "data", "background"):
                resources.append(f"{name}={v}")
    for m in CSS_URL.finditer(html):
        v = m.group(1).strip()
        if not v.lower().startswith("data:"):
            (external if re.match(r"^([a-z]+:)?//", v.lower()) else resources).append(f"url({v})")
    for m in re.finditer(r"@import[^;]*;", html, re.I):
        external.append(m.group(0))
    tags = {t: len(re.findall(r"<%s\b" % t, html, re.I)) for t in ("script", "link", "iframe", "img", "object", "embed")}
    return external, resources, tags


def check(url, links, out_dir):
    tokens = read_tokens(links)
    own_host = urllib.parse.urlsplit(url).hostname
    c = Client(url)
    statuses, sizes, css_sizes, scans, rows = {}, [], [], [], []
    external, resources, tag_counts = set(), set(), {}
    started = time.monotonic()
    for token in tokens:
        status, body = c.request("GET", "/t/" + token, None, HTML)
        statuses[status] = statuses.get(status, 0) + 1
        if status != 200:
            continue
        html = body.decode("utf-8")
        sizes.append(len(body))
        css = sum(len(s.encode()) for s in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I))
        css_sizes.append(css)
        m = re.search(r'<ol class="scans"[^>]*>(.*?)</ol>', html, re.S)
        n = m.group(1).count("<li") if m else 0
        scans.append(n)
        ext, res, tags = external_references(html, own_host)
        external.update(ext)
        resources.update(res)
        for k, v in tags.items():
            tag_counts[k] = max(tag_counts.get(k, 0), v)
        rows.append((token, len(body), n, body))
    took = time.monotonic() - started
    c.close()
    # The headers of one page (benchhttp gives the body only).
    headers = {}
    if rows:
        conn = http.client.HTTPConnection(own_host, urllib.parse.urlsplit(url).port, timeout=30)
        conn.request("GET", "/t/" + rows[0][0], headers=HTML)
        r = conn.getresponse()
        r.read()
        headers = {k.lower(): v for k, v in r.getheaders()}
        # What a browser would get: does the server compress when asked?
        conn.request("GET", "/t/" + rows[0][0], headers=dict(HTML, **{"Accept-Encoding": "gzip, deflate, br"}))
        r = conn.getresponse()
        compressed = r.read()
        headers["x-when-asked"] = f"{r.getheader('Content-Encoding') or 'none'}:{len(compressed)}"
        conn.close()
    with_scans = [r for r in rows if r[2] > 0] or rows
    chosen = None
    if with_scans:
        mean = sum(r[1] for r in with_scans) / len(with_scans)
        chosen = min(with_scans, key=lambda r: abs(r[1] - mean))
        with open(os.path.join(out_dir, "page.html"), "wb") as f:
            f.write(chosen[3])
        with open(os.path.join(out_dir, "hot.txt"), "w") as f:
            f.write(chosen[0] + "\n")
        biggest = max(rows, key=lambda r: r[1])
        with open(os.path.join(out_dir, "biggest.html"), "wb") as f:
            f.write(biggest[3])

    def q(values, p):
        s = sorted(values)
        return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))] if s else 0
    fields = {
        "pages": len(tokens), "seconds": f"{took:.1f}",
        "statuses": ",".join(f"{k}:{v}" for k, v in sorted(statuses.items())),
        "bytes_min": min(sizes, default=0), "bytes_median": q(sizes, 50), "bytes_mean": round(statistics.mean(sizes)) if sizes else 0,
        "bytes_max": max(sizes, default=0),
        "css_bytes": max(css_sizes, default=0),
        "with_scans": sum(1 for n in scans if n > 0), "scans_median": q([n for n in scans if n > 0], 50), "scans_max": max(scans, default=0),
        "chosen_bytes": chosen[1] if chosen else 0, "chosen_scans": chosen[2] if chosen else 0,
        "external": len(external), "resources": len(resources),
        "tags": ",".join(f"{k}:{v}" for k, v in sorted(tag_counts.items())),
        "content_type": (headers.get("content-type") or "-").replace(" ", ""),
        "content_encoding": headers.get("content-encoding") or "none",
        "gzip_asked": headers.get("x-when-asked", "-"),
        "csp": "yes" if "content-security-policy" in headers else "no",
    }
    with open(os.path.join(out_dir, "references.txt"), "w") as f:
        for e in sorted(external):
            f.write("external " + e + "\n")
        for e in sorted(resources):
            f.write("resource " + e + "\n")
        f.write("csp " + headers.get("content-security-policy", "-") + "\n")
    print(" ".join(f"{k}={v}" for k, v in fields.items()))
    ok = statuses.get(200, 0) == len(tokens) and not external
    return 0 if ok else 1


# --- Fixed rate -----------------------------------------------------------------------------------------
#
# Not benchhttp.Client: http.client parses every response's headers with the e-mail parser, which costs
# ~0.5 ms of CPU a request (0.5 core at 1,000/s, a quarter of this machine, taken from the server under
# test). This loop sends prepared request bytes on non-blocking keep-alive sockets and reads each response
# by its Content-Length: ~0.1 ms a request.


class _Conn:
    __slots__ = ("sock", "buf", "need", "status", "k", "due", "sent")

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buf, self.need, self.status, self.k, self.due, self.sent = bytearray(), None, 0, -1, 0.0, 0.0

    def response_done(self):
        """True once the whole response is in buf (then status/need describe it)."""
        if self.need is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            head = bytes(self.buf[:end]).decode("latin-1")
            self.status = int(head.split(" ", 2)[1])
            m = re.search(r"(?im)^content-length:\s*(\d+)", head)
            if not m:
                raise ValueError("a response without Content-Length")
            self.need = end + 4 + int(m.group(1))
        return len(self.buf) >= self.need

    def reset(self):
        del self.buf[:self.need]
        self.need, self.k = None, -1


def rate(url, tokens_file, rps, seconds, connections, out=None):
    import collections
    import selectors
    tokens = read_tokens(tokens_file)
    if not tokens:
        print("no tokens", file=sys.stderr)
        return 2
    u = urllib.parse.urlsplit(url)
    host, port = u.hostname, u.port
    requests = [(f"GET /t/{t} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/html\r\n"
                 f"Accept-Language: ko-KR,ko;q=0.9,en;q=0.8\r\nUser-Agent: bench-page\r\n\r\n").encode() for t in tokens]
    rng = random.Random(int(time.time()))
    sel = selectors.DefaultSelector()
    conns = [_Conn(host, port) for _ in range(connections)]
    # One request per connection before the clock starts (opens them; not counted).
    for c in conns:
        c.sock.setblocking(True)
        c.sock.sendall(requests[0])
        while True:
            c.buf += c.sock.recv(1 << 18)
            if c.response_done():
                c.reset()
                break
        c.sock.setblocking(False)
        sel.register(c.sock, selectors.EVENT_READ, c)
    total = int(round(rps * seconds))
    lat, svc, dues, codes, got, errors = [0.0] * total, [0.0] * total, [0.0] * total, [0] * total, [False] * total, []
    idle, waiting = collections.deque(conns), collections.deque()
    k, done, behind = 0, 0, 0.0
    start = time.monotonic() + 0.3
    deadline = start + seconds + 60

    def finish(c, status, end):
        nonlocal done
        j = c.k
        lat[j], svc[j], dues[j], codes[j], got[j] = (end - c.due) * 1000, (end - c.sent) * 1000, c.due - start, status, True
        done += 1

    def reopen(c):
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()
        fresh = _Conn(host, port)
        sel.register(fresh.sock, selectors.EVENT_READ, fresh)
        return fresh

    while done < total:
        now = time.monotonic()
        if now > deadline:
            break
        while k < total and start + k / rps <= now:
            waiting.append(k)
            k += 1
        while waiting and idle:
            c, j = idle.popleft(), waiting.popleft()
            c.k, c.due, c.sent = j, start + j / rps, time.monotonic()
            behind = max(behind, c.sent - c.due)
            try:
                c.sock.sendall(requests[rng.randrange(len(requests))])
            except OSError as e:
                if len(errors) < 3:
                    errors.append(f"send: {e!r}")
                finish(c, 0, time.monotonic())
                idle.append(reopen(c))
        timeout = max(0.0, start + k / rps - time.monotonic()) if k < total else 0.5
        for key, _ in sel.select(timeout):
            c = key.data
            try:
                data = c.sock.recv(1 << 18)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                if c.k >= 0:
                    if len(errors) < 3:
                        errors.append("connection closed by the server")
                    finish(c, 0, time.monotonic())
                idle.append(reopen(c))
                continue
            c.buf += data
            if c.k >= 0 and c.response_done():
                finish(c, c.status, time.monotonic())
                if c.status != 200 and len(errors) < 3:
                    errors.append(f"{c.status} {bytes(c.buf[:200])!r}")
                c.reset()
                idle.append(c)
    last = time.monotonic()
    for c in conns:
        c.sock.close()
    answered = [j for j in range(total) if got[j]]
    statuses = collections.Counter(codes[j] for j in answered)
    if len(answered) < total:
        statuses[-1] = total - len(answered)
        errors.append(f"{total - len(answered)} requests unanswered {seconds + 60:.0f} s after the start")
    for e in errors:
        print("rate: " + e, file=sys.stderr)
    if out:
        with open(out, "w") as f:
            for j in sorted(answered, key=lambda j: dues[j]):
                f.write(f"{dues[j]:.4f} {lat[j]:.2f} {svc[j]:.2f} {codes[j]}\n")
    ls = sorted(lat[j] for j in answered)
    ss = sorted(svc[j] for j in answered)
    # After the first 5 s (the page keeps an order 5 s): the steady state, without the start's burst of misses.
    warm = 5.0 if seconds > 10 else 0.0
    steady = sorted(lat[j] for j in answered if dues[j] >= warm)
    first = [lat[j] for j in answered if dues[j] < warm]

    def q(v, p):
        return v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))] if v else 0
    ok = statuses.get(200, 0)
    span = max(1e-9, last - start)
    fields = {
        "requests": total, "ok": ok, "errors": total - ok, "asked_rps": f"{rps:g}", "achieved_rps": f"{len(answered) / span:.1f}",
        "span_s": f"{span:.2f}", "connections": connections,
        "p50_ms": f"{q(ls, 50):.2f}", "p90_ms": f"{q(ls, 90):.2f}", "p99_ms": f"{q(ls, 99):.2f}", "p999_ms": f"{q(ls, 99.9):.2f}",
        "max_ms": f"{ls[-1] if ls else 0:.2f}", "mean_ms": f"{statistics.mean(ls) if ls else 0:.2f}",
        "steady_from_s": f"{warm:g}", "steady_p50_ms": f"{q(steady, 50):.2f}", "steady_p90_ms": f"{q(steady, 90):.2f}",
        "steady_p99_ms": f"{q(steady, 99):.2f}", "steady_max_ms": f"{steady[-1] if steady else 0:.2f}",
        "first_max_ms": f"{max(first) if first else 0:.2f}",
        "svc_p50_ms": f"{q(ss, 50):.2f}", "svc_p99_ms": f"{q(ss, 99):.2f}", "svc_max_ms": f"{ss[-1] if ss else 0:.2f}",
        "most_behind_ms": f"{behind * 1000:.1f}",
        "statuses": ",".join(f"{k}:{v}" for k, v in sorted(statuses.items())),
    }
    print("RATE_RESULT " + " ".join(f"{k}={v}" for k, v in fields.items()))
    return 0 if ok == total else 1


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "seed" and len(args) in (5, 6):
        return seed(args[0], args[1], int(args[2]), args[3], args[4], int(args[5]) if len(args) == 6 else 4)
    if cmd == "check" and len(args) == 3:
        return check(*args)
    if cmd == "rate" and len(args) in (5, 6):
        return rate(args[0], args[1], float(args[2]), float(args[3]), int(args[4]), args[5] if len(args) == 6 else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
