"""Schemathesis hooks of the fuzzing job (stack/src/fuzz/fuzz.ts loads them via SCHEMATHESIS_HOOKS).

They steer the generator where the document cannot: which token a request carries, and real ids
where only existing ones make sense, so orders and payments really succeed. Negative cases are left
as generated. Every answer's status is counted per operation and written to FUZZ_TALLY at exit, so
the job can show what it covered.
"""

import atexit
import json
import os
import random
import urllib.request
import uuid
from collections import defaultdict

import schemathesis

BASE_URL = os.environ["FUZZ_BASE_URL"]
CUSTOMER = os.environ["FUZZ_CUSTOMER_TOKEN"]
ADMIN = os.environ["FUZZ_ADMIN_TOKEN"]
TALLY_FILE = os.environ["FUZZ_TALLY"]

tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
orders: list[str] = []


def _call(method: str, path: str, token: str | None = None, body=None, headers=None):
    request = urllib.request.Request(f"{BASE_URL}{path}", method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(request, data=data, timeout=10) as response:
        return json.loads(response.read() or b"{}")


# Products with stock, from the catalogue; and one order of the customer's, so payments have one.
products = [p["id"] for p in _call("GET", "/api/products?limit=100&sort=price_desc")["items"]]
if not products:
    raise SystemExit("the catalogue is empty: seed the stack first (pnpm stack:seed)")
orders.append(
    _call(
        "POST",
        "/api/orders",
        CUSTOMER,
        {"lines": [{"productId": products[0], "quantity": 1}]},
        {"Idempotency-Key": str(uuid.uuid4())},
    )["id"]
)


def _is_admin_operation(case) -> bool:
    # Admin routes are the ones that answer 403 for a customer (api.ts documents it).
    return "403" in (case.operation.definition.raw.get("responses") or {})


def _positive(case) -> bool:
    meta = case.meta
    return meta is None or not meta.generation.mode.is_negative


def _token_for(case, context=None) -> str:
    return ADMIN if _is_admin_operation(case) else CUSTOMER


@schemathesis.auth(cache_by_key=_token_for)
class Tokens:
    """The admin's token on admin routes, the customer's on every other (a provider, not a fixed
    header, so the checks that send no or a broken token still can)."""

    def get(self, case, context):
        return _token_for(case)

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if not _positive(case):
        return
    operation = case.operation.definition.raw.get("operationId")
    if operation == "placeOrder" and isinstance(case.body, dict) and isinstance(case.body.get("lines"), list):
        # Each line a different product that exists (the document says one line per product).
        chosen = random.sample(products, k=min(len(case.body["lines"]), len(products)))
        case.body["lines"] = [
            {**line, "productId": product, "quantity": min(line.get("quantity", 1), 2)}
            for line, product in zip(case.body["lines"], chosen)
        ]
    if operation in ("payOrder", "getOrder") and case.path_parameters and random.random() < 0.7:
        case.path_parameters["id"] = random.choice(orders)
    if isinstance(case.query, dict) and "cursor" in case.query:
        # Cursors are opaque: only one a listing gave out is valid, and those come from answers.
        del case.query["cursor"]


@schemathesis.hook
def after_call(ctx, case, response):
    operation = case.operation.definition.raw.get("operationId", case.operation.label)
    tally[operation][str(response.status_code)] += 1
    if operation == "placeOrder" and response.status_code == 201:
        orders.append(response.json()["id"])


@atexit.register
def _write_tally():
    with open(TALLY_FILE, "w") as out:
        json.dump(tally, out)
