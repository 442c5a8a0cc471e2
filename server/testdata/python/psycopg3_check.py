"""psycopg 3 against restsql serve: server-side cursors (DECLARE with
bound parameters, Describe of the cursor's portal, FETCH FORWARD), types,
column names and COPY.

Run by TestPsycopg3 (server/clients_test.go) with the server's DSN as its
argument. It prints one line per check ("name: value").
"""
import sys

import psycopg

conn = psycopg.connect(sys.argv[1])


def show(name, value):
    print(f"{name}: {value}", flush=True)


cur = conn.cursor()
cur.execute('SELECT count(*), sum("userId") FROM posts WHERE id <= %s', (50,))
show("names", ",".join(d.name for d in cur.description))
show("count", cur.fetchone())
cur.execute('SELECT id, completed, "dueDate" IS NULL FROM todos WHERE id = %s', (10,))
show("types", cur.fetchone())

# A server-side cursor: DECLARE … CURSOR FOR … $1, bound in the extended
# protocol, then FETCH FORWARD itersize.
with conn.cursor(name="by_user") as named:
    named.itersize = 3
    named.execute('SELECT id, title FROM posts WHERE "userId" = %s ORDER BY id', (2,))
    show("named names", ",".join(d.name for d in named.description))
    show("named", [row[0] for row in named])
with conn.cursor(name="few") as named:
    named.execute("SELECT id FROM posts")
    show("fetchmany", [r[0] for r in named.fetchmany(2)])
    named.scroll(5)
    show("after scroll", named.fetchone()[0])
conn.commit()

# COPY TO STDOUT.
with conn.cursor() as c:
    with c.copy('COPY (SELECT id, title FROM posts WHERE "userId" = 1 AND id <= 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)') as copy:
        data = b"".join(bytes(chunk) for chunk in copy)
    show("copy csv", repr(data.decode()))
conn.commit()

# COPY FROM STDIN, row by row (text format), then read back.
with conn.cursor() as c:
    with c.copy('COPY posts ("userId", title, body) FROM STDIN') as copy:
        copy.write_row((9, "pg3 copy a", None))
        copy.write_row((9, "pg3 copy b\ttab", "x"))
    show("copy from", c.rowcount)
    c.execute("SELECT title, body FROM posts WHERE title LIKE 'pg3 copy%' ORDER BY title")
    show("copied", c.fetchall())
conn.commit()
conn.close()
show("done", "ok")
