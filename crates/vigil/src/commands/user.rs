//! `vigil user` and `vigil audit`: manage sign-ins and read the audit trail.

use crate::{Failure, open_store};
use std::io::BufRead;
use vigil_domain::Agency;
use vigil_domain::access::{Role, Username, check_agency};
use vigil_store::{AuditEntry, AuditQuery, NewUser, StoreError};

/// The longest a service account's token may last: 90 days.
const MAX_SERVICE_HOURS: i64 = 2160;
/// The longest a person's token may last: a working day.
const MAX_PERSON_HOURS: i64 = 24;

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from standard input (one line).
    Add {
        username: String,
        /// call_handler, response_officer, dait_investigator, dait_sergeant, cru_officer,
        /// analyst, partner_agency, administrator, marac_coordinator or marac_chair.
        #[arg(long)]
        role: String,
        /// The partner agency (partner_agency users only), e.g. health or childrens_services.
        #[arg(long)]
        agency: Option<String>,
        /// The name shown in the application and the audit trail.
        #[arg(long)]
        name: String,
        /// The officer's home Local Policing Area: their team queue opens on it. For a
        /// partner agency's user, the area whose referrals they see.
        #[arg(long)]
        lpa: Option<String>,
        /// An education user's school: they receive its Operation Encompass notifications
        /// as its key adult. Without it an education user with an area is that area's
        /// education contact (every school there, and children educated at home).
        #[arg(long)]
        school: Option<String>,
        /// A police user's rank (constable, sergeant, inspector, chief_inspector,
        /// superintendent, chief_superintendent, ...): an inspector or above may authorise
        /// a DAPN, a superintendent or above a DVPN.
        #[arg(long)]
        rank: Option<String>,
    },
    /// Stop a user signing in (their audit history stays).
    Disable { username: String },
    /// Let a disabled user sign in again.
    Enable { username: String },
    /// Set a new password, read from standard input (one line).
    Reset { username: String },
    /// List users (never their passwords).
    List,
    /// Issue an API token for a user (for `Authorization: Bearer` on /api/v1). The token
    /// is printed once and stored only as a hash; it acts with the user's role and expires.
    /// A password reset, a change of role, a disable or a re-enable ends it.
    Token {
        username: String,
        /// Hours until the token expires: at most 24 (a working day) for a person; up to
        /// the service account's maximum for one named with `vigil user service-account`.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i64).range(1..=MAX_SERVICE_HOURS))]
        hours: i64,
    },
    /// Name a user a service account: another system (a partner's case tool, the MASH)
    /// calling the API, whose tokens may last longer than a person's working day. A service
    /// account cannot sign in to the pages. Its sessions and tokens end when this changes.
    ServiceAccount {
        username: String,
        /// The longest its tokens may last, in hours (at most 2,160: 90 days).
        #[arg(long, value_parser = clap::value_parser!(i64).range(25..=MAX_SERVICE_HOURS), required_unless_present = "person")]
        max_hours: Option<i64>,
        /// Make the user a person again (tokens of 24 hours at most, page sign-in).
        #[arg(long, conflicts_with = "max_hours")]
        person: bool,
    },
    /// List a user's live sessions and API tokens (a short reference each, never the token).
    Tokens { username: String },
    /// End a user's sessions and tokens: one (`--id`, from `vigil user tokens`) or all.
    Revoke {
        username: String,
        /// The reference of the one to end; all of them when not given.
        #[arg(long)]
        id: Option<String>,
    },
}

#[derive(clap::Args)]
pub struct AuditArgs {
    /// Only entries by this user.
    #[arg(long)]
    actor: Option<String>,
    /// Only entries about this record (a person, case or user id).
    #[arg(long)]
    subject: Option<String>,
    /// Only this action (person.read), or every action of a kind (person.).
    #[arg(long)]
    action: Option<String>,
    /// At most this many entries, newest first.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Recompute the hash chain and report the first entry that does not match.
    #[arg(long)]
    verify: bool,
    /// With --verify: an anchor file (`vigil audit anchor`); entries removed from the end
    /// or rewritten since it was written are caught.
    #[arg(long, value_name = "FILE", requires = "verify")]
    anchor: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Option<AuditCommand>,
}

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Print the trail's latest sequence number and hash (and add them to FILE with
    /// --out): keep it where the database's users cannot rewrite it, and verify against it.
    Anchor {
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
}

/// One anchor line: `seq hash at`.
pub fn anchor_line(seq: i64, hash: &str) -> String {
    format!(
        "{seq} {hash} {}Z",
        vigil_domain::time::format_datetime(vigil_auth::now_utc())
    )
}

/// Adds an anchor line to a file (created if missing; never truncated).
pub fn append_anchor(path: &std::path::Path, line: &str) -> Result<(), Failure> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| writeln!(f, "{line}"))
        .map_err(|e| Failure::BadInput(format!("{}: cannot write the anchor: {e}", path.display())))
}

