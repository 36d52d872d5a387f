"""Rule files: YAML kept with positions, validated against the plugins' JSON Schema."""
