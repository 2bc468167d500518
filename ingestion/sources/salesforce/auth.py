"""How the source signs in to an org: the OAuth 2.0 client credentials flow or the JWT bearer
flow, chosen by which secrets are configured.

- Client credentials: the connected app's consumer key and secret, posted as they are.
- JWT bearer (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm):
  an assertion signed RS256 with the private key whose certificate is uploaded to the connected
  app, claiming `iss` = the consumer key, `sub` = the integration user's username, `aud` = the
  login URL and `exp` a few minutes ahead. No secret travels; a new assertion is signed for every
  token request, so an expired token is replaced without anyone's help.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import jwt

JWT_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEFAULT_LOGIN_URL = "https://login.salesforce.com"
# Salesforce accepts an assertion whose `exp` is at most 3 minutes ahead (clock skew aside)
ASSERTION_LIFETIME_S = 180


class SalesforceConfigError(ValueError):
    """The source's settings name no usable sign-in: the message names the missing setting."""


class OAuthFlow(Protocol):
    """What the client needs of a flow: the token request's form and what to check on refusal."""

    name: str

    def token_form(self) -> dict[str, str]: ...

    def hint(self) -> str: ...


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    name: str = "client credentials"

    def token_form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }

    def hint(self) -> str:
        return (
            "check sources.salesforce.client_id and client_secret and that the connected app "
            "allows the client credentials flow"
        )


@dataclass(frozen=True)
class JwtBearer:
    client_id: str
    username: str
    private_key: str = field(repr=False)
    login_url: str = DEFAULT_LOGIN_URL
    name: str = "JWT bearer"

    def assertion(self, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        claims = {
            "iss": self.client_id,
            "sub": self.username,
            "aud": self.login_url.rstrip("/"),
            "exp": issued + ASSERTION_LIFETIME_S,
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256")

    def token_form(self) -> dict[str, str]:
        return {"grant_type": JWT_GRANT_TYPE, "assertion": self.assertion()}

    def hint(self) -> str:
        return (
            "check that sources.salesforce.private_key matches the certificate uploaded to the "
            "connected app (client_id), that sources.salesforce.username is pre-authorised for "
            "it, and that login_url is the org's login URL (test.salesforce.com for a sandbox)"
        )


def oauth_flow(
    client_id: str,
    client_secret: str | None,
    username: str | None,
    private_key: str | None,
    login_url: str | None,
) -> OAuthFlow:
    """The flow the configured secrets make: a private key or a username asks for JWT bearer
    (and needs both), else the client secret for client credentials. Fails naming the setting
    that is missing, before any request."""
    if not client_id:
        raise SalesforceConfigError(
            "sources.salesforce.client_id (the connected app's consumer key) is not set"
        )
    if private_key or username:
        missing = [
            name
            for name, value in (("private_key", private_key), ("username", username))
            if not value
        ]
        if missing:
            raise SalesforceConfigError(
                f"sources.salesforce.{missing[0]} is not set: the JWT bearer flow needs both "
                "private_key (PEM, secret SOURCES__SALESFORCE__PRIVATE_KEY) and username "
                "(the integration user); or remove both and set client_secret"
            )
        if "PRIVATE KEY" not in str(private_key):
            raise SalesforceConfigError(
                "sources.salesforce.private_key is not a PEM private key "
                "(-----BEGIN PRIVATE KEY-----...): paste the key file's text, not its path"
            )
        return JwtBearer(client_id, str(username), str(private_key), login_url or DEFAULT_LOGIN_URL)
    if not client_secret:
        raise SalesforceConfigError(
            "sources.salesforce.client_secret is not set: set it for the client credentials "
            "flow, or private_key and username for the JWT bearer flow (docs/crm-sources.md)"
        )
    return ClientCredentials(client_id, client_secret)
