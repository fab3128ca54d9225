"""HTTP hardening: security headers, secure cookies over TLS, and a trusted proxy.

- A content security policy that allows scripts from this site only (no inline script runs),
  no framing, no plug-ins; ``nosniff``; no referrer (invitation links carry tokens).
- ``Cache-Control: no-store`` on every page and API answer (attempts and staff pages must not
  stay in shared or back-button caches); static files keep their caching.
- Over TLS, HSTS and ``Secure`` cookies. Behind a TLS-terminating proxy, set
  ``TRUSTED_PROXIES`` to the number of proxies so that the scheme and client address are read
  from their ``X-Forwarded-*`` headers (and from nobody else's).
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # No inline style anywhere: the stylesheet styles pages, and the SVG plots use
        # presentation attributes only.
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class TLSAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over TLS (or always, when
    ``SESSION_COOKIE_SECURE`` is set)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    """Install the headers, the session interface and, if configured, the proxy fix."""
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )
    app.session_interface = TLSAwareSessionInterface()

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        for name, value in hardening(request.is_secure):
            headers.setdefault(name, value)
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response


def hardening(secure: bool) -> list[tuple[str, str]]:
    """The headers every answer carries (HSTS only over TLS)."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers
