"""The ``grunndata`` command line."""
