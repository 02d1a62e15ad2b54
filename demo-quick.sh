#!/usr/bin/env bash
# The whole flow in one minute, against a running system (`npm start` in another terminal):
# create a user -> welcome order -> paid; place an order -> paid; show the events on Kafka.
set -euo pipefail

GATEWAY="${GATEWAY_URL:-http://localhost:3005}"
# How long each step may wait for the events: generous, so that a broker or an instance killed
# mid-demo (partitions move after the 30 s session timeout) makes it slower, not failed.
TIMEOUT_S="${DEMO_TIMEOUT_S:-90}"
# One request's limit: the gateway answers within its own upstream deadline, so this only ends a hang.
REQUEST_TIMEOUT_S=30

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "demo-quick.sh needs '$1' (install it: $2)" >&2; exit 1; }
}
need curl "apt-get install curl / brew install curl"
need jq "apt-get install jq / brew install jq"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# curl that fails loudly with the API's own error body. A fourth argument is sent as the
# Idempotency-Key: a create or cancel whose connection to an instance died after it was sent is
# then safe for the gateway to send to another instance.
api() {
  local method=$1 path=$2 body=${3:-} key=${4:-}
  local out status
  out=$(mktemp)
  if [ -n "$body" ]; then
    status=$(curl -sS --max-time "$REQUEST_TIMEOUT_S" -o "$out" -w '%{http_code}' -X "$method" "$GATEWAY$path" \
      -H 'Content-Type: application/json' -H "X-Request-Id: $REQUEST_ID" ${key:+-H "Idempotency-Key: $key"} -d "$body")
  else
    status=$(curl -sS --max-time "$REQUEST_TIMEOUT_S" -o "$out" -w '%{http_code}' -X "$method" "$GATEWAY$path" -H "X-Request-Id: $REQUEST_ID" \
      ${key:+-H "Idempotency-Key: $key"})
  fi
  if [ "${status:0:1}" != "2" ]; then
    echo "$method $path -> HTTP $status" >&2
    jq . "$out" >&2 2>/dev/null || cat "$out" >&2
    rm -f "$out"
    exit 1
  fi
  cat "$out"
  rm -f "$out"
}

# Polls an order until it leaves "pending"; prints each status it sees.
# The loops below wait by the clock (bash's SECONDS), not by a count of polls: a slow machine polls
# less often, and TIMEOUT_S must still mean seconds.
wait_for_final() {
  local order_id=$1 last="" status deadline=$((SECONDS + TIMEOUT_S))
  while [ "$SECONDS" -lt "$deadline" ]; do
    status=$(api GET "/api/orders/$order_id" | jq -r .status)
    if [ "$status" != "$last" ]; then echo "  order $order_id: $status"; last=$status; fi
    if [ "$status" = "paid" ] || [ "$status" = "failed" ]; then return 0; fi
    sleep 0.2
  done
  echo "order $order_id still $last after ${TIMEOUT_S}s: is Kafka up? (npm start prints its state)" >&2
  exit 1
}

# Ready within 10 s (a cluster recovering from a killed broker or instance may take a moment).
for attempt in $(seq 1 20); do
  curl -sf --max-time 2 "$GATEWAY/health/ready" >/dev/null 2>&1 && break
  if [ "$attempt" = 20 ]; then
    echo "The gateway at $GATEWAY is not ready. Start the system first: npm start" >&2
    exit 1
  fi
  sleep 0.5
done

REQUEST_ID="demo-$(date +%s)-$RANDOM"
EMAIL="demo-$(date +%s)-$RANDOM@example.com"
echo "request id for everything below: $REQUEST_ID (grep the logs for it)"

step "1. Create a user (POST /api/users)"
USER=$(api POST /api/users "{\"email\":\"$EMAIL\",\"name\":\"Demo User\",\"password\":\"SecurePass123!\"}" "$REQUEST_ID-user")
echo "$USER" | jq .
USER_ID=$(echo "$USER" | jq -r .id)

