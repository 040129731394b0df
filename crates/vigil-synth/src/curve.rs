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

    /// A value for each calendar year from `first`, changing on 1 January (the last holds
    /// after; the first, before).
    pub fn by_year(first: i32, values: &[f64]) -> Self {
        let jan1 = |y: i32| day(Date::from_ymd_opt(y, 1, 1).expect("1 January"));
        let mut points = Vec::new();
        for (k, v) in values.iter().enumerate() {
            let y = first + k as i32;
            if k > 0 {
                points.push((jan1(y) - 1, values[k - 1]));
            }
            points.push((jan1(y), *v));
        }
        Curve { points }
    }

    pub fn flat(v: f64) -> Self {
        Curve {
            points: vec![(0, v)],
        }
    }

    /// The same curve `years` later (each point moved by that many years, day of the year
    /// kept): one force's history replayed in another period.
    pub fn shifted(&self, years: i32) -> Self {
        use vigil_domain::time::Datelike;
        Curve {
            points: self
                .points
                .iter()
                .map(|(x, v)| {
                    let d = Date::from_num_days_from_ce_opt(*x).expect("curve day");
                    let moved = d
                        .with_year(d.year() + years)
                        .or_else(|| {
                            (d - vigil_domain::time::Duration::days(1)).with_year(d.year() + years)
                        })
                        .expect("a date in that year");
                    (day(moved), *v)
                })
                .collect(),
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
