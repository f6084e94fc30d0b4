"""Access tokens: signing, verification and the published keys; the only user of python-jose.

Tokens are JWTs signed ES256 (or RS256) with a ``kid``. Verification accepts only those two
algorithms, only a key it knows by ``kid`` and only the algorithm of that key, so ``none``
and HS/RS confusion fail before any signature is checked. Parsed keys are kept in memory,
and a token already verified is remembered until it expires, so a client that sends its
token with every request pays for the signature check once.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError

from api.identity.keys import KeySource, PemKey, thumbprint
from api.settings import Settings
from domain.access import SCOPES, Role, scope_text
from domain.fact import DomainError
from domain.wilayah import normalise_reach

ALGORITHMS: Final = frozenset({"ES256", "RS256"})
MAX_TOKEN_BYTES: Final = 8192
LEEWAY: Final = 10  # seconds of clock difference tolerated between issuer and verifier
ACCESS_TOKEN_TYPE: Final = "at+jwt"  # noqa: S105 (RFC 9068 §2.1: a JOSE typ, not a secret)
_ACCESS_TYPES: Final = frozenset({ACCESS_TOKEN_TYPE, "application/" + ACCESS_TOKEN_TYPE})
_RELOAD_EVERY: Final = 5.0  # seconds between looks at the key files for a rotation
_CACHE_SIZE: Final = 4096
_ROLES: Final = frozenset(r.value for r in Role)
_OPTIONS: Final = {f"require_{c}": True for c in ("aud", "iat", "exp", "nbf", "iss", "sub", "jti")}


class InvalidToken(Exception):
    """A bearer token that is not accepted; the message names why, never the token."""


@dataclass(frozen=True)
class Claims:
    """What a verified access token says."""

    subject: str
    issuer: str
    token_id: str
    expires: int
    role: Role
    scopes: frozenset[str]
    reach: tuple[str, ...]
    client: str | None
    version: int | None  # the principal's stream version when issued (own tokens only)
    kid: str
    external: bool


@dataclass(frozen=True)
class _Verifier:
    kid: str
    alg: str
    key: Key
    until: float | None = None  # a retired key verifies until then
    external: bool = False


class LocalKeys:
    """This installation's keys, parsed once and re-read when the files change."""

    def __init__(self, source: KeySource, settings: Settings, clock: Callable[[], float]) -> None:
        self.source, self.settings, self.clock = source, settings, clock
        self._stamp, self._checked = -1, 0.0
        self._signer: tuple[str, str, Key] | None = None
        self._verifiers: dict[str, _Verifier] = {}
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Re-read the keys if the files changed since the last reading."""
        with self._lock:
            self._checked = self.clock()
            if self.source.stamp() == self._stamp and self._signer is not None:
                return
            material = self.source.load()
            alg, private = _parse_pem(material.current)
            kid = thumbprint(private.public_key().to_dict())
            verifiers = {kid: _Verifier(kid, alg, private.public_key())}
            for old in material.previous:
                verifier = self._previous(old)
                verifiers[verifier.kid] = verifier
            self._signer = (kid, alg, private)
            self._verifiers, self._stamp = verifiers, material.stamp

    def signer(self) -> tuple[str, str, Key]:
        """The kid, algorithm and private key that sign new tokens."""
        self.refresh()
        assert self._signer is not None
        return self._signer

    def find(self, kid: str) -> _Verifier | None:
        """The key named ``kid``; an unknown kid may mean a rotation in another process."""
        found = self._verifiers.get(kid)
        if found is None and self.clock() - self._checked > _RELOAD_EVERY:
            self.refresh()
            found = self._verifiers.get(kid)
        return found

    def accepts(self, kid: str) -> bool:
        """Whether the key named ``kid`` still verifies (a retired key only for a while)."""
        if self.clock() - self._checked > _RELOAD_EVERY:
            self.refresh()  # a rotation by the CLI or another worker shows within seconds
        verifier = self._verifiers.get(kid)
        return verifier is not None and (verifier.until is None or self.clock() < verifier.until)

    def published(self) -> list[_Verifier]:
        """The keys that verify now: current and previous."""
        self.refresh()
        now = self.clock()
        return [v for v in self._verifiers.values() if v.until is None or now < v.until]

    def _previous(self, old: PemKey) -> _Verifier:
        alg, key = _parse_pem(old)
        public = key.public_key()
        until = None
        if old.retired_at is not None:
            until = old.retired_at.timestamp() + self.settings.access_token_ttl + LEEWAY
        return _Verifier(thumbprint(public.to_dict()), alg, public, until)


class TokenAuthority:
    """Mints and verifies access tokens and publishes the keys (JWKS)."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.settings, self.clock = settings, clock
        self.source = KeySource(settings)
        self.keys = LocalKeys(self.source, settings, clock)
        self.external = _external_keys(settings)
        self._verified = functools.lru_cache(maxsize=_CACHE_SIZE)(self._check)

    def mint(
        self,
        *,
        subject: str,
        role: Role,
        scopes: Iterable[str],
        reach: Iterable[str],
        version: int | None,
        client: str | None = None,
    ) -> str:
        """A signed access token for a principal, valid for the configured lifetime."""
        now = int(self.clock())
        claims: dict[str, Any] = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + self.settings.access_token_ttl,
            "jti": uuid.uuid4().hex,
            "role": role.value,
            "scope": scope_text(scopes),
            "wilayah": list(reach),
            "ver": version,
        }
        if client is not None:
            claims["client_id"] = client
        return self.sign(claims)

    def sign(self, claims: Mapping[str, object], headers: Mapping[str, str] | None = None) -> str:
        """Sign claims with the current key, as an access token (``typ`` at+jwt) unless
        ``headers`` say otherwise (mint uses it; so do the signed heads and tests)."""
        kid, alg, key = self.keys.signer()
        header = {"kid": kid, "typ": ACCESS_TOKEN_TYPE, **(headers or {})}
        return jwt.encode(dict(claims), key, algorithm=alg, headers=header)

    def verify(self, token: str) -> Claims:
        """The claims of a valid token, or ``InvalidToken`` saying why not."""
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidToken("the token is longer than 8 KB")
        claims = self._verified(token)
        now = self.clock()
        if claims.expires <= now - LEEWAY:
            raise InvalidToken("the token has expired")
        if not claims.external and not self.keys.accepts(claims.kid):
            raise InvalidToken("the token's key is retired")
        return claims

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys that verify this installation's tokens, as a JWK Set."""
        return {"keys": [_public_jwk(v) for v in self.keys.published()]}

    def forget_verified(self) -> None:
        """Drop remembered verifications (after the keys changed; benchmarks use it too)."""
        self._verified.cache_clear()

    def _check(self, token: str) -> Claims:
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError:
            raise InvalidToken("the token is malformed") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALGORITHMS:
            raise InvalidToken("the token's algorithm is not accepted")
        verifier = self.keys.find(kid) if isinstance(kid, str) else None
        if verifier is None and isinstance(kid, str):
            verifier = self.external.get(kid)
        if verifier is None:
            raise InvalidToken("the token's key is unknown")
        if verifier.alg != alg:
            raise InvalidToken("the token's algorithm does not match its key")
        # RFC 9068 §4: a JWT of another kind signed by the same key (a signed head, an ID
        # token of the trusted issuer) must not pass for an access token.
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in _ACCESS_TYPES:
            raise InvalidToken("the token is not an access token (typ at+jwt, RFC 9068)")
        payload = self._decode(token, verifier)
        issued = payload["iat"]  # python-jose checks only that int() takes it
        if not isinstance(issued, int | float) or isinstance(issued, bool):
            raise InvalidToken("the token's iat is not a number")
        if issued > self.clock() + LEEWAY:
            raise InvalidToken("the token was issued in the future")
        return _claims(payload, verifier)

    def _decode(self, token: str, verifier: _Verifier) -> dict[str, Any]:
        s = self.settings
        issuer = s.trusted_issuer if verifier.external else s.issuer
        audience = s.trusted_audience if verifier.external else s.audience
        try:
            return jwt.decode(
                token,
                verifier.key,
                algorithms=[verifier.alg],
                audience=audience,
                issuer=issuer,
                options={**_OPTIONS, "leeway": LEEWAY},
            )
        except ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except JWTClaimsError as error:  # fixed texts ("Invalid audience"), no token data
            raise InvalidToken(f"the token's claims are not accepted: {error}") from None
        except (JOSEError, ValueError, TypeError):
            raise InvalidToken("the token's signature or claims are not valid") from None


