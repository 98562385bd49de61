"""Does PostgreSQL answer at this URL? Create its database when missing (`make test`'s PostgreSQL pass).

Usage: python scripts/pg_database.py postgres://user@host:port/name
Exit 0 with one line saying the database is ready; exit 1 with one line saying why not.
"""

import sys

import psycopg2
from psycopg2 import errors, sql
from psycopg2.extensions import parse_dsn

CONNECT_TIMEOUT = 3  # seconds: a machine without PostgreSQL should not hold up `make test`


def ensure_database(url: str) -> str:
    """Connect to the server's maintenance database and create the URL's database if it is not there."""
    name = parse_dsn(url).get("dbname") or "postgres"
    try:
        conn = psycopg2.connect(url, dbname="postgres", connect_timeout=CONNECT_TIMEOUT)
    except psycopg2.OperationalError:
        # No maintenance database to connect to (or no right to): then the database itself must answer.
        psycopg2.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
        return f"database {name} ready"
    conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return f"database {name} ready"
            try:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except errors.DuplicateDatabase:
                return f"database {name} ready"  # made by a run that started at the same moment
            return f"created database {name}"
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    url = argv[1]
    where = url.rsplit("@", 1)[-1]  # host:port/name, without credentials
    try:
        print(f"PostgreSQL at {where}: {ensure_database(url)}")
    except psycopg2.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        print(f"PostgreSQL at {where} cannot be used: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
