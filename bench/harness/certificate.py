"""The TLS cases' certificate: one self-signed ECDSA P-256 certificate for 127.0.0.1, made once and shared by every
server, which the load generator takes as its CA."""
import subprocess

from .cases import TLS_CERTIFICATE, TLS_DIR, TLS_KEY


def ensure_certificate():
    """Makes the certificate and its key unless they are there (openssl, from Debian's openssl package)."""
    if TLS_CERTIFICATE.exists() and TLS_KEY.exists():
        return
    TLS_DIR.mkdir(parents=True, exist_ok=True)
    # P-256: what a web server is most often given today, and the same signing cost for every server measured.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "365", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(TLS_KEY), "-out", str(TLS_CERTIFICATE)], check=True, capture_output=True)
