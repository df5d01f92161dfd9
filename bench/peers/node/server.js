// Benchmark peer for wshub: the seed service's API on Node's http module and the ws package (v8).
'use strict';
const http = require('node:http');
const { WebSocketServer } = require('ws');

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 8000);
// WS_PER_MESSAGE_DEFLATE=true (uvicorn's name): permessage-deflate with ws's defaults (a zlib stream per connection).
const perMessageDeflate = process.env.WS_PER_MESSAGE_DEFLATE === 'true';
const clients = new Map(); // client id -> WebSocket, in connection order

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// A client id is an integer, as FastAPI's `client_id: int` reads it; null if it is not one.
function parseId(text) {
  const id = /^-?\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(id) ? id : null;
}

function broadcast(req, res) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let message;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString()).message;
    } catch {}
    if (typeof message !== 'string') return sendJson(res, 422, { detail: 'body must be {"message": "<string>"}' });
    for (const ws of clients.values()) ws.send(message);
    sendJson(res, 200, { sent: clients.size });
  });
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/clients' && req.method === 'GET') return sendJson(res, 200, { clients: [...clients.keys()] });
  if (path === '/broadcast-to-all' && req.method === 'POST') return broadcast(req, res);
  if (path === '/clients' || path === '/broadcast-to-all') return sendJson(res, 405, { detail: 'Method Not Allowed' });
  sendJson(res, 404, { detail: 'Not Found' });
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate, maxPayload: 16 * 1024 * 1024 });

function onConnection(ws, id) {
  ws.on('error', () => {}); // protocol errors close the socket; ws reports them here too
  if (clients.has(id)) return ws.close(1008, `client id ${id} is already connected`);
  clients.set(id, ws);
  ws.on('close', () => clients.delete(id));
  ws.on('message', (data, isBinary) => {
    if (isBinary) return ws.close(1003, 'binary messages are not supported');
    ws.send('Server echo: ' + data);
  });
}

server.on('upgrade', (req, socket, head) => {
  const match = /^\/ws\/([^/?]+)(\?|$)/.exec(req.url);
  const id = match ? parseId(match[1]) : null;
  if (id === null) return socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'); // as FastAPI refuses
  wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, id));
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
server.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
