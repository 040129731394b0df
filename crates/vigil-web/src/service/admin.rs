//! Administration: the users of Vigil (add, change role, agency and area, disable and
//! re-enable, reset a password) and a user's own password. Every act is audited; an
//! administrator cannot lock themselves out.

use super::*;
use vigil_domain::access::{Role, Username, check_agency};
use vigil_store::{NewUser, User, UserChange};

/// A user's details as a form or API body gives them.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UserInput {
    /// Lower-case letters, digits, dots and hyphens (the sign-in name); only when adding.
    pub username: String,
    /// The name shown in Vigil and its audit trail.
    pub display_name: String,
    /// `call_handler`, `response_officer`, `dait_investigator`, `dait_sergeant`,
    /// `cru_officer`, `analyst`, `partner_agency`, `administrator`, `marac_coordinator` or
    /// `marac_chair`.
    pub role: String,
    /// The partner agency, for partner-agency users only.
    pub agency: String,
    /// The user's home Local Policing Area, where their team's work opens.
    pub lpa: String,
}

/// Users a page at a time, by username, with the true total.
pub struct UserList {
    pub users: Vec<User>,
    pub total: u64,
    pub page_no: u32,
    pub per_page: u32,
}

fn admin_entry(s: &Session, action: &str, user: &Username, reason: Option<String>) -> AuditEntry {
    audit_entry(actor(s), action, "user", user.as_str(), reason)
}

/// The users whose username or name contains `find` (any case), a page at a time.
pub async fn list_users(app: &App, s: &Session, find: &str, page: u32) -> Outcome<UserList> {
    require(app, s, Capability::Administer, "users", "list").await?;
    let find = find.trim().to_lowercase();
    let mut users: Vec<User> = app
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| {
            find.is_empty()
                || u.username.as_str().contains(&find)
                || u.display_name.to_lowercase().contains(&find)
        })
        .collect();
    users.sort_by(|a, b| a.username.as_str().cmp(b.username.as_str()));
    let total = users.len() as u64;
    let per_page = PER_PAGE;
    let page_no = page.max(1).min(pages(total, per_page));
    let start = ((page_no - 1) * per_page) as usize;
    let users = users
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .collect();
    Ok(UserList {
        users,
        total,
        page_no,
        per_page,
    })
}

/// One user, for an administrator.
pub async fn user_for_admin(app: &App, s: &Session, raw: &str) -> Outcome<User> {
    require(app, s, Capability::Administer, "users", raw).await?;
    let name = Username::parse(raw).map_err(|_| Failure::NotFound)?;
    app.store.user(&name).await?.ok_or(Failure::NotFound)
}

/// A user's details as checked: name, role, agency and area; `None` where the input had an
/// error.
type Details = (
    Option<String>,
    Option<Role>,
    Option<Option<Agency>>,
    Option<Option<Lpa>>,
);

/// Checks the details every user has; `None` fields had an error (in `errors`).
fn details(app: &App, errors: &mut Vec<FieldError>, input: &UserInput) -> Details {
    let name = input.display_name.trim();
    let display_name = if name.is_empty() {
        errors.push(FieldError::new("display_name", "Enter the user's name"));
        None
    } else if name.chars().count() > 100 || name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "display_name",
            "Enter the name in at most 100 characters, on one line",
        ));
        None
    } else {
        Some(name.to_owned())
    };
    let role = choice(errors, "role", &input.role, "the role", Role::parse);
    let agency = match input.agency.trim() {
        "" => Some(None),
        a => match Agency::parse(a) {
            Ok(a) => Some(Some(a)),
            Err(e) => {
                errors.push(FieldError::new("agency", e.reason));
                None
            }
        },
    };
    if let (Some(r), Some(a)) = (role, agency)
        && let Err(e) = check_agency(r, a)
    {
        errors.push(FieldError::new("agency", capitalise(&e.reason)));
    }
    let lpa = match input.lpa.trim() {
        "" => Some(None),
        l => match known_lpa(app, l) {
            Ok(l) => Some(Some(l)),
            Err(e) => {
                errors.push(FieldError::new("lpa", e));
                None
            }
        },
    };
    (display_name, role, agency, lpa)
}

