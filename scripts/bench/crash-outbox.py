#!/usr/bin/env python3
"""Checks of scripts/crash-outbox (standard library only).

  crash-outbox.py check MAILDIR EMAILS HELD RETRIED

MAILDIR  the maildir of scripts/smtp-test-server (one <n>.eml per message received)
EMAILS   the `email` rows of the outbox, one a line: id TAB status TAB attempts TAB message_id
HELD     the rows that were `sending` when worker A got SIGKILL: id TAB kind
RETRIED  the rows (any kind) with attempts >= 2 at the end: id TAB kind TAB attempts

Prints one line per check, `CHECK PASS|FAIL <name>\t<detail>`, and figures as `STAT <key>\t<value>`;
exits 1 when a check failed.
"""
import collections
import email.parser
import email.policy
import glob
import os
import re
import sys


def rows(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def bare(message_id):
    """`<id>` → `id`, lower case (the id is a UUID and a domain)."""
    return message_id.strip().strip("<>").strip().lower() if message_id else ""


def check(maildir, emails_file, held_file, retried_file):
    emails = rows(emails_file)
    row_of_mid = {}  # message_id → row id
    attempts = {}
    for r in emails:
        rid, _status, tries, mid = (r + [""] * 4)[:4]
        row_of_mid[bare(mid)] = rid.lower()
        attempts[rid.lower()] = int(tries or 0)
    held = {r[0].lower(): r[1] for r in rows(held_file)}
    held_email = {i for i, k in held.items() if k == "email"}
    retried = {r[0].lower(): (r[1], int(r[2])) for r in rows(retried_file)}

    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    received = collections.defaultdict(list)  # message_id → [(file, X-Waybill-Message, bytes without Date)]
    no_id = []
    files = sorted(glob.glob(os.path.join(maildir, "*.eml")), key=lambda p: int(re.sub(r"\D", "", os.path.basename(p)) or 0))
    for name in files:
        with open(name, "rb") as f:
            raw = f.read()
        headers = parser.parsebytes(raw)
        mid = bare(headers.get("Message-ID"))
        xwm = (headers.get("X-Waybill-Message") or "").strip().lower()
        # The copy without its Date field (the one header a resend renders anew).
        head, sep, body = raw.partition(b"\r\n\r\n")
        head = b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"date:"))
        if not mid:
            no_id.append(os.path.basename(name))
            continue
        received[mid].append((os.path.basename(name), xwm, head + sep + body))

    results = []

    def verdict(ok, name, detail):
        results.append((ok, name, detail))

    wanted = set(row_of_mid)
    got = set(received)
    missing = sorted(wanted - got)
    verdict(not missing, "every e-mail row's Message-ID reached the sink",
            f"{len(wanted) - len(missing)} of {len(wanted)} rows' Message-IDs received"
            + (f"; missing e.g. {', '.join(missing[:3])}" if missing else ""))
    stray = sorted(got - wanted)
    verdict(not stray and not no_id, "no Message-ID in the sink that is not a row's",
            f"{len(files)} messages, {len(got)} distinct Message-IDs, {len(stray)} unknown"
            + (f" (e.g. {', '.join(stray[:3])})" if stray else "")
            + (f", {len(no_id)} without a Message-ID (e.g. {', '.join(no_id[:3])})" if no_id else ""))
    mismatched = [(mid, copies) for mid, copies in received.items() if mid in row_of_mid
                  and any(x != row_of_mid[mid] for _, x, _ in copies)]
    verdict(not mismatched, "every message's X-Waybill-Message is the row of its Message-ID",
            "all match" if not mismatched else
            f"{len(mismatched)} Message-IDs with another X-Waybill-Message, e.g. {mismatched[0][0]} → "
            f"{[x for _, x, _ in mismatched[0][1]]} (row {row_of_mid[mismatched[0][0]]})")

    duplicated = {mid: copies for mid, copies in received.items() if len(copies) > 1}
    extra = sum(len(c) - 1 for c in duplicated.values())
    most = max((len(c) for c in duplicated.values()), default=1)
    same_header = all(len({x for _, x, _ in c}) == 1 and c[0][1] for c in duplicated.values())
    ok = len(duplicated) <= len(held_email) and most <= 2 and same_header
    verdict(ok, "duplicates: at most the rows A held, each with the same Message-ID and X-Waybill-Message",
            f"{len(duplicated)} Message-IDs received twice ({extra} extra copies; at most {most} copies of one); "
            f"{len(held_email)} e-mail rows were `sending` when A died; "
            + ("every duplicate pair carries one X-Waybill-Message" if same_header else "**some copies differ in X-Waybill-Message**")
            + (f"; e.g. {next(iter(duplicated))} in {', '.join(f for f, _, _ in next(iter(duplicated.values())))}" if duplicated else ""))
    differing = [mid for mid, c in duplicated.items() if len({b for _, _, b in c}) > 1]
    verdict(not differing, "each duplicate is the same message (byte for byte, apart from Date)",
            f"{len(duplicated) - len(differing)} of {len(duplicated)} duplicate pairs identical"
            + (f"; differing e.g. {differing[0]}" if differing else ""))

    dup_rows = {row_of_mid[m] for m in duplicated if m in row_of_mid}
    not_retried = sorted(r for r in dup_rows if attempts.get(r, 0) < 2)
    not_held = sorted(r for r in dup_rows if r not in held)
    verdict(not not_retried and not not_held, "every duplicate's row was held by A and has attempts >= 2",
            f"{len(dup_rows)} rows: {len(dup_rows) - len(not_retried)} with attempts >= 2, {len(dup_rows) - len(not_held)} held by A"
            + (f"; e.g. {(not_retried + not_held)[0]}" if not_retried or not_held else ""))
    extra_retried = sorted(set(retried) - set(held))
    held_not_retried = sorted(set(held) - set(retried))
    by_kind = collections.Counter(k for k, _ in retried.values())
    verdict(not extra_retried and not held_not_retried, "rows with attempts >= 2 are exactly the rows A held",
            f"{len(retried)} rows with attempts >= 2 ({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items())) or 'none'}); "
            f"{len(held)} held by A; {len(extra_retried)} retried but not held, {len(held_not_retried)} held but not retried")

    stats = {
        "messages": len(files), "distinct": len(got), "duplicates": len(duplicated), "extra_copies": extra,
        "held_email": len(held_email), "held_other": len(held) - len(held_email), "retried": len(retried),
        "duplicate_examples": " ".join(f"{m}:{'+'.join(f for f, _, _ in c)}" for m, c in list(duplicated.items())[:3]),
    }
    for ok, name, detail in results:
        print(f"CHECK {'PASS' if ok else 'FAIL'} {name}\t{detail}")
    for k, v in stats.items():
        print(f"STAT {k}\t{v}")
    return 0 if all(ok for ok, _, _ in results) else 1


def main(argv):
    if len(argv) == 6 and argv[1] == "check":
        return check(*argv[2:6])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
