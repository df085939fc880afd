#!/usr/bin/env python3
"""Turns one order's intake, as PostgreSQL logged it, into pgbench scripts (see scripts/bench-postgres-ceiling).

The server's log (log_statement = 'all') holds every statement of the captured order with its parameters.
This takes the statements logged from the order's idempotency look-up to its write (the server ran without
background jobs, and nothing else was in flight),
and emits them as pgbench SQL with the parameters inlined, so that each pgbench transaction is a new order:

  * the order's id, and every other id the write invents (lines, facts, ledger rows…), become
    md5(:n || tag)::uuid with :n random per transaction;
  * the idempotency key, external id and customer e-mail become strings built from :n, the order number
    the value `nextval` returned (pgbench's \\gset), timestamps now() (or now() minus the same interval);
  * the two SKUs' variant ids, codes and names are replaced by another pair's, one pair per script
    (pgbench picks a script at random per transaction), so the orders spread over the catalog;
  * uuid-looking values are cast to uuid and integers to bigint, as the server binds them typed.

JSON text inside parameters gets a space after each colon (still the same JSON), because pgbench would take
`:word` in a literal for a variable.

  intake_replay.py --log FILE --order ORDER.json --catalog CATALOG.tsv --known IDS --out DIR
                   [--scripts 40] [--seed 1]

ORDER.json is the API's answer to the captured order, whose request used its external id as its
Idempotency-Key; CATALOG.tsv has sku, variant id and the name the order's lines carry, tab-separated; IDS
lists the ids that exist before the order (shop, locations, variants…), one per line: every other id in the
statements is one the order invents. Prints the number of statements per order.
"""
import argparse
from datetime import datetime
import json
import random
import re
import sys

ENTRY = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\w+):  (.*)$', re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'((?:[^']|'')*)')")
UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d(?::\d\d)?)?$')
INTEGER = re.compile(r'^-?\d+$')


def entries(path):
    """The log's entries: (backend pid, kind, text), continuation lines joined."""
    text = open(path, encoding='utf-8', errors='replace').read()
    for chunk in re.split(r'\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)', text):
        m = ENTRY.match(chunk)
        if m:
            yield m.groups()


def statements(path):
    """(sql, {index: value or None}) for each statement executed, in the log's order, from any backend (each
    query of a request may take another pooled connection)."""
    found = []
    last = {}
    for pid, kind, body in entries(path):
        if kind == 'LOG':
            m = re.match(r'(?:execute [^:]*|statement): (.*)$', body, re.S)
            if m:
                found.append((m.group(1), {}))
                last[pid] = found[-1]
        elif kind == 'DETAIL' and body.startswith('parameters: ') and pid in last:
            for p in PARAM.finditer(body):
                last[pid][1][int(p.group(1))] = None if p.group(2) == 'NULL' else p.group(3).replace("''", "'")
    return found


def literal(value):
    return "'" + re.sub(r':(?=\w)', ': ', value).replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--log', required=True)
    ap.add_argument('--order', required=True)
    ap.add_argument('--catalog', required=True)
    ap.add_argument('--known', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--scripts', type=int, default=40)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    order = json.load(open(args.order, encoding='utf-8'))
    order_id = order['id'].lower()
    catalog = {}
    for line in open(args.catalog, encoding='utf-8'):
        sku, variant, name = line.rstrip('\n').split('\t')
        catalog[sku] = (variant.lower(), name)
    captured = [(l['sku'], l['variant_id'].lower(), l['name']) for l in order['line_items']]
    if len(captured) != 2:
        sys.exit('intake_replay: the captured order must have two lines')

    every = statements(args.log)
    key = order['external_id']
    # From the look-up of the key (the first statement naming it) to the write (the statement that stores it).
    first = next((i for i, (_, p) in enumerate(every) if key in p.values()), None)
    last = next((i for i, (sql, p) in enumerate(every) if sql.lstrip().startswith('WITH') and order_id in p.values()), None)
    if first is None or last is None or last < first:
        sys.exit('intake_replay: the captured order\'s statements are not in the log')
    intake = every[first:last + 1]

    # The write's first timestamp is the moment of the order (within milliseconds): the others are set relative to it.
    placed = next((v for v in intake[-1][1].values() if v and TIMESTAMP.match(v)), None)
    known_ids = {line.strip().lower() for line in open(args.known) if line.strip()}
    if placed is None:
        sys.exit('intake_replay: the write has no timestamp')
    placed_at = datetime.fromisoformat(placed)

    def script(pair):
        fresh = {}
        lines = ['\\set n random(1, 1000000000000000)']
        for sql, params in intake:
            def sub(m):
                value = params[int(m.group(1))]
                if value is None:
                    return 'NULL'
                if value == order_id:
                    return "md5(:n::text || 'o')::uuid"
                if value == order_id.upper():
                    return "upper(md5(:n::text || 'o'))"
                for (sku, variant, name), (new_sku, (new_variant, new_name)) in zip(captured, pair):
                    if value == variant:
                        return literal(new_variant) + '::uuid'
                    if value == sku:
                        return literal(new_sku)
                    if value == name:
                        return literal(new_name)
                if order_id in value:
                    before, after = value.split(order_id, 1)
                    return f"({literal(before)} || md5(:n::text || 'o')::uuid::text || {literal(after)})"
                if value == key:
                    return "('replay-' || :n::text)"
                if value == order.get('customer', {}).get('email'):
                    return "('replay-' || :n::text || '@example.kr')"
                if value == str(order['number']):
                    return ':number::int8'
                if UUID.match(value):
                    if value in known_ids:
                        return literal(value) + '::uuid'  # the shop, a location, a variant: read, not invented
                    fresh.setdefault(value, len(fresh))
                    return f"md5(:n::text || 'i{fresh[value]}')::uuid"
                if TIMESTAMP.match(value):
                    ago = (placed_at - datetime.fromisoformat(value)).total_seconds()
                    return 'now()' if abs(ago) < 60 else f"(now() - interval '{ago:.0f} seconds')"
                if len(value) == 64 and re.fullmatch('[0-9a-f]+', value):
                    return 'md5(:n::text)'  # the request hash
                if INTEGER.match(value):
                    return literal(value) + '::int8'
                return literal(value)
            text = ' '.join(re.sub(r'\$(\d+)', sub, sql).split())
            if re.match(r'SELECT nextval\(', text):
                lines.append(re.sub(r' AS \w+$', ' AS number', text) + ' \\gset')
            else:
                lines.append(text + ';')
        return '\n'.join(lines) + '\n'

    rng = random.Random(args.seed)
    skus = sorted(catalog)
    for index in range(args.scripts):
        a, b = rng.sample(skus, 2)
        with open(f'{args.out}/order-{index:02d}.sql', 'w', encoding='utf-8') as f:
            f.write(script([(a, catalog[a]), (b, catalog[b])]))
    print(len(intake))


if __name__ == '__main__':
    main()
