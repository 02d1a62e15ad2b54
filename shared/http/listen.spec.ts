import { NestFactory } from '@nestjs/core';
import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { createServer, Server } from 'node:net';
import { createHttpAdapter } from './configure-app';
import { listenOnAllInterfaces } from './listen';

@Controller()
class PingController {
  @Get('ping')
  ping() {
    return 'pong';
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

describe('listenOnAllInterfaces', () => {
  let app: INestApplication;
  let taken: Server;

  beforeEach(async () => {
    app = await NestFactory.create(PingModule, createHttpAdapter(), { logger: false });
  });
  afterEach(async () => {
    await app.close();
    await new Promise((resolve) => (taken ? taken.close(resolve) : resolve(undefined)));
  });

  it('answers on the port it was given', async () => {
    await listenOnAllInterfaces(app, 0);
    const port = (app.getHttpServer().address() as { port: number }).port;
    expect(await (await fetch(`http://127.0.0.1:${port}/ping`)).text()).toBe('pong');
  });

  it('a port another process holds: one line naming the port and what moves the app', async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '::', resolve));
    const port = (taken.address() as { port: number }).port;
    await expect(listenOnAllInterfaces(app, port)).rejects.toThrow(
      `port ${port} is already in use by another process (the same app running elsewhere?); PORT moves this one`,
    );
  });
});
