//! The `trev` binary: everything is in the library.

/// Records are parsed on worker threads and their findings dropped on the main thread:
/// mimalloc frees across threads without the arena locks of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(trev::cli::main());
}
