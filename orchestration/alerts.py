"""Alerts for the people running the warehouse: always logged, posted to a webhook when set.

`ALERT_WEBHOOK_URL` (Slack/Teams/Mattermost-style incoming webhook, or any HTTP endpoint) gets a
JSON POST `{"text": ..., "event": ..., **details}`; the `text` key is what chat webhooks show.
The URL often carries a token, so it is never logged; a failed post is logged, never raised: an
alert must not turn into a second failure.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from typing import Any
from urllib.parse import urlsplit

WEBHOOK_ENV = "ALERT_WEBHOOK_URL"
TIMEOUT_S = 10


def send_alert(event: str, text: str, logger: logging.Logger | Any, **details: Any) -> bool:
    """Log `text` as an error and post it to the webhook if one is configured.

    Returns whether a webhook accepted it.
    """
    logger.error(f"ALERT [{event}] {text}")
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        return False
    body = json.dumps({"text": text, "event": event, **details}, default=str).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    host = urlsplit(url).hostname
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            accepted = 200 <= response.status < 300
    except OSError as exc:
        logger.warning(f"alert webhook at {host} not reached: {exc}")
        return False
    if not accepted:
        logger.warning(f"alert webhook at {host} answered {response.status}")
    return accepted
