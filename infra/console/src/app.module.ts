import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ApiController } from './api/api.controller';
import { AdminGuard } from './auth/admin.guard';
import { LoginController } from './auth/login.controller';
import { ClusterService } from './cluster/cluster.service';
import { CONSOLE_CONFIG, ConsoleConfig } from './config/console-config';
import { ConsoleCore, composeConsole } from './core/console-core';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { HealthController } from './health/health.controller';
import { BodyTypeGuard } from './http/body-type.guard';
import { ErrorsFilter } from './http/errors.filter';
import { AdminConnection } from './kafka/admin-connection';
import { MessageIndex } from './kafka/message-index';
import { MessagesService } from './messages/messages.service';
import { ConsoleMetrics } from './metrics/console-metrics';
import { PagesController } from './pages/pages.controller';
import { StoryService } from './story/story.service';

const CORE = Symbol('CONSOLE_CORE');

/** Starts the message reader with the app and closes the Kafka clients with it. */
@Injectable()
class CoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(CORE) private readonly core: ConsoleCore) {}

  onApplicationBootstrap(): void {
    this.core.index.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.core.close();
  }
}

const part = <T>(token: abstract new (...args: never[]) => T, pick: (core: ConsoleCore) => T) => ({ provide: token, useFactory: pick, inject: [CORE] });

@Module({})
export class AppModule {
  static with(config: ConsoleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [JwtModule.register({})],
      controllers: [ApiController, PagesController, HealthController, LoginController],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: config },
        { provide: CORE, useFactory: () => composeConsole(config, 'web') },
        part(AdminConnection, (c) => c.admin),
        part(MessageIndex, (c) => c.index),
        part(ClusterService, (c) => c.cluster),
        part(MessagesService, (c) => c.messages),
        part(StoryService, (c) => c.story),
        part(DeadLettersService, (c) => c.deadLetters),
        part(ConsoleMetrics, (c) => c.metrics),
        CoreLifecycle,
        { provide: APP_GUARD, useClass: AdminGuard },
        // After the admin check: who may not post learns nothing about what a post takes.
        { provide: APP_GUARD, useClass: BodyTypeGuard },
        { provide: APP_FILTER, useClass: ErrorsFilter },
      ],
    };
  }
}
