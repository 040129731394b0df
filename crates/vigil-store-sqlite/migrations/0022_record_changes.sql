-- The change log of the record tables the analytics snapshot reads: every row added,
-- changed or deleted, by its rowid. A writing transaction's rows carry no revision until
-- it bumps the store revision, which stamps them with the new one; a snapshot built at a
-- revision is patched with the rows logged after it instead of being rebuilt. An import
-- writes without the triggers and leaves one row for table '*': everything before it is
-- gone, and a snapshot older than it must be rebuilt.
CREATE TABLE record_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl TEXT NOT NULL,
    row_key INTEGER NOT NULL,
    revision INTEGER
);
CREATE INDEX record_changes_revision ON record_changes (revision);
CREATE TRIGGER persons_changed_insert AFTER INSERT ON persons BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('persons', NEW.rowid);
END;
CREATE TRIGGER persons_changed_update AFTER UPDATE ON persons BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('persons', NEW.rowid);
END;
CREATE TRIGGER persons_changed_delete AFTER DELETE ON persons BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('persons', OLD.rowid);
END;
CREATE TRIGGER incidents_changed_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('incidents', NEW.rowid);
END;
CREATE TRIGGER incidents_changed_update AFTER UPDATE ON incidents BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('incidents', NEW.rowid);
END;
CREATE TRIGGER incidents_changed_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('incidents', OLD.rowid);
END;
CREATE TRIGGER offences_changed_insert AFTER INSERT ON offences BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('offences', NEW.rowid);
END;
CREATE TRIGGER offences_changed_update AFTER UPDATE ON offences BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('offences', NEW.rowid);
END;
CREATE TRIGGER offences_changed_delete AFTER DELETE ON offences BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('offences', OLD.rowid);
END;
CREATE TRIGGER arrests_changed_insert AFTER INSERT ON arrests BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('arrests', NEW.rowid);
END;
CREATE TRIGGER arrests_changed_update AFTER UPDATE ON arrests BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('arrests', NEW.rowid);
END;
CREATE TRIGGER arrests_changed_delete AFTER DELETE ON arrests BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('arrests', OLD.rowid);
END;
CREATE TRIGGER referrals_changed_insert AFTER INSERT ON referrals BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('referrals', NEW.rowid);
END;
CREATE TRIGGER referrals_changed_update AFTER UPDATE ON referrals BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('referrals', NEW.rowid);
END;
CREATE TRIGGER referrals_changed_delete AFTER DELETE ON referrals BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('referrals', OLD.rowid);
END;
CREATE TRIGGER disclosures_changed_insert AFTER INSERT ON disclosures BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('disclosures', NEW.rowid);
END;
CREATE TRIGGER disclosures_changed_update AFTER UPDATE ON disclosures BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('disclosures', NEW.rowid);
END;
CREATE TRIGGER disclosures_changed_delete AFTER DELETE ON disclosures BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('disclosures', OLD.rowid);
END;
CREATE TRIGGER protection_orders_changed_insert AFTER INSERT ON protection_orders BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('protection_orders', NEW.rowid);
END;
CREATE TRIGGER protection_orders_changed_update AFTER UPDATE ON protection_orders BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('protection_orders', NEW.rowid);
END;
CREATE TRIGGER protection_orders_changed_delete AFTER DELETE ON protection_orders BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('protection_orders', OLD.rowid);
END;
CREATE TRIGGER staffing_changed_insert AFTER INSERT ON staffing BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('staffing', NEW.rowid);
END;
CREATE TRIGGER staffing_changed_update AFTER UPDATE ON staffing BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('staffing', NEW.rowid);
END;
CREATE TRIGGER staffing_changed_delete AFTER DELETE ON staffing BEGIN
    INSERT INTO record_changes (tbl, row_key) VALUES ('staffing', OLD.rowid);
END;
