-- The change log of the record tables the analytics snapshot reads: every row added,
-- changed or deleted, by its `stored` key. A writing transaction's rows carry no revision
-- until it bumps the store revision, which stamps them with the new one. The revision row
-- is locked from that update to the commit, so revisions follow the order transactions
-- commit in, whatever order their rows were logged in. A snapshot built at a revision is
-- patched with the rows logged after it instead of being rebuilt. An import disables the
-- triggers and leaves one row for table '*': a snapshot older than it must be rebuilt.
CREATE TABLE record_changes (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tbl text NOT NULL,
    row_key bigint NOT NULL,
    revision bigint
);
CREATE INDEX record_changes_revision ON record_changes (revision);

CREATE FUNCTION note_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO record_changes (tbl, row_key) VALUES (TG_TABLE_NAME, OLD.stored);
    ELSE
        INSERT INTO record_changes (tbl, row_key) VALUES (TG_TABLE_NAME, NEW.stored);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON persons
    FOR EACH ROW EXECUTE FUNCTION note_record_change();
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION note_record_change();
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON offences
    FOR EACH ROW EXECUTE FUNCTION note_record_change();
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON arrests
    FOR EACH ROW EXECUTE FUNCTION note_record_change();
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON referrals
    FOR EACH ROW EXECUTE FUNCTION note_record_change();
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON disclosures
    FOR EACH ROW EXECUTE FUNCTION note_record_change();
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON protection_orders
    FOR EACH ROW EXECUTE FUNCTION note_record_change();
CREATE TRIGGER record_changed AFTER INSERT OR UPDATE OR DELETE ON staffing
    FOR EACH ROW EXECUTE FUNCTION note_record_change();
