"""psycopg2 against restsql serve: named cursors, parameters, COPY.

Run by TestPsycopg2 (server/clients_test.go) with the server's DSN as its
argument. It prints one line per check ("name: value"); the test compares
them with what the restsql library answers, and fails on any exception.
"""
import io
import sys

import psycopg2

conn = psycopg2.connect(sys.argv[1])


def show(name, value):
    print(f"{name}: {value}", flush=True)


# A plain query: the column names are PostgreSQL's.
cur = conn.cursor()
cur.execute('SELECT count(*), sum("userId") FROM posts WHERE id <= %s', (50,))
show("names", ",".join(d.name for d in cur.description))
show("count", cur.fetchone())
cur.close()

# A named cursor (DECLARE … CURSOR WITHOUT HOLD, then FETCH FORWARD
# itersize) inside the transaction psycopg2 opens.
named = conn.cursor(name="posts_by_user")
named.itersize = 4
named.execute('SELECT id, title FROM posts WHERE "userId" = %s ORDER BY id', (2,))
show("named", [row[0] for row in named])
named.close()

# fetchmany and scroll forward on a named cursor.
named = conn.cursor(name="all_posts")
named.execute("SELECT id FROM posts")
show("fetchmany", [r[0] for r in named.fetchmany(3)])
named.scroll(10)
show("after scroll", named.fetchone()[0])
named.scroll(30, mode="absolute")
show("after absolute scroll", named.fetchone()[0])
named.close()
conn.commit()

# A scrollable named cursor (DECLARE … SCROLL CURSOR): scroll backward
# (MOVE -n) and to an absolute row.
scr = conn.cursor(name="scroll_posts", scrollable=True)
scr.execute("SELECT id FROM posts WHERE id <= 20 ORDER BY id")
show("scroll first", [r[0] for r in scr.fetchmany(5)])
scr.scroll(-3)
show("scroll back", scr.fetchone()[0])
scr.scroll(0, mode="absolute")
show("scroll rewind", [r[0] for r in scr.fetchmany(2)])
scr.close()
conn.commit()

# WITH HOLD: the cursor outlives the transaction's commit.
held = conn.cursor(name="held", withhold=True)
held.execute("SELECT id FROM users ORDER BY id")
show("held first", held.fetchone()[0])
conn.commit()
show("held rest", [r[0] for r in held.fetchall()])
held.close()
conn.commit()

# COPY TO STDOUT, in CSV with a header, and copy_to of a table.
buf = io.StringIO()
cur = conn.cursor()
cur.copy_expert('COPY (SELECT id, title FROM posts WHERE "userId" = 1 AND id <= 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)', buf)
show("copy csv", repr(buf.getvalue()))
buf = io.StringIO()
cur.copy_to(buf, "users", sep="|", columns=("id", "username"))
show("copy_to", repr(buf.getvalue()))
conn.commit()

# COPY FROM STDIN: CSV with a header through copy_expert, text through
# copy_from; then the rows are read back.
cur.copy_expert('COPY posts ("userId", title) FROM STDIN WITH (FORMAT csv, HEADER)', io.StringIO('userId,title\n1,"py, a"\n2,py b\n'))
show("copy from", cur.rowcount)
cur.copy_from(io.StringIO("3\tpy c\n"), "posts", columns=("userId", "title"))
show("copy_from", cur.rowcount)
cur.execute("SELECT title FROM posts WHERE title LIKE 'py%%' ORDER BY title")
show("copied", [r[0] for r in cur.fetchall()])
# Into a table without an insert endpoint.
try:
    cur.copy_expert('COPY comments_by_post ("postId", body) FROM STDIN', io.StringIO("1\tx\n"))
    show("copy read-only", "accepted")
except psycopg2.Error as e:
    show("copy read-only", e.pgcode)
conn.rollback()
conn.close()
show("done", "ok")