/// A new user, with a one-time password Vigil makes up (returned once, to be handed over;
/// only its hash is kept).
pub async fn add_user(app: &App, s: &Session, input: &UserInput) -> Outcome<(User, String)> {
    require(app, s, Capability::Administer, "users", "add").await?;
    let mut errors = Vec::new();
    let username = match input.username.trim() {
        "" => {
            errors.push(FieldError::new("username", "Enter a username"));
            None
        }
        raw => match Username::parse(&raw.to_lowercase()) {
            Ok(u) => Some(u),
            Err(e) => {
                errors.push(FieldError::new("username", capitalise(&e.reason)));
                None
            }
        },
    };
    let (display_name, role, agency, lpa) = details(app, &mut errors, input);
    let (username, display_name, role, agency, lpa) =
        valid!(errors; username, display_name, role, agency, lpa);
    let password = one_time_password();
    let hash = hash_off_thread(password.clone()).await?;
    let new = NewUser {
        username: username.clone(),
        display_name,
        role,
        agency,
        lpa,
        password_hash: hash,
    };
    match app
        .store
        .add_user(
            &new,
            &admin_entry(s, "user.add", &username, Some(format!("role {role}"))),
        )
        .await
    {
        Ok(u) => Ok((u, password)),
        Err(StoreError::Conflict { .. }) => Err(Failure::Invalid(vec![FieldError::new(
            "username",
            format!("The username '{username}' is taken; choose another"),
        )])),
        Err(e) => Err(e.into()),
    }
}

/// Changes a user's name, role, agency and area. An administrator cannot take away their
/// own administration.
pub async fn change_user(app: &App, s: &Session, raw: &str, input: &UserInput) -> Outcome<User> {
    let current = user_for_admin(app, s, raw).await?;
    let mut errors = Vec::new();
    let (display_name, role, agency, lpa) = details(app, &mut errors, input);
    if current.username == s.user.username && role.is_some_and(|r| r != s.user.role) {
        errors.push(FieldError::new(
            "role",
            "You cannot change your own role: ask another administrator",
        ));
    }
    let (display_name, role, agency, lpa) = valid!(errors; display_name, role, agency, lpa);
    let mut changed = Vec::new();
    if display_name != current.display_name {
        changed.push("name".to_owned());
    }
    if role != current.role {
        changed.push(format!("role {} → {role}", current.role));
    }
    if agency != current.agency {
        changed.push("agency".to_owned());
    }
    if lpa != current.lpa {
        changed.push(format!(
            "area {} → {}",
            current.lpa.as_ref().map_or("none", |l| l.as_str()),
            lpa.as_ref().map_or("none", |l| l.as_str())
        ));
    }
    if changed.is_empty() {
        return Ok(current);
    }
    let change = UserChange {
        username: current.username.clone(),
        display_name,
        role,
        agency,
        lpa,
    };
    Ok(app
        .store
        .update_user(
            &change,
            &admin_entry(
                s,
                "user.update",
                &current.username,
                Some(changed.join("; ")),
            ),
        )
        .await?)
}

/// Disables (`true`) or re-enables a user. A disabled user's sessions stop working at once.
pub async fn set_user_disabled(app: &App, s: &Session, raw: &str, disabled: bool) -> Outcome<()> {
    let user = user_for_admin(app, s, raw).await?;
    if disabled && user.username == s.user.username {
        return Err(Failure::Invalid(vec![FieldError::new(
            "status",
            "You cannot disable yourself: ask another administrator",
        )]));
    }
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    Ok(app
        .store
        .set_user_disabled(
            &user.username,
            disabled,
            &admin_entry(s, action, &user.username, None),
        )
        .await?)
}

/// A user's live sessions and API tokens.
pub async fn user_sessions(
    app: &App,
    s: &Session,
    raw: &str,
) -> Outcome<Vec<vigil_store::SessionInfo>> {
    let user = user_for_admin(app, s, raw).await?;
    Ok(app
        .store
        .sessions_of(&user.username, vigil_auth::now_utc())
        .await?)
}

