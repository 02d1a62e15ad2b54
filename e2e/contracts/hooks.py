"""Hooks of the contract runs (loaded through SCHEMATHESIS_HOOKS by e2e/support/schemathesis.ts)."""
import re
import uuid

import schemathesis

# What the apps accept as an Idempotency-Key: 1 to 255 visible ASCII characters.
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@schemathesis.hook
def map_headers(ctx, headers):
    """
    A valid Idempotency-Key becomes a fresh one. Generated keys are short and repeat across
    scenarios ("0", "a"), and a repeated key with the same body is, as documented, answered with
    the first request's stored answer: a user created and deleted in one scenario would come back
    as "created" in the next and fail the stateful check that a created resource exists. Invalid
    keys are left as generated, so their 400 is still checked.
    """
    if headers and isinstance(headers.get("Idempotency-Key"), str) and VALID_KEY.match(headers["Idempotency-Key"]):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers
