use crate::{Failure, open_store};

pub async fn run(db: &str) -> Result<(), Failure> {
    let store = open_store(db).await?;
    store.close().await;
    println!("The database {db} is ready.");
    Ok(())
}
