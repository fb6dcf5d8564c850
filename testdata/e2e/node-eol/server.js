// node-eol: plain http server with one dependency (escape-html, vendored as a
// local tarball so `npm ci` needs no network).
const http = require('http');
const escapeHtml = require('escape-html');

const port = Number(process.env.PORT || 18094);

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/greet') {
    const name = url.searchParams.get('name') || 'world';
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`hello, ${escapeHtml(name)} (from node-eol)\n`);
    return;
  }
  res.writeHead(404);
  res.end('not found\n');
}).listen(port, () => console.log(`listening on :${port}`));
