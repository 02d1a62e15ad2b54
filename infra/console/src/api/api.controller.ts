import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ConsoleRequest } from '../auth/admin.guard';
import { ClusterService } from '../cluster/cluster.service';
import { DeadLettersService } from '../dead-letters/dead-letters.service';
import { RedriveResult } from '../dead-letters/redrive.types';
import { KafkaPosition } from '../http/kafka-position.param';
import { messageView } from '../messages/message.view';
import { MessagesService } from '../messages/messages.service';
import { StoryService } from '../story/story.service';
import { DeadLetterFilterDto, MessageQueryDto, toDeadLetterFilter, toMessageFilter } from './filter.dto';
import { RedriveDto } from './redrive.dto';
import { deadLetterView, storyView } from './views';

/** The JSON API: what the pages show, for scripts and tests. */
@Controller('api')
export class ApiController {
  constructor(
    private readonly cluster: ClusterService,
    private readonly messages: MessagesService,
    private readonly story: StoryService,
    private readonly deadLetters: DeadLettersService,
  ) {}

  @Get('topics')
  topics() {
    return this.cluster.topics();
  }

  @Get('groups')
  groups() {
    return this.cluster.groups();
  }

  @Get('messages')
  list(@Query() query: MessageQueryDto) {
    const page = this.messages.list(toMessageFilter(query), query.limit ?? 100);
    return { total: page.total, messages: page.messages.map(messageView) };
  }

  @Get('messages/:topic/:partition/:offset')
  one(@Param('topic') topic: string, @KafkaPosition('partition') partition: number, @KafkaPosition('offset') offset: number) {
    const found = this.messages.one(topic, partition, offset);
    if (!found) throw new NotFoundException(`no message ${topic}/${partition}/${offset} in the console's window`);
    return messageView(found);
  }

  @Get('story/:id')
  async requestStory(@Param('id') id: string) {
    return storyView(await this.story.tell(id));
  }

  @Get('dead-letters')
  deadLetterList(@Query() query: DeadLetterFilterDto) {
    return this.deadLetters.list(toDeadLetterFilter(query)).map(deadLetterView);
  }

  @Get('dead-letters/:topic/:partition/:offset')
  deadLetter(@Param('topic') topic: string, @KafkaPosition('partition') partition: number, @KafkaPosition('offset') offset: number) {
    return deadLetterView(this.deadLetters.one(`${topic}/${partition}/${offset}`));
  }

  /** 200 with what was sent and refused; 409 when everything selected was refused. */
  @Post('dead-letters/redrive')
  @HttpCode(200)
  async redrive(@Body() body: RedriveDto, @Req() req: ConsoleRequest, @Res({ passthrough: true }) res: Response): Promise<RedriveResult> {
    const result = await this.deadLetters.redrive(
      { ids: body.ids, filter: body.filter && toDeadLetterFilter(body.filter), dryRun: body.dryRun ?? false, again: body.again ?? false },
      req.actor ?? 'unknown',
    );
    if (result.planned.length === 0 && result.refused.length > 0) res.status(409);
    return result;
  }
}
