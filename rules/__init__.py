"""The shipped rule files (package data). Customers override them with their own files."""