def _claims(payload: dict[str, Any], verifier: _Verifier) -> Claims:
    role, scope, reach = payload.get("role"), payload.get("scope", ""), payload.get("wilayah")
    client, version = payload.get("client_id"), payload.get("ver")
    if not isinstance(role, str) or role not in _ROLES:
        raise InvalidToken("the token's role is unknown")
    if not isinstance(scope, str) or not isinstance(reach, list):
        raise InvalidToken("the token's scope or wilayah is malformed")
    try:
        prefixes = normalise_reach(str(p) for p in reach)
    except DomainError:
        raise InvalidToken("the token's wilayah is malformed") from None
    return Claims(
        subject=str(payload["sub"]),
        issuer=str(payload["iss"]),
        token_id=str(payload["jti"]),
        expires=int(payload["exp"]),
        role=Role(role),
        scopes=frozenset(scope.split()) & SCOPES.keys(),  # scopes of other systems are ignored
        reach=prefixes,
        client=client if isinstance(client, str) else None,
        version=version if isinstance(version, int) else None,
        kid=verifier.kid,
        external=verifier.external,
    )


def _parse_pem(pem: PemKey) -> tuple[str, Key]:
    """The algorithm a PEM key signs with, and the parsed key."""
    parsed: Any
    try:
        parsed = serialization.load_pem_private_key(pem.pem, password=None)
    except ValueError:
        parsed = serialization.load_pem_public_key(pem.pem)
    if isinstance(parsed, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if not isinstance(parsed.curve, ec.SECP256R1):
            raise ValueError("an EC signing key must be on the P-256 curve (ES256)")
        return "ES256", jwk.construct(pem.pem.decode(), "ES256")
    if isinstance(parsed, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RS256", jwk.construct(pem.pem.decode(), "RS256")
    raise ValueError("a signing key must be EC P-256 (ES256) or RSA (RS256)")


def _external_keys(settings: Settings) -> dict[str, _Verifier]:
    """The trusted issuer's keys by kid (none if no issuer is configured)."""
    if not (settings.trusted_issuer and settings.trusted_audience and settings.trusted_jwks_file):
        return {}
    verifiers = {}
    for entry in json.loads(settings.trusted_jwks_file.read_text()).get("keys", []):
        alg = entry.get("alg") or {"EC": "ES256", "RSA": "RS256"}.get(entry.get("kty"))
        if alg in ALGORITHMS and isinstance(entry.get("kid"), str):
            key = jwk.construct(entry, alg)
            verifiers[entry["kid"]] = _Verifier(entry["kid"], alg, key, external=True)
    return verifiers


def _public_jwk(verifier: _Verifier) -> dict[str, str]:
    public = {str(k): str(v) for k, v in verifier.key.to_dict().items()}
    return {**public, "kid": verifier.kid, "alg": verifier.alg, "use": "sig"}
