"""The Debian package: built from the binary under test (nothing recompiled), lintian-clean, with the right files."""
import gzip
import json
import pathlib
import re
import subprocess

import pytest

from conftest import BINARY

TOP = pathlib.Path(__file__).resolve().parents[2]


def run(*args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("deb")
    built = pathlib.Path(run(str(TOP / "scripts" / "build-deb.sh"), "--from", BINARY, str(out)).strip())
    version = re.match(r"wshub (\S+) ", run(BINARY, "--version")).group(1)
    assert built == out / f"wshub_{version}_amd64.deb"
    return built


@pytest.fixture(scope="module")
def unpacked(package, tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    run("dpkg-deb", "-x", str(package), str(root))
    return root


def test_lintian_finds_no_errors_or_warnings(package):
    result = subprocess.run(["lintian", "--fail-on", "error,warning", "--pedantic", "-I", str(package)],
                            capture_output=True, text=True, timeout=300)
    tags = [line for line in result.stdout.splitlines() if re.match(r"[EW]: ", line)]
    assert result.returncode == 0 and tags == [], result.stdout + result.stderr


def test_the_package_holds_what_an_operator_expects(package):
    listing = {}
    for line in run("dpkg-deb", "-c", str(package)).splitlines():
        mode, owner, *_, path = line.split()
        listing[path.removeprefix(".")] = (mode, owner)
    assert listing["/usr/bin/wshub"] == ("-rwxr-xr-x", "root/root")
    assert listing["/etc/default/wshub"] == ("-rw-------", "root/root")  # it may hold the tokens
    for path in ["/lib/systemd/system/wshub.service", "/usr/share/man/man1/wshub.1.gz",
                 "/usr/share/doc/wshub/copyright", "/usr/share/doc/wshub/changelog.gz"]:
        assert listing[path] == ("-rw-r--r--", "root/root"), path
    assert all(owner == "root/root" for _, owner in listing.values())


def test_control_fields_depends_and_maintainer_scripts(package):
    control = run("dpkg-deb", "-f", str(package))
    assert re.search(r"^Package: wshub$", control, re.M)
    assert re.search(r"^Architecture: amd64$", control, re.M)
    depends = re.search(r"^Depends: (.*)$", control, re.M).group(1)
    # Computed by dpkg-shlibdeps from what the binary links, plus adduser for postinst.
    for needed in ["libc6", "libstdc++6", "zlib1g", "libssl3", "adduser"]:
        assert needed in depends
    info = run("dpkg-deb", "-I", str(package))
    for script in ["postinst", "prerm", "postrm", "conffiles", "md5sums"]:
        assert re.search(rf"\s{script}\s", info), script
    assert run("dpkg-deb", "-I", str(package), "conffiles").split() == ["/etc/default/wshub"]


def test_maintainer_scripts_create_the_user_and_drive_systemd_the_debhelper_way():
    scripts = TOP / "packaging" / "debian"
    for name in ["postinst", "prerm", "postrm"]:
        run("sh", "-n", str(scripts / name))
    postinst = (scripts / "postinst").read_text()
    assert "adduser --system --group" in postinst and "deb-systemd-helper enable 'wshub.service'" in postinst
    assert "[ -d /run/systemd/system ]" in postinst  # no start where systemd does not run
    assert "deb-systemd-invoke stop 'wshub.service'" in (scripts / "prerm").read_text()
    assert "deb-systemd-helper purge 'wshub.service'" in (scripts / "postrm").read_text()


def test_the_binary_is_stripped_and_runs(unpacked):
    binary = unpacked / "usr" / "bin" / "wshub"
    sections = run("readelf", "-S", "-W", str(binary))
    assert ".symtab" not in sections and ".debug_info" not in sections
    assert run(str(binary), "--version") == run(BINARY, "--version")


def test_etc_default_names_every_setting_commented_out(unpacked):
    settings = set(re.findall(r"\[env: ([A-Z_]+)\]", run(BINARY, "--help")))
    assert len(settings) >= 18
    text = (unpacked / "etc" / "default" / "wshub").read_text()
    assert set(re.findall(r"^#([A-Z_]+)=", text, re.M)) == settings
    assert [line for line in text.splitlines() if line and not line.startswith("#")] == []
    assert "#PORT=8000" in text.splitlines() and "#LOG_FORMAT=text" in text.splitlines()


def test_the_unit_runs_as_the_wshub_user_with_the_settings_file(unpacked, tmp_path):
    unit = (unpacked / "lib" / "systemd" / "system" / "wshub.service").read_text()
    assert "\nUser=wshub\n" in unit and "\nGroup=wshub\n" in unit and "DynamicUser" not in unit
    assert "\nEnvironmentFile=-/etc/default/wshub\n" in unit and "\nDocumentation=man:wshub(1)\n" in unit
    checked = tmp_path / "wshub.service"
    checked.write_text(unit.replace("/usr/bin/wshub", BINARY))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(checked)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_man_page_describes_every_http_route(unpacked):
    man = gzip.decompress((unpacked / "usr/share/man/man1/wshub.1.gz").read_bytes()).decode()
    assert '\n.SH "HTTP API"\n' in man
    # The page as a reader sees it: no font changes, hyphens as typed.
    text = re.sub(r"\\f[BIRP]", "", man).replace("\\-", "-")
    routes = json.loads((TOP / "src" / "http" / "openapi.json").read_text())["paths"]
    assert {"/clients/{clientId}", "/clients/{clientId}/send", "/send-to-clients"} <= set(routes)
    for path, operations in routes.items():
        for method in operations:
            route = f"{method.upper()} {path.replace('{clientId}', 'clientId')}"
            assert route in text, route
    assert "GET /ws/clientId" in text


def test_man_page_and_changelog(unpacked):
    man = gzip.decompress((unpacked / "usr/share/man/man1/wshub.1.gz").read_bytes()).decode()
    assert re.search(r"^\.TH WSHUB \"1\"", man, re.M)
    assert "LOG_FORMAT" in man and "\\-\\-log\\-format" in man
    changelog = gzip.decompress((unpacked / "usr/share/doc/wshub/changelog.gz").read_bytes()).decode()
    version = re.match(r"wshub (\S+) ", run(BINARY, "--version")).group(1)
    assert changelog.startswith(f"wshub ({version}) ")
    copyright_file = (unpacked / "usr/share/doc/wshub/copyright").read_text()
    assert copyright_file.startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
    assert "License: Expat" in copyright_file
