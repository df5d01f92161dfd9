"""Autobahn TestSuite sections 12 and 13 (permessage-deflate): compressed echoes of every size, fragmented and not,
of two kinds of text, under every parameter combination Autobahn offers."""
import pytest

from autobahn_cases import cases_of


@pytest.mark.parametrize("case", cases_of(12, 13))
def test_autobahn_case(survived, case):
    case.run(survived)
