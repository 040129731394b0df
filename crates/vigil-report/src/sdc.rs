//! Statistical disclosure control for a report published outside the force: small counts
//! are suppressed (primary), further cells are suppressed so that totals cannot give a
//! suppressed cell away (secondary), and rates on small denominators are withheld.

/// Thresholds, configurable; the defaults follow common practice for published crime and
/// victim statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publish {
    /// Counts from 1 to this are suppressed (0 is shown: it reveals nobody).
    pub max_suppressed: u64,
    /// The same for victim-level tables (people, not offences).
    pub max_suppressed_people: u64,
    /// Rates on fewer cases than this are withheld.
    pub min_rate_denominator: u64,
}

impl Default for Publish {
    fn default() -> Self {
        Publish {
            max_suppressed: 4,
            max_suppressed_people: 9,
            min_rate_denominator: 50,
        }
    }
}

impl Publish {
    pub fn hides(&self, n: f64, people: bool) -> bool {
        let limit = if people {
            self.max_suppressed_people
        } else {
            self.max_suppressed
        };
        n >= 1.0 && n <= limit as f64
    }
}

/// Marks the cells of a table to suppress: small counts first, then, in every row and
/// column whose total is shown, one more cell where only one would otherwise be hidden
/// (the smallest non-zero other cell), repeated until no total gives a cell away.
pub fn suppress(
    values: &[Vec<f64>],
    policy: &Publish,
    people: bool,
    row_totals: bool,
    col_totals: bool,
) -> Vec<Vec<bool>> {
    let mut hidden: Vec<Vec<bool>> = values
        .iter()
        .map(|r| r.iter().map(|v| policy.hides(*v, people)).collect())
        .collect();
    loop {
        let mut changed = false;
        let fix = |cells: Vec<(usize, usize)>, hidden: &mut Vec<Vec<bool>>| {
            let count = cells.iter().filter(|(r, c)| hidden[*r][*c]).count();
            if count == 1
                && let Some(&(r, c)) = cells
                    .iter()
                    .filter(|(r, c)| !hidden[*r][*c] && values[*r][*c] > 0.0)
                    .min_by(|a, b| values[a.0][a.1].total_cmp(&values[b.0][b.1]))
            {
                hidden[r][c] = true;
                return true;
            }
            false
        };
        if row_totals {
            for (r, row) in values.iter().enumerate() {
                changed |= fix((0..row.len()).map(|c| (r, c)).collect(), &mut hidden);
            }
        }
        if col_totals {
            let width = values.iter().map(Vec::len).max().unwrap_or(0);
            for c in 0..width {
                changed |= fix(
                    (0..values.len())
                        .filter(|r| c < values[*r].len())
                        .map(|r| (r, c))
                        .collect(),
                    &mut hidden,
                );
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_and_secondary() {
        let p = Publish::default();
        let v = vec![vec![3.0, 40.0, 57.0], vec![20.0, 30.0, 50.0]];
        let h = suppress(&v, &p, false, true, true);
        // 3 is suppressed; its row would reveal it, so 40 goes too; then columns 0 and 1
        // each have one hidden cell, so 20 and 30 follow.
        assert_eq!(h, vec![vec![true, true, false], vec![true, true, false]]);
        let none = suppress(&[vec![0.0, 12.0]], &p, false, true, true);
        assert_eq!(none, vec![vec![false, false]]);
        assert!(p.hides(9.0, true) && !p.hides(9.0, false));
    }
}