/// The last anchor in a file: its sequence number and hash.
fn read_anchor(path: &std::path::Path) -> Result<(i64, String), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::BadInput(format!("{}: cannot read the anchor: {e}", path.display()))
    })?;
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let mut parts = line.split_whitespace();
    match (parts.next().map(str::parse::<i64>), parts.next()) {
        (Some(Ok(seq)), Some(hash)) if hash.len() == 64 => Ok((seq, hash.to_owned())),
        _ => Err(Failure::BadInput(format!(
            "{}: the last line is not an anchor (expected: SEQ HASH, as `vigil audit anchor` writes)",
            path.display()
        ))),
    }
}

fn entry(action: &str, subject: &str) -> AuditEntry {
    super::cli_audit(action, "user", subject, None)
}

fn read_password(username: &Username) -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        Failure::BadInput(format!("cannot read the password from standard input: {e}"))
    })?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(Failure::BadInput(
            "give the password on standard input, for example: printf '%s\\n' \"$PASSWORD\" | vigil user add …".into(),
        ));
    }
    vigil_auth::check_password(&password, username.as_str()).map_err(|e| Failure::BadInput(e.0))?;
    Ok(password)
}

fn username(raw: &str) -> Result<Username, Failure> {
    Username::parse(raw).map_err(|e| Failure::BadInput(e.reason))
}

fn not_found(e: StoreError) -> Failure {
    match e {
        StoreError::NotFound { id, .. } => {
            Failure::BadInput(format!("there is no user '{id}' (see vigil user list)"))
        }
        other => other.into(),
    }
}

