//! The `trev` binary: everything is in the library.

/// The scan parses records on worker threads and drops what they produce on the main thread:
/// mimalloc frees across threads without the arena locks of the system allocator (`check` and
/// `stats` run about 15 % faster). Built without transparent huge pages: with them, the review
/// screen's memory tripled and its first frame came later.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(trev::cli::main());
}
