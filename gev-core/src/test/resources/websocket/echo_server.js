// A WebSocket echo server of Node's ws library, for gev's WebSocket client tests.
// Prints its port, then serves until killed. argv[2]: "on" or "off" (permessage-deflate).
// Paths: /fragmented sends one text message in three frames first; /ping pings and says when the
// pong came; /close closes with 4001 "node bye".
const { WebSocketServer } = require('ws');

const server = new WebSocketServer({
  host: '127.0.0.1', port: 0, perMessageDeflate: process.argv[2] === 'on', maxPayload: 4 * 1024 * 1024,
});
server.on('listening', () => console.log(server.address().port));
server.on('connection', (ws, request) => {
  if (request.url === '/close') {
    ws.close(4001, 'node bye');
    return;
  }
  if (request.url === '/ping') {
    ws.on('pong', (data) => ws.send('pong received'));
    ws.ping('are you there');
  }
  if (request.url === '/fragmented') {
    ws.send('frag', { fin: false });
    ws.send('mented ', { fin: false });
    ws.send('message', { fin: true });
  }
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
