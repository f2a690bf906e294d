import fp from 'fastify-plugin';

/**
 * Graceful shutdown with keep-alive clients (a load balancer, a browser): once closing starts,
 * every response still being served asks the client to close its connection, so the server
 * stops as soon as the requests in flight are answered instead of waiting for idle sockets.
 */
export default fp(
  async (app) => {
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onSend', async (_request, reply) => {
      if (closing) reply.header('Connection', 'close');
    });
  },
  { name: 'shutdown' },
);
