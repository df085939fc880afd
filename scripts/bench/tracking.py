#!/usr/bin/env python3
"""Helpers of scripts/bench-tracking (standard library only).

  tracking.py numbers N PREFIX                 N valid USPS IMpb numbers (22 digits, 9400…, GS1 mod 10), one a line
  tracking.py setup URL KEY NUMBERS OUT        one order + one USPS shipment per number (POST /api/v1/orders,
                                               POST /api/v1/orders/{n}/shipments); writes the numbers shipped to OUT
  tracking.py template FIXTURE|- OUT           the AfterShip body template (placeholders __WB_EVENT__, __WB_TN__,
                                               __WB_TIME__) from the real fixture, or an equivalent built here (-)
  tracking.py requests TEMPLATE NUMBERS SECRET TAG COUNT OUT
                                               COUNT signed requests: "event_id tracking_number time signature" a
                                               line; event k goes to shipment k mod N with its own new scan
  tracking.py send URL TEMPLATE NUMBERS SECRET TAG COUNT SENDERS DIR
                                               crash test: COUNT events sent by SENDERS threads that retry on any
                                               failure until a 2xx; DIR/halfway appears once half are acknowledged,
                                               DIR/acked.tsv lists "event_id status" of every acknowledgement
  tracking.py percentiles FILE                 p50 p90 p99 max mean count of the numbers in FILE (one a line)
  tracking.py verify-bench REQUESTS ISSUED_PER_THREAD EVENT_IDS RECEIVED_2XX CONNECTIONS
                                               wrk run: stored event ids against what was sent
  tracking.py verify-crash DIR EVENT_IDS EVENTS_PER_SHIPMENT
                                               crash test: the inbox and tracking_events against what was sent

The body is signed over its exact bytes: the wrk script (scripts/bench/aftership-webhook.lua) substitutes
the same placeholders in the same template, so its bodies match the signatures computed here.
"""
import base64
import datetime as dt
import hashlib
import hmac
import http.client
import json
import math
import os
import random
import sys
import threading
import time
import urllib.parse

EVENT, NUMBER, TIME = "__WB_EVENT__", "__WB_TN__", "__WB_TIME__"
FIXTURE_NUMBER = "9405516902697649303570"


def gs1_check(digits):
    total, weight = 0, 3
    for d in reversed(digits):
        total += int(d) * weight
        weight = 4 - weight
    return str((10 - total % 10) % 10)


def numbers(count, prefix):
    """USPS IMpb: 9400 + 17 digits + check digit; prefix (digits) keeps runs apart."""
    out = []
    for i in range(count):
        body = "9400" + prefix + f"{i:0{17 - len(prefix)}d}"
        assert len(body) == 21, body
        out.append(body + gs1_check(body))
    return out


from benchhttp import Client  # noqa: E402  (scripts/bench is on sys.path when these run)


