-- COPY FROM STDIN through psql's \copy: text, then CSV with a header.
\copy posts ("userId", title, body) FROM 'testdata/psql/copyfrom.txt'
\copy posts ("userId", title, body) FROM 'testdata/psql/copyfrom.csv' WITH (FORMAT csv, HEADER)
SELECT "userId", title, body IS NULL AS no_body, body FROM posts WHERE id > 100 ORDER BY title;
-- A table without an insert endpoint.
\set ON_ERROR_STOP 0
\copy comments_by_post ("postId", body) FROM 'testdata/psql/copyfrom.txt'
\echo :LAST_ERROR_SQLSTATE
