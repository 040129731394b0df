//! MARAC: the SafeLives return for a period (the figures: `vigil_domain::marac_return`).

use super::*;
use vigil_domain::marac_return::{AreaReturn, marac_return as compute, quarter_of};

/// The period asked for, as typed; both empty means the last whole quarter.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct ReturnPeriod {
    /// The first day (DD/MM/YYYY or YYYY-MM-DD); with `to` empty, the last whole quarter.
    pub from: String,
    /// The last day, inclusive.
    pub to: String,
}

pub struct MaracReturn {
    pub from: Date,
    pub to: Date,
    pub rows: Vec<AreaReturn>,
    pub total: AreaReturn,
}

/// The longest period a return covers: a return is a quarter, a year at most a few.
const MAX_DAYS: i64 = 3660;

/// The return for the period (analysts; the MARAC coordinator when that role exists).
/// Aggregates only; the read is audited as one act.
pub async fn marac_return(app: &App, s: &Session, p: &ReturnPeriod) -> Outcome<MaracReturn> {
    require(app, s, Capability::ReadAnalytics, "marac_return", "").await?;
    let today = app.now().date();
    let (from, to) = if p.from.trim().is_empty() && p.to.trim().is_empty() {
        // The last whole quarter before today.
        let (this_quarter, _) = quarter_of(today);
        quarter_of(this_quarter - chrono::Duration::days(1))
    } else {
        let mut errors = Vec::new();
        let from = day_field(&mut errors, "from", &p.from, "the first day", today);
        let to = day_field(&mut errors, "to", &p.to, "the last day", today);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new(
                    "to",
                    "The last day must be on or after the first day",
                ));
            } else if (t - f).num_days() > MAX_DAYS {
                errors.push(FieldError::new(
                    "to",
                    "A return covers at most ten years; choose a quarter or a year",
                ));
            }
        }
        let (from, to) = valid!(errors; from, to);
        (from, to)
    };
    let facts = vigil_store::marac_return::facts(app.store.as_ref(), from, to).await?;
    let (rows, total) = compute(&facts, from, to, &app.rules.marac_areas);
    audited(
        app,
        audit_entry(
            actor(s),
            "marac.return",
            "marac_return",
            &format!("{from}..{to}"),
            None,
        ),
    )
    .await?;
    Ok(MaracReturn {
        from,
        to,
        rows,
        total,
    })
}
