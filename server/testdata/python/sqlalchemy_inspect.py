"""SQLAlchemy's inspect() against restsql serve: schemas, tables, views,
columns, the primary key, foreign keys and indexes, as a reflecting tool
(Alembic, pandas.to_sql, a notebook) asks for them, then a reflected
Table queried with select().

Run by TestSQLAlchemyInspect (server/clients_test.go) with the server's
address as its argument. It prints one line per check ("name: value").
"""
import sys

import sqlalchemy as sa

engine = sa.create_engine(f"postgresql+psycopg2://tester@{sys.argv[1]}/restsql?sslmode=disable")


def show(name, value):
    print(f"{name}: {value}", flush=True)


insp = sa.inspect(engine)
show("schemas", insp.get_schema_names())
show("default schema", insp.default_schema_name)
show("tables", insp.get_table_names(schema="API"))
show("views", insp.get_view_names(schema="API"))
show("has table", (insp.has_table("posts", schema="API"), insp.has_table("nosuch", schema="API")))
show("columns", [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns("todos", schema="API")])
show("comment", [c.get("comment") for c in insp.get_columns("todos", schema="API")][4])
show("pk", insp.get_pk_constraint("posts", schema="API"))
show("pk comments_by_post", insp.get_pk_constraint("comments_by_post", schema="API")["constrained_columns"])
show("fks", insp.get_foreign_keys("posts", schema="API"))
show("indexes", insp.get_indexes("posts", schema="API"))
show("unique", insp.get_unique_constraints("posts", schema="API"))
show("table comment", insp.get_table_comment("posts", schema="API"))

meta = sa.MetaData()
posts = sa.Table("posts", meta, autoload_with=engine, schema="API")
show("reflected", ([c.name for c in posts.columns], [c.name for c in posts.primary_key]))
with engine.connect() as conn:
    rows = conn.execute(sa.select(posts.c.id, posts.c.title).where(posts.c.userId == 2).order_by(posts.c.id).limit(3)).all()
    show("select", [r.id for r in rows])
show("done", "ok")
