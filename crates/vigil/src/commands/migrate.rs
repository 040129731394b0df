use crate::{Failure, open_store};

pub async fn run(db: &str) -> Result<(), Failure> {
    let db_shown = crate::shown(db);
    let store = open_store(db).await?;
    store.close().await;
    println!("The database {db_shown} is ready.");
    Ok(())
}
