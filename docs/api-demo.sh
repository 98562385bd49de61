#!/usr/bin/env bash
# The REST API with nothing but curl: log in, create a product, receive and issue stock,
# read the level and follow the event feed.
#   BASE=http://localhost:9000 API_USER=manager API_PASSWORD=manager docs/api-demo.sh
set -euo pipefail

BASE="${BASE:-http://localhost:9000}"
API_USER="${API_USER:-manager}"
API_PASSWORD="${API_PASSWORD:-manager}"
SKU="${SKU:-DEMO-$(date +%s)}"

say() { printf '\n== %s\n' "$*"; }

say "Log in: POST /api/auth/token/ (or: manage.py drf_create_token $API_USER)"
TOKEN=$(curl -sS --fail-with-body -H 'Content-Type: application/json' \
  -d "{\"username\": \"$API_USER\", \"password\": \"$API_PASSWORD\"}" \
  "$BASE/api/auth/token/" | sed -E 's/.*"token":"([^"]+)".*/\1/')
AUTH="Authorization: Token $TOKEN"
echo "token ${TOKEN:0:8}…"

say "Create $SKU: POST /api/products/ -> 201, no body, Location names the product"
PRODUCT_URL=$(curl -sS --fail-with-body -o /dev/null -w '%header{location}' -H "$AUTH" \
  -H 'Content-Type: application/json' -H "Idempotency-Key: create-$SKU" \
  -d "{\"sku\": \"$SKU\", \"name\": \"Demo widget\", \"price\": \"2.50\", \"reorder_level\": 5}" \
  "$BASE/api/products/")
echo "Location: $PRODUCT_URL"

say "Receive 12: POST stock/receive/ -> 204 (sent twice with one Idempotency-Key: applied once)"
for attempt in 1 2; do
  curl -sS --fail-with-body -o /dev/null -w "attempt $attempt: %{http_code}\n" -H "$AUTH" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: receive-$SKU" \
    -d '{"quantity": 12, "note": "PO 4711"}' "${PRODUCT_URL}stock/receive/"
done

say "Issue 5: POST stock/issue/ -> 204"
curl -sS --fail-with-body -o /dev/null -w '%{http_code}\n' -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"quantity": 5, "note": "Order 1001"}' "${PRODUCT_URL}stock/issue/"

say "Issue 50 (more than on hand): 409 with a JSON error, nothing written"
curl -sS -w '\n%{http_code}\n' -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"quantity": 50}' "${PRODUCT_URL}stock/issue/"

say "Stock level: GET stock/"
curl -sS --fail-with-body -H "$AUTH" "${PRODUCT_URL}stock/"; echo

say "Can I ship 8? GET availability/?quantity=8"
curl -sS --fail-with-body -H "$AUTH" "${PRODUCT_URL}availability/?quantity=8"; echo

say "Event feed for this product: GET /api/events/?after=0&product_id=…"
PRODUCT_ID=$(basename "$PRODUCT_URL")
curl -sS --fail-with-body -H "$AUTH" "$BASE/api/events/?after=0&product_id=$PRODUCT_ID"; echo
