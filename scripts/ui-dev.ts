// pnpm ui:dev — the UI's dev server with hot reload, its API proxied to the local stack's gateway.
import { createServer } from 'vite';
import { UI_ROOT } from '@stackdrill/frontend/paths';
import { resolveInstance } from '@stackdrill/stack';
import { runCli } from '@stackdrill/toolkit';

await runCli(async () => {
  const dev = resolveInstance('dev');
  process.env.UI_DEV_HOST = dev.host;
  process.env.UI_DEV_GATEWAY = `http://${dev.host}:${dev.app.gateway.port}`;
  const server = await createServer({ root: UI_ROOT });
  await server.listen();
  server.printUrls();
  console.log(
    `API proxied to ${process.env.UI_DEV_GATEWAY} (bring it up with \`pnpm stack:up\`); Ctrl-C stops.`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
});