def setup(url, key, numbers_file, out_file, threads=2):
    """An order (1 line, ready) and a USPS shipment with its number, for each number."""
    wanted = [n.strip() for n in open(numbers_file) if n.strip()]
    done, errors, lock = {}, [], threading.Lock()
    tag = f"{int(time.time())}{os.getpid()}"

    def work(part):
        c = Client(url, key)
        for i, number in part:
            sku = f"BENCH-{i % 200 + 1:03d}"
            order = {
                "external_id": f"trk-{tag}-{i}", "source": "bench", "currency": "KRW", "locale": "ko",
                "customer": {"name": "김민준", "email": f"trk-{tag}-{i}@example.kr"},
                "shipping_address": {"name": "김민준", "line1": "테헤란로 152", "city": "서울특별시 강남구",
                                     "postal_code": "06236", "country": "KR"},
                "line_items": [{"sku": sku, "quantity": 1}], "shipping_total": 3000, "total": 13000,
            }
            status, body = c.request("POST", "/api/v1/orders", order, {"Idempotency-Key": f"trk-order-{tag}-{i}"})
            if status != 201:
                with lock:
                    errors.append(f"order {i}: {status} {body[:300]!r}")
                continue
            n = json.loads(body)["number"]
            status, body = c.request("POST", f"/api/v1/orders/{n}/shipments", {"carrier": "usps", "tracking_number": number},
                                     {"Idempotency-Key": f"trk-ship-{tag}-{i}"})
            if status != 201:
                with lock:
                    errors.append(f"shipment for order {n}: {status} {body[:300]!r}")
                continue
            with lock:
                done[i] = number
        c.close()

    items = list(enumerate(wanted))
    ts = [threading.Thread(target=work, args=(items[k::threads],)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with open(out_file, "w") as f:
        for i in sorted(done):
            f.write(done[i] + "\n")
    for e in errors[:5]:
        print("setup: " + e, file=sys.stderr)
    print(f"{len(done)} shipments, {len(errors)} errors")
    return 0 if not errors else 1


def shift_days(text, days):
    stamp = dt.datetime.fromisoformat(text)
    return (stamp + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")


def equivalent_body():
    """A body of the same shape as AfterShip's USPS tracking_update fixture, with values of our own."""
    def checkpoint(place, state, city, zip_, message, tag, subtag, subtag_message, when, raw):
        return {"location": place, "country_name": "United States", "country_iso3": "USA", "state": state,
                "city": city, "zip": zip_, "message": message, "coordinates": [], "tag": tag, "subtag": subtag,
                "subtag_message": subtag_message, "created_at": "2021-05-17T09:05:31+00:00", "checkpoint_time": when,
                "slug": "usps", "raw_tag": raw}
    cps = [
        checkpoint("PORTLAND, OR, 97201, USA, United States", "OR", "PORTLAND", "97201",
                   "Shipping Label Created, USPS Awaiting Item", "InfoReceived", "InfoReceived_001", "Info Received",
                   "2021-05-13T09:12:00", "GX"),
        checkpoint("PORTLAND, OR, 97201, USA, United States", "OR", "PORTLAND", "97201", "Accepted at USPS Origin Facility",
                   "InTransit", "InTransit_002", "Acceptance scan", "2021-05-13T17:40:00", "OA"),
        checkpoint("PORTLAND OR DISTRIBUTION CENTER", None, "PORTLAND OR DISTRIBUTION CENTER", None,
                   "Arrived at USPS Regional Origin Facility", "InTransit", "InTransit_003", "Arrival scan",
                   "2021-05-13T21:05:00", "10"),
        checkpoint("PORTLAND OR DISTRIBUTION CENTER", None, "PORTLAND OR DISTRIBUTION CENTER", None,
                   "Departed USPS Regional Origin Facility", "InTransit", "InTransit_007", "Departure Scan",
                   "2021-05-14T02:15:00", "10"),
        checkpoint("SEATTLE WA NETWORK DISTRIBUTION CENTER", None, "SEATTLE WA NETWORK DISTRIBUTION CENTER", None,
                   "Arrived at USPS Regional Destination Facility", "InTransit", "InTransit_003", "Arrival scan",
                   "2021-05-15T11:30:00", "10"),
        checkpoint("SEATTLE WA NETWORK DISTRIBUTION CENTER", None, "SEATTLE WA NETWORK DISTRIBUTION CENTER", None,
                   "Departed USPS Regional Facility", "InTransit", "InTransit_007", "Departure Scan",
                   "2021-05-16T04:20:00", "T1"),
        checkpoint("TACOMA, WA, 98402, USA, United States", "WA", "TACOMA", "98402", "Arrived at Post Office",
                   "InTransit", "InTransit_003", "Arrival scan", "2021-05-17T02:55:00", "07"),
    ]
    msg = {"id": "wbbench0000000000000000a", "tracking_number": FIXTURE_NUMBER, "title": FIXTURE_NUMBER, "note": None,
           "origin_country_iso3": "USA", "destination_country_iso3": "USA", "courier_destination_country_iso3": "USA",
           "shipment_package_count": None, "active": True, "order_id": None, "order_id_path": None, "order_date": None,
           "customer_name": None, "source": "api", "emails": ["bench@example.com"], "smses": [], "subscribed_smses": [],
           "subscribed_emails": [], "android": [], "ios": [], "return_to_sender": False, "custom_fields": {},
           "tag": "InTransit", "subtag": "InTransit_003", "subtag_message": "Arrival scan", "tracked_count": 1,
           "expected_delivery": "2021-05-18", "signed_by": None, "shipment_type": "Priority Mail",
           "created_at": "2021-05-17T09:05:29+00:00", "updated_at": "2021-05-17T09:05:31+00:00", "slug": "usps",
           "unique_token": "deprecated", "path": "deprecated", "shipment_weight": None, "shipment_weight_unit": None,
           "delivery_time": 5, "last_mile_tracking_supported": True, "language": None,
           "shipment_pickup_date": "2021-05-13T17:40:00", "shipment_delivery_date": None,
           "last_updated_at": "2021-05-17T09:05:31+00:00", "checkpoints": cps,
           "courier_tracking_link": "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + FIXTURE_NUMBER,
           "on_time_status": "trending-on-time", "on_time_difference": 0, "order_tags": []}
    return {"event_id": "00000000-0000-4000-8000-000000000000", "event": "tracking_update",
            "is_tracking_first_tag": True, "msg": msg, "ts": 1621242332}


def template(fixture, out):
    """The fixture with its event id, tracking number and a new last scan as placeholders; its scans moved
    to recent dates (so no shipment looks stalled to the job that watches for silence)."""
    if fixture == "-":
        payload, origin = equivalent_body(), "built in (shape of AfterShip's USPS tracking_update)"
    else:
        payload, origin = json.load(open(fixture, encoding="utf-8")), fixture
    msg = payload["msg"]
    cps = msg.get("checkpoints") or []
    last = max(dt.datetime.fromisoformat(c["checkpoint_time"][:19]) for c in cps)
    # The fixture's last scan 5 days ago (its days, not its times, move); the new scans follow it.
    days = (dt.datetime.utcnow() - dt.timedelta(days=5) - last).days
    for c in cps:
        c["checkpoint_time"] = shift_days(c["checkpoint_time"][:19], days)
    new = dict(cps[-1])
    new.update({"location": "JACKSONVILLE FL NETWORK DISTRIBUTION CENTER", "state": None,
                "city": "JACKSONVILLE FL NETWORK DISTRIBUTION CENTER", "zip": None,
                "message": "Arrived at USPS Regional Facility", "tag": "InTransit", "subtag": "InTransit_003",
                "subtag_message": "Arrival scan", "checkpoint_time": TIME, "raw_tag": "10"})
    cps.append(new)
    msg["tag"], msg["subtag"], msg["subtag_message"] = "InTransit", "InTransit_003", "Arrival scan"
    payload["event_id"] = EVENT
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    old = msg.get("tracking_number") or FIXTURE_NUMBER
    text = text.replace(old, NUMBER)
    with open(out, "wb") as f:
        f.write(text.encode("utf-8"))
    print(f"template {len(text.encode())} bytes, {len(cps)} checkpoints ({len(cps) - 1} shared per shipment + 1 new per event), from {origin}")
    return 0


def scan_time(k, start):
    return (start + dt.timedelta(seconds=k)).strftime("%Y-%m-%dT%H:%M:%S")


def body_of(template_text, event_id, number, when):
    return template_text.replace(EVENT, event_id).replace(NUMBER, number).replace(TIME, when).encode("utf-8")


def sign(secret, body):
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event_id(tag, k):
    return f"{tag}-0000-4000-8000-{k:012d}"


def scan_start():
    # The new scans: one a second from 4 days ago (midnight), the same in every process of a run.
    today = dt.datetime.utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(days=4)


def requests(template_file, numbers_file, secret, tag, count, out):
    text = open(template_file, "rb").read().decode("utf-8")
    nums = [n.strip() for n in open(numbers_file) if n.strip()]
    start = scan_start()
    with open(out, "w") as f:
        for k in range(count):
            eid, number, when = event_id(tag, k), nums[k % len(nums)], scan_time(k, start)
            f.write(f"{eid} {number} {when} {sign(secret, body_of(text, eid, number, when))}\n")
    return 0


def send(url, template_file, numbers_file, secret, tag, count, senders, out_dir):
    """Crash-test senders: every event is retried (new connection, short back-off) until a 2xx."""
    text = open(template_file, "rb").read().decode("utf-8")
    nums = [n.strip() for n in open(numbers_file) if n.strip()]
    u = urllib.parse.urlsplit(url)
    path = u.path
    start = scan_start()
    lock = threading.Lock()
    next_k = [0]
    acked = []
    stats = {"attempts": 0, "failures": 0, "non2xx": {}, "errors": {}}
    half = count // 2
    t0 = time.time()

    def take():
        with lock:
            if next_k[0] >= count:
                return None
            k = next_k[0]
            next_k[0] += 1
            return k

    def worker():
        c = Client(url, None, timeout=15)
        while True:
            k = take()
            if k is None:
                break
            eid, number, when = event_id(tag, k), nums[k % len(nums)], scan_time(k, start)
            body = body_of(text, eid, number, when)
            headers = {"aftership-hmac-sha256": sign(secret, body)}
            delay = 0.05
            while True:
                try:
                    status, payload = c.request("POST", path, body, headers)
                except (http.client.HTTPException, OSError) as e:
                    status, payload = None, type(e).__name__
                with lock:
                    stats["attempts"] += 1
                if status is not None and 200 <= status < 300:
                    try:
                        answer = json.loads(payload).get("status", "?")
                    except ValueError:
                        answer = "?"
                    with lock:
                        acked.append((eid, k % len(nums), answer, time.time() - t0))
                        if len(acked) == half:
                            open(os.path.join(out_dir, "halfway"), "w").close()
                    break
                with lock:
                    stats["failures"] += 1
                    if status is None:
                        stats["errors"][payload] = stats["errors"].get(payload, 0) + 1
                    else:
                        stats["non2xx"][str(status)] = stats["non2xx"].get(str(status), 0) + 1
                c.close()
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 1.0)
        c.close()

    ts = [threading.Thread(target=worker) for _ in range(senders)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with open(os.path.join(out_dir, "acked.tsv"), "w") as f:
        for eid, shipment, answer, at in acked:
            f.write(f"{eid}\t{shipment}\t{answer}\t{at:.3f}\n")
    answers = {}
    for _, _, a, _ in acked:
        answers[a] = answers.get(a, 0) + 1
    summary = {"events": count, "acknowledged": len(acked), "answers": answers, "attempts": stats["attempts"],
               "failed_attempts": stats["failures"], "non2xx": stats["non2xx"], "socket_errors": stats["errors"],
               "seconds": round(time.time() - t0, 1)}
    json.dump(summary, open(os.path.join(out_dir, "send.json"), "w"))
    print(json.dumps(summary))
    return 0 if len(acked) == count else 1


def percentiles(file):
    values = sorted(float(v) for v in open(file) if v.strip())
    if not values:
        print("- - - - - 0")
        return 0
    def p(q):
        return values[min(len(values) - 1, max(0, math.ceil(q / 100 * len(values)) - 1))]
    print(f"{p(50):.1f} {p(90):.1f} {p(99):.1f} {values[-1]:.1f} {sum(values) / len(values):.1f} {len(values)}")
    return 0


def verify_bench(requests_file, issued, event_ids_file, received_2xx, connections):
    """Which event ids wrk sent: thread t (1-based) of T sent the first issued[t] of its lines (line i goes to
    thread i mod T + 1). The inbox must hold only those, each once, and at least every 2xx 'received'."""
    counts = [int(x) for x in issued.split(",") if x]
    threads = len(counts)
    sent, per_thread = set(), [0] * threads
    with open(requests_file) as f:
        for i, line in enumerate(f):
            t = i % threads
            if per_thread[t] < counts[t]:
                per_thread[t] += 1
                sent.add(line.split(" ", 1)[0])
    stored = [e.strip() for e in open(event_ids_file) if e.strip()]
    stored_set = set(stored)
    twice = len(stored) - len(stored_set)
    foreign = len(stored_set - sent)
    missing = len(sent - stored_set)
    ok = twice == 0 and foreign == 0 and len(stored_set) >= int(received_2xx) and missing <= int(connections)
    print(f"sent={len(sent)} stored={len(stored)} distinct_stored={len(stored_set)} stored_twice={twice} "
          f"not_sent={foreign} sent_not_stored={missing} received_2xx={received_2xx} ok={1 if ok else 0}")
    return 0 if ok else 1


def verify_crash(out_dir, event_ids_file, events_file):
    """acked.tsv against the inbox's event ids (EVENT_IDS: "event_id status" a line) and tracking_events per
    shipment (EVENTS_FILE: "index count distinct_scans" a line) against the scans sent."""
    acked = [l.rstrip("\n").split("\t") for l in open(os.path.join(out_dir, "acked.tsv")) if l.strip()]
    summary = json.load(open(os.path.join(out_dir, "send.json")))
    rows = [l.split() for l in open(event_ids_file) if l.strip()]
    inbox = {}
    for eid, status in rows:
        inbox.setdefault(eid, []).append(status)
    problems = []
    acked_ids = {a[0] for a in acked}
    lost = [e for e in acked_ids if e not in inbox]
    twice = [e for e, s in inbox.items() if len(s) > 1]
    statuses = {}
    for s in inbox.values():
        for x in s:
            statuses[x] = statuses.get(x, 0) + 1
    bad = {k: v for k, v in statuses.items() if k not in ("processed", "orphan")}
    unsent = len(set(inbox) - acked_ids)
    if lost:
        problems.append(f"{len(lost)} acknowledged events are not in the inbox (e.g. {lost[:3]})")
    if twice:
        problems.append(f"{len(twice)} event ids are in the inbox more than once")
    if bad:
        problems.append(f"inbox rows neither processed nor orphan: {bad}")
    if unsent:
        problems.append(f"{unsent} inbox rows have event ids no sender had acknowledged")
    if len(acked_ids) != summary["events"]:
        problems.append(f"only {len(acked_ids)} of {summary['events']} events were acknowledged")
    # Scans sent per shipment: the shared scans of the template + one new scan per event.
    sent_per = {}
    for a in acked:
        sent_per[int(a[1])] = sent_per.get(int(a[1]), 0) + 1
    shared = int(os.environ.get("BENCH_SHARED_SCANS", "7"))
    stored = {}
    for line in open(events_file):
        if line.strip():
            idx, n, distinct = line.split()
            stored[int(idx)] = (int(n), int(distinct))
    extra = short = dup = 0
    for idx, sent in sent_per.items():
        n, distinct = stored.get(idx, (0, 0))
        want = shared + sent
        if n > want:
            extra += 1
        if n < want:
            short += 1
        if n != distinct:
            dup += 1
    if extra:
        problems.append(f"{extra} shipments have more tracking events than distinct scans sent (applied twice)")
    if short:
        problems.append(f"{short} shipments have fewer tracking events than distinct scans sent (lost)")
    if dup:
        problems.append(f"{dup} shipments hold the same scan twice")
    total_events = sum(v[0] for v in stored.values())
    print(json.dumps({"acknowledged": len(acked_ids), "inbox_rows": len(rows), "inbox_statuses": statuses,
                      "shipments": len(sent_per), "tracking_events": total_events,
                      "tracking_events_expected": sum(shared + s for s in sent_per.values()),
                      "shipments_with_extra": extra, "shipments_with_missing": short, "shipments_with_duplicate_scans": dup,
                      "problems": problems}, ensure_ascii=False))
    return 0 if not problems else 1


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, a = argv[1], argv[2:]
    if cmd == "numbers":
        for n in numbers(int(a[0]), a[1] if len(a) > 1 else ""):
            print(n)
        return 0
    if cmd == "setup":
        return setup(a[0], a[1], a[2], a[3])
    if cmd == "template":
        return template(a[0], a[1])
    if cmd == "requests":
        return requests(a[0], a[1], a[2], a[3], int(a[4]), a[5])
    if cmd == "send":
        return send(a[0], a[1], a[2], a[3], a[4], int(a[5]), int(a[6]), a[7])
    if cmd == "percentiles":
        return percentiles(a[0])
    if cmd == "verify-bench":
        return verify_bench(*a)
    if cmd == "verify-crash":
        return verify_crash(*a)
    print(f"unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
