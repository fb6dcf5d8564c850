//! rust-lambda: a Lambda custom runtime ("bootstrap") with std only. It speaks
//! the Lambda Runtime API (plain HTTP/1.1 on $AWS_LAMBDA_RUNTIME_API) over a
//! std TcpStream: GET .../invocation/next, then POST .../{id}/response.
use std::env;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

struct Reply {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn header<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
    r.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn request(addr: &str, method: &str, path: &str, body: &[u8]) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(addr)?;
    write!(
        s,
        "{} {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        method, path, addr, body.len()
    )?;
    s.write_all(body)?;
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line)?; // status line
    let mut headers = Vec::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let mut reply = Reply { headers, body: Vec::new() };
    if let Some(n) = header(&reply, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        reply.body.resize(n, 0);
        r.read_exact(&mut reply.body)?;
    } else if header(&reply, "transfer-encoding") == Some("chunked") {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let n = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2]; // data + CRLF
            r.read_exact(&mut chunk)?;
            reply.body.extend_from_slice(&chunk[..n]);
        }
    } else {
        r.read_to_end(&mut reply.body)?;
    }
    Ok(reply)
}

/// The string value of "key" in a flat JSON object (no escapes): enough here.
fn json_string(doc: &str, key: &str) -> Option<String> {
    let at = doc.find(&format!("\"{}\"", key))? + key.len() + 2;
    let rest = doc[at..].trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

fn handle(event: &str) -> Result<String, String> {
    let name = json_string(event, "name").ok_or("event has no \"name\"")?;
    Ok(format!(
        "{{\"message\":\"hello, {}\",\"length\":{}}}",
        name.to_uppercase(),
        name.chars().count()
    ))
}

fn main() {
    let api = env::var("AWS_LAMBDA_RUNTIME_API").expect("AWS_LAMBDA_RUNTIME_API is not set");
    loop {
        let next = request(&api, "GET", "/2018-06-01/runtime/invocation/next", b"").expect("next invocation");
        let id = header(&next, "lambda-runtime-aws-request-id").unwrap_or("").to_string();
        let event = String::from_utf8_lossy(&next.body).to_string();
        let (path, body) = match handle(&event) {
            Ok(out) => (format!("/2018-06-01/runtime/invocation/{}/response", id), out),
            Err(e) => (
                format!("/2018-06-01/runtime/invocation/{}/error", id),
                format!("{{\"errorMessage\":\"{}\",\"errorType\":\"BadEvent\"}}", e.replace('"', "'")),
            ),
        };
        request(&api, "POST", &path, body.as_bytes()).expect("post result");
    }
}
