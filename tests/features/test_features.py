"""Every scenario in features/*.feature, run against the in-process sandbox."""
from pytest_bdd import scenarios

scenarios(".")
