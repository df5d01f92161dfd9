// Benchmark peer for wshub: the seed service's API on Bun.serve and its built-in WebSocket server (uWebSockets).
const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 8000);
// WS_PER_MESSAGE_DEFLATE=true (uvicorn's name): Bun's shared compressor, as `perMessageDeflate: true` gives it. Bun
// compresses only what is sent with `compress` true, so every send and publish asks for it then.
const perMessageDeflate = process.env.WS_PER_MESSAGE_DEFLATE === 'true';
// TLS_CERT_FILE and TLS_KEY_FILE (wshub's names): the port speaks TLS only (https:// and wss://), as wshub's does.
const tls = process.env.TLS_CERT_FILE
  ? { cert: Bun.file(process.env.TLS_CERT_FILE), key: Bun.file(process.env.TLS_KEY_FILE) }
  : undefined;
const clients = new Map(); // client id -> ServerWebSocket, in connection order

// A client id is an integer, as FastAPI's `client_id: int` reads it; null if it is not one.
function parseId(text) {
  const id = /^-?\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(id) ? id : null;
}

async function broadcast(req, server) {
  let message;
  try {
    message = (await req.json()).message;
  } catch {}
  if (typeof message !== 'string') {
    return Response.json({ detail: 'body must be {"message": "<string>"}' }, { status: 422 });
  }
  server.publish('all', message, perMessageDeflate); // every registered client is subscribed to "all"
  return Response.json({ sent: clients.size });
}

const server = Bun.serve({
  hostname: host,
  port,
  tls,
  fetch(req, server) {
    const path = new URL(req.url).pathname;
    if (path.startsWith('/ws/')) {
      const id = parseId(path.slice('/ws/'.length));
      if (id !== null && server.upgrade(req, { data: { id, registered: false } })) return;
      return new Response(null, { status: 403 }); // as FastAPI refuses
    }
    if (path === '/clients' && req.method === 'GET') return Response.json({ clients: [...clients.keys()] });
    if (path === '/broadcast-to-all' && req.method === 'POST') return broadcast(req, server);
    if (path === '/clients' || path === '/broadcast-to-all') {
      return Response.json({ detail: 'Method Not Allowed' }, { status: 405 });
    }
    return Response.json({ detail: 'Not Found' }, { status: 404 });
  },
  websocket: {
    perMessageDeflate,
    maxPayloadLength: 16 * 1024 * 1024,
    open(ws) {
      const { id } = ws.data;
      if (clients.has(id)) return ws.close(1008, `client id ${id} is already connected`);
      clients.set(id, ws);
      ws.data.registered = true;
      ws.subscribe('all');
    },
    message(ws, message) {
      if (typeof message !== 'string') return ws.close(1003, 'binary messages are not supported');
      ws.send('Server echo: ' + message, perMessageDeflate);
    },
    close(ws) {
      if (ws.data.registered) clients.delete(ws.data.id);
    },
  },
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
console.log(`listening on ${tls ? 'https' : 'http'}://${server.hostname}:${server.port}`);
