import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import { Contracts } from '../shared/events/contracts';
import { Topics } from '../shared/events/topics';
import { EventProcessor } from '../shared/kafka/event-processor';
import { USER_CREATED_CONSUMER, USER_DELETED_CONSUMER, UserEventsService } from './user-events.service';

/** Consumes user-service's events. Validation, retries and dead-lettering are EventProcessor's. */
@ApiExcludeController()
@Controller()
export class UserEventsController {
  constructor(
    private readonly events: EventProcessor,
    private readonly users: UserEventsService,
  ) {}

  @EventPattern(Topics.UserCreated)
  onUserCreated(@Payload() raw: unknown, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.events.process(Contracts.UserCreated, raw, ctx, USER_CREATED_CONSUMER, (e) => this.users.applyUserCreated(e));
  }

  @EventPattern(Topics.UserDeleted)
  onUserDeleted(@Payload() raw: unknown, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.events.process(Contracts.UserDeleted, raw, ctx, USER_DELETED_CONSUMER, (e) => this.users.applyUserDeleted(e));
  }
}
