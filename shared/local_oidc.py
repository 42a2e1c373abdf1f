"""The local OpenID provider for `make run` and the tests: tools/oidc-provider (panva's certified
`oidc-provider`, run by Debian's nodejs) on loopback, started and stopped with the other local servers
(shared.local_servers), its signing keys a JWKS under `.run/oidc/` (ADR 0013)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from shared.local_servers import _log, _port_open, _wait_for

OIDC_PROVIDER_DIR = Path(__file__).resolve().parent.parent / "tools" / "oidc-provider"
# The demo clients' secrets (tools/oidc-provider/provider.js has the same defaults): loopback only.
OIDC_CONSOLE_CLIENT = ("selvhjelp-console", "local-console-secret")
OIDC_PARTNER_CLIENT = ("partner-demo", "local-partner-secret")


def oidc_discovery_ok(issuer: str) -> bool:
    try:
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1) as response:
            return json.load(response).get("issuer") == issuer
    except (OSError, ValueError):
        return False


def new_signing_key() -> dict:
    """A fresh RS256 private JWK with a key id (its thumbprint)."""
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, private=True)
    return {**key.as_dict(private=True), "kid": key.thumbprint()}


def oidc_keys_file(run_dir: Path) -> Path:
    """The provider's private JWKS (first key signs), made on first use; 0600, under .run/."""
    path = run_dir / "oidc" / "jwks.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"keys": [new_signing_key()]}))
        path.chmod(0o600)
    return path


def ensure_node_packages() -> None:
    if (OIDC_PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        return
    if shutil.which("npm") is None:
        raise RuntimeError("please install nodejs and npm (apt-get install -y nodejs npm), or run make setup")
    _log("installing the OpenID provider's npm packages (npm ci, first run only)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--quiet"], cwd=OIDC_PROVIDER_DIR, check=True)


def start_oidc_provider(run_dir: Path, port: int) -> str:
    """The local OpenID provider on 127.0.0.1:`port` (reused when up); its issuer URL."""
    issuer = f"http://127.0.0.1:{port}"
    if oidc_discovery_ok(issuer):
        return issuer
    ensure_node_packages()
    keys = oidc_keys_file(run_dir)
    log_file = run_dir / "oidc" / "provider.log"
    _log(f"starting the OpenID provider on {issuer}")
    env = {**os.environ, "OIDC_PROVIDER_PORT": str(port), "OIDC_PROVIDER_KEYS": str(keys)}
    with open(log_file, "ab") as out:
        process = subprocess.Popen(
            ["node", str(OIDC_PROVIDER_DIR / "provider.js")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (run_dir / "oidc" / "provider.pid").write_text(str(process.pid))
    _wait_for(lambda: oidc_discovery_ok(issuer), "the OpenID provider", 30, log_file)
    return issuer


def stop_oidc_provider(run_dir: Path) -> None:
    pid_file = run_dir / "oidc" / "provider.pid"
    try:
        pid = int(pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return
    try:
        os.kill(pid, 15)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)


def rotate_oidc_keys(run_dir: Path, port: int) -> str:
    """A new signing key first in the provider's key set (the old ones stay published, so tokens they
    signed still verify), then a restart: oidc-provider reads its keys at start. Returns the new kid."""
    path = oidc_keys_file(run_dir)
    keys = json.loads(path.read_text())["keys"]
    fresh = new_signing_key()
    path.write_text(json.dumps({"keys": [fresh, *keys[:2]]}))
    stop_oidc_provider(run_dir)
    _wait_for(lambda: not _port_open(port), "the old OpenID provider to stop", 10)
    start_oidc_provider(run_dir, port)
    return fresh["kid"]
