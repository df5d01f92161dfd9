"""The systemd unit: systemd accepts it, its stop timing leaves room for the whole drain, and reload is SIGHUP."""
import configparser
import pathlib
import subprocess

from conftest import BINARY

UNIT = pathlib.Path(__file__).resolve().parents[2] / "packaging" / "wshub.service"
FORCED_SHUTDOWN_AFTER_SEC = 1800  # the default
FORCED_CLOSE_SEC = 10  # the longest a forced close takes (README, Graceful shutdown)


def service_section():
    # strict=False: systemd allows a key more than once (SystemCallFilter).
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(UNIT)
    return unit["Service"]


def test_systemd_verifies_the_unit(tmp_path):
    installed = tmp_path / "wshub.service"
    installed.write_text(UNIT.read_text().replace("/usr/bin/wshub", BINARY))
    result = subprocess.run(["systemd-analyze", "verify", str(installed)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr


def test_the_unit_stops_with_sigterm_and_waits_out_the_drain():
    service = service_section()
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > FORCED_SHUTDOWN_AFTER_SEC + FORCED_CLOSE_SEC
    assert int(service["LimitNOFILE"]) >= 1_000_000
    assert service["DynamicUser"] == "yes" or service.get("User", "root") != "root"
    assert service["NoNewPrivileges"] == "yes"


def test_the_unit_reloads_the_certificate_with_sighup():
    assert service_section()["ExecReload"] == "/bin/kill -HUP $MAINPID"
