//! Piecewise-linear curves over dates: how a scenario's rates change through time.

use vigil_domain::time::{Date, parse_date};

#[derive(Debug, Clone)]
pub struct Curve {
    points: Vec<(i32, f64)>,
}

fn day(d: Date) -> i32 {
    use vigil_domain::time::Datelike;
    d.num_days_from_ce()
}

impl Curve {
    /// Points as (`YYYY-MM-DD`, value), in date order. Before the first point the curve
    /// holds the first value; after the last, the last.
    pub fn new(points: &[(&str, f64)]) -> Self {
        Curve {
            points: points
                .iter()
                .map(|(d, v)| (day(parse_date(d).expect("curve date")), *v))
                .collect(),
        }
    }

    pub fn flat(v: f64) -> Self {
        Curve {
            points: vec![(0, v)],
        }
    }

    pub fn at(&self, d: Date) -> f64 {
        let x = day(d);
        let p = &self.points;
        if x <= p[0].0 {
            return p[0].1;
        }
        for w in p.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            if x < x1 {
                return y0 + (y1 - y0) * f64::from(x - x0) / f64::from(x1 - x0);
            }
        }
        p[p.len() - 1].1
    }
}