step "2. Log in, then trade the refresh token for a new pair once (POST /api/auth/login, /api/auth/refresh)"
LOGIN=$(api POST /api/auth/login "{\"email\":\"$EMAIL\",\"password\":\"SecurePass123!\"}")
REFRESH_TOKEN=$(echo "$LOGIN" | jq -r .refreshToken)
REFRESHED=$(api POST /api/auth/refresh "{\"refreshToken\":\"$REFRESH_TOKEN\"}")
echo "$REFRESHED" | jq '{sessionId, expiresIn, refreshExpiresAt, accessToken: (.accessToken[0:12] + "..."), refreshToken: "(new; the old one is spent)"}'

step "3. user.created -> order-service makes a welcome order -> payment-service pays it"
WELCOME_ID=""
deadline=$((SECONDS + TIMEOUT_S))
while [ "$SECONDS" -lt "$deadline" ]; do
  WELCOME_ID=$(api GET "/api/orders?userId=$USER_ID" | jq -r '[.[] | select(.kind == "welcome")][0].id // empty')
  [ -n "$WELCOME_ID" ] && break
  sleep 0.2
done
[ -n "$WELCOME_ID" ] || { echo "no welcome order after ${TIMEOUT_S}s" >&2; exit 1; }
wait_for_final "$WELCOME_ID"
api GET "/api/orders/$WELCOME_ID" | jq .

step "4. Place an order (POST /api/orders)"
ORDER=$(api POST /api/orders "{\"userId\":\"$USER_ID\",\"items\":[{\"productId\":\"product-123\",\"quantity\":3,\"price\":0.10},{\"productId\":\"product-456\",\"quantity\":1,\"price\":19.99}]}" "$REQUEST_ID-order")
echo "$ORDER" | jq .
ORDER_ID=$(echo "$ORDER" | jq -r .id)
wait_for_final "$ORDER_ID"
api GET "/api/orders/$ORDER_ID" | jq '{id, status, totalAmount}'

step "5. Change of mind: cancel the paid order (POST /api/orders/:id/cancel) -> refunded"
api POST "/api/orders/$ORDER_ID/cancel" "" "$REQUEST_ID-cancel" | jq '{id, status}'
last=""
deadline=$((SECONDS + TIMEOUT_S))
while [ "$SECONDS" -lt "$deadline" ]; do
  status=$(api GET "/api/orders/$ORDER_ID" | jq -r .status)
  if [ "$status" != "$last" ]; then echo "  order $ORDER_ID: $status"; last=$status; fi
  if [ "$status" = "refunded" ] || [ "$status" = "refund_failed" ]; then break; fi
  sleep 0.2
done
api GET "/api/orders/$ORDER_ID" | jq -c '[.history[] | "\(.from // "-") -> \(.to) (\(.trigger))"]'
api GET "/api/payments?orderId=$ORDER_ID" | jq -c '[.[] | {amount, status, refund: (.refund | if . then {amount, status} else null end)}]'

step "6. The events on Kafka (keys: user and orders)"
ROOT=$(cd "$(dirname "$0")" && pwd)
if command -v node >/dev/null 2>&1 && [ -d "$ROOT/infra/local/node_modules/kafkajs" ]; then
  node "$ROOT/scripts/peek-events.mjs" ${KAFKA_BROKER:+--broker "$KAFKA_BROKER"} "$USER_ID" "$WELCOME_ID" "$ORDER_ID"
else
  echo "(node and infra/local's dependencies are needed to read Kafka; npm start installs them)"
fi

step "Done"
echo "Swagger: $GATEWAY/api/docs   Metrics: $GATEWAY/metrics   Bad input gets a clear 4xx, e.g.:"
REQUEST_ID="$REQUEST_ID-bad"
curl -sS -X POST "$GATEWAY/api/orders" -H 'Content-Type: application/json' \
  -d "{\"userId\":\"$USER_ID\",\"items\":[{\"productId\":\"bad id\",\"quantity\":0,\"price\":\"12\"}]}" | jq .
