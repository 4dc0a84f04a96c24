// The gateway process: config validated at boot, then serve until SIGTERM.
import { serviceMain } from '@stackdrill/kit';
import { GATEWAY_CONFIG } from './config.ts';
import { createGateway } from './gateway.ts';

await serviceMain('gateway', GATEWAY_CONFIG, createGateway);
