"""Human-readable renderings of plans, apply results and findings."""
