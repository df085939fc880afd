#!/usr/bin/env python3
"""Helpers of scripts/bench-outbox (standard library only).

  outbox.py orders URLS KEY COUNT TAG THREADS            COUNT orders (POST /api/v1/orders) as fast as THREADS
                                                         keep-alive connections go, round robin over URLS
                                                         (comma-separated base URLs); prints a summary line
  outbox.py paced URLS KEY RATE SECONDS TAG THREADS OUT  orders at a fixed RATE per second for SECONDS (open loop:
                                                         order i is due at start + i/RATE; THREADS senders take
                                                         the next due order); OUT gets one latency (ms) a line;
                                                         prints a summary line
  outbox.py percentiles FILE                             p50 p90 p99 max mean count of the numbers in FILE
  outbox.py check-sink KIND PATH IDS                     what the SMTP sink got against the ids of the sent `email`
                                                         rows (IDS, one a line): KIND smtp-sink (PATH: its -D dump)
                                                         or aiosmtpd (PATH: the maildir of scripts/smtp-test-server)
  outbox.py check-receiver KIND PATH IDS                 what the webhook receiver got against the event ids of
                                                         the sent `webhook` rows: KIND nginx (PATH: its access log,
                                                         "method status event-id signed" a line) or python (PATH:
                                                         the directory of scripts/webhook-test-receiver)

check-* print one line: `ok received=… distinct=… expected=…` or `FAILED …` (and exit 1).

Every order has its own customer (e-mail bench-TAG-i@example.kr, locale ko), external_id and Idempotency-Key,
one line of an untracked SKU (BENCH-001…BENCH-200, 10,000 KRW) and the exact total.
"""
import collections
import glob
import http.client
import json
import math
import os
import sys
import threading
import time
import urllib.parse

SKUS, PRICE, SHIPPING = 200, 10000, 3000


from benchhttp import Client  # noqa: E402  (scripts/bench is on sys.path when these run)


def order_body(tag, i):
    ident = f"{tag}-{i}"
    qty = 1 + i % 3
    return {
        "external_id": f"obx-{ident}", "source": "bench", "currency": "KRW", "locale": "ko",
        "customer": {"name": "김민준", "email": f"bench-{ident}@example.kr"},
        "shipping_address": {"name": "김민준", "line1": "테헤란로 152", "city": "서울특별시 강남구",
                             "postal_code": "06236", "country": "KR"},
        "line_items": [{"sku": f"BENCH-{i % SKUS + 1:03d}", "quantity": qty}],
        "shipping_total": SHIPPING, "total": PRICE * qty + SHIPPING,
    }


def place(client, tag, i):
    """Places order i; returns (ok, latency ms, error text)."""
    t = time.monotonic()
    try:
        status, body = client.request("POST", "/api/v1/orders", order_body(tag, i), {"Idempotency-Key": f"obx-{tag}-{i}"})
    except (http.client.HTTPException, OSError) as e:
        return False, (time.monotonic() - t) * 1000, f"order {i}: {e!r}"
    ms = (time.monotonic() - t) * 1000
    if status != 201:
        return False, ms, f"order {i}: {status} {body[:300]!r}"
    return True, ms, None


def orders(urls, key, count, tag, threads):
    urls = urls.split(",")
    nxt, lock, errors, ok = [0], threading.Lock(), [], [0]

    def work(k):
        c = Client(urls[k % len(urls)], key)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= count:
                break
            good, _, err = place(c, tag, i)
            with lock:
                if good:
                    ok[0] += 1
                else:
                    errors.append(err)
        c.close()

    t = time.monotonic()
    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    took = time.monotonic() - t
    for e in errors[:5]:
        print("orders: " + e, file=sys.stderr)
    print(f"{ok[0]} orders in {took:.1f} s ({ok[0] / took:.0f}/s, {threads} connections), {len(errors)} errors")
    return 0 if not errors and ok[0] == count else 1


def paced(urls, key, rate, seconds, tag, threads, out):
    urls = urls.split(",")
    total = int(round(rate * seconds))
    nxt, lock, errors, lat, late = [0], threading.Lock(), [], [], [0.0]
    start = time.monotonic() + 0.2

    def work(k):
        c = Client(urls[k % len(urls)], key)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= total:
                break
            due = start + i / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            else:
                with lock:
                    late[0] = max(late[0], now - due)
            good, ms, err = place(c, tag, i)
            with lock:
                lat.append(ms)
                if not good:
                    errors.append(err)
        c.close()

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    took = time.monotonic() - start
    with open(out, "w") as f:
        for v in lat:
            f.write(f"{v:.2f}\n")
    for e in errors[:5]:
        print("paced: " + e, file=sys.stderr)
    s = sorted(lat)
    p = lambda q: s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))] if s else 0
    print(f"{len(lat) - len(errors)} orders in {took:.1f} s ({(len(lat) - len(errors)) / took:.1f}/s of {rate:g}/s asked), "
          f"{len(errors)} errors, POST p50 {p(50):.1f} ms p99 {p(99):.1f} ms max {s[-1] if s else 0:.1f} ms, "
          f"most behind schedule {late[0] * 1000:.0f} ms")
    return 0 if not errors else 1


