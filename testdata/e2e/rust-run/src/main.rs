// rust-run: a CLI whose Dockerfile runs it with `cargo run --release`
// (compiled when the container starts); dfslim turns that into a build step.
use std::env;

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let mut name = String::from("world");
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--name" && i + 1 < args.len() {
            name = args[i + 1].clone();
            i += 1;
        }
        i += 1;
    }
    println!("rust-run: hello, {}", name);
}
