// The user service process: config validated at boot, then serve until SIGTERM.
import { serviceMain } from '@stackdrill/kit';
import { USER_CONFIG } from './config.ts';
import { createUserService } from './user-service.ts';

await serviceMain('user', USER_CONFIG, async (config) => (await createUserService(config)).service);
