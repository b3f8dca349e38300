"""How every Kafka client connects: TLS context, SASL credentials and client keyword arguments for
Faust (aiokafka) and kafka-python, all built from Settings; plus clear errors when auth fails.
Used by agents.worker.app (worker), agents.cli.kafka_io and agents.worker.topics (CLI, admin)."""

from __future__ import annotations

import asyncio
import ssl
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust
from faust.types.auth import AuthProtocol, CredentialsT

from agents.settings import Settings


class KafkaSecurityError(RuntimeError):
    """The broker refused us (authentication or TLS); the message says why and names the user,
    never the password."""


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """A client TLS context for SSL/SASL_SSL: verifies the broker against ssl_cafile (or the
    system CAs), checks its host name unless told not to, and presents a client certificate
    when one is configured. None for plaintext protocols."""
    if not settings.uses_tls:
        return None
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH,
        cafile=str(settings.ssl_cafile) if settings.ssl_cafile is not None else None,
    )
    context.check_hostname = settings.ssl_check_hostname
    context.verify_mode = ssl.CERT_REQUIRED
    if settings.ssl_certfile is not None:
        context.load_cert_chain(
            str(settings.ssl_certfile),
            str(settings.ssl_keyfile) if settings.ssl_keyfile is not None else None,
        )
    return context


def _password(settings: Settings) -> str | None:
    secret = settings.sasl_password
    return secret.get_secret_value() if secret is not None else None


def broker_credentials(settings: Settings) -> CredentialsT | None:
    """What faust.App(broker_credentials=...) takes; None for PLAINTEXT."""
    protocol = settings.security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = ssl_context(settings)
    if protocol == "SSL":
        assert context is not None
        return faust.SSLCredentials(context)
    credentials = faust.SASLCredentials(
        username=settings.sasl_username,
        password=_password(settings),
        mechanism=settings.sasl_mechanism,
        ssl_context=context,
    )
    # SASLCredentials infers SASL_SSL from the context; make the protocol explicit either way
    credentials.protocol = AuthProtocol(protocol)
    return credentials


def kafka_python_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for KafkaProducer, KafkaConsumer and KafkaAdminClient."""
    kwargs: dict[str, Any] = {"security_protocol": settings.security_protocol}
    context = ssl_context(settings)
    if context is not None:
        kwargs["ssl_context"] = context
        kwargs["ssl_check_hostname"] = settings.ssl_check_hostname
    if settings.security_protocol.startswith("SASL_"):
        kwargs["sasl_mechanism"] = settings.sasl_mechanism
        kwargs["sasl_plain_username"] = settings.sasl_username
        kwargs["sasl_plain_password"] = _password(settings)
    return kwargs


def aiokafka_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for a bare aiokafka client (AIOKafkaConsumer and friends): the same,
    less the host-name flag, which aiokafka reads from the TLS context itself."""
    kwargs = kafka_python_kwargs(settings)
    kwargs.pop("ssl_check_hostname", None)
    return kwargs


def describe(settings: Settings) -> str:
    """One safe line for logs and error messages: protocol, mechanism, user, CA; no secret."""
    parts: list[str] = [settings.security_protocol]
    if settings.security_protocol.startswith("SASL_"):
        parts.append(f"{settings.sasl_mechanism} as user {settings.sasl_username!r}")
    if settings.uses_tls:
        parts.append(f"CA {settings.ssl_cafile}" if settings.ssl_cafile else "system CAs")
        if not settings.ssl_check_hostname:
            parts.append("host name NOT checked")
    return ", ".join(parts)


def check_access(settings: Settings, timeout: float = 15.0) -> None:
    """Open one connection with the configured TLS/SASL to the first bootstrap server that
    answers; raise KafkaSecurityError at once when it refuses our credentials or certificate
    check. A broker that cannot be reached is left to the clients' own retries. Does nothing
    for PLAINTEXT. (kafka-python retries a refused login until its bootstrap timeout and then
    reports only "Unable to bootstrap", so this probe is what makes a bad password fail fast.)"""
    if settings.security_protocol == "PLAINTEXT":
        return
    # a thread of its own, so that callers inside a running event loop may use it too
    with ThreadPoolExecutor(1, thread_name_prefix="kafka-access-check") as pool:
        try:
            pool.submit(asyncio.run, _probe(settings, timeout)).result()
        except KafkaSecurityError as refused:  # raised afresh: a short traceback, no probe frames
            raise KafkaSecurityError(str(refused)) from None


async def _probe(settings: Settings, timeout: float) -> None:
    from aiokafka.conn import create_conn
    from aiokafka.errors import KafkaError

    kwargs = aiokafka_kwargs(settings)
    for server in settings.broker.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            conn = await asyncio.wait_for(
                create_conn(host, int(port), request_timeout_ms=int(timeout * 1000), **kwargs),
                timeout,
            )
        except _refusals() + (ssl.SSLError,) as exc:
            raise _security_error(settings, exc) from None
        except (OSError, KafkaError):  # unreachable or slow: the clients will retry
            continue
        conn.close()
        return


def _refusals() -> tuple[type[BaseException], ...]:
    """The authentication errors of both client libraries (they do not share a hierarchy)."""
    from aiokafka import errors as aio
    from kafka import errors as kp

    return (
        aio.SaslAuthenticationFailed,
        aio.UnsupportedSaslMechanismError,
        aio.IllegalSaslStateError,
        kp.SaslAuthenticationFailedError,
        kp.UnsupportedSaslMechanismError,
        kp.IllegalSaslStateError,
    )


def explain(settings: Settings, exc: BaseException) -> KafkaSecurityError | None:
    """A KafkaSecurityError saying what went wrong when `exc` (or what it was raised from) is an
    authentication or TLS failure; None for anything else."""
    from kafka.errors import KafkaConnectionError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (ssl.SSLError, *_refusals())) or (
            isinstance(seen, KafkaConnectionError) and "Handshake failed" in str(seen)
        ):
            return _security_error(settings, seen)
        seen = seen.__cause__ or seen.__context__
    return None


def _security_error(settings: Settings, exc: BaseException) -> KafkaSecurityError:
    where = f"{settings.broker} ({describe(settings)})"
    detail = _scrub(settings, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, ssl.SSLError) or "Handshake failed" in str(exc):
        return KafkaSecurityError(f"TLS handshake with Kafka at {where} failed: {detail}")
    return KafkaSecurityError(
        f"Kafka authentication failed for user {settings.sasl_username!r} at {where}: {detail}"
    )


def _scrub(settings: Settings, text: str) -> str:
    password = _password(settings)
    return text.replace(password, "**********") if password else text
