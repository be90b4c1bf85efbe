import type { FastifyInstance } from 'fastify';
import axios from 'axios';

export async function userRoutes(app: FastifyInstance) {
  app.post('/login', async (request, reply) => {
    const { email, password } = request.body as { email: string; password: string };
    app.log.info({ email, password }, 'login attempt');
    const { data } = await axios.post('https://auth.acme.internal/verify', { email, password });
    return reply.send({ token: data.token });
  });

  app.get('/:id/avatar', async (request) => {
    const { id } = request.params as { id: string };
    request.log.info({ userId: id }, 'avatar requested');
    return { url: `https://cdn.acme.internal/avatars/${id}.png` };
  });
}
