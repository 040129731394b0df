//! `vigil demo`: a ready-to-explore Vigil. The first run creates the store, generates the
//! essex-2019 scenario and imports it; later runs reuse the store.

use crate::commands::synth::{ScenarioArg, generate, scenario};
use crate::progress::spinner;
use crate::{Failure, open_store};
use std::time::Instant;
use vigil_store::{ExtractInfo, Store};

#[derive(clap::Args)]
pub struct Args {
    /// The seed of the synthetic scenario (first run only).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Prepare the store and the demo sign-ins, then exit instead of serving.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: crate::commands::serve::ServeArgs,
}

/// One demo sign-in per role. Their passwords are made afresh (and the change audited) each
/// time the demo starts, so no password is ever in the repository or reused.
async fn demo_users(store: &dyn Store) -> Result<Vec<(String, String, &'static str)>, Failure> {
    use vigil_domain::access::{Role, Username};
    use vigil_store::{AuditEntry, NewUser};
    let mut out = Vec::new();
    for role in Role::ALL {
        let username =
            Username::parse(&format!("demo.{}", role.as_str())).expect("valid demo username");
        let password = vigil_auth::random_token()[..20].to_owned();
        let hash = vigil_auth::hash_password(&password);
        let entry = |action: &str| AuditEntry {
            at: vigil_auth::now_utc(),
            actor: "vigil demo".into(),
            action: action.into(),
            subject_kind: "user".into(),
            subject_id: username.to_string(),
            reason: Some("demonstration sign-in".into()),
        };
        if store.user(&username).await?.is_some() {
            store
                .set_password_hash(&username, &hash, &entry("user.reset"))
                .await?;
        } else {
            let agency = (*role == Role::PartnerAgency).then_some(vigil_domain::Agency::Health);
            let display_name = format!("Demo {}", role.as_str().replace('_', " "));
            store
                .add_user(
                    &NewUser {
                        lpa: None,
                        username: username.clone(),
                        display_name,
                        role: *role,
                        agency,
                        password_hash: hash,
                    },
                    &entry("user.add"),
                )
                .await?;
        }
        out.push((username.to_string(), password, role.as_str()));
    }
    // A superintendent, so the demo can authorise a DVPN (a DAIT sergeant by role, the
    // rank recorded).
    let username = Username::parse("demo.superintendent").expect("valid demo username");
    let password = vigil_auth::random_token()[..20].to_owned();
    let hash = vigil_auth::hash_password(&password);
    let entry = |action: &str| AuditEntry {
        at: vigil_auth::now_utc(),
        actor: "vigil demo".into(),
        action: action.into(),
        subject_kind: "user".into(),
        subject_id: username.to_string(),
        reason: Some("demonstration sign-in".into()),
    };
    if store.user(&username).await?.is_some() {
        store
            .set_password_hash(&username, &hash, &entry("user.reset"))
            .await?;
    } else {
        store
            .add_user(
                &NewUser {
                    lpa: None,
                    username: username.clone(),
                    display_name: "Demo superintendent".into(),
                    role: Role::DaitSergeant,
                    agency: None,
                    password_hash: hash,
                },
                &entry("user.add"),
            )
            .await?;
        store
            .set_rank(
                &username,
                Some(vigil_domain::access::Rank::Superintendent),
                &entry("user.rank"),
            )
            .await?;
    }
    out.push((
        username.to_string(),
        password,
        "superintendent (authorises DVPNs)",
    ));
    Ok(out)
}

pub async fn run(db: &str, args: Args) -> Result<(), Failure> {
    let db_shown = crate::shown(db);
    if !args.no_serve {
        crate::commands::serve::check_bind(&args.serve)?;
        crate::commands::serve::clock(&args.serve, None)?;
    }
    let started = Instant::now();
    let store = open_store(db).await?;
    let info = match store.extract_info().await? {
        Some(info) => {
            println!(
                "Using the existing store {db_shown} ({}, as of {}).",
                info.source, info.as_of
            );
            info
        }
        None => {
            let s = scenario(ScenarioArg::Essex2019, None)?;
            let out = generate(&s, args.seed);
            let info = ExtractInfo {
                source: format!("{} (synthetic, seed {})", s.name, args.seed),
                as_of: s.as_of,
            };
            let sp = spinner("importing into the store");
            store.import_records(&out.records, &info).await?;
            let snapshot = vigil_analytics::Snapshot::from_records(&out.records, Some(info.as_of));
            vigil_store::snapshot_cache::write_imported(store.as_ref(), snapshot).await?;
            sp.finish_and_clear();
            println!(
                "Created {db_shown} with the synthetic {} scenario in {:.1} s.",
                s.name,
                started.elapsed().as_secs_f64()
            );
            info
        }
    };
    println!("Records in {db_shown} (as of {}):", info.as_of);
    for (table, n) in store.table_counts().await? {
        println!("  {table:<18} {n:>9}");
    }
    println!(
        "\nEverything in it is synthetic. `vigil pack --db {db_shown}` prints the performance pack,"
    );
    println!("`vigil report --db {db_shown}` writes the board report.");
    let users = demo_users(store.as_ref()).await?;
    println!("\nDemo sign-ins (new passwords each time the demo starts):");
    for (username, password, role) in &users {
        println!("  {role:<18} username {username:<26} password {password}");
    }
    if args.no_serve {
        store.close().await;
        return Ok(());
    }
    println!(
        "\nOpen http://{} and sign in. Stop with Ctrl+C.",
        args.serve.bind
    );
    // The scenario's records end at its data date: the demo's clock starts at 09:00 UTC the
    // morning after, so its queues and tasks are live rather than years overdue.
    let morning_after = info.as_of.succ_opt().and_then(|d| d.and_hms_opt(9, 0, 0));
    crate::commands::serve::serve(store, args.serve, morning_after).await
}
