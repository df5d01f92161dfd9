"""Test certificate authorities made with the openssl command: a CA in a folder, and the certificates it signs."""
import base64
import hashlib
import subprocess

# The names a certificate for a server on this machine carries.
LOCAL_NAMES = "DNS:localhost,IP:127.0.0.1"


def openssl(*args):
    return subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, text=True, timeout=60).stdout


def new_key_args(key):
    return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key]


class Authority:
    """A test CA in a folder, and the certificates it signs: (certificate, key) paths, PEM, each with its own serial."""

    def __init__(self, folder, name):
        self.folder = folder
        self.cert, self.key = folder / f"{name}.crt", folder / f"{name}.key"
        openssl("req", "-x509", *new_key_args(self.key), "-out", self.cert, "-subj", f"/CN=wshub test {name}",
                "-days", "2")

    def issue(self, name, alt_names=LOCAL_NAMES, days=2):
        cert, key, request_file = (self.folder / f"{name}{suffix}" for suffix in (".crt", ".key", ".csr"))
        extensions = self.folder / f"{name}.ext"
        extensions.write_text(f"subjectAltName={alt_names}\n")
        openssl("req", "-new", *new_key_args(key), "-out", request_file, "-subj", f"/CN={name}")
        openssl("x509", "-req", "-in", request_file, "-CA", self.cert, "-CAkey", self.key, "-CAcreateserial",
                "-CAserial", self.folder / f"{self.cert.stem}.srl", "-out", cert, "-days", days, "-extfile",
                extensions)
        return cert, key


def serial_of(certificate):
    """The serial as `openssl x509 -serial` prints it (upper-case hexadecimal), from a PEM file."""
    return openssl("x509", "-in", certificate, "-noout", "-serial").strip().removeprefix("serial=")


def spki_fingerprint(certificate):
    """base64 of the SHA-256 of the certificate's public key, as Chromium's --ignore-certificate-errors-spki-list
    takes it: the browser then trusts that one key without the test CA in its store."""
    public_key = openssl("x509", "-in", certificate, "-noout", "-pubkey")
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=public_key.encode(), check=True,
                         capture_output=True, timeout=60).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()
