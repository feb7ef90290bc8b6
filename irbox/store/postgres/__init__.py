"""The PostgreSQL backend (`database_url = "postgresql://…"`): the same table modules and
group-committing writer as SQLite, on psycopg 3 connections whose SQL is translated from the
`?` placeholders the table modules write. The only package that imports psycopg."""
