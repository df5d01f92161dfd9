// Test client for wshub's end-to-end tests: Node's ws with permessage-deflate, driven by JSON lines on stdin.
//
// Usage: NODE_PATH=/usr/share/nodejs node node_client.mjs ws://HOST:PORT/ws/ID
// Prints one JSON line per event on stdout:
//   {"event":"open","extensions":"permessage-deflate","accepted":"permessage-deflate; ..."}
//       the extensions ws uses, and the Sec-WebSocket-Extensions header the server answered with
//   {"event":"message","binary":false,"base64":"..."}   the payload exactly as received
//   {"event":"close","code":1000,"reason":"..."}         then the client exits 0
//   {"event":"error","message":"..."}                    then the client exits 1
// Reads one JSON command per line on stdin, after "open":
//   {"send":"text"}                    one message
//   {"send_fragments":["a","b","c"]}   one message in as many frames
//   {"close":1000}                     closes the connection
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

// ws comes from Debian's node-ws, in /usr/share/nodejs: require looks there through NODE_PATH, import does not.
const WebSocket = createRequire(import.meta.url)('ws');

function report(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function follow(ws, command) {
  if ('send' in command) {
    ws.send(command.send);
  } else if ('send_fragments' in command) {
    const parts = command.send_fragments;
    parts.forEach((part, index) => ws.send(part, { fin: index === parts.length - 1 }));
  } else if ('close' in command) {
    ws.close(command.close);
  } else {
    throw new Error(`unknown command: ${JSON.stringify(command)}`);
  }
}

// threshold 0: ws compresses every message it sends, however short (its default leaves those under 1 KiB alone).
const ws = new WebSocket(process.argv[2], { perMessageDeflate: { threshold: 0 } });

let accepted = '';
ws.on('upgrade', (response) => {
  accepted = response.headers['sec-websocket-extensions'] ?? '';
});
ws.on('open', () => {
  report({ event: 'open', extensions: ws.extensions, accepted });
  const commands = createInterface({ input: process.stdin, crlfDelay: Infinity });
  commands.on('line', (line) => follow(ws, JSON.parse(line)));
});
ws.on('message', (data, isBinary) => report({ event: 'message', binary: isBinary, base64: data.toString('base64') }));
ws.on('close', (code, reason) => {
  report({ event: 'close', code, reason: reason.toString() });
  process.exit(0);
});
ws.on('error', (error) => {
  report({ event: 'error', message: error.message });
  process.exit(1);
});
