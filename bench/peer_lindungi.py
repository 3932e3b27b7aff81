"""Lindungi in the peers benchmark (`bench/peers.json`): its `reset_cmd` and its server command.

    ../.venv/bin/python peer_lindungi.py reset                  before every measured point
    ../.venv/bin/python peer_lindungi.py serve --port 8092 ...  `lindungi serve ...` (exec'd)

Both read the same `LINDUNGI_*` environment as `lindungi serve`, with the database URL the
peers benchmark passes (`{DATABASE_URL}`).

On PostgreSQL the peers keep their own `registrations` table in the `public` schema of the
same database, and drop it (without CASCADE) between points; Lindungi's own `registrations`
table would clash with it. So Lindungi runs there as the role `lindungi_peer` whose
`search_path` is the schema `lindungi`, and `public.flow_submissions` is a view of
`lindungi.flow_submissions` so that the benchmark's `rows_sql` reads the same on both
databases. On SQLite (a file the benchmark deletes between points) nothing is mapped.

`reset`: drops and recreates the `lindungi` schema (PostgreSQL) or Lindungi's tables
(SQLite), empties the data folder (`LINDUNGI_DATA_DIR`: embedded state, generated secrets),
and migrates, like `lindungi db upgrade`. Redis needs nothing: the benchmark flushes it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from storage.infra.migrate import run_with_connection, upgrade  # noqa: E402
from storage.models import metadata  # noqa: E402

ROLE = "lindungi_peer"
SCHEMA = "lindungi"
LINDUNGI = ROOT / ".venv" / "bin" / "lindungi"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def as_lindungi_role(url: str) -> str:
    """The peers' URL with Lindungi's own role (whose search_path is the `lindungi` schema)."""
    if not is_postgres(url):
        return url
    return make_url(url).set(username=ROLE, password=None).render_as_string(hide_password=False)


def _prepare_schema(connection: Connection) -> None:
    connection.execute(text("DROP VIEW IF EXISTS public.flow_submissions"))
    # Tables a run left in `public` before the schema was used would block the peers' drop.
    for table in reversed(metadata.sorted_tables):
        if table.name != "registrations":
            connection.execute(text(f'DROP TABLE IF EXISTS public."{table.name}" CASCADE'))
    connection.execute(
        text(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') "
            f"THEN CREATE ROLE {ROLE} LOGIN; END IF; END $$"
        )
    )
    connection.execute(text(f"ALTER ROLE {ROLE} SET search_path = {SCHEMA}"))
    connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    connection.execute(text(f"CREATE SCHEMA {SCHEMA} AUTHORIZATION {ROLE}"))


def _publish_view(connection: Connection) -> None:
    connection.execute(
        text(f"CREATE VIEW public.flow_submissions AS SELECT * FROM {SCHEMA}.flow_submissions")
    )


def _drop_tables(connection: Connection) -> None:
    for table in [*reversed(metadata.sorted_tables), "alembic_version"]:
        name = table if isinstance(table, str) else table.name
        connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


def reset() -> None:
    settings = Settings()
    url = settings.resolved_database_url()
    if is_postgres(url):
        run_with_connection(url, _prepare_schema)
        upgrade(as_lindungi_role(url))
        run_with_connection(url, _publish_view)
    else:
        run_with_connection(url, _drop_tables)
        upgrade(url)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    settings.ensure_data_dir()


def serve(args: list[str]) -> None:
    url = os.environ.get("LINDUNGI_DATABASE_URL")
    if url:
        os.environ["LINDUNGI_DATABASE_URL"] = as_lindungi_role(url)
    os.execv(LINDUNGI, [str(LINDUNGI), "serve", *args])


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "reset":
        reset()
    elif len(sys.argv) >= 2 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
