import { Body, Controller, Get, Header, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { deadLetterView } from '../api/views';
import { DeadLetterFilterDto, MessageQueryDto, toDeadLetterFilter, toMessageFilter } from '../api/filter.dto';
import type { ConsoleRequest } from '../auth/admin.guard';
import { ClusterService } from '../cluster/cluster.service';
import { isDeadLetterTopic } from '../dead-letters/dead-letter-topics';
import { DeadLettersService } from '../dead-letters/dead-letters.service';
import { KafkaPosition } from '../http/kafka-position.param';
import { MessageIndex } from '../kafka/message-index';
import { messageView } from '../messages/message.view';
import { MessagesService } from '../messages/messages.service';
import { StoryService } from '../story/story.service';
import { FormBody, redriveFromForm } from './redrive-form';
import { deadLettersPage, redrivePage } from './views/dead-letters.view';
import { messagePage, messagesPage } from './views/messages.view';
import { storyPage } from './views/story.view';
import { groupsPage, topicsPage } from './views/topics.view';

const PAGE_SIZE = 100;

/** Server-rendered pages: each reads the same services as the JSON API and renders one view. */
@Controller()
export class PagesController {
  constructor(
    private readonly cluster: ClusterService,
    private readonly index: MessageIndex,
    private readonly messages: MessagesService,
    private readonly story: StoryService,
    private readonly deadLetters: DeadLettersService,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async topics(): Promise<string> {
    return topicsPage(await this.cluster.topics(), this.index.problem);
  }

  @Get('groups')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async groups(): Promise<string> {
    return groupsPage(await this.cluster.groups());
  }

  @Get('messages')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async list(@Query() query: MessageQueryDto): Promise<string> {
    const page = this.messages.list(toMessageFilter(query), query.limit ?? PAGE_SIZE);
    return messagesPage(await this.topicNames(), asValues(query), page.total, page.messages.map(messageView));
  }

  @Get('messages/:topic/:partition/:offset')
  @Header('Content-Type', 'text/html; charset=utf-8')
  one(@Param('topic') topic: string, @KafkaPosition('partition') partition: number, @KafkaPosition('offset') offset: number): string {
    const found = this.messages.one(topic, partition, offset);
    if (!found) throw new NotFoundException(`no message ${topic}/${partition}/${offset} in the console's window`);
    return messagePage(messageView(found));
  }

  @Get('story')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async requestStory(@Query('id') id?: string): Promise<string> {
    const wanted = id?.trim().slice(0, 200) ?? '';
    return storyPage(wanted, wanted ? await this.story.tell(wanted) : null);
  }

  @Get('dead-letters')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async deadLetterList(@Query() query: DeadLetterFilterDto): Promise<string> {
    const list = this.deadLetters.list(toDeadLetterFilter(query)).map(deadLetterView);
    return deadLettersPage((await this.topicNames()).filter(isDeadLetterTopic), asValues(query), list);
  }

  @Post('dead-letters/redrive')
  async redrive(@Body() body: FormBody, @Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const result = await this.deadLetters.redrive(redriveFromForm(body), req.actor ?? 'unknown');
    res.status(result.planned.length === 0 && result.refused.length > 0 ? 409 : 200).type('html').send(redrivePage(result));
  }

  private async topicNames(): Promise<string[]> {
    return (await this.cluster.topics().catch(() => [])).map((t) => t.name);
  }
}

function asValues(query: object): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v === undefined ? undefined : String(v)]));
}
