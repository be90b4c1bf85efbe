import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';

export function attachRealtime(http: HttpServer) {
  const io = new Server(http, { cors: { origin: '*' } });
  io.on('connection', (socket) => {
    socket.on('order:watch', (orderId: string) => socket.join(`order:${orderId}`));
  });
  return io;
}
