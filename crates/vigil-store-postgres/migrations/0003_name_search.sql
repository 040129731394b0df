-- Search by name as an index range in byte order: a prefix becomes `>= prefix AND <= prefix
-- followed by the highest code point`, which a prepared (generic) plan can still answer from
-- the index, where LIKE with a parameter cannot. Byte order ("C") is also the order SQLite
-- lists names in.
CREATE INDEX persons_family_name_c ON persons ((lower(family_name) COLLATE "C"), (lower(given_names) COLLATE "C"));
DROP INDEX persons_family_name;
