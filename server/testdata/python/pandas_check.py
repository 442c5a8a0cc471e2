"""pandas.read_sql against restsql serve, the way notebooks and ETL scripts
read a table: through a SQLAlchemy engine (text query with parameters, a
whole table by name, chunks over a named cursor) and through a plain
psycopg2 connection.

Run by TestPandas (server/clients_test.go) with the server's address as its
argument. It prints one line per check ("name: value").
"""
import sys

import pandas as pd
import psycopg2
import sqlalchemy as sa

addr = sys.argv[1]
host, port = addr.rsplit(":", 1)
engine = sa.create_engine(f"postgresql+psycopg2://tester@{addr}/restsql?sslmode=disable")


def show(name, value):
    print(f"{name}: {value}", flush=True)


df = pd.read_sql(sa.text('SELECT id, "userId", title FROM posts WHERE "userId" = :u ORDER BY id'), engine, params={"u": 3})
show("columns", ",".join(df.columns))
show("dtypes", ",".join(str(t) for t in df.dtypes))
show("ids", ",".join(str(i) for i in df["id"]))
show("first title", df["title"].iloc[0])

todos = pd.read_sql_table("todos", engine, schema="API")
show("todos", f"{len(todos)} rows, {','.join(todos.columns)}")
show("todos dtypes", ",".join(f"{c}={t}" for c, t in todos.dtypes.items()))

with engine.connect().execution_options(stream_results=True) as conn:
    chunks = [len(c) for c in pd.read_sql(sa.text("SELECT id FROM posts ORDER BY id"), conn, chunksize=40)]
show("chunks", chunks)

with psycopg2.connect(host=host, port=port, user="tester", dbname="restsql", sslmode="disable") as pg:
    agg = pd.read_sql('SELECT "userId", count(*) AS n FROM posts GROUP BY "userId" ORDER BY "userId" LIMIT 3', pg)
    show("psycopg2", agg.to_dict("records"))
show("done", "ok")
