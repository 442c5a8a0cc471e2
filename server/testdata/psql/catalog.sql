-- psql's describe commands against restsql serve, answered by restsql
-- over pg_catalog. Run by TestPsqlCatalog, compared with catalog.golden.
\dt
\dt "API".post*
\d posts
\d+ todos
\dn
\dn+
\l
\di
\dT
\d comments_by_post
SELECT count(*) > 0 AS has_system_tables FROM pg_catalog.pg_class WHERE relnamespace = 11;
