-- SQLite's m0033: numbers handed out one after another (case numbers) come from a counter row,
-- whose lock makes concurrent writers take turns, not from max(number) + 1.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) SELECT 'case_number', coalesce(max(number), 0) FROM cases;
