//! rust-cli: std only. Prints the first N Fibonacci numbers and their sum.
use std::env;

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let mut n: usize = 10;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--count" && i + 1 < args.len() {
            n = args[i + 1].parse().expect("--count takes a number");
            i += 1;
        }
        i += 1;
    }
    let (mut a, mut b) = (0u64, 1u64);
    let mut seq = Vec::with_capacity(n);
    for _ in 0..n {
        seq.push(a);
        let next = a + b;
        a = b;
        b = next;
    }
    let sum: u64 = seq.iter().sum();
    let text: Vec<String> = seq.iter().map(|x| x.to_string()).collect();
    println!("fib({}) = [{}] sum={}", n, text.join(", "), sum);
}
