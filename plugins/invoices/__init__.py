"""Invoice sources for ``grunndata invoice``: SmartDok's invoice bases (fakturagrunnlag)."""
