"""SQLAlchemy (with psycopg2) against restsql serve: connect, bound
parameters, and stream_results, which reads through a named cursor.

Run by TestSQLAlchemy (server/clients_test.go) with the server's address
as its argument. It prints one line per check ("name: value").
"""
import sys

import sqlalchemy as sa

engine = sa.create_engine(f"postgresql+psycopg2://tester@{sys.argv[1]}/restsql?sslmode=disable")


def show(name, value):
    print(f"{name}: {value}", flush=True)


with engine.connect() as conn:
    row = conn.execute(sa.text('SELECT count(*), max(id) FROM posts WHERE "userId" = :u'), {"u": 3}).one()
    show("count", tuple(row))
    show("keys", ",".join(conn.execute(sa.text("SELECT count(*), id::text FROM posts WHERE id = 2 GROUP BY id")).keys()))
    # stream_results: a server-side (named) cursor, read in batches.
    result = conn.execution_options(stream_results=True, max_row_buffer=5).execute(
        sa.text("SELECT id FROM posts WHERE id <= :n ORDER BY id"), {"n": 23})
    batches = [[r[0] for r in part] for part in result.partitions(10)]
    show("stream", batches)
show("done", "ok")
