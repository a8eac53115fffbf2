"""Test-suite configuration: the atheris target under fuzz/ is run by ``make fuzz``, not pytest.

``--doctest-modules`` would otherwise import tests/fuzz/fuzz_decode.py (and atheris with it).
"""

collect_ignore_glob = ["fuzz/*"]
