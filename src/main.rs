//! The `trev` binary: everything is in the library.

fn main() {
    std::process::exit(trev::cli::main());
}