def percentiles(file):
    values = sorted(float(v) for v in open(file) if v.strip())
    if not values:
        print("- - - - - 0")
        return 0

    def p(q):
        return values[min(len(values) - 1, max(0, math.ceil(q / 100 * len(values)) - 1))]
    print(f"{p(50):.1f} {p(90):.1f} {p(99):.1f} {values[-1]:.1f} {sum(values) / len(values):.1f} {len(values)}")
    return 0


def compare(what, got, ids_file, extra=""):
    """got: list of ids the far end saw (one per delivery). Prints the verdict."""
    expected = [v.strip().lower() for v in open(ids_file) if v.strip()]
    want = set(expected)
    seen = collections.Counter(v.lower() for v in got)
    dup = sum(c - 1 for c in seen.values() if c > 1)
    missing = len(want - set(seen))
    stray = len(set(seen) - want)
    problems = []
    if len(got) != len(expected):
        problems.append(f"{len(got)} {what} received but {len(expected)} rows sent")
    if dup:
        problems.append(f"{dup} duplicates")
    if missing:
        problems.append(f"{missing} sent rows never arrived")
    if stray:
        problems.append(f"{stray} unknown ids")
    summary = f"received={len(got)} distinct={len(seen)} expected={len(expected)}{extra}"
    if problems:
        print(f"FAILED {summary}: " + "; ".join(problems))
        return 1
    print(f"ok {summary}")
    return 0


def header_of(lines, name):
    prefix = name.lower() + ":"
    for line in lines:
        if line == "":
            break
        if line.lower().startswith(prefix):
            return line.split(":", 1)[1].strip()
    return None


def check_sink(kind, path, ids_file):
    got, transactions = [], 0
    if kind == "smtp-sink":
        # The dump: each transaction starts with the -S marker line, then smtp-sink's X- lines, then the message.
        current = None
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            for raw in f:
                line = raw.rstrip("\r\n")
                if line == "X-Sink-Begin":
                    transactions += 1
                    current = "headers"
                    continue
                if current == "headers":
                    if line == "":
                        current = "body"
                    elif line.lower().startswith("x-waybill-message:"):
                        got.append(line.split(":", 1)[1].strip())
    else:
        for name in glob.glob(os.path.join(path, "*.eml")):
            transactions += 1
            with open(name, encoding="utf-8", errors="replace") as f:
                v = header_of(f.read().replace("\r\n", "\n").split("\n"), "X-Waybill-Message")
            if v:
                got.append(v)
    extra = "" if transactions == len(got) else f" transactions={transactions} (some without X-Waybill-Message)"
    status = compare("messages", got, ids_file, extra)
    return status if transactions == len(got) else 1


def check_receiver(kind, path, ids_file):
    got, bad = [], collections.Counter()
    if kind == "nginx":
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 4:
                    bad["malformed line"] += 1
                    continue
                method, status, event, signed = parts[:4]
                if method != "POST":
                    bad[f"method {method}"] += 1
                if not status.startswith("2"):
                    bad[f"status {status}"] += 1
                if signed in ("-", ""):
                    bad["unsigned"] += 1
                got.append(event)
    else:
        for name in glob.glob(os.path.join(path, "*.json")):
            record = json.load(open(name))
            h = record.get("headers", {})
            if not h.get("waybill-signature"):
                bad["unsigned"] += 1
            got.append(h.get("waybill-event-id", "-"))
    extra = "".join(f" {k}={v}" for k, v in sorted(bad.items()))
    status = compare("POSTs", got, ids_file, extra)
    return 1 if bad else status


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, a = argv[1], argv[2:]
    if cmd == "orders":
        return orders(a[0], a[1], int(a[2]), a[3], int(a[4]))
    if cmd == "paced":
        return paced(a[0], a[1], float(a[2]), float(a[3]), a[4], int(a[5]), a[6])
    if cmd == "percentiles":
        return percentiles(a[0])
    if cmd == "check-sink":
        return check_sink(a[0], a[1], a[2])
    if cmd == "check-receiver":
        return check_receiver(a[0], a[1], a[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
