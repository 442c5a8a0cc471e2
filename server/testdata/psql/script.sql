-- psql against restsql serve: what a user types first. Run by
-- TestPsql (server/clients_test.go) with -X -v ON_ERROR_STOP=1.
\dt
\d posts
\d+ todos
\dn
SELECT "id", "title" FROM "posts" WHERE "userId" = 2 ORDER BY "id" LIMIT 3;
SELECT count(*) AS in_partition FROM posts WHERE "id" >= 1 AND "id" < 51;
SELECT u.name, count(*) AS posts FROM users u JOIN posts p ON p."userId" = u.id GROUP BY u.name ORDER BY u.name LIMIT 2;
SELECT id, "dueDate" FROM todos WHERE "userId" = 1 AND completed ORDER BY id LIMIT 2;
SHOW server_version;
SELECT current_database(), current_schema();
BEGIN READ ONLY;
SELECT id FROM comments_by_post WHERE "postId" = 3 ORDER BY id;
COMMIT;
-- FETCH_COUNT: psql reads the rows through a cursor (DECLARE _psql_cursor
-- NO SCROLL CURSOR FOR …, FETCH FORWARD 7, CLOSE) in a transaction.
\set FETCH_COUNT 7
SELECT id AS fetched, "userId" FROM posts WHERE id <= 15 ORDER BY id;
\unset FETCH_COUNT
SELECT count(*), 'a' || 'b' AS ab, id::text FROM posts WHERE id = 4 GROUP BY id;
