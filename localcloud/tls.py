"""The private CA and the server certificate (for `localhost`, `127.0.0.1`, `::1`).

Generated on first start into the state directory and reused until they are about to
expire. Clients trust `ca.pem` (`connection_verify=ca.pem`, `REQUESTS_CA_BUNDLE`).
Every listener (the main server, each app's ingress port) uses `server_ssl_context`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from localcloud.config import StatePaths, write_private

CA_DAYS = 3650
SERVER_DAYS = 825
RENEW_MARGIN = dt.timedelta(days=7)


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    cert: Path
    key: Path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _still_valid(cert_path: Path, key_path: Path) -> bool:
    if not (cert_path.exists() and key_path.exists()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except ValueError:
        return False
    return cert.not_valid_after_utc - RENEW_MARGIN > _now()


def _make_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localcloud private CA")])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _make_server(
    ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    sans = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(sans, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def ensure_tls(paths: StatePaths) -> TlsFiles:
    """Create (or renew) the CA and the server certificate; returns their paths."""
    files = TlsFiles(paths.ca_cert, paths.server_cert, paths.server_key)
    ca_fresh = _still_valid(paths.ca_cert, paths.ca_key)
    if ca_fresh and _still_valid(paths.server_cert, paths.server_key):
        return files
    if ca_fresh:
        ca_cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
        loaded = serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{paths.ca_key}: not an EC private key; delete it to regenerate")
        ca_key = loaded
    else:
        ca_cert, ca_key = _make_ca()
        write_private(paths.ca_key, _key_pem(ca_key))
        write_private(paths.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM))
        paths.ca_cert.chmod(0o644)
    cert, key = _make_server(ca_cert, ca_key)
    write_private(paths.server_key, _key_pem(key))
    write_private(paths.server_cert, cert.public_bytes(serialization.Encoding.PEM))
    return files


def server_ssl_context(files: TlsFiles) -> ssl.SSLContext:
    """A server-side TLS context for any localcloud listener."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(files.cert), str(files.key))
    return ctx


def client_ssl_context(files: TlsFiles) -> ssl.SSLContext:
    """A client context trusting only the localcloud CA (for probes and tests)."""
    return ssl.create_default_context(cafile=str(files.ca_cert))