pub async fn run(db: &str, command: UserCommand) -> Result<(), Failure> {
    let store = open_store(db).await?;
    match command {
        UserCommand::Add {
            username: raw,
            role,
            agency,
            name,
            lpa,
            school,
            rank,
        } => {
            let username = username(&raw)?;
            let rank = rank
                .as_deref()
                .map(|r| {
                    vigil_domain::access::Rank::parse(r.trim())
                        .map_err(|e| Failure::BadInput(format!("--rank: {e}")))
                })
                .transpose()?;
            let role = Role::parse(&role).map_err(|e| Failure::BadInput(format!("--role: {e}")))?;
            let agency = agency
                .as_deref()
                .map(|a| Agency::parse(a).map_err(|e| Failure::BadInput(format!("--agency: {e}"))))
                .transpose()?;
            check_agency(role, agency).map_err(|e| Failure::BadInput(e.reason))?;
            let school = match school.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(_) if agency != Some(Agency::Education) => {
                    return Err(Failure::BadInput(
                        "--school is for an education user (--role partner_agency --agency education)".into(),
                    ));
                }
                Some(v) => Some(
                    vigil_domain::encompass::check_school(v)
                        .map_err(|e| Failure::BadInput(format!("--school: {e}")))?,
                ),
            };
            let display_name = name.trim().to_owned();
            if display_name.is_empty() || display_name.chars().count() > 100 {
                return Err(Failure::BadInput(
                    "--name: give the user's name, at most 100 characters".into(),
                ));
            }
            let lpa = match lpa.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(l) => {
                    let l = vigil_domain::Lpa::parse(l)
                        .map_err(|e| Failure::BadInput(format!("--lpa: {e}")))?;
                    let known = store.lpas().await?;
                    if !known.is_empty() && !known.contains(&l) {
                        let names: Vec<&str> = known.iter().map(|k| k.as_str()).collect();
                        return Err(Failure::BadInput(format!(
                            "--lpa: '{l}' is not one of this force's Local Policing Areas ({})",
                            names.join(", ")
                        )));
                    }
                    Some(l)
                }
            };
            if rank.is_some() && agency.is_some() {
                return Err(Failure::BadInput(
                    "--rank is for police users; a partner agency's user has no rank".into(),
                ));
            }
            let password = read_password(&username)?;
            let new = NewUser {
                username: username.clone(),
                display_name,
                role,
                agency,
                lpa,
                password_hash: vigil_auth::hash_password(&password),
            };
            match store
                .add_user(&new, &entry("user.add", username.as_str()))
                .await
            {
                Ok(u) => {
                    if let Some(rank) = rank {
                        store
                            .set_rank(
                                &u.username,
                                Some(rank),
                                &AuditEntry {
                                    reason: Some(format!("rank {rank}")),
                                    ..entry("user.rank", u.username.as_str())
                                },
                            )
                            .await?;
                    }
                    if let Some(school) = &school {
                        store
                            .set_school(
                                &u.username,
                                Some(school.clone()),
                                &AuditEntry {
                                    reason: Some(format!("key adult for {school}")),
                                    ..entry("user.school", u.username.as_str())
                                },
                            )
                            .await?;
                    }
                    println!(
                        "Added {} ({}) as {}{}.",
                        u.username,
                        u.display_name,
                        u.role,
                        school.map_or(String::new(), |s| format!(", key adult for {s}"))
                    );
                }
                Err(StoreError::Conflict { .. }) => {
                    return Err(Failure::BadInput(format!(
                        "the username '{username}' is taken; choose another"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
        }
        UserCommand::Disable { username: raw } => {
            let u = username(&raw)?;
            store
                .set_user_disabled(&u, true, &entry("user.disable", u.as_str()))
                .await
                .map_err(not_found)?;
            println!("{u} can no longer sign in.");
        }
        UserCommand::Enable { username: raw } => {
            let u = username(&raw)?;
            store
                .set_user_disabled(&u, false, &entry("user.enable", u.as_str()))
                .await
                .map_err(not_found)?;
            println!("{u} can sign in again.");
        }
        UserCommand::Reset { username: raw } => {
            let u = username(&raw)?;
            if store.user(&u).await?.is_none() {
                return Err(Failure::BadInput(format!(
                    "there is no user '{u}' (see vigil user list)"
                )));
            }
            let password = read_password(&u)?;
            store
                .set_password_hash(
                    &u,
                    &vigil_auth::hash_password(&password),
                    &entry("user.reset", u.as_str()),
                )
                .await
                .map_err(not_found)?;
            println!("The password of {u} has been reset.");
        }
        UserCommand::Token {
            username: raw,
            hours,
        } => {
            let u = username(&raw)?;
            let Some(user) = store.user(&u).await? else {
                return Err(Failure::BadInput(format!(
                    "there is no user '{u}' (see vigil user list)"
                )));
            };
            if user.disabled {
                return Err(Failure::BadInput(format!(
                    "{u} is disabled; enable them first (vigil user enable {u})"
                )));
            }
            let most = user.token_max_hours.unwrap_or(MAX_PERSON_HOURS);
            if hours > most {
                return Err(Failure::BadInput(match user.token_max_hours {
                    None => format!(
                        "a person's token lasts at most {MAX_PERSON_HOURS} hours; for another system calling the API, name {u} a service account first: vigil user service-account {u} --max-hours {hours}"
                    ),
                    Some(h) => format!(
                        "{u} is a service account whose tokens last at most {h} hours; ask for fewer, or raise it: vigil user service-account {u} --max-hours {hours}"
                    ),
                }));
            }
            let token = vigil_auth::random_token();
            let now = vigil_auth::now_utc();
            store
                .create_session(
                    &vigil_store::NewSession {
                        user_id: user.id,
                        token_hash: &vigil_auth::token_hash(&token),
                        csrf_token: &vigil_auth::random_token(),
                        created_at: now,
                        expires_at: now + chrono::Duration::hours(hours),
                        idle_expires_at: None,
                    },
                    &entry("user.api_token", u.as_str()),
                )
                .await?;
            eprintln!(
                "API token for {u}, valid for {hours} hours. Send it as 'Authorization: Bearer <token>'. It is shown only now."
            );
            println!("{token}");
        }
        UserCommand::Tokens { username: raw } => {
            let u = username(&raw)?;
            if store.user(&u).await?.is_none() {
                return Err(Failure::BadInput(format!(
                    "there is no user '{u}' (see vigil user list)"
                )));
            }
            let live = store.sessions_of(&u, vigil_auth::now_utc()).await?;
            println!(
                "{:<14} {:<10} {:<20} expires (UTC)",
                "id", "kind", "created (UTC)"
            );
            for t in &live {
                println!(
                    "{:<14} {:<10} {:<20} {}",
                    t.id,
                    if t.idle_expires_at.is_some() {
                        "browser"
                    } else {
                        "api token"
                    },
                    vigil_domain::time::format_datetime(t.created_at),
                    vigil_domain::time::format_datetime(
                        t.idle_expires_at.unwrap_or(t.expires_at).min(t.expires_at)
                    )
                );
            }
            eprintln!("{} live for {u}.", live.len());
        }
        UserCommand::Revoke { username: raw, id } => {
            let u = username(&raw)?;
            if store.user(&u).await?.is_none() {
                return Err(Failure::BadInput(format!(
                    "there is no user '{u}' (see vigil user list)"
                )));
            }
            if let Some(i) = &id
                && !(i.len() == 12 && i.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(Failure::BadInput(format!(
                    "--id {}: give the 12-character reference `vigil user tokens {u}` lists",
                    i.chars().take(20).collect::<String>()
                )));
            }
            let ended = store
                .end_sessions(
                    &u,
                    id.as_deref(),
                    &super::cli_audit(
                        "user.sessions_ended",
                        "user",
                        u.as_str(),
                        Some(
                            id.clone()
                                .map_or("all".to_owned(), |i| format!("session {i}")),
                        ),
                    ),
                )
                .await?;
            if id.is_some() && ended == 0 {
                return Err(Failure::BadInput(format!(
                    "{u} has no live session or token with that reference (see vigil user tokens {u})"
                )));
            }
            println!("Ended {ended} session(s) and token(s) of {u}.");
        }
        UserCommand::ServiceAccount {
            username: raw,
            max_hours,
            person,
        } => {
            let u = username(&raw)?;
            let hours = if person { None } else { max_hours };
            store
                .set_token_max_hours(
                    &u,
                    hours,
                    &AuditEntry {
                        reason: Some(match hours {
                            Some(h) => format!("service account: tokens up to {h} hours"),
                            None => "a person again: tokens up to 24 hours".into(),
                        }),
                        ..entry("user.service_account", u.as_str())
                    },
                )
                .await
                .map_err(|e| match e {
                    StoreError::NotFound { .. } => {
                        Failure::BadInput(format!("there is no user '{u}' (see vigil user list)"))
                    }
                    e => e.into(),
                })?;
            match hours {
                Some(h) => println!(
                    "{u} is a service account: its tokens may last up to {h} hours, and it cannot sign in to the pages. Its sessions and tokens have ended."
                ),
                None => println!(
                    "{u} is a person again: tokens last at most {MAX_PERSON_HOURS} hours. Its sessions and tokens have ended."
                ),
            }
        }
        UserCommand::List => {
            println!(
                "{:<24} {:<20} {:<20} {:<12} {:<10} name",
                "username", "role", "agency", "area", "status"
            );
            for u in store.users().await? {
                println!(
                    "{:<24} {:<20} {:<20} {:<12} {:<10} {}",
                    u.username.as_str(),
                    u.role.as_str(),
                    u.agency.map_or("", |a| a.as_str()),
                    u.lpa.as_ref().map_or("", |l| l.as_str()),
                    if u.disabled {
                        "disabled"
                    } else if u.token_max_hours.is_some() {
                        "service"
                    } else {
                        "active"
                    },
                    u.display_name
                );
            }
        }
    }
    store.close().await;
    Ok(())
}

pub async fn audit(db: &str, args: AuditArgs) -> Result<(), Failure> {
    let store = open_store(db).await?;
    if let Some(AuditCommand::Anchor { out }) = &args.command {
        let Some((seq, hash)) = store.audit_head().await? else {
            return Err(Failure::BadInput(
                "the audit trail is empty: nothing to anchor".into(),
            ));
        };
        let line = anchor_line(seq, &hash);
        if let Some(path) = out {
            append_anchor(path, &line)?;
        }
        println!("{line}");
        return Ok(());
    }
    if args.verify {
        let started = std::time::Instant::now();
        if let Some(b) = store.verify_audit().await? {
            return Err(Failure::Runtime(
                if vigil_store::audit_chain::key().is_none()
                    && b.reason.contains("sealed with a key")
                {
                    format!("the audit trail does not verify without its key: {b}")
                } else {
                    format!("the audit trail has been tampered with: {b}")
                },
            ));
        }
        if let Some(path) = &args.anchor {
            let (seq, hash) = read_anchor(path)?;
            match store.audit_hash_at(seq).await? {
                None => {
                    return Err(Failure::Runtime(format!(
                        "the audit trail has been tampered with: entry {seq}, anchored in {}, is missing: entries were removed from the end",
                        path.display()
                    )));
                }
                Some(h) if h != hash => {
                    return Err(Failure::Runtime(format!(
                        "the audit trail has been tampered with: entry {seq} does not match its anchor in {}: the trail was rewritten",
                        path.display()
                    )));
                }
                Some(_) => {}
            }
        }
        println!(
            "The audit trail's hash chain is intact{}{} ({:.2} s).",
            if vigil_store::audit_chain::key().is_some() {
                ", sealed with the audit key"
            } else {
                ""
            },
            if args.anchor.is_some() {
                ", and holds its anchor"
            } else {
                ""
            },
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let rows = store
        .audit_trail(&AuditQuery {
            actor: args.actor,
            subject_id: args.subject,
            action: args.action,
            limit: args.limit,
            ..AuditQuery::default()
        })
        .await?;
    for r in &rows {
        let e = &r.entry;
        println!(
            "{:>6}  {}Z  {:<20} {:<18} {}:{}{}",
            r.seq,
            vigil_domain::time::format_datetime(e.at),
            e.actor,
            e.action,
            e.subject_kind,
            e.subject_id,
            e.reason
                .as_deref()
                .map_or(String::new(), |x| format!("  ({x})"))
        );
    }
    if rows.is_empty() {
        println!("No audit entries match.");
    }
    store.close().await;
    Ok(())
}
