"""The files of deploy/ are checked the way an operator would (issue 13): Debian's nginx accepts
the site (``nginx -t``) and, run for real on loopback, overwrites X-Forwarded-For, hides petition
attachments and answers nothing for unknown hosts; ``systemd-analyze verify`` accepts every unit
and timer; gunicorn loads its configuration; the timers' commands exist and parse."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _self_signed(directory: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gxxf.gov.cn")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("*.gxxf.gov.cn")]), False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True)
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _nginx_prefix(tmp_path: Path, *, http_port=80, https_port=443, upstream="127.0.0.1:8000"):
    """deploy/nginx installed under a temporary prefix, paths and ports rewritten."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (apt-get install nginx)")
    site = tmp_path / "etc/nginx/gxxf"
    shutil.copytree(DEPLOY / "nginx", site)
    (tmp_path / "srv/media/bridge").mkdir(parents=True)
    (tmp_path / "srv/media/original_images").mkdir(parents=True)
    (tmp_path / "srv/media/bridge/2026").mkdir()
    (tmp_path / "srv/media/bridge/2026/id-card.jpg").write_bytes(b"personal data")
    (tmp_path / "srv/media/original_images/a.txt").write_text("picture")
    (tmp_path / "logs").mkdir()
    _self_signed(tmp_path / "tls")
    for conf in site.rglob("*.conf"):
        text = conf.read_text(encoding="utf-8")
        text = (
            text.replace("/etc/nginx/gxxf/", f"{site}/")
            .replace("/etc/gxxf/tls/", f"{tmp_path}/tls/")
            .replace("/srv/gxxf/", f"{tmp_path}/srv/")
            .replace("/var/log/nginx/", f"{tmp_path}/logs/")
            .replace("server 127.0.0.1:8000", f"server {upstream}")
        )
        text = re.sub(r"listen 80\b", f"listen 127.0.0.1:{http_port}", text)
        text = re.sub(r"listen 443\b", f"listen 127.0.0.1:{https_port}", text)
        conf.write_text(text, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    # Started as root, nginx's workers would run as nobody, who cannot read pytest's private tmp.
    user = "user root root;" if os.geteuid() == 0 else ""
    main.write_text(
        f"""
{user}
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
daemon off;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi; uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {site}/gxxf.conf;
}}
""",
        encoding="utf-8",
    )
    return main


def test_nginx_accepts_the_site_configuration(tmp_path):
    main = _nginx_prefix(tmp_path)
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "logs/e.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_nginx_rejects_a_broken_snippet(tmp_path):
    main = _nginx_prefix(tmp_path)
    (tmp_path / "etc/nginx/gxxf/snippets/broken.conf").write_text("location /x { nonsense; }")
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "logs/e.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "nonsense" in result.stderr


def test_every_portal_hostname_is_served():
    from sites.registry import PORTALS

    conf = (DEPLOY / "nginx/gxxf.conf").read_text(encoding="utf-8")
    for portal in PORTALS:
        assert f"{portal.code}.gxxf.gov.cn" in conf


class _Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(dict(self.headers.items())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def running_nginx(tmp_path):
    echo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    http_port, https_port = _free_port(), _free_port()
    main = _nginx_prefix(
        tmp_path,
        http_port=http_port,
        https_port=https_port,
        upstream=f"127.0.0.1:{echo.server_address[1]}",
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "logs/e.log")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield https_port
    process.terminate()
    process.wait(10)
    echo.shutdown()


def _get(port: int, host: str, path: str, headers=None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
    connection.request("GET", path, headers={"Host": host, **(headers or {})})
    response = connection.getresponse()
    return response.status, response.read()


def test_nginx_overwrites_a_forged_forwarded_for_and_keeps_the_host(running_nginx):
    status, body = _get(
        running_nginx, "nanning.gxxf.gov.cn", "/gzdt/", {"X-Forwarded-For": "6.6.6.6"}
    )
    seen = {k.lower(): v for k, v in json.loads(body).items()}
    assert status == 200
    assert seen["x-forwarded-for"] == "127.0.0.1"  # the client's forged value is gone
    assert seen["host"] == "nanning.gxxf.gov.cn" and seen["x-forwarded-proto"] == "https"


def test_nginx_serves_media_but_never_petition_attachments(running_nginx):
    assert _get(running_nginx, "gx.gxxf.gov.cn", "/media/original_images/a.txt") == (
        200,
        b"picture",
    )
    status, body = _get(running_nginx, "gx.gxxf.gov.cn", "/media/bridge/2026/id-card.jpg")
    assert status == 404 and b"personal" not in body


def test_nginx_answers_nothing_for_an_unknown_host(running_nginx):
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, ssl.SSLError)):
        _get(running_nginx, "evil.example.com", "/")


def test_systemd_accepts_every_unit_and_timer(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not available on this machine")
    env_file = tmp_path / "gxxf.env"
    env_file.write_text("DEBUG=0\n")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = (
            unit.read_text(encoding="utf-8")
            .replace("/srv/gxxf/app/.venv/bin/", f"{VENV_BIN}/")
            .replace("WorkingDirectory=/srv/gxxf/app", f"WorkingDirectory={settings.BASE_DIR}")
            .replace("/etc/gxxf/gxxf.env", str(env_file))
        )
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
        units.append(str(tmp_path / unit.name))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    # Each service of a timer exists, and every timer has its service.
    timers = {Path(u).stem for u in units if u.endswith(".timer")}
    services = {Path(u).stem for u in units if u.endswith(".service")}
    assert timers and timers <= services


def test_the_periodic_commands_of_the_timers_exist_and_parse():
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    checked = 0
    for unit in (DEPLOY / "systemd").glob("*.service"):
        line = next(
            row
            for row in unit.read_text(encoding="utf-8").splitlines()
            if row.startswith("ExecStart=")
        )
        argv = shlex.split(line.removeprefix("ExecStart="))
        if "manage.py" not in argv:
            continue
        args = argv[argv.index("manage.py") + 1 :]
        assert args[0] in commands, f"{unit.name}: no command {args[0]}"
        if args[0] != "periodic":
            continue
        parsed = load_command_class("operations", "periodic").create_parser("manage.py", "periodic")
        options = parsed.parse_args(args[1:])
        inner = options.command
        assert inner[0] in commands, f"{unit.name}: no command {inner[0]}"
        inner_parser = load_command_class(commands[inner[0]], inner[0]).create_parser(
            "manage.py", inner[0]
        )
        inner_parser.parse_args(inner[1:])  # exits (SystemExit) on a wrong option
        checked += 1
    assert checked >= 5


def test_gunicorn_loads_its_configuration():
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(SECRET_KEY="gunicorn-check", DJANGO_READ_DOT_ENV="0")
    # No SMS or ID provider is configured here: the production guard (security.E001/E002) would
    # rightly refuse to start; that guard has its own test.
    env["ALLOW_DEVELOPMENT_PROVIDERS"] = "1"
    env["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", str(DEPLOY / "gunicorn.conf.py"), "cms.wsgi"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    printed = subprocess.run(
        [str(gunicorn), "--print-config", "-c", str(DEPLOY / "gunicorn.conf.py"), "cms.wsgi"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
    ).stdout
    assert re.search(r"worker_class\s*=\s*gthread", printed)
    assert re.search(r"forwarded_allow_ips\s*=\s*\['127.0.0.1', '::1'\]", printed)


def test_the_example_environment_names_only_settings_that_exist_and_no_secret_values():
    settings_source = (Path(settings.BASE_DIR) / "cms/settings.py").read_text(encoding="utf-8")
    gunicorn_source = (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")
    for line in (DEPLOY / "gxxf.env.example").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert f'"{name}"' in settings_source + gunicorn_source, f"unknown variable {name}"
        if "# secret" in value:
            assert value.split("#")[0].strip() in (
                "",
                "postgres://gxxf:PASSWORD@db1.internal:5432/gxxf",
            )
