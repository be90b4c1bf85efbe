import Fastify from 'fastify';
import cors from '@fastify/cors';
import { config } from './config';
import { userRoutes } from './routes/users';
import { attachRealtime } from './realtime/socket';

const app = Fastify({ logger: { level: config.logLevel } });

await app.register(cors, { origin: true, credentials: true });
await app.register(userRoutes, { prefix: '/users' });

attachRealtime(app.server);

await app.listen({ port: config.port, host: '0.0.0.0' });
