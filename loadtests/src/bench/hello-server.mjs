// The bench's target: a bare Node HTTP server answering 200 "hello" to everything, so the figures
// are the load generators', not an application's. Plain JavaScript (no loader) so it starts fast.
// Listens on 127.0.0.1, port 0; prints `listening <port>` once it accepts connections.
import { createServer } from 'node:http';

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
  response.end('hello');
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
