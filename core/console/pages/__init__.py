"""The console\x27s pages, one module per page."""
