import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../common/api-errors.decorator';
import { TOTAL_COUNT, UUID } from '../common/route-helpers';
import { PageQuery } from '../shared/http/pagination';
import { RequestId } from '../shared/http/request-id';
import { relay } from '../upstream/relay';
import { UpstreamClient } from '../upstream/upstream-client';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserResponseDto } from './dto/user-response.dto';

const USERS = 'user-service';

@ApiTags('users')
@ApiHeader({ name: 'X-Request-Id', required: false, description: 'Kept when given (else generated), echoed and forwarded' })
@Controller('users')
export class UsersController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Post()
  @ApiOperation({ summary: 'Register a user (publishes user.created; a welcome order follows)' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiErrors(USERS, 400, 409, 413)
  create(@Body() dto: CreateUserDto, @RequestId() requestId: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'POST', path: '/users', body: dto, requestId }));
  }

  @Get()
  @ApiOperation({ summary: 'List users, oldest first' })
  @ApiOkResponse({ type: [UserResponseDto], headers: TOTAL_COUNT })
  @ApiErrors(USERS, 400)
  list(@Query() page: PageQuery, @RequestId() requestId: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const query = { limit: page.limit, offset: page.offset };
    return relay(res, this.upstream.forward(USERS, { method: 'GET', path: '/users', query, requestId }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one user' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(USERS, 400, 404)
  get(@Param('id', UUID) id: string, @RequestId() requestId: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'GET', path: `/users/${id}`, requestId }));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Change a user\'s email, name or password' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(USERS, 400, 404, 409, 413)
  update(
    @Param('id', UUID) id: string,
    @Body() dto: UpdateUserDto,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'PUT', path: `/users/${id}`, body: dto, requestId }));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a user (their orders stay as history)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(USERS, 400, 404)
  remove(@Param('id', UUID) id: string, @RequestId() requestId: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return relay(res, this.upstream.forward(USERS, { method: 'DELETE', path: `/users/${id}`, requestId }));
  }
}
