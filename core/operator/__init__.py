"""Many companies on PostgreSQL: tenants, migrations, the shared PowerOffice budget and the
procrastinate worker (docs/OPERATOR.md). Imported only by ``grunndata operator``, ``tenant`` and
``worker``: the embedded SQLite path never loads psycopg or procrastinate."""
