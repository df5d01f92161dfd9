"""Autobahn TestSuite sections 1-7 (framing to close handling), case by case, with the server surviving each."""
import pytest

from autobahn_cases import cases_of, documented_tables, markdown_tables


@pytest.mark.parametrize("case", cases_of(1, 2, 3, 4, 5, 6, 7))
def test_autobahn_case(survived, case):
    case.run(survived)


def test_docs_conformance_md_has_the_table_these_cases_make():
    assert documented_tables() == markdown_tables(), "run: python3 tests/e2e/autobahn_cases.py"
