"""Who a student is, for the per-student training limit: their browser.

Every tab of one browser sends the same cookies. Streamlit gives each browser, on its first visit, a random
token in its XSRF cookie (`_streamlit_xsrf`, "2|mask|masked token|time" in hex) and keeps that token on later
visits (only the mask changes), so the unmasked token names the browser; a hash of it is used, never the
token itself. Without the cookie (XSRF protection switched off, a client that sends no cookies, AppTest) each
session counts as a student of its own. A student gets around it with a second browser, a private window or
by clearing cookies; a script can send a fresh cookie with each connection."""
from __future__ import annotations

import hashlib

import streamlit as st

XSRF_COOKIE = "_streamlit_xsrf"


def browser_id() -> str | None:
    """The same string for every tab of this browser, or None when the browser cannot be told."""
    try:
        cookie = st.context.cookies.get(XSRF_COOKIE)
    except Exception:  # no session to ask (a script outside Streamlit)
        return None
    token = xsrf_token(cookie) if cookie else None
    return f"browser-{hashlib.sha256(token).hexdigest()[:16]}" if token else None


def xsrf_token(cookie: str) -> bytes | None:
    """The token inside a version-2 XSRF cookie value, unmasked (byte k XOR mask byte k mod 4); None for
    anything else."""
    parts = cookie.strip("\"'").split("|")
    if len(parts) != 4 or parts[0] != "2":
        return None
    try:
        mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
    except ValueError:
        return None
    if not mask or not masked:
        return None
    return bytes(b ^ mask[k % len(mask)] for k, b in enumerate(masked))
