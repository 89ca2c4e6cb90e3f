"""A throwaway PKI for the integration tests, made with the `openssl` CLI (OpenSSL 3.0).

Produces, in a directory of its own:
- a CA (`ca.crt`), which the daemon trusts through `tls.ca_file`;
- a leaf for localhost / 127.0.0.1 / ::1 (`good`), valid now;
- a leaf for wrong.example (`wrong_host`), valid now but for another name;
- a leaf for localhost that expired yesterday (`expired`).

`openssl x509 -req` in 3.0 cannot back-date a certificate, so every leaf is signed with
`openssl ca`, whose -startdate/-enddate accept any date; a minimal CA config is written for it.
"""

import os
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


@dataclass
class Leaf:
    cert: str
    key: str


@dataclass
class Pki:
    dir: str
    ca_cert: str
    ca_key: str
    good: Leaf
    wrong_host: Leaf
    expired: Leaf


_CA_CONF = """\
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
certificate = $dir/ca.crt
private_key = $dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_any ]
commonName = supplied

[ leaf_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $ENV::LEAF_SAN
"""


def _run(args, env=None):
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")


def _asn1_time(t):
    # `openssl ca` takes YYYYMMDDHHMMSSZ (GeneralizedTime) for -startdate/-enddate.
    return t.strftime("%Y%m%d%H%M%SZ")


def _leaf(d, conf, name, cn, san, not_before, not_after):
    key = os.path.join(d, f"{name}.key")
    csr = os.path.join(d, f"{name}.csr")
    crt = os.path.join(d, f"{name}.crt")
    _run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-nodes", "-keyout", key, "-out", csr, "-subj", f"/CN={cn}"])
    env = dict(os.environ, LEAF_SAN=san)
    _run(["openssl", "ca", "-batch", "-notext", "-config", conf, "-extensions", "leaf_ext",
          "-startdate", _asn1_time(not_before), "-enddate", _asn1_time(not_after),
          "-in", csr, "-out", crt], env=env)
    return Leaf(cert=crt, key=key)


def make_pki(d):
    """Creates the CA and the three leaves in directory `d` (which must exist)."""
    os.makedirs(os.path.join(d, "newcerts"), exist_ok=True)
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    conf = os.path.join(d, "ca.cnf")
    with open(conf, "w") as f:
        f.write(_CA_CONF.format(dir=d))

    ca_key = os.path.join(d, "ca.key")
    ca_crt = os.path.join(d, "ca.crt")
    _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-nodes", "-keyout", ca_key, "-out", ca_crt, "-days", "3",
          "-subj", "/CN=flywatch integration test CA",
          "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign"])

    now = datetime.now(timezone.utc)
    good = _leaf(d, conf, "good", "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1",
                 now - timedelta(hours=1), now + timedelta(days=2))
    wrong = _leaf(d, conf, "wrong_host", "wrong.example", "DNS:wrong.example",
                  now - timedelta(hours=1), now + timedelta(days=2))
    expired = _leaf(d, conf, "expired", "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1",
                    now - timedelta(days=3), now - timedelta(days=1))
    return Pki(dir=d, ca_cert=ca_crt, ca_key=ca_key, good=good, wrong_host=wrong, expired=expired)


def make_demo_pki(d):
    """A CA (1 year) and a leaf for 127.0.0.1 / localhost (90 days) in `d`, as ./tools/demo makes
    them: config/demo.yaml asks for cert_min_validity 14d of the whole chain, which the test CA
    (3 days) would rightly fail. Returns (ca certificate path, Leaf)."""
    os.makedirs(d, exist_ok=True)
    ca_key, ca_crt = os.path.join(d, "ca.key"), os.path.join(d, "ca.pem")
    key, csr, crt = (os.path.join(d, f"server.{x}") for x in ("key", "csr", "pem"))
    ext = os.path.join(d, "server.ext")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _run(["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca_crt, "-days", "365",
          "-subj", "/CN=flywatch demo test CA", "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    _run(["openssl", "req", "-new", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost"])
    with open(ext, "w") as f:
        f.write("basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n"
                "extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n")
    _run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
          "-CAcreateserial", "-days", "90", "-sha256", "-extfile", ext, "-out", crt])
    return ca_crt, Leaf(cert=crt, key=key)
