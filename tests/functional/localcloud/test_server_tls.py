"""The private CA and server certificate on disk."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from localcloud.config import StatePaths
from localcloud.tls import ensure_tls, server_ssl_context


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_first_start_creates_a_ca_and_a_server_certificate_for_loopback(tmp_path: Path) -> None:
    paths = StatePaths(tmp_path)
    files = ensure_tls(paths)
    server = _cert(files.cert)
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(sans.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert server.issuer == _cert(files.ca_cert).subject
    assert stat.S_IMODE(paths.ca_key.stat().st_mode) == 0o600
    assert isinstance(server_ssl_context(files), ssl.SSLContext)


def test_second_start_reuses_the_files(tmp_path: Path) -> None:
    paths = StatePaths(tmp_path)
    first = ensure_tls(paths)
    before = (first.ca_cert.read_bytes(), first.cert.read_bytes())
    second = ensure_tls(paths)
    assert (second.ca_cert.read_bytes(), second.cert.read_bytes()) == before


def test_an_expired_server_certificate_is_reissued_by_the_same_ca(tmp_path: Path) -> None:
    paths = StatePaths(tmp_path)
    files = ensure_tls(paths)
    ca_pem = files.ca_cert.read_bytes()
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old")])
    expired = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now - dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    files.cert.write_bytes(expired.public_bytes(serialization.Encoding.PEM))
    renewed = ensure_tls(paths)
    assert _cert(renewed.cert).not_valid_after_utc > now
    assert renewed.ca_cert.read_bytes() == ca_pem
