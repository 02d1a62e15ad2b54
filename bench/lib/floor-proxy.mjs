// The least a Node.js process can do to proxy HTTP: node:http in, a keep-alive node:http agent out,
// headers copied and bodies piped, no parsing, no logging, no tracing. `gateway-alone.mjs --proxy
// floor` measures its CPU per request beside the gateway's and nginx's: what no Node gateway goes
// under on this machine.
//   PORT=… UPSTREAM=http://127.0.0.1:… node bench/lib/floor-proxy.mjs
import http from 'node:http';

const upstream = new URL(process.env.UPSTREAM);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

http
  .createServer((req, res) => {
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url.replace(/^\/api/, ''), headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(out);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
