"""The test suite (a package, so tests/requests.py cannot shadow the requests library)."""
