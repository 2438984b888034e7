"""Discord webhook constants: the env variable, timeouts and the limits we pace to.

Limits (Discord asks clients to read the ``X-RateLimit-*`` headers rather than hard-code
limits; these are the documented webhook figures we stay under even before any header):
5 requests per 2 s per webhook (birdie0.github.io/discord-webhooks-guide, "Rate Limits") and
30 messages per minute per channel (wisechecker.com, "Discord webhook 30 messages per minute").
On 429 the JSON body's ``retry_after`` is in seconds (docs.discord.com, topics/rate-limits).
"""

from __future__ import annotations

WEBHOOK_URL_ENV = "DISCORD_WEBHOOK_URL"

BURST_REQUESTS = 5
BURST_WINDOW_S = 2.0
CHANNEL_REQUESTS_PER_MINUTE = 30

REQUEST_TIMEOUT_S = 5.0
MAX_ATTEMPTS = 3
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 30.0
# A 429 asking for longer than this is treated as a failure (Discord has sent "2 days").
MAX_RETRY_AFTER_S = 60.0

USER_AGENT = "kalshi-weather-trader/0.1 (alerts)"
USERNAME = "kalshi-weather trader"
# Discord message flag: deliver without a push notification ("silent" alerts).
SUPPRESS_NOTIFICATIONS = 1 << 12
