"""Autobahn TestSuite section 9 (limits and performance): messages up to 16 MiB, many fragments, small chops."""
import pytest

from autobahn_cases import cases_of


@pytest.mark.parametrize("case", cases_of(9))
def test_autobahn_case(survived, case):
    case.run(survived)
