//! Prints the policy catalog as JSON on stdout, for `scripts/catalog-vs-docs.py`:
//!
//! ```text
//! cargo run -q -p apim-policy --example catalog_json > target/catalog.json
//! python3 scripts/catalog-vs-docs.py DOCS_DIR --catalog target/catalog.json > docs/catalog-vs-docs.md
//! ```
//!
//! (The script runs this itself when `--catalog` is not given.) The JSON is
//! `apim_policy::catalog::dump::to_json`.

fn main() {
    println!("{}", apim_policy::catalog::dump::to_json());
}