/// Ends one of a user's sessions or tokens (`id` from `user_sessions`), or all of them.
pub async fn end_user_sessions(
    app: &App,
    s: &Session,
    raw: &str,
    id: Option<&str>,
) -> Outcome<u64> {
    let user = user_for_admin(app, s, raw).await?;
    if let Some(i) = id
        && !(i.len() == 12 && i.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(Failure::Invalid(vec![FieldError::new(
            "id",
            "Choose a session from the list",
        )]));
    }
    Ok(app
        .store
        .end_sessions(
            &user.username,
            id,
            &admin_entry(
                s,
                "user.sessions_ended",
                &user.username,
                Some(id.map_or("all".to_owned(), |i| format!("session {i}"))),
            ),
        )
        .await?)
}

/// A new one-time password for a user (returned once); their sessions end.
pub async fn reset_password(app: &App, s: &Session, raw: &str) -> Outcome<String> {
    let user = user_for_admin(app, s, raw).await?;
    let password = one_time_password();
    let hash = hash_off_thread(password.clone()).await?;
    app.store
        .set_password_hash(
            &user.username,
            &hash,
            &admin_entry(s, "user.reset", &user.username, None),
        )
        .await?;
    Ok(password)
}

/// What a user gives to change their own password.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

/// A user changes their own password: the current one first, the new one checked as every
/// password is. Every session of theirs ends (they sign in again with the new one).
pub async fn change_own_password(app: &App, s: &Session, input: &PasswordChange) -> Outcome<()> {
    let mut errors = Vec::new();
    let stored = s.user.password_hash.clone();
    let current = input.current.clone();
    let right = tokio::task::spawn_blocking(move || vigil_auth::verify_password(&current, &stored))
        .await
        .unwrap_or(false);
    if !right {
        errors.push(FieldError::new(
            "current",
            "Your current password is not right",
        ));
    }
    if let Err(e) = vigil_auth::check_password(&input.new, s.user.username.as_str()) {
        errors.push(FieldError::new("new", capitalise(&e.0)));
    } else if input.new != input.confirm {
        errors.push(FieldError::new(
            "confirm",
            "The two new passwords are not the same",
        ));
    } else if input.new == input.current {
        errors.push(FieldError::new(
            "new",
            "Choose a password you have not used here",
        ));
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let hash = hash_off_thread(input.new.clone()).await?;
    Ok(app
        .store
        .set_password_hash(
            &s.user.username,
            &hash,
            &admin_entry(s, "user.password_changed", &s.user.username, None),
        )
        .await?)
}

/// Four random words from a list of 256 and two digits: about 38 bits, easy to read out
/// and type once. The administrator hands it over; the user changes it (Your account).
fn one_time_password() -> String {
    const WORDS: &[&str] = &[
        "amber",
        "anchor",
        "apple",
        "arch",
        "aspen",
        "atlas",
        "badge",
        "bamboo",
        "banner",
        "barley",
        "basin",
        "beacon",
        "bell",
        "birch",
        "bison",
        "blossom",
        "bramble",
        "brass",
        "breeze",
        "brick",
        "bridge",
        "brook",
        "cabin",
        "cactus",
        "candle",
        "canyon",
        "carbon",
        "cargo",
        "cedar",
        "cellar",
        "chalk",
        "cherry",
        "chess",
        "cider",
        "cinder",
        "circle",
        "citrus",
        "clay",
        "cliff",
        "clover",
        "cobalt",
        "comet",
        "copper",
        "coral",
        "cotton",
        "crane",
        "crater",
        "crystal",
        "cycle",
        "daisy",
        "delta",
        "desert",
        "dial",
        "dolphin",
        "dove",
        "dragon",
        "drum",
        "dune",
        "eagle",
        "ebony",
        "echo",
        "elder",
        "ember",
        "engine",
        "fable",
        "falcon",
        "feather",
        "fern",
        "ferry",
        "fiddle",
        "field",
        "flame",
        "flint",
        "forest",
        "fossil",
        "fountain",
        "fox",
        "galaxy",
        "garden",
        "garnet",
        "ginger",
        "glacier",
        "globe",
        "granite",
        "grove",
        "harbour",
        "harvest",
        "hazel",
        "heron",
        "hollow",
        "honey",
        "horizon",
        "island",
        "ivory",
        "jasper",
        "jet",
        "juniper",
        "kettle",
        "kite",
        "lagoon",
        "lantern",
        "larch",
        "lemon",
        "lilac",
        "linen",
        "lotus",
        "magnet",
        "maple",
        "marble",
        "meadow",
        "melon",
        "mercury",
        "meteor",
        "mint",
        "mirror",
        "moss",
        "nectar",
        "needle",
        "nickel",
        "oak",
        "oasis",
        "ocean",
        "olive",
        "onyx",
        "orbit",
        "orchid",
        "otter",
        "paddle",
        "palm",
        "panther",
        "paper",
        "pearl",
        "pebble",
        "pepper",
        "pine",
        "planet",
        "plum",
        "pond",
        "poppy",
        "prism",
        "puffin",
        "quartz",
        "quill",
        "rabbit",
        "radar",
        "rain",
        "raven",
        "reed",
        "ribbon",
        "ridge",
        "river",
        "robin",
        "rocket",
        "rose",
        "ruby",
        "saddle",
        "saffron",
        "salmon",
        "sand",
        "sapphire",
        "scarf",
        "shell",
        "shore",
        "silver",
        "sketch",
        "slate",
        "sparrow",
        "spice",
        "spruce",
        "star",
        "stone",
        "storm",
        "stream",
        "summit",
        "sunset",
        "swan",
        "tangle",
        "thistle",
        "thunder",
        "tiger",
        "timber",
        "topaz",
        "torch",
        "tower",
        "tulip",
        "tundra",
        "valley",
        "velvet",
        "violet",
        "walnut",
        "willow",
        "window",
        "winter",
        "wren",
        "yarrow",
        "zephyr",
        "acorn",
        "arrow",
        "aurora",
        "basil",
        "beetle",
        "biscuit",
        "blaze",
        "bolt",
        "bonnet",
        "boulder",
        "button",
        "canal",
        "canoe",
        "carpet",
        "castle",
        "cobble",
        "compass",
        "cork",
        "cradle",
        "cricket",
        "crown",
        "dagger",
        "denim",
        "dew",
        "ditch",
        "domino",
        "dragonfly",
        "emerald",
        "fir",
        "flute",
        "frost",
        "gable",
        "gecko",
        "glade",
        "goose",
        "gravel",
        "gull",
        "hammer",
        "heath",
        "hedge",
        "helmet",
        "hinge",
        "iris",
        "jade",
        "kernel",
        "lark",
        "ledge",
        "lichen",
        "lily",
        "lynx",
        "mantle",
        "marsh",
        "medal",
        "mole",
        "nutmeg",
        "opal",
    ];
    let bytes: [u8; 6] = vigil_auth::random_bytes();
    let words: Vec<&str> = bytes[..4]
        .iter()
        .map(|b| WORDS[usize::from(*b) % WORDS.len()])
        .collect();
    format!(
        "{}-{:02}",
        words.join("-"),
        u16::from_le_bytes([bytes[4], bytes[5]]) % 100
    )
}

async fn hash_off_thread(password: String) -> Outcome<String> {
    // Argon2 is slow on purpose: off the async workers.
    tokio::task::spawn_blocking(move || vigil_auth::hash_password(&password))
        .await
        .map_err(|e| Failure::Problem(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_fresh_and_pass_the_password_rules() {
        let a = one_time_password();
        let b = one_time_password();
        assert_ne!(a, b);
        assert_eq!(a.split('-').count(), 5, "{a}");
        assert!(vigil_auth::check_password(&a, "someone").is_ok(), "{a}");
    }
}
