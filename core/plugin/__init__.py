"""The plugin host: hook specifications and the manager that loads plugins."""
