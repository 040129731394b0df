//! PostgreSQL's side of the shared row mapping (`vigil_store::rows`): reading typed columns
//! and writing `COPY` text.

use sqlx::Row;
use sqlx::postgres::PgRow;
use vigil_domain::time::{Date, DateTime, push_date, push_datetime};
use vigil_store::StoreResult;
use vigil_store::rows::{Cells, Values};

/// One stored row, read column by column in select order.
pub struct Cols<'r> {
    row: &'r PgRow,
    table: &'static str,
    next: usize,
}

impl<'r> Cols<'r> {
    pub fn new(row: &'r PgRow, table: &'static str) -> Self {
        Cols {
            row,
            table,
            next: 0,
        }
    }

    fn get<T>(&mut self) -> StoreResult<T>
    where
        T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        let i = self.next;
        self.next += 1;
        self.row.try_get::<T, _>(i).map_err(|e| self.bad(e))
    }
}

impl Cells for Cols<'_> {
    fn table(&self) -> &'static str {
        self.table
    }
    fn column(&self) -> usize {
        self.next
    }
    fn opt_string(&mut self) -> StoreResult<Option<String>> {
        self.get::<Option<String>>()
    }
    fn opt_int(&mut self) -> StoreResult<Option<i64>> {
        self.get::<Option<i64>>()
    }
    fn opt_real(&mut self) -> StoreResult<Option<f64>> {
        self.get::<Option<f64>>()
    }
    fn opt_bool(&mut self) -> StoreResult<Option<bool>> {
        self.get::<Option<bool>>()
    }
    fn opt_date(&mut self) -> StoreResult<Option<Date>> {
        self.get::<Option<Date>>()
    }
    fn opt_datetime(&mut self) -> StoreResult<Option<DateTime>> {
        self.get::<Option<DateTime>>()
    }
}

/// Rows in `COPY … FROM STDIN` text format: tab between values, `\N` for NULL, a newline
/// after each row, and backslash, tab, newline and carriage return escaped in text.
#[derive(Default)]
pub struct CopyText {
    pub buf: String,
    first: bool,
}

impl CopyText {
    pub fn start_row(&mut self) {
        self.first = true;
    }

    pub fn end_row(&mut self) {
        self.buf.push('\n');
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
    }
}

impl Values for CopyText {
    fn text(&mut self, s: &str) {
        self.sep();
        for ch in s.chars() {
            match ch {
                '\\' => self.buf.push_str("\\\\"),
                '\t' => self.buf.push_str("\\t"),
                '\n' => self.buf.push_str("\\n"),
                '\r' => self.buf.push_str("\\r"),
                c => self.buf.push(c),
            }
        }
    }
    fn null(&mut self) {
        self.sep();
        self.buf.push_str("\\N");
    }
    fn int(&mut self, v: i64) {
        self.sep();
        self.buf.push_str(&v.to_string());
    }
    fn real(&mut self, v: f64) {
        self.sep();
        // Rust prints the shortest text that reads back as the same double.
        self.buf.push_str(&v.to_string());
    }
    fn bool(&mut self, v: bool) {
        self.sep();
        self.buf.push(if v { 't' } else { 'f' });
    }
    fn date(&mut self, d: Date) {
        self.sep();
        push_date(&mut self.buf, d);
    }
    fn datetime(&mut self, t: DateTime) {
        self.sep();
        push_datetime(&mut self.buf, t);
    }
}

/// Rows as a JSON array of objects keyed by column, for one `INSERT … SELECT … FROM
/// json_populate_recordset(…)`: a handful of rows in one statement and one round trip, with
/// PostgreSQL converting each value to its column's type. (`COPY` is for imports: for a
/// few rows its extra messages cost more than the rows.)
pub struct JsonRows {
    columns: &'static [&'static str],
    pub buf: String,
    next: usize,
    rows: usize,
}

impl JsonRows {
    pub fn new(columns: &'static [&'static str]) -> Self {
        JsonRows {
            columns,
            buf: String::from("["),
            next: 0,
            rows: 0,
        }
    }

    pub fn start_row(&mut self) {
        if self.rows > 0 {
            self.buf.push(',');
        }
        self.buf.push('{');
        self.next = 0;
        self.rows += 1;
    }

    pub fn end_row(&mut self) {
        self.buf.push('}');
    }

    pub fn finish(mut self) -> String {
        self.buf.push(']');
        self.buf
    }

    fn key(&mut self) {
        if self.next > 0 {
            self.buf.push(',');
        }
        let name = self.columns[self.next];
        self.buf.push('"');
        self.buf.push_str(name);
        self.buf.push_str("\":");
        self.next += 1;
    }

    fn raw(&mut self, v: &str) {
        self.key();
        self.buf.push_str(v);
    }
}

impl Values for JsonRows {
    fn text(&mut self, s: &str) {
        self.key();
        self.buf
            .push_str(&serde_json::to_string(s).expect("a string serialises"));
    }
    fn null(&mut self) {
        self.raw("null");
    }
    fn int(&mut self, v: i64) {
        self.raw(&v.to_string());
    }
    fn real(&mut self, v: f64) {
        self.raw(&serde_json::to_string(&v).expect("a number serialises"));
    }
    fn bool(&mut self, v: bool) {
        self.raw(if v { "true" } else { "false" });
    }
    fn date(&mut self, d: Date) {
        let mut s = String::from("\"");
        push_date(&mut s, d);
        s.push('"');
        self.raw(&s);
    }
    fn datetime(&mut self, t: DateTime) {
        let mut s = String::from("\"");
        push_datetime(&mut s, t);
        s.push('"');
        self.raw(&s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_would_misread() {
        let mut c = CopyText::default();
        c.start_row();
        c.text("a\tb\\c\nd");
        c.null();
        c.bool(true);
        c.int(-3);
        c.end_row();
        assert_eq!(c.buf, "a\\tb\\\\c\\nd\t\\N\tt\t-3\n");
    }

    #[test]
    fn json_rows_key_each_value_by_its_column() {
        let mut j = JsonRows::new(&["a", "b", "c"]);
        j.start_row();
        j.text("x\"y");
        j.null();
        j.bool(true);
        j.end_row();
        j.start_row();
        j.text("z");
        j.int(3);
        j.bool(false);
        j.end_row();
        assert_eq!(
            j.finish(),
            r#"[{"a":"x\"y","b":null,"c":true},{"a":"z","b":3,"c":false}]"#
        );
    }
}
